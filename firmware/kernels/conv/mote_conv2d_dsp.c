/* CONV_2D, Cortex-M DSP path: im2col into int16 + the 2x2 SMLAD matrix kernel.
 * Bit-exact with C# Conv2D.Eval; used for every filter size (3x3 included) that the 1x1
 * fast path does not take. */
#include "mote_dsp.h"
#include "mote_fixed_point.h"

#if MOTE_HAVE_DSP

/* Builds the im2col column of output pixel (b, oy, ox): for every tap (ky, kx) the Cin
 * values x + input_offset; a tap outside the image contributes zeros (TFLM skips it, and
 * w * 0 adds nothing). With Cin a multiple of 4 the taps are widened straight from the
 * input; otherwise the int8 column is gathered in `stage` first (out-of-image taps filled
 * with the zero point, -input_offset) and widened as a whole. */
static void im2col(const mote_conv_params *p, const int8_t *input, int32_t b, int32_t oy, int32_t ox, uint32_t *cols,
                   int32_t which, int32_t two_columns, int8_t *stage)
{
    const int32_t in_h = p->input_height, in_w = p->input_width, in_c = p->input_channels;
    const int32_t k_h = p->filter_height, k_w = p->filter_width;
    const int32_t y0 = oy * p->stride_height - p->pad_top, x0 = ox * p->stride_width - p->pad_left;
    const int8_t *batch = input + (size_t)b * in_h * in_w * in_c;
    if ((in_c & 3) == 0) {
        const int32_t stride = two_columns ? 4 : 2, groups = in_c >> 2;
        const uint32_t offset_pair = mote_offset_pair(p->input_offset);
        uint32_t *d = cols + 2 * which;
        for (int32_t ky = 0; ky < k_h; ky++) {
            const int32_t y = y0 + ky * p->dilation_height;
            for (int32_t kx = 0; kx < k_w; kx++) {
                const int32_t x = x0 + kx * p->dilation_width;
                if (y < 0 || y >= in_h || x < 0 || x >= in_w) {
                    for (int32_t g = 0; g < groups; g++, d += stride) d[0] = 0, d[1] = 0;
                } else {
                    d = mote_widen_with_offset(batch + ((size_t)y * in_w + x) * in_c, d, groups, stride, offset_pair);
                }
            }
        }
        return;
    }
    const int8_t zero_point = (int8_t)(-p->input_offset);
    int8_t *s = stage;
    if (in_c == 1) { /* one byte per tap: copy directly (no memcpy call per tap) */
        for (int32_t ky = 0; ky < k_h; ky++) {
            const int32_t y = y0 + ky * p->dilation_height;
            const int8_t *row = batch + (size_t)y * in_w;
            const int inside = y >= 0 && y < in_h;
            for (int32_t kx = 0, x = x0; kx < k_w; kx++, x += p->dilation_width)
                *s++ = inside && x >= 0 && x < in_w ? row[x] : zero_point;
        }
        mote_widen_column(stage, k_h * k_w, cols, which, two_columns, p->input_offset);
        return;
    }
    for (int32_t ky = 0; ky < k_h; ky++) {
        const int32_t y = y0 + ky * p->dilation_height;
        for (int32_t kx = 0; kx < k_w; kx++, s += in_c) {
            const int32_t x = x0 + kx * p->dilation_width;
            if (y < 0 || y >= in_h || x < 0 || x >= in_w) memset(s, zero_point, (size_t)in_c);
            else memcpy(s, batch + ((size_t)y * in_w + x) * in_c, (size_t)in_c);
        }
    }
    mote_widen_column(stage, k_h * k_w * in_c, cols, which, two_columns, p->input_offset);
}

/* Output pixels are taken in pairs in row-major (b, oy, ox) order; each pair's two columns
 * are built and multiplied with all filter rows. Scratch (mote_conv2d_get_buffer_size_dsp):
 * the prepared requantization table (16 bytes per output channel), 2 columns of K int16 and
 * K int8 staging bytes, K = KH * KW * Cin. Requires input_offset in [-127, 128] (an int8
 * zero point). */
mote_status mote_conv2d_dsp(const mote_conv_params *p, const int8_t *input, const int8_t *filter,
                            const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                            int8_t *output, void *scratch)
{
    if (p->requant_stride != 0 && p->requant_stride != 1) return MOTE_ERROR_ARGUMENT;
    if (!scratch) return MOTE_ERROR_SCRATCH;
    if (p->input_offset < -127 || p->input_offset > 128) return MOTE_ERROR_ARGUMENT;
    const int32_t k = p->filter_height * p->filter_width * p->input_channels;
    const int32_t out_c = p->output_channels;
    mote_dsp_requant *requant = (mote_dsp_requant *)scratch;
    uint32_t *cols = (uint32_t *)(requant + out_c);
    int8_t *stage = (int8_t *)cols + 4 * (size_t)k + 8;
    mote_nn_mat_mult_args a;
    a.filter = filter, a.bias = bias, a.requant = requant, a.out_c = out_c, a.k = k;
    a.all_fast = mote_dsp_prepare_requant(multiplier, shift, p->requant_stride, out_c, requant);
    a.full_range = p->activation_min <= -128 && p->activation_max >= 127;
    a.output_offset = p->output_offset, a.activation_min = p->activation_min, a.activation_max = p->activation_max;

    const int32_t out_h = p->output_height, out_w = p->output_width;
    const int32_t pixels = p->batches * out_h * out_w;
    int32_t b = 0, oy = 0, ox = 0;
    for (int32_t j = 0; j < pixels; j += 2) {
        const int32_t two = j + 1 < pixels;
        int8_t *out0 = output + (size_t)j * out_c;
        im2col(p, input, b, oy, ox, cols, 0, two, stage);
        if (++ox == out_w) { ox = 0; if (++oy == out_h) { oy = 0; b++; } }
        if (two) {
            im2col(p, input, b, oy, ox, cols, 1, two, stage);
            if (++ox == out_w) { ox = 0; if (++oy == out_h) { oy = 0; b++; } }
        }
        mote_nn_mat_mult_s8_s16(&a, cols, two, out0, out0 + out_c);
    }
    return MOTE_OK;
}

#endif
