using System;
using System.Collections.Generic;
using System.Linq;
using Mote.Packer.Float;
using Mote.Packer.Onnx;
using Mote.Packer.Quantization;
using Mote.Packer.Tests.Onnx;
using Xunit;

namespace Mote.Packer.Tests.OnnxImport
{
    /// <summary>
    /// ONNX → float graph: layout conversion, folding and fusion are checked against a second,
    /// independent implementation written here in ONNX's own NCHW layout.
    /// </summary>
    public class OnnxImporterTests
    {
        static float[] Random(int n, int seed, float scale = 1f)
        {
            var r = new System.Random(seed);
            return Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 2 - 1) * scale).ToArray();
        }

        // ------------------------------------------------------------------ NCHW oracle

        /// <summary>ONNX Conv semantics, NCHW, group 1 or depthwise, explicit pads [t, l, b, r].</summary>
        static float[] ConvNchw(float[] x, int c, int h, int w, float[] wt, int o, int k, float[] bias, int stride, int[] pads, int group, out int oh, out int ow)
        {
            oh = (h + pads[0] + pads[2] - k) / stride + 1;
            ow = (w + pads[1] + pads[3] - k) / stride + 1;
            int cpg = c / group, opg = o / group;
            var y = new float[o * oh * ow];
            for (int oc = 0; oc < o; oc++)
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++)
                    {
                        double acc = bias[oc];
                        int gidx = oc / opg;
                        for (int ic = 0; ic < cpg; ic++)
                            for (int ky = 0; ky < k; ky++)
                                for (int kx = 0; kx < k; kx++)
                                {
                                    int yy = i * stride - pads[0] + ky, xx = j * stride - pads[1] + kx;
                                    if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
                                    acc += x[((gidx * cpg + ic) * h + yy) * w + xx] * wt[((oc * cpg + ic) * k + ky) * k + kx];
                                }
                        y[(oc * oh + i) * ow + j] = (float)acc;
                    }
            return y;
        }

        static float[] Run(FloatGraph g, float[] onnxInput)
        {
            var fi = new FloatInterpreter(g);
            fi.Run(FloatGraph.ToGraphLayout(g.Inputs[0], onnxInput));
            var b = g.Outputs[0];
            return FloatGraph.ToSourceLayout(b, fi.Output(0), g.Tensors[b.Tensor].Shape);
        }

        static void Close(float[] expected, float[] actual, float tol = 1e-4f)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * (1 + Math.Abs(expected[i])), $"element {i}: expected {expected[i]}, got {actual[i]}");
        }

        /// <summary>Conv (asymmetric pads, stride 2) → BatchNorm → Relu → MaxPool → Flatten → Gemm, 3 input channels.</summary>
        static (OnnxBuilder b, Func<float[], float[]> oracle) ConvNet()
        {
            int c = 3, h = 7, w = 6, o = 4, k = 3;
            var wt = Random(o * c * k * k, 1);
            var bias = Random(o, 2);
            var gamma = Random(o, 3).Select(v => 1 + v / 2).ToArray();
            var beta = Random(o, 4);
            var mean = Random(o, 5);
            var variance = Random(o, 6).Select(v => 0.5f + Math.Abs(v)).ToArray();
            // Top 0 / bottom 1 is not TFLite SAME (which pads 1 on top here), so the quantizer must insert a PAD.
            int[] pads = { 0, 1, 1, 1 };
            // conv out: (7+1-3)/2+1 = 3 by (6+2-3)/2+1 = 3 -> pool 2x2 stride 1 -> 2x2 -> flatten 4*2*2 = 16 -> gemm 5
            const int flat = 16;
            var gw = Random(5 * flat, 7);
            var gb = Random(5, 8);
            var b = new OnnxBuilder()
                .Input("x", OnnxDataType.Float, 1, c, h, w)
                .Initializer("w", new[] { o, c, k, k }, wt).Initializer("b", new[] { o }, bias)
                .Initializer("gamma", new[] { o }, gamma).Initializer("beta", new[] { o }, beta)
                .Initializer("mean", new[] { o }, mean).Initializer("var", new[] { o }, variance)
                .Initializer("gw", new[] { 5, flat }, gw).Initializer("gb", new[] { 5 }, gb)
                .Node("Conv", new[] { "x", "w", "b" }, new[] { "conv" }, "conv1", ("kernel_shape", new long[] { 3, 3 }), ("strides", new long[] { 2, 2 }), ("pads", new long[] { 0, 1, 1, 1 }))
                .Node("BatchNormalization", new[] { "conv", "gamma", "beta", "mean", "var" }, new[] { "bn" }, "bn1", ("epsilon", 1e-3f))
                .Node("Relu", new[] { "bn" }, new[] { "relu" }, "relu1")
                .Node("MaxPool", new[] { "relu" }, new[] { "pool" }, "pool1", ("kernel_shape", new long[] { 2, 2 }))
                .Node("Flatten", new[] { "pool" }, new[] { "flat" }, "flat")
                .Node("Gemm", new[] { "flat", "gw", "gb" }, new[] { "y" }, "fc", ("transB", 1L))
                .Output("y", OnnxDataType.Float, 1, 5);
            float[] Oracle(float[] x)
            {
                var y = ConvNchw(x, c, h, w, wt, o, k, bias, 2, pads, 1, out int oh, out int ow);
                for (int ch = 0; ch < o; ch++)
                    for (int i = 0; i < oh * ow; i++)
                    {
                        ref float v = ref y[ch * oh * ow + i];
                        v = Math.Max(0, (v - mean[ch]) / MathF.Sqrt(variance[ch] + 1e-3f) * gamma[ch] + beta[ch]);
                    }
                int ph = oh - 1, pw = ow - 1;
                var pooled = new float[o * ph * pw];
                for (int ch = 0; ch < o; ch++)
                    for (int i = 0; i < ph; i++)
                        for (int j = 0; j < pw; j++)
                            pooled[(ch * ph + i) * pw + j] = new[] { y[(ch * oh + i) * ow + j], y[(ch * oh + i) * ow + j + 1], y[(ch * oh + i + 1) * ow + j], y[(ch * oh + i + 1) * ow + j + 1] }.Max();
                return Enumerable.Range(0, 5).Select(r => gb[r] + Enumerable.Range(0, flat).Sum(kk => gw[r * flat + kk] * pooled[kk])).ToArray();
            }
            return (b, Oracle);
        }

        [Fact]
        public void ConvBnReluPoolFlattenGemm_MatchesTheNchwOracle()
        {
            var (b, oracle) = ConvNet();
            var g = OnnxImporter.Import(b.Parse("convnet.onnx"));
            // BN folded into the conv, Relu fused: conv, pool, reshape, fc.
            Assert.Equal(new[] { FloatOpKind.Conv2D, FloatOpKind.MaxPool2D, FloatOpKind.Reshape, FloatOpKind.FullyConnected }, g.Ops.Select(o => o.Kind));
            Assert.Equal(FusedActivation.Relu, g.Ops[0].Activation);
            Assert.Equal(new[] { 0, 2, 3, 1 }, g.Inputs[0].Permutation);
            for (int seed = 10; seed < 15; seed++)
            {
                var x = Random(3 * 7 * 6, seed, 2);
                Close(oracle(x), Run(g, x));
            }
        }

        [Fact]
        public void ConvNet_QuantizesWithAPadOpForNonSamePadding_AndStaysCloseToFloat()
        {
            var (b, oracle) = ConvNet();
            var g = OnnxImporter.Import(b.Parse("convnet.onnx"));
            var calib = Enumerable.Range(0, 40).Select(s => new[] { FloatGraph.ToGraphLayout(g.Inputs[0], Random(126, 100 + s, 2)) }).ToList();
            var q = PostTrainingQuantizer.Run(g, calib, new QuantizeOptions { Method = RangeMethod.MinMax }, 0);
            Assert.Contains(q.Pack.Graph.Operators, op => op.SourceName == "PAD");
            var runner = new Int8Runner(g, q.Quantized, q.Pack);
            var err = new ErrorStats();
            for (int s = 0; s < 20; s++)
            {
                var x = Random(126, 500 + s, 2);
                err.Add(oracle(x), runner.Run(new[] { FloatGraph.ToGraphLayout(g.Inputs[0], x) })[0]);
            }
            Assert.True(err.SqnrDb > 25, $"int8 vs float SQNR {err.SqnrDb:F1} dB");
        }

        [Fact]
        public void Conv1D_DepthwiseAndGlobalPool_MatchTheOracle()
        {
            // x [1, 2, 9] -> depthwise Conv1d k3 pad 1 (group 2, 2 outputs) -> Conv1d 1x1 to 3 -> GlobalAveragePool -> Flatten.
            var dw = Random(2 * 1 * 3, 20);
            var pw = Random(3 * 2 * 1, 21);
            var b = new OnnxBuilder()
                .Input("x", OnnxDataType.Float, 1, 2, 9)
                .Initializer("dw", new[] { 2, 1, 3 }, dw)
                .Initializer("pw", new[] { 3, 2, 1 }, pw)
                .Node("Conv", new[] { "x", "dw" }, new[] { "a" }, "dw", ("group", 2L), ("pads", new long[] { 1, 1 }), ("kernel_shape", new long[] { 3 }))
                .Node("Conv", new[] { "a", "pw" }, new[] { "c" }, "pw")
                .Node("GlobalAveragePool", new[] { "c" }, new[] { "gp" }, "gap")
                .Node("Flatten", new[] { "gp" }, new[] { "y" }, "flat")
                .Output("y", OnnxDataType.Float, 1, 3);
            var g = OnnxImporter.Import(b.Parse("conv1d.onnx"));
            Assert.Equal(FloatOpKind.DepthwiseConv2D, g.Ops[0].Kind);
            Assert.Equal(new[] { 1, 1, 9, 2 }, g.Tensors[g.Inputs[0].Tensor].Shape);
            var x = Random(18, 22);
            // 1-D depthwise by hand.
            var a = new float[18];
            for (int ch = 0; ch < 2; ch++)
                for (int i = 0; i < 9; i++)
                    for (int t = 0; t < 3; t++)
                    {
                        int j = i - 1 + t;
                        if (j >= 0 && j < 9) a[ch * 9 + i] += x[ch * 9 + j] * dw[ch * 3 + t];
                    }
            var expected = Enumerable.Range(0, 3).Select(o => Enumerable.Range(0, 9).Average(i => pw[o * 2] * a[i] + pw[o * 2 + 1] * a[9 + i])).Select(v => (float)v).ToArray();
            Close(expected, Run(g, x));
        }

        [Fact]
        public void StandaloneBatchNorm_BecomesADepthwiseScale_AndMatMulTransposesWeights()
        {
            var b = new OnnxBuilder()
                .Input("x", OnnxDataType.Float, 1, 2, 1, 1)
                .Initializer("gamma", new[] { 2 }, new[] { 2f, 3f }).Initializer("beta", new[] { 2 }, new[] { 1f, -1f })
                .Initializer("mean", new[] { 2 }, new[] { 0.5f, 0f }).Initializer("var", new[] { 2 }, new[] { 1f, 4f })
                .Initializer("m", new[] { 2, 3 }, new[] { 1f, 2f, 3f, 4f, 5f, 6f })
                .Initializer("shape", new[] { 2 }, new long[] { 1, 2 })
                .Node("BatchNormalization", new[] { "x", "gamma", "beta", "mean", "var" }, new[] { "bn" }, "bn", ("epsilon", 0f))
                .Node("Reshape", new[] { "bn", "shape" }, new[] { "r" }, "reshape")
                .Node("MatMul", new[] { "r", "m" }, new[] { "y" }, "mm")
                .Output("y", OnnxDataType.Float, 1, 3);
            var g = OnnxImporter.Import(b.Parse("bn.onnx"));
            Assert.Equal(FloatOpKind.DepthwiseConv2D, g.Ops[0].Kind);
            // bn = [(1 - 0.5) / 1 * 2 + 1, (2 - 0) / 2 * 3 - 1] = [2, 2]; y = [2*1 + 2*4, 2*2 + 2*5, 2*3 + 2*6]
            Close(new[] { 10f, 14f, 18f }, Run(g, new[] { 1f, 2f }));
        }

        [Fact]
        public void SubAndDivByConstants_BecomeAddAndMul_InChannelsLastLayout()
        {
            var b = new OnnxBuilder()
                .Input("x", OnnxDataType.Float, 1, 2, 1, 2)
                .Initializer("m", new[] { 2, 1, 1 }, new[] { 1f, 10f })
                .Initializer("d", Array.Empty<int>(), new[] { 2f })
                .Node("Sub", new[] { "x", "m" }, new[] { "s" }, "sub")
                .Node("Div", new[] { "s", "d" }, new[] { "y" }, "div")
                .Output("y", OnnxDataType.Float, 1, 2, 1, 2);
            var g = OnnxImporter.Import(b.Parse("sub.onnx"));
            Assert.Equal(new[] { FloatOpKind.Add, FloatOpKind.Mul }, g.Ops.Select(o => o.Kind));
            Close(new[] { 0f, 0.5f, 5f, 10f }, Run(g, new[] { 1f, 2f, 20f, 30f }));
        }

        [Fact]
        public void ShapeArithmetic_IsFoldedToAConstantReshape()
        {
            // The pattern older exporters emit for x.view(x.size(0), -1).
            var b = new OnnxBuilder()
                .Input("x", OnnxDataType.Float, 1, 1, 2, 2)
                .Scalar("zero", 0L).Initializer("minus1", new[] { 1 }, new long[] { -1 })
                .Node("Shape", new[] { "x" }, new[] { "shape" }, "shape")
                .Node("Gather", new[] { "shape", "zero" }, new[] { "n" }, "gather", ("axis", 0L))
                .Node("Unsqueeze", new[] { "n", "axes0" }, new[] { "n1" }, "unsq")
                .Initializer("axes0", new[] { 1 }, new long[] { 0 })
                .Node("Concat", new[] { "n1", "minus1" }, new[] { "target" }, "cat", ("axis", 0L))
                .Node("Reshape", new[] { "x", "target" }, new[] { "y" }, "reshape")
                .Output("y", OnnxDataType.Float, 1, 4);
            var g = OnnxImporter.Import(b.Parse("view.onnx"));
            Assert.Single(g.Ops);
            Assert.Equal(new[] { 1, 4 }, g.Tensors[g.Outputs[0].Tensor].Shape);
        }

        [Fact]
        public void Qdq_ScalesAreKept_AndWeightsKeepTheirIntegers()
        {
            var w = new sbyte[] { 10, -20, 30, -40 };
            var b = new OnnxBuilder()
                .Input("x", OnnxDataType.Float, 1, 2)
                .Scalar("xs", 0.05f).Initializer("xz", Array.Empty<int>(), new sbyte[] { 3 })
                .Initializer("wq", new[] { 2, 2 }, w).Initializer("ws", new[] { 2 }, new[] { 0.01f, 0.02f }).Initializer("wz", new[] { 2 }, new sbyte[] { 0, 0 })
                .Scalar("ys", 0.1f).Initializer("yz", Array.Empty<int>(), new byte[] { 128 })
                .Node("QuantizeLinear", new[] { "x", "xs", "xz" }, new[] { "xq" }, "q0")
                .Node("DequantizeLinear", new[] { "xq", "xs", "xz" }, new[] { "xd" }, "dq0")
                .Node("DequantizeLinear", new[] { "wq", "ws", "wz" }, new[] { "wd" }, "dqw", ("axis", 0L))
                .Node("Gemm", new[] { "xd", "wd" }, new[] { "fc" }, "fc", ("transB", 1L))
                .Node("QuantizeLinear", new[] { "fc", "ys", "yz" }, new[] { "fcq" }, "q1")
                .Node("DequantizeLinear", new[] { "fcq", "ys", "yz" }, new[] { "y" }, "dq1")
                .Output("y", OnnxDataType.Float, 1, 2);
            var g = OnnxImporter.Import(b.Parse("qdq.onnx"));
            Assert.True(g.IsQdq);
            Assert.Single(g.Ops);
            var q = PostTrainingQuantizer.Run(g, null, new QuantizeOptions(), 0);
            var input = q.Pack.Model.GetInput(0);
            Assert.Equal(0.05f, input.Scale);
            Assert.Equal(3, input.ZeroPoint);
            var output = q.Pack.Model.GetOutput(0);
            Assert.Equal(0.1f, output.Scale);
            Assert.Equal(0, output.ZeroPoint); // uint8 zero point 128 is int8 zero point 0
            var weights = q.Pack.Graph.Tensors.Single(t => t.Name == "wd");
            Assert.Equal(w.Select(v => (byte)v).ToArray(), weights.Data);
            Assert.Equal(new[] { 0.01f, 0.02f }, weights.Scales);
            // x = [0.5, -0.25] -> q [13, -2], minus zero point 3: [10, -5]. Accumulators: 10*10 + -5*-20 = 200 and
            // 10*30 + -5*-40 = 500; times 0.05 * scale_c / 0.1: 200 * 0.005 = 1 and 500 * 0.01 = 5 -> 0.1 and 0.5.
            var runner = new Int8Runner(g, q.Quantized, q.Pack);
            var y = runner.Run(new[] { new[] { 0.5f, -0.25f } })[0];
            Assert.Equal(0.1f, y[0], 5);
            Assert.Equal(0.5f, y[1], 5);
        }

        /// <summary>Every other ONNX op the importer maps, quantized and run on the int8 runtime, close to float.</summary>
        [Fact]
        public void ActivationsMulConcatPadSoftmax_QuantizeAndRunCloseToFloat()
        {
            // x [1,4,3,3] -> Conv 1x1 -> branches: Sigmoid, Tanh, LeakyRelu, Mul -> (MaxPool, Clip(0,6))
            // -> Concat(axis 1) -> Pad(1 pixel) -> GlobalAveragePool -> Flatten -> Gemm -> Softmax
            var b = new OnnxBuilder()
                .Input("x", OnnxDataType.Float, 1, 4, 3, 3)
                .Initializer("w", new[] { 4, 4, 1, 1 }, Random(16, 30)).Initializer("wb", new[] { 4 }, Random(4, 31))
                .Initializer("k", new[] { 1, 4, 1, 1 }, new[] { 0.5f, 2f, -1f, 1.5f })
                .Initializer("pads", new[] { 8 }, new long[] { 0, 0, 1, 1, 0, 0, 1, 1 })
                .Scalar("lo", 0f).Scalar("hi", 6f)
                .Initializer("gw", new[] { 3, 20 }, Random(60, 32)).Initializer("gb", new[] { 3 }, Random(3, 33))
                .Node("Conv", new[] { "x", "w", "wb" }, new[] { "c" }, "conv")
                .Node("Sigmoid", new[] { "c" }, new[] { "s" }, "sig")
                .Node("Tanh", new[] { "c" }, new[] { "t" }, "tanh")
                .Node("LeakyRelu", new[] { "c" }, new[] { "l" }, "leaky", ("alpha", 0.2f))
                .Node("Mul", new[] { "c", "k" }, new[] { "m" }, "mul")
                .Node("MaxPool", new[] { "m" }, new[] { "mp" }, "pool", ("kernel_shape", new long[] { 1, 1 }))
                .Node("Clip", new[] { "m", "lo", "hi" }, new[] { "r6" }, "relu6") // m has two readers: not fused, a RELU6 op
                .Node("Concat", new[] { "s", "t", "l", "r6", "mp" }, new[] { "cat" }, "cat", ("axis", 1L))
                .Node("Pad", new[] { "cat", "pads" }, new[] { "p" }, "pad")
                .Node("GlobalAveragePool", new[] { "p" }, new[] { "gap" }, "gap")
                .Node("Flatten", new[] { "gap" }, new[] { "f" }, "flat")
                .Node("Gemm", new[] { "f", "gw", "gb" }, new[] { "logits" }, "fc", ("transB", 1L))
                .Node("Softmax", new[] { "logits" }, new[] { "y" }, "softmax", ("axis", 1L))
                .Output("y", OnnxDataType.Float, 1, 3);
            var g = OnnxImporter.Import(b.Parse("ops.onnx"));
            var kinds = g.Ops.Select(o => o.Kind).ToHashSet();
            foreach (var k in new[] { FloatOpKind.Logistic, FloatOpKind.Tanh, FloatOpKind.LeakyRelu, FloatOpKind.Mul, FloatOpKind.Relu6, FloatOpKind.Concatenation, FloatOpKind.Pad, FloatOpKind.Softmax })
                Assert.Contains(k, kinds);
            var calib = Enumerable.Range(0, 48).Select(s => new[] { FloatGraph.ToGraphLayout(g.Inputs[0], Random(36, 700 + s, 2)) }).ToList();
            var q = PostTrainingQuantizer.Run(g, calib, new QuantizeOptions(), 0);
            var runtimeOps = q.Pack.Graph.Operators.Select(o => o.SourceName).ToHashSet();
            // QUANTIZE: the LOGISTIC and TANH outputs keep their fixed scales and are requantized onto the concatenation.
            foreach (var name in new[] { "LOGISTIC", "TANH", "LEAKY_RELU", "MUL", "RELU6", "CONCATENATION", "PAD", "SOFTMAX", "QUANTIZE" })
                Assert.Contains(name, runtimeOps);
            var report = Evaluator.Evaluate(q, Enumerable.Range(0, 20).Select(s => new[] { FloatGraph.ToGraphLayout(g.Inputs[0], Random(36, 900 + s, 2)) }).ToList(), null, null);
            foreach (var l in report.Layers)
                Assert.True(l.Error.SqnrDb > 20, $"{l.Op.Name} {l.Output.Name}: {l.Error.SqnrDb:F1} dB");
        }

        // ------------------------------------------------------------------ errors

        static PackException Fails(OnnxBuilder b) => Assert.Throws<PackException>(() => OnnxImporter.Import(b.Parse("bad.onnx")));

        [Fact]
        public void UnsupportedOps_AreAllListedWithNodeNames()
        {
            var e = Fails(new OnnxBuilder()
                .Input("x", OnnxDataType.Float, 1, 4)
                .Node("Relu", new[] { "x" }, new[] { "a" }, "ok")
                .Node("LSTM", new[] { "a" }, new[] { "b" }, "rnn")
                .Node("Resize", new[] { "b" }, new[] { "y" }, "up")
                .Output("y", OnnxDataType.Float, 1, 4));
            Assert.Contains("bad.onnx", e.Message);
            Assert.Contains("2 node(s)", e.Message);
            Assert.Contains("'rnn' (LSTM)", e.Message);
            Assert.Contains("'up' (Resize)", e.Message);
            Assert.Contains("Supported:", e.Message);
        }

        [Fact]
        public void MissingInitializer_NamesTheNodeAndInput()
        {
            var e = Fails(new OnnxBuilder()
                .Input("x", OnnxDataType.Float, 1, 1, 4, 4)
                .Node("Conv", new[] { "x", "weights_gone" }, new[] { "y" }, "conv1", ("kernel_shape", new long[] { 3, 3 }))
                .Output("y", OnnxDataType.Float, 1, 1, 2, 2));
            Assert.Contains("'conv1' (Conv)", e.Message);
            Assert.Contains("weights_gone", e.Message);
            Assert.Contains("missing initializer", e.Message);
        }

        [Theory]
        [InlineData("clip")]
        [InlineData("group")]
        [InlineData("dynamic")]
        [InlineData("flat-output")]
        [InlineData("runtime-weights")]
        [InlineData("ceil")]
        public void UnsupportedConfigurations_AreClearErrors(string kind)
        {
            var b = new OnnxBuilder();
            string expect;
            switch (kind)
            {
                case "clip":
                    b.Input("x", OnnxDataType.Float, 1, 4).Scalar("lo", 0f).Scalar("hi", 3f)
                        .Node("Clip", new[] { "x", "lo", "hi" }, new[] { "y" }, "clip3").Output("y", OnnxDataType.Float, 1, 4);
                    expect = "Clip to [0, 3]";
                    break;
                case "group":
                    b.Input("x", OnnxDataType.Float, 1, 4, 3, 3).Initializer("w", new[] { 4, 2, 1, 1 }, new float[8])
                        .Node("Conv", new[] { "x", "w" }, new[] { "y" }, "g2", ("group", 2L)).Output("y", OnnxDataType.Float, 1, 4, 3, 3);
                    expect = "group 2";
                    break;
                case "dynamic":
                    b.InputSymbolic("x", OnnxDataType.Float, 1, "width").Node("Relu", new[] { "x" }, new[] { "y" }, "r").Output("y", OnnxDataType.Float, 1, 4);
                    expect = "'width'";
                    break;
                case "flat-output":
                    b.Input("x", OnnxDataType.Float, 1, 2, 2, 2).Node("Flatten", new[] { "x" }, new[] { "y" }, "f").Output("y", OnnxDataType.Float, 1, 8);
                    expect = "flattened channels-first map";
                    break;
                case "runtime-weights":
                    b.Input("x", OnnxDataType.Float, 1, 4).Input("w", OnnxDataType.Float, 4, 4)
                        .Node("MatMul", new[] { "x", "w" }, new[] { "y" }, "mm").Output("y", OnnxDataType.Float, 1, 4);
                    expect = "must be a constant";
                    break;
                default:
                    b.Input("x", OnnxDataType.Float, 1, 1, 5, 5)
                        .Node("MaxPool", new[] { "x" }, new[] { "y" }, "p", ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 }), ("ceil_mode", 1L))
                        .Output("y", OnnxDataType.Float, 1, 1, 3, 3);
                    expect = "ceil_mode";
                    break;
            }
            var e = Fails(b);
            Assert.Contains(expect, e.Message);
            Assert.StartsWith("bad.onnx", e.Message);
        }

        [Fact]
        public void FloatModelWithoutCalibration_SaysWhatToGive()
        {
            var (b, _) = ConvNet();
            var g = OnnxImporter.Import(b.Parse("convnet.onnx"));
            var e = Assert.Throws<PackException>(() => PostTrainingQuantizer.Run(g, null, new QuantizeOptions(), 0));
            Assert.Contains("--calibration", e.Message);
        }
    }
}
