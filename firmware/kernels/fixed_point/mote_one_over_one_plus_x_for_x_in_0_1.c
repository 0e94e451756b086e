/* gemmlowp one_over_one_plus_x_for_x_in_0_1 (C# FixedPoint.OneOverOnePlusXForXIn0To1). */
#include "mote_fixed_point.h"

/* Newton-Raphson division: d = (1 + a) / 2 in Q0.31 (rounding half sum with one =
 * INT32_MAX); x0 = 48/17 - 32/17 * d in Q2.29; three times x += x * (1 - d * x) (the
 * product is Q4.27, rescaled to Q2.29); x = 1/d = 2 / (1 + a) in Q2.29 is 1 / (1 + a)
 * read as Q1.30, rescaled to Q0.31. */
int32_t mote_one_over_one_plus_x_for_x_in_0_1(int32_t a)
{
    const int32_t forty_eight_over_seventeen = 1515870810;       /* Q2.29 */
    const int32_t minus_thirty_two_over_seventeen = -1010580540; /* Q2.29 */
    const int32_t one_q2 = 1 << 29;
    const int64_t sum = (int64_t)a + INT32_MAX;
    const int32_t half_denominator = (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
    int32_t x = mote_wrapping_add(forty_eight_over_seventeen,
                                  mote_saturating_rounding_doubling_high_mul(half_denominator,
                                                                             minus_thirty_two_over_seventeen));
    for (int i = 0; i < 3; i++) {
        const int32_t half_denominator_times_x = mote_saturating_rounding_doubling_high_mul(half_denominator, x);
        const int32_t one_minus = (int32_t)((uint32_t)one_q2 - (uint32_t)half_denominator_times_x);
        x = mote_wrapping_add(x, mote_rescale(mote_saturating_rounding_doubling_high_mul(x, one_minus), 4, 2));
    }
    return mote_rescale(x, 1, 0);
}
