using System;
using Mote.Packer.Blob;
using Mote.Packer.Graph;
using Mote.Packer.Planning;
using Mote.Packer.Quantization;
using Mote.Runtime;
using Mote.Runtime.Format;
using Mote.Runtime.Kernels;
using Xunit;

namespace Mote.Packer.Tests.Planning
{
    /// <summary>
    /// The in-place rules hold for the kernels as written: a graph planned with in-place reuse computes, layer by
    /// layer, the same bytes as the same graph planned without it (every whitelisted op code runs in place here;
    /// the shared models are covered by the bit-exact tests, which run with the default plan).
    /// </summary>
    public class InPlaceRunTests
    {
        static PackTensor Act(PackGraph g, string name, float scale, int zp, params int[] shape) =>
            g.AddTensor(new PackTensor { DataType = DataType.Int8, Shape = shape, Scales = new[] { scale }, ZeroPoint = zp, Name = name });

        /// <summary>
        /// input [1,4,4,3] → RELU a; input → LEAKY_RELU b; ADD(a, b) c (a in place); MEAN(input, H and W, keep dims) m [1,1,1,3];
        /// MUL(m, c) e (broadcast; c, input 1, in place); ADD(e, e) f (in place); LEAKY_RELU (α −0.3) h (in place) → output.
        /// </summary>
        public static PackGraph AddMulGraph()
        {
            var g = new PackGraph { SourceName = "add-mul-in-place" };
            var input = Act(g, "input", 0.05f, -3, 1, 4, 4, 3);
            var a = Act(g, "relu", 0.03f, -128, 1, 4, 4, 3);
            var b = Act(g, "leaky", 0.04f, 10, 1, 4, 4, 3);
            var c = Act(g, "add", 0.06f, -5, 1, 4, 4, 3);
            var m = Act(g, "mean", 0.02f, 1, 1, 1, 1, 3);
            var e = Act(g, "mul", 0.01f, 4, 1, 4, 4, 3);
            var f = Act(g, "add2", 0.02f, -7, 1, 4, 4, 3);
            var h = Act(g, "leaky2", 0.015f, -20, 1, 4, 4, 3);
            g.Inputs = new[] { input.Index };
            g.Outputs = new[] { h.Index };
            void Op(int code, PackTensor[] ins, PackTensor o, params int[] words) =>
                g.Operators.Add(new PackOperator { Code = code, Inputs = Array.ConvertAll(ins, t => t.Index), Outputs = new[] { o.Index }, Params = words });
            void AddOp(PackTensor x, PackTensor y, PackTensor o)
            {
                var p = new AddParams();
                TfliteQuantMath.Add(x.Scales[0], x.ZeroPoint, y.Scales[0], y.ZeroPoint, o.Scales[0], o.ZeroPoint, 0, p);
                Op(OpCode.Add, new[] { x, y }, o, p.LeftShift, p.Input1Offset, p.Input1Multiplier, p.Input1Shift, p.Input2Offset,
                    p.Input2Multiplier, p.Input2Shift, p.OutputOffset, p.OutputMultiplier, p.OutputShift, p.ActivationMin, p.ActivationMax);
            }

            var rp = new ReluParams();
            TfliteQuantMath.Relu(input.Scales[0], input.ZeroPoint, a.Scales[0], a.ZeroPoint, rp);
            Op(OpCode.Relu, new[] { input }, a, rp.InputOffset, rp.OutputOffset, rp.OutputMultiplier, rp.OutputShift, rp.ActivationMin, rp.ActivationMax);
            var lp = new LeakyReluParams();
            TfliteQuantMath.LeakyRelu(input.Scales[0], input.ZeroPoint, 0.1f, b.Scales[0], b.ZeroPoint, lp);
            Op(OpCode.LeakyRelu, new[] { input }, b, lp.InputOffset, lp.OutputOffset, lp.IdentityMultiplier, lp.IdentityShift, lp.AlphaMultiplier, lp.AlphaShift);
            AddOp(a, b, c);
            var ep = new MeanParams();
            TfliteQuantMath.Mean(input.Scales[0], input.ZeroPoint, m.Scales[0], m.ZeroPoint, 16, ep);
            Op(OpCode.Mean, new[] { input }, m, ep.InputOffset, ep.OutputOffset, ep.OutputMultiplier, ep.OutputShift, 0b110);
            var mp = new MulParams();
            TfliteQuantMath.Mul(m.Scales[0], m.ZeroPoint, c.Scales[0], c.ZeroPoint, e.Scales[0], e.ZeroPoint, 0, mp);
            Op(OpCode.Mul, new[] { m, c }, e, mp.Input1Offset, mp.Input2Offset, mp.OutputOffset, mp.OutputMultiplier, mp.OutputShift, mp.ActivationMin, mp.ActivationMax);
            AddOp(e, e, f);
            var lp2 = new LeakyReluParams();
            TfliteQuantMath.LeakyRelu(f.Scales[0], f.ZeroPoint, -0.3f, h.Scales[0], h.ZeroPoint, lp2);
            Op(OpCode.LeakyRelu, new[] { f }, h, lp2.InputOffset, lp2.OutputOffset, lp2.IdentityMultiplier, lp2.IdentityShift, lp2.AlphaMultiplier, lp2.AlphaShift);
            return g;
        }

        /// <summary>
        /// Format 1.3's element-wise variants: int16 x [1,2,2,3] → LEAKY_RELU l; ADD(l, l) a (l in place);
        /// SUB(a, y) s with int16 y [3] broadcast (a in place); MUL(s, y) m (s in place); LEAKY_RELU (α −0.3) → output 0
        /// (m in place). int8 x8 [1,2,2,3] → RELU r; SUB(r, x8) → output 1 (int8 SUB, r in place).
        /// </summary>
        public static PackGraph Int16SubGraph()
        {
            var g = new PackGraph { SourceName = "int16-sub-in-place" };
            PackTensor T16(string name, float scale, params int[] shape) =>
                g.AddTensor(new PackTensor { DataType = DataType.Int16, Shape = shape, Scales = new[] { scale }, ZeroPoint = 0, Name = name });
            var x = T16("x", 0.01f, 1, 2, 2, 3);
            var y = T16("y", 0.02f, 3);
            var l = T16("leaky", 0.01f, 1, 2, 2, 3);
            var a = T16("add", 0.02f, 1, 2, 2, 3);
            var s = T16("sub", 0.03f, 1, 2, 2, 3);
            var m = T16("mul", 0.001f, 1, 2, 2, 3);
            var h = T16("leaky2", 0.001f, 1, 2, 2, 3);
            var x8 = Act(g, "x8", 0.05f, -3, 1, 2, 2, 3);
            var r = Act(g, "relu", 0.03f, -128, 1, 2, 2, 3);
            var d = Act(g, "sub8", 0.06f, 5, 1, 2, 2, 3);
            g.Inputs = new[] { x.Index, y.Index, x8.Index };
            g.Outputs = new[] { h.Index, d.Index };
            void Op(int code, PackTensor[] ins, PackTensor o, params int[] words) =>
                g.Operators.Add(new PackOperator { Code = code, Inputs = Array.ConvertAll(ins, t => t.Index), Outputs = new[] { o.Index }, Params = words });
            int[] Words(AddParams p) => new[] { p.LeftShift, p.Input1Offset, p.Input1Multiplier, p.Input1Shift, p.Input2Offset,
                p.Input2Multiplier, p.Input2Shift, p.OutputOffset, p.OutputMultiplier, p.OutputShift, p.ActivationMin, p.ActivationMax };
            void Leaky(PackTensor i, PackTensor o, float alpha)
            {
                var lp = new LeakyReluParams();
                TfliteQuantMath.LeakyRelu(i.Scales[0], i.ZeroPoint, alpha, o.Scales[0], o.ZeroPoint, lp);
                Op(OpCode.LeakyRelu, new[] { i }, o, lp.InputOffset, lp.OutputOffset, lp.IdentityMultiplier, lp.IdentityShift, lp.AlphaMultiplier, lp.AlphaShift);
            }

            Leaky(x, l, 0.2f);
            var ap = new AddParams();
            TfliteQuantMath.Add(l.Scales[0], 0, l.Scales[0], 0, a.Scales[0], 0, 0, DataType.Int16, ap);
            Op(OpCode.Add, new[] { l, l }, a, Words(ap));
            var sp = new AddParams();
            TfliteQuantMath.Sub(a.Scales[0], 0, y.Scales[0], 0, s.Scales[0], 0, 0, DataType.Int16, sp);
            Op(OpCode.Sub, new[] { a, y }, s, Words(sp));
            var mp = new MulParams();
            TfliteQuantMath.Mul(s.Scales[0], 0, y.Scales[0], 0, m.Scales[0], 0, 0, DataType.Int16, mp);
            Op(OpCode.Mul, new[] { s, y }, m, mp.Input1Offset, mp.Input2Offset, mp.OutputOffset, mp.OutputMultiplier, mp.OutputShift, mp.ActivationMin, mp.ActivationMax);
            Leaky(m, h, -0.3f);
            var rp = new ReluParams();
            TfliteQuantMath.Relu(x8.Scales[0], x8.ZeroPoint, r.Scales[0], r.ZeroPoint, rp);
            Op(OpCode.Relu, new[] { x8 }, r, rp.InputOffset, rp.OutputOffset, rp.OutputMultiplier, rp.OutputShift, rp.ActivationMin, rp.ActivationMax);
            var dp = new AddParams();
            TfliteQuantMath.Sub(r.Scales[0], r.ZeroPoint, x8.Scales[0], x8.ZeroPoint, d.Scales[0], d.ZeroPoint, 0, DataType.Int8, dp);
            Op(OpCode.Sub, new[] { r, x8 }, d, Words(dp));
            return g;
        }

        /// <summary>Every operator's output bytes, for <paramref name="samples"/> random inputs.</summary>
        static byte[][][] Layers(PackGraph g, PlanOptions options, int samples, bool overwriteModelInputs = false)
        {
            ArenaPlanner.Plan(g, options);
            PlanChecks.AssertValid(g, overwriteModelInputs: overwriteModelInputs);
            var it = new Interpreter(Model.Load(BlobWriter.Write(g)));
            var rng = new Random(7);
            var result = new byte[samples][][];
            for (int s = 0; s < samples; s++)
            {
                for (int i = 0; i < it.InputCount; i++)
                {
                    var bytes = new byte[it.GetInput(i).Bytes];
                    rng.NextBytes(bytes);
                    it.GetInput(i).CopyFrom(bytes, 0);
                }
                result[s] = new byte[it.Model.OperatorCount][];
                for (int k = 0; k < it.Model.OperatorCount; k++)
                {
                    it.InvokeOperator(k);
                    var view = it.GetTensor(it.Model.GetOperator(k).Outputs[0]);
                    result[s][k] = new byte[view.Bytes];
                    view.CopyTo(result[s][k], 0);
                }
            }
            return result;
        }

        public static TheoryData<string> Graphs => new() { "AllOps", "NewOps", "AddMul", "Int16Sub" };

        static PackGraph Build(string name) => name switch
        {
            "AllOps" => Blob.TestGraphs.AllOps(),
            "NewOps" => Blob.TestGraphs.NewOps(),
            "Int16Sub" => Int16SubGraph(),
            _ => AddMulGraph(),
        };

        [Theory]
        [MemberData(nameof(Graphs))]
        public void InPlacePlan_ComputesTheSameLayersAsSeparateBuffers(string name)
        {
            var separate = Layers(Build(name), PlanOptions.Baseline, 16);
            var g = Build(name);
            var inPlace = Layers(g, new PlanOptions(), 16);
            Assert.NotEmpty(g.Plan.Aliases);
            for (int s = 0; s < separate.Length; s++)
                for (int k = 0; k < separate[s].Length; k++)
                    Assert.True(separate[s][k].AsSpan().SequenceEqual(inPlace[s][k]), $"{name} sample {s} operator {k} differs when planned in place");
        }

        [Theory]
        [MemberData(nameof(Graphs))]
        public void InPlacePlanOverModelInputs_ComputesTheSameLayers(string name)
        {
            var separate = Layers(Build(name), PlanOptions.Baseline, 8);
            var inPlace = Layers(Build(name), new PlanOptions { OverwriteModelInputs = true }, 8, overwriteModelInputs: true);
            for (int s = 0; s < separate.Length; s++)
                for (int k = 0; k < separate[s].Length; k++)
                    Assert.True(separate[s][k].AsSpan().SequenceEqual(inPlace[s][k]), $"{name} sample {s} operator {k} differs when planned in place");
        }

        [Fact]
        public void InPlacePlan_EveryWhitelistedOpRunsInPlaceSomewhere()
        {
            var seen = new System.Collections.Generic.HashSet<int>();
            foreach (var name in new[] { "AllOps", "NewOps", "AddMul", "Int16Sub" })
            {
                var g = Build(name);
                ArenaPlanner.Plan(g);
                foreach (var a in g.Plan.Aliases) seen.Add(g.Operators[a.Op].Code);
            }
            foreach (int code in new[] { OpCode.Reshape, OpCode.Squeeze, OpCode.Logistic, OpCode.Tanh, OpCode.Relu, OpCode.Relu6, OpCode.LeakyRelu,
                         OpCode.Quantize, OpCode.HardSwish, OpCode.Add, OpCode.Sub, OpCode.Mul })
                Assert.True(seen.Contains(code), OpCode.Name(code) + " never ran in place in the test graphs");
        }

        [Fact]
        public void InPlacePlan_Int16GraphRunsAddSubMulLeakyReluInPlaceOnInt16AndSubOnInt8()
        {
            var g = Int16SubGraph();
            ArenaPlanner.Plan(g);
            var aliased = new System.Collections.Generic.List<string>();
            foreach (var a in g.Plan.Aliases)
                aliased.Add(OpCode.Name(g.Operators[a.Op].Code) + ":" + DataType.Name(g.Tensors[a.Output].DataType));
            // The first LEAKY_RELU reads the model input x, which stays intact; the last ops' outputs are model outputs.
            Assert.Equal(new[] { "ADD:int16", "SUB:int16", "MUL:int16", "LEAKY_RELU:int16", "SUB:int8" }, aliased);
        }
    }
}
