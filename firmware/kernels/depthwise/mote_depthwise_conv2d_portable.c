/* DEPTHWISE_CONV_2D, portable C99. Bit-exact with C# DepthwiseConv2D.Eval
 * (TFLM reference_integer_ops::DepthwiseConvPerChannel). */
#include "mote_kernels.h"
#include "mote_fixed_point.h"

/* First tap index k in [0, taps) with origin + k * dilation >= 0, and one past the last with
 * origin + k * dilation < size (taps outside the image are skipped, as in TFLM). */
static void tap_range(int32_t origin, int32_t dilation, int32_t taps, int32_t size, int32_t *start, int32_t *end)
{
    int32_t s = origin < 0 ? (-origin + dilation - 1) / dilation : 0;
    int32_t e = size - origin <= 0 ? 0 : (size - origin + dilation - 1) / dilation;
    if (e > taps) e = taps;
    if (s > e) s = e;
    *start = s;
    *end = e;
}

/* For every output (b, oy, ox, ic, m), oc = ic * depth_multiplier + m: acc (int32, wrapping)
 * += w[ky, kx, oc] * (x[.., ic] + input_offset) over the in-image taps (the window is clipped
 * once per pixel); then bias, requantize, output offset, clamp. */
mote_status mote_depthwise_conv2d_portable(const mote_conv_params *p, const int8_t *input, const int8_t *filter,
                                           const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                                           int8_t *output)
{
    if (p->requant_stride != 0 && p->requant_stride != 1) return MOTE_ERROR_ARGUMENT;
    const int32_t in_h = p->input_height, in_w = p->input_width, in_c = p->input_channels;
    const int32_t k_w = p->filter_width;
    const int32_t out_c = p->output_channels;
    const int32_t depth_multiplier = p->depth_multiplier;
    const int32_t input_offset = p->input_offset;
    const int32_t dh = p->dilation_height, dw = p->dilation_width;
    if (out_c != in_c * depth_multiplier) return MOTE_ERROR_ARGUMENT;
    const size_t x_row = (size_t)dh * in_w * in_c, x_col = (size_t)dw * in_c; /* input steps between taps */
    const size_t w_row = (size_t)k_w * out_c;                               /* filter step between rows */

    for (int32_t b = 0; b < p->batches; b++) {
        const int8_t *batch = input + (size_t)b * in_h * in_w * in_c;
        for (int32_t oy = 0; oy < p->output_height; oy++) {
            const int32_t y0 = oy * p->stride_height - p->pad_top;
            int32_t ky0, ky1;
            tap_range(y0, dh, p->filter_height, in_h, &ky0, &ky1);
            for (int32_t ox = 0; ox < p->output_width; ox++) {
                const int32_t x0 = ox * p->stride_width - p->pad_left;
                int32_t kx0, kx1;
                tap_range(x0, dw, k_w, in_w, &kx0, &kx1);
                /* first in-image tap; not dereferenced when the window is empty */
                const int8_t *x_first = ky0 < ky1 && kx0 < kx1
                                            ? batch + ((size_t)(y0 + ky0 * dh) * in_w + (x0 + kx0 * dw)) * in_c
                                            : batch;
                const int8_t *w_first = filter + ((size_t)ky0 * k_w + kx0) * out_c;
                for (int32_t ic = 0, oc = 0; ic < in_c; ic++) {
                    for (int32_t m = 0; m < depth_multiplier; m++, oc++) {
                        uint32_t acc = bias ? (uint32_t)bias[oc] : 0;
                        const int8_t *xr = x_first + ic, *wr = w_first + oc;
                        for (int32_t ky = ky0; ky < ky1; ky++, xr += x_row, wr += w_row) {
                            const int8_t *xt = xr, *wt = wr;
                            for (int32_t kx = kx0; kx < kx1; kx++, xt += x_col, wt += out_c)
                                acc += (uint32_t)(*wt * (*xt + input_offset));
                        }
                        *output++ = mote_requantize_clamp((int32_t)acc, multiplier[oc * p->requant_stride], shift[oc * p->requant_stride], p->output_offset,
                                                          p->activation_min, p->activation_max);
                    }
                }
            }
        }
    }
    return MOTE_OK;
}
