using System;
using System.Collections.Generic;
using System.Linq;
using Mote.Packer.Graph;
using Mote.Packer.Planning;
using Mote.Runtime.Format;
using Xunit;

namespace Mote.Packer.Tests.Planning
{
    /// <summary>
    /// Checks a plan against the graph, independently of how the planner works: alignment and bounds, no overlap
    /// between buffers live at the same step except a declared in-place pair that the rules (restated here, not
    /// taken from the planner) allow, and scratch disjoint from everything live at its step.
    /// </summary>
    public static class PlanChecks
    {
        /// <summary>The whitelist as docs/memory.md states it (reference kernels).</summary>
        static readonly int[] Views = { OpCode.Reshape, OpCode.Squeeze };
        static readonly int[] Elementwise =
            { OpCode.Logistic, OpCode.Tanh, OpCode.Relu, OpCode.Relu6, OpCode.LeakyRelu, OpCode.Quantize, OpCode.HardSwish };
        static readonly int[] Binary = { OpCode.Add, OpCode.Sub, OpCode.Mul };
        /// <summary>The ops whose int16 kernels (format 1.3) may also run in place, int16 in and out.</summary>
        static readonly int[] Int16InPlace = { OpCode.Add, OpCode.Sub, OpCode.Mul, OpCode.LeakyRelu };

        public static void AssertValid(PackGraph g, string kernelTier = "reference", bool overwriteModelInputs = false)
        {
            var plan = g.Plan;
            Assert.NotNull(plan);
            Assert.True(g.ArenaBytes % 16 == 0 && g.ArenaBytes == plan.ArenaBytes);
            var lives = ArenaPlanner.Lifetimes(g);
            var life = new ArenaPlanner.Lifetime[g.Tensors.Count];
            foreach (var l in lives) life[l.Tensor] = l;

            // The caller's input bytes: model inputs and views of them; no kernel may write there unless allowed.
            var inputBytes = new HashSet<int>(g.Inputs);
            foreach (var a in plan.AllowedAliases.OrderBy(a => a.Op))
            {
                bool view = Views.Contains(g.Operators[a.Op].Code);
                if (inputBytes.Contains(a.Input))
                {
                    if (view) inputBytes.Add(a.Output);
                    else Assert.True(overwriteModelInputs, $"op {a.Op} writes over model input bytes (tensor {a.Input})");
                }
            }
            foreach (var a in plan.AllowedAliases) CheckAlias(g, a, life, kernelTier, false);
            var declared = new HashSet<(int, int)>();
            foreach (var a in plan.Aliases)
            {
                Assert.Contains(a, plan.AllowedAliases);
                CheckAlias(g, a, life, kernelTier, true);
                declared.Add((Math.Min(a.Input, a.Output), Math.Max(a.Input, a.Output)));
            }

            foreach (var a in lives)
            {
                var ta = g.Tensors[a.Tensor];
                Assert.True(ta.ArenaOffset >= 0 && ta.ArenaOffset % 16 == 0, $"tensor {a.Tensor} offset {ta.ArenaOffset}");
                Assert.True(ta.ArenaOffset + (long)ta.Bytes <= g.ArenaBytes, $"tensor {a.Tensor} ends past the arena");
                foreach (var b in lives)
                {
                    if (a.Tensor >= b.Tensor || a.Last < b.First || b.Last < a.First) continue;
                    var tb = g.Tensors[b.Tensor];
                    bool disjoint = ta.ArenaOffset + ta.Bytes <= tb.ArenaOffset || tb.ArenaOffset + tb.Bytes <= ta.ArenaOffset;
                    if (disjoint) continue;
                    Assert.True(declared.Contains((a.Tensor, b.Tensor)),
                        $"tensors {a.Tensor} [{a.First},{a.Last}] and {b.Tensor} [{b.First},{b.Last}] are live together and overlap");
                }
            }

            for (int s = 0; s < g.Operators.Count; s++)
            {
                int bytes = plan.ScratchBytes[s];
                if (bytes == 0) { Assert.Equal(-1, plan.ScratchOffsets[s]); continue; }
                int off = plan.ScratchOffsets[s];
                Assert.True(off >= 0 && off % 16 == 0 && off + (long)bytes <= g.ArenaBytes, $"operator {s} scratch at {off}+{bytes}");
                foreach (var l in lives)
                {
                    if (l.First > s || l.Last < s) continue;
                    var t = g.Tensors[l.Tensor];
                    Assert.True(off + bytes <= t.ArenaOffset || t.ArenaOffset + t.Bytes <= off,
                        $"operator {s} scratch {off}+{bytes} overlaps tensor {l.Tensor} live at that step");
                }
            }

            Assert.True(g.ArenaBytes >= plan.LowerBound, $"arena {g.ArenaBytes} < lower bound {plan.LowerBound}");
            Assert.True(g.ArenaBytes >= plan.AlignedLowerBound, $"arena {g.ArenaBytes} < aligned lower bound {plan.AlignedLowerBound}");
            Assert.True(plan.AlignedLowerBound >= plan.LowerBound);
            Assert.Equal(LiveBytesBound(g, plan), plan.LowerBound);
        }

        /// <summary>The lower bound recomputed from its definition: max over steps of live bytes, an in-place pair once.</summary>
        public static long LiveBytesBound(PackGraph g, ArenaPlan plan)
        {
            var lives = ArenaPlanner.Lifetimes(g);
            var pairedOutputOf = plan.AllowedAliases.ToDictionary(a => a.Input, a => a);
            long best = 0;
            for (int s = -1; s <= g.Operators.Count; s++)
            {
                long sum = 0;
                foreach (var l in lives)
                {
                    if (l.First > s || s > l.Last) continue;
                    // A dying input whose output takes its bytes at this very step is counted with the output (same size).
                    if (pairedOutputOf.TryGetValue(l.Tensor, out var a) && a.Op == s)
                    {
                        sum += Math.Max(0, l.Bytes - g.Tensors[a.Output].Bytes);
                        continue;
                    }
                    sum += l.Bytes;
                }
                if (s >= 0 && s < g.Operators.Count) sum += plan.ScratchBytes[s];
                best = Math.Max(best, sum);
            }
            return best;
        }

        static void CheckAlias(PackGraph g, PlanAlias a, ArenaPlanner.Lifetime[] life, string kernelTier, bool applied)
        {
            var op = g.Operators[a.Op];
            string what = $"alias op {a.Op} ({OpCode.Name(op.Code)}) tensor {a.Input} -> {a.Output}";
            bool view = Views.Contains(op.Code);
            bool reference = kernelTier == "reference";
            Assert.True(view || (reference && (Elementwise.Contains(op.Code) || Binary.Contains(op.Code))), what + ": op not whitelisted for " + kernelTier);
            Assert.Single(op.Outputs);
            Assert.Equal(op.Outputs[0], a.Output);
            int k = Array.IndexOf(op.Inputs, a.Input);
            Assert.True(k >= 0, what + ": not an input of the op");
            Assert.True(view || Binary.Contains(op.Code) ? k <= 1 : k == 0, what + ": wrong input position");
            var x = g.Tensors[a.Input];
            var o = g.Tensors[a.Output];
            Assert.False(x.IsConstant || o.IsConstant, what + ": constant");
            Assert.DoesNotContain(a.Input, g.Outputs);
            Assert.DoesNotContain(a.Output, g.Inputs);
            Assert.Equal(a.Op, life[a.Input].Last); // dies at this op: no later reader
            Assert.Equal(a.Op, life[a.Output].First);
            Assert.Equal(x.Bytes, o.Bytes);
            if (applied) Assert.Equal(x.ArenaOffset, o.ArenaOffset);
            if (!view)
            {
                int dtype = Int16InPlace.Contains(op.Code) && x.DataType == DataType.Int16 ? DataType.Int16 : DataType.Int8;
                Assert.Equal(dtype, x.DataType);
                Assert.Equal(dtype, o.DataType);
            }
            if (Binary.Contains(op.Code)) Assert.Equal(o.Shape, x.Shape);
        }
    }
}
