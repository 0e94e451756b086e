/* Runs whole .mote models through the C driver (runner/mote_model.c) and compares every
 * output byte with TensorFlow Lite Micro's reference vectors (../shared/models/<model>.vectors:
 * input_K.bin / output_K.bin, K = 0..7). One test = one sample. The manifest (one line per
 * model: "<name> <blob path> <vectors directory>") is written by the Makefile after packing
 * each model with tools/mote pack.
 * With MOTE_MODEL_BENCH defined, sample 0's inference runs between the benchmark markers and
 * a "LAYER model:<name> <impl> <macs>" line follows (tools/bench.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mote_model.h"
#ifdef MOTE_MODEL_BENCH
#include "semihosting.h"
#endif

#ifndef MOTE_TARGET_NAME
#define MOTE_TARGET_NAME "host"
#endif
#ifndef MOTE_MODELS_MANIFEST
#define MOTE_MODELS_MANIFEST "build/models/manifest.txt"
#endif

static int passed, failed;

/* Reads a whole file into a malloc'd buffer (8-byte aligned); NULL if it cannot. */
static uint8_t *read_file(const char *path, uint32_t *length)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    uint8_t *b = malloc(cap);
    for (;;) {
        if (!b) break;
        n += fread(b + n, 1, cap - n, f);
        if (n < cap) break;
        uint8_t *bigger = realloc(b, cap * 2);
        if (!bigger) { free(b); b = NULL; break; }
        b = bigger, cap *= 2;
    }
    fclose(f);
    *length = (uint32_t)n;
    return b;
}

/* A copy of a loadable blob whose first operator's input is marked int16 must be refused with a
 * message naming the dtype: the C kernels are int8 and must never run a 1.3 int16 variant. */
static void check_refuses_other_dtypes(const char *name, const uint8_t *blob, uint32_t length, const mote_model *ok)
{
    uint8_t *copy = malloc(length);
    if (!copy) return;
    memcpy(copy, blob, length);
    /* INDICES entry of operator 0's input 0 -> tensor record -> dtype byte */
    const uint8_t *op = ok->operators;
    const uint32_t first = (uint32_t)(op[4] | op[5] << 8 | op[6] << 16 | (uint32_t)op[7] << 24);
    const uint8_t *ix = ok->indices + 2 * first;
    const int16_t t = (int16_t)(ix[0] | ix[1] << 8);
    copy[(ok->tensors - blob) + 64 * (uint32_t)t] = 2; /* int16 */
    mote_model m;
    char error[200] = "";
    const int refused = mote_model_load(&m, copy, length, 0, error, sizeof error) != MOTE_OK && strstr(error, "has dtype 2") != NULL;
    if (refused) passed++;
    else {
        failed++;
        printf("FAIL %s: an int16 input on operator 0 was not refused (%s)\n", name, error[0] ? error : "loaded");
    }
    free(copy);
}

static void run_model(const char *name, const char *blob_path, const char *vectors)
{
    uint32_t length;
    uint8_t *blob = read_file(blob_path, &length);
    if (!blob) {
        printf("FAIL %s: cannot read %s\n", name, blob_path);
        failed++;
        return;
    }
    mote_model m;
    char error[160];
    if (mote_model_load(&m, blob, length, 1, error, sizeof error) != MOTE_OK) {
        printf("FAIL %s: %s\n", name, error);
        failed++;
        free(blob);
        return;
    }
    static int dtype_checked;
    if (!dtype_checked) { dtype_checked = 1; check_refuses_other_dtypes(name, blob, length, &m); }
    uint8_t *arena = malloc(m.arena_bytes + 16);
    void *scratch = m.scratch_bytes ? malloc(m.scratch_bytes) : NULL;
    for (int k = 0; k < 8 && arena; k++) {
        char path[600];
        uint32_t in_len, out_len;
        snprintf(path, sizeof path, "%s/input_%d.bin", vectors, k);
        uint8_t *in = read_file(path, &in_len);
        snprintf(path, sizeof path, "%s/output_%d.bin", vectors, k);
        uint8_t *expected = read_file(path, &out_len);
        if (!in || !expected) {
            printf("FAIL %s sample %d: cannot read %s/{input,output}_%d.bin\n", name, k, vectors, k);
            failed++;
            free(in), free(expected);
            continue;
        }
        memset(arena, 0, m.arena_bytes);
        uint32_t at = 0, offset, size;
        for (uint32_t i = 0; i < mote_model_io_count(&m, 0) && mote_model_io(&m, 0, i, &offset, &size) == MOTE_OK; i++) {
            if (at + size <= in_len) memcpy(arena + offset, in + at, size);
            at += size;
        }
        if (at != in_len) {
            printf("FAIL %s sample %d: input file has %lu bytes, the model's inputs %lu\n", name, k, (unsigned long)in_len,
                   (unsigned long)at);
            failed++;
            free(in), free(expected);
            continue;
        }
#ifdef MOTE_MODEL_BENCH
        if (k == 0) mote_bench_start();
#endif
        const mote_status s = mote_model_invoke(&m, arena, scratch);
#ifdef MOTE_MODEL_BENCH
        if (k == 0) {
            mote_bench_stop();
            printf("LAYER model:%s %s %lu\n", name, MOTE_HAVE_DSP ? "dsp" : "portable", (unsigned long)m.macs);
        }
#endif
        int ok = s == MOTE_OK;
        at = 0;
        for (uint32_t i = 0; ok && i < mote_model_io_count(&m, 1) && mote_model_io(&m, 1, i, &offset, &size) == MOTE_OK; i++) {
            ok = at + size <= out_len && memcmp(arena + offset, expected + at, size) == 0;
            at += size;
        }
        ok = ok && at == out_len;
        if (ok) passed++;
        else {
            failed++;
            printf("FAIL %s sample %d: %s\n", name, k, s != MOTE_OK ? "invoke returned an error" : "output differs from TFLM's");
        }
        free(in), free(expected);
    }
    free(scratch), free(arena), free(blob);
}

int main(int argc, char **argv)
{
    const char *manifest = argc > 1 ? argv[1] : MOTE_MODELS_MANIFEST;
#ifdef MOTE_MODEL_BENCH
    mote_bench_start(); /* empty region: the marker overhead (tools/bench.sh subtracts it) */
    mote_bench_stop();
    printf("LAYER calibration none 0\n");
#endif
    FILE *f = fopen(manifest, "r");
    if (!f) {
        printf("models: cannot open %s\n%s models: 0 passed, 1 failed\n", manifest, MOTE_TARGET_NAME);
        return 1;
    }
    char name[128], blob[512], vectors[512];
    while (fscanf(f, "%127s %511s %511s", name, blob, vectors) == 3) run_model(name, blob, vectors);
    fclose(f);
    printf("%s models (%s): %d passed, %d failed\n", MOTE_TARGET_NAME, MOTE_HAVE_DSP ? "dsp" : "portable", passed, failed);
    return failed ? 1 : 0;
}
