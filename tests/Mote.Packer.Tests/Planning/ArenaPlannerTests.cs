using System;
using System.Collections.Generic;
using System.Linq;
using Mote.Packer.Graph;
using Mote.Packer.Planning;
using Mote.Packer.Tests.Models;
using Mote.Runtime.Format;
using Xunit;

namespace Mote.Packer.Tests.Planning
{
    /// <summary>
    /// The planner's invariants (<see cref="PlanChecks"/>) on hand-made, random and shared graphs; best-of never worse
    /// than greedy by size; determinism; in-place rules; scratch.
    /// </summary>
    public class ArenaPlannerTests
    {
        static int T(PackGraph g, int bytes) => g.AddTensor(new PackTensor { DataType = DataType.Int8, Shape = new[] { 1, bytes } }).Index;

        static void Op(PackGraph g, int code, int[] ins, int o) =>
            g.Operators.Add(new PackOperator { Code = code, Inputs = ins, Outputs = new[] { o } });

        [Fact]
        public void Plan_HandComputedChain_BaselineReusesDeadBuffers()
        {
            // in(100) -> a(200) -> b(50) -> out(30). Step 0 needs in+a (112+200 aligned: 112 is 100 rounded to 16),
            // step 1 needs a+b, step 2 needs b+out. Largest first: a at 0; in at 208 (after a, 200 -> 208);
            // b (live with a) at 208; out (live with b, not with a or in) at 0. Arena = 208 + 112 = 320.
            var g = new PackGraph();
            int i = T(g, 100), a = T(g, 200), b = T(g, 50), o = T(g, 30);
            g.Inputs = new[] { i };
            g.Outputs = new[] { o };
            Op(g, OpCode.Conv2D, new[] { i }, a);
            Op(g, OpCode.Conv2D, new[] { a }, b);
            Op(g, OpCode.Conv2D, new[] { b }, o);
            ArenaPlanner.Plan(g, PlanOptions.Baseline);
            Assert.Equal(0, g.Tensors[a].ArenaOffset);
            Assert.Equal(208, g.Tensors[i].ArenaOffset);
            Assert.Equal(208, g.Tensors[b].ArenaOffset);
            Assert.Equal(0, g.Tensors[o].ArenaOffset);
            Assert.Equal(320, g.ArenaBytes);
            Assert.Equal(300, ArenaPlanner.LowerBound(g));
            Assert.Equal(320, g.Plan.AlignedLowerBound);
            Assert.True(g.Plan.IsOptimal);
            PlanChecks.AssertValid(g);

            ArenaPlanner.Plan(g);
            Assert.Equal(320, g.ArenaBytes);
            PlanChecks.AssertValid(g);
        }

        [Fact]
        public void Plan_SizeOrderLosesToConflictOrder_BestOfKeepsTheSmaller()
        {
            // Model inputs x0 (1788 B), x1 (1008), x2 (2303); CONCATENATION(x0) -> x3 (2727); outputs x3 and x0.
            // x1 and x2 live only at step -1; x0 at every step. Greedy by size: x3 at 0, x2 at 0, x0 above both at
            // 2736, then x1 fits in no gap (432 B between x2 and x0) and goes to 4528: 5536. By conflict (x0 conflicts
            // with the most bytes, then x1, x2, x3): x0 at 0, x1 at 1792, x2 at 2800, x3 at 1792: 5104, which is
            // the aligned lower bound (1792 + 1008 + 2304 at step -1).
            var g = new PackGraph();
            int x0 = T(g, 1788), x1 = T(g, 1008), x2 = T(g, 2303), x3 = T(g, 2727);
            g.Inputs = new[] { x0, x1, x2 };
            g.Outputs = new[] { x3, x0 };
            Op(g, OpCode.Concatenation, new[] { x0 }, x3);
            Assert.Equal(5536, ArenaPlanner.Evaluate(g, PlanOptions.Baseline).ArenaBytes);
            ArenaPlanner.Plan(g);
            PlanChecks.AssertValid(g);
            Assert.Equal(5104, g.ArenaBytes);
            Assert.Equal("conflict, first fit", g.Plan.Strategy);
            Assert.Equal(new[] { 0, 1792, 2800, 1792 }, new[] { x0, x1, x2, x3 }.Select(t => g.Tensors[t].ArenaOffset));
            Assert.Equal(5099, g.Plan.LowerBound);
            Assert.True(g.Plan.IsOptimal);
            Assert.Equal(g.Plan.Candidates.Min(c => c.ArenaBytes), g.ArenaBytes);
        }

        [Fact]
        public void InPlace_ChainOfElementwiseAndViews_SharesOneBuffer()
        {
            // in -> CONV a -> RELU b -> RESHAPE c -> TANH d -> CONV out: b, c and d take a's bytes.
            var g = new PackGraph();
            int i = T(g, 40), a = T(g, 300), b = T(g, 300), d = T(g, 300), o = T(g, 20);
            int c = g.AddTensor(new PackTensor { DataType = DataType.Int8, Shape = new[] { 3, 100 } }).Index;
            g.Inputs = new[] { i };
            g.Outputs = new[] { o };
            Op(g, OpCode.Conv2D, new[] { i }, a);
            Op(g, OpCode.Relu, new[] { a }, b);
            Op(g, OpCode.Reshape, new[] { b }, c);
            Op(g, OpCode.Tanh, new[] { c }, d);
            Op(g, OpCode.Conv2D, new[] { d }, o);
            ArenaPlanner.Plan(g);
            PlanChecks.AssertValid(g);
            Assert.Equal(3, g.Plan.Aliases.Count);
            Assert.Equal(g.Tensors[a].ArenaOffset, g.Tensors[b].ArenaOffset);
            Assert.Equal(g.Tensors[a].ArenaOffset, g.Tensors[c].ArenaOffset);
            Assert.Equal(g.Tensors[a].ArenaOffset, g.Tensors[d].ArenaOffset);
            Assert.Equal(304 + 48, g.ArenaBytes); // a..d (304 aligned) beside the input (48) at step 0, beside out at step 4
            Assert.Equal(340, g.Plan.LowerBound);
            Assert.True(g.Plan.IsOptimal);
            Assert.Equal(608, ArenaPlanner.Evaluate(g, PlanOptions.Baseline).ArenaBytes);
        }

        [Fact]
        public void InPlace_NeverOverModelInputsOrTensorsReadLater()
        {
            var g = new PackGraph();
            int i = T(g, 64), a = T(g, 64), b = T(g, 64), c = T(g, 64), o = T(g, 128);
            g.Inputs = new[] { i };
            g.Outputs = new[] { o, b };
            Op(g, OpCode.Relu, new[] { i }, a);         // i is a model input: not overwritten
            Op(g, OpCode.Logistic, new[] { a }, b);     // a is read again below: no
            Op(g, OpCode.Add, new[] { a, b }, c);       // a dies here and has c's shape: yes (b is a model output, read later anyway)
            Op(g, OpCode.Concatenation, new[] { c, c }, o); // not whitelisted
            ArenaPlanner.Plan(g);
            PlanChecks.AssertValid(g);
            var alias = Assert.Single(g.Plan.Aliases);
            Assert.Equal((2, a, c), (alias.Op, alias.Input, alias.Output));
        }

        [Fact]
        public void InPlace_ViewsMayShareModelInputBytes_KernelsWriteThereOnlyWhenAllowed()
        {
            // in -> RESHAPE v (a view: in's bytes unchanged) -> RELU r -> CONV out. RELU would write over the caller's input.
            var g = new PackGraph();
            int i = T(g, 64), r = T(g, 64), o = T(g, 8);
            int v = g.AddTensor(new PackTensor { DataType = DataType.Int8, Shape = new[] { 64 } }).Index;
            g.Inputs = new[] { i };
            g.Outputs = new[] { o };
            Op(g, OpCode.Reshape, new[] { i }, v);
            Op(g, OpCode.Relu, new[] { v }, r);
            Op(g, OpCode.Conv2D, new[] { r }, o);
            ArenaPlanner.Plan(g);
            PlanChecks.AssertValid(g);
            var alias = Assert.Single(g.Plan.Aliases);
            Assert.Equal((0, i, v), (alias.Op, alias.Input, alias.Output));
            Assert.Equal(128, g.ArenaBytes);

            var options = new PlanOptions { OverwriteModelInputs = true };
            ArenaPlanner.Plan(g, options);
            PlanChecks.AssertValid(g, overwriteModelInputs: true);
            Assert.Equal(2, g.Plan.Aliases.Count);
            Assert.Equal(80, g.ArenaBytes);
        }

        [Fact]
        public void InPlace_AddTakesTheInputWithTheOutputsShape_NotTheBroadcastOne()
        {
            var g = new PackGraph();
            int i = T(g, 16);
            int small = g.AddTensor(new PackTensor { DataType = DataType.Int8, Shape = new[] { 1, 1, 1, 8 } }).Index;
            int full = g.AddTensor(new PackTensor { DataType = DataType.Int8, Shape = new[] { 1, 2, 2, 8 } }).Index;
            int flat = g.AddTensor(new PackTensor { DataType = DataType.Int8, Shape = new[] { 32 } }).Index;
            int sum = g.AddTensor(new PackTensor { DataType = DataType.Int8, Shape = new[] { 1, 2, 2, 8 } }).Index;
            int o = T(g, 4);
            g.Inputs = new[] { i };
            g.Outputs = new[] { o };
            Op(g, OpCode.Conv2D, new[] { i }, small);
            Op(g, OpCode.Conv2D, new[] { i }, full);
            Op(g, OpCode.Conv2D, new[] { i }, flat);
            Op(g, OpCode.Mul, new[] { small, flat, full }, sum); // flat has the bytes but not the shape: no; only inputs 0..1 count
            Op(g, OpCode.Conv2D, new[] { sum }, o);
            ArenaPlanner.Plan(g);
            Assert.Empty(g.Plan.AllowedAliases);

            g.Operators[3].Inputs = new[] { small, full };
            ArenaPlanner.Plan(g);
            PlanChecks.AssertValid(g);
            var alias = Assert.Single(g.Plan.Aliases);
            Assert.Equal((3, full, sum), (alias.Op, alias.Input, alias.Output));
        }

        [Fact]
        public void InPlace_OtherKernelTier_OnlyViews()
        {
            var g = new PackGraph();
            int i = T(g, 64), a = T(g, 64), b = T(g, 64), c = T(g, 64), o = T(g, 8);
            g.Inputs = new[] { i };
            g.Outputs = new[] { o };
            Op(g, OpCode.Conv2D, new[] { i }, a);
            Op(g, OpCode.Relu, new[] { a }, b);
            Op(g, OpCode.Squeeze, new[] { b }, c);
            Op(g, OpCode.Conv2D, new[] { c }, o);
            Assert.Equal(2, InPlaceRules.Candidates(g, "reference").Count);
            var simd = InPlaceRules.Candidates(g, "some-simd-tier");
            Assert.Equal(OpCode.Squeeze, g.Operators[Assert.Single(simd).Op].Code);
            ArenaPlanner.Plan(g, new PlanOptions { KernelTier = "some-simd-tier" });
            PlanChecks.AssertValid(g, "some-simd-tier");
        }

        [Fact]
        public void Scratch_ReferenceKernelsNeedNone()
        {
            var g = Blob.TestGraphs.AllOps();
            foreach (var op in g.Operators) Assert.Equal(0, ArenaPlanner.ScratchBytes(op, InPlaceRules.ReferenceTier));
            ArenaPlanner.Plan(g);
            Assert.All(g.Plan.ScratchBytes, b => Assert.Equal(0, b));
            Assert.All(g.Plan.ScratchOffsets, o => Assert.Equal(-1, o));
        }

        [Fact]
        public void Scratch_IsLiveOnlyAtItsOperator()
        {
            // in(64) -> a(64) -> b(64) -> out(64), scratch 100 at op 1: step 1 needs a + b + scratch.
            var g = new PackGraph();
            int i = T(g, 64), a = T(g, 64), b = T(g, 64), o = T(g, 64);
            g.Inputs = new[] { i };
            g.Outputs = new[] { o };
            Op(g, OpCode.Conv2D, new[] { i }, a);
            Op(g, OpCode.FullyConnected, new[] { a }, b);
            Op(g, OpCode.Conv2D, new[] { b }, o);
            var options = new PlanOptions { Scratch = op => op.Code == OpCode.FullyConnected ? 100 : 0 };
            ArenaPlanner.Plan(g, options);
            PlanChecks.AssertValid(g);
            Assert.Equal(new[] { 0, 100, 0 }, g.Plan.ScratchBytes);
            Assert.Equal(228, g.Plan.LowerBound);
            Assert.Equal(240, g.ArenaBytes);
            Assert.Equal(228, ArenaPlanner.LowerBound(g, options));
        }

        /// <summary>
        /// A random DAG: chains with branches (inputs drawn mostly from recent tensors, sometimes from far back),
        /// ops of every planning kind — generic, elementwise, views, binary with equal or broadcast shapes, int32 outputs.
        /// </summary>
        public static PackGraph RandomGraph(int seed, int maxOps = 40)
        {
            var rng = new Random(seed);
            var g = new PackGraph { SourceName = "random-" + seed };
            int New(int[] shape, int dtype = DataType.Int8) => g.AddTensor(new PackTensor { DataType = dtype, Shape = shape }).Index;
            int[] RandomShape() => rng.Next(3) == 0 ? new[] { 1, 1 + rng.Next(8), 1 + rng.Next(8), 1 + rng.Next(64) } : new[] { 1, 1 + rng.Next(4000) };
            var available = new List<int>();
            int inputs = 1 + rng.Next(3);
            for (int k = 0; k < inputs; k++) available.Add(New(RandomShape()));
            g.Inputs = available.ToArray();
            int Pick()
            {
                for (int tries = 0; tries < 8; tries++)
                {
                    int idx = rng.Next(4) == 0 ? rng.Next(available.Count) : Math.Max(0, available.Count - 1 - rng.Next(3));
                    if (g.Tensors[available[idx]].DataType == DataType.Int8 || rng.Next(4) == 0) return available[idx];
                }
                return available[^1];
            }
            int[] unary = { OpCode.Relu, OpCode.Relu6, OpCode.Logistic, OpCode.Tanh, OpCode.LeakyRelu, OpCode.Quantize, OpCode.HardSwish };
            int ops = 1 + rng.Next(maxOps);
            for (int k = 0; k < ops; k++)
            {
                int x = Pick();
                var xt = g.Tensors[x];
                int o;
                switch (rng.Next(7))
                {
                    case 0:
                    case 1:
                        o = New(RandomShape());
                        var ins = new List<int> { x };
                        for (int j = rng.Next(3); j > 0; j--) ins.Add(Pick());
                        Op(g, rng.Next(2) == 0 ? OpCode.Conv2D : OpCode.Concatenation, ins.ToArray(), o);
                        break;
                    case 2:
                        o = New((int[])xt.Shape.Clone(), xt.DataType);
                        Op(g, unary[rng.Next(unary.Length)], new[] { x }, o);
                        break;
                    case 3:
                        o = New(new[] { (int)xt.ElementCount }, xt.DataType);
                        Op(g, rng.Next(2) == 0 ? OpCode.Reshape : OpCode.Squeeze, new[] { x }, o);
                        break;
                    case 4:
                    case 5:
                        int y = rng.Next(3) == 0 ? x : Pick();
                        var shape = (int[])(rng.Next(2) == 0 ? xt.Shape : g.Tensors[y].Shape).Clone();
                        o = New(shape);
                        Op(g, rng.Next(2) == 0 ? OpCode.Add : OpCode.Mul, rng.Next(2) == 0 ? new[] { x, y } : new[] { y, x }, o);
                        break;
                    default:
                        o = New(new[] { 1, 1 + rng.Next(1000) }, DataType.Int32);
                        Op(g, OpCode.FullyConnected, new[] { x }, o);
                        break;
                }
                available.Add(o);
            }
            var outputs = new List<int> { available[^1] };
            if (rng.Next(2) == 0) outputs.Add(available[rng.Next(available.Count)]);
            g.Outputs = outputs.Distinct().ToArray();
            return g;
        }

        [Fact]
        public void Plan_RandomGraphs_InvariantsHoldAndNeverWorseThanGreedyBySize()
        {
            int aliased = 0, better = 0;
            for (int seed = 1; seed <= 400; seed++)
            {
                var g = RandomGraph(seed);
                int baseline = ArenaPlanner.Evaluate(g, PlanOptions.Baseline).ArenaBytes;
                ArenaPlanner.Plan(g);
                PlanChecks.AssertValid(g);
                Assert.True(g.ArenaBytes <= baseline, $"seed {seed}: {g.ArenaBytes} > greedy by size {baseline}");
                if (g.Plan.Aliases.Count > 0) aliased++;
                if (g.ArenaBytes < baseline) better++;

                var again = ArenaPlanner.Evaluate(g, new PlanOptions());
                Assert.Equal(g.Plan.TensorOffsets, again.TensorOffsets);
                Assert.Equal(g.Plan.Strategy, again.Strategy);
            }
            Assert.True(aliased > 100, $"only {aliased} random graphs had an in-place reuse");
            Assert.True(better > 50, $"only {better} random graphs beat greedy by size");
        }

        [Fact]
        public void Plan_LargeGraphs_StayBoundedAndValid()
        {
            // Hundreds of ops with long-lived branches: the search's fixed work budget (not a clock) bounds the time.
            for (int seed = 1; seed <= 2; seed++)
            {
                var g = RandomGraph(5000 + seed, 800);
                // No clock assertion (speed is measured, not asserted): the search's fixed work budget bounds it.
                ArenaPlanner.Plan(g);
                PlanChecks.AssertValid(g);
                Assert.True(g.ArenaBytes <= ArenaPlanner.Evaluate(g, PlanOptions.Baseline).ArenaBytes);
            }
        }

        [Fact]
        public void Plan_RandomGraphsWithScratch_ScratchNeverOverlapsLiveTensors()
        {
            for (int seed = 1; seed <= 200; seed++)
            {
                var g = RandomGraph(1000 + seed);
                var options = new PlanOptions { Scratch = op => (op.Outputs[0] * 7919 + seed) % 3 == 0 ? 1 + (op.Outputs[0] * 104729) % 3000 : 0 };
                ArenaPlanner.Plan(g, options);
                PlanChecks.AssertValid(g);
                Assert.Equal(ArenaPlanner.LowerBound(g, options), g.Plan.LowerBound);
            }
        }

        [Fact]
        public void Plan_TestGraphs_InvariantsHold()
        {
            foreach (var g in new[] { Blob.TestGraphs.AllOps(), Blob.TestGraphs.NewOps(), InPlaceRunTests.AddMulGraph() })
            {
                ArenaPlanner.Plan(g);
                PlanChecks.AssertValid(g);
            }
        }

        [SkippableTheory]
        [MemberData(nameof(SharedModels.Models), MemberType = typeof(SharedModels))]
        public void Plan_SharedModel_InvariantsHoldAndNeverWorseThanGreedyBySize(string model)
        {
            var r = SharedModels.Pack(SharedModels.ModelPath(model));
            PlanChecks.AssertValid(r.Graph);
            Assert.Equal(r.Graph.Plan.LowerBound, r.ArenaLowerBound);
            Assert.Equal(r.Graph.ArenaBytes, r.Model.ArenaBytes);
            int baseline = ArenaPlanner.Evaluate(r.Graph, PlanOptions.Baseline).ArenaBytes;
            Assert.True(r.Graph.ArenaBytes <= baseline, $"{model}: {r.Graph.ArenaBytes} > greedy by size {baseline}");
        }
    }
}
