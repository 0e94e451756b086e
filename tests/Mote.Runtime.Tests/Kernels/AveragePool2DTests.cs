using Mote.Runtime.Kernels;
using Xunit;
using static Mote.Runtime.Tests.Kernels.Conv2DTests;

namespace Mote.Runtime.Tests.Kernels
{
    public class AveragePool2DTests
    {
        private static PoolParams Params3x3Same()
        {
            // 1x3x3x1 input, 3x3 filter, stride 1, SAME: output 3x3, total padding 2,
            // top = left = 1.
            return new PoolParams
            {
                Batches = 1, InputHeight = 3, InputWidth = 3, Channels = 1,
                OutputHeight = 3, OutputWidth = 3, FilterHeight = 3, FilterWidth = 3,
                StrideHeight = 1, StrideWidth = 1, PadTop = 1, PadLeft = 1,
                ActivationMin = -128, ActivationMax = 127,
            };
        }

        [Fact]
        public void Eval_SamePaddingCornersAndEdges_DivideByInImageTapCount()
        {
            // Input 1 2 3 / 4 5 6 / 7 8 9. Rounded division (acc + n/2) / n:
            //  (0,0) 1+2+4+5 = 12 / 4 = 3          (0,1) 21 / 6 = 3.5 -> 4
            //  (0,2) 2+3+5+6 = 16 / 4 = 4          (1,0) 27 / 6 = 4.5 -> 5
            //  (1,1) 45 / 9 = 5                    (1,2) 33 / 6 = 5.5 -> 6
            //  (2,0) 24 / 4 = 6                    (2,1) 39 / 6 = 6.5 -> 7
            //  (2,2) 28 / 4 = 7
            // (Dividing by the full 9 taps would give 1 at the corner.)
            byte[] output = new byte[9];

            AveragePool2D.Eval(Params3x3Same(), I8(1, 2, 3, 4, 5, 6, 7, 8, 9), 0, output, 0);

            Assert.Equal(new[] { 3, 4, 4, 5, 5, 6, 6, 7, 7 }, ReadI8(output, 0, 9));
        }

        [Fact]
        public void Eval_NegativeSums_RoundHalvesAwayFromZeroAndClamp()
        {
            // Negated input -1..-9: (acc - n/2) / n with truncating division.
            //  (0,0) -12/4 = -3   (0,1) -21/6 = -3.5 -> -4   (0,2) -4   (1,0) -4.5 -> -5
            //  (1,1) -45/9 -> (-45-4)/9 = -5   (1,2) -5.5 -> -6 -> clamp -5
            //  (2,0) -6 -> clamp -5   (2,1) -6.5 -> -7 -> -5   (2,2) -7 -> -5
            var p = Params3x3Same();
            p.ActivationMin = -5;
            byte[] output = new byte[9];

            AveragePool2D.Eval(p, I8(-1, -2, -3, -4, -5, -6, -7, -8, -9), 0, output, 0);

            Assert.Equal(new[] { -3, -4, -4, -5, -5, -5, -5, -5, -5 }, ReadI8(output, 0, 9));
        }

        [Fact]
        public void Eval_Stride2SameBottomRightCorner_AveragesSingleTap()
        {
            // 1x3x3x2 input, 2x2 filter stride 2 SAME: output 2x2, total padding 1 ->
            // top/left 0, so the bottom-right window holds only pixel (2,2).
            // Channel 0 = 10..90 step 10, channel 1 = -1..-9.
            //  (0,0): ch0 (10+20+40+50)/4 = 30;  ch1 -12/4 = -3
            //  (0,1): ch0 (30+60)/2 = 45;        ch1 (-3-6)/2 = -4.5 -> -5
            //  (1,0): ch0 (70+80)/2 = 75;        ch1 -7.5 -> -8
            //  (1,1): ch0 90;                    ch1 -9
            var p = new PoolParams
            {
                Batches = 1, InputHeight = 3, InputWidth = 3, Channels = 2,
                OutputHeight = 2, OutputWidth = 2, FilterHeight = 2, FilterWidth = 2,
                StrideHeight = 2, StrideWidth = 2, PadTop = 0, PadLeft = 0,
                ActivationMin = -128, ActivationMax = 127,
            };
            byte[] input = I8(10, -1, 20, -2, 30, -3, 40, -4, 50, -5, 60, -6, 70, -7, 80, -8, 90, -9);
            byte[] output = new byte[8];

            AveragePool2D.Eval(p, input, 0, output, 0);

            Assert.Equal(new[] { 30, -3, 45, -5, 75, -8, 90, -9 }, ReadI8(output, 0, 8));
        }
    }
}
