/* FULLY_CONNECTED, portable C99. Bit-exact with C# FullyConnected.Eval
 * (TFLM reference_integer_ops::FullyConnected / FullyConnectedPerChannel). */
#include "mote_kernels.h"
#include "mote_fixed_point.h"

/* For every (b, o): acc (int32, wrapping) = sum_d (w[o, d] + filter_offset) * (x[b, d] +
 * input_offset); then bias, requantize, output offset, clamp. */
mote_status mote_fully_connected_portable(const mote_fully_connected_params *p, const int8_t *input,
                                          const int8_t *filter, const int32_t *bias, const int32_t *multiplier,
                                          const int32_t *shift, int8_t *output)
{
    if (p->requant_stride != 0 && p->requant_stride != 1) return MOTE_ERROR_ARGUMENT;
    const int32_t depth = p->accum_depth, out_depth = p->output_depth;
    const int32_t input_offset = p->input_offset, filter_offset = p->filter_offset;
    for (int32_t b = 0; b < p->batches; b++) {
        const int8_t *x = input + (size_t)b * depth;
        for (int32_t o = 0; o < out_depth; o++) {
            const int8_t *w = filter + (size_t)o * depth;
            uint32_t acc = 0;
            for (int32_t d = 0; d < depth; d++)
                acc += (uint32_t)((w[d] + filter_offset) * (x[d] + input_offset));
            if (bias) acc += (uint32_t)bias[o];
            *output++ = mote_requantize_clamp((int32_t)acc, multiplier[o * p->requant_stride], shift[o * p->requant_stride], p->output_offset,
                                              p->activation_min, p->activation_max);
        }
    }
    return MOTE_OK;
}
