using System;
using Mote.Runtime.Kernels;
using Xunit;
using static Mote.Runtime.Tests.Kernels.Conv2DTests;

namespace Mote.Runtime.Tests.Kernels
{
    public class LogisticTanhTests
    {
        // Hand-derived (TFLM CalculateArithmeticOpDataLogistic / tanh's CalculateArithmeticOpData)
        // for input scale 1/16: real = 2^-4 * 2^27 = 2^23 = 0.5 * 2^24 -> multiplier 2^30,
        // left shift 24; so v becomes v * 2^23 raw in Q4.27, i.e. exactly v / 16.
        // CalculateInputRadius(4, 24, 31) = floor(15 * 2^27 / 2^24) = 120.
        private static FixedPointActivationParams Params(int zeroPoint, int size)
        {
            return new FixedPointActivationParams
            {
                Size = size, InputOffset = -zeroPoint, InputRangeRadius = 120, InputMultiplier = 1 << 30, InputLeftShift = 24,
            };
        }

        private static int[] AllInt8()
        {
            var r = new int[256];
            for (int i = 0; i < 256; i++) r[i] = i - 128;
            return r;
        }

        // Independent oracle: the double-precision function, scaled to the fixed output
        // quantization and rounded half away from zero, saturating where TFLM's radius does.
        private static int LogisticReference(int v)
        {
            if (v <= -120) return -128;
            if (v >= 120) return 127;
            double s = 1.0 / (1.0 + Math.Exp(-v / 16.0));
            return (int)Math.Min(127, Math.Round(s * 256, MidpointRounding.AwayFromZero) - 128);
        }

        private static int TanhReference(int v)
        {
            if (v <= -120) return -128;
            if (v >= 120) return 127;
            double t = Math.Tanh(v / 16.0);
            return (int)Math.Max(-128, Math.Min(127, Math.Round(t * 128, MidpointRounding.AwayFromZero)));
        }

        // Distance of the scaled real result from a rounding boundary (x.5): where it is tiny,
        // the fixed-point approximation may legitimately land on either side.
        private static double DistanceToHalf(double scaled) => Math.Abs(scaled - Math.Floor(scaled) - 0.5);

        [Theory]
        [InlineData(0, 0)]      // sigmoid(0) = 1/2 -> 128 - 128 = 0 exactly (gemmlowp returns 2^30)
        [InlineData(16, 59)]    // sigmoid(1) = 0.73106 -> 187.15 -> 187 - 128
        [InlineData(-16, -59)]  // sigmoid(-1) = 0.26894 -> 68.85 -> 69 - 128
        [InlineData(119, 127)]  // sigmoid(7.4375) * 256 = 255.85 -> 256 -> clamp 127
        [InlineData(120, 127)]  // at the radius: saturates without computing
        [InlineData(-120, -128)]
        [InlineData(-119, -128)] // sigmoid(-7.4375) * 256 = 0.15 -> 0 -> -128
        public void Logistic_Scale1Over16_MatchesHandComputation(int x, int expected)
        {
            var output = new byte[1];
            Logistic.Eval(Params(0, 1), I8(x), 0, output, 0);
            Assert.Equal(expected, (sbyte)output[0]);
        }

        [Theory]
        [InlineData(0, 0)]       // tanh(0) = 0
        [InlineData(16, 97)]     // tanh(1) = 0.76159 -> 97.48 -> 97
        [InlineData(-16, -97)]
        [InlineData(8, 59)]      // tanh(0.5) = 0.46212 -> 59.15 -> 59
        [InlineData(64, 127)]    // tanh(4) * 128 = 127.91 -> 128 -> clamp 127
        [InlineData(-64, -128)]  // -127.91 -> -128 (the clamp is asymmetric)
        [InlineData(40, 126)]    // tanh(2.5) * 128 = 126.09 -> 126
        [InlineData(-40, -126)]
        [InlineData(-120, -128)] // radius: saturates to -128 (tanh never reaches -1 otherwise)
        public void Tanh_Scale1Over16_MatchesHandComputation(int x, int expected)
        {
            var output = new byte[1];
            Tanh.Eval(Params(0, 1), I8(x), 0, output, 0);
            Assert.Equal(expected, (sbyte)output[0]);
        }

        [Fact]
        public void Logistic_EveryInt8InputWithZeroPoint_MatchesDoubleFormula()
        {
            // Zero point 7: v = x - 7 in [-135, 120]. Every output equals the double-precision
            // sigmoid rounded to 1/256, except where that is within 1e-4 of a rounding boundary.
            var input = AllInt8();
            var output = new byte[256];
            Logistic.Eval(Params(7, 256), I8(input), 0, output, 0);
            int compared = 0;
            for (int i = 0; i < 256; i++)
            {
                int v = input[i] - 7;
                double scaled = 256.0 / (1.0 + Math.Exp(-v / 16.0));
                if (DistanceToHalf(scaled) < 1e-4) continue;
                Assert.True(LogisticReference(v) == (sbyte)output[i], $"x {input[i]}: got {(sbyte)output[i]}, expected {LogisticReference(v)}");
                compared++;
            }
            Assert.True(compared > 250);
        }

        [Fact]
        public void Tanh_EveryInt8Input_MatchesDoubleFormulaAndIsOddSymmetric()
        {
            var input = AllInt8();
            var output = new byte[256];
            Tanh.Eval(Params(0, 256), I8(input), 0, output, 0);
            for (int i = 0; i < 256; i++)
            {
                int v = input[i];
                double scaled = 128.0 * Math.Tanh(v / 16.0);
                if (DistanceToHalf(scaled) >= 1e-4)
                    Assert.True(TanhReference(v) == (sbyte)output[i], $"x {v}: got {(sbyte)output[i]}, expected {TanhReference(v)}");
                if (v > -120 && v < 120 && Math.Abs(scaled) < 127)
                    Assert.Equal(-(sbyte)output[i], (sbyte)output[256 - i]); // tanh(-x) = -tanh(x), bit for bit
            }
        }

        [Fact]
        public void Logistic_RadiusZero_SendsZeroToMinus128LikeTflm()
        {
            // Input scales in [8, 16) give left shift 31 and radius 0 in TFLM; Mote's packer refuses
            // shift 31, but the kernel's radius test is TFLM's: v <= -0 is tested first.
            var p = Params(0, 3);
            p.InputRangeRadius = 0;
            var output = new byte[3];
            Logistic.Eval(p, I8(-1, 0, 1), 0, output, 0);
            Assert.Equal(new[] { -128, -128, 127 }, ReadI8(output, 0, 3));
        }
    }
}
