using System;
using Mote.Runtime.Format;
using Mote.Runtime.Kernels;
using Xunit;

namespace Mote.Runtime.Tests.Kernels
{
    /// <summary>
    /// CONV_2D 16x8, TRANSPOSE_CONV (int8 and 16x8) and the 64-bit MultiplyByQuantizedMultiplier, on
    /// tiny shapes whose expected values are worked out in the comments (TFLM's integer rules).
    /// </summary>
    public class Conv16x8Tests
    {
        static byte[] I16(params int[] values)
        {
            var b = new byte[values.Length * 2];
            for (int i = 0; i < values.Length; i++) { b[2 * i] = (byte)values[i]; b[2 * i + 1] = (byte)(values[i] >> 8); }
            return b;
        }

        static byte[] I64(params long[] values)
        {
            var b = new byte[values.Length * 8];
            for (int i = 0; i < values.Length; i++) BitConverter.GetBytes(values[i]).CopyTo(b, i * 8);
            return b;
        }

        static int[] ReadI16(byte[] b, int start, int count)
        {
            var r = new int[count];
            for (int i = 0; i < count; i++) r[i] = (short)(b[start + 2 * i] | (b[start + 2 * i + 1] << 8));
            return r;
        }

        static byte[] Concat(params byte[][] parts)
        {
            int n = 0;
            foreach (var p in parts) n += p.Length;
            var r = new byte[n];
            int at = 0;
            foreach (var p in parts) { p.CopyTo(r, at); at += p.Length; }
            return r;
        }

        // ------------------------------------------------------------ 64-bit MultiplyByQuantizedMultiplier

        [Theory]
        // m = 2^30 (0.5) reduces to 2^14; shift 0: (x * 2^14 + 2^14) >> 15 = floor((x + 1) / 2): halves go up.
        [InlineData(3L, 1 << 30, 0, 2)]
        [InlineData(-3L, 1 << 30, 0, -1)]
        // m >= 0x7FFF0000 reduces to 0x7FFF (no carry into bit 31): 2^40 * 32767 / 2^35 = 32767 * 32.
        [InlineData(1L << 40, int.MaxValue, -20, 1048544)]
        // 0x7FFEFFFF + 2^15 = 0x7FFF7FFF, >> 16 = 0x7FFF as well.
        [InlineData(1L << 40, 0x7FFEFFFF, -20, 1048544)]
        // m = 1518500250 (~1/sqrt 2) reduces to floor(23170.47 + 0.5) = 23170; shift 1: (1000 * 23170 + 2^13) >> 14 = 1414.
        [InlineData(1000L, 1518500250, 1, 1414)]
        [InlineData(-1000L, 1518500250, 1, -1414)]
        // Left shift 7: 5 * 2^14 * 2^7 / 2^15 = 320.
        [InlineData(5L, 1 << 30, 7, 320)]
        // Right shift 31: 123456789012 / 2^32 = 28.74 -> 29.
        [InlineData(123456789012L, 1 << 30, -31, 29)]
        public void MultiplyByQuantizedMultiplier64_MatchesTflmFormula(long x, int multiplier, int shift, int expected)
        {
            Assert.Equal(expected, FixedPoint.MultiplyByQuantizedMultiplier(x, multiplier, shift));
        }

        // ------------------------------------------------------------ CONV_2D 16x8

        static ConvParams Conv3x3Stride2()
        {
            // Input 1x3x3x1, filter [2,3,3,1], stride 2, SAME: output 2x2, total pad (2-1)*2+3-3 = 2, leading 1.
            return new ConvParams
            {
                Batches = 1, InputHeight = 3, InputWidth = 3, InputChannels = 1,
                FilterHeight = 3, FilterWidth = 3,
                OutputHeight = 2, OutputWidth = 2, OutputChannels = 2,
                StrideHeight = 2, StrideWidth = 2, DilationHeight = 1, DilationWidth = 1,
                PadTop = 1, PadLeft = 1,
                ActivationMin = -32768, ActivationMax = 32767,
                ActivationType = DataType.Int16, BiasType = DataType.Int64,
            };
        }

        [Fact]
        public void Conv2D16x8_Stride2SamePaddingInt64Bias_MatchesHandComputation()
        {
            // input      1000  -2000  -32768     f0  100  -50  20     f1  0 0 0
            //           -4000  30000  -6000          10 -100  50         0 3 0
            //            7000  -8000  32767         -30   60  90         0 0 0
            // Window origin (2*oy - 1, 2*ox - 1); taps outside the image are skipped.
            // ch0: bias 3 * 2^31 (does not fit int32), multiplier 2^30 shift -17: x 2^-18 overall.
            //   (0,0) taps f0[1..2][1..2]: 1000*-100 - 2000*50 - 4000*60 + 30000*90 = 2260000;
            //         (2260000 + 6442450944) / 2^18 = 24584.62 -> 24585.
            //   (0,1) rows 0..1, cols 1..3 (3 outside): -2000*10 - 32768*-100 + 30000*-30 - 6000*60 = 1996800 -> 24584.
            //   (1,0) rows 1..3, cols -1..1: -4000*-50 + 30000*20 + 7000*-100 - 8000*50 = -300000 -> 24575.
            //   (1,1) -56700: 24575.78 -> 24576.
            //   (Were the bias truncated to int32, ch0 would come out near -8192.)
            // ch1: centre tap 3, bias -1000, multiplier 2^30 shift 0 (x 0.5):
            //   (0,0) (3*1000 - 1000)/2 = 1000; (0,1) (3*-32768 - 1000)/2 = -49652 -> clamps to -32768;
            //   (1,0) (21000 - 1000)/2 = 10000; (1,1) (3*32767 - 1000)/2 = 48650.5 -> clamps to 32767.
            var p = Conv3x3Stride2();
            byte[] input = Concat(new byte[6], I16(1000, -2000, -32768, -4000, 30000, -6000, 7000, -8000, 32767));
            byte[] filter = Conv2DTests.I8(
                100, -50, 20, 10, -100, 50, -30, 60, 90,
                0, 0, 0, 0, 3, 0, 0, 0, 0);
            byte[] bias = Concat(new byte[8], I64(3L << 31, -1000));
            byte[] quant = Conv2DTests.I32(1 << 30, 1 << 30, -17, 0);
            byte[] output = new byte[4 + 16];

            Conv2D16x8.Eval(p, input, 6, filter, 0, bias, 8, quant, 0, 8, output, 4);

            Assert.Equal(new[] { 24585, 1000, 24584, -32768, 24575, 10000, 24576, 32767 }, ReadI16(output, 4, 8));
            Assert.Equal(new[] { 0, 0 }, ReadI16(output, 0, 2));
        }

        [Fact]
        public void Conv2D16x8_ActivationRangeNarrowerThanInt16_Clamps()
        {
            // The same operator with a RELU-like range [0, 20000]: 24585.. clamp to 20000, -32768 to 0.
            var p = Conv3x3Stride2();
            p.ActivationMin = 0;
            p.ActivationMax = 20000;
            byte[] input = I16(1000, -2000, -32768, -4000, 30000, -6000, 7000, -8000, 32767);
            byte[] filter = Conv2DTests.I8(100, -50, 20, 10, -100, 50, -30, 60, 90, 0, 0, 0, 0, 3, 0, 0, 0, 0);
            byte[] bias = I64(3L << 31, -1000);
            byte[] quant = Conv2DTests.I32(1 << 30, 1 << 30, -17, 0);
            byte[] output = new byte[16];

            Conv2D16x8.Eval(p, input, 0, filter, 0, bias, 0, quant, 0, 8, output, 0);

            Assert.Equal(new[] { 20000, 1000, 20000, 0, 20000, 10000, 20000, 20000 }, ReadI16(output, 0, 8));
        }

        [Fact]
        public void Conv2D16x8_Int32BiasWrapsLikeTflmInt32Accumulator_Int64DoesNot()
        {
            // 1x1 convolution over 600 channels of -32768 with weights -128: the sum is 600 * 2^22 = 2516582400.
            // int64 accumulator: x 2^-17 (2^30, shift -16) = 19200 exactly.
            // int32 accumulator (int32 bias, here 0): wraps to 2516582400 - 2^32 = -1778384896, and the
            // double-rounding 32-bit requantization gives -1778384896 / 2^17 = -13568.
            var p = new ConvParams
            {
                Batches = 1, InputHeight = 1, InputWidth = 1, InputChannels = 600,
                FilterHeight = 1, FilterWidth = 1, OutputHeight = 1, OutputWidth = 1, OutputChannels = 1,
                StrideHeight = 1, StrideWidth = 1, DilationHeight = 1, DilationWidth = 1,
                ActivationMin = -32768, ActivationMax = 32767, ActivationType = DataType.Int16, BiasType = DataType.Int64,
            };
            var values = new int[600];
            var weights = new int[600];
            for (int i = 0; i < 600; i++) { values[i] = -32768; weights[i] = -128; }
            byte[] input = I16(values);
            byte[] filter = Conv2DTests.I8(weights);
            byte[] quant = Conv2DTests.I32(1 << 30, -16);
            byte[] output = new byte[2];

            Conv2D16x8.Eval(p, input, 0, filter, 0, I64(0), 0, quant, 0, 4, output, 0);
            Assert.Equal(19200, ReadI16(output, 0, 1)[0]);

            Conv2D16x8.Eval(p, input, 0, filter, 0, null, -1, quant, 0, 4, output, 0); // no bias: int64 as well
            Assert.Equal(19200, ReadI16(output, 0, 1)[0]);

            p.BiasType = DataType.Int32;
            Conv2D16x8.Eval(p, input, 0, filter, 0, Conv2DTests.I32(0), 0, quant, 0, 4, output, 0);
            Assert.Equal(-13568, ReadI16(output, 0, 1)[0]);
        }

        // ------------------------------------------------------------ TRANSPOSE_CONV int8

        [Fact]
        public void TransposeConvInt8_Stride2SamePadding_MatchesHandComputation()
        {
            // Input 1x1x3x1 q = 10, -20, 30 with zero point 5 (InputOffset -5): v = 5, -25, 25.
            // Filter [2,1,3,1]: ch0 = 1 2 3, ch1 = -1 -1 -1. Stride 2, output width 5, SAME: leading pad
            // ((ceil(5/2) - 1) * 2 + 3 - 5) / 2 = 1. Input x contributes tap k to output 2x - 1 + k:
            //   x0: out -1 (cropped), out0 += 5*f[1], out1 += 5*f[2]
            //   x1: out1 += -25*f[0], out2 += -25*f[1], out3 += -25*f[2]
            //   x2: out3 += 25*f[0], out4 += 25*f[1], out 5 (cropped)
            // ch0 acc = 10, 15-25 = -10, -50, -75+25 = -50, 50; + bias 7 = 17, -3, -43, -43, 57;
            //   x 0.5 (2^30, shift 0; halves up) = 9, -1, -21, -21, 29; + OutputOffset 3 = 12, 2, -18, -18, 32.
            // ch1 acc = -5, -5+25 = 20, 25, 25-25 = 0, -25; + bias -60 = -65, -40, -35, -60, -85;
            //   x 1 (2^30, shift 1) = same; + 3 = -62, -37, -32, -57, -82; clamp at -60: -60, -37, -32, -57, -60.
            var p = new TransposeConvParams
            {
                Batches = 1, InputHeight = 1, InputWidth = 3, InputChannels = 1,
                FilterHeight = 1, FilterWidth = 3,
                OutputHeight = 1, OutputWidth = 5, OutputChannels = 2,
                StrideHeight = 1, StrideWidth = 2, PadTop = 0, PadLeft = 1,
                InputOffset = -5, OutputOffset = 3, ActivationMin = -60, ActivationMax = 127,
                ActivationType = DataType.Int8, BiasType = DataType.Int32,
            };
            byte[] input = Conv2DTests.I8(99, 10, -20, 30);
            byte[] filter = Conv2DTests.I8(1, 2, 3, -1, -1, -1);
            byte[] bias = Conv2DTests.I32(7, -60);
            byte[] quant = Conv2DTests.I32(1 << 30, 1 << 30, 0, 1);
            byte[] output = new byte[2 + 10];

            TransposeConv.Eval(p, input, 1, filter, 0, bias, 0, quant, 0, 8, output, 2);

            Assert.Equal(new[] { 12, -60, 2, -37, -18, -32, -18, -57, 32, -60 }, Conv2DTests.ReadI8(output, 2, 10));
            Assert.Equal(new[] { 0, 0 }, Conv2DTests.ReadI8(output, 0, 2));
        }

        // ------------------------------------------------------------ TRANSPOSE_CONV 16x8

        static TransposeConvParams TransposeConv16()
        {
            // Input 1x2x2x2 -> output 1x3x3x2, 3x3 filter, stride 2, SAME: leading pad ((2-1)*2+3-3)/2 = 1.
            return new TransposeConvParams
            {
                Batches = 1, InputHeight = 2, InputWidth = 2, InputChannels = 2,
                FilterHeight = 3, FilterWidth = 3,
                OutputHeight = 3, OutputWidth = 3, OutputChannels = 2,
                StrideHeight = 2, StrideWidth = 2, PadTop = 1, PadLeft = 1,
                ActivationMin = -32768, ActivationMax = 32767, ActivationType = DataType.Int16,
            };
        }

        static readonly int[] T16Input = { 1000, -2000, 30000, 4000, -32768, 5, 32767, -32768 };

        static readonly int[] T16Filter =
        {
            // ch0 [3,3,2]
            1, 2, 3, -4, 5, 6, -7, 8, 9, 10, 11, -12, 13, 14, -15, 16, 17, 18,
            // ch1
            100, 0, 0, 0, 0, -100, 0, 0, 127, 127, 0, 0, -128, 0, 0, 0, 0, 1,
        };

        // Output (oy, ox) receives input (iy, ix) through tap (oy + 1 - 2 iy, ox + 1 - 2 ix) when inside 0..2.
        // Accumulators (ch0, ch1), e.g. (0,0): only input (0,0) via tap (1,1): ch0 9*1000 + 10*-2000 = -11000,
        // ch1 127*1000 + 127*-2000 = -127000; (0,1): input (0,0) tap (1,2) and (0,1) tap (1,0), ch1 all zero taps: 0.
        //   ch0: -11000, -143000, 310000, -145324, 230421, -156627, -294862, -852021, -32777
        //   ch1: -127000, 0, 4318000, 0, -565800, 0, -4160901, 0, -127
        static readonly int[] Quant16 = { 1 << 30, 1 << 30, -18, -1 }; // ch0 x 2^-19, ch1 x 0.25

        [Fact]
        public void TransposeConv16x8_Int64BiasStride2_MatchesHandComputationAndSaturates()
        {
            // ch0 bias 5 * 2^31 (beyond int32): (acc + 10737418240) / 2^19 = 20480 + acc / 2^19, e.g.
            //   (0,0) 20480 - 0.02 -> 20480; (1,1) 20480 + 0.44 -> 20480; (0,2) 20480 + 0.59 -> 20481; (2,1) -1.63 -> 20478.
            // ch1 bias 1000, x 0.25: (0,0) -126000/4 = -31500; zero taps 1000/4 = 250; (0,2) 4319000/4 -> 32767;
            //   (1,1) -564800/4 = -141200 -> -32768; (2,0) -> -32768; (2,2) (-127+1000)/4 = 218.25 -> 218.
            var p = TransposeConv16();
            p.BiasType = DataType.Int64;
            byte[] output = new byte[36];

            TransposeConv.Eval(p, I16(T16Input), 0, Conv2DTests.I8(T16Filter), 0, I64(5L << 31, 1000), 0,
                Conv2DTests.I32(Quant16), 0, 8, output, 0);

            Assert.Equal(new[] { 20480, -31500, 20480, 250, 20481, 32767, 20480, 250, 20480, -32768, 20480, 250,
                20479, -32768, 20478, 250, 20480, 218 }, ReadI16(output, 0, 18));
        }

        [Fact]
        public void TransposeConv16x8_Int16BiasIsWidened()
        {
            // Bias int16 (-32768, 32767), widened to int64 as TFLM's converted bias buffer does.
            // ch0: (acc - 32768) / 2^19: (0,0) -43768/2^19 = -0.08 -> 0; (0,2) 277232/2^19 = 0.53 -> 1; (2,1) -1.69 -> -2.
            // ch1: (acc + 32767) / 4: (0,0) -94233/4 = -23558.25 -> -23558; zero taps 8191.75 -> 8192;
            //   (0,2) -> 32767; (1,1) -> -32768; (2,2) 32640/4 = 8160.
            var p = TransposeConv16();
            p.BiasType = DataType.Int16;
            byte[] output = new byte[36];

            TransposeConv.Eval(p, I16(T16Input), 0, Conv2DTests.I8(T16Filter), 0, I16(-32768, 32767), 0,
                Conv2DTests.I32(Quant16), 0, 8, output, 0);

            Assert.Equal(new[] { 0, -23558, 0, 8192, 1, 32767, 0, 8192, 0, -32768, 0, 8192, -1, -32768, -2, 8192, 0, 8160 },
                ReadI16(output, 0, 18));
        }
    }
}
