using Mote.Runtime.Kernels;
using Xunit;
using static Mote.Runtime.Tests.Kernels.Conv2DTests;

namespace Mote.Runtime.Tests.Kernels
{
    public class MaxPool2DTests
    {
        [Fact]
        public void Eval_2x2Stride2WithReluClamp_RaisesNegativeMaximaToZeroPoint()
        {
            // Input 1x4x4x1:
            //   -50  -20 |  5   -3
            //   -30  -40 |  7  100
            //   -128 -128|  0    1
            //   -128 -100|  2   -1
            // Window maxima: -20, 100, -100, 2. Fused RELU with zero point -10 gives
            // activation min -10: -10, 100, -10, 2.
            var p = new PoolParams
            {
                Batches = 1, InputHeight = 4, InputWidth = 4, Channels = 1,
                OutputHeight = 2, OutputWidth = 2, FilterHeight = 2, FilterWidth = 2,
                StrideHeight = 2, StrideWidth = 2,
                ActivationMin = -10, ActivationMax = 127,
            };
            byte[] input = I8(-50, -20, 5, -3, -30, -40, 7, 100, -128, -128, 0, 1, -128, -100, 2, -1);
            byte[] output = new byte[4];

            MaxPool2D.Eval(p, input, 0, output, 0);

            Assert.Equal(new[] { -10, 100, -10, 2 }, ReadI8(output, 0, 4));
        }

        [Fact]
        public void Eval_SamePaddingAllNegative_IgnoresPaddedTaps()
        {
            // 1x2x2x2 input, all values negative; 3x3 filter stride 1 SAME, pad 1/1:
            // every window covers the whole image. Padded taps are skipped, so the
            // maximum stays negative (a zero-padding reading would give 0).
            // ch0 = (-5, -3, -9, -7) -> -3; ch1 = (-128, -100, -127, -126) -> -100.
            var p = new PoolParams
            {
                Batches = 1, InputHeight = 2, InputWidth = 2, Channels = 2,
                OutputHeight = 2, OutputWidth = 2, FilterHeight = 3, FilterWidth = 3,
                StrideHeight = 1, StrideWidth = 1, PadTop = 1, PadLeft = 1,
                ActivationMin = -128, ActivationMax = 127,
            };
            byte[] input = I8(-5, -128, -3, -100, -9, -127, -7, -126);
            byte[] output = new byte[8];

            MaxPool2D.Eval(p, input, 0, output, 0);

            Assert.Equal(new[] { -3, -100, -3, -100, -3, -100, -3, -100 }, ReadI8(output, 0, 8));
        }

        [Fact]
        public void Eval_ActivationMax_ClampsLargeMaxima()
        {
            // Two batches of 1x2x2x1, global 2x2 window; maxima 120 and 50; RELU6-style max 60.
            var p = new PoolParams
            {
                Batches = 2, InputHeight = 2, InputWidth = 2, Channels = 1,
                OutputHeight = 1, OutputWidth = 1, FilterHeight = 2, FilterWidth = 2,
                StrideHeight = 2, StrideWidth = 2,
                ActivationMin = -128, ActivationMax = 60,
            };
            byte[] output = new byte[2];

            MaxPool2D.Eval(p, I8(1, 120, 3, 4, 50, -1, -2, -3), 0, output, 0);

            Assert.Equal(new[] { 60, 50 }, ReadI8(output, 0, 2));
        }
    }
}
