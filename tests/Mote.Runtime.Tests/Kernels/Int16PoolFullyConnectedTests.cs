using System;
using Mote.Runtime.Format;
using Mote.Runtime.Kernels;
using Xunit;

namespace Mote.Runtime.Tests.Kernels
{
    /// <summary>
    /// FULLY_CONNECTED 16x8, DEPTHWISE_CONV_2D 16x8 and int16 MAX_POOL_2D / AVERAGE_POOL_2D on tiny shapes whose expected
    /// values are worked out in the comments (TFLM's integer rules: fully_connected.cc's int16 case,
    /// reference_integer_ops pooling.h's int16 overloads).
    /// </summary>
    public class Int16PoolFullyConnectedTests
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

        // ------------------------------------------------------------ FULLY_CONNECTED 16x8

        [Fact]
        public void FullyConnected16x8_PerChannelInt64Bias_MatchesHandComputation()
        {
            // input 1000, -2000, 32767; filter rows ch0 = 10, 20, -1 and ch1 = -128, 0, 127.
            // ch0: 10000 - 40000 - 32767 = -62767; + bias 3 * 2^31 (beyond int32) = 6442388177;
            //   multiplier 2^30 shift -18 (x 2^-19): 6442388177 / 524288 = 12287.88 -> 12288.
            // ch1: -128000 + 4161409 = 4033409; + bias -1000 = 4032409; 2^30 shift -7 (x 2^-8): 15751.6 -> 15752.
            var p = new FullyConnectedParams
            {
                Batches = 1, AccumDepth = 3, OutputDepth = 2,
                ActivationMin = -32768, ActivationMax = 32767,
                ActivationType = DataType.Int16, BiasType = DataType.Int64,
            };
            byte[] input = Concat(new byte[2], I16(1000, -2000, 32767));
            byte[] filter = Conv2DTests.I8(10, 20, -1, -128, 0, 127);
            byte[] bias = I64(3L << 31, -1000);
            byte[] quant = Conv2DTests.I32(1 << 30, 1 << 30, -18, -7);
            byte[] output = new byte[2 + 4 + 2];

            FullyConnected16x8.Eval(p, input, 2, filter, 0, bias, 0, quant, 0, 8, output, 2);

            Assert.Equal(new[] { 0, 12288, 15752, 0 }, ReadI16(output, 0, 4));

            // A RELU-like range [0, 15000] clamps ch1;.
            p.ActivationMin = 0;
            p.ActivationMax = 15000;
            FullyConnected16x8.Eval(p, input, 2, filter, 0, bias, 0, quant, 0, 8, output, 2);
            Assert.Equal(new[] { 12288, 15000 }, ReadI16(output, 2, 2));
        }

        [Fact]
        public void FullyConnected16x8_Int32BiasWrapsLikeTflmInt32Accumulator_Int64DoesNot()
        {
            // 600 inputs of -32768 with weights -128: 600 * 2^22 = 2516582400. One shared table entry
            // (RequantStride 0), 2^30 shift -16 (x 2^-17). int64: 19200. int32 (int32 bias 0): wraps to
            // -1778384896, / 2^17 = -13568.
            var p = new FullyConnectedParams
            {
                Batches = 1, AccumDepth = 600, OutputDepth = 1, RequantStride = 0,
                ActivationMin = -32768, ActivationMax = 32767, ActivationType = DataType.Int16, BiasType = DataType.Int64,
            };
            var values = new int[600];
            var weights = new int[600];
            for (int i = 0; i < 600; i++) { values[i] = -32768; weights[i] = -128; }
            byte[] input = I16(values);
            byte[] filter = Conv2DTests.I8(weights);
            byte[] quant = Conv2DTests.I32(1 << 30, -16);
            byte[] output = new byte[2];

            FullyConnected16x8.Eval(p, input, 0, filter, 0, I64(0), 0, quant, 0, 4, output, 0);
            Assert.Equal(19200, ReadI16(output, 0, 1)[0]);
            FullyConnected16x8.Eval(p, input, 0, filter, 0, null, -1, quant, 0, 4, output, 0);
            Assert.Equal(19200, ReadI16(output, 0, 1)[0]);
            p.BiasType = DataType.Int32;
            FullyConnected16x8.Eval(p, input, 0, filter, 0, Conv2DTests.I32(0), 0, quant, 0, 4, output, 0);
            Assert.Equal(-13568, ReadI16(output, 0, 1)[0]);
        }

        // ------------------------------------------------------------ DEPTHWISE_CONV_2D 16x8

        [Fact]
        public void DepthwiseConv2D16x8_Multiplier2SamePadding_MatchesHandComputation()
        {
            // Input 1x2x2x1: 1000 -2000 / 30000 -32768. Filter [1,2,2,2] (multiplier 2), taps (ky,kx):
            //   ch0 = 1, 2, 3, 4; ch1 = -128, 0, 0, 127. 2x2, stride 1, SAME: output 2x2, leading pad 0, so
            //   windows at the right/bottom lose taps. ch0 no bias, 2^30 shift -5 (x 2^-6); ch1 bias -1000
            //   (int64), 2^30 shift -7 (x 2^-8). One rounding, halves up: floor(v + 0.5).
            // (0,0) all taps: ch0 1000 - 4000 + 90000 - 131072 = -44072 / 64 = -688.6 -> -689;
            //       ch1 -128000 - 4161536 - 1000 = -4290536 / 256 = -16759.9 -> -16760.
            // (0,1) taps (0,0) on -2000, (1,0) on -32768: ch0 -2000 - 98304 = -100304 / 64 = -1567.25 -> -1567;
            //       ch1 256000 - 1000 = 255000 / 256 = 996.1 -> 996.
            // (1,0) taps (0,0) on 30000, (0,1) on -32768: ch0 -35536 / 64 = -555.25 -> -555;
            //       ch1 -3840000 - 1000 = -3841000 / 256 = -15003.9 -> -15004.
            // (1,1) tap (0,0) on -32768: ch0 -512; ch1 4194304 - 1000 = 4193304 / 256 = 16380.1 -> 16380.
            var p = new ConvParams
            {
                Batches = 1, InputHeight = 2, InputWidth = 2, InputChannels = 1,
                FilterHeight = 2, FilterWidth = 2, OutputHeight = 2, OutputWidth = 2, OutputChannels = 2,
                StrideHeight = 1, StrideWidth = 1, DilationHeight = 1, DilationWidth = 1, DepthMultiplier = 2,
                ActivationMin = -32768, ActivationMax = 32767, ActivationType = DataType.Int16, BiasType = DataType.Int64,
            };
            byte[] input = Concat(new byte[2], I16(1000, -2000, 30000, -32768));
            byte[] filter = Conv2DTests.I8(1, -128, 2, 0, 3, 0, 4, 127);
            byte[] bias = I64(0, -1000);
            byte[] quant = Conv2DTests.I32(1 << 30, 1 << 30, -5, -7);
            byte[] output = new byte[16];

            DepthwiseConv2D16x8.Eval(p, input, 2, filter, 0, bias, 0, quant, 0, 8, output, 0);

            Assert.Equal(new[] { -689, -16760, -1567, 996, -555, -15004, -512, 16380 }, ReadI16(output, 0, 8));

            // No bias, range [-600, 600]: ch1 (1,1) 4194304 / 256 = 16384 -> 600, (0,0) -> -600; ch0 (0,1) -1567 -> -600.
            p.ActivationMin = -600;
            p.ActivationMax = 600;
            DepthwiseConv2D16x8.Eval(p, input, 2, filter, 0, null, -1, quant, 0, 8, output, 0);
            Assert.Equal(new[] { -600, -600, -600, 600, -555, -600, -512, 600 }, ReadI16(output, 0, 8));
        }

        // ------------------------------------------------------------ pooling int16

        // Input 1x3x3x1:   1000  -2000       3
        //                    -4      5      -6
        //                  7000  -8000  -32768
        // 2x2 filter, stride 2, SAME: output 2x2, total pad (2-1)*2+2-3 = 1, leading 0, so the right
        // column and bottom row of windows are clipped (taps outside skipped and not counted).
        static PoolParams Pool3x3() => new PoolParams
        {
            Batches = 1, InputHeight = 3, InputWidth = 3, Channels = 1, OutputHeight = 2, OutputWidth = 2,
            FilterHeight = 2, FilterWidth = 2, StrideHeight = 2, StrideWidth = 2,
            ActivationMin = -32768, ActivationMax = 32767, ElementType = DataType.Int16,
        };

        static readonly int[] PoolInput = { 1000, -2000, 3, -4, 5, -6, 7000, -8000, -32768 };

        [Fact]
        public void MaxPoolInt16_ClippedWindows_MatchHandComputation()
        {
            // (0,0) max(1000, -2000, -4, 5) = 1000; (0,1) max(3, -6) = 3; (1,0) max(7000, -8000) = 7000;
            // (1,1) the single tap -32768 (max starts at int16's lowest).
            var output = new byte[2 + 8];
            MaxPool2D.EvalInt16(Pool3x3(), Concat(new byte[4], I16(PoolInput)), 4, output, 2);
            Assert.Equal(new[] { 0, 1000, 3, 7000, -32768 }, ReadI16(output, 0, 5));

            // Activation range [-5, 5000]: 1000, 3, 5000, -5.
            var p = Pool3x3();
            p.ActivationMin = -5;
            p.ActivationMax = 5000;
            MaxPool2D.EvalInt16(p, I16(PoolInput), 0, output, 0);
            Assert.Equal(new[] { 1000, 3, 5000, -5 }, ReadI16(output, 0, 4));
        }

        [Fact]
        public void AveragePoolInt16_RoundsHalfAwayFromZeroOverClippedCounts()
        {
            // (0,0) (1000 - 2000 - 4 + 5) = -999 over 4: (-999 - 2) / 4 = -250.25 -> -250;
            // (0,1) (3 - 6) = -3 over 2: (-3 - 1) / 2 = -2 (-1.5 away from zero);
            // (1,0) -1000 over 2: (-1000 - 1) / 2 = -500; (1,1) -32768 over 1.
            var output = new byte[8];
            AveragePool2D.EvalInt16(Pool3x3(), I16(PoolInput), 0, output, 0);
            Assert.Equal(new[] { -250, -2, -500, -32768 }, ReadI16(output, 0, 4));

            // Positive halves go up: 1x1x2x2 input (101, 32767), (102, 32767) over a 1x2 window:
            // (203 + 1) / 2 = 102 (101.5 -> 102); 65534 / 2 = 32767 (the int32 sum does not overflow).
            var p = new PoolParams
            {
                Batches = 1, InputHeight = 1, InputWidth = 2, Channels = 2, OutputHeight = 1, OutputWidth = 1,
                FilterHeight = 1, FilterWidth = 2, StrideHeight = 1, StrideWidth = 1,
                ActivationMin = -32768, ActivationMax = 32767, ElementType = DataType.Int16,
            };
            AveragePool2D.EvalInt16(p, I16(101, 32767, 102, 32767), 0, output, 0);
            Assert.Equal(new[] { 102, 32767 }, ReadI16(output, 0, 2));
        }

        static byte[] Concat(params byte[][] parts)
        {
            int n = 0;
            foreach (var q in parts) n += q.Length;
            var r = new byte[n];
            int at = 0;
            foreach (var q in parts) { q.CopyTo(r, at); at += q.Length; }
            return r;
        }
    }
}
