using System;
using System.Linq;
using Mote.Packer.Float;
using Xunit;

namespace Mote.Packer.Tests.Float
{
    /// <summary>The float reference interpreter's kernels on cases small enough to compute by hand.</summary>
    public class FloatInterpreterTests
    {
        static float[] RunSingle(FloatGraph g, float[] input)
        {
            var fi = new FloatInterpreter(g);
            fi.Run(input);
            return fi.Output(0);
        }

        static (FloatGraph g, FOp op) Unary(FloatOpKind kind, int[] inShape, int[] outShape)
        {
            var g = new FloatGraph();
            var x = g.AddTensor("x", inShape);
            var y = g.AddTensor("y", outShape);
            var op = new FOp { Kind = kind, Inputs = new[] { x.Index }, Outputs = new[] { y.Index } };
            g.Ops.Add(op);
            g.Inputs.Add(new FBinding { Tensor = x.Index, SourceShape = inShape });
            g.Outputs.Add(new FBinding { Tensor = y.Index, SourceShape = outShape });
            return (g, op);
        }

        [Fact]
        public void Conv2D_3x3_SamePadding_TwoChannels()
        {
            // Input 1x3x3x2: channel 0 = 1..9, channel 1 = all 1. One filter: channel 0 all 1, channel 1 all 10, bias 0.5.
            var g = new FloatGraph();
            var x = g.AddTensor("x", new[] { 1, 3, 3, 2 });
            var w = g.AddTensor("w", new[] { 1, 3, 3, 2 }, Enumerable.Range(0, 18).Select(i => i % 2 == 0 ? 1f : 10f).ToArray());
            var b = g.AddTensor("b", new[] { 1 }, new[] { 0.5f });
            var y = g.AddTensor("y", new[] { 1, 3, 3, 1 });
            g.Ops.Add(new FOp { Kind = FloatOpKind.Conv2D, Inputs = new[] { x.Index, w.Index, b.Index }, Outputs = new[] { y.Index }, PadTop = 1, PadLeft = 1, PadBottom = 1, PadRight = 1 });
            g.Inputs.Add(new FBinding { Tensor = x.Index });
            g.Outputs.Add(new FBinding { Tensor = y.Index });
            var input = new float[18];
            for (int i = 0; i < 9; i++) { input[2 * i] = i + 1; input[2 * i + 1] = 1; }
            var o = RunSingle(g, input);
            // Centre: sum 1..9 = 45, plus 9 * 10 = 90, plus 0.5. Corner (0,0): 1+2+4+5 = 12, plus 4 * 10, plus 0.5.
            Assert.Equal(135.5f, o[4]);
            Assert.Equal(52.5f, o[0]);
            // Edge (0,1): 1+2+3+4+5+6 = 21 + 60 + 0.5.
            Assert.Equal(81.5f, o[1]);
        }

        [Fact]
        public void DepthwiseConv_MultiplierTwo_StrideTwo_WithRelu()
        {
            var g = new FloatGraph();
            var x = g.AddTensor("x", new[] { 1, 2, 2, 1 });
            // [1, 2, 2, 2] filter: output channel 0 weights all 1, channel 1 weights all -1.
            var w = g.AddTensor("w", new[] { 1, 2, 2, 2 }, new[] { 1f, -1f, 1f, -1f, 1f, -1f, 1f, -1f });
            var b = g.AddTensor("b", new[] { 2 }, new[] { 0f, 1f });
            var y = g.AddTensor("y", new[] { 1, 1, 1, 2 });
            g.Ops.Add(new FOp { Kind = FloatOpKind.DepthwiseConv2D, Inputs = new[] { x.Index, w.Index, b.Index }, Outputs = new[] { y.Index }, StrideH = 2, StrideW = 2, DepthMultiplier = 2, Activation = FusedActivation.Relu });
            g.Inputs.Add(new FBinding { Tensor = x.Index });
            g.Outputs.Add(new FBinding { Tensor = y.Index });
            var o = RunSingle(g, new[] { 1f, 2f, 3f, 4f });
            Assert.Equal(new[] { 10f, 0f }, o); // 10, and relu(-10 + 1)
        }

        [Fact]
        public void FullyConnected_RowsTimesWeightsPlusBias()
        {
            var g = new FloatGraph();
            var x = g.AddTensor("x", new[] { 2, 3 });
            var w = g.AddTensor("w", new[] { 2, 3 }, new[] { 1f, 0f, -1f, 0.5f, 0.5f, 0.5f });
            var b = g.AddTensor("b", new[] { 2 }, new[] { 1f, -1f });
            var y = g.AddTensor("y", new[] { 2, 2 });
            g.Ops.Add(new FOp { Kind = FloatOpKind.FullyConnected, Inputs = new[] { x.Index, w.Index, b.Index }, Outputs = new[] { y.Index } });
            g.Inputs.Add(new FBinding { Tensor = x.Index });
            g.Outputs.Add(new FBinding { Tensor = y.Index });
            var o = RunSingle(g, new[] { 1f, 2f, 3f, 4f, 5f, 6f });
            Assert.Equal(new[] { -1f, 2f, -1f, 6.5f }, o);
        }

        [Fact]
        public void AveragePool_ExcludesPaddingFromTheCount()
        {
            var (g, op) = Unary(FloatOpKind.AveragePool2D, new[] { 1, 2, 2, 1 }, new[] { 1, 2, 2, 1 });
            (op.FilterH, op.FilterW, op.PadBottom, op.PadRight) = (2, 2, 1, 1);
            var o = RunSingle(g, new[] { 1f, 2f, 3f, 4f });
            Assert.Equal(new[] { 2.5f, 3f, 3.5f, 4f }, o);
        }

        [Fact]
        public void MaxPool_IgnoresPadding()
        {
            var (g, op) = Unary(FloatOpKind.MaxPool2D, new[] { 1, 2, 2, 1 }, new[] { 1, 1, 1, 1 });
            (op.FilterH, op.FilterW, op.PadTop, op.PadLeft) = (2, 2, 1, 1);
            Assert.Equal(new[] { -1f }, RunSingle(g, new[] { -1f, -2f, -3f, -4f }));
        }

        [Fact]
        public void Softmax_IsNormalizedAndShiftInvariant()
        {
            var (g, _) = Unary(FloatOpKind.Softmax, new[] { 1, 3 }, new[] { 1, 3 });
            var o = RunSingle(g, new[] { 0f, MathF.Log(2), MathF.Log(3) });
            Assert.Equal(1f / 6, o[0], 6);
            Assert.Equal(2f / 6, o[1], 6);
            Assert.Equal(3f / 6, o[2], 6);
            var big = RunSingle(g, new[] { 1000f, 1000f + MathF.Log(2), 1000f + MathF.Log(3) });
            Assert.Equal(1f / 6, big[0], 3);
        }

        [Fact]
        public void Add_BroadcastsAChannelVector()
        {
            var g = new FloatGraph();
            var x = g.AddTensor("x", new[] { 1, 1, 2, 2 });
            var c = g.AddTensor("c", new[] { 2 }, new[] { 10f, 20f });
            var y = g.AddTensor("y", new[] { 1, 1, 2, 2 });
            g.Ops.Add(new FOp { Kind = FloatOpKind.Add, Inputs = new[] { x.Index, c.Index }, Outputs = new[] { y.Index } });
            g.Inputs.Add(new FBinding { Tensor = x.Index });
            g.Outputs.Add(new FBinding { Tensor = y.Index });
            Assert.Equal(new[] { 11f, 22f, 13f, 24f }, RunSingle(g, new[] { 1f, 2f, 3f, 4f }));
        }

        [Fact]
        public void Pad_Concat_LeakyRelu_Logistic_Tanh()
        {
            var (g, op) = Unary(FloatOpKind.Pad, new[] { 1, 1, 1, 2 }, new[] { 1, 2, 1, 3 });
            op.Paddings = new[] { 0, 0, 1, 0, 0, 0, 0, 1 };
            Assert.Equal(new[] { 0f, 0f, 0f, 5f, 6f, 0f }, RunSingle(g, new[] { 5f, 6f }));

            var (lr, lop) = Unary(FloatOpKind.LeakyRelu, new[] { 2 }, new[] { 2 });
            lop.Alpha = 0.1f;
            Assert.Equal(new[] { -0.5f, 3f }, RunSingle(lr, new[] { -5f, 3f }));
            var (lg, _) = Unary(FloatOpKind.Logistic, new[] { 1 }, new[] { 1 });
            Assert.Equal(0.5f, RunSingle(lg, new[] { 0f })[0]);
            var (th, _) = Unary(FloatOpKind.Tanh, new[] { 1 }, new[] { 1 });
            Assert.Equal(MathF.Tanh(0.5f), RunSingle(th, new[] { 0.5f })[0]);

            var cg = new FloatGraph();
            var a = cg.AddTensor("a", new[] { 1, 2 });
            var k = cg.AddTensor("k", new[] { 1, 1 }, new[] { 9f });
            var y = cg.AddTensor("y", new[] { 1, 3 });
            cg.Ops.Add(new FOp { Kind = FloatOpKind.Concatenation, Inputs = new[] { a.Index, k.Index }, Outputs = new[] { y.Index }, Axis = 1 });
            cg.Inputs.Add(new FBinding { Tensor = a.Index });
            cg.Outputs.Add(new FBinding { Tensor = y.Index });
            Assert.Equal(new[] { 1f, 2f, 9f }, RunSingle(cg, new[] { 1f, 2f }));
        }

        [Fact]
        public void Permute_MatchesNumpyTranspose()
        {
            // [2, 3] -> [3, 2]
            var t = FloatGraph.Permute(new[] { 1f, 2f, 3f, 4f, 5f, 6f }, new[] { 2, 3 }, new[] { 1, 0 });
            Assert.Equal(new[] { 1f, 4f, 2f, 5f, 3f, 6f }, t);
            // NCHW [1, 2, 1, 2] -> NHWC: channel values interleave.
            var n = FloatGraph.Permute(new[] { 1f, 2f, 10f, 20f }, new[] { 1, 2, 1, 2 }, new[] { 0, 2, 3, 1 });
            Assert.Equal(new[] { 1f, 10f, 2f, 20f }, n);
        }
    }
}
