/* A small C driver that runs a whole .mote blob (docs/blob-format.md, format 1.x) with the
 * native kernels: it walks the operator table in order, reads each operator's parameter
 * words and tensors, and calls the kernel. Supported op codes: CONV_2D, DEPTHWISE_CONV_2D,
 * FULLY_CONNECTED, ADD, AVERAGE_POOL_2D, MAX_POOL_2D, SOFTMAX, RESHAPE, SQUEEZE (enough for
 * mlperf_kws_dscnn, micro_speech, mlperf_ic_resnet8 and mlperf_ad_autoencoder); a blob using any other op is refused at
 * load time, naming the operator.
 *
 * The blob is read in place (weights never copied); the caller owns the arena
 * (mote_model.arena_bytes) and one scratch buffer (mote_model.scratch_bytes, the largest
 * *_get_buffer_size of any operator). Little-endian targets only (the blob's tables are
 * read as int32 arrays). */
#ifndef MOTE_MODEL_H
#define MOTE_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "mote_kernels.h"

typedef struct {
    const uint8_t *blob;
    uint32_t length;
    uint32_t arena_bytes;
    size_t scratch_bytes;
    const uint8_t *tensors;   /* 64-byte records */
    uint32_t tensor_count;
    const uint8_t *operators; /* 32-byte records */
    uint32_t operator_count;
    const uint8_t *indices;   /* int16 */
    uint32_t index_count;
    const uint8_t *params;    /* int32 */
    uint32_t param_count;
    const uint8_t *io;        /* int32: input count, output count, input tensors, output tensors */
    uint32_t io_count;
    uint64_t macs;            /* multiply-accumulates of one inference (conv, depthwise, FC) */
} mote_model;

/* Checks the header (magic, major version 1, CRC-32 when check_crc is nonzero), the section
 * table and every operator the driver will run (op code supported, parameter count, tensor
 * and table ranges inside the blob or the arena). On failure returns MOTE_ERROR_ARGUMENT and
 * writes the reason to error. The CRC costs about 8 instructions per blob byte: check it once
 * when the blob arrives, not before every inference. */
mote_status mote_model_load(mote_model *m, const uint8_t *blob, uint32_t length, int check_crc, char *error,
                            size_t error_size);

/* Runs every operator once. arena: arena_bytes bytes holding the inputs (see
 * mote_model_tensor); scratch: scratch_bytes bytes, 4-byte aligned (NULL if 0). */
mote_status mote_model_invoke(const mote_model *m, uint8_t *arena, void *scratch);

/* The byte range of model input (is_output = 0) or output number `index` inside the arena. */
mote_status mote_model_io(const mote_model *m, int is_output, uint32_t index, uint32_t *offset, uint32_t *size);
uint32_t mote_model_io_count(const mote_model *m, int is_output);

#endif
