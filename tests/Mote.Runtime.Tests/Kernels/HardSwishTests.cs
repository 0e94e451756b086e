using System;
using Mote.Runtime.Kernels;
using Xunit;
using static Mote.Runtime.Tests.Kernels.Conv2DTests;

namespace Mote.Runtime.Tests.Kernels
{
    public class HardSwishTests
    {
        // Hand-derived (TFLM HardSwishPrepare) for input scale 1/32, output scale 1/64:
        // hires scale 2^-5 / 128 = 2^-12; output: 2^-12 / 2^-6 = 2^-6 = 0.5 * 2^-5 -> (2^30, -5)
        // -> int16 (2^30 + 2^15) >> 16 = 16384; reluish: 2^-12 / (3 / 32768) = 8/3 = (2/3) * 2^2
        // -> (1431655765, 2) -> int16 (1431655765 + 2^15) >> 16 = 21845.
        private static HardSwishParams Params(int inZp, int outZp, int size)
        {
            return new HardSwishParams
            {
                Size = size, InputOffset = -inZp, OutputOffset = outZp,
                OutputMultiplier = 16384, OutputExponent = -5, ReluishMultiplier = 21845, ReluishExponent = 2,
            };
        }

        // Independent oracle: hard_swish(x) = x * min(6, max(0, x + 3)) / 6 in double, on the
        // output scale 1/64, rounded half away from zero and clamped.
        private static double Real(int v) => v / 32.0 * Math.Min(6, Math.Max(0, v / 32.0 + 3)) / 6;

        [Theory]
        [InlineData(32, 43)]    // x = 1: 1 * 4 / 6 = 0.6667 -> 42.67 -> 43
        [InlineData(-32, -21)]  // x = -1: -1 * 2 / 6 = -0.3333 -> -21.33 -> -21
        [InlineData(-128, 0)]   // x = -4: relu6(-1) = 0
        [InlineData(-96, 0)]    // x = -3: exactly 0
        [InlineData(0, 0)]
        [InlineData(96, 127)]   // x = 3: 3 -> 192 -> clamp 127
        public void Eval_Scale1Over32To1Over64_MatchesHandComputation(int x, int expected)
        {
            var output = new byte[1];
            HardSwish.Eval(Params(0, 0, 1), I8(x), 0, output, 0);
            Assert.Equal(expected, (sbyte)output[0]);
        }

        [Fact]
        public void Eval_ZeroPoints_ShiftInputAndOutput()
        {
            // Input zero point 10, output -100: x = 42 is v = 32 (1.0) -> 43 - 100 = -57.
            var output = new byte[1];
            HardSwish.Eval(Params(10, -100, 1), I8(42), 0, output, 0);
            Assert.Equal(-57, (sbyte)output[0]);
        }

        [Fact]
        public void Eval_EveryInt8Input_WithinOneStepOfDoubleFormula()
        {
            // TFLM's 16-bit fixed point is not correctly rounded; it stays within one output step.
            var input = new int[256];
            for (int i = 0; i < 256; i++) input[i] = i - 128;
            var output = new byte[256];
            HardSwish.Eval(Params(0, 0, 256), I8(input), 0, output, 0);
            for (int i = 0; i < 256; i++)
            {
                double expected = Math.Max(-128, Math.Min(127, Real(input[i]) * 64));
                Assert.True(Math.Abs((sbyte)output[i] - expected) <= 1.0, $"x {input[i]}: got {(sbyte)output[i]}, real {expected:F3}");
            }
        }

        [Theory]
        [InlineData(5, 0, 5)]
        [InlineData(5, 1, 3)]        // 2.5 -> 3 (half away from zero)
        [InlineData(-5, 1, -3)]
        [InlineData(-6, 2, -2)]      // -1.5 -> -2
        [InlineData(100, 16, 1)]     // exponents >= 16: gemmlowp's int16 mask is -1 (all bits), so a
        [InlineData(0, 16, 1)]       // non-negative x gives (x >> e) + 1 = 1 and a negative one
        [InlineData(-7, 20, -1)]     // (x >> e) + 0 = -1, as TFLM's int16 template computes
        public void RoundingDivideByPOT16_MatchesGemmlowpInt16(int x, int exponent, int expected)
        {
            Assert.Equal(expected, HardSwish.RoundingDivideByPOT16((short)x, exponent));
        }

        [Fact]
        public void SaturatingRoundingDoublingHighMul16_MinTimesMin_Saturates()
        {
            Assert.Equal(short.MaxValue, HardSwish.SaturatingRoundingDoublingHighMul16(short.MinValue, short.MinValue));
            Assert.Equal(short.MaxValue, HardSwish.SaturatingDoublingHighMul16(short.MinValue, short.MinValue));
            // 3 * 16384 / 32768 = 1.5: the rounding form gives 2, the truncating form 1.
            Assert.Equal(2, HardSwish.SaturatingRoundingDoublingHighMul16(3, 16384));
            Assert.Equal(1, HardSwish.SaturatingDoublingHighMul16(3, 16384));
            Assert.Equal(-1, HardSwish.SaturatingRoundingDoublingHighMul16(-3, 16384)); // -1.5 -> -1 (half up)
            Assert.Equal(-1, HardSwish.SaturatingDoublingHighMul16(-3, 16384));         // truncates towards 0
        }
    }
}
