/* leafrun: executes Mote.Kernels.Simd's dot-product leaf functions, compiled to linux-arm64
 * ReadyToRun code by crossgen2, under qemu-aarch64, against a scalar C oracle.
 *
 * No arm64 .NET runtime is needed: the R2R image's sections are copied to their RVAs in an
 * executable mapping and a leaf method is called through a plain function pointer. That is valid
 * only for leaf methods (no calls, fixups, allocation or GC interaction): the DotLeaf.* methods are
 * static, take (sbyte*, sbyte*, int, int) and return int, or (Dot4*: four weight rows stride bytes
 * apart) take (sbyte*, sbyte*, int, int, int) and return Vector128<int> in v0, for which .NET's
 * arm64 managed calling convention is AAPCS64 (an int32x4_t result).
 *
 * usage: qemu-aarch64 -cpu <model> leafrun <image.dll> <Name>:<hex RVA> ...
 * prints one line per leaf and "N passed, N failed"; exit 0 only when every leaf matched. */
#include <arm_neon.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

typedef int32_t (*dot_leaf)(const int8_t *x, const int8_t *w, int32_t n, int32_t offset);
typedef int32x4_t (*dot4_leaf)(const int8_t *x, const int8_t *w, int32_t stride, int32_t n, int32_t offset);
/* Requant.HighMul(a, b), Requant.ShiftRightVariable(x, s): vector arguments in v0, v1. */
typedef int32x4_t (*vec2_leaf)(int32x4_t a, int32x4_t b);
/* Requant.Apply(acc, table, outputOffset, min, max): acc, outputOffset, min, max in v0..v3, table in x0. */
typedef int32x4_t (*apply_leaf)(int32x4_t acc, const int32_t *table, int32x4_t offset, int32x4_t min, int32x4_t max);

static uint8_t *map_image(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *file = malloc((size_t)size);
    if (!file || fread(file, 1, (size_t)size, f) != (size_t)size) { fprintf(stderr, "%s: read failed\n", path); exit(2); }
    fclose(f);
    uint32_t pe = *(uint32_t *)(file + 0x3c);
    uint16_t machine = *(uint16_t *)(file + pe + 4);
    uint16_t sections = *(uint16_t *)(file + pe + 6);
    uint16_t optional_size = *(uint16_t *)(file + pe + 20);
    /* crossgen2 stores the machine XORed with an OS tag (0x7B79 = Linux). */
    if ((machine ^ 0x7B79) != 0xAA64) { fprintf(stderr, "%s: not a linux-arm64 ReadyToRun image (machine 0x%x)\n", path, machine); exit(2); }
    uint32_t image_size = *(uint32_t *)(file + pe + 24 + 56);
    uint8_t *base = mmap(NULL, image_size, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) { perror("mmap"); exit(2); }
    for (int i = 0; i < sections; i++) {
        const uint8_t *h = file + pe + 24 + optional_size + 40 * i;
        uint32_t virtual_size = *(const uint32_t *)(h + 8), rva = *(const uint32_t *)(h + 12);
        uint32_t raw_size = *(const uint32_t *)(h + 16), raw_offset = *(const uint32_t *)(h + 20);
        memcpy(base + rva, file + raw_offset, raw_size < virtual_size ? raw_size : virtual_size);
    }
    __builtin___clear_cache((char *)base, (char *)base + image_size);
    return base;
}

/* The reference kernels' accumulation: sum of w * (x + offset), wrapping int32. */
static int32_t oracle(const int8_t *x, const int8_t *w, int n, int offset)
{
    uint32_t s = 0;
    for (int i = 0; i < n; i++) s += (uint32_t)((int32_t)w[i] * ((int32_t)x[i] + offset));
    return (int32_t)s;
}

static uint32_t rng = 2463534242u;
static int8_t next_byte(void) { rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5; return (int8_t)rng; }

/* Fills per data mode: 0 random, 1 all -128, 2 all 127, 3 x = -128 with w = -128 (largest products), 4 alternating. */
static void fill(int8_t *x, int8_t *w, int n, int mode)
{
    for (int i = 0; i < n; i++) {
        switch (mode) {
        case 1: x[i] = -128; w[i] = -128; break;
        case 2: x[i] = 127; w[i] = 127; break;
        case 3: x[i] = -128; w[i] = (i & 1) ? -128 : 127; break;
        case 4: x[i] = (i & 1) ? 127 : -128; w[i] = -128; break;
        default: x[i] = next_byte(); w[i] = next_byte(); break;
        }
    }
}

static int check(dot_leaf leaf, const char *name, int *cases)
{
    static int8_t x[4200], w[4200];
    const int offsets[] = { -127, 128, 0, 1, -1, 77 };
    int mismatches = 0;
    for (int n = 0; n <= 4 * 16 + 1 + 300; n++) {
        int len = n <= 65 ? n : 66 + (n - 66) * 13; /* 0..65 exactly, then longer up to ~3.9k */
        for (int mode = 0; mode < 5; mode++)
            for (unsigned k = 0; k < sizeof offsets / sizeof offsets[0]; k++) {
                /* unaligned starts: the kernels pass arbitrary offsets into the arena */
                int8_t *px = x + (n % 3), *pw = w + (n % 5);
                fill(px, pw, len, mode);
                int32_t want = oracle(px, pw, len, offsets[k]), got = leaf(px, pw, len, offsets[k]);
                (*cases)++;
                if (got != want && mismatches++ < 3)
                    printf("  %s: n=%d mode=%d offset=%d: got %d, want %d\n", name, len, mode, offsets[k], got, want);
            }
    }
    return mismatches;
}

/* Four rows: row r at w + r * stride (stride >= n, some rows overlapping the next ones' bytes is
 * fine: the oracle reads the same bytes), each lane against the oracle. */
static int check4(dot4_leaf leaf, const char *name, int *cases)
{
    static int8_t x[4200], w[4 * 4300 + 64];
    const int offsets[] = { -127, 128, 0, 1, -1, 77 };
    int mismatches = 0;
    for (int n = 0; n <= 4 * 16 + 1 + 300; n++) {
        int len = n <= 65 ? n : 66 + (n - 66) * 13;
        int stride = len + (n % 7);
        for (int mode = 0; mode < 5; mode++)
            for (unsigned k = 0; k < sizeof offsets / sizeof offsets[0]; k++) {
                int8_t *px = x + (n % 3), *pw = w + (n % 5);
                for (int r = 0; r < 4; r++) fill(px, pw + r * stride, stride, mode);
                if (mode == 0) for (int i = 0; i < len; i++) px[i] = next_byte();
                int32_t got[4];
                vst1q_s32(got, leaf(px, pw, stride, len, offsets[k]));
                for (int r = 0; r < 4; r++) {
                    int32_t want = oracle(px, pw + r * stride, len, offsets[k]);
                    (*cases)++;
                    if (got[r] != want && mismatches++ < 3)
                        printf("  %s: n=%d stride=%d mode=%d offset=%d row %d: got %d, want %d\n", name, len, stride, mode, offsets[k], r, got[r], want);
                }
            }
    }
    return mismatches;
}

/* gemmlowp's SaturatingRoundingDoublingHighMul and RoundingDivideByPOT, as TFLM defines them. */
static int32_t srdhm(int32_t a, int32_t b)
{
    if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
    int64_t ab = (int64_t)a * b;
    int64_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
    return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

static int32_t rdbpot(int32_t x, int e)
{
    int32_t mask = (int32_t)(((int64_t)1 << e) - 1);
    int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> e) + ((x & mask) > threshold ? 1 : 0);
}

static uint32_t next_u32(void) { rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5; return rng; }

static int32_t edge_value(int k)
{
    static const int32_t edges[] = { INT32_MIN, INT32_MAX, 0, 1, -1, 2, -2, 1 << 30, -(1 << 30), (1 << 30) + 1, 0x40000000 - 1, INT32_MIN + 1 };
    return k < (int)(sizeof edges / sizeof edges[0]) ? edges[k] : (int32_t)next_u32();
}

/* HighMul: edge × edge pairs and random ones, 4 lanes each. */
static int check_highmul(vec2_leaf leaf, const char *name, int *cases)
{
    int mismatches = 0;
    for (int i = 0; i < 40; i++)
        for (int j = 0; j < 40; j++) {
            int32_t a[4], b[4], got[4];
            for (int l = 0; l < 4; l++) { a[l] = edge_value(l == 0 ? i : 99); b[l] = edge_value(l == 0 ? j : 99); }
            a[1] = a[0]; b[2] = b[0];
            vst1q_s32(got, leaf(vld1q_s32(a), vld1q_s32(b)));
            for (int l = 0; l < 4; l++) {
                (*cases)++;
                if (got[l] != srdhm(a[l], b[l]) && mismatches++ < 3)
                    printf("  %s: %d * %d: got %d, want %d\n", name, a[l], b[l], got[l], srdhm(a[l], b[l]));
            }
        }
    return mismatches;
}

/* ShiftRightVariable: shifts 0..31 per lane, edge and random values. */
static int check_shift(vec2_leaf leaf, const char *name, int *cases)
{
    int mismatches = 0;
    for (int i = 0; i < 60; i++)
        for (int e = 0; e < 32; e++) {
            int32_t x[4], s[4], got[4];
            for (int l = 0; l < 4; l++) { x[l] = edge_value(l == 0 ? i : 99); s[l] = (e + 7 * l) % 32; }
            vst1q_s32(got, leaf(vld1q_s32(x), vld1q_s32(s)));
            for (int l = 0; l < 4; l++) {
                (*cases)++;
                if (got[l] != (x[l] >> s[l]) && mismatches++ < 3)
                    printf("  %s: %d >> %d: got %d, want %d\n", name, x[l], s[l], got[l], x[l] >> s[l]);
            }
        }
    return mismatches;
}

/* Apply: a table block as Requant.Build writes it (bias, multiplier, 2^left, right, 2^right - 1) for
 * every TFLM shift -31..30, edge and random multipliers, accumulators and biases (wrapping adds),
 * rounding ties, output offsets and clamps; each lane against the scalar MultiplyByQuantizedMultiplier. */
static int check_apply(apply_leaf leaf, const char *name, int *cases)
{
    int mismatches = 0;
    for (int shift = -31; shift <= 30; shift++)
        for (int i = 0; i < 300; i++) {
            int32_t t[20], acc[4], got[4];
            int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
            for (int l = 0; l < 4; l++) {
                int k = i % 20;
                int32_t m = k < 12 ? edge_value(k) : (int32_t)((1u << 30) + (next_u32() >> 2));
                int32_t bias = i % 7 == 3 ? INT32_MAX : i % 7 == 4 ? INT32_MIN : (int32_t)(next_u32() % 200001) - 100000;
                int32_t a = i % 5 == 0 ? edge_value((i / 5 + l) % 12) : (int32_t)next_u32() >> (next_u32() % 31);
                if (i % 11 == 6 && right > 0) a = (int32_t)((((int64_t)(next_u32() % 1000) - 500) << right) + ((int64_t)1 << (right - 1))) - bias; /* a tie after the bias */
                t[l] = bias; t[4 + l] = m; t[8 + l] = (int32_t)(1u << left); t[12 + l] = right; t[16 + l] = (int32_t)(((int64_t)1 << right) - 1);
                acc[l] = a;
            }
            int32_t off = (int32_t)(next_u32() % 256) - 128, lo = i % 3 == 0 ? -128 : INT32_MIN, hi = i % 3 == 0 ? 127 : INT32_MAX;
            vst1q_s32(got, leaf(vld1q_s32(acc), t, vdupq_n_s32(off), vdupq_n_s32(lo), vdupq_n_s32(hi)));
            for (int l = 0; l < 4; l++) {
                int32_t x = (int32_t)(((uint32_t)acc[l] + (uint32_t)t[l]) * (uint32_t)t[8 + l]);
                x = rdbpot(srdhm(x, t[4 + l]), right);
                x = (int32_t)((uint32_t)x + (uint32_t)off);
                int32_t want = x < lo ? lo : x > hi ? hi : x;
                (*cases)++;
                if (got[l] != want && mismatches++ < 3)
                    printf("  %s: acc %d bias %d m %d shift %d: got %d, want %d\n", name, acc[l], t[l], t[4 + l], shift, got[l], want);
            }
        }
    return mismatches;
}

int main(int argc, char **argv)
{
    if (argc < 3) { fprintf(stderr, "usage: leafrun <image.dll> <Name>:<hex RVA> ...\n"); return 2; }
    setvbuf(stdout, NULL, _IOLBF, 0);
    uint8_t *base = map_image(argv[1]);
    int passed = 0, failed = 0;
    for (int i = 2; i < argc; i++) {
        char name[64];
        unsigned long rva;
        if (sscanf(argv[i], "%63[^:]:%lx", name, &rva) != 2) { fprintf(stderr, "bad argument %s\n", argv[i]); return 2; }
        int cases = 0;
        int mismatches = strncmp(name, "Dot4", 4) == 0 ? check4((dot4_leaf)(base + rva), name, &cases)
            : strcmp(name, "HighMul") == 0 ? check_highmul((vec2_leaf)(base + rva), name, &cases)
            : strcmp(name, "ShiftRightVariable") == 0 ? check_shift((vec2_leaf)(base + rva), name, &cases)
            : strcmp(name, "Apply") == 0 ? check_apply((apply_leaf)(base + rva), name, &cases)
            : check((dot_leaf)(base + rva), name, &cases);
        printf("%-14s @0x%05lx: %s (%d cases, %d mismatches)\n", name, rva, mismatches ? "FAIL" : "ok", cases, mismatches);
        if (mismatches) failed++; else passed++;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
