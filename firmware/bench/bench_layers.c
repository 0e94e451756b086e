/* Instruction-count benchmark of the reference layers of the firmware issue (batch 1,
 * stride 1, SAME padding, per-channel quantization):
 *   conv 3x3 8->16 on 32x32, conv 1x1 64->64 on 25x5, depthwise 3x3 64ch on 25x5, FC 256->64.
 * Each implementation runs between mote_bench_start() and mote_bench_stop(); the QEMU plugin
 * (tools/insncount.c) counts the instructions in between and tools/bench.sh pairs its
 * MOTE_REGION lines with the "LAYER <name> <impl> <macs>" lines printed here, in order. The
 * first region is empty (marker overhead, subtracted by bench.sh). MACs are the nominal
 * count (output elements x filter taps x input depth), as CMSIS-NN's figures count them.
 * The DSP and portable outputs must be identical (exit status 1 otherwise). */
#include <stdio.h>
#include <string.h>

#include "mote_kernels.h"
#include "semihosting.h"

static uint32_t rng_state = 0x12345678u;
static uint32_t next_random(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return rng_state >> 8;
}

static int8_t input[32 * 32 * 8];
static int8_t filter[16384];
static int32_t bias[64], multiplier[64], shift[64];
static int8_t out_a[32 * 32 * 16], out_b[32 * 32 * 16];
static uint32_t scratch[1024];
static int failures;

static void fill(size_t input_n, size_t filter_n, int32_t channels)
{
    for (size_t i = 0; i < input_n; i++) input[i] = (int8_t)next_random();
    for (size_t i = 0; i < filter_n; i++) filter[i] = (int8_t)(next_random() % 255 - 127);
    for (int32_t c = 0; c < channels; c++) {
        bias[c] = (int32_t)(next_random() % 20001) - 10000;
        multiplier[c] = (int32_t)(0x40000000u + next_random() % 0x3FFFFFFFu);
        shift[c] = -6 - (int32_t)(next_random() % 4);
    }
}

static void report(const char *layer, const char *impl, unsigned long macs) { printf("LAYER %s %s %lu\n", layer, impl, macs); }

static void compare(const char *layer, size_t n)
{
    if (memcmp(out_a, out_b, n) != 0) {
        printf("MISMATCH %s: DSP and portable outputs differ\n", layer);
        failures++;
    }
}

static mote_conv_params conv_same(int32_t h, int32_t w, int32_t cin, int32_t cout, int32_t k)
{
    mote_conv_params p = {0};
    p.batches = 1;
    p.input_height = h, p.input_width = w, p.input_channels = cin;
    p.filter_height = k, p.filter_width = k;
    p.output_height = h, p.output_width = w, p.output_channels = cout;
    p.stride_height = 1, p.stride_width = 1, p.dilation_height = 1, p.dilation_width = 1;
    p.pad_top = (k - 1) / 2, p.pad_left = (k - 1) / 2;
    p.depth_multiplier = 1;
    p.input_offset = 7, p.output_offset = -3;
    p.activation_min = -128, p.activation_max = 127;
    p.requant_stride = 1;
    return p;
}

static void bench_conv(const char *layer, int32_t h, int32_t w, int32_t cin, int32_t cout, int32_t k)
{
    mote_conv_params p = conv_same(h, w, cin, cout, k);
    const unsigned long macs = (unsigned long)h * w * cout * k * k * cin;
    fill((size_t)h * w * cin, (size_t)cout * k * k * cin, cout);
    if (mote_conv2d_get_buffer_size(&p) > sizeof scratch) {
        printf("scratch too small for %s\n", layer);
        failures++;
        return;
    }
    mote_bench_start();
    mote_status s = mote_conv2d(&p, input, filter, bias, multiplier, shift, out_a, scratch);
    mote_bench_stop();
    report(layer, MOTE_HAVE_DSP ? "dsp" : "portable", macs);
    failures += s != MOTE_OK;
#if MOTE_HAVE_DSP
    mote_bench_start();
    s = mote_conv2d_portable(&p, input, filter, bias, multiplier, shift, out_b);
    mote_bench_stop();
    report(layer, "portable", macs);
    failures += s != MOTE_OK;
    compare(layer, (size_t)h * w * cout);
#endif
}

static void bench_depthwise(const char *layer, int32_t h, int32_t w, int32_t ch, int32_t k)
{
    mote_conv_params p = conv_same(h, w, ch, ch, k);
    const unsigned long macs = (unsigned long)h * w * ch * k * k;
    fill((size_t)h * w * ch, (size_t)k * k * ch, ch);
    mote_bench_start();
    mote_status s = mote_depthwise_conv2d(&p, input, filter, bias, multiplier, shift, out_a, scratch);
    mote_bench_stop();
    report(layer, MOTE_HAVE_DSP ? "dsp" : "portable", macs);
    failures += s != MOTE_OK;
#if MOTE_HAVE_DSP
    mote_bench_start();
    s = mote_depthwise_conv2d_portable(&p, input, filter, bias, multiplier, shift, out_b);
    mote_bench_stop();
    report(layer, "portable", macs);
    failures += s != MOTE_OK;
    compare(layer, (size_t)h * w * ch);
#endif
}

static void bench_fully_connected(const char *layer, int32_t depth, int32_t out_depth)
{
    mote_fully_connected_params p = {1, depth, out_depth, 7, 0, -3, -128, 127, 1};
    const unsigned long macs = (unsigned long)depth * out_depth;
    fill((size_t)depth, (size_t)depth * out_depth, out_depth);
    mote_bench_start();
    mote_status s = mote_fully_connected(&p, input, filter, bias, multiplier, shift, out_a, scratch);
    mote_bench_stop();
    report(layer, MOTE_HAVE_DSP ? "dsp" : "portable", macs);
    failures += s != MOTE_OK;
#if MOTE_HAVE_DSP
    mote_bench_start();
    s = mote_fully_connected_portable(&p, input, filter, bias, multiplier, shift, out_b);
    mote_bench_stop();
    report(layer, "portable", macs);
    failures += s != MOTE_OK;
    compare(layer, (size_t)out_depth);
#endif
}

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    mote_bench_start(); /* empty region: the marker overhead */
    mote_bench_stop();
    report("calibration", "none", 0);
    bench_conv("conv3x3_8to16_32x32", 32, 32, 8, 16, 3);
    bench_conv("conv1x1_64to64_25x5", 25, 5, 64, 64, 1);
    bench_depthwise("depthwise3x3_64ch_25x5", 25, 5, 64, 3);
    bench_fully_connected("fully_connected_256to64", 256, 64);
    return failures ? 1 : 0;
}
