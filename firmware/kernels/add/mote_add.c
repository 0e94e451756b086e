/* ADD int8, portable C99. Bit-exact with C# Add.Eval (TFLM reference_integer_ops::AddFunc,
 * Add and BroadcastAdd4DSlow). */
#include "mote_kernels.h"
#include "mote_fixed_point.h"

/* One element: offsets, x 2^left_shift, rescale each input to the common scale, sum,
 * rescale to the output, add the output offset, clamp (C# Add.AddOne). */
static int8_t add_one(const mote_add_params *p, int32_t x1, int32_t x2)
{
    const int32_t shifted1 = mote_wrapping_mul(p->input1_offset + x1, (int32_t)((uint32_t)1 << p->left_shift));
    const int32_t shifted2 = mote_wrapping_mul(p->input2_offset + x2, (int32_t)((uint32_t)1 << p->left_shift));
    const int32_t scaled1 =
        mote_multiply_by_quantized_multiplier_smaller_than_one_exp(shifted1, p->input1_multiplier, p->input1_shift);
    const int32_t scaled2 =
        mote_multiply_by_quantized_multiplier_smaller_than_one_exp(shifted2, p->input2_multiplier, p->input2_shift);
    const int32_t raw_sum = mote_wrapping_add(scaled1, scaled2);
    int32_t v = mote_wrapping_add(
        mote_multiply_by_quantized_multiplier_smaller_than_one_exp(raw_sum, p->output_multiplier, p->output_shift),
        p->output_offset);
    if (v < p->activation_min) v = p->activation_min;
    if (v > p->activation_max) v = p->activation_max;
    return (int8_t)v;
}

/* Row-major strides of a 4-D input read along the output; a broadcast (size 1) dimension
 * gets stride 0 (C# Broadcast4D.Strides). */
static void broadcast_strides(const int32_t shape[4], int32_t stride[4])
{
    stride[3] = shape[3] == 1 ? 0 : 1;
    stride[2] = shape[2] == 1 ? 0 : shape[3];
    stride[1] = shape[1] == 1 ? 0 : shape[2] * shape[3];
    stride[0] = shape[0] == 1 ? 0 : shape[1] * shape[2] * shape[3];
}

mote_status mote_add(const mote_add_params *p, const int8_t *input1, const int8_t *input2, int8_t *output)
{
    if (p->left_shift < 0 || p->left_shift > 30) return MOTE_ERROR_ARGUMENT;
    if (!p->broadcast) {
        for (int32_t i = 0; i < p->flat_size; i++) output[i] = add_one(p, input1[i], input2[i]);
        return MOTE_OK;
    }
    int32_t s1[4], s2[4];
    broadcast_strides(p->input1_shape, s1);
    broadcast_strides(p->input2_shape, s2);
    const int32_t *so = p->output_shape;
    for (int32_t d0 = 0; d0 < so[0]; d0++)
        for (int32_t d1 = 0; d1 < so[1]; d1++)
            for (int32_t d2 = 0; d2 < so[2]; d2++) {
                const int8_t *a = input1 + d0 * s1[0] + d1 * s1[1] + d2 * s1[2];
                const int8_t *b = input2 + d0 * s2[0] + d1 * s2[1] + d2 * s2[2];
                for (int32_t d3 = 0; d3 < so[3]; d3++) *output++ = add_one(p, a[d3 * s1[3]], b[d3 * s2[3]]);
            }
    return MOTE_OK;
}
