using Mote.Runtime.Kernels;
using Xunit;
using static Mote.Runtime.Tests.Kernels.Conv2DTests;

namespace Mote.Runtime.Tests.Kernels
{
    public class PadTests
    {
        private static PadParams Params(int padValue, int[] outShape, int[] left, int[] right)
        {
            return new PadParams { PadValue = padValue, OutputShape = outShape, LeftPadding = left, RightPadding = right,
                InputShape = new int[5] };
        }

        [Fact]
        public void Eval_2DPaddingsBeforeAndAfter_MatchesHandLayout()
        {
            // Input [2,3] = 1..6 (as 5-D [1,1,1,2,3]); paddings [[1,0],[0,2]] -> output [3,5], pad 9:
            //  9 9 9 9 9
            //  1 2 3 9 9
            //  4 5 6 9 9
            var p = Params(9, new[] { 1, 1, 1, 3, 5 }, new[] { 0, 0, 0, 1, 0 }, new[] { 0, 0, 0, 0, 2 });
            var output = new byte[15];
            Pad.Eval(p, I8(1, 2, 3, 4, 5, 6), 0, output, 0);
            Assert.Equal(new[] { 9, 9, 9, 9, 9, 1, 2, 3, 9, 9, 4, 5, 6, 9, 9 }, ReadI8(output, 0, 15));
        }

        [Fact]
        public void Eval_OuterAndInnermostDimensions_MatchesHandLayout()
        {
            // 5-D input [1,1,1,1,2] = (7, 8) at array offset 2; pad dim 0 by (1, 0) and dim 4 by (0, 1),
            // value -128: output [2,1,1,1,3] = (-128 x3, 7, 8, -128), written from offset 1.
            var p = Params(-128, new[] { 2, 1, 1, 1, 3 }, new[] { 1, 0, 0, 0, 0 }, new[] { 0, 0, 0, 0, 1 });
            var output = new byte[7];
            Pad.Eval(p, I8(0, 0, 7, 8), 2, output, 1);
            Assert.Equal(new[] { 0, -128, -128, -128, 7, 8, -128 }, ReadI8(output, 0, 7));
        }
    }
}
