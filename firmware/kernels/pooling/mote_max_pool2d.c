/* MAX_POOL_2D int8, portable C99. Bit-exact with C# MaxPool2D.Eval (TFLM reference_integer_ops::MaxPool). */
#include "mote_kernels.h"

/* For every output (b, oy, ox, c): max (starting at -128) over the window clipped to the
 * image, then clamp to the activation range. */
mote_status mote_max_pool2d(const mote_pool_params *p, const int8_t *input, int8_t *output)
{
    const int32_t in_h = p->input_height, in_w = p->input_width, channels = p->channels;
    for (int32_t b = 0; b < p->batches; b++) {
        const int8_t *batch = input + (size_t)b * in_h * in_w * channels;
        for (int32_t oy = 0; oy < p->output_height; oy++) {
            const int32_t y0 = oy * p->stride_height - p->pad_top;
            const int32_t fy_start = y0 < 0 ? -y0 : 0;
            const int32_t fy_end = p->filter_height < in_h - y0 ? p->filter_height : in_h - y0;
            for (int32_t ox = 0; ox < p->output_width; ox++) {
                const int32_t x0 = ox * p->stride_width - p->pad_left;
                const int32_t fx_start = x0 < 0 ? -x0 : 0;
                const int32_t fx_end = p->filter_width < in_w - x0 ? p->filter_width : in_w - x0;
                for (int32_t c = 0; c < channels; c++) {
                    int32_t max = -128;
                    for (int32_t fy = fy_start; fy < fy_end; fy++) {
                        const int8_t *row = batch + (size_t)(y0 + fy) * in_w * channels;
                        for (int32_t fx = fx_start; fx < fx_end; fx++) {
                            const int32_t v = row[(x0 + fx) * channels + c];
                            if (v > max) max = v;
                        }
                    }
                    if (max < p->activation_min) max = p->activation_min;
                    if (max > p->activation_max) max = p->activation_max;
                    *output++ = (int8_t)max;
                }
            }
        }
    }
    return MOTE_OK;
}
