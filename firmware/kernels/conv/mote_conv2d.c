/* CONV_2D dispatcher: the one place that chooses the implementation. */
#include "mote_kernels.h"

mote_status mote_conv2d(const mote_conv_params *p, const int8_t *input, const int8_t *filter,
                        const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                        int8_t *output, void *scratch)
{
#if MOTE_HAVE_DSP
    if (p->filter_height == 1 && p->filter_width == 1 && p->pad_top == 0 && p->pad_left == 0)
        return mote_conv2d_1x1_dsp(p, input, filter, bias, multiplier, shift, output, scratch);
    return mote_conv2d_dsp(p, input, filter, bias, multiplier, shift, output, scratch);
#else
    (void)scratch;
    return mote_conv2d_portable(p, input, filter, bias, multiplier, shift, output);
#endif
}
