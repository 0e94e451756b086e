/* Mote integer fixed-point helpers (C99), bit-exact with
 * src/Mote.Runtime/Kernels/Reference/FixedPoint.cs, i.e. with TFLite Micro's
 * default (double-rounding, TFLITE_SINGLE_ROUNDING off) requantization and
 * gemmlowp's fixedpoint.h. See docs/numerics.md.
 *
 * Where C# wraps (unchecked), this code wraps explicitly through uint32_t so
 * that no signed overflow (undefined behaviour in C) ever happens. Right shifts
 * of negative values are arithmetic (implementation-defined in C99; GCC and
 * Clang define them so on every target Mote builds for).
 */
#ifndef MOTE_FIXED_POINT_H
#define MOTE_FIXED_POINT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

static inline int32_t mote_wrapping_add(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }
static inline int32_t mote_wrapping_mul(int32_t a, int32_t b) { return (int32_t)((uint32_t)a * (uint32_t)b); }

/* gemmlowp SaturatingRoundingDoublingHighMul: round(a * b / 2^31), halves up; only
 * INT32_MIN * INT32_MIN saturates (to INT32_MAX). Equals floor((a*b + 2^30) / 2^31). */
static inline int32_t mote_saturating_rounding_doubling_high_mul(int32_t a, int32_t b)
{
    if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
    return (int32_t)(((int64_t)a * b + ((int64_t)1 << 30)) >> 31);
}

/* gemmlowp RoundingDivideByPOT: x / 2^exponent, halves away from zero; exponent in [0, 31]. */
static inline int32_t mote_rounding_divide_by_pot(int32_t x, int32_t exponent)
{
    const int32_t mask = (int32_t)(((uint32_t)1 << exponent) - 1u);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* TFLM MultiplyByQuantizedMultiplier, double rounding, written as the reference does it:
 * x * 2^max(shift, 0) (wrapping), rounding doubling high multiply, rounding right shift
 * by max(-shift, 0). shift in [-31, 30]. */
static inline int32_t mote_multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int32_t shift)
{
    const int32_t left = shift > 0 ? shift : 0;
    const int32_t right = shift > 0 ? 0 : -shift;
    return mote_rounding_divide_by_pot(
        mote_saturating_rounding_doubling_high_mul((int32_t)((uint32_t)x << left), multiplier), right);
}

/* The same function, computed with one 64-bit multiply-accumulate and one shift; what the
 * kernels use. Requires multiplier >= 0 (every multiplier in a blob is in [0, 2^31 - 1]).
 *
 * Why it is bit-exact, for shift = -e < 0 (shift >= 0 is the plain high multiply):
 * with P = x * m, the reference computes h = floor((P + 2^30) / 2^31) and then
 * floor((h + 2^(e-1) - [h < 0]) / 2^e) (RoundingDivideByPOT, halves away from zero).
 * Nested floors by powers of two merge: the result is
 * floor((P + 2^30 + 2^(30+e) - [h < 0] * 2^31) / 2^(31+e)). [h < 0] may be replaced by
 * [x < 0]: they differ only when -2^30 <= P < 0, where h = 0 and both give 0. Writing
 * q = P + (x < 0 ? -2^30 : 2^30), the result is floor((q + 2^(30+e)) / 2^(31+e)):
 * for e >= 2 that is ((q >> 32) + 2^(e-2)) >> (e-1), for e = 1 (q + 2^31) >> 32.
 * firmware/test checks this against the C# reference on random and extreme values. */
static inline int32_t mote_multiply_by_quantized_multiplier_fast(int32_t x, int32_t multiplier, int32_t shift)
{
    if (shift >= 0) {
        const int32_t a = (int32_t)((uint32_t)x << shift);
        return (int32_t)(((int64_t)a * multiplier + ((int64_t)1 << 30)) >> 31);
    }
    const int64_t q = (int64_t)x * multiplier + (x < 0 ? -((int64_t)1 << 30) : ((int64_t)1 << 30));
    if (shift == -1) return (int32_t)((q + ((int64_t)1 << 31)) >> 32);
    const int32_t hi = (int32_t)(q >> 32);
    return (hi + (1 << (-shift - 2))) >> (-shift - 1);
}

/* TFLM MultiplyByQuantizedMultiplierSmallerThanOneExp: left_shift <= 0. */
static inline int32_t mote_multiply_by_quantized_multiplier_smaller_than_one_exp(int32_t x, int32_t multiplier,
                                                                                  int32_t left_shift)
{
    return mote_rounding_divide_by_pot(mote_saturating_rounding_doubling_high_mul(x, multiplier), -left_shift);
}

/* TFLM MultiplyByQuantizedMultiplierGreaterThanOne: left_shift >= 0, the shift wraps. */
static inline int32_t mote_multiply_by_quantized_multiplier_greater_than_one(int32_t x, int32_t multiplier,
                                                                              int32_t left_shift)
{
    return mote_saturating_rounding_doubling_high_mul((int32_t)((uint32_t)x << left_shift), multiplier);
}

/* gemmlowp SaturatingRoundingMultiplyByPOT: x * 2^exponent, saturating for exponent > 0,
 * RoundingDivideByPOT for exponent < 0; exponent in [-31, 30]. */
static inline int32_t mote_saturating_rounding_multiply_by_pot(int32_t x, int32_t exponent)
{
    if (exponent == 0) return x;
    if (exponent < 0) return mote_rounding_divide_by_pot(x, -exponent);
    const int32_t threshold = (int32_t)(((uint32_t)1 << (31 - exponent)) - 1u);
    if (x > threshold) return INT32_MAX;
    if (x < -threshold) return INT32_MIN;
    return (int32_t)((uint32_t)x << exponent);
}

/* gemmlowp Rescale: from src to dst integer bits. */
static inline int32_t mote_rescale(int32_t x, int32_t src_integer_bits, int32_t dst_integer_bits)
{
    return mote_saturating_rounding_multiply_by_pot(x, src_integer_bits - dst_integer_bits);
}

/* The tail of CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED for one output (C#
 * FixedPoint.RequantizeChannel, bias already added): requantize, add the output
 * offset, clamp. */
static inline int8_t mote_requantize_clamp(int32_t acc, int32_t multiplier, int32_t shift, int32_t output_offset,
                                           int32_t activation_min, int32_t activation_max)
{
    int32_t v = mote_wrapping_add(mote_multiply_by_quantized_multiplier_fast(acc, multiplier, shift), output_offset);
    if (v < activation_min) v = activation_min;
    if (v > activation_max) v = activation_max;
    return (int8_t)v;
}

/* gemmlowp exp_on_negative_values: exp(a) for a <= 0 in Q(integer_bits), result Q0.31
 * (exp(0) = INT32_MAX). integer_bits in [0, 29]. */
int32_t mote_exp_on_negative_values(int32_t a, int32_t integer_bits);

/* gemmlowp one_over_one_plus_x_for_x_in_0_1: 1 / (1 + a), a in [0, 1), Q0.31 in and out. */
int32_t mote_one_over_one_plus_x_for_x_in_0_1(int32_t a);

/* TFLM GetReciprocal: for x > 0 in Q(x_integer_digits), returns 1 / (1 + f) in Q0.31 where x
 * is normalized to (1 + f) * 2^num_bits_over_unit. */
int32_t mote_get_reciprocal(int32_t x, int32_t x_integer_digits, int32_t *num_bits_over_unit);

#ifdef __cplusplus
}
#endif
#endif
