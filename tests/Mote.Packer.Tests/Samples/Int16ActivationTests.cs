using System;
using System.Collections.Generic;
using System.Linq;
using Mote.Packer.Data;
using Mote.Packer.Float;
using Mote.Packer.Quantization;
using Mote.Runtime.Format;
using Xunit;
using Xunit.Abstractions;

namespace Mote.Packer.Tests.Samples
{
    /// <summary>
    /// The quantizer's int16 activation modes: the repository's samples packed with int16 activations
    /// and run on their held-out data (end metric and per-layer error against the float interpreter,
    /// an independent oracle), and the auto mode on a graph built so that int8 clearly loses.
    /// </summary>
    public class Int16ActivationTests
    {
        readonly ITestOutputHelper log;

        public Int16ActivationTests(ITestOutputHelper log) => this.log = log;

        static (QuantizeResult q, EvalReport r) Run(string name, ActivationMode mode)
        {
            var m = SampleManifest.Load(PreparedSample.Dir(name));
            var g = Packer.ImportOnnx(m.PathOf(m.Model));
            var calib = SampleLoader.Load(g, m.PathOf(m.Calibration));
            var q = Packer.PackOnnx(g, calib, new QuantizeOptions { Activations = mode }, 0);
            var test = SampleLoader.Load(g, m.PathOf(m.TestInputs));
            var labels = Npy.Load(m.PathOf(m.TestLabels)).AsInts(m.TestLabels);
            return (q, Evaluator.Evaluate(q, test, labels, m.Metric));
        }

        [Theory]
        [InlineData("digits")]
        [InlineData("ecg")]
        public void Sample_Int16Activations_KeepTheMetricAndLowerEveryLayersError(string name)
        {
            var (q8, r8) = Run(name, ActivationMode.Int8);
            var (q16, r16) = Run(name, ActivationMode.Int16);
            log.WriteLine($"{name}: {r8.Metric} int8 {r8.Int8Metric:F4}, int16 {r16.Int8Metric:F4}; output SQNR {r8.OutputError.SqnrDb:F1} -> {r16.OutputError.SqnrDb:F1} dB; "
                + $"blob {q8.Pack.Blob.Length} -> {q16.Pack.Blob.Length} B, arena {q8.Pack.Model.ArenaBytes} -> {q16.Pack.Model.ArenaBytes} B");

            // Every activation of these models (conv, pooling, reshape, FC outputs and the input) is int16.
            Assert.Equal(q16.Float.Tensors.Count(t => !t.IsConstant), q16.Int16Tensors.Count);
            var model = q16.Pack.Model;
            Assert.Contains(Enumerable.Range(0, model.OperatorCount), i => model.GetOperator(i).Name == "FULLY_CONNECTED"
                && model.GetTensor(model.GetOperator(i).Outputs[0]).DataType == DataType.Int16);
            Assert.Equal(DataType.Int8, model.GetInput(0).DataType); // the interface stays int8

            // End metric: at most 2 points below int8 (one or two of the held-out samples).
            Assert.True(r16.Int8Metric >= r8.Int8Metric - 0.02, $"int16 {r16.Int8Metric} vs int8 {r8.Int8Metric}");
            // Each layer's dequantized output is closer to the float interpreter's than int8's.
            Assert.Equal(r8.Layers.Count, r16.Layers.Count);
            for (int i = 0; i < r8.Layers.Count; i++)
            {
                log.WriteLine($"  {r8.Layers[i].Output.Name}: {r8.Layers[i].Error.SqnrDb:F1} -> {r16.Layers[i].Error.SqnrDb:F1} dB");
                Assert.True(r16.Layers[i].Error.SqnrDb > r8.Layers[i].Error.SqnrDb + 0.5,
                    $"layer {r8.Layers[i].Output.Name}: int16 {r16.Layers[i].Error.SqnrDb:F2} dB vs int8 {r8.Layers[i].Error.SqnrDb:F2} dB");
            }
            Assert.True(r16.OutputError.SqnrDb > r8.OutputError.SqnrDb);
        }

        /// <summary>
        /// x [1,8] → FC → h [1,8] → FC → y [1,2], where channel 7 of h is 100·x0 and the rest is about
        /// ±0.5, and the second FC ignores channel 7: int8 must stretch h's scale over ±100 (step 0.8), which
        /// wipes out the channels y depends on. int16 (step 0.003) keeps them. Auto must move h to int16.
        /// </summary>
        static (FloatGraph g, List<float[][]> calib) BadlyScaled(float outlierGain)
        {
            var rng = new Random(7);
            var g = new FloatGraph { SourceName = "badly-scaled" };
            var x = g.AddTensor("x", new[] { 1, 8 });
            var w1 = new float[64];
            for (int c = 0; c < 7; c++) for (int k = 0; k < 8; k++) w1[c * 8 + k] = (float)(rng.NextDouble() * 0.4 - 0.2);
            w1[7 * 8 + 0] = outlierGain;
            var w1t = g.AddTensor("w1", new[] { 8, 8 }, w1);
            var b1 = g.AddTensor("b1", new[] { 8 }, new float[8]);
            var h = g.AddTensor("h", new[] { 1, 8 });
            var w2 = new float[16];
            for (int c = 0; c < 2; c++) for (int k = 0; k < 7; k++) w2[c * 8 + k] = (float)(rng.NextDouble() * 2 - 1);
            var w2t = g.AddTensor("w2", new[] { 2, 8 }, w2);
            var b2 = g.AddTensor("b2", new[] { 2 }, new float[2]);
            var y = g.AddTensor("y", new[] { 1, 2 });
            g.Ops.Add(new FOp { Kind = FloatOpKind.FullyConnected, Inputs = new[] { x.Index, w1t.Index, b1.Index }, Outputs = new[] { h.Index } });
            g.Ops.Add(new FOp { Kind = FloatOpKind.FullyConnected, Inputs = new[] { h.Index, w2t.Index, b2.Index }, Outputs = new[] { y.Index } });
            g.Inputs.Add(new FBinding { Tensor = x.Index, SourceName = "x", SourceShape = new[] { 1, 8 } });
            g.Outputs.Add(new FBinding { Tensor = y.Index, SourceName = "y", SourceShape = new[] { 1, 2 } });
            var calib = new List<float[][]>();
            for (int s = 0; s < 64; s++) calib.Add(new[] { Enumerable.Range(0, 8).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray() });
            return (g, calib);
        }

        [Fact]
        public void Auto_MovesTheBadlyScaledLayerToInt16_AndSaysWhy()
        {
            var (g, calib) = BadlyScaled(100f);
            var int8 = PostTrainingQuantizer.Run(g, calib, new QuantizeOptions { Method = RangeMethod.MinMax }, 0);
            var auto = PostTrainingQuantizer.Run(g, calib, new QuantizeOptions { Method = RangeMethod.MinMax, Activations = ActivationMode.Auto }, 0);
            foreach (var c in auto.Int16Choices)
                log.WriteLine($"{string.Join(",", c.Tensors)}: layer {c.Layer} {c.LayerDbBefore:F1} -> {c.LayerDbAfter:F1} dB, output {c.OutputDbBefore:F1} -> {c.OutputDbAfter:F1} dB, accepted {c.Accepted}");
            log.WriteLine($"int8 output SQNR {int8.ScoreDb:F1} dB, auto {auto.ScoreDb:F1} dB");

            // int8 clearly loses here ...
            Assert.True(int8.ScoreDb < 20, $"int8 output SQNR {int8.ScoreDb:F1} dB: the graph is not badly scaled enough");
            Assert.Empty(int8.Int16Tensors);
            // ... and auto's first (accepted) move puts h (with the FC reading it) in int16, with measured gains.
            var first = auto.Int16Choices[0];
            Assert.True(first.Accepted);
            Assert.Contains("h", first.Tensors);
            Assert.Equal(first.OutputDbBefore, int8.ScoreDb, 6);
            Assert.True(first.OutputDbAfter > first.OutputDbBefore + 15, $"{first.OutputDbBefore:F1} -> {first.OutputDbAfter:F1} dB");
            Assert.Contains("h", auto.Int16Tensors);
            Assert.Equal(auto.ScoreDb, auto.Int16Choices.Where(c => c.Accepted).Last().OutputDbAfter, 6);
            // The search ends with a rejected move or with no layer output left in int8 (here: h and y
            // moved together, the input is no layer output).
            Assert.True(!auto.Int16Choices.Last().Accepted || g.Ops.All(op => auto.Int16Tensors.Contains(g.Tensors[op.Outputs[0]].Name)));

            // Independent check on fresh inputs: the auto model's output against the float interpreter.
            var rng = new Random(99);
            var fi = new FloatInterpreter(g);
            ErrorStats e8 = new(), eAuto = new();
            var r8 = new Int8Runner(g, int8.Quantized, int8.Pack);
            var rA = new Int8Runner(g, auto.Quantized, auto.Pack);
            for (int s = 0; s < 50; s++)
            {
                var x = new[] { Enumerable.Range(0, 8).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray() };
                fi.Run(x);
                e8.Add(fi.Values[g.Outputs[0].Tensor], r8.Run(x)[0]);
                eAuto.Add(fi.Values[g.Outputs[0].Tensor], rA.Run(x)[0]);
            }
            Assert.True(eAuto.SqnrDb > e8.SqnrDb + 15, $"held-out: int8 {e8.SqnrDb:F1} dB, auto {eAuto.SqnrDb:F1} dB");
        }

        /// <summary>
        /// x [1,4,4,2] → DEPTHWISE_CONV_2D 3x3 SAME + RELU → h → RESHAPE → r [1,32] → SOFTMAX → s. In int16
        /// mode h and r are int16 (16x8 depthwise), SOFTMAX's output stays int8 (fixed 1/256, -128) and a
        /// QUANTIZE int16 → int8 feeds it; with --io int8 the input goes through QUANTIZE int8 → int16.
        /// </summary>
        [Fact]
        public void Int16Mode_DepthwiseIntoSoftmax_ConvertsAtTheInt8Boundary()
        {
            var rng = new Random(11);
            var g = new FloatGraph { SourceName = "dw-softmax" };
            var x = g.AddTensor("x", new[] { 1, 4, 4, 2 });
            var w = g.AddTensor("w", new[] { 1, 3, 3, 2 }, Enumerable.Range(0, 18).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray());
            var b = g.AddTensor("b", new[] { 2 }, new[] { 0.1f, -0.05f });
            var h = g.AddTensor("h", new[] { 1, 4, 4, 2 });
            var r = g.AddTensor("r", new[] { 1, 32 });
            var sm = g.AddTensor("s", new[] { 1, 32 });
            g.Ops.Add(new FOp { Kind = FloatOpKind.DepthwiseConv2D, Inputs = new[] { x.Index, w.Index, b.Index }, Outputs = new[] { h.Index },
                PadTop = 1, PadLeft = 1, PadBottom = 1, PadRight = 1, Activation = FusedActivation.Relu });
            g.Ops.Add(new FOp { Kind = FloatOpKind.Reshape, Inputs = new[] { h.Index }, Outputs = new[] { r.Index } });
            g.Ops.Add(new FOp { Kind = FloatOpKind.Softmax, Inputs = new[] { r.Index }, Outputs = new[] { sm.Index } });
            g.Inputs.Add(new FBinding { Tensor = x.Index, SourceName = "x", SourceShape = new[] { 1, 4, 4, 2 } });
            g.Outputs.Add(new FBinding { Tensor = sm.Index, SourceName = "s", SourceShape = new[] { 1, 32 } });
            var calib = new List<float[][]>();
            for (int k = 0; k < 32; k++) calib.Add(new[] { Enumerable.Range(0, 32).Select(_ => (float)(rng.NextDouble() * 8 - 4)).ToArray() });

            var q8 = PostTrainingQuantizer.Run(g, calib, new QuantizeOptions { Method = RangeMethod.MinMax }, 0);
            var q16 = PostTrainingQuantizer.Run(g, calib, new QuantizeOptions { Activations = ActivationMode.Int16 }, 0);
            var m = q16.Pack.Model;
            var ops = Enumerable.Range(0, m.OperatorCount).Select(i => m.GetOperator(i)).ToList();
            Assert.Equal(new[] { "QUANTIZE", "DEPTHWISE_CONV_2D", "RESHAPE", "QUANTIZE", "SOFTMAX" }, ops.Select(o => o.Name));
            Assert.Equal(DataType.Int8, m.GetTensor(ops[0].Inputs[0]).DataType);
            Assert.Equal(DataType.Int16, m.GetTensor(ops[1].Outputs[0]).DataType);
            Assert.Equal(DataType.Int16, m.GetTensor(ops[3].Inputs[0]).DataType);
            Assert.Equal(DataType.Int8, m.GetTensor(ops[3].Outputs[0]).DataType);
            Assert.Equal(new[] { "x", "h", "r" }, q16.Int16Tensors);

            // h against the float interpreter: int16 beats int8 by a wide margin (only the depthwise layer
            // and the int8 input quantization stand between them).
            var e8 = Evaluator.Evaluate(q8, calib, null, null);
            var e16 = Evaluator.Evaluate(q16, calib, null, null);
            double h8 = e8.Layers[0].Error.SqnrDb, h16 = e16.Layers[0].Error.SqnrDb;
            log.WriteLine($"h: int8 {h8:F1} dB, int16 {h16:F1} dB; softmax output {e8.OutputError.SqnrDb:F1} / {e16.OutputError.SqnrDb:F1} dB");
            Assert.True(h16 > h8 + 3, $"h: int8 {h8:F1} dB, int16 {h16:F1} dB");
            Assert.True(e16.OutputError.SqnrDb > 20, $"softmax output {e16.OutputError.SqnrDb:F1} dB");
        }

        /// <summary>
        /// x [1,8] → FC → h; a = h + c (constant); l = LEAKY_RELU(a); y = l × h. In int16 mode every
        /// activation is int16 (TFLM's int16 ADD, LEAKY_RELU and MUL), the constant is symmetric int16,
        /// and only the int8 interface adds QUANTIZE ops; every layer beats int8 against float.
        /// </summary>
        [Fact]
        public void Int16Mode_AddLeakyReluMul_StayInt16()
        {
            var rng = new Random(5);
            var g = new FloatGraph { SourceName = "elementwise" };
            var x = g.AddTensor("x", new[] { 1, 8 });
            var w = g.AddTensor("w", new[] { 8, 8 }, Enumerable.Range(0, 64).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray());
            var bias = g.AddTensor("b", new[] { 8 }, new float[8]);
            var h = g.AddTensor("h", new[] { 1, 8 });
            var c = g.AddTensor("c", new[] { 8 }, Enumerable.Range(0, 8).Select(k => k * 0.25f - 1).ToArray());
            var a = g.AddTensor("a", new[] { 1, 8 });
            var l = g.AddTensor("l", new[] { 1, 8 });
            var y = g.AddTensor("y", new[] { 1, 8 });
            g.Ops.Add(new FOp { Kind = FloatOpKind.FullyConnected, Inputs = new[] { x.Index, w.Index, bias.Index }, Outputs = new[] { h.Index } });
            g.Ops.Add(new FOp { Kind = FloatOpKind.Add, Inputs = new[] { h.Index, c.Index }, Outputs = new[] { a.Index } });
            g.Ops.Add(new FOp { Kind = FloatOpKind.LeakyRelu, Inputs = new[] { a.Index }, Outputs = new[] { l.Index }, Alpha = 0.1f });
            g.Ops.Add(new FOp { Kind = FloatOpKind.Mul, Inputs = new[] { l.Index, h.Index }, Outputs = new[] { y.Index } });
            g.Inputs.Add(new FBinding { Tensor = x.Index, SourceName = "x", SourceShape = new[] { 1, 8 } });
            g.Outputs.Add(new FBinding { Tensor = y.Index, SourceName = "y", SourceShape = new[] { 1, 8 } });
            var calib = new List<float[][]>();
            for (int k = 0; k < 48; k++) calib.Add(new[] { Enumerable.Range(0, 8).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray() });

            var q8 = PostTrainingQuantizer.Run(g, calib, new QuantizeOptions { Method = RangeMethod.MinMax }, 0);
            var q16 = PostTrainingQuantizer.Run(g, calib, new QuantizeOptions { Activations = ActivationMode.Int16 }, 0);
            var m = q16.Pack.Model;
            var ops = Enumerable.Range(0, m.OperatorCount).Select(i => m.GetOperator(i)).ToList();
            Assert.Equal(new[] { "QUANTIZE", "FULLY_CONNECTED", "ADD", "LEAKY_RELU", "MUL", "QUANTIZE" }, ops.Select(o => o.Name));
            foreach (var op in ops.Skip(1).Take(4))
            {
                Assert.Equal(DataType.Int16, m.GetTensor(op.Outputs[0]).DataType);
                foreach (int t in op.Inputs.Take(op.Name == "FULLY_CONNECTED" ? 1 : 2)) Assert.Equal(DataType.Int16, m.GetTensor(t).DataType);
            }
            Assert.Equal(new[] { "x", "h", "a", "l", "y" }, q16.Int16Tensors);

            var e8 = Evaluator.Evaluate(q8, calib, null, null);
            var e16 = Evaluator.Evaluate(q16, calib, null, null);
            for (int i = 0; i < e8.Layers.Count; i++)
            {
                log.WriteLine($"{e8.Layers[i].Output.Name}: int8 {e8.Layers[i].Error.SqnrDb:F1} dB, int16 {e16.Layers[i].Error.SqnrDb:F1} dB");
                Assert.True(e16.Layers[i].Error.SqnrDb > e8.Layers[i].Error.SqnrDb + 1, e8.Layers[i].Output.Name);
            }
        }

        [Fact]
        public void Int16Mode_WithoutCalibration_IsRefused()
        {
            var (g, _) = BadlyScaled(100f);
            var e = Assert.Throws<PackException>(() => PostTrainingQuantizer.Run(g, null, new QuantizeOptions { Activations = ActivationMode.Int16 }, 0));
            Assert.Contains("calibration", e.Message);
        }
    }
}
