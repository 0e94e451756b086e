/* FULLY_CONNECTED with symmetric weights (filter_offset 0), Cortex-M DSP path. Bit-exact with
 * C# FullyConnected.Eval. */
#include "mote_dsp.h"
#include "mote_fixed_point.h"

#if MOTE_HAVE_DSP

/* Hot spot. Two filter rows against one widened input, eight elements per iteration: 4 LDR
 * + 8 SXTB16 for the weights, 4 LDR (2 LDRD) for the input, 8 SMLAD = 16 MACs. Two rows keep
 * every pointer in a register (four rows would spill on ARMv7-M's 13 registers). */
static inline void group2(const int8_t *w0, const int8_t *w1, const uint32_t *x, int32_t *a0, int32_t *a1)
{
    const uint32_t wa = mote_read_u32(w0), wb = mote_read_u32(w1);
    const uint32_t xe = x[0], xo = x[1];
    *a0 = mote_smlad(mote_sxtb16(wa), xe, *a0);
    *a0 = mote_smlad(mote_sxtb16_ror8(wa), xo, *a0);
    *a1 = mote_smlad(mote_sxtb16(wb), xe, *a1);
    *a1 = mote_smlad(mote_sxtb16_ror8(wb), xo, *a1);
}

static void rows2(const int8_t *w0, int32_t depth, const uint32_t *x, int32_t *acc)
{
    const int8_t *w1 = w0 + depth;
    int32_t a0 = acc[0], a1 = acc[1];
    for (int32_t i = depth >> 3; i > 0; i--) {
        group2(w0, w1, x, &a0, &a1);
        group2(w0 + 4, w1 + 4, x + 2, &a0, &a1);
        w0 += 8, w1 += 8, x += 4;
    }
    if (depth & 4) {
        group2(w0, w1, x, &a0, &a1);
        w0 += 4, w1 += 4, x += 2;
    }
    const int16_t *t = (const int16_t *)x;
    for (int32_t i = 0; i < (depth & 3); i++) {
        a0 = mote_wrapping_add(a0, w0[i] * t[i]);
        a1 = mote_wrapping_add(a1, w1[i] * t[i]);
    }
    acc[0] = a0, acc[1] = a1;
}

static int32_t row1(const int8_t *w0, int32_t depth, const uint32_t *x, int32_t a0)
{
    for (int32_t i = depth >> 2; i > 0; i--) {
        const uint32_t w = mote_read_u32(w0);
        w0 += 4;
        a0 = mote_smlad(mote_sxtb16(w), x[0], a0);
        a0 = mote_smlad(mote_sxtb16_ror8(w), x[1], a0);
        x += 2;
    }
    const int16_t *t = (const int16_t *)x;
    for (int32_t i = 0; i < (depth & 3); i++) a0 = mote_wrapping_add(a0, w0[i] * t[i]);
    return a0;
}

static inline __attribute__((always_inline)) void outputs(const mote_fully_connected_params *p, const int8_t *filter,
                                                          const int32_t *bias, const mote_dsp_requant *rq,
                                                          const uint32_t *x, int8_t *output, int32_t all_fast,
                                                          int32_t full_range)
{
    const int32_t depth = p->accum_depth, out_depth = p->output_depth;
    const int32_t off = p->output_offset, mn = p->activation_min, mx = p->activation_max;
    int32_t o = 0;
    for (; o + 1 < out_depth; o += 2) {
        int32_t acc[2] = {0, 0};
        if (bias) acc[0] = bias[o], acc[1] = bias[o + 1];
        rows2(filter + (size_t)o * depth, depth, x, acc);
        output[o] = mote_dsp_output(acc[0], &rq[o], all_fast, off, full_range, mn, mx);
        output[o + 1] = mote_dsp_output(acc[1], &rq[o + 1], all_fast, off, full_range, mn, mx);
    }
    for (; o < out_depth; o++) {
        const int32_t acc = row1(filter + (size_t)o * depth, depth, x, bias ? bias[o] : 0);
        output[o] = mote_dsp_output(acc, &rq[o], all_fast, off, full_range, mn, mx);
    }
}

/* Scratch (mote_fully_connected_get_buffer_size_dsp): the prepared requantization table (16
 * bytes per output) and one input row widened to int16. Per batch the row is widened once
 * (x + input_offset, even/odd order), then output rows are computed two at a time.
 * filter_offset must be 0 and input_offset in [-127, 128]. */
mote_status mote_fully_connected_dsp(const mote_fully_connected_params *p, const int8_t *input,
                                     const int8_t *filter, const int32_t *bias, const int32_t *multiplier,
                                     const int32_t *shift, int8_t *output, void *scratch)
{
    if (p->requant_stride != 0 && p->requant_stride != 1) return MOTE_ERROR_ARGUMENT;
    if (!scratch) return MOTE_ERROR_SCRATCH;
    if (p->filter_offset != 0 || p->input_offset < -127 || p->input_offset > 128) return MOTE_ERROR_ARGUMENT;
    const int32_t depth = p->accum_depth, out_depth = p->output_depth;
    mote_dsp_requant *rq = (mote_dsp_requant *)scratch;
    uint32_t *x = (uint32_t *)(rq + out_depth);
    const int32_t all_fast = mote_dsp_prepare_requant(multiplier, shift, p->requant_stride, out_depth, rq);
    const int32_t full_range = p->activation_min <= -128 && p->activation_max >= 127;
    for (int32_t b = 0; b < p->batches; b++, output += out_depth) {
        mote_widen_column(input + (size_t)b * depth, depth, x, 0, 0, p->input_offset);
        if (all_fast && full_range) outputs(p, filter, bias, rq, x, output, 1, 1);
        else outputs(p, filter, bias, rq, x, output, all_fast, full_range);
    }
    return MOTE_OK;
}

#endif
