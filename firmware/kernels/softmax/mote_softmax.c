/* SOFTMAX int8 -> int8, portable C99. Bit-exact with C# Softmax.Eval (TFLM
 * reference_ops::Softmax, gemmlowp fixed point); rows where TFLM aborts give -128
 * everywhere (see the top of src/Mote.Runtime/Kernels/Reference/Softmax.cs). */
#include "mote_kernels.h"
#include "mote_fixed_point.h"

#define SCALED_DIFF_INTEGER_BITS 5   /* exp input Q5.26 */
#define ACCUMULATION_INTEGER_BITS 12 /* sum of exps Q12.19 */
#define SUM_LIMIT (1 << 28)          /* raw Q12.19 sum of 512.0, where TFLM's check fails */

static int32_t exp_of_diff(const mote_softmax_params *p, int32_t diff)
{
    const int32_t scaled = mote_multiply_by_quantized_multiplier_greater_than_one(diff, p->input_multiplier,
                                                                                  p->input_left_shift);
    return mote_exp_on_negative_values(scaled, SCALED_DIFF_INTEGER_BITS);
}

/* Per row: max; sum of exp(diff) (Q12.19) over diff >= diff_min; reciprocal of the sum;
 * out = RoundingDivideByPOT(reciprocal * exp(diff), bits_over_unit + 23) - 128, clamped. */
mote_status mote_softmax(const mote_softmax_params *p, const int8_t *input, int8_t *output)
{
    const int32_t depth = p->depth;
    if (p->input_left_shift < 0 || p->input_left_shift > 30 || p->diff_min > 0) return MOTE_ERROR_ARGUMENT;
    for (int32_t row = 0; row < p->rows; row++) {
        const int8_t *in = input + (size_t)row * depth;
        int8_t *out = output + (size_t)row * depth;
        int32_t max = -128;
        for (int32_t c = 0; c < depth; c++)
            if (in[c] > max) max = in[c];

        int32_t sum = 0, over_limit = 0;
        for (int32_t c = 0; c < depth; c++) {
            const int32_t diff = in[c] - max;
            if (diff >= p->diff_min) {
                sum += mote_rescale(exp_of_diff(p, diff), 0, ACCUMULATION_INTEGER_BITS);
                if (sum >= SUM_LIMIT) { over_limit = 1; break; }
            }
        }
        if (over_limit || sum <= 0) {
            for (int32_t c = 0; c < depth; c++) out[c] = -128;
            continue;
        }
        int32_t bits_over_unit;
        const int32_t reciprocal = mote_get_reciprocal(sum, ACCUMULATION_INTEGER_BITS, &bits_over_unit);
        const int32_t exponent = bits_over_unit + 31 - 8;
        for (int32_t c = 0; c < depth; c++) {
            const int32_t diff = in[c] - max;
            int32_t v = -128;
            if (diff >= p->diff_min) {
                const int32_t e = exp_of_diff(p, diff);
                v = mote_rounding_divide_by_pot(mote_saturating_rounding_doubling_high_mul(reciprocal, e), exponent) - 128;
                if (v < -128) v = -128;
                if (v > 127) v = 127;
            }
            out[c] = (int8_t)v;
        }
    }
    return MOTE_OK;
}
