/* The DSP matrix kernel behind mote_conv2d_dsp and mote_conv2d_1x1_dsp (internal). */
#include "mote_dsp.h"
#include "mote_fixed_point.h"

#if MOTE_HAVE_DSP

/* Hot spot. Two filter rows x two columns, one group of four k: 2 LDR + 4 SXTB16 for the
 * weights, 4 LDR for the columns, 8 SMLAD = 16 MACs. */
static inline void group2x2(const int8_t *w0, const int8_t *w1, const uint32_t *col, int32_t *a)
{
    const uint32_t wa = mote_read_u32(w0), wb = mote_read_u32(w1);
    const uint32_t wae = mote_sxtb16(wa), wao = mote_sxtb16_ror8(wa);
    const uint32_t wbe = mote_sxtb16(wb), wbo = mote_sxtb16_ror8(wb);
    uint32_t x = col[0];
    a[0] = mote_smlad(wae, x, a[0]);
    a[2] = mote_smlad(wbe, x, a[2]);
    x = col[1];
    a[0] = mote_smlad(wao, x, a[0]);
    a[2] = mote_smlad(wbo, x, a[2]);
    x = col[2];
    a[1] = mote_smlad(wae, x, a[1]);
    a[3] = mote_smlad(wbe, x, a[3]);
    x = col[3];
    a[1] = mote_smlad(wao, x, a[1]);
    a[3] = mote_smlad(wbo, x, a[3]);
}

/* Accumulators start at the bias (int32 addition wraps, so the order does not matter for
 * bit-exactness). Eight k per iteration halves the loop overhead. */
static void rows2_cols2(const int8_t *w0, int32_t k, const uint32_t *col, int32_t *acc)
{
    const int8_t *w1 = w0 + k;
    int32_t a[4] = {acc[0], acc[1], acc[2], acc[3]};
    for (int32_t i = k >> 3; i > 0; i--) {
        group2x2(w0, w1, col, a);
        group2x2(w0 + 4, w1 + 4, col + 4, a);
        w0 += 8, w1 += 8, col += 8;
    }
    if (k & 4) {
        group2x2(w0, w1, col, a);
        w0 += 4, w1 += 4, col += 4;
    }
    const int16_t *t0 = (const int16_t *)col, *t1 = t0 + (k & 3);
    for (int32_t t = 0; t < (k & 3); t++) {
        a[0] = mote_wrapping_add(a[0], w0[t] * t0[t]);
        a[1] = mote_wrapping_add(a[1], w0[t] * t1[t]);
        a[2] = mote_wrapping_add(a[2], w1[t] * t0[t]);
        a[3] = mote_wrapping_add(a[3], w1[t] * t1[t]);
    }
    acc[0] = a[0], acc[1] = a[1], acc[2] = a[2], acc[3] = a[3];
}

/* One filter row x two columns (the last row of an odd channel count). */
static void rows1_cols2(const int8_t *w0, int32_t k, const uint32_t *col, int32_t *acc)
{
    int32_t a00 = acc[0], a01 = acc[1];
    for (int32_t i = k >> 2; i > 0; i--) {
        const uint32_t wa = mote_read_u32(w0);
        w0 += 4;
        const uint32_t wae = mote_sxtb16(wa), wao = mote_sxtb16_ror8(wa);
        a00 = mote_smlad(wae, col[0], a00);
        a00 = mote_smlad(wao, col[1], a00);
        a01 = mote_smlad(wae, col[2], a01);
        a01 = mote_smlad(wao, col[3], a01);
        col += 4;
    }
    const int16_t *t0 = (const int16_t *)col, *t1 = t0 + (k & 3);
    for (int32_t t = 0; t < (k & 3); t++) {
        a00 = mote_wrapping_add(a00, w0[t] * t0[t]);
        a01 = mote_wrapping_add(a01, w0[t] * t1[t]);
    }
    acc[0] = a00, acc[1] = a01;
}

/* Two filter rows x one column (the last pixel of an odd pixel count). */
static void rows2_cols1(const int8_t *w0, int32_t k, const uint32_t *col, int32_t *acc)
{
    const int8_t *w1 = w0 + k;
    int32_t a0 = acc[0], a1 = acc[1];
    for (int32_t i = k >> 2; i > 0; i--) {
        const uint32_t wa = mote_read_u32(w0), wb = mote_read_u32(w1);
        w0 += 4;
        w1 += 4;
        const uint32_t xe = col[0], xo = col[1];
        a0 = mote_smlad(mote_sxtb16(wa), xe, a0);
        a0 = mote_smlad(mote_sxtb16_ror8(wa), xo, a0);
        a1 = mote_smlad(mote_sxtb16(wb), xe, a1);
        a1 = mote_smlad(mote_sxtb16_ror8(wb), xo, a1);
        col += 2;
    }
    const int16_t *t0 = (const int16_t *)col;
    for (int32_t t = 0; t < (k & 3); t++) {
        a0 = mote_wrapping_add(a0, w0[t] * t0[t]);
        a1 = mote_wrapping_add(a1, w1[t] * t0[t]);
    }
    acc[0] = a0, acc[1] = a1;
}

static void rows1_cols1(const int8_t *w0, int32_t k, const uint32_t *col, int32_t *acc)
{
    int32_t a0 = acc[0];
    for (int32_t i = k >> 2; i > 0; i--) {
        const uint32_t wa = mote_read_u32(w0);
        w0 += 4;
        a0 = mote_smlad(mote_sxtb16(wa), col[0], a0);
        a0 = mote_smlad(mote_sxtb16_ror8(wa), col[1], a0);
        col += 2;
    }
    const int16_t *t0 = (const int16_t *)col;
    for (int32_t t = 0; t < (k & 3); t++) a0 = mote_wrapping_add(a0, w0[t] * t0[t]);
    acc[0] = a0;
}

/* The loop over output channel pairs; always inlined twice so that the common case (all
 * shifts <= -2, no activation clamp) compiles without the per-output flag tests. */
static inline __attribute__((always_inline)) void mat_mult(const mote_nn_mat_mult_args *a, const uint32_t *cols,
                                                           int32_t two_columns, int8_t *out0, int8_t *out1,
                                                           int32_t all_fast, int32_t full_range)
{
    const int8_t *filter = a->filter;
    const int32_t *bias = a->bias;
    const mote_dsp_requant *rq = a->requant;
    const int32_t out_c = a->out_c, k = a->k;
    const int32_t off = a->output_offset, mn = a->activation_min, mx = a->activation_max;
    int32_t acc[4];
    int32_t oc = 0;
    for (; oc + 1 < out_c; oc += 2) {
        const int8_t *w = filter + (size_t)oc * k;
        const int32_t b0 = bias ? bias[oc] : 0, b1 = bias ? bias[oc + 1] : 0;
        if (two_columns) {
            acc[0] = b0, acc[1] = b0, acc[2] = b1, acc[3] = b1;
            rows2_cols2(w, k, cols, acc);
            out0[oc] = mote_dsp_output(acc[0], &rq[oc], all_fast, off, full_range, mn, mx);
            out1[oc] = mote_dsp_output(acc[1], &rq[oc], all_fast, off, full_range, mn, mx);
            out0[oc + 1] = mote_dsp_output(acc[2], &rq[oc + 1], all_fast, off, full_range, mn, mx);
            out1[oc + 1] = mote_dsp_output(acc[3], &rq[oc + 1], all_fast, off, full_range, mn, mx);
        } else {
            acc[0] = b0, acc[1] = b1;
            rows2_cols1(w, k, cols, acc);
            out0[oc] = mote_dsp_output(acc[0], &rq[oc], all_fast, off, full_range, mn, mx);
            out0[oc + 1] = mote_dsp_output(acc[1], &rq[oc + 1], all_fast, off, full_range, mn, mx);
        }
    }
    if (oc < out_c) {
        const int8_t *w = filter + (size_t)oc * k;
        acc[0] = acc[1] = bias ? bias[oc] : 0;
        if (two_columns) {
            rows1_cols2(w, k, cols, acc);
            out1[oc] = mote_dsp_output(acc[1], &rq[oc], all_fast, off, full_range, mn, mx);
        } else {
            rows1_cols1(w, k, cols, acc);
        }
        out0[oc] = mote_dsp_output(acc[0], &rq[oc], all_fast, off, full_range, mn, mx);
    }
}

void mote_nn_mat_mult_s8_s16(const mote_nn_mat_mult_args *a, const uint32_t *cols, int32_t two_columns,
                             int8_t *out0, int8_t *out1)
{
    if (a->all_fast && a->full_range) mat_mult(a, cols, two_columns, out0, out1, 1, 1);
    else mat_mult(a, cols, two_columns, out0, out1, a->all_fast, a->full_range);
}

#endif
