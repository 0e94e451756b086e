using Mote.Runtime.Kernels;
using Xunit;
using static Mote.Runtime.Tests.Kernels.Conv2DTests;

namespace Mote.Runtime.Tests.Kernels
{
    public class AddTests
    {
        // Hand-derived params for input1 scale 0.5, input2 scale 0.25, output scale 0.5
        // (TFLM CalculateOpDataAdd): twice_max = 1.0, input1 multiplier 0.5 ->
        // (2^30, 0), input2 multiplier 0.25 -> (2^30, -1), output multiplier
        // 1 / (2^20 * 0.5) = 2^-19 -> (2^30, -18). Left shift 20.
        private static AddParams Params(int in1Zp, int in2Zp, int outZp, int actMin, int actMax)
        {
            return new AddParams
            {
                LeftShift = 20,
                Input1Offset = -in1Zp, Input1Multiplier = 1 << 30, Input1Shift = 0,
                Input2Offset = -in2Zp, Input2Multiplier = 1 << 30, Input2Shift = -1,
                OutputOffset = outZp, OutputMultiplier = 1 << 30, OutputShift = -18,
                ActivationMin = actMin, ActivationMax = actMax,
            };
        }

        [Fact]
        public void Eval_SameShapeWithOffsetsRoundingAndClamp_MatchesHandComputation()
        {
            // Zero points: in1 2, in2 -1, out 10. Activation [-128, 100].
            // Real result in output steps = (q1 - 2) * 0.5 / 0.5 + (q2 + 1) * 0.25 / 0.5.
            //  (6, 3):      4 + 2 = 6                         -> 16
            //  (3, 0):      1 + 0.5 = 1.5 -> 2 (half away)     -> 12
            //  (1, -2):     -1 - 0.5 = -1.5 -> -2              -> 8
            //  (127, 127):  125 + 64 = 189 -> 199              -> clamp 100
            //  (-128, -128): -130 - 63.5 = -193.5 -> -194      -> -184 -> clamp -128
            // Fixed point for (3, 0): 1 << 20 = 1048576 -> *0.5 = 524288;
            // 1 << 20 -> *0.5 = 524288 -> /2 = 262144; sum 786432 -> *0.5 = 393216;
            // 393216 / 2^18 = 1.5 -> 2.
            var p = Params(2, -1, 10, -128, 100);
            p.FlatSize = 5;
            byte[] output = new byte[5];

            Add.Eval(p, I8(6, 3, 1, 127, -128), 0, I8(3, 0, -2, 127, -128), 0, output, 0);

            Assert.Equal(new[] { 16, 12, 8, 100, -128 }, ReadI8(output, 0, 5));
        }

        [Fact]
        public void Eval_BroadcastPerChannelSecondInput_MatchesHandComputation()
        {
            // in1 [1,2,2,2] real values 1..8 (q = 2 * real at scale 0.5, zero points 0);
            // in2 [1,1,1,2] real (1, -1) (q = 4, -4 at scale 0.25).
            // Sums: 2, 1, 4, 3, 6, 5, 8, 7; at output scale 0.5: 4, 2, 8, 6, 12, 10, 16, 14.
            var p = Params(0, 0, 0, -128, 127);
            p.Broadcast = true;
            p.Input1Shape = new[] { 1, 2, 2, 2 };
            p.Input2Shape = new[] { 1, 1, 1, 2 };
            p.OutputShape = new[] { 1, 2, 2, 2 };
            byte[] output = new byte[8];

            Add.Eval(p, I8(2, 4, 6, 8, 10, 12, 14, 16), 0, I8(4, -4), 0, output, 0);

            Assert.Equal(new[] { 4, 2, 8, 6, 12, 10, 16, 14 }, ReadI8(output, 0, 8));
        }

        [Fact]
        public void Eval_BroadcastFirstInputAndWidthOnly_MatchesHandComputation()
        {
            // Roles swapped: in1 is the small one, [1,1,2,1] real (1, -1) indexed by x,
            // at scale 0.5 (q = 2, -2); in2 [1,2,2,2] at scale 0.25, real values 1..8
            // (q = 4 * real). Output [1,2,2,2] at scale 0.5, element (y, x, c):
            // real = in2(y,x,c) + (x == 0 ? 1 : -1):
            //  (0,0,*) 1+1, 2+1  (0,1,*) 3-1, 4-1  (1,0,*) 5+1, 6+1  (1,1,*) 7-1, 8-1
            //  = 2, 3, 2, 3, 6, 7, 6, 7 -> / 0.5 = 4, 6, 4, 6, 12, 14, 12, 14.
            var p = Params(0, 0, 0, -128, 127);
            p.Broadcast = true;
            p.Input1Shape = new[] { 1, 1, 2, 1 };
            p.Input2Shape = new[] { 1, 2, 2, 2 };
            p.OutputShape = new[] { 1, 2, 2, 2 };
            byte[] output = new byte[8];

            Add.Eval(p, I8(2, -2), 0, I8(4, 8, 12, 16, 20, 24, 28, 32), 0, output, 0);

            Assert.Equal(new[] { 4, 6, 4, 6, 12, 14, 12, 14 }, ReadI8(output, 0, 8));
        }
    }
}
