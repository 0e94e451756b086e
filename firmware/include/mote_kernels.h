/* Mote native int8 kernels (C99): public API.
 *
 * Every kernel is bit-exact with the C# reference kernel of the same name in
 * src/Mote.Runtime/Kernels/Reference/ (TFLite Micro integer semantics, see
 * docs/numerics.md); firmware/test checks that on vectors the C# side emits.
 *
 * Conventions (CMSIS-NN style, house rules in ../shared/STYLE.md):
 * - Layouts are row-major; activations NHWC int8. Filters as in the blob:
 *   CONV_2D [Cout, KH, KW, Cin], DEPTHWISE_CONV_2D [1, KH, KW, Cout],
 *   FULLY_CONNECTED [OutputDepth, AccumDepth].
 * - bias: int32 [Cout], or NULL for none. multiplier/shift: int32 [Cout], one
 *   TFLM MultiplyByQuantizedMultiplier pair per output channel (or a single pair
 *   when the params' requant_stride is 0); multiplier in
 *   [0, 2^31 - 1], shift in [-31, 30] (positive = left shift). The blob reader
 *   guarantees these ranges; the kernels rely on them.
 * - The caller owns all memory. A kernel that needs scratch memory has a
 *   *_get_buffer_size companion giving the bytes for the variant the dispatcher
 *   picks on this build, plus _dsp / _portable variants so a host tool can size
 *   buffers for another target. Scratch must be 4-byte aligned.
 * - Dispatch: mote_conv2d & co. choose the implementation in one place, at
 *   compile time: the Cortex-M DSP path when __ARM_FEATURE_DSP (ARMv7E-M:
 *   Cortex-M4/M7/M33 with DSP) is set and the shape qualifies, the portable C
 *   path otherwise. The variants are public too (tests and benchmarks call each).
 * - Parameter structs mirror the C# ones (Mote.Runtime.Kernels.*Params) field
 *   for field, in the same order, in snake_case; *_offset fields follow TFLM
 *   (input_offset = -input zero point, output_offset = +output zero point).
 */
#ifndef MOTE_KERNELS_H
#define MOTE_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* MOTE_PORTABLE_ONLY (define it when compiling) keeps the portable path on a DSP-capable core,
 * e.g. to measure the plain-C figures. */
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && !defined(MOTE_PORTABLE_ONLY)
#define MOTE_HAVE_DSP 1
#else
#define MOTE_HAVE_DSP 0
#endif

typedef enum {
    MOTE_OK = 0,
    /* A parameter is outside what the kernel supports (see the function's comment). */
    MOTE_ERROR_ARGUMENT = -1,
    /* The kernel needs scratch memory (its *_get_buffer_size is > 0) and got NULL. */
    MOTE_ERROR_SCRATCH = -2
} mote_status;

/* CONV_2D and DEPTHWISE_CONV_2D (C# ConvParams). */
typedef struct {
    int32_t batches;
    int32_t input_height, input_width, input_channels;
    int32_t filter_height, filter_width;
    int32_t output_height, output_width, output_channels;
    int32_t stride_height, stride_width;
    int32_t dilation_height, dilation_width;
    int32_t pad_top, pad_left;
    int32_t depth_multiplier; /* depthwise only: output_channels = input_channels * depth_multiplier */
    int32_t input_offset;
    int32_t output_offset;
    int32_t activation_min, activation_max;
    /* Channel stride of the multiplier and shift tables: 1 = entry c for output channel c,
     * 0 = entry 0 for every channel (per-tensor requantization, blob format 1.2). */
    int32_t requant_stride;
} mote_conv_params;

/* FULLY_CONNECTED (C# FullyConnectedParams):
 * output[b, o] = requant(sum_d (w[o, d] + filter_offset) * (in[b, d] + input_offset) + bias[o]). */
typedef struct {
    int32_t batches;
    int32_t accum_depth;
    int32_t output_depth;
    int32_t input_offset;
    int32_t filter_offset;
    int32_t output_offset;
    int32_t activation_min, activation_max;
    int32_t requant_stride; /* 1 or 0, as in mote_conv_params */
} mote_fully_connected_params;

/* ADD int8 with TFLM's left shift (20) and 4-D NumPy broadcasting (C# AddParams). */
typedef struct {
    int32_t left_shift;
    int32_t input1_offset, input1_multiplier, input1_shift;
    int32_t input2_offset, input2_multiplier, input2_shift;
    int32_t output_offset, output_multiplier, output_shift;
    int32_t activation_min, activation_max;
    int32_t flat_size;        /* element count when no input broadcasts */
    int32_t broadcast;        /* nonzero: use the 4-D shapes below */
    int32_t input1_shape[4], input2_shape[4], output_shape[4];
} mote_add_params;

/* AVERAGE_POOL_2D and MAX_POOL_2D (C# PoolParams); input and output share quantization. */
typedef struct {
    int32_t batches;
    int32_t input_height, input_width, channels;
    int32_t output_height, output_width;
    int32_t filter_height, filter_width;
    int32_t stride_height, stride_width;
    int32_t pad_top, pad_left;
    int32_t activation_min, activation_max;
} mote_pool_params;

/* SOFTMAX int8 -> int8, output scale 1/256, zero point -128 (C# SoftmaxParams). */
typedef struct {
    int32_t rows;   /* product of all but the last dimension */
    int32_t depth;  /* last dimension */
    int32_t input_multiplier;
    int32_t input_left_shift;
    int32_t diff_min;
} mote_softmax_params;

/* ---- CONV_2D: input [N, H, W, Cin], filter [Cout, KH, KW, Cin], output [N, OH, OW, Cout] ---- */

/* Dispatcher: the DSP 1x1 path for 1x1 filters without padding (any stride), the DSP
 * im2col path for every other shape, the portable path without DSP. */
mote_status mote_conv2d(const mote_conv_params *p, const int8_t *input, const int8_t *filter,
                        const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                        int8_t *output, void *scratch);
/* Scratch bytes mote_conv2d needs on this build (0 = none; pass NULL). */
size_t mote_conv2d_get_buffer_size(const mote_conv_params *p);
size_t mote_conv2d_get_buffer_size_dsp(const mote_conv_params *p);
size_t mote_conv2d_get_buffer_size_portable(const mote_conv_params *p);

/* Portable C: any shape, stride, dilation and padding; no scratch. */
mote_status mote_conv2d_portable(const mote_conv_params *p, const int8_t *input, const int8_t *filter,
                                 const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                                 int8_t *output);
#if MOTE_HAVE_DSP
/* DSP im2col + 2x2 SMLAD matrix kernel: any shape, stride, dilation and padding.
 * Scratch: mote_conv2d_get_buffer_size_dsp. */
mote_status mote_conv2d_dsp(const mote_conv_params *p, const int8_t *input, const int8_t *filter,
                            const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                            int8_t *output, void *scratch);
/* DSP 1x1 fast path: filter 1x1, pad_top = pad_left = 0 (any stride); MOTE_ERROR_ARGUMENT otherwise.
 * Scratch: mote_conv2d_get_buffer_size_dsp. */
mote_status mote_conv2d_1x1_dsp(const mote_conv_params *p, const int8_t *input, const int8_t *filter,
                                const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                                int8_t *output, void *scratch);
#endif

/* ---- DEPTHWISE_CONV_2D: input [N, H, W, Cin], filter [1, KH, KW, Cout], output [N, OH, OW, Cout] ---- */

/* Dispatcher: DSP path when depth_multiplier == 1 or input_channels == 1, portable otherwise. */
mote_status mote_depthwise_conv2d(const mote_conv_params *p, const int8_t *input, const int8_t *filter,
                                  const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                                  int8_t *output, void *scratch);
size_t mote_depthwise_conv2d_get_buffer_size(const mote_conv_params *p);
size_t mote_depthwise_conv2d_get_buffer_size_dsp(const mote_conv_params *p);
size_t mote_depthwise_conv2d_get_buffer_size_portable(const mote_conv_params *p);
mote_status mote_depthwise_conv2d_portable(const mote_conv_params *p, const int8_t *input, const int8_t *filter,
                                           const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                                           int8_t *output);
#if MOTE_HAVE_DSP
/* depth_multiplier 1, or one input channel with any multiplier (run as a convolution);
 * MOTE_ERROR_ARGUMENT otherwise.
 * Scratch: mote_depthwise_conv2d_get_buffer_size_dsp. */
mote_status mote_depthwise_conv2d_dsp(const mote_conv_params *p, const int8_t *input, const int8_t *filter,
                                      const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                                      int8_t *output, void *scratch);
#endif

/* ---- FULLY_CONNECTED: input [Batches, AccumDepth], filter [OutputDepth, AccumDepth] ---- */

/* Dispatcher: DSP path when filter_offset == 0 (symmetric weights, always the case for
 * blobs Mote packs), portable otherwise. */
mote_status mote_fully_connected(const mote_fully_connected_params *p, const int8_t *input, const int8_t *filter,
                                 const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                                 int8_t *output, void *scratch);
size_t mote_fully_connected_get_buffer_size(const mote_fully_connected_params *p);
size_t mote_fully_connected_get_buffer_size_dsp(const mote_fully_connected_params *p);
size_t mote_fully_connected_get_buffer_size_portable(const mote_fully_connected_params *p);
mote_status mote_fully_connected_portable(const mote_fully_connected_params *p, const int8_t *input,
                                          const int8_t *filter, const int32_t *bias, const int32_t *multiplier,
                                          const int32_t *shift, int8_t *output);
#if MOTE_HAVE_DSP
mote_status mote_fully_connected_dsp(const mote_fully_connected_params *p, const int8_t *input,
                                     const int8_t *filter, const int32_t *bias, const int32_t *multiplier,
                                     const int32_t *shift, int8_t *output, void *scratch);
#endif

/* ---- element-wise, pooling, softmax (portable C on every target) ---- */

/* ADD: without broadcast, flat_size elements; with broadcast, output_shape (4-D) in row-major
 * order, a size-1 input dimension repeated along the output. Inputs may alias the output. */
mote_status mote_add(const mote_add_params *p, const int8_t *input1, const int8_t *input2, int8_t *output);

/* Input [N, H, W, C], output [N, OH, OW, C]. Windows are clipped to the image. */
mote_status mote_average_pool2d(const mote_pool_params *p, const int8_t *input, int8_t *output);
mote_status mote_max_pool2d(const mote_pool_params *p, const int8_t *input, int8_t *output);

/* Input and output [rows, depth]. A row whose sum of exps reaches 512 gives -128 everywhere
 * (TFLM aborts there; docs/numerics.md). */
mote_status mote_softmax(const mote_softmax_params *p, const int8_t *input, int8_t *output);

#ifdef __cplusplus
}
#endif
#endif
