using System;
using Mote.Runtime.Kernels;
using Xunit;

namespace Mote.Runtime.Tests.Kernels
{
    public class Conv2DTests
    {
        internal static byte[] I8(params int[] values)
        {
            var b = new byte[values.Length];
            for (int i = 0; i < values.Length; i++) b[i] = unchecked((byte)(sbyte)values[i]);
            return b;
        }

        internal static byte[] I32(params int[] values)
        {
            var b = new byte[values.Length * 4];
            for (int i = 0; i < values.Length; i++) BitConverter.GetBytes(values[i]).CopyTo(b, i * 4);
            return b;
        }

        internal static int[] ReadI8(byte[] b, int start, int count)
        {
            var r = new int[count];
            for (int i = 0; i < count; i++) r[i] = (sbyte)b[start + i];
            return r;
        }

        [Fact]
        public void Eval_3x3Input2x2FilterSamePaddingPerChannelShifts_MatchesHandComputation()
        {
            // Input 1x3x3x1, zero point 1 (InputOffset -1). Stored q and real-offset v = q - 1:
            //   q = 2 3 4     v = 1 2 3
            //       5 6 7         4 5 6
            //       8 9 10        7 8 9
            // Filter [Cout=2, KH=2, KW=2, Cin=1]:
            //   ch0 = [[1, 0], [0, 1]]   -> v(y, x) + v(y+1, x+1)
            //   ch1 = [[1, 1], [1, 1]]   -> sum of the 2x2 window
            // Bias ch0 = 10, ch1 = -4.
            // ch0: multiplier 2^30 (0.5), shift 0.  ch1: multiplier 2^30, shift -1 (x 0.25).
            // SAME, stride 1: output 3x3, total padding 1 -> top/left 0, the last
            // row/column windows hang over the bottom/right edge (taps skipped).
            // OutputOffset -3.
            //
            // ch0 acc -> SRDHM(acc, 0.5) (halves up) -> -3:
            //  (0,0) 1+5+10=16 -> 8 -> 5     (0,1) 2+6+10=18 -> 9 -> 6     (0,2) 3+10=13 -> 6.5->7 -> 4
            //  (1,0) 4+8+10=22 -> 11 -> 8    (1,1) 5+9+10=24 -> 12 -> 9    (1,2) 6+10=16 -> 8 -> 5
            //  (2,0) 7+10=17 -> 8.5->9 -> 6  (2,1) 8+10=18 -> 9 -> 6       (2,2) 9+10=19 -> 9.5->10 -> 7
            // ch1 acc -> SRDHM(acc, 0.5) -> RDBPOT(., 1) -> -3:
            //  (0,0) 12-4=8 -> 4 -> 2 -> -1      (0,1) 16-4=12 -> 6 -> 3 -> 0
            //  (0,2) 3+6-4=5 -> 2.5->3 -> 1.5->2 -> -1 (double rounding; exact 1.25)
            //  (1,0) 24-4=20 -> 10 -> 5 -> 2     (1,1) 28-4=24 -> 12 -> 6 -> 3
            //  (1,2) 6+9-4=11 -> 5.5->6 -> 3 -> 0
            //  (2,0) 7+8-4=11 -> 0               (2,1) 8+9-4=13 -> 6.5->7 -> 3.5->4 -> 1
            //  (2,2) 9-4=5 -> -1
            var p = new ConvParams
            {
                Batches = 1, InputHeight = 3, InputWidth = 3, InputChannels = 1,
                FilterHeight = 2, FilterWidth = 2,
                OutputHeight = 3, OutputWidth = 3, OutputChannels = 2,
                StrideHeight = 1, StrideWidth = 1, DilationHeight = 1, DilationWidth = 1,
                PadTop = 0, PadLeft = 0,
                InputOffset = -1, OutputOffset = -3,
                ActivationMin = -128, ActivationMax = 127,
            };
            // Data placed at non-zero starts to check the offsets are honoured.
            byte[] input = I8(99, 99, 2, 3, 4, 5, 6, 7, 8, 9, 10);
            byte[] filter = I8(7, 1, 0, 0, 1, 1, 1, 1, 1);
            byte[] bias = I32(12345, 10, -4);
            byte[] quant = I32(-1, 1 << 30, 1 << 30, 0, -1);
            byte[] output = new byte[3 + 18];

            Conv2D.Eval(p, input, 2, filter, 1, bias, 4, quant, 4, 12, output, 3);

            Assert.Equal(new[] { 5, -1, 6, 0, 4, -1, 8, 2, 9, 3, 5, 0, 6, 0, 6, 1, 7, -1 }, ReadI8(output, 3, 18));
            Assert.Equal(new[] { 0, 0, 0 }, ReadI8(output, 0, 3));
        }

        [Fact]
        public void Eval_Stride2Dilation2NoBiasLeftShift_ClampsToActivationMax()
        {
            // Input 1x5x5x1, zero point 0, q(y, x) = 5y + x. Filter 1x2x2x1 all ones,
            // dilation 2 (taps at +0 and +2), stride 2, VALID: output 2x2.
            //  (0,0) q(0,0)+q(0,2)+q(2,0)+q(2,2) = 0+2+10+12 = 24
            //  (0,1) 2+4+12+14 = 32   (1,0) 10+12+20+22 = 64   (1,1) 12+14+22+24 = 72
            // No bias. Multiplier 2^30 (0.5), shift +1: acc * 2 * 0.5 = acc.
            // Activation max 60 clamps 64 and 72.
            var p = new ConvParams
            {
                Batches = 1, InputHeight = 5, InputWidth = 5, InputChannels = 1,
                FilterHeight = 2, FilterWidth = 2,
                OutputHeight = 2, OutputWidth = 2, OutputChannels = 1,
                StrideHeight = 2, StrideWidth = 2, DilationHeight = 2, DilationWidth = 2,
                InputOffset = 0, OutputOffset = 0,
                ActivationMin = -128, ActivationMax = 60,
            };
            var q = new int[25];
            for (int i = 0; i < 25; i++) q[i] = i;
            byte[] output = new byte[4];

            Conv2D.Eval(p, I8(q), 0, I8(1, 1, 1, 1), 0, null, -1, I32(1 << 30, 1), 0, 4, output, 0);

            Assert.Equal(new[] { 24, 32, 60, 60 }, ReadI8(output, 0, 4));
        }

        [Fact]
        public void Eval_TapsOutsideImage_AreSkippedLikeZeroPointPadding()
        {
            // Input 1x2x2x1 with zero point 5 (InputOffset -5): q = 5 5 / 5 9, i.e. real
            // offsets 0 0 / 0 4. Filter 3x3 all ones, pad 1/1, stride 1: every window
            // covers the whole image plus padding. Skipped taps contribute nothing
            // (as if padded with the zero point), so every output is 4 (x 1 rescale).
            // Had padding been q = 0, each padded tap would add (0 - 5) * 1.
            var p = new ConvParams
            {
                Batches = 1, InputHeight = 2, InputWidth = 2, InputChannels = 1,
                FilterHeight = 3, FilterWidth = 3,
                OutputHeight = 2, OutputWidth = 2, OutputChannels = 1,
                StrideHeight = 1, StrideWidth = 1, DilationHeight = 1, DilationWidth = 1,
                PadTop = 1, PadLeft = 1,
                InputOffset = -5, OutputOffset = 0,
                ActivationMin = -128, ActivationMax = 127,
            };
            byte[] output = new byte[4];

            Conv2D.Eval(p, I8(5, 5, 5, 9), 0, I8(1, 1, 1, 1, 1, 1, 1, 1, 1), 0, I32(0), 0, I32(1 << 30, 1), 0, 4, output, 0);

            Assert.Equal(new[] { 4, 4, 4, 4 }, ReadI8(output, 0, 4));
        }

        [Fact]
        public void Eval_TwoBatchesTwoInputChannels_SumsChannelsPerBatch()
        {
            // Input 2x1x1x2: batch 0 = (3, -2), batch 1 = (-4, 7); zero point 0.
            // Filter 1x1x1x2 = (2, 1): batch 0 -> 6 - 2 = 4, batch 1 -> -8 + 7 = -1.
            // Bias 1: 5 and 0. Multiplier 2^30, shift 1 -> x 1. OutputOffset 10: 15 and 10.
            var p = new ConvParams
            {
                Batches = 2, InputHeight = 1, InputWidth = 1, InputChannels = 2,
                FilterHeight = 1, FilterWidth = 1,
                OutputHeight = 1, OutputWidth = 1, OutputChannels = 1,
                StrideHeight = 1, StrideWidth = 1, DilationHeight = 1, DilationWidth = 1,
                InputOffset = 0, OutputOffset = 10,
                ActivationMin = -128, ActivationMax = 127,
            };
            byte[] output = new byte[2];

            Conv2D.Eval(p, I8(3, -2, -4, 7), 0, I8(2, 1), 0, I32(1), 0, I32(1 << 30, 1), 0, 4, output, 0);

            Assert.Equal(new[] { 15, 10 }, ReadI8(output, 0, 2));
        }
    }
}
