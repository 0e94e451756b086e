/* CONV_2D with a 1x1 filter and no padding, Cortex-M DSP path: every output pixel's column
 * is its input pixel, widened to int16, and the 2x2 SMLAD matrix kernel does the rest.
 * Bit-exact with C# Conv2D.Eval. */
#include "mote_dsp.h"
#include "mote_fixed_point.h"

#if MOTE_HAVE_DSP

/* Scratch: the requantization table and two columns of Cin int16
 * (mote_conv2d_get_buffer_size_dsp covers it). Any stride;
 * dilation is irrelevant for a 1x1 filter. */
mote_status mote_conv2d_1x1_dsp(const mote_conv_params *p, const int8_t *input, const int8_t *filter,
                                const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                                int8_t *output, void *scratch)
{
    if (p->requant_stride != 0 && p->requant_stride != 1) return MOTE_ERROR_ARGUMENT;
    if (!scratch) return MOTE_ERROR_SCRATCH;
    if (p->filter_height != 1 || p->filter_width != 1 || p->pad_top != 0 || p->pad_left != 0)
        return MOTE_ERROR_ARGUMENT;
    const int32_t in_h = p->input_height, in_w = p->input_width, in_c = p->input_channels;
    const int32_t out_h = p->output_height, out_w = p->output_width, out_c = p->output_channels;
    const int32_t pixels = p->batches * out_h * out_w;
    mote_dsp_requant *requant = (mote_dsp_requant *)scratch;
    uint32_t *cols = (uint32_t *)(requant + out_c);
    mote_nn_mat_mult_args a;
    a.filter = filter, a.bias = bias, a.requant = requant, a.out_c = out_c, a.k = in_c;
    a.all_fast = mote_dsp_prepare_requant(multiplier, shift, p->requant_stride, out_c, requant);
    a.full_range = p->activation_min <= -128 && p->activation_max >= 127;
    a.output_offset = p->output_offset, a.activation_min = p->activation_min, a.activation_max = p->activation_max;

    int32_t b = 0, oy = 0, ox = 0;
    for (int32_t j = 0; j < pixels; j += 2) {
        const int32_t two = j + 1 < pixels;
        int8_t *out0 = output + (size_t)j * out_c;
        for (int32_t which = 0; which <= two; which++) {
            const int8_t *x = input + (((size_t)b * in_h + (size_t)oy * p->stride_height) * in_w +
                                       (size_t)ox * p->stride_width) * in_c;
            mote_widen_column(x, in_c, cols, which, two, p->input_offset);
            if (++ox == out_w) { ox = 0; if (++oy == out_h) { oy = 0; b++; } }
        }
        mote_nn_mat_mult_s8_s16(&a, cols, two, out0, out0 + out_c);
    }
    return MOTE_OK;
}

#endif
