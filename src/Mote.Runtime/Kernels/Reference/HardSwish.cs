namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// HARD_SWISH, int8. Follows TFLM reference_ops::HardSwish&lt;int8_t&gt; (reference/hard_swish.h):
    /// 16-bit fixed point throughout, with gemmlowp's int16 SaturatingRoundingDoublingHighMul and
    /// RoundingDivideByPOT. Every intermediate is an int16 as in TFLM (casts wrap).
    /// </summary>
    public static class HardSwish
    {
        /// <summary>
        /// Input and output are int8 with Size elements. For each element:
        ///  1. v = x + InputOffset; hires = v * 2^7 (the input on scale input_scale / 128);
        ///  2. preshift = SRDHM16(hires, OutputMultiplier) (the input on the output scale, before
        ///     the output exponent);
        ///  3. reluish: hires rescaled so that 3.0 is 32768: for ReluishExponent &gt; 0, a saturating
        ///     left shift by (exponent - 1), SRDHM16 by ReluishMultiplier, a saturating left shift
        ///     by 1; for exponent &lt;= 0, SRDHM16 then RoundingDivideByPOT16 by -exponent;
        ///  4. reluish = (reluish + 2^15) &gt;&gt; 1, mapping [-3, 3] to [0, 1] in Q0.15;
        ///  5. out = RoundingDivideByPOT16(SaturatingDoublingHighMul16(reluish, preshift), -OutputExponent)
        ///     (the non-rounding high multiply, as TFLM), plus OutputOffset as an int16, clamped to [-128, 127].
        /// </summary>
        public static void Eval(HardSwishParams p, byte[] input, int inputStart, byte[] output, int outputStart)
        {
            for (int i = 0; i < p.Size; i++)
            {
                short inputValue = unchecked((short)((sbyte)input[inputStart + i] + p.InputOffset));
                short hires = unchecked((short)(inputValue * (1 << 7)));
                short preshift = SaturatingRoundingDoublingHighMul16(hires, (short)p.OutputMultiplier);
                short reluish = hires;
                if (p.ReluishExponent > 0)
                {
                    reluish = SaturatingLeftShift16(reluish, p.ReluishExponent - 1);
                }
                reluish = SaturatingRoundingDoublingHighMul16(reluish, (short)p.ReluishMultiplier);
                if (p.ReluishExponent > 0)
                {
                    reluish = SaturatingLeftShift16(reluish, 1);
                }
                if (p.ReluishExponent < 0)
                {
                    reluish = RoundingDivideByPOT16(reluish, -p.ReluishExponent);
                }
                reluish = unchecked((short)((reluish + (1 << 15)) >> 1));
                short preshiftOutput = SaturatingDoublingHighMul16(reluish, preshift);
                short value = RoundingDivideByPOT16(preshiftOutput, -p.OutputExponent);
                value = unchecked((short)(value + p.OutputOffset));
                int result = value;
                if (result > 127) result = 127;
                if (result < -128) result = -128;
                output[outputStart + i] = (byte)(sbyte)result;
            }
        }

        /// <summary>TFLM SaturatingLeftShift (hard_swish.h): value * 2^amount in 64 bits, clamped to int16. amount 0..30.</summary>
        public static short SaturatingLeftShift16(short value, int amount)
        {
            long result = (long)value * (1 << amount);
            if (result > short.MaxValue) result = short.MaxValue;
            if (result < short.MinValue) result = short.MinValue;
            return (short)result;
        }

        /// <summary>
        /// gemmlowp SaturatingRoundingDoublingHighMul for int16: (a * b + nudge) / 2^15 with C's
        /// truncating division, nudge 2^14 for a non-negative product and 1 - 2^14 otherwise;
        /// -32768 * -32768 saturates to 32767.
        /// </summary>
        public static short SaturatingRoundingDoublingHighMul16(short a, short b)
        {
            if (a == short.MinValue && b == short.MinValue) return short.MaxValue;
            int ab = a * b;
            int nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
            return unchecked((short)((ab + nudge) / (1 << 15)));
        }

        /// <summary>
        /// TFLM SaturatingDoublingHighMul (hard_swish.h, like ARM SQDMULH): a * b / 2^15 truncated
        /// towards zero; -32768 * -32768 saturates to 32767.
        /// </summary>
        public static short SaturatingDoublingHighMul16(short a, short b)
        {
            if (a == short.MinValue && b == short.MinValue) return short.MaxValue;
            return unchecked((short)((a * b) / (1 << 15)));
        }

        /// <summary>
        /// gemmlowp RoundingDivideByPOT for int16 (exponent 0..31), with its int16 arithmetic: the
        /// mask (2^exponent - 1) is truncated to 16 bits, so exponents of 16 and more behave as
        /// gemmlowp's int16 template does (mask -1), not as an exact division.
        /// </summary>
        public static short RoundingDivideByPOT16(short x, int exponent)
        {
            short mask = unchecked((short)((1L << exponent) - 1));
            short remainder = unchecked((short)(x & mask));
            short threshold = unchecked((short)((mask >> 1) + (x < 0 ? 1 : 0)));
            return unchecked((short)((short)(x >> exponent) + (remainder > threshold ? 1 : 0)));
        }
    }
}
