using System;
using Mote.Runtime.Kernels;
using Xunit;

namespace Mote.Runtime.Tests.Kernels
{
    public class FixedPointTests
    {
        // Independent definitions in long arithmetic, written differently from the
        // code under test (gemmlowp's nudge-and-truncate / mask-and-threshold forms).

        // round(a*b / 2^31) with halves rounded up: floor((a*b + 2^30) / 2^31);
        // >> on a long is an arithmetic shift, i.e. floor division.
        private static int SrdhmReference(int a, int b)
        {
            if (a == int.MinValue && b == int.MinValue) return int.MaxValue;
            return (int)(((long)a * b + (1L << 30)) >> 31);
        }

        // x / 2^e rounded to nearest, halves away from zero, via the magnitude.
        private static int RdbpotReference(int x, int e)
        {
            if (e == 0) return x;
            long magnitude = Math.Abs((long)x);
            long q = (magnitude + (1L << (e - 1))) >> e;
            return (int)(x < 0 ? -q : q);
        }

        [Fact]
        public void SaturatingRoundingDoublingHighMul_MinTimesMin_SaturatesToMax()
        {
            Assert.Equal(int.MaxValue, FixedPoint.SaturatingRoundingDoublingHighMul(int.MinValue, int.MinValue));
        }

        [Fact]
        public void SaturatingRoundingDoublingHighMul_MinTimesMax_IsMinPlusOne()
        {
            // (-2^31)(2^31 - 1) / 2^31 = -2^31 + 1 exactly (no rounding).
            Assert.Equal(int.MinValue + 1, FixedPoint.SaturatingRoundingDoublingHighMul(int.MinValue, int.MaxValue));
        }

        [Fact]
        public void SaturatingRoundingDoublingHighMul_HalfTimesHalf_IsQuarter()
        {
            // 0.5 * 0.5 = 0.25 in Q0.31: 2^30 * 2^30 / 2^31 = 2^29.
            Assert.Equal(1 << 29, FixedPoint.SaturatingRoundingDoublingHighMul(1 << 30, 1 << 30));
        }

        [Theory]
        // x * 0.5 (multiplier 2^30): ties round towards +infinity (VQRDMULH behaviour).
        [InlineData(3, 2)]    // 1.5 -> 2
        [InlineData(-3, -1)]  // -1.5 -> -1
        [InlineData(1, 1)]    // 0.5 -> 1
        [InlineData(-1, 0)]   // -0.5 -> 0
        [InlineData(5, 3)]    // 2.5 -> 3
        [InlineData(-5, -2)]  // -2.5 -> -2
        [InlineData(16, 8)]   // exact
        public void SaturatingRoundingDoublingHighMul_TimesHalf_RoundsHalvesUp(int x, int expected)
        {
            Assert.Equal(expected, FixedPoint.SaturatingRoundingDoublingHighMul(x, 1 << 30));
        }

        [Fact]
        public void SaturatingRoundingDoublingHighMul_RandomPairs_MatchLongDefinition()
        {
            var rng = new Random(12345);
            for (int i = 0; i < 20000; i++)
            {
                int a = rng.Next(int.MinValue, int.MaxValue);
                int b = (i % 3 == 0) ? rng.Next(-1000, 1000) : rng.Next(int.MinValue, int.MaxValue);
                Assert.Equal(SrdhmReference(a, b), FixedPoint.SaturatingRoundingDoublingHighMul(a, b));
            }
        }

        [Theory]
        [InlineData(5, 1, 3)]     // 2.5 -> 3
        [InlineData(-5, 1, -3)]   // -2.5 -> -3 (away from zero)
        [InlineData(-6, 2, -2)]   // -1.5 -> -2
        [InlineData(-5, 2, -1)]   // -1.25 -> -1
        [InlineData(-7, 2, -2)]   // -1.75 -> -2
        [InlineData(6, 2, 2)]     // 1.5 -> 2
        [InlineData(-1, 1, -1)]   // -0.5 -> -1
        [InlineData(-1, 2, 0)]    // -0.25 -> 0
        [InlineData(123, 0, 123)] // exponent 0 is the identity
        [InlineData(int.MinValue, 31, -1)]
        [InlineData(int.MaxValue, 31, 1)]  // 0.99999... -> 1
        [InlineData(1 << 30, 31, 1)]       // exactly 0.5 -> 1
        [InlineData(-(1 << 30), 31, -1)]   // exactly -0.5 -> -1
        public void RoundingDivideByPOT_KnownValues_RoundHalvesAwayFromZero(int x, int exponent, int expected)
        {
            Assert.Equal(expected, FixedPoint.RoundingDivideByPOT(x, exponent));
        }

        [Fact]
        public void RoundingDivideByPOT_RandomValues_MatchLongDefinition()
        {
            var rng = new Random(777);
            for (int i = 0; i < 20000; i++)
            {
                int x = (i % 2 == 0) ? rng.Next(int.MinValue, int.MaxValue) : rng.Next(-5000, 5000);
                int e = rng.Next(0, 32);
                Assert.Equal(RdbpotReference(x, e), FixedPoint.RoundingDivideByPOT(x, e));
            }
        }

        [Theory]
        // multiplier 2^30 is 0.5.
        [InlineData(100, 1 << 30, 0, 50)]   // 100 * 0.5
        [InlineData(100, 1 << 30, -1, 25)]  // 100 * 0.25
        [InlineData(3, 1 << 30, 2, 6)]      // 3 * 4 = 12, * 0.5 = 6
        // Double rounding: 5 * 0.25 = 1.25, but 5 * 0.5 = 2.5 rounds up to 3 first,
        // then 3 / 2 = 1.5 rounds to 2. Single rounding would give 1.
        [InlineData(5, 1 << 30, -1, 2)]
        // -5 * 0.5 = -2.5 -> -2 (halves up), -2 / 2 = -1.
        [InlineData(-5, 1 << 30, -1, -1)]
        // -3 * 0.5 = -1.5 -> -1, -1 / 2 = -0.5 -> -1 (away from zero).
        [InlineData(-3, 1 << 30, -1, -1)]
        // 0.75 (1610612736 = 0.75 * 2^31) with shift 2: 2 * 4 * 0.75 = 6.
        [InlineData(2, 1610612736, 2, 6)]
        public void MultiplyByQuantizedMultiplier_KnownValues_UseDoubleRounding(int x, int multiplier, int shift, int expected)
        {
            Assert.Equal(expected, FixedPoint.MultiplyByQuantizedMultiplier(x, multiplier, shift));
        }

        [Fact]
        public void MultiplyByQuantizedMultiplier_LeftShiftOverflow_WrapsLikeInt32()
        {
            // 2^30 * 2^2 wraps to 0 in int32 before the multiply, as TFLM's int32 code does.
            Assert.Equal(0, FixedPoint.MultiplyByQuantizedMultiplier(1 << 30, 1 << 30, 2));
        }

        [Theory]
        [InlineData(1 << 20, 1 << 30, 0, 1 << 19)]  // * 0.5
        [InlineData(1 << 20, 1 << 30, -18, 2)]      // * 2^-19
        [InlineData(-393216, 1 << 30, -18, -1)]     // -196608 / 2^18 = -0.75 -> -1
        [InlineData(-786432, 1 << 30, -18, -2)]     // -393216 / 2^18 = -1.5 -> -2
        public void MultiplyByQuantizedMultiplierSmallerThanOneExp_KnownValues_MatchHandComputation(int x, int multiplier, int shift, int expected)
        {
            Assert.Equal(expected, FixedPoint.MultiplyByQuantizedMultiplierSmallerThanOneExp(x, multiplier, shift));
        }

        [Fact]
        public void MultiplyByQuantizedMultiplierGreaterThanOne_Diff_ScalesWithoutRightShift()
        {
            // -3 * 2^23 * 0.5 = -3 * 2^22.
            Assert.Equal(-3 * (1 << 22), FixedPoint.MultiplyByQuantizedMultiplierGreaterThanOne(-3, 1 << 30, 23));
        }

        [Theory]
        [InlineData(1, 3, 8)]
        [InlineData(1 << 29, 2, int.MaxValue)]   // 2^31 overflows: threshold is 2^29 - 1
        [InlineData((1 << 29) - 1, 2, ((1 << 29) - 1) * 4)]
        [InlineData(-(1 << 29) + 1, 2, (-(1 << 29) + 1) * 4)]
        [InlineData(-(1 << 29), 2, int.MinValue)]
        [InlineData(-5, -1, -3)]
        [InlineData(7, 0, 7)]
        public void SaturatingRoundingMultiplyByPOT_KnownValues_SaturateOrRound(int x, int exponent, int expected)
        {
            Assert.Equal(expected, FixedPoint.SaturatingRoundingMultiplyByPOT(x, exponent));
        }

        [Theory]
        [InlineData(0u, 32)]
        [InlineData(1u, 31)]
        [InlineData(0x80000000u, 0)]
        [InlineData(0x00080000u, 12)]
        [InlineData(0x0FFFFFFFu, 4)]
        public void CountLeadingZeros_KnownValues_MatchBitCount(uint x, int expected)
        {
            Assert.Equal(expected, FixedPoint.CountLeadingZeros(x));
        }

        [Theory]
        [InlineData(1, 2, 2)]    // 1.5 -> 2
        [InlineData(-1, -2, -2)] // -1.5 -> -2
        [InlineData(0, int.MaxValue, 1 << 30)]
        public void RoundingHalfSum_KnownValues_RoundHalvesAwayFromZero(int a, int b, int expected)
        {
            Assert.Equal(expected, FixedPoint.RoundingHalfSum(a, b));
        }

        [Fact]
        public void ExpOnNegativeValues_Zero_IsOne()
        {
            Assert.Equal(int.MaxValue, FixedPoint.ExpOnNegativeValues(0, 5));
        }

        [Fact]
        public void ExpOnNegativeValues_Q5_26Grid_WithinOneMillionthOfExp()
        {
            // Inputs from 0 down to -31.9 in Q5.26; the result is Q0.31.
            for (int k = 0; k <= 3190; k++)
            {
                double real = -k / 100.0;
                int raw = (int)Math.Round(real * (1 << 26));
                double expected = Math.Exp(raw / (double)(1 << 26));
                double actual = FixedPoint.ExpOnNegativeValues(raw, 5) / 2147483648.0;
                Assert.True(Math.Abs(actual - expected) < 1e-6, $"x={real}: {actual} vs {expected}");
            }
        }

        [Fact]
        public void ExpOnNegativeValues_IntegerBits0_WithinOneMillionthOfExp()
        {
            for (int k = 0; k <= 1000; k++)
            {
                int raw = (int)(-(long)k * int.MaxValue / 1000);
                double expected = Math.Exp(raw / 2147483648.0);
                double actual = FixedPoint.ExpOnNegativeValues(raw, 0) / 2147483648.0;
                Assert.True(Math.Abs(actual - expected) < 1e-6, $"raw={raw}: {actual} vs {expected}");
            }
        }

        [Fact]
        public void ExpOnNegativeValues_IntegerBits6BelowMinus32_IsZero()
        {
            // -33 in Q6.25 is below the -32 clamp that applies when integerBits > 5.
            Assert.Equal(0, FixedPoint.ExpOnNegativeValues(-33 * (1 << 25), 6));
        }

        [Fact]
        public void OneOverOnePlusXForXIn0To1_Grid_WithinOneMillionth()
        {
            for (int k = 0; k < 1000; k++)
            {
                int raw = (int)((long)k * int.MaxValue / 1000);
                double x = raw / 2147483648.0;
                double actual = FixedPoint.OneOverOnePlusXForXIn0To1(raw) / 2147483648.0;
                Assert.True(Math.Abs(actual - 1.0 / (1.0 + x)) < 1e-6, $"x={x}: {actual}");
            }
        }

        [Fact]
        public void GetReciprocal_OneInQ12_19_GivesAboutOneAndZeroBitsOverUnit()
        {
            // 2^19 is 1.0 in Q12.19: 12 leading zeros, so 12 - 12 = 0 bits over unit,
            // and the normalized value is exactly 1 + 0.
            int numBitsOverUnit;
            int r = FixedPoint.GetReciprocal(1 << 19, 12, out numBitsOverUnit);
            Assert.Equal(0, numBitsOverUnit);
            Assert.True(r > int.MaxValue - 64, r.ToString());
        }

        [Fact]
        public void GetReciprocal_ThreeInQ12_19_GivesTwoThirdsTimesHalf()
        {
            // 3.0 = 1.5 * 2^1: bits over unit 1, reciprocal of 1.5 = 2/3.
            int numBitsOverUnit;
            int r = FixedPoint.GetReciprocal(3 << 19, 12, out numBitsOverUnit);
            Assert.Equal(1, numBitsOverUnit);
            Assert.True(Math.Abs(r / 2147483648.0 - 2.0 / 3.0) < 1e-6, r.ToString());
        }
    }
}
