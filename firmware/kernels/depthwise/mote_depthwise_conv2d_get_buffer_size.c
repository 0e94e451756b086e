/* Scratch sizes of the DEPTHWISE_CONV_2D variants (all build on every target). */
#include "mote_kernels.h"

/* The prepared requantization table: 16 bytes per channel. With one input channel: the
 * transposed filter (KH * KW * M bytes, rounded up to 4) and the convolution's scratch. */
size_t mote_depthwise_conv2d_get_buffer_size_dsp(const mote_conv_params *p)
{
    if (p->input_channels == 1) {
        mote_conv_params c = *p;
        c.depth_multiplier = 1;
        return (((size_t)p->filter_height * p->filter_width * p->output_channels + 3) & ~(size_t)3) +
               mote_conv2d_get_buffer_size_dsp(&c);
    }
    return 16 * (size_t)p->output_channels;
}

size_t mote_depthwise_conv2d_get_buffer_size_portable(const mote_conv_params *p)
{
    (void)p;
    return 0;
}

size_t mote_depthwise_conv2d_get_buffer_size(const mote_conv_params *p)
{
#if MOTE_HAVE_DSP
    if (p->depth_multiplier == 1 || p->input_channels == 1) return mote_depthwise_conv2d_get_buffer_size_dsp(p);
#endif
    return mote_depthwise_conv2d_get_buffer_size_portable(p);
}
