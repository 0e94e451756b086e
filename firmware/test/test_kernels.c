/* Runs every kernel implementation this build has on every vector of the file written by
 * tools/Mote.VectorGen (expected outputs from the C# reference kernels) and compares the
 * bytes. One test = one (case, implementation) pair. Prints a FAIL line per mismatch and
 * ends with "<target>: N passed, N failed"; exits 1 on any failure (through semihosting on
 * the QEMU targets, so qemu's exit status is the test result).
 * Usage: test_kernels [vectors.bin]   (default: MOTE_VECTORS_PATH, set by the Makefile) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mote_fixed_point.h"
#include "mote_kernels.h"
#include "vectors.h"

#ifndef MOTE_TARGET_NAME
#define MOTE_TARGET_NAME "host"
#endif
#ifndef MOTE_VECTORS_PATH
#define MOTE_VECTORS_PATH "build/vectors.bin"
#endif

#define CANARY 0x5A
#define CANARY_BYTES 16

static int passed, failed;

/* An output buffer with CANARY_BYTES guard bytes after it (and scratch likewise), to catch
 * a kernel writing past its output. */
static int8_t *guarded(size_t n)
{
    uint8_t *b = malloc(n + CANARY_BYTES);
    if (!b) {
        printf("out of memory (%lu bytes)\n", (unsigned long)n);
        exit(3);
    }
    memset(b, CANARY, n + CANARY_BYTES);
    return (int8_t *)b;
}

static int guard_intact(const int8_t *b, size_t n)
{
    for (size_t i = 0; i < CANARY_BYTES; i++)
        if ((uint8_t)b[n + i] != CANARY) return 0;
    return 1;
}

/* Records one test: the kernel's status, its output against the expected bytes, the guards. */
static void check(const mote_vector_case *c, const char *impl, mote_status status, const int8_t *out,
                  const void *expected, size_t n, const int8_t *scratch, size_t scratch_n)
{
    const char *why = NULL;
    size_t at = 0;
    if (status != MOTE_OK) why = "returned an error";
    else if (!guard_intact(out, n)) why = "wrote past the end of its output";
    else if (scratch && !guard_intact(scratch, scratch_n)) why = "wrote past the end of its scratch buffer";
    else {
        const int8_t *e = expected;
        for (at = 0; at < n && out[at] == e[at]; at++) {}
        if (at < n) why = "output differs from the C# reference";
    }
    if (!why) {
        passed++;
        return;
    }
    failed++;
    printf("FAIL %s [%s]: %s", c->name, impl, why);
    if (status != MOTE_OK) printf(" (status %d)", (int)status);
    else if (at < n) printf(" at byte %lu: got %d, expected %d", (unsigned long)at, out[at], ((const int8_t *)expected)[at]);
    printf("\n");
}

static int need(const mote_vector_case *c, uint32_t params, uint32_t arrays)
{
    if (c->param_count == params && c->array_count == arrays) return 1;
    printf("FAIL %s: malformed case (%lu params, %lu arrays; expected %lu, %lu)\n", c->name,
           (unsigned long)c->param_count, (unsigned long)c->array_count, (unsigned long)params, (unsigned long)arrays);
    failed++;
    return 0;
}

static void conv_params(const mote_vector_case *c, mote_conv_params *p)
{
    memcpy(p, c->params, sizeof *p); /* 21 int32 words in struct order */
}

static void test_conv2d(const mote_vector_case *c)
{
    if (!need(c, 21, 6)) return;
    mote_conv_params p;
    conv_params(c, &p);
    const int8_t *in = c->array[0], *filter = c->array[1];
    const int32_t *bias = c->array[2], *mult = c->array[3], *shift = c->array[4];
    const size_t n = c->length[5];
    int8_t *out = guarded(n);
    check(c, "portable", mote_conv2d_portable(&p, in, filter, bias, mult, shift, out), out, c->array[5], n, NULL, 0);

    const size_t sn = mote_conv2d_get_buffer_size(&p);
    int8_t *scratch = sn ? guarded(sn) : NULL;
    memset(out, CANARY, n + CANARY_BYTES);
    check(c, "dispatch", mote_conv2d(&p, in, filter, bias, mult, shift, out, scratch), out, c->array[5], n, scratch, sn);
    free(scratch);
#if MOTE_HAVE_DSP
    const size_t dn = mote_conv2d_get_buffer_size_dsp(&p);
    scratch = guarded(dn);
    memset(out, CANARY, n + CANARY_BYTES);
    check(c, "dsp", mote_conv2d_dsp(&p, in, filter, bias, mult, shift, out, scratch), out, c->array[5], n, scratch, dn);
    if (p.filter_height == 1 && p.filter_width == 1 && p.pad_top == 0 && p.pad_left == 0) {
        memset(out, CANARY, n + CANARY_BYTES);
        check(c, "dsp_1x1", mote_conv2d_1x1_dsp(&p, in, filter, bias, mult, shift, out, scratch), out, c->array[5], n,
              scratch, dn);
    }
    free(scratch);
#endif
    free(out);
}

static void test_depthwise(const mote_vector_case *c)
{
    if (!need(c, 21, 6)) return;
    mote_conv_params p;
    conv_params(c, &p);
    const int8_t *in = c->array[0], *filter = c->array[1];
    const int32_t *bias = c->array[2], *mult = c->array[3], *shift = c->array[4];
    const size_t n = c->length[5];
    int8_t *out = guarded(n);
    check(c, "portable", mote_depthwise_conv2d_portable(&p, in, filter, bias, mult, shift, out), out, c->array[5], n,
          NULL, 0);
    const size_t sn = mote_depthwise_conv2d_get_buffer_size(&p);
    int8_t *scratch = sn ? guarded(sn) : NULL;
    memset(out, CANARY, n + CANARY_BYTES);
    check(c, "dispatch", mote_depthwise_conv2d(&p, in, filter, bias, mult, shift, out, scratch), out, c->array[5], n,
          scratch, sn);
    free(scratch);
#if MOTE_HAVE_DSP
    if (p.depth_multiplier == 1 || p.input_channels == 1) {
        const size_t dn = mote_depthwise_conv2d_get_buffer_size_dsp(&p);
        scratch = guarded(dn);
        memset(out, CANARY, n + CANARY_BYTES);
        check(c, "dsp", mote_depthwise_conv2d_dsp(&p, in, filter, bias, mult, shift, out, scratch), out, c->array[5],
              n, scratch, dn);
        free(scratch);
    }
#endif
    free(out);
}

static void test_fully_connected(const mote_vector_case *c)
{
    if (!need(c, 9, 6)) return;
    mote_fully_connected_params p;
    memcpy(&p, c->params, sizeof p);
    const int8_t *in = c->array[0], *filter = c->array[1];
    const int32_t *bias = c->array[2], *mult = c->array[3], *shift = c->array[4];
    const size_t n = c->length[5];
    int8_t *out = guarded(n);
    check(c, "portable", mote_fully_connected_portable(&p, in, filter, bias, mult, shift, out), out, c->array[5], n,
          NULL, 0);
    const size_t sn = mote_fully_connected_get_buffer_size(&p);
    int8_t *scratch = sn ? guarded(sn) : NULL;
    memset(out, CANARY, n + CANARY_BYTES);
    check(c, "dispatch", mote_fully_connected(&p, in, filter, bias, mult, shift, out, scratch), out, c->array[5], n,
          scratch, sn);
    free(scratch);
#if MOTE_HAVE_DSP
    if (p.filter_offset == 0) {
        const size_t dn = mote_fully_connected_get_buffer_size_dsp(&p);
        scratch = guarded(dn);
        memset(out, CANARY, n + CANARY_BYTES);
        check(c, "dsp", mote_fully_connected_dsp(&p, in, filter, bias, mult, shift, out, scratch), out, c->array[5], n,
              scratch, dn);
        free(scratch);
    }
#endif
    free(out);
}

static void test_add(const mote_vector_case *c)
{
    if (!need(c, 26, 3)) return;
    mote_add_params p;
    memcpy(&p, c->params, sizeof p);
    const size_t n = c->length[2];
    int8_t *out = guarded(n);
    check(c, "portable", mote_add(&p, c->array[0], c->array[1], out), out, c->array[2], n, NULL, 0);
    free(out);
}

static void test_pool(const mote_vector_case *c, int max)
{
    if (!need(c, 14, 2)) return;
    mote_pool_params p;
    memcpy(&p, c->params, sizeof p);
    const size_t n = c->length[1];
    int8_t *out = guarded(n);
    check(c, "portable", max ? mote_max_pool2d(&p, c->array[0], out) : mote_average_pool2d(&p, c->array[0], out), out,
          c->array[1], n, NULL, 0);
    free(out);
}

static void test_softmax(const mote_vector_case *c)
{
    if (!need(c, 5, 2)) return;
    mote_softmax_params p;
    memcpy(&p, c->params, sizeof p);
    const size_t n = c->length[1];
    int8_t *out = guarded(n);
    check(c, "portable", mote_softmax(&p, c->array[0], out), out, c->array[1], n, NULL, 0);
    free(out);
}

/* Both requantization forms against C# FixedPoint.MultiplyByQuantizedMultiplier. */
static void test_requantize(const mote_vector_case *c)
{
    if (!need(c, 0, 4)) return;
    const int32_t *x = c->array[0], *m = c->array[1], *s = c->array[2], *e = c->array[3];
    const size_t n = c->length[0] / 4;
    int bad_ref = 0, bad_fast = 0;
    for (size_t i = 0; i < n; i++) {
        const int32_t r = mote_multiply_by_quantized_multiplier(x[i], m[i], s[i]);
        const int32_t f = mote_multiply_by_quantized_multiplier_fast(x[i], m[i], s[i]);
        if (r != e[i] && bad_ref++ < 5)
            printf("FAIL %s [reference] x=%ld m=%ld shift=%ld: got %ld, expected %ld\n", c->name, (long)x[i], (long)m[i],
                   (long)s[i], (long)r, (long)e[i]);
        if (f != e[i] && bad_fast++ < 5)
            printf("FAIL %s [fast] x=%ld m=%ld shift=%ld: got %ld, expected %ld\n", c->name, (long)x[i], (long)m[i],
                   (long)s[i], (long)f, (long)e[i]);
    }
    if (bad_ref) failed++; else passed++;
    if (bad_fast) failed++; else passed++;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : MOTE_VECTORS_PATH;
    uint32_t count;
    FILE *f = mote_vectors_open(path, &count);
    if (!f) {
        printf("%s: 0 passed, 1 failed\n", MOTE_TARGET_NAME);
        return 1;
    }
    mote_vector_case c;
    for (uint32_t i = 0; i < count; i++) {
        if (mote_vectors_read(f, &c) != 0) {
            failed++;
            break;
        }
        switch (c.kind) {
        case MOTE_VECTOR_CONV2D: test_conv2d(&c); break;
        case MOTE_VECTOR_DEPTHWISE_CONV2D: test_depthwise(&c); break;
        case MOTE_VECTOR_FULLY_CONNECTED: test_fully_connected(&c); break;
        case MOTE_VECTOR_ADD: test_add(&c); break;
        case MOTE_VECTOR_AVERAGE_POOL2D: test_pool(&c, 0); break;
        case MOTE_VECTOR_MAX_POOL2D: test_pool(&c, 1); break;
        case MOTE_VECTOR_SOFTMAX: test_softmax(&c); break;
        case MOTE_VECTOR_REQUANTIZE: test_requantize(&c); break;
        default:
            printf("FAIL %s: unknown case kind %lu\n", c.name, (unsigned long)c.kind);
            failed++;
        }
        mote_vectors_free(&c);
    }
    fclose(f);
    printf("%s (%s): %d passed, %d failed\n", MOTE_TARGET_NAME, MOTE_HAVE_DSP ? "dsp + portable" : "portable", passed,
           failed);
    return failed ? 1 : 0;
}
