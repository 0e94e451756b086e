using Mote.Runtime.Kernels;
using Xunit;
using static Mote.Runtime.Tests.Kernels.Conv2DTests;

namespace Mote.Runtime.Tests.Kernels
{
    public class FullyConnectedTests
    {
        [Fact]
        public void Eval_TwoBatchesPerChannelMultipliers_MatchesHandComputation()
        {
            // Input [2, 3], zero point -1 (InputOffset 1):
            //   b0 = (0, 1, 2) -> +1 = (1, 2, 3);  b1 = (-1, -2, 3) -> (0, -1, 4).
            // Filter [2, 3]: o0 = (1, 2, 3), o1 = (-1, 0, 1). Bias (1, -2).
            //   b0o0 = 1+4+9 + 1 = 15   b0o1 = -1+0+3 - 2 = 0
            //   b1o0 = 0-2+12 + 1 = 11  b1o1 = 0+0+4 - 2 = 2
            // o0: multiplier 2^30 (0.5), shift 0;  o1: 1610612736 (0.75), shift 2 (x 3).
            //   b0o0 7.5 -> 8   b0o1 0   b1o0 5.5 -> 6   b1o1 2*4*0.75 = 6
            // OutputOffset 5: (13, 5, 11, 11).
            var p = new FullyConnectedParams
            {
                Batches = 2, AccumDepth = 3, OutputDepth = 2,
                InputOffset = 1, FilterOffset = 0, OutputOffset = 5,
                ActivationMin = -128, ActivationMax = 127,
            };
            byte[] output = new byte[4];

            FullyConnected.Eval(p, I8(0, 1, 2, -1, -2, 3), 0, I8(1, 2, 3, -1, 0, 1), 0, I32(1, -2), 0,
                I32(1 << 30, 1610612736, 0, 2), 0, 8, output, 0);

            Assert.Equal(new[] { 13, 5, 11, 11 }, ReadI8(output, 0, 4));
        }

        [Fact]
        public void Eval_NoBiasWithFilterOffsetAndClamp_MatchesHandComputation()
        {
            // Legacy per-tensor form with a filter offset of 1 (filter zero point -1).
            // Input (10, -20), InputOffset 0; filter (2, 3) -> (3, 4).
            // acc = 30 - 80 = -50; multiplier 2^30, shift 1 -> x 1; OutputOffset 0.
            // Activation range [-40, 40] clamps to -40.
            var p = new FullyConnectedParams
            {
                Batches = 1, AccumDepth = 2, OutputDepth = 1,
                InputOffset = 0, FilterOffset = 1, OutputOffset = 0,
                ActivationMin = -40, ActivationMax = 40,
            };
            byte[] output = new byte[1];

            FullyConnected.Eval(p, I8(10, -20), 0, I8(2, 3), 0, null, -1, I32(1 << 30, 1), 0, 4, output, 0);

            Assert.Equal(new[] { -40 }, ReadI8(output, 0, 1));
        }

        [Fact]
        public void Eval_AccumulatorBeyondInt8_RescalesAndRoundsNegativeHalfAway()
        {
            // Input 4 x 127, filter 4 x 127, zero offsets: acc = 4 * 16129 = 64516.
            // Bias -64516 - 3 = -64519 -> acc = -3.
            // multiplier 2^30, shift -1 (x 0.25): SRDHM(-3, 0.5) = -1.5 -> -1 (halves up),
            // then -1 / 2 = -0.5 -> -1 (away from zero). OutputOffset 0 -> -1.
            var p = new FullyConnectedParams
            {
                Batches = 1, AccumDepth = 4, OutputDepth = 1,
                ActivationMin = -128, ActivationMax = 127,
            };
            byte[] output = new byte[1];

            FullyConnected.Eval(p, I8(127, 127, 127, 127), 0, I8(127, 127, 127, 127), 0, I32(-64519), 0,
                I32(1 << 30, -1), 0, 4, output, 0);

            Assert.Equal(new[] { -1 }, ReadI8(output, 0, 1));
        }
    }
}
