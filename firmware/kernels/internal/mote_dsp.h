/* Cortex-M DSP extension (ARMv7E-M) helpers for the *_dsp kernels. Internal header.
 *
 * Packing convention used by every DSP kernel: a 32-bit word holding four int8 values
 * b0 b1 b2 b3 (b0 in the low byte) is widened by SXTB16 into two int16x2 words,
 * even = [b0, b2] and odd = [b1, b3] (SXTB16 with ROR #8). Activations are widened the
 * same way (with the input offset added by SXTAB16), so the "reordered" pairs line up
 * and SMLAD(even_w, even_x) + SMLAD(odd_w, odd_x) is the four-element dot product without
 * any PKHBT shuffle. */
#ifndef MOTE_DSP_H
#define MOTE_DSP_H

#include <stdint.h>
#include <string.h>
#include "mote_fixed_point.h"
#include "mote_kernels.h"

#if MOTE_HAVE_DSP
#include <arm_acle.h>

/* Unaligned 32-bit read (LDR allows it on ARMv7-M; memcpy compiles to one LDR). */
static inline uint32_t mote_read_u32(const void *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static inline uint32_t mote_sxtb16(uint32_t x) { return (uint32_t)__sxtb16((int8x4_t)x); }

/* SXTB16 with the rotation folded in (GCC 12's arm_acle.h has no __ror; a C rotate is
 * not fused, inline asm is). */
static inline uint32_t mote_sxtb16_ror8(uint32_t x)
{
    uint32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
    return r;
}

/* a + sign-extended bytes 0 and 2 of x, per halfword. */
static inline uint32_t mote_sxtab16(uint32_t a, uint32_t x) { return (uint32_t)__sxtab16((int16x2_t)a, (int8x4_t)x); }

static inline uint32_t mote_sxtab16_ror8(uint32_t a, uint32_t x)
{
    uint32_t r;
    __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(x));
    return r;
}

static inline int32_t mote_smlad(uint32_t a, uint32_t b, int32_t acc)
{
    return __smlad((int16x2_t)a, (int16x2_t)b, acc);
}

static inline int32_t mote_smlabb(uint32_t a, uint32_t b, int32_t acc) { return __smlabb((int32_t)a, (int32_t)b, acc); }
static inline int32_t mote_smlatt(uint32_t a, uint32_t b, int32_t acc) { return __smlatt((int32_t)a, (int32_t)b, acc); }

/* The input offset replicated into both halfwords, for SXTAB16. */
static inline uint32_t mote_offset_pair(int32_t offset)
{
    return ((uint32_t)offset & 0xFFFFu) | ((uint32_t)offset << 16);
}

/* Requantization for the DSP kernels: mote_multiply_by_quantized_multiplier_fast with the
 * per-channel work done once per kernel call (mote_dsp_prepare_requant, into the caller's
 * scratch). For shift <= -2 (every channel of the models seen so far) it is one SMLAL and
 * one shift: with e = -shift, the 64-bit constant (x < 0 ? -2^30 : 2^30) + 2^(30+e) is
 * preloaded into the accumulator pair (its high word is (x >> 31) + 2^(e-2)), and
 * floor((x*m + constant) / 2^(31+e)) is the high word shifted right by e - 1 (see
 * mote_multiply_by_quantized_multiplier_fast for why this equals TFLM's double rounding).
 * When some channel has shift >= -1 the kernel uses the general function for all. */
typedef struct {
    int32_t multiplier;
    int32_t shift;
    int32_t round;         /* 2^(e-2) when shift <= -2 */
    int32_t right_minus_1; /* e - 1 when shift <= -2 */
} mote_dsp_requant;

/* Fills q[0, n) from the tables (entry i * stride for channel i: stride 1 per channel, 0
 * shared); returns 1 when every shift is <= -2 (the one-SMLAL form applies to all). */
static inline int32_t mote_dsp_prepare_requant(const int32_t *multiplier, const int32_t *shift, int32_t stride,
                                               int32_t n, mote_dsp_requant *q)
{
    int32_t all_fast = 1;
    for (int32_t i = 0; i < n; i++) {
        const int32_t s = shift[i * stride];
        q[i].multiplier = multiplier[i * stride];
        q[i].shift = s;
        if (s <= -2) {
            q[i].round = 1 << (-s - 2);
            q[i].right_minus_1 = -s - 1;
        } else {
            q[i].round = 0;
            q[i].right_minus_1 = 0;
            all_fast = 0;
        }
    }
    return all_fast;
}

static inline int32_t mote_dsp_requantize_fast(int32_t x, const mote_dsp_requant *q)
{
    uint32_t lo = ((uint32_t)x & 0x80000000u) | 0x40000000u;
    int32_t hi = (x >> 31) + q->round;
    __asm__("smlal %0, %1, %2, %3" : "+r"(lo), "+r"(hi) : "r"(x), "r"(q->multiplier));
    return hi >> q->right_minus_1;
}

/* The output stage shared by the DSP kernels: requantize (fast form when all_fast), add the
 * output offset (wrapping), clamp to [min, max] (one SSAT when that is [-128, 127]). The
 * flags are per-call constants, so the branches are predictable and cheap. */
static inline int8_t mote_dsp_output(int32_t acc, const mote_dsp_requant *q, int32_t all_fast, int32_t output_offset,
                                     int32_t full_range, int32_t min, int32_t max)
{
    int32_t v = all_fast ? mote_dsp_requantize_fast(acc, q)
                         : mote_multiply_by_quantized_multiplier_fast(acc, q->multiplier, q->shift);
    v = (int32_t)((uint32_t)v + (uint32_t)output_offset);
    if (full_range) return (int8_t)__ssat(v, 8);
    if (v < min) v = min;
    if (v > max) v = max;
    return (int8_t)v;
}

/* Widen groups*4 int8 values to int16 with the input offset added, in the even/odd order
 * above: group g goes to dst[g * stride], dst[g * stride + 1] (stride in words: 2 for one
 * column, 4 for two interleaved columns). */
static inline uint32_t *mote_widen_with_offset(const int8_t *src, uint32_t *dst, int32_t groups, int32_t stride,
                                               uint32_t offset_pair)
{
    for (int32_t i = groups; i > 0; i--) {
        const uint32_t w = mote_read_u32(src);
        src += 4;
        dst[0] = mote_sxtab16(offset_pair, w);
        dst[1] = mote_sxtab16_ror8(offset_pair, w);
        dst += stride;
    }
    return dst;
}

/* Widen one contiguous im2col column of k int8 values (x + input_offset as int16) into the
 * layout mote_nn_mat_mult_s8_s16 reads: column `which` (0 or 1) of one (two_columns = 0)
 * or two interleaved columns. */
static inline void mote_widen_column(const int8_t *src, int32_t k, uint32_t *cols, int32_t which, int32_t two_columns,
                                     int32_t input_offset)
{
    const int32_t stride = two_columns ? 4 : 2;
    const int32_t k4 = k >> 2, tail = k & 3;
    mote_widen_with_offset(src, cols + 2 * which, k4, stride, mote_offset_pair(input_offset));
    int16_t *t = (int16_t *)(cols + k4 * stride) + which * tail;
    for (int32_t i = 0; i < tail; i++) t[i] = (int16_t)(src[4 * k4 + i] + input_offset);
}

/* The int8 x int16 matrix kernel shared by the DSP convolutions. For the output channels
 * [0, out_c) (filter rows of k int8 each, row-major) and one or two im2col columns of k
 * values (x + input_offset) as int16, writes the requantized outputs to out0[oc] and, with
 * two columns, out1[oc]. The arguments that do not change between pixels come in `a`.
 * Column layout (cols): for k4 = k / 4 groups of four elements, one column: words
 * [even, odd] per group; two columns: [even0, odd0, even1, odd1] per group. Then the k % 4
 * remaining elements as natural-order int16: column 0's, then column 1's.
 * Defined in conv/mote_nn_mat_mult_s8_s16.c. */
typedef struct {
    const int8_t *filter;        /* [out_c, k] */
    const int32_t *bias;         /* [out_c] or NULL */
    const mote_dsp_requant *requant; /* [out_c], from mote_dsp_prepare_requant */
    int32_t out_c, k;
    int32_t all_fast, full_range;
    int32_t output_offset, activation_min, activation_max;
} mote_nn_mat_mult_args;

void mote_nn_mat_mult_s8_s16(const mote_nn_mat_mult_args *a, const uint32_t *cols, int32_t two_columns,
                             int8_t *out0, int8_t *out1);

#endif
#endif
