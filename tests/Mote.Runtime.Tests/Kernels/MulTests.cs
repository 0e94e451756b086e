using Mote.Runtime.Kernels;
using Xunit;
using static Mote.Runtime.Tests.Kernels.Conv2DTests;

namespace Mote.Runtime.Tests.Kernels
{
    public class MulTests
    {
        // Hand-derived (TFLM CalculateOpDataMul): input scales 0.5 and 0.25, output scale 0.25:
        // real multiplier 0.5 * 0.25 / 0.25 = 0.5 = 0.5 * 2^0 -> (2^30, shift 0).
        private static MulParams Params(int in1Zp, int in2Zp, int outZp, int multiplier, int shift, int actMin, int actMax)
        {
            return new MulParams
            {
                Input1Offset = -in1Zp, Input2Offset = -in2Zp, OutputOffset = outZp,
                OutputMultiplier = multiplier, OutputShift = shift, ActivationMin = actMin, ActivationMax = actMax,
            };
        }

        [Fact]
        public void Eval_SameShapeWithOffsetsRoundingAndClamp_MatchesHandComputation()
        {
            // Zero points 1, -2, output 3; out = 3 + (q1 - 1) * (q2 + 2) * 0.5, halves rounded
            // towards +infinity (SaturatingRoundingDoublingHighMul), clamped to [-128, 127]:
            //  (5, 2):      4 * 4 = 16 -> 8            -> 11
            //  (0, 0):     -1 * 2 = -2 -> -1           -> 2
            //  (2, -1):     1 * 1 = 1 -> 0.5 -> 1      -> 4
            //  (0, -1):    -1 * 1 = -1 -> -0.5 -> 0    -> 3
            //  (127, 127):  126 * 129 = 16254 -> 8127  -> clamp 127
            //  (-128, 127): -129 * 129 = -16641 -> -8320.5 -> -8320 -> clamp -128
            var p = Params(1, -2, 3, 1 << 30, 0, -128, 127);
            p.FlatSize = 6;
            var output = new byte[6];

            Mul.Eval(p, I8(5, 0, 2, 0, 127, -128), 0, I8(2, 0, -1, -1, 127, 127), 0, output, 0);

            Assert.Equal(new[] { 11, 2, 4, 3, 127, -128 }, ReadI8(output, 0, 6));
        }

        [Fact]
        public void Eval_NegativeShift_RoundsTwiceLikeTflm()
        {
            // Real multiplier 0.125 = 0.5 * 2^-2 -> (2^30, -2); zero points 0.
            // TFLM's default MultiplyByQuantizedMultiplier rounds twice: x * 0.5 rounded half up,
            // then / 4 rounded half away from zero.
            //  product 3: 1.5 -> 2, 2 / 4 = 0.5 -> 1   (a single rounding of 0.375 would give 0)
            //  product 5: 2.5 -> 3, 3 / 4 = 0.75 -> 1
            //  product -3: -1.5 -> -1, -0.25 -> 0
            //  product 12: 6, 1.5 -> 2
            var p = Params(0, 0, 0, 1 << 30, -2, -128, 127);
            p.FlatSize = 4;
            var output = new byte[4];

            Mul.Eval(p, I8(3, 5, -3, 4), 0, I8(1, 1, 1, 3), 0, output, 0);

            Assert.Equal(new[] { 1, 1, 0, 2 }, ReadI8(output, 0, 4));
        }

        [Fact]
        public void Eval_FusedReluRange_ClampsAtOutputZeroPoint()
        {
            // Activation [3, 127] (RELU with output zero point 3): negative products clamp to 3.
            var p = Params(0, 0, 3, 1 << 30, 0, 3, 127);
            p.FlatSize = 3;
            var output = new byte[3];

            Mul.Eval(p, I8(-10, 10, 4), 0, I8(2, 2, 2), 0, output, 0);

            // -20 * 0.5 = -10 -> -7 -> 3; 20 * 0.5 = 10 -> 13; 8 * 0.5 = 4 -> 7.
            Assert.Equal(new[] { 3, 13, 7 }, ReadI8(output, 0, 3));
        }

        [Fact]
        public void Eval_BroadcastPerChannelSecondInput_MatchesHandComputation()
        {
            // in1 [1,2,2,2] = 1..8, in2 [1,1,1,2] = (2, -4), multiplier 0.5, zero points 0:
            // products 2, -8, 6, -16, 10, -24, 14, -32 -> halves 1, -4, 3, -8, 5, -12, 7, -16.
            var p = Params(0, 0, 0, 1 << 30, 0, -128, 127);
            p.Broadcast = true;
            p.Input1Shape = new[] { 1, 2, 2, 2 };
            p.Input2Shape = new[] { 1, 1, 1, 2 };
            p.OutputShape = new[] { 1, 2, 2, 2 };
            var output = new byte[8];

            Mul.Eval(p, I8(1, 2, 3, 4, 5, 6, 7, 8), 0, I8(2, -4), 0, output, 0);

            Assert.Equal(new[] { 1, -4, 3, -8, 5, -12, 7, -16 }, ReadI8(output, 0, 8));
        }

        [Fact]
        public void Eval_BroadcastBothInputsOnDifferentAxes_MatchesOuterProduct()
        {
            // in1 [1,1,2,1] = (2, 4) indexed by x, in2 [1,1,1,3] = (1, 3, 5) indexed by c, output [1,1,2,3]:
            // out(x, c) = in1[x] * in2[c] * 0.5 = (1, 3, 5, 2, 6, 10); starts at offsets 3 / 1 / 2 of the arrays.
            var p = Params(0, 0, 0, 1 << 30, 0, -128, 127);
            p.Broadcast = true;
            p.Input1Shape = new[] { 1, 1, 2, 1 };
            p.Input2Shape = new[] { 1, 1, 1, 3 };
            p.OutputShape = new[] { 1, 1, 2, 3 };
            var output = new byte[8];

            Mul.Eval(p, I8(99, 99, 99, 2, 4), 3, I8(99, 1, 3, 5), 1, output, 2);

            Assert.Equal(new[] { 0, 0, 1, 3, 5, 2, 6, 10 }, ReadI8(output, 0, 8));
        }
    }
}
