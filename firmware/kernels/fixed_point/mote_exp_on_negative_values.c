/* gemmlowp exp_on_negative_values (C# FixedPoint.ExpOnNegativeValues), used by SOFTMAX. */
#include "mote_fixed_point.h"

/* exp(a) for a in [-1/4, 0), Q0.31 in and out: Taylor expansion around -1/8,
 * x = a + 1/8, result = e^(-1/8) * (1 + x + x^2/2 + x^3/6 + x^4/24). */
static int32_t exp_on_interval_between_negative_one_quarter_and_0_excl(int32_t a)
{
    const int32_t exp_minus_one_eighth = 1895147668; /* exp(-1/8), Q0.31 */
    const int32_t one_third = 715827883;             /* 1/3, Q0.31 */
    const int32_t x = mote_wrapping_add(a, 1 << 28);
    const int32_t x2 = mote_saturating_rounding_doubling_high_mul(x, x);
    const int32_t x3 = mote_saturating_rounding_doubling_high_mul(x2, x);
    const int32_t x4 = mote_saturating_rounding_doubling_high_mul(x2, x2);
    const int32_t x4_over_4 = mote_rounding_divide_by_pot(x4, 2);
    const int32_t inner = mote_wrapping_add(
        mote_saturating_rounding_doubling_high_mul(mote_wrapping_add(x4_over_4, x3), one_third), x2);
    const int32_t poly = mote_rounding_divide_by_pot(inner, 1);
    return mote_wrapping_add(exp_minus_one_eighth,
                             mote_saturating_rounding_doubling_high_mul(exp_minus_one_eighth, mote_wrapping_add(x, poly)));
}

/* One step of the barrel shifter: if bit (fractional_bits + exponent) of the remainder is set,
 * multiply by exp(-2^exponent). */
static int32_t barrel_step(int32_t result, int32_t remainder, int32_t integer_bits, int32_t fractional_bits,
                           int32_t exponent, int32_t multiplier)
{
    if (integer_bits > exponent) {
        const int32_t shift_amount = fractional_bits + exponent;
        if (remainder & (int32_t)((uint32_t)1 << shift_amount))
            return mote_saturating_rounding_doubling_high_mul(result, multiplier);
    }
    return result;
}

/* Steps: a = a_mod - remainder with a_mod in [-1/4, 0) and remainder a non-negative multiple
 * of 1/4; exp(a_mod) on the short interval; then multiply by exp(-2^k) for every power of two
 * 2^k (k = -2..4) present in the remainder; inputs below -32 give 0 when integer_bits > 5;
 * a == 0 gives exactly one. */
int32_t mote_exp_on_negative_values(int32_t a, int32_t integer_bits)
{
    const int32_t fractional_bits = 31 - integer_bits;
    const int32_t one_quarter = 1 << (fractional_bits - 2);
    const int32_t mask = one_quarter - 1;
    const int32_t a_mod_quarter_minus_one_quarter = (a & mask) - one_quarter;
    int32_t result = exp_on_interval_between_negative_one_quarter_and_0_excl(
        mote_rescale(a_mod_quarter_minus_one_quarter, integer_bits, 0));
    const int32_t remainder = (int32_t)((uint32_t)a_mod_quarter_minus_one_quarter - (uint32_t)a);

    result = barrel_step(result, remainder, integer_bits, fractional_bits, -2, 1672461947); /* exp(-1/4) */
    result = barrel_step(result, remainder, integer_bits, fractional_bits, -1, 1302514674); /* exp(-1/2) */
    result = barrel_step(result, remainder, integer_bits, fractional_bits, 0, 790015084);   /* exp(-1) */
    result = barrel_step(result, remainder, integer_bits, fractional_bits, 1, 290630308);   /* exp(-2) */
    result = barrel_step(result, remainder, integer_bits, fractional_bits, 2, 39332535);    /* exp(-4) */
    result = barrel_step(result, remainder, integer_bits, fractional_bits, 3, 720401);      /* exp(-8) */
    result = barrel_step(result, remainder, integer_bits, fractional_bits, 4, 242);         /* exp(-16) */

    if (integer_bits > 5) {
        const int32_t clamp = -(1 << (36 - integer_bits)); /* -32 in Q(integer_bits) */
        if (a < clamp) result = 0;
    }
    if (a == 0) result = INT32_MAX;
    return result;
}
