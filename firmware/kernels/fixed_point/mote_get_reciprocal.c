/* TFLM GetReciprocal (C# FixedPoint.GetReciprocal), used by SOFTMAX. */
#include "mote_fixed_point.h"

static int32_t count_leading_zeros(uint32_t x)
{
    if (x == 0) return 32;
    int32_t n = 0;
    if ((x & 0xFFFF0000u) == 0) { n += 16; x <<= 16; }
    if ((x & 0xFF000000u) == 0) { n += 8; x <<= 8; }
    if ((x & 0xF0000000u) == 0) { n += 4; x <<= 4; }
    if ((x & 0xC0000000u) == 0) { n += 2; x <<= 2; }
    if ((x & 0x80000000u) == 0) { n += 1; }
    return n;
}

/* Normalize x (> 0) to 1 + f with f in [0, 1) by shifting out its leading zeros, return
 * 1 / (1 + f) in Q0.31; 1/x = result * 2^-num_bits_over_unit. */
int32_t mote_get_reciprocal(int32_t x, int32_t x_integer_digits, int32_t *num_bits_over_unit)
{
    const int32_t headroom_plus_one = count_leading_zeros((uint32_t)x);
    *num_bits_over_unit = x_integer_digits - headroom_plus_one;
    const int32_t shifted_sum_minus_one = (int32_t)(((uint32_t)x << headroom_plus_one) - (1u << 31));
    return mote_one_over_one_plus_x_for_x_in_0_1(shifted_sum_minus_one);
}
