using Mote.Runtime.Kernels;
using Xunit;
using static Mote.Runtime.Tests.Kernels.Conv2DTests;

namespace Mote.Runtime.Tests.Kernels
{
    public class MeanTests
    {
        // Input [2,3,2] (b, h, c), values by (b, h): b0: (1,2) (4,5) (7,-3); b1: (-6,9) (0,10) (3,-20).
        private static readonly int[] Input = { 1, 2, 4, 5, 7, -3, -6, 9, 0, 10, 3, -20 };

        [Fact]
        public void Eval_MiddleAxis_AveragesThreeElementsPerOutput()
        {
            // Equal scales: (2^30, 1); TFLM folds 1/3 in: shift = floor(log2 3) = 1,
            // multiplier (2^30 << 1) / 3 = 715827882, shift 1 - 1 = 0.
            // Sums over h: b0 c0 12 -> 4, b0 c1 4 -> 1.33 -> 1, b1 c0 -3 -> -1, b1 c1 -1 -> -0.33 -> 0; + zp 5.
            var p = new MeanParams
            {
                OutputOffset = 5, OutputMultiplier = 715827882, OutputShift = 0, OutputCount = 4, ReducedCount = 3,
                KeptExtents = new[] { 2, 2 }, KeptStrides = new[] { 6, 1 }, ReducedExtents = new[] { 3 }, ReducedStrides = new[] { 2 },
            };
            var output = new byte[4];
            Mean.Eval(p, I8(Input), 0, output, 0);
            Assert.Equal(new[] { 9, 6, 4, 5 }, ReadI8(output, 0, 4));
        }

        [Fact]
        public void Eval_AllAxesWithInputZeroPoint_AveragesEverything()
        {
            // Input zero point -2 (offset +2): sum 12 + 12 * 2 = 36 over 12 elements = 3.
            // n = 12: shift 3, multiplier (2^30 << 3) / 12 = 715827882, shift 1 - 3 = -2:
            // SRDHM(36, m) = 12 (11.99999999 rounds to 12), then 12 / 4 = 3.
            var p = new MeanParams
            {
                InputOffset = 2, OutputMultiplier = 715827882, OutputShift = -2, OutputCount = 1, ReducedCount = 12,
                KeptExtents = new int[0], KeptStrides = new int[0], ReducedExtents = new[] { 2, 3, 2 }, ReducedStrides = new[] { 6, 2, 1 },
            };
            var output = new byte[2];
            Mean.Eval(p, I8(Input), 0, output, 1);
            Assert.Equal(new[] { 0, 3 }, ReadI8(output, 0, 2));
        }

        [Fact]
        public void Eval_FirstAndLastAxes_KeepsMiddle()
        {
            // Reduce b and c (4 elements per h): sums h0 1+2-6+9 = 6, h1 4+5+0+10 = 19, h2 7-3+3-20 = -13.
            // Multiplier for n = 4 at equal scales: shift 2, (2^30 << 2) / 4 = 2^30, shift 1 - 2 = -1:
            // 6 -> 1.5 -> 2 (SRDHM 3, then 3 / 2 = 1.5 -> 2 away from zero); 19 -> 4.75 -> 5; -13 -> -3.25 -> -3.
            var p = new MeanParams
            {
                OutputMultiplier = 1 << 30, OutputShift = -1, OutputCount = 3, ReducedCount = 4,
                KeptExtents = new[] { 3 }, KeptStrides = new[] { 2 }, ReducedExtents = new[] { 2, 2 }, ReducedStrides = new[] { 6, 1 },
            };
            var output = new byte[3];
            Mean.Eval(p, I8(Input), 0, output, 0);
            Assert.Equal(new[] { 2, 5, -3 }, ReadI8(output, 0, 3));
        }
    }
}
