/* FULLY_CONNECTED dispatcher: the one place that chooses the implementation. */
#include "mote_kernels.h"

mote_status mote_fully_connected(const mote_fully_connected_params *p, const int8_t *input, const int8_t *filter,
                                 const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                                 int8_t *output, void *scratch)
{
#if MOTE_HAVE_DSP
    if (p->filter_offset == 0)
        return mote_fully_connected_dsp(p, input, filter, bias, multiplier, shift, output, scratch);
#endif
    (void)scratch;
    return mote_fully_connected_portable(p, input, filter, bias, multiplier, shift, output);
}
