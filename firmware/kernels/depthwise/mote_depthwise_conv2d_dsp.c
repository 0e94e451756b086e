/* DEPTHWISE_CONV_2D with depth multiplier 1, Cortex-M DSP path. Bit-exact with C#
 * DepthwiseConv2D.Eval. */
#include "mote_dsp.h"
#include "mote_fixed_point.h"

#if MOTE_HAVE_DSP

/* Four channels of one tap: x (4 int8 activations) and w (4 int8 weights) are widened to
 * even/odd int16 pairs (the offset added to x), and SMLABB / SMLATT multiply the matching
 * halves: channel c += w[c] * (x[c] + offset). 2 loads, 4 extends, 4 MACs. */
#define MOTE_DW_TAP(xptr, wptr)                                   \
    do {                                                          \
        const uint32_t x_ = mote_read_u32(xptr);                  \
        const uint32_t w_ = mote_read_u32(wptr);                  \
        const uint32_t xe_ = mote_sxtab16(offset_pair, x_);       \
        const uint32_t xo_ = mote_sxtab16_ror8(offset_pair, x_);  \
        const uint32_t we_ = mote_sxtb16(w_);                     \
        const uint32_t wo_ = mote_sxtb16_ror8(w_);                \
        a0 = mote_smlabb(xe_, we_, a0);                           \
        a2 = mote_smlatt(xe_, we_, a2);                           \
        a1 = mote_smlabb(xo_, wo_, a1);                           \
        a3 = mote_smlatt(xo_, wo_, a3);                           \
    } while (0)

/* First tap index k in [0, taps) with origin + k * dilation >= 0, and one past the last
 * with origin + k * dilation < size. */
static void tap_range(int32_t origin, int32_t dilation, int32_t taps, int32_t size, int32_t *start, int32_t *end)
{
    int32_t s = origin < 0 ? (-origin + dilation - 1) / dilation : 0;
    int32_t e = size - origin <= 0 ? 0 : (size - origin + dilation - 1) / dilation;
    if (e > taps) e = taps;
    if (s > e) s = e;
    *start = s;
    *end = e;
}

typedef struct {
    const int32_t *bias;
    const mote_dsp_requant *requant;
    int32_t channels;
    int32_t x_col;  /* input step between taps of a row: dilation_w * C */
    int32_t x_row;  /* input step between tap rows: dilation_h * W * C */
    int32_t w_row;  /* filter step between tap rows: KW * C */
    int32_t input_offset, output_offset, activation_min, activation_max;
} dw_args;

/* One output pixel, all channels. x and w point at the first in-image tap (channel 0); the
 * in-image taps form rows x cols. Per group of four channels the four accumulators stay in
 * registers over all taps (hot spot: three taps per row unrolled when cols == 3 and
 * dilation_w == 1), then four outputs are requantized. Channels past the last multiple of
 * four are computed one at a time. Always inlined, with the per-call flags constant. */
static inline __attribute__((always_inline)) void dw_pixel(const dw_args *a, const int8_t *x, const int8_t *w,
                                                           int32_t rows, int32_t cols, int8_t *out, int32_t all_fast,
                                                           int32_t full_range)
{
    const int32_t ch = a->channels, ch4 = ch & ~3, x_col = a->x_col, x_row = a->x_row, w_row = a->w_row;
    const uint32_t offset_pair = mote_offset_pair(a->input_offset);
    const int32_t *bias = a->bias;
    const mote_dsp_requant *rq = a->requant;
    const int32_t off = a->output_offset, mn = a->activation_min, mx = a->activation_max;
    int32_t c = 0;
    for (; c < ch4; c += 4) {
        int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        if (bias) a0 = bias[c], a1 = bias[c + 1], a2 = bias[c + 2], a3 = bias[c + 3];
        const int8_t *xr = x + c, *wr = w + c;
        if (cols == 3 && x_col == ch) {
            for (int32_t r = rows; r > 0; r--, xr += x_row, wr += w_row) {
                MOTE_DW_TAP(xr, wr);
                MOTE_DW_TAP(xr + ch, wr + ch);
                MOTE_DW_TAP(xr + 2 * ch, wr + 2 * ch);
            }
        } else {
            for (int32_t r = rows; r > 0; r--, xr += x_row, wr += w_row) {
                const int8_t *xt = xr, *wt = wr;
                for (int32_t t = cols; t > 0; t--, xt += x_col, wt += ch) MOTE_DW_TAP(xt, wt);
            }
        }
        out[c] = mote_dsp_output(a0, &rq[c], all_fast, off, full_range, mn, mx);
        out[c + 1] = mote_dsp_output(a1, &rq[c + 1], all_fast, off, full_range, mn, mx);
        out[c + 2] = mote_dsp_output(a2, &rq[c + 2], all_fast, off, full_range, mn, mx);
        out[c + 3] = mote_dsp_output(a3, &rq[c + 3], all_fast, off, full_range, mn, mx);
    }
    for (; c < ch; c++) {
        int32_t acc = bias ? bias[c] : 0;
        const int8_t *xr = x + c, *wr = w + c;
        for (int32_t r = rows; r > 0; r--, xr += x_row, wr += w_row) {
            const int8_t *xt = xr, *wt = wr;
            for (int32_t t = cols; t > 0; t--, xt += x_col, wt += ch)
                acc = mote_wrapping_add(acc, *wt * (*xt + a->input_offset));
        }
        out[c] = mote_dsp_output(acc, &rq[c], all_fast, off, full_range, mn, mx);
    }
}

static void dw_pixel_common(const dw_args *a, const int8_t *x, const int8_t *w, int32_t rows, int32_t cols, int8_t *out)
{
    dw_pixel(a, x, w, rows, cols, out, 1, 1);
}

static void dw_pixel_general(const dw_args *a, const int8_t *x, const int8_t *w, int32_t rows, int32_t cols,
                             int8_t *out, int32_t all_fast, int32_t full_range)
{
    dw_pixel(a, x, w, rows, cols, out, all_fast, full_range);
}

/* One input channel with depth multiplier M (micro_speech's first layer) is a convolution
 * with Cin = 1 and Cout = M: the filter [1, KH, KW, M] is transposed into scratch as the
 * convolution's [M, KH, KW, 1], and the DSP im2col convolution does the rest. */
static mote_status single_channel(const mote_conv_params *p, const int8_t *input, const int8_t *filter,
                                  const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                                  int8_t *output, void *scratch)
{
    const int32_t taps = p->filter_height * p->filter_width, m = p->output_channels;
    int8_t *transposed = (int8_t *)scratch;
    for (int32_t t = 0; t < taps; t++)
        for (int32_t oc = 0; oc < m; oc++) transposed[(size_t)oc * taps + t] = filter[(size_t)t * m + oc];
    mote_conv_params c = *p;
    c.depth_multiplier = 1;
    return mote_conv2d_dsp(&c, input, transposed, bias, multiplier, shift, output,
                           (uint8_t *)scratch + (((size_t)taps * m + 3) & ~(size_t)3));
}

/* For every output pixel the filter window is clipped to the image once (tap_range), then
 * dw_pixel does all channels. Scratch (mote_depthwise_conv2d_get_buffer_size_dsp): the
 * prepared requantization table, 16 bytes per channel. Requires input_offset in [-127, 128]
 * (an int8 zero point). */
mote_status mote_depthwise_conv2d_dsp(const mote_conv_params *p, const int8_t *input, const int8_t *filter,
                                      const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                                      int8_t *output, void *scratch)
{
    if (p->requant_stride != 0 && p->requant_stride != 1) return MOTE_ERROR_ARGUMENT;
    if (!scratch) return MOTE_ERROR_SCRATCH;
    if (p->input_channels == 1 && p->output_channels == p->depth_multiplier)
        return single_channel(p, input, filter, bias, multiplier, shift, output, scratch);
    if (p->depth_multiplier != 1 || p->output_channels != p->input_channels) return MOTE_ERROR_ARGUMENT;
    if (p->input_offset < -127 || p->input_offset > 128) return MOTE_ERROR_ARGUMENT;
    const int32_t in_h = p->input_height, in_w = p->input_width, ch = p->input_channels;
    const int32_t k_h = p->filter_height, k_w = p->filter_width;
    const int32_t dh = p->dilation_height, dw = p->dilation_width;
    dw_args a;
    a.bias = bias;
    a.requant = (const mote_dsp_requant *)scratch;
    a.channels = ch, a.x_col = dw * ch, a.x_row = dh * in_w * ch, a.w_row = k_w * ch;
    a.input_offset = p->input_offset, a.output_offset = p->output_offset;
    a.activation_min = p->activation_min, a.activation_max = p->activation_max;
    const int32_t all_fast = mote_dsp_prepare_requant(multiplier, shift, p->requant_stride, ch, (mote_dsp_requant *)scratch);
    const int32_t full_range = p->activation_min <= -128 && p->activation_max >= 127;

    for (int32_t b = 0; b < p->batches; b++) {
        const int8_t *batch = input + (size_t)b * in_h * in_w * ch;
        for (int32_t oy = 0; oy < p->output_height; oy++) {
            const int32_t y0 = oy * p->stride_height - p->pad_top;
            int32_t ky0, ky1;
            tap_range(y0, dh, k_h, in_h, &ky0, &ky1);
            for (int32_t ox = 0; ox < p->output_width; ox++, output += ch) {
                const int32_t x0 = ox * p->stride_width - p->pad_left;
                int32_t kx0, kx1;
                tap_range(x0, dw, k_w, in_w, &kx0, &kx1);
                if (ky0 == ky1 || kx0 == kx1) { /* no tap inside the image: bias only */
                    dw_pixel_general(&a, batch, filter, 0, 0, output, all_fast, full_range);
                    continue;
                }
                const int8_t *x = batch + ((size_t)(y0 + ky0 * dh) * in_w + (x0 + kx0 * dw)) * ch;
                const int8_t *w = filter + ((size_t)ky0 * k_w + kx0) * ch;
                if (all_fast && full_range) dw_pixel_common(&a, x, w, ky1 - ky0, kx1 - kx0, output);
                else dw_pixel_general(&a, x, w, ky1 - ky0, kx1 - kx0, output, all_fast, full_range);
            }
        }
    }
    return MOTE_OK;
}

#endif
