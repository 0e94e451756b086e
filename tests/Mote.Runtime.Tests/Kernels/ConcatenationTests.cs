using Mote.Runtime.Kernels;
using Xunit;
using static Mote.Runtime.Tests.Kernels.Conv2DTests;

namespace Mote.Runtime.Tests.Kernels
{
    public class ConcatenationTests
    {
        [Fact]
        public void Eval_LastAxis_InterleavesRows()
        {
            // [2,2] (1 2 / 3 4) ++ [2,3] (5 6 7 / 8 9 10) on axis 1 -> [2,5]:
            // outer size 2, copy sizes 2 and 3 bytes per row.
            var p = new ConcatenationParams { Axis = 1, InputCount = 2, OuterSize = 2, CopyBytes = new[] { 2, 3 } };
            var output = new byte[10];
            Concatenation.Eval(p, new[] { I8(1, 2, 3, 4), I8(0, 5, 6, 7, 8, 9, 10) }, new[] { 0, 1 }, output, 0);
            Assert.Equal(new[] { 1, 2, 5, 6, 7, 3, 4, 8, 9, 10 }, ReadI8(output, 0, 10));
        }

        [Fact]
        public void Eval_FirstAxisThreeInputs_AppendsWholeTensors()
        {
            // [1,2] ++ [2,2] ++ [1,2] on axis 0 -> [4,2]: outer size 1, copies of 2, 4 and 2 bytes.
            var p = new ConcatenationParams { Axis = 0, InputCount = 3, OuterSize = 1, CopyBytes = new[] { 2, 4, 2 } };
            var output = new byte[9];
            Concatenation.Eval(p, new[] { I8(1, 2), I8(3, 4, 5, 6), I8(-7, -8) }, new[] { 0, 0, 0 }, output, 1);
            Assert.Equal(new[] { 0, 1, 2, 3, 4, 5, 6, -7, -8 }, ReadI8(output, 0, 9));
        }
    }
}
