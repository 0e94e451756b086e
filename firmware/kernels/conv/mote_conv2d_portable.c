/* CONV_2D, portable C99. Bit-exact with C# Conv2D.Eval (TFLM reference_integer_ops::ConvPerChannel). */
#include "mote_kernels.h"
#include "mote_fixed_point.h"

/* For every output (b, oy, ox, oc): the window origin is (oy * stride_h - pad_top,
 * ox * stride_w - pad_left); tap (ky, kx) reads input row origin + ky * dilation_h, column
 * origin + kx * dilation_w; taps outside the image are skipped (= padding with the input
 * zero point); acc (int32, wrapping) += w * (x + input_offset) over taps and Cin; then bias,
 * requantize, output offset, clamp. */
mote_status mote_conv2d_portable(const mote_conv_params *p, const int8_t *input, const int8_t *filter,
                                 const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                                 int8_t *output)
{
    if (p->requant_stride != 0 && p->requant_stride != 1) return MOTE_ERROR_ARGUMENT;
    const int32_t in_h = p->input_height, in_w = p->input_width, in_c = p->input_channels;
    const int32_t k_h = p->filter_height, k_w = p->filter_width;
    const int32_t out_c = p->output_channels;
    const int32_t input_offset = p->input_offset;

    for (int32_t b = 0; b < p->batches; b++) {
        const int8_t *batch = input + (size_t)b * in_h * in_w * in_c;
        for (int32_t oy = 0; oy < p->output_height; oy++) {
            const int32_t in_y_origin = oy * p->stride_height - p->pad_top;
            for (int32_t ox = 0; ox < p->output_width; ox++) {
                const int32_t in_x_origin = ox * p->stride_width - p->pad_left;
                for (int32_t oc = 0; oc < out_c; oc++) {
                    uint32_t acc = 0; /* wrapping int32 accumulator */
                    const int8_t *f = filter + (size_t)oc * k_h * k_w * in_c;
                    for (int32_t ky = 0; ky < k_h; ky++) {
                        const int32_t in_y = in_y_origin + p->dilation_height * ky;
                        if (in_y < 0 || in_y >= in_h) continue; /* tap outside the image: skipped */
                        for (int32_t kx = 0; kx < k_w; kx++) {
                            const int32_t in_x = in_x_origin + p->dilation_width * kx;
                            if (in_x < 0 || in_x >= in_w) continue;
                            const int8_t *x = batch + ((size_t)in_y * in_w + in_x) * in_c;
                            const int8_t *w = f + ((size_t)ky * k_w + kx) * in_c;
                            for (int32_t ic = 0; ic < in_c; ic++)
                                acc += (uint32_t)(w[ic] * (x[ic] + input_offset));
                        }
                    }
                    if (bias) acc += (uint32_t)bias[oc];
                    *output++ = mote_requantize_clamp((int32_t)acc, multiplier[oc * p->requant_stride], shift[oc * p->requant_stride], p->output_offset,
                                                      p->activation_min, p->activation_max);
                }
            }
        }
    }
    return MOTE_OK;
}
