using System;
using Mote.Runtime.Format;
using Mote.Runtime.Kernels;
using Xunit;
using static Mote.Runtime.Tests.Kernels.Conv2DTests;

namespace Mote.Runtime.Tests.Kernels
{
    /// <summary>QUANTIZE's int16/int32/float32 paths (TFLM EvalQuantizeReference), hand-computed.</summary>
    public class QuantizeVariantTests
    {
        internal static byte[] I16(params int[] values)
        {
            var b = new byte[values.Length * 2];
            for (int i = 0; i < values.Length; i++) { b[2 * i] = (byte)values[i]; b[2 * i + 1] = (byte)(values[i] >> 8); }
            return b;
        }

        internal static int[] ReadI16(byte[] b, int start, int count)
        {
            var r = new int[count];
            for (int i = 0; i < count; i++) r[i] = (short)(b[start + 2 * i] | (b[start + 2 * i + 1] << 8));
            return r;
        }

        internal static int[] ReadI32(byte[] b, int start, int count)
        {
            var r = new int[count];
            for (int i = 0; i < count; i++) r[i] = BitConverter.ToInt32(b, start + 4 * i);
            return r;
        }

        internal static byte[] F32(params float[] values)
        {
            var b = new byte[values.Length * 4];
            for (int i = 0; i < values.Length; i++) BitConverter.GetBytes(values[i]).CopyTo(b, 4 * i);
            return b;
        }

        [Fact]
        public void Eval_Int16ToInt8_DividesBy256RoundingHalvesAwayFromZeroAndSaturates()
        {
            // Ratio 1/256 = 0.5 * 2^-7 -> (2^30, -7). Output zero point -5.
            // 32767 / 256 = 127.996 -> 128 - 5 = 123; -32768 -> -128 - 5 -> -128 (clamped);
            // 384 -> 1.5 -> 2 - 5 = -3; -384 -> -1.5 -> -2 - 5 = -7; 0 -> -5.
            var p = new RequantizeParams { Size = 5, InputType = DataType.Int16, OutputType = DataType.Int8,
                OutputOffset = -5, OutputMultiplier = 1 << 30, OutputShift = -7 };
            var output = new byte[6];
            Quantize.Eval(p, I16(0, 32767, -32768, 384, -384, 0), 2, output, 1);
            Assert.Equal(new[] { 0, 123, -128, -3, -7, -5 }, ReadI8(output, 0, 6));
        }

        [Fact]
        public void Eval_Int8ToInt32_ScalesBy128WithoutClamping()
        {
            // Softmax-like input (zero point -128) to an int32 output 128 times finer: ratio 128 = 0.5 * 2^8 -> (2^30, 8).
            // -128 -> 0; 127 -> 255 * 128 = 32640; 0 -> 128 * 128 = 16384.
            var p = new RequantizeParams { Size = 3, InputType = DataType.Int8, OutputType = DataType.Int32,
                InputOffset = 128, OutputMultiplier = 1 << 30, OutputShift = 8 };
            var output = new byte[12];
            Quantize.Eval(p, I8(-128, 127, 0), 0, output, 0);
            Assert.Equal(new[] { 0, 32640, 16384 }, ReadI32(output, 0, 3));
        }

        [Fact]
        public void Eval_Int32ToInt16_QuarterScaleSaturatesAtInt16Limits()
        {
            // Ratio 0.25 -> (2^30, -1), output zero point 100.
            // 200000 -> 50100 -> 32767; -131072 -> -32768 + 100 = -32668; 6 -> 1.5 -> 2 -> 102;
            // -6 -> -1.5 -> -2 -> 98; int.MaxValue -> 2^29 -> 32767; -140000 -> -35000 + 100 -> -32768.
            var p = new RequantizeParams { Size = 6, InputType = DataType.Int32, OutputType = DataType.Int16,
                OutputOffset = 100, OutputMultiplier = 1 << 30, OutputShift = -1 };
            var output = new byte[12];
            Quantize.Eval(p, I32(200000, -131072, 6, -6, int.MaxValue, -140000), 0, output, 0);
            Assert.Equal(new[] { 32767, -32668, 102, 98, 32767, -32768 }, ReadI16(output, 0, 6));
        }

        [Fact]
        public void Eval_Int16ToInt16_ZeroPointsAtTheLimits_IsExactShift()
        {
            // Equal scales (2^30, 1); input zero point -32768 (offset 32768), output zero point -32768:
            // the values pass through unchanged, 65535 intermediate included.
            var p = new RequantizeParams { Size = 4, InputType = DataType.Int16, OutputType = DataType.Int16,
                InputOffset = 32768, OutputOffset = -32768, OutputMultiplier = 1 << 30, OutputShift = 1 };
            var output = new byte[8];
            Quantize.Eval(p, I16(-32768, 32767, 0, -1), 0, output, 0);
            Assert.Equal(new[] { -32768, 32767, 0, -1 }, ReadI16(output, 0, 4));
        }

        [Fact]
        public void Eval_Int16ToInt32_AddsZeroPointWithoutClamp()
        {
            // Ratio 2 = 0.5 * 2^2 -> (2^30, 2); input zp 5, output zp -7: 32767 -> 2 * 32762 - 7 = 65517.
            var p = new RequantizeParams { Size = 2, InputType = DataType.Int16, OutputType = DataType.Int32,
                InputOffset = -5, OutputOffset = -7, OutputMultiplier = 1 << 30, OutputShift = 2 };
            var output = new byte[8];
            Quantize.Eval(p, I16(32767, -32768), 0, output, 0);
            Assert.Equal(new[] { 65517, 2 * (-32773) - 7 }, ReadI32(output, 0, 2));
        }

        [Fact]
        public void Eval_Float32ToInt8_RoundsHalvesAwayFromZeroAndClamps()
        {
            // Scale 0.5, zero point -10: 1.25 -> 2.5 -> 3 -> -7; -1.25 -> -2.5 -> -3 -> -13;
            // 100 -> 190 -> 127; -100 -> -210 -> -128; 0.2 -> 0.4 -> 0 -> -10.
            var p = new RequantizeParams { Size = 5, InputType = DataType.Float32, OutputType = DataType.Int8, OutputOffset = -10, Scale = 0.5f };
            var output = new byte[5];
            Quantize.Eval(p, F32(1.25f, -1.25f, 100f, -100f, 0.2f), 0, output, 0);
            Assert.Equal(new[] { -7, -13, 127, -128, -10 }, ReadI8(output, 0, 5));
        }

        [Fact]
        public void Eval_Float32ToInt8_OutOfInt32RangeFollowsX86Conversion()
        {
            // TFLM's static_cast<int32_t> of an out-of-range float gives int32.MinValue on x86-64 (cvttss2si),
            // then the zero point is added with wrap-around: zero point -10 wraps to 2^31 - 10 -> 127;
            // zero point +10 stays negative -> -128. NaN behaves the same.
            var neg = new RequantizeParams { Size = 3, InputType = DataType.Float32, OutputType = DataType.Int8, OutputOffset = -10, Scale = 1f };
            var pos = new RequantizeParams { Size = 3, InputType = DataType.Float32, OutputType = DataType.Int8, OutputOffset = 10, Scale = 1f };
            var input = F32(3e9f, float.NaN, float.NegativeInfinity);
            var a = new byte[3];
            var b = new byte[3];
            Quantize.Eval(neg, input, 0, a, 0);
            Quantize.Eval(pos, input, 0, b, 0);
            Assert.Equal(new[] { 127, 127, 127 }, ReadI8(a, 0, 3));
            Assert.Equal(new[] { -128, -128, -128 }, ReadI8(b, 0, 3));
        }

        [Fact]
        public void Eval_Float32ToInt16_PowerOfTwoScale()
        {
            // Scale 0.25, zero point 0: 0.375 -> 1.5 -> 2; -0.125 -> -0.5 -> -1; 10000 -> 40000 -> 32767; -0.1 -> -0.4 -> 0.
            var p = new RequantizeParams { Size = 4, InputType = DataType.Float32, OutputType = DataType.Int16, Scale = 0.25f };
            var output = new byte[8];
            Quantize.Eval(p, F32(0.375f, -0.125f, 10000f, -0.1f), 0, output, 0);
            Assert.Equal(new[] { 2, -1, 32767, 0 }, ReadI16(output, 0, 4));
        }

        [Theory]
        [InlineData(2.5f, 3)]
        [InlineData(-2.5f, -3)]
        [InlineData(0.49999997f, 0)]
        [InlineData(-0.49999997f, 0)]
        [InlineData(8388607.5f, 8388608)]
        [InlineData(16777217f, 16777216)] // not a float: 16777216
        [InlineData(2147483520f, 2147483520)] // the largest float below 2^31
        [InlineData(2147483648f, int.MinValue)]
        [InlineData(-2147483648f, int.MinValue)]
        [InlineData(-3e9f, int.MinValue)]
        public void RoundToInt32_MatchesStdRoundThenX86Conversion(float q, int expected)
        {
            Assert.Equal(expected, Quantize.RoundToInt32(q));
        }

        [Fact]
        public void RoundToInt32_AgreesWithMathRoundAwayFromZeroInRange()
        {
            var rng = new Random(5);
            for (int i = 0; i < 20000; i++)
            {
                float q = (float)((rng.NextDouble() - 0.5) * Math.Pow(2, rng.Next(0, 31)));
                if (i % 4 == 0) q = (float)Math.Floor(q) + 0.5f;
                int expected = (int)MathF.Round(q, MidpointRounding.AwayFromZero);
                Assert.Equal(expected, Quantize.RoundToInt32(q));
            }
        }
    }
}
