// SOFTMAX int8 -> int8: behaviour where TFLM aborts
// ---------------------------------------------------
// TFLM's int8 softmax (reference_ops::Softmax in
// tensorflow/lite/kernels/internal/reference/softmax.h) sums the exps of a row in
// Q12.19 (kAccumulationIntegerBits = 12; exp(0) = 1.0 = 2^19 raw), takes the
// reciprocal of the sum with GetReciprocal, which yields
// num_bits_over_unit = 12 - CountLeadingZeros(sum), and then computes the
// output shift exponent = num_bits_over_unit + 31 - 8 and executes
// TFLITE_CHECK(0 <= exponent && exponent <= 31). The check fails, and TFLM
// aborts the whole process, as soon as the raw sum reaches 2^28, that is when the
// sum of exps of a row (the row maximum counting as exp(0) = 1) reaches 512:
// for example a row of 512 or more equal values. A row of 511 equal values
// passes. Beyond 4096 equal values the int32 sum itself would overflow in TFLM.
//
// Mote does not crash. For a row whose sum of exps reaches that limit (raw sum
// >= 2^28), Mote writes -128 (probability 0) to every element of the row. That is
// exactly what TFLM's own formula gives when its exponent (32 or more) is applied
// without the check: each output is RoundingDivideByPOT(reciprocal * exp, exponent)
// with reciprocal * exp below 2^31, and a value below 2^31 divided by 2^32 or more
// rounds to 0. It is also the correctly rounded quantized answer: with a sum of
// at least 512, every probability is at most about 1/512, i.e. at most half of
// the output step 1/256, so every element quantizes to the zero point -128. Equal
// inputs therefore give equal outputs. Mote accumulates the sum so that it never
// overflows (it stops adding once the limit is reached), so rows of any length,
// including the >= 4096-element rows where TFLM's int32 sum would wrap, give this
// result. Rows whose sum stays below the limit are computed bit-exactly as TFLM.

namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// SOFTMAX int8 -> int8 (output scale 1/256, zero point -128) or int8 -> int16
    /// (<see cref="SoftmaxParams.OutputIsInt16"/>: scale 1/65536, zero point -32768), TFLM's
    /// gemmlowp fixed-point algorithm (reference_ops::Softmax&lt;int8, OutputT&gt;, whose output
    /// exponent is bitsOverUnit + 31 - the output's bit count). See the comment at the top of this
    /// file for rows where TFLM aborts. An int16 output never reaches TFLM's exponent check; a row
    /// whose sum of exps reaches 4096.0 (raw 2^31, where TFLM's int32 sum overflows) is written
    /// as -32768 everywhere.
    /// </summary>
    public static class Softmax
    {
        private const int ScaledDiffIntegerBits = 5;   // exp input format Q5.26
        private const int AccumulationIntegerBits = 12; // sum of exps format Q12.19
        /// <summary>Raw Q12.19 sum at which TFLM's exponent check fails (512.0).</summary>
        public const int SumLimit = 1 << 28;

        /// <summary>
        /// Input and output are int8 [Rows, Depth]. For every row:
        ///  1. max = the largest input of the row.
        ///  2. For each element with diff = x - max &gt;= DiffMin (DiffMin &lt;= 0):
        ///     scaled = MultiplyByQuantizedMultiplierGreaterThanOne(diff,
        ///     InputMultiplier, InputLeftShift), read as Q5.26 (beta * scale * diff);
        ///     e = exp_on_negative_values(scaled) in Q0.31;
        ///     sum += Rescale of e to Q12.19 (RoundingDivideByPOT(e, 12)).
        ///  3. If sum reaches 2^28 (512.0), the whole row is -128 (see the top of
        ///     the file); TFLM aborts there.
        ///  4. reciprocal = GetReciprocal(sum, 12, out bitsOverUnit) (Q0.31) and
        ///     exponent = bitsOverUnit + 31 - 8.
        ///  5. For each element with diff &gt;= DiffMin: recompute e as in step 2,
        ///     out = RoundingDivideByPOT(reciprocal * e (Q0.31 product), exponent) - 128,
        ///     clamped to [-128, 127]. Elements with diff &lt; DiffMin give -128.
        /// </summary>
        public static void Eval(SoftmaxParams p, byte[] input, int inputStart, byte[] output, int outputStart)
        {
            int depth = p.Depth;
            bool wide = p.OutputIsInt16;
            int outMin = wide ? -32768 : -128, outMax = wide ? 32767 : 127, outBits = wide ? 16 : 8;
            for (int row = 0; row < p.Rows; row++)
            {
                int inBase = inputStart + row * depth;
                int outBase = outputStart + row * depth * (wide ? 2 : 1);

                int max = -128;
                for (int c = 0; c < depth; c++)
                {
                    int v = (sbyte)input[inBase + c];
                    if (v > max) max = v;
                }

                // Sum of exps in Q12.19. Each term is at most 2^19, so checking
                // after every addition keeps the int32 sum far from overflow.
                // int16 output: TFLM's exponent check cannot fail, only the int32
                // sum can overflow (>= 2^31, 4096.0); the check stops just before.
                int sum = 0;
                bool overLimit = false;
                for (int c = 0; c < depth; c++)
                {
                    int diff = (sbyte)input[inBase + c] - max;
                    if (diff >= p.DiffMin)
                    {
                        int term = FixedPoint.Rescale(ExpOfDiff(p, diff), 0, AccumulationIntegerBits);
                        if (wide && term > int.MaxValue - sum)
                        {
                            overLimit = true;
                            break;
                        }
                        sum += term;
                        if (!wide && sum >= SumLimit)
                        {
                            overLimit = true;
                            break;
                        }
                    }
                }

                if (overLimit || sum <= 0)
                {
                    // overLimit: TFLM aborts; Mote returns probability 0 everywhere
                    // (see the top of the file). sum <= 0 cannot happen with a
                    // valid DiffMin <= 0 (the row maximum always contributes 1.0);
                    // it is handled the same way defensively.
                    for (int c = 0; c < depth; c++) Store(output, outBase, c, outMin, wide);
                    continue;
                }

                int numBitsOverUnit;
                int shiftedScale = FixedPoint.GetReciprocal(sum, AccumulationIntegerBits, out numBitsOverUnit);
                int exponent = numBitsOverUnit + 31 - outBits; // int8: in [23, 31] below the limit; int16: [15, 27]

                for (int c = 0; c < depth; c++)
                {
                    int diff = (sbyte)input[inBase + c] - max;
                    int outVal = outMin;
                    if (diff >= p.DiffMin)
                    {
                        int e = ExpOfDiff(p, diff);
                        int unsat = FixedPoint.RoundingDivideByPOT(
                            FixedPoint.SaturatingRoundingDoublingHighMul(shiftedScale, e), exponent);
                        outVal = unsat + outMin;
                        if (outVal < outMin) outVal = outMin;
                        if (outVal > outMax) outVal = outMax;
                    }
                    Store(output, outBase, c, outVal, wide);
                }
            }
        }

        /// <summary>Element c of a row starting at base: int8, or int16 little-endian when wide.</summary>
        private static void Store(byte[] output, int rowStart, int c, int value, bool wide)
        {
            if (wide)
            {
                int at = rowStart + 2 * c;
                output[at] = (byte)value;
                output[at + 1] = (byte)(value >> 8);
            }
            else output[rowStart + c] = (byte)(sbyte)value;
        }

        /// <summary>exp(beta * scale * diff) in Q0.31 for diff &lt;= 0, as TFLM computes it.</summary>
        private static int ExpOfDiff(SoftmaxParams p, int diff)
        {
            int scaledDiff = FixedPoint.MultiplyByQuantizedMultiplierGreaterThanOne(diff, p.InputMultiplier, p.InputLeftShift);
            return FixedPoint.ExpOnNegativeValues(scaledDiff, ScaledDiffIntegerBits);
        }
    }
}
