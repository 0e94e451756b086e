/* Whole-model driver over the native kernels (see mote_model.h). */
#include "mote_model.h"

#include <stdio.h>
#include <string.h>

enum {
    OP_CONV_2D = 1, OP_DEPTHWISE_CONV_2D = 2, OP_FULLY_CONNECTED = 3, OP_ADD = 4, OP_AVERAGE_POOL_2D = 5,
    OP_MAX_POOL_2D = 6, OP_SOFTMAX = 7, OP_RESHAPE = 8, OP_SQUEEZE = 17
};
enum { SECTION_TENSORS = 1, SECTION_OPERATORS = 2, SECTION_INDICES = 3, SECTION_PARAMS = 4, SECTION_IO = 5 };

static uint32_t u32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static int32_t i32(const uint8_t *p) { return (int32_t)u32(p); }

/* ---- tensor records (64 bytes) ---- */
static const uint8_t *tensor(const mote_model *m, int32_t index) { return m->tensors + 64 * (size_t)index; }
static int32_t tensor_rank(const uint8_t *t) { return t[1]; }
static int32_t tensor_dim(const uint8_t *t, int32_t d) { return i32(t + 4 + 4 * d); }
static int tensor_is_constant(const uint8_t *t) { return t[2] == 1; }
static uint32_t tensor_offset(const uint8_t *t) { return u32(t + 28); }
static uint32_t tensor_bytes(const uint8_t *t) { return u32(t + 32); }

/* ---- operator records (32 bytes) ---- */
typedef struct {
    uint32_t code, inputs, outputs, first_index, first_param, param_count;
} op_record;

static op_record op_at(const mote_model *m, uint32_t i)
{
    const uint8_t *o = m->operators + 32 * (size_t)i;
    op_record r;
    r.code = (uint32_t)o[0] | (uint32_t)o[1] << 8;
    r.inputs = o[2], r.outputs = o[3];
    r.first_index = u32(o + 4), r.first_param = u32(o + 8), r.param_count = u32(o + 12);
    return r;
}

/* Tensor index of input k (k < inputs) or of the output (k = inputs); -1 for an absent input. */
static int32_t op_tensor(const mote_model *m, const op_record *r, uint32_t k)
{
    const uint8_t *p = m->indices + 2 * (size_t)(r->first_index + k);
    return (int16_t)((uint16_t)p[0] | (uint16_t)p[1] << 8);
}

static int32_t op_param(const mote_model *m, const op_record *r, uint32_t k) { return i32(m->params + 4 * (size_t)(r->first_param + k)); }

static uint32_t crc32(const uint8_t *p, uint32_t n)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (uint32_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return crc ^ 0xFFFFFFFFu;
}

static uint32_t expected_params(uint32_t code)
{
    switch (code) {
    case OP_CONV_2D: case OP_DEPTHWISE_CONV_2D: return 13;
    case OP_FULLY_CONNECTED: return 7;
    case OP_ADD: return 12;
    case OP_AVERAGE_POOL_2D: case OP_MAX_POOL_2D: return 8;
    case OP_SOFTMAX: return 3;
    case OP_RESHAPE: case OP_SQUEEZE: return 0;
    default: return UINT32_MAX;
    }
}

static uint64_t elements(const uint8_t *t)
{
    uint64_t n = 1;
    for (int32_t d = 0; d < tensor_rank(t); d++) n *= (uint64_t)tensor_dim(t, d);
    return n;
}

/* Conv and depthwise parameters from the tensors' shapes and the 13 parameter words. */
static mote_conv_params conv_params(const mote_model *m, const op_record *r, const uint8_t *in, const uint8_t *filter,
                                    const uint8_t *out)
{
    mote_conv_params p;
    p.batches = tensor_dim(in, 0);
    p.input_height = tensor_dim(in, 1), p.input_width = tensor_dim(in, 2), p.input_channels = tensor_dim(in, 3);
    p.filter_height = tensor_dim(filter, 1), p.filter_width = tensor_dim(filter, 2);
    p.output_height = tensor_dim(out, 1), p.output_width = tensor_dim(out, 2), p.output_channels = tensor_dim(out, 3);
    p.stride_height = op_param(m, r, 0), p.stride_width = op_param(m, r, 1);
    p.dilation_height = op_param(m, r, 2), p.dilation_width = op_param(m, r, 3);
    p.pad_top = op_param(m, r, 4), p.pad_left = op_param(m, r, 5);
    p.input_offset = op_param(m, r, 6), p.output_offset = op_param(m, r, 7);
    p.activation_min = op_param(m, r, 8), p.activation_max = op_param(m, r, 9);
    p.depth_multiplier = op_param(m, r, 10);
    p.requant_stride = r->param_count == 14 ? op_param(m, r, 13) : 1;
    return p;
}

static mote_fully_connected_params fc_params(const mote_model *m, const op_record *r, const uint8_t *in,
                                             const uint8_t *filter)
{
    mote_fully_connected_params p;
    p.accum_depth = tensor_dim(filter, 1);
    p.output_depth = tensor_dim(filter, 0);
    p.batches = (int32_t)(elements(in) / (uint64_t)p.accum_depth);
    p.input_offset = op_param(m, r, 0), p.filter_offset = op_param(m, r, 1), p.output_offset = op_param(m, r, 2);
    p.activation_min = op_param(m, r, 3), p.activation_max = op_param(m, r, 4);
    p.requant_stride = r->param_count == 8 ? op_param(m, r, 7) : 1;
    return p;
}

#define FAIL(...) do { snprintf(error, error_size, __VA_ARGS__); return MOTE_ERROR_ARGUMENT; } while (0)

mote_status mote_model_load(mote_model *m, const uint8_t *blob, uint32_t length, int check_crc, char *error,
                            size_t error_size)
{
    memset(m, 0, sizeof *m);
    if (length < 64 || memcmp(blob, "MOTE", 4) != 0) FAIL("not a .mote blob (magic)");
    if ((blob[4] | blob[5] << 8) != 1) FAIL("blob format major version %u; this driver reads 1", blob[4] | blob[5] << 8);
    const uint32_t total = u32(blob + 12);
    if (total > length || total < 64) FAIL("total length %lu exceeds the %lu bytes given", (unsigned long)total, (unsigned long)length);
    if (check_crc && crc32(blob + 20, total - 20) != u32(blob + 16)) FAIL("CRC-32 mismatch");
    if (u32(blob + 20) != 0) FAIL("flags 0x%lx are not supported", (unsigned long)u32(blob + 20));
    if (u32(blob + 36) != 0) FAIL("weights layout %lu is not supported", (unsigned long)u32(blob + 36));
    m->blob = blob, m->length = total, m->arena_bytes = u32(blob + 24);
    const uint32_t sections = u32(blob + 28), table = u32(blob + 32);
    if (sections > 16 || table > total || sections * 16 > total - table) FAIL("section table out of bounds");
    for (uint32_t s = 0; s < sections; s++) {
        const uint8_t *e = blob + table + 16 * s;
        const uint32_t kind = u32(e), offset = u32(e + 4), bytes = u32(e + 8), count = u32(e + 12);
        if (offset > total || bytes > total - offset) FAIL("section %lu out of bounds", (unsigned long)s);
        const uint8_t *at = blob + offset;
        switch (kind) {
        case SECTION_TENSORS: m->tensors = at, m->tensor_count = count; if (count * 64ull > bytes) FAIL("TENSORS"); break;
        case SECTION_OPERATORS: m->operators = at, m->operator_count = count; if (count * 32ull > bytes) FAIL("OPERATORS"); break;
        case SECTION_INDICES: m->indices = at, m->index_count = count; if (count * 2ull > bytes) FAIL("INDICES"); break;
        case SECTION_PARAMS: m->params = at, m->param_count = count; if (count * 4ull > bytes) FAIL("PARAMS"); break;
        case SECTION_IO: m->io = at, m->io_count = count; if (count * 4ull > bytes) FAIL("IO"); break;
        default: break; /* STRINGS, CONSTANTS, SCALES and newer kinds: read through absolute offsets */
        }
    }
    if (!m->tensors || !m->operators || !m->indices || !m->params || !m->io) FAIL("a required section is missing");
    if (m->io_count < 2 || 2 + (uint64_t)u32(m->io) + u32(m->io + 4) > m->io_count) FAIL("IO section inconsistent");

    for (uint32_t t = 0; t < m->tensor_count; t++) {
        const uint8_t *r = tensor(m, (int32_t)t);
        const uint32_t limit = tensor_is_constant(r) ? total : m->arena_bytes;
        if (tensor_rank(r) > 6 || tensor_offset(r) > limit || tensor_bytes(r) > limit - tensor_offset(r))
            FAIL("tensor %lu: data outside the %s", (unsigned long)t, tensor_is_constant(r) ? "blob" : "arena");
    }
    for (uint32_t i = 0; i < m->operator_count; i++) {
        const op_record r = op_at(m, i);
        const uint32_t want = expected_params(r.code);
        if (want == UINT32_MAX)
            FAIL("operator %lu: op code %lu is not supported by the C driver (conv, depthwise, FC, add, pooling, softmax, reshape, squeeze)",
                 (unsigned long)i, (unsigned long)r.code);
        /* format 1.2 appends a requantization stride word to CONV_2D, DEPTHWISE_CONV_2D, FC */
        const int stride_word = (r.code == OP_CONV_2D || r.code == OP_DEPTHWISE_CONV_2D || r.code == OP_FULLY_CONNECTED) &&
                                r.param_count == want + 1;
        if ((r.param_count != want && !stride_word) || (uint64_t)r.first_param + r.param_count > m->param_count ||
            (uint64_t)r.first_index + r.inputs + r.outputs > m->index_count || r.outputs != 1)
            FAIL("operator %lu: parameter or index range invalid", (unsigned long)i);
        for (uint32_t k = 0; k <= r.inputs; k++) {
            const int32_t t = op_tensor(m, &r, k);
            if (t >= (int32_t)m->tensor_count || (t < 0 && k == 0)) FAIL("operator %lu: tensor index %ld", (unsigned long)i, (long)t);
        }
        /* Format 1.3 keeps op codes for int16 (and other) variants and tells them apart by the tensor
         * dtypes; this driver's kernels are int8, so anything else is refused, never run as int8. */
        for (uint32_t k = 0; k <= r.inputs; k++) {
            const int32_t t = op_tensor(m, &r, k);
            if (t < 0) continue;
            const int bias = k == 2 && k < r.inputs &&
                             (r.code == OP_CONV_2D || r.code == OP_DEPTHWISE_CONV_2D || r.code == OP_FULLY_CONNECTED);
            const unsigned dtype = tensor(m, t)[0], want_dtype = bias ? 3u : 1u;
            if (dtype != want_dtype)
                FAIL("operator %lu: %s tensor %ld has dtype %u, the C driver runs %s only (other variants run on the C# reference kernels)",
                     (unsigned long)i, k == r.inputs ? "output" : "input", (long)t, dtype, bias ? "int32 biases" : "int8 operators");
            if (tensor(m, t)[3] != 0)
                FAIL("operator %lu: tensor %ld has flags 0x%02x (variable state), which the C driver does not support",
                     (unsigned long)i, (long)t, tensor(m, t)[3]);
        }
        const uint8_t *in = tensor(m, op_tensor(m, &r, 0)), *out = tensor(m, op_tensor(m, &r, r.inputs));
        size_t need = 0;
        if (r.code == OP_CONV_2D || r.code == OP_DEPTHWISE_CONV_2D) {
            const uint8_t *filter = tensor(m, op_tensor(m, &r, 1));
            const mote_conv_params p = conv_params(m, &r, in, filter, out);
            const uint32_t tables[2] = {(uint32_t)op_param(m, &r, 11), (uint32_t)op_param(m, &r, 12)};
            const uint64_t entries = p.requant_stride == 0 ? 1 : (uint64_t)p.output_channels;
            if (p.requant_stride != 0 && p.requant_stride != 1) FAIL("operator %lu: requantization stride %ld", (unsigned long)i, (long)p.requant_stride);
            for (int k = 0; k < 2; k++)
                if (tables[k] > total || entries * 4 > total - tables[k]) FAIL("operator %lu: table outside the blob", (unsigned long)i);
            if (r.code == OP_CONV_2D) {
                need = mote_conv2d_get_buffer_size(&p);
                m->macs += (uint64_t)p.batches * p.output_height * p.output_width * p.output_channels * p.filter_height *
                           p.filter_width * p.input_channels;
            } else {
                need = mote_depthwise_conv2d_get_buffer_size(&p);
                m->macs += (uint64_t)p.batches * p.output_height * p.output_width * p.output_channels * p.filter_height *
                           p.filter_width;
            }
        } else if (r.code == OP_FULLY_CONNECTED) {
            const mote_fully_connected_params p = fc_params(m, &r, in, tensor(m, op_tensor(m, &r, 1)));
            const uint32_t tables[2] = {(uint32_t)op_param(m, &r, 5), (uint32_t)op_param(m, &r, 6)};
            const uint64_t entries = p.requant_stride == 0 ? 1 : (uint64_t)p.output_depth;
            if (p.requant_stride != 0 && p.requant_stride != 1) FAIL("operator %lu: requantization stride %ld", (unsigned long)i, (long)p.requant_stride);
            for (int k = 0; k < 2; k++)
                if (tables[k] > total || entries * 4 > total - tables[k]) FAIL("operator %lu: table outside the blob", (unsigned long)i);
            need = mote_fully_connected_get_buffer_size(&p);
            m->macs += (uint64_t)p.batches * p.accum_depth * p.output_depth;
        }
        if (need > m->scratch_bytes) m->scratch_bytes = need;
    }
    return MOTE_OK;
}

static const int8_t *data_in(const mote_model *m, const uint8_t *arena, int32_t t)
{
    if (t < 0) return NULL;
    const uint8_t *r = tensor(m, t);
    return (const int8_t *)((tensor_is_constant(r) ? m->blob : arena) + tensor_offset(r));
}

static const int32_t *table(const mote_model *m, int32_t offset) { return (const int32_t *)(m->blob + (uint32_t)offset); }

/* 4-D shape of a tensor (leading 1s). */
static void shape4(const uint8_t *t, int32_t s[4])
{
    const int32_t rank = tensor_rank(t);
    for (int32_t d = 0; d < 4; d++) s[d] = d < 4 - rank ? 1 : tensor_dim(t, d - (4 - rank));
}

mote_status mote_model_invoke(const mote_model *m, uint8_t *arena, void *scratch)
{
    for (uint32_t i = 0; i < m->operator_count; i++) {
        const op_record r = op_at(m, i);
        const int32_t in_t = op_tensor(m, &r, 0), out_t = op_tensor(m, &r, r.inputs);
        const uint8_t *in_r = tensor(m, in_t), *out_r = tensor(m, out_t);
        const int8_t *in = data_in(m, arena, in_t);
        int8_t *out = (int8_t *)(arena + tensor_offset(out_r));
        mote_status s = MOTE_OK;
        switch (r.code) {
        case OP_CONV_2D:
        case OP_DEPTHWISE_CONV_2D: {
            const int32_t filter_t = op_tensor(m, &r, 1);
            const mote_conv_params p = conv_params(m, &r, in_r, tensor(m, filter_t), out_r);
            const int32_t *bias = (const int32_t *)data_in(m, arena, op_tensor(m, &r, 2));
            if (r.code == OP_CONV_2D)
                s = mote_conv2d(&p, in, data_in(m, arena, filter_t), bias, table(m, op_param(m, &r, 11)),
                                table(m, op_param(m, &r, 12)), out, scratch);
            else
                s = mote_depthwise_conv2d(&p, in, data_in(m, arena, filter_t), bias, table(m, op_param(m, &r, 11)),
                                          table(m, op_param(m, &r, 12)), out, scratch);
            break;
        }
        case OP_FULLY_CONNECTED: {
            const int32_t filter_t = op_tensor(m, &r, 1);
            const mote_fully_connected_params p = fc_params(m, &r, in_r, tensor(m, filter_t));
            s = mote_fully_connected(&p, in, data_in(m, arena, filter_t),
                                     (const int32_t *)data_in(m, arena, op_tensor(m, &r, 2)),
                                     table(m, op_param(m, &r, 5)), table(m, op_param(m, &r, 6)), out, scratch);
            break;
        }
        case OP_ADD: {
            const int32_t in2_t = op_tensor(m, &r, 1);
            mote_add_params p;
            p.left_shift = op_param(m, &r, 0);
            p.input1_offset = op_param(m, &r, 1), p.input1_multiplier = op_param(m, &r, 2), p.input1_shift = op_param(m, &r, 3);
            p.input2_offset = op_param(m, &r, 4), p.input2_multiplier = op_param(m, &r, 5), p.input2_shift = op_param(m, &r, 6);
            p.output_offset = op_param(m, &r, 7), p.output_multiplier = op_param(m, &r, 8), p.output_shift = op_param(m, &r, 9);
            p.activation_min = op_param(m, &r, 10), p.activation_max = op_param(m, &r, 11);
            p.flat_size = (int32_t)elements(out_r);
            shape4(in_r, p.input1_shape), shape4(tensor(m, in2_t), p.input2_shape), shape4(out_r, p.output_shape);
            p.broadcast = memcmp(p.input1_shape, p.output_shape, sizeof p.output_shape) != 0 ||
                          memcmp(p.input2_shape, p.output_shape, sizeof p.output_shape) != 0;
            s = mote_add(&p, in, data_in(m, arena, in2_t), out);
            break;
        }
        case OP_AVERAGE_POOL_2D:
        case OP_MAX_POOL_2D: {
            mote_pool_params p;
            p.batches = tensor_dim(in_r, 0);
            p.input_height = tensor_dim(in_r, 1), p.input_width = tensor_dim(in_r, 2), p.channels = tensor_dim(in_r, 3);
            p.output_height = tensor_dim(out_r, 1), p.output_width = tensor_dim(out_r, 2);
            p.filter_height = op_param(m, &r, 0), p.filter_width = op_param(m, &r, 1);
            p.stride_height = op_param(m, &r, 2), p.stride_width = op_param(m, &r, 3);
            p.pad_top = op_param(m, &r, 4), p.pad_left = op_param(m, &r, 5);
            p.activation_min = op_param(m, &r, 6), p.activation_max = op_param(m, &r, 7);
            s = r.code == OP_MAX_POOL_2D ? mote_max_pool2d(&p, in, out) : mote_average_pool2d(&p, in, out);
            break;
        }
        case OP_SOFTMAX: {
            mote_softmax_params p;
            p.depth = tensor_dim(in_r, tensor_rank(in_r) - 1);
            p.rows = (int32_t)(elements(in_r) / (uint64_t)p.depth);
            p.input_multiplier = op_param(m, &r, 0), p.input_left_shift = op_param(m, &r, 1), p.diff_min = op_param(m, &r, 2);
            s = mote_softmax(&p, in, out);
            break;
        }
        default: /* RESHAPE, SQUEEZE: the bytes move only if the planner did not alias them */
            if ((const void *)in != (const void *)out) memmove(out, in, tensor_bytes(out_r));
            break;
        }
        if (s != MOTE_OK) return s;
    }
    return MOTE_OK;
}

uint32_t mote_model_io_count(const mote_model *m, int is_output) { return u32(m->io + (is_output ? 4 : 0)); }

mote_status mote_model_io(const mote_model *m, int is_output, uint32_t index, uint32_t *offset, uint32_t *size)
{
    const uint32_t inputs = u32(m->io), outputs = u32(m->io + 4);
    if (index >= (is_output ? outputs : inputs)) return MOTE_ERROR_ARGUMENT;
    const int32_t t = i32(m->io + 4 * (2 + (is_output ? inputs : 0) + index));
    if (t < 0 || (uint32_t)t >= m->tensor_count) return MOTE_ERROR_ARGUMENT;
    *offset = tensor_offset(tensor(m, t));
    *size = tensor_bytes(tensor(m, t));
    return MOTE_OK;
}
