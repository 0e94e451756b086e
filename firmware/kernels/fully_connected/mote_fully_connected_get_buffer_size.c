/* Scratch sizes of the FULLY_CONNECTED variants (all build on every target). */
#include "mote_kernels.h"

/* The prepared requantization table (16 bytes per output) and one input row widened to
 * int16 (2 * AccumDepth bytes), rounded up to 4. */
size_t mote_fully_connected_get_buffer_size_dsp(const mote_fully_connected_params *p)
{
    return (16 * (size_t)p->output_depth + (size_t)p->accum_depth * 2 + 3) & ~(size_t)3;
}

size_t mote_fully_connected_get_buffer_size_portable(const mote_fully_connected_params *p)
{
    (void)p;
    return 0;
}

size_t mote_fully_connected_get_buffer_size(const mote_fully_connected_params *p)
{
#if MOTE_HAVE_DSP
    if (p->filter_offset == 0) return mote_fully_connected_get_buffer_size_dsp(p);
#endif
    return mote_fully_connected_get_buffer_size_portable(p);
}
