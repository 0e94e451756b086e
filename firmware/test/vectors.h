/* Reader of the firmware test-vector file written by tools/Mote.VectorGen (format 1, see
 * tools/Mote.VectorGen/VectorFile.cs). Works on the host and, through semihosting, on
 * the QEMU targets. */
#ifndef MOTE_TEST_VECTORS_H
#define MOTE_TEST_VECTORS_H

#include <stdint.h>
#include <stdio.h>

#define MOTE_VECTOR_MAX_PARAMS 64
#define MOTE_VECTOR_MAX_ARRAYS 8

enum {
    MOTE_VECTOR_CONV2D = 1,
    MOTE_VECTOR_DEPTHWISE_CONV2D = 2,
    MOTE_VECTOR_FULLY_CONNECTED = 3,
    MOTE_VECTOR_ADD = 4,
    MOTE_VECTOR_AVERAGE_POOL2D = 5,
    MOTE_VECTOR_MAX_POOL2D = 6,
    MOTE_VECTOR_SOFTMAX = 7,
    MOTE_VECTOR_REQUANTIZE = 100
};

typedef struct {
    uint32_t kind;
    char name[128];
    uint32_t param_count;
    int32_t params[MOTE_VECTOR_MAX_PARAMS];
    uint32_t array_count;
    uint32_t length[MOTE_VECTOR_MAX_ARRAYS];
    void *array[MOTE_VECTOR_MAX_ARRAYS]; /* malloc'd (8-byte aligned), NULL when the length is 0 */
} mote_vector_case;

/* Opens the file and checks the magic; *count receives the number of cases. NULL on failure
 * (the reason is printed). */
FILE *mote_vectors_open(const char *path, uint32_t *count);

/* Reads the next case; 0 on success, -1 on a truncated or malformed file (printed). */
int mote_vectors_read(FILE *f, mote_vector_case *c);

void mote_vectors_free(mote_vector_case *c);

#endif
