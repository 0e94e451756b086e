using Mote.Runtime.Format;
namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// Integer fixed-point arithmetic used by the reference int8 kernels, written to
    /// give the same bits as TensorFlow Lite Micro (TFLM) built with its defaults.
    ///
    /// TFLM takes these operations from gemmlowp's fixedpoint.h (the version TFLM's
    /// build downloads) and from tensorflow/lite/kernels/internal/common.h / common.cc.
    /// TFLITE_SINGLE_ROUNDING is not defined in the default build, so
    /// MultiplyByQuantizedMultiplier is the "double rounding" form: a rounding
    /// doubling high multiply followed by a separate rounding right shift.
    ///
    /// Fixed-point notation: a raw int32 value with I integer bits ("Q I.(31-I)")
    /// stands for raw / 2^(31-I). Q0.31 covers [-1, 1).
    ///
    /// Everything here is int32/int64 integer arithmetic, allocation free, and
    /// written in the portable subset (C# 7.3, no generics, no System.Math).
    /// Where TFLM lets int32 arithmetic overflow, the code here wraps explicitly
    /// (unchecked), which is what the reference build does in practice.
    /// </summary>
    public static class FixedPoint
    {
        /// <summary>
        /// gemmlowp SaturatingRoundingDoublingHighMul (ARM VQRDMULH): the Q0.31 product
        /// of a and b, i.e. round(a * b / 2^31), rounding halves upwards
        /// (towards +infinity), and saturating the single overflow case
        /// (-1) * (-1) = int.MinValue * int.MinValue to int.MaxValue.
        /// </summary>
        public static int SaturatingRoundingDoublingHighMul(int a, int b)
        {
            if (a == int.MinValue && b == int.MinValue)
            {
                return int.MaxValue;
            }
            long ab = (long)a * (long)b;
            // gemmlowp adds a nudge of +2^30 for non-negative products and
            // (1 - 2^30) for negative ones, then divides by 2^31 with C's
            // truncating division. Together that is floor((ab + 2^30) / 2^31).
            long nudge = ab >= 0 ? (1L << 30) : (1L - (1L << 30));
            return (int)((ab + nudge) / (1L << 31));
        }

        /// <summary>
        /// gemmlowp RoundingDivideByPOT: x / 2^exponent rounded to nearest, halves
        /// away from zero. exponent must be in [0, 31].
        /// </summary>
        public static int RoundingDivideByPOT(int x, int exponent)
        {
            // Steps (as gemmlowp): keep the low 'exponent' bits as the remainder,
            // shift right arithmetically (floor), then add one when the remainder
            // is above half (or at least half for negative x, which moves the
            // negative halves away from zero).
            int mask = (int)((1L << exponent) - 1);
            int remainder = x & mask;
            int threshold = (mask >> 1) + (x < 0 ? 1 : 0);
            return (x >> exponent) + (remainder > threshold ? 1 : 0);
        }

        /// <summary>
        /// The common tail of the multiply-accumulate kernels (CONV_2D, DEPTHWISE_CONV_2D,
        /// FULLY_CONNECTED) for output channel <paramref name="channel"/>: add the int32 bias
        /// of that channel (when biasStart &gt;= 0, wrapping), requantize with multiplier and shift
        /// entry <paramref name="quantIndex"/> (tables of int32 LE in <paramref name="quant"/>;
        /// the kernels pass channel × RequantStride: the channel's own entry, or entry 0 when one
        /// entry serves all channels), add the output zero point, clamp to [min, max].
        /// Returns the int8 value as an int.
        /// </summary>
        public static int RequantizeChannel(int acc, byte[] bias, int biasStart, byte[] quant, int multiplierStart, int shiftStart,
            int channel, int quantIndex, int outputOffset, int min, int max)
        {
            if (biasStart >= 0)
            {
                acc = unchecked(acc + LittleEndian.ReadInt32(bias, biasStart + 4 * channel));
            }
            acc = MultiplyByQuantizedMultiplier(acc,
                LittleEndian.ReadInt32(quant, multiplierStart + 4 * quantIndex),
                LittleEndian.ReadInt32(quant, shiftStart + 4 * quantIndex));
            acc += outputOffset;
            if (acc < min) acc = min;
            if (acc > max) acc = max;
            return acc;
        }

        /// <summary>
        /// <see cref="RequantizeChannel(int, byte[], int, byte[], int, int, int, int, int, int, int)"/>
        /// with per-channel tables (entry <paramref name="channel"/>).
        /// </summary>
        public static int RequantizeChannel(int acc, byte[] bias, int biasStart, byte[] quant, int multiplierStart, int shiftStart,
            int channel, int outputOffset, int min, int max)
        {
            return RequantizeChannel(acc, bias, biasStart, quant, multiplierStart, shiftStart, channel, channel, outputOffset, min, max);
        }

        /// <summary>
        /// TFLM MultiplyByQuantizedMultiplier(int32 x, int32 multiplier, int shift),
        /// double-rounding form (TFLITE_SINGLE_ROUNDING not defined):
        /// shift &gt; 0 multiplies x by 2^shift first (wrapping int32 multiply),
        /// then the rounding doubling high multiply by the Q0.31 multiplier,
        /// then a rounding right shift by -shift when shift &lt; 0.
        /// Valid shifts are [-31, 30] (what QuantizeMultiplier produces for
        /// realistic scales).
        /// </summary>
        public static int MultiplyByQuantizedMultiplier(int x, int quantizedMultiplier, int shift)
        {
            int leftShift = shift > 0 ? shift : 0;
            int rightShift = shift > 0 ? 0 : -shift;
            int shifted = unchecked(x * (1 << leftShift));
            return RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(shifted, quantizedMultiplier), rightShift);
        }

        /// <summary>
        /// TFLM MultiplyByQuantizedMultiplier(int64 x, int32 multiplier, int shift) (common.cc; the
        /// 16x8 kernels' requantization of an int64 accumulator). Both of TFLM's builds compute the
        /// same thing here: the Q0.31 multiplier is first reduced to Q0.15, rounding:
        /// (m + 2^15) >> 16, or 0x7FFF when m &gt;= 0x7FFF0000; then
        /// (x * reduced + 2^(14 - shift)) >> (15 - shift), an arithmetic (flooring) shift, and the
        /// result is truncated to int32. The int64 multiply and add wrap (TFLM's contract keeps
        /// |x| &lt; 2^47, where nothing wraps). Valid shifts are [-31, 14] (15 - shift in [1, 46]);
        /// Model.Load rejects others for the ops that use this.
        /// </summary>
        public static int MultiplyByQuantizedMultiplier(long x, int quantizedMultiplier, int shift)
        {
            int reduced = quantizedMultiplier < 0x7FFF0000 ? (quantizedMultiplier + (1 << 15)) >> 16 : 0x7FFF;
            int totalShift = 15 - shift;
            long result = unchecked(x * reduced + (1L << (totalShift - 1)));
            return unchecked((int)(result >> totalShift));
        }

        /// <summary>
        /// TFLM MultiplyByQuantizedMultiplierSmallerThanOneExp (double rounding):
        /// RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x, m), -leftShift),
        /// with leftShift &lt;= 0 (TFLM stores it as a non-positive exponent).
        /// </summary>
        public static int MultiplyByQuantizedMultiplierSmallerThanOneExp(int x, int quantizedMultiplier, int leftShift)
        {
            return RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x, quantizedMultiplier), -leftShift);
        }

        /// <summary>
        /// TFLM MultiplyByQuantizedMultiplierGreaterThanOne (double rounding):
        /// SaturatingRoundingDoublingHighMul(x * 2^leftShift, m), leftShift &gt;= 0,
        /// the int32 multiply wrapping. No right shift.
        /// </summary>
        public static int MultiplyByQuantizedMultiplierGreaterThanOne(int x, int quantizedMultiplier, int leftShift)
        {
            return SaturatingRoundingDoublingHighMul(unchecked(x * (1 << leftShift)), quantizedMultiplier);
        }

        /// <summary>
        /// gemmlowp SaturatingRoundingMultiplyByPOT: x * 2^exponent. A positive
        /// exponent is a left shift that saturates to int.MinValue/int.MaxValue
        /// (x above (2^(31-exponent) - 1) saturates up, below its negation
        /// saturates down); a negative exponent is RoundingDivideByPOT(x, -exponent).
        /// exponent in [-31, 30].
        /// </summary>
        public static int SaturatingRoundingMultiplyByPOT(int x, int exponent)
        {
            if (exponent == 0)
            {
                return x;
            }
            if (exponent < 0)
            {
                return RoundingDivideByPOT(x, -exponent);
            }
            int threshold = (1 << (31 - exponent)) - 1;
            if (x > threshold)
            {
                return int.MaxValue;
            }
            if (x < -threshold)
            {
                return int.MinValue;
            }
            return x << exponent;
        }

        /// <summary>
        /// gemmlowp Rescale&lt;dst&gt;(FixedPoint&lt;int32, src&gt;): changes the number of
        /// integer bits from srcIntegerBits to dstIntegerBits, i.e.
        /// SaturatingRoundingMultiplyByPOT(x, src - dst).
        /// </summary>
        public static int Rescale(int x, int srcIntegerBits, int dstIntegerBits)
        {
            return SaturatingRoundingMultiplyByPOT(x, srcIntegerBits - dstIntegerBits);
        }

        /// <summary>
        /// gemmlowp RoundingHalfSum for int32: (a + b) / 2 rounded to nearest, halves
        /// away from zero, computed in int64.
        /// </summary>
        public static int RoundingHalfSum(int a, int b)
        {
            long sum = (long)a + (long)b;
            long sign = sum >= 0 ? 1 : -1;
            return (int)((sum + sign) / 2);
        }

        /// <summary>
        /// Number of leading zero bits of x as an unsigned 32-bit value (32 for 0),
        /// as TFLM's CountLeadingZeros&lt;uint32_t&gt;.
        /// </summary>
        public static int CountLeadingZeros(uint x)
        {
            if (x == 0)
            {
                return 32;
            }
            int n = 0;
            if ((x & 0xFFFF0000u) == 0) { n += 16; x <<= 16; }
            if ((x & 0xFF000000u) == 0) { n += 8; x <<= 8; }
            if ((x & 0xF0000000u) == 0) { n += 4; x <<= 4; }
            if ((x & 0xC0000000u) == 0) { n += 2; x <<= 2; }
            if ((x & 0x80000000u) == 0) { n += 1; }
            return n;
        }

        // gemmlowp fixed-point constants (raw int32 values; the comments give the
        // real numbers they stand for).
        private const int ExpMinusOneEighthQ0 = 1895147668;   // exp(-1/8), Q0.31
        private const int OneThirdQ0 = 715827883;              // 1/3, Q0.31
        private const int FortyEightOverSeventeenQ2 = 1515870810;      // 48/17, Q2.29
        private const int MinusThirtyTwoOverSeventeenQ2 = -1010580540; // -32/17, Q2.29
        private const int OneQ2 = 1 << 29;                             // 1, Q2.29

        /// <summary>
        /// gemmlowp exp_on_interval_between_negative_one_quarter_and_0_excl:
        /// exp(a) for a in [-1/4, 0), input and output Q0.31.
        /// Steps: x = a + 1/8 (Taylor expansion around -1/8);
        /// x2 = x*x, x3 = x2*x, x4 = x2*x2 (all rounding doubling high multiplies);
        /// poly = RDBPOT(((RDBPOT(x4, 2) + x3) * (1/3)) + x2, 1)
        ///      = x^4/24 + x^3/6 + x^2/2;
        /// result = e^(-1/8) + e^(-1/8) * (x + poly), plain int32 additions.
        /// </summary>
        public static int ExpOnIntervalBetweenNegativeOneQuarterAnd0Excl(int a)
        {
            int x = unchecked(a + (1 << 28)); // + 1/8 in Q0.31
            int x2 = SaturatingRoundingDoublingHighMul(x, x);
            int x3 = SaturatingRoundingDoublingHighMul(x2, x);
            int x4 = SaturatingRoundingDoublingHighMul(x2, x2);
            int x4Over4 = RoundingDivideByPOT(x4, 2);
            int inner = unchecked(SaturatingRoundingDoublingHighMul(unchecked(x4Over4 + x3), OneThirdQ0) + x2);
            int poly = RoundingDivideByPOT(inner, 1);
            return unchecked(ExpMinusOneEighthQ0 + SaturatingRoundingDoublingHighMul(ExpMinusOneEighthQ0, unchecked(x + poly)));
        }

        /// <summary>
        /// gemmlowp exp_on_negative_values: exp(a) for a &lt;= 0 given in Q(integerBits),
        /// result in Q0.31 (exp(0) = int.MaxValue). integerBits in [0, 29]; the int8
        /// softmax uses integerBits = 5 (Q5.26).
        /// Steps:
        ///  1. Split a into a_mod = (a AND (1/4 - 1 ulp)) - 1/4, which lies in
        ///     [-1/4, 0), and remainder = a_mod - a, a non-negative multiple of 1/4,
        ///     so that a = a_mod - remainder.
        ///  2. result = exp(a_mod) on the short interval (after Rescale to Q0.31).
        ///  3. Barrel shifter: for each power of two 2^k, k = -2..4, present in the
        ///     remainder (and representable: integerBits &gt; k), multiply result by
        ///     the Q0.31 constant exp(-2^k).
        ///  4. If integerBits &gt; 5, inputs below -32 give 0.
        ///  5. a == 0 gives exactly int.MaxValue (one).
        /// </summary>
        public static int ExpOnNegativeValues(int a, int integerBits)
        {
            int fractionalBits = 31 - integerBits;
            int oneQuarter = 1 << (fractionalBits - 2);
            int mask = oneQuarter - 1;
            int aModQuarterMinusOneQuarter = (a & mask) - oneQuarter;
            int result = ExpOnIntervalBetweenNegativeOneQuarterAnd0Excl(
                Rescale(aModQuarterMinusOneQuarter, integerBits, 0));
            int remainder = unchecked(aModQuarterMinusOneQuarter - a);

            result = ExpBarrelStep(result, remainder, integerBits, fractionalBits, -2, 1672461947); // exp(-1/4)
            result = ExpBarrelStep(result, remainder, integerBits, fractionalBits, -1, 1302514674); // exp(-1/2)
            result = ExpBarrelStep(result, remainder, integerBits, fractionalBits, 0, 790015084);   // exp(-1)
            result = ExpBarrelStep(result, remainder, integerBits, fractionalBits, 1, 290630308);   // exp(-2)
            result = ExpBarrelStep(result, remainder, integerBits, fractionalBits, 2, 39332535);    // exp(-4)
            result = ExpBarrelStep(result, remainder, integerBits, fractionalBits, 3, 720401);      // exp(-8)
            result = ExpBarrelStep(result, remainder, integerBits, fractionalBits, 4, 242);         // exp(-16)

            if (integerBits > 5)
            {
                int clamp = -(1 << (36 - integerBits)); // -32 in Q(integerBits)
                if (a < clamp)
                {
                    result = 0;
                }
            }
            if (a == 0)
            {
                result = int.MaxValue;
            }
            return result;
        }

        private static int ExpBarrelStep(int result, int remainder, int integerBits, int fractionalBits, int exponent, int multiplier)
        {
            if (integerBits > exponent)
            {
                int shiftAmount = fractionalBits + exponent;
                if ((remainder & (1 << shiftAmount)) != 0)
                {
                    return SaturatingRoundingDoublingHighMul(result, multiplier);
                }
            }
            return result;
        }

        /// <summary>
        /// gemmlowp one_over_one_plus_x_for_x_in_0_1: 1 / (1 + a) for a in [0, 1),
        /// input and output Q0.31. Newton-Raphson division:
        /// d = (a + 1) / 2 (RoundingHalfSum with one = int.MaxValue), Q0.31;
        /// x0 = 48/17 - 32/17 * d in Q2.29;
        /// three times: x = x + Rescale&lt;2&gt;(x * (1 - d * x)) (the product is Q4.27,
        /// rescaled to Q2.29 by a saturating left shift of 2);
        /// result = x / 2 as Q0.31: the raw Q2.29 value read as Q1.30, then a
        /// saturating left shift by 1.
        /// </summary>
        public static int OneOverOnePlusXForXIn0To1(int a)
        {
            return Rescale(InverseHalfDenominatorQ2(a), 1, 0);
        }

        /// <summary>
        /// gemmlowp one_minus_x_over_one_plus_x_for_x_in_0_1: (1 - a) / (1 + a) for a in [0, 1),
        /// input and output Q0.31. The same Newton-Raphson division as
        /// <see cref="OneOverOnePlusXForXIn0To1"/> computes x = 1 / ((1 + a) / 2) in Q2.29;
        /// the result is x - 1 (a wrapping int32 subtraction of 2^29), rescaled from Q2.29 to
        /// Q0.31 by a saturating left shift of 2.
        /// </summary>
        public static int OneMinusXOverOnePlusXForXIn0To1(int a)
        {
            return Rescale(unchecked(InverseHalfDenominatorQ2(a) - OneQ2), 2, 0);
        }

        /// <summary>
        /// The Newton-Raphson division shared by <see cref="OneOverOnePlusXForXIn0To1"/> and
        /// <see cref="OneMinusXOverOnePlusXForXIn0To1"/>: x = 1 / ((1 + a) / 2) for a in [0, 1),
        /// input Q0.31, result Q2.29. d = (a + 1) / 2 (RoundingHalfSum with one = int.MaxValue);
        /// x0 = 48/17 - 32/17 * d; three times x = x + Rescale&lt;2&gt;(x * (1 - d * x)).
        /// </summary>
        private static int InverseHalfDenominatorQ2(int a)
        {
            int halfDenominator = RoundingHalfSum(a, int.MaxValue);
            int x = unchecked(FortyEightOverSeventeenQ2
                + SaturatingRoundingDoublingHighMul(halfDenominator, MinusThirtyTwoOverSeventeenQ2));
            for (int i = 0; i < 3; i++)
            {
                int halfDenominatorTimesX = SaturatingRoundingDoublingHighMul(halfDenominator, x);
                int oneMinusHalfDenominatorTimesX = unchecked(OneQ2 - halfDenominatorTimesX);
                x = unchecked(x + Rescale(SaturatingRoundingDoublingHighMul(x, oneMinusHalfDenominatorTimesX), 4, 2));
            }
            return x;
        }

        /// <summary>
        /// gemmlowp logistic(FixedPoint&lt;int32, integerBits&gt;): 1 / (1 + exp(-a)), result Q0.31.
        /// Steps (gemmlowp's mask selects written as branches, same values):
        ///  1. |a| (raw negation for a &lt;= 0, wrapping);
        ///  2. p = one_over_one_plus_x_for_x_in_0_1(exp_on_negative_values(-|a|)), the logistic of |a|;
        ///  3. a &gt; 0 gives p, a &lt; 0 gives one - p (int.MaxValue - p, raw), a == 0 gives exactly 1/2 (2^30).
        /// The int8 LOGISTIC uses integerBits = 4.
        /// </summary>
        public static int Logistic(int a, int integerBits)
        {
            if (a == 0)
            {
                return 1 << 30;
            }
            int absA = a > 0 ? a : unchecked(-a);
            int resultIfPositive = OneOverOnePlusXForXIn0To1(ExpOnNegativeValues(unchecked(-absA), integerBits));
            return a > 0 ? resultIfPositive : unchecked(int.MaxValue - resultIfPositive);
        }

        /// <summary>
        /// gemmlowp tanh(FixedPoint&lt;int32, integerBits&gt;): (1 - exp(-2|a|)) / (1 + exp(-2|a|)) with
        /// the sign of a, result Q0.31.
        /// Steps: n = -|a| (raw); 2n is the same raw value read with integerBits + 1
        /// (ExactMulByPot&lt;1&gt;); t = one_minus_x_over_one_plus_x_for_x_in_0_1(exp_on_negative_values(2n));
        /// a &lt; 0 gives -t, a &gt; 0 gives t, a == 0 gives 0.
        /// The int8 TANH uses integerBits = 4.
        /// </summary>
        public static int Tanh(int a, int integerBits)
        {
            if (a == 0)
            {
                return 0;
            }
            int n = a < 0 ? a : unchecked(-a);
            int t = OneMinusXOverOnePlusXForXIn0To1(ExpOnNegativeValues(n, integerBits + 1));
            return a < 0 ? unchecked(-t) : t;
        }

        /// <summary>
        /// TFLM GetReciprocal (common.h): for a positive x in Q(xIntegerDigits),
        /// normalizes x to 1 + f with f in [0, 1) by shifting out its leading zeros,
        /// returns 1 / (1 + f) in Q0.31 and sets numBitsOverUnit =
        /// xIntegerDigits - leading zeros, so that 1/x = result * 2^-numBitsOverUnit.
        /// </summary>
        public static int GetReciprocal(int x, int xIntegerDigits, out int numBitsOverUnit)
        {
            int headroomPlusOne = CountLeadingZeros((uint)x);
            numBitsOverUnit = xIntegerDigits - headroomPlusOne;
            int shiftedSumMinusOne = unchecked((int)(((uint)x << headroomPlusOne) - (1u << 31)));
            return OneOverOnePlusXForXIn0To1(shiftedSumMinusOne);
        }
    }
}
