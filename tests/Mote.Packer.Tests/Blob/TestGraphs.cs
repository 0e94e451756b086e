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
    }
}
