/* Scratch sizes of the CONV_2D variants. The _dsp and _portable forms build on every
 * target, so a host tool can size buffers for another one. */
#include "mote_kernels.h"

/* The prepared requantization table (16 bytes per output channel), two im2col columns of K
 * int16 (4K bytes), 8 bytes of slack, K int8 staging bytes (used when Cin is not a multiple
 * of 4), rounded up to 4. K = KH * KW * Cin. */
size_t mote_conv2d_get_buffer_size_dsp(const mote_conv_params *p)
{
    const size_t k = (size_t)p->filter_height * p->filter_width * p->input_channels;
    return (16 * (size_t)p->output_channels + 4 * k + 8 + k + 3) & ~(size_t)3;
}

size_t mote_conv2d_get_buffer_size_portable(const mote_conv_params *p)
{
    (void)p;
    return 0;
}

size_t mote_conv2d_get_buffer_size(const mote_conv_params *p)
{
#if MOTE_HAVE_DSP
    return mote_conv2d_get_buffer_size_dsp(p);
#else
    return mote_conv2d_get_buffer_size_portable(p);
#endif
}
