/* DEPTHWISE_CONV_2D dispatcher: the one place that chooses the implementation. */
#include "mote_kernels.h"

mote_status mote_depthwise_conv2d(const mote_conv_params *p, const int8_t *input, const int8_t *filter,
                                  const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                                  int8_t *output, void *scratch)
{
#if MOTE_HAVE_DSP
    if (p->depth_multiplier == 1 || p->input_channels == 1)
        return mote_depthwise_conv2d_dsp(p, input, filter, bias, multiplier, shift, output, scratch);
#endif
    (void)scratch;
    return mote_depthwise_conv2d_portable(p, input, filter, bias, multiplier, shift, output);
}
