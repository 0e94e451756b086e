#include "vectors.h"

#include <stdlib.h>
#include <string.h>

static int read_u32(FILE *f, uint32_t *v)
{
    uint8_t b[4];
    if (fread(b, 1, 4, f) != 4) return -1;
    *v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return 0;
}

FILE *mote_vectors_open(const char *path, uint32_t *count)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("vectors: cannot open %s (generate it with tools/Mote.VectorGen: make -C firmware vectors)\n", path);
        return NULL;
    }
    char magic[8];
    if (fread(magic, 1, 8, f) != 8 || memcmp(magic, "MOTEVEC1", 8) != 0 || read_u32(f, count) != 0) {
        printf("vectors: %s is not a MOTEVEC1 file\n", path);
        fclose(f);
        return NULL;
    }
    return f;
}

int mote_vectors_read(FILE *f, mote_vector_case *c)
{
    uint32_t name_len;
    memset(c, 0, sizeof *c);
    if (read_u32(f, &c->kind) || read_u32(f, &name_len) || name_len >= sizeof c->name) goto bad;
    if (fread(c->name, 1, name_len, f) != name_len) goto bad;
    c->name[name_len] = 0;
    if (read_u32(f, &c->param_count) || c->param_count > MOTE_VECTOR_MAX_PARAMS) goto bad;
    for (uint32_t i = 0; i < c->param_count; i++) {
        uint32_t v;
        if (read_u32(f, &v)) goto bad;
        c->params[i] = (int32_t)v;
    }
    if (read_u32(f, &c->array_count) || c->array_count > MOTE_VECTOR_MAX_ARRAYS) goto bad;
    for (uint32_t i = 0; i < c->array_count; i++) {
        if (read_u32(f, &c->length[i])) goto bad;
        if (c->length[i] == 0) continue;
        c->array[i] = malloc(c->length[i]);
        if (!c->array[i]) {
            printf("vectors: out of memory for %lu bytes in case %s\n", (unsigned long)c->length[i], c->name);
            return -1;
        }
        if (fread(c->array[i], 1, c->length[i], f) != c->length[i]) goto bad;
    }
    return 0;
bad:
    printf("vectors: truncated or malformed case after '%s'\n", c->name);
    return -1;
}

void mote_vectors_free(mote_vector_case *c)
{
    for (uint32_t i = 0; i < MOTE_VECTOR_MAX_ARRAYS; i++) free(c->array[i]);
    memset(c, 0, sizeof *c);
}
