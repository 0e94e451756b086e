using System;
using Mote.Packer.Graph;
using Mote.Packer.Quantization;
using Mote.Runtime.Format;
using Mote.Runtime.Kernels;

namespace Mote.Packer.Tests.Blob
{
    /// <summary>Small graphs built in code (no ../shared needed) that use every op code of the format.</summary>
    public static class TestGraphs
    {
        static PackTensor Act(PackGraph g, string name, float scale, int zp, params int[] shape) =>
            g.AddTensor(new PackTensor { DataType = DataType.Int8, Shape = shape, Scales = new[] { scale }, ZeroPoint = zp, Name = name });

        static PackTensor Const(PackGraph g, string name, int dtype, int[] shape, Random rng, float[] scales)
        {
            var t = new PackTensor { DataType = dtype, Shape = shape, Scales = scales, Name = name };
            t.Data = new byte[t.Bytes];
            if (dtype == DataType.Int32)
                for (int i = 0; i < t.Data.Length; i += 4) LittleEndian.WriteInt32(t.Data, i, rng.Next(-2000, 2000));
            else
                for (int i = 0; i < t.Data.Length; i++) t.Data[i] = (byte)(sbyte)rng.Next(-127, 128);
            return g.AddTensor(t);
        }

        /// <summary>
        /// input [1,6,6,2] → CONV_2D 3x3 SAME (4 ch) → DEPTHWISE 3x3 stride 2 VALID (x2 → 8 ch) → MAX_POOL 2x2
        /// → ADD (with a constant) → AVERAGE_POOL (global) → RESHAPE [1,8] → FULLY_CONNECTED (5) → SOFTMAX.
        /// </summary>
        public static PackGraph AllOps(int seed = 1)
        {
            var rng = new Random(seed);
            var g = new PackGraph { SourceName = "test-graph" };
            var input = Act(g, "input", 0.05f, -3, 1, 6, 6, 2);
            var w1 = Const(g, "w1", DataType.Int8, new[] { 4, 3, 3, 2 }, rng, new[] { 0.01f, 0.02f, 0.015f, 0.03f });
            var b1 = Const(g, "b1", DataType.Int32, new[] { 4 }, rng, new[] { 0.0005f });
            var c1 = Act(g, "conv", 0.1f, 5, 1, 6, 6, 4);
            var w2 = Const(g, "w2", DataType.Int8, new[] { 1, 3, 3, 8 }, rng, new[] { 0.02f });
            var d2 = Act(g, "dw", 0.2f, -10, 1, 2, 2, 8);
            var mp = Act(g, "maxpool", 0.2f, -10, 1, 1, 1, 8);
            var k = Const(g, "addend", DataType.Int8, new[] { 8 }, rng, new[] { 0.1f });
            k.ZeroPoint = 2;
            var ad = Act(g, "add", 0.25f, 0, 1, 1, 1, 8);
            var ap = Act(g, "avgpool", 0.25f, 0, 1, 1, 1, 8);
            var rs = Act(g, "reshape", 0.25f, 0, 1, 8);
            var w3 = Const(g, "w3", DataType.Int8, new[] { 5, 8 }, rng, new[] { 0.05f });
            var fc = Act(g, "fc", 0.3f, 1, 1, 5);
            var sm = Act(g, "softmax", 1f / 256, -128, 1, 5);
            g.Inputs = new[] { input.Index };
            g.Outputs = new[] { sm.Index };

            void Conv(int code, PackTensor i, PackTensor w, PackTensor b, PackTensor o, int stride, int pad, int mult)
            {
                int ch = o.Shape[3];
                var m = new int[ch];
                var s = new int[ch];
                TfliteQuantMath.ConvPerChannel(i.Scales[0], w.Scales, o.Scales[0], ch, m, s);
                TfliteQuantMath.ActivationRange(1, o.Scales[0], o.ZeroPoint, out int lo, out int hi);
                g.Operators.Add(new PackOperator
                {
                    Code = code, Inputs = new[] { i.Index, w.Index, b?.Index ?? -1 }, Outputs = new[] { o.Index },
                    Params = new[] { stride, stride, 1, 1, pad, pad, -i.ZeroPoint, o.ZeroPoint, lo, hi, mult, 0, 0 },
                    Multipliers = m, MultiplierWord = 11, Shifts = s, ShiftWord = 12,
                });
            }
            Conv(OpCode.Conv2D, input, w1, b1, c1, 1, 1, 1);
            Conv(OpCode.DepthwiseConv2D, c1, w2, null, d2, 2, 0, 2);
            g.Operators.Add(new PackOperator { Code = OpCode.MaxPool2D, Inputs = new[] { d2.Index }, Outputs = new[] { mp.Index },
                Params = new[] { 2, 2, 2, 2, 0, 0, -128, 127 } });
            var ap2 = new AddParams();
            TfliteQuantMath.Add(mp.Scales[0], mp.ZeroPoint, k.Scales[0], k.ZeroPoint, ad.Scales[0], ad.ZeroPoint, 0, ap2);
            g.Operators.Add(new PackOperator { Code = OpCode.Add, Inputs = new[] { mp.Index, k.Index }, Outputs = new[] { ad.Index },
                Params = new[] { ap2.LeftShift, ap2.Input1Offset, ap2.Input1Multiplier, ap2.Input1Shift, ap2.Input2Offset, ap2.Input2Multiplier,
                    ap2.Input2Shift, ap2.OutputOffset, ap2.OutputMultiplier, ap2.OutputShift, ap2.ActivationMin, ap2.ActivationMax } });
            g.Operators.Add(new PackOperator { Code = OpCode.AveragePool2D, Inputs = new[] { ad.Index }, Outputs = new[] { ap.Index },
                Params = new[] { 1, 1, 1, 1, 0, 0, -128, 127 } });
            g.Operators.Add(new PackOperator { Code = OpCode.Reshape, Inputs = new[] { ap.Index }, Outputs = new[] { rs.Index } });
            var fm = new int[5];
            var fs = new int[5];
            TfliteQuantMath.FullyConnected(rs.Scales[0], w3.Scales, fc.Scales[0], 5, fm, fs);
            g.Operators.Add(new PackOperator { Code = OpCode.FullyConnected, Inputs = new[] { rs.Index, w3.Index, -1 }, Outputs = new[] { fc.Index },
                Params = new[] { -rs.ZeroPoint, 0, fc.ZeroPoint, -128, 127, 0, 0 }, Multipliers = fm, MultiplierWord = 5, Shifts = fs, ShiftWord = 6 });
            var sp = new SoftmaxParams();
            TfliteQuantMath.Softmax(1f, fc.Scales[0], sp);
            g.Operators.Add(new PackOperator { Code = OpCode.Softmax, Inputs = new[] { fc.Index }, Outputs = new[] { sm.Index },
                Params = new[] { sp.InputMultiplier, sp.InputLeftShift, sp.DiffMin } });
            return g;
        }

        /// <summary>
        /// The twelve op codes of format 1.1, in this order:
        /// input [1,4,4,3] → MUL (by a constant [3], broadcast, RELU6) → RELU; input → LEAKY_RELU (α 0.2);
        /// CONCATENATION (axis 3) of the two → PAD (H +1 before, W +2 after) → QUANTIZE → LOGISTIC
        /// → TANH → RELU6 → SQUEEZE [5,6,6] → HARD_SWISH → MEAN (axes 1, 2) → output [5].
        /// </summary>
        public static PackGraph NewOps(int seed = 2)
        {
            var rng = new Random(seed);
            var g = new PackGraph { SourceName = "test-graph-1.1" };
            var input = Act(g, "input", 0.05f, -3, 1, 4, 4, 3);
            var c = Const(g, "factor", DataType.Int8, new[] { 3 }, rng, new[] { 0.02f });
            c.ZeroPoint = 1;
            var mul = Act(g, "mul", 0.01f, 2, 1, 4, 4, 3);
            var relu = Act(g, "relu", 0.008f, -128, 1, 4, 4, 3);
            var leaky = Act(g, "leaky", 0.008f, -128, 1, 4, 4, 3);
            var cat = Act(g, "concat", 0.008f, -128, 1, 4, 4, 6);
            var pad = Act(g, "pad", 0.008f, -128, 1, 5, 6, 6);
            var quant = Act(g, "quantize", 0.02f, 5, 1, 5, 6, 6);
            var logistic = Act(g, "logistic", 1f / 256, -128, 1, 5, 6, 6);
            var tanh = Act(g, "tanh", 1f / 128, 0, 1, 5, 6, 6);
            var relu6 = Act(g, "relu6", 1f / 128, 0, 1, 5, 6, 6);
            var squeeze = Act(g, "squeeze", 1f / 128, 0, 5, 6, 6);
            var hardSwish = Act(g, "hard_swish", 1f / 64, -100, 5, 6, 6);
            var mean = Act(g, "mean", 1f / 100, 3, 5);
            g.Inputs = new[] { input.Index };
            g.Outputs = new[] { mean.Index };

            void Add(int code, PackTensor[] ins, PackTensor o, params int[] words) =>
                g.Operators.Add(new PackOperator { Code = code, Inputs = Array.ConvertAll(ins, t => t.Index), Outputs = new[] { o.Index }, Params = words });

            var mp = new MulParams();
            TfliteQuantMath.Mul(input.Scales[0], input.ZeroPoint, c.Scales[0], c.ZeroPoint, mul.Scales[0], mul.ZeroPoint, TfliteQuantMath.ActivationRelu6, mp);
            Add(OpCode.Mul, new[] { input, c }, mul, mp.Input1Offset, mp.Input2Offset, mp.OutputOffset, mp.OutputMultiplier, mp.OutputShift, mp.ActivationMin, mp.ActivationMax);
            var rp = new ReluParams();
            TfliteQuantMath.Relu(mul.Scales[0], mul.ZeroPoint, relu.Scales[0], relu.ZeroPoint, rp);
            Add(OpCode.Relu, new[] { mul }, relu, rp.InputOffset, rp.OutputOffset, rp.OutputMultiplier, rp.OutputShift, rp.ActivationMin, rp.ActivationMax);
            var lp = new LeakyReluParams();
            TfliteQuantMath.LeakyRelu(input.Scales[0], input.ZeroPoint, 0.2f, leaky.Scales[0], leaky.ZeroPoint, lp);
            Add(OpCode.LeakyRelu, new[] { input }, leaky, lp.InputOffset, lp.OutputOffset, lp.IdentityMultiplier, lp.IdentityShift, lp.AlphaMultiplier, lp.AlphaShift);
            Add(OpCode.Concatenation, new[] { relu, leaky }, cat, 3);
            // 5-D extended paddings: left (0, 0, 1, 0, 0), right (0, 0, 0, 2, 0).
            Add(OpCode.Pad, new[] { cat }, pad, cat.ZeroPoint, 0, 0, 1, 0, 0, 0, 0, 0, 2, 0);
            var qp = new RequantizeParams();
            TfliteQuantMath.Requantize(pad.Scales[0], pad.ZeroPoint, quant.Scales[0], quant.ZeroPoint, qp);
            Add(OpCode.Quantize, new[] { pad }, quant, qp.InputOffset, qp.OutputOffset, qp.OutputMultiplier, qp.OutputShift);
            var fp = new FixedPointActivationParams();
            TfliteQuantMath.LogisticTanh(quant.Scales[0], quant.ZeroPoint, fp);
            Add(OpCode.Logistic, new[] { quant }, logistic, fp.InputOffset, fp.InputRangeRadius, fp.InputMultiplier, fp.InputLeftShift);
            var tp = new FixedPointActivationParams();
            TfliteQuantMath.LogisticTanh(logistic.Scales[0], logistic.ZeroPoint, tp);
            Add(OpCode.Tanh, new[] { logistic }, tanh, tp.InputOffset, tp.InputRangeRadius, tp.InputMultiplier, tp.InputLeftShift);
            var r6 = new Relu6Params();
            TfliteQuantMath.Relu6(tanh.Scales[0], tanh.ZeroPoint, r6);
            Add(OpCode.Relu6, new[] { tanh }, relu6, r6.Lower, r6.Upper);
            Add(OpCode.Squeeze, new[] { relu6 }, squeeze);
            var hp = new HardSwishParams();
            TfliteQuantMath.HardSwish(squeeze.Scales[0], squeeze.ZeroPoint, hardSwish.Scales[0], hardSwish.ZeroPoint, hp);
            Add(OpCode.HardSwish, new[] { squeeze }, hardSwish, hp.InputOffset, hp.OutputOffset, hp.OutputMultiplier, hp.OutputExponent,
                hp.ReluishMultiplier, hp.ReluishExponent);
            var ep = new MeanParams();
            TfliteQuantMath.Mean(hardSwish.Scales[0], hardSwish.ZeroPoint, mean.Scales[0], mean.ZeroPoint, 36, ep);
            Add(OpCode.Mean, new[] { hardSwish }, mean, ep.InputOffset, ep.OutputOffset, ep.OutputMultiplier, ep.OutputShift, 0b110);
            return g;
        }
    }
}
