/* op.c - the op vocabulary, FLOP and byte counts. */
#include "hw/op.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const KIND_NAMES[DCS_OP_NKINDS] = {
    "idle",
    "gemm",
    "bmm",
    "attention",
    "decode_attention",
    "elementwise_add",
    "gelu",
    "silu_mul",
    "copy",
    "layernorm",
    "rmsnorm",
    "softmax",
    "embedding",
    "adam",
    "all_reduce",
    "all_gather",
    "reduce_scatter",
    "all_to_all",
    "send_recv",
    "broadcast",
};

static const char *const DTYPE_NAMES[DCS_NDTYPES] = {
    "fp32", "tf32", "bf16", "fp16", "fp8", "int8",
};

const char *dcs_op_kind_name(dcs_op_kind_t kind)
{
    return kind < DCS_OP_NKINDS ? KIND_NAMES[kind] : "unknown";
}

const char *dcs_dtype_name(dcs_dtype_t dtype)
{
    return dtype < DCS_NDTYPES ? DTYPE_NAMES[dtype] : "unknown";
}

int dcs_op_kind_find(const char *name)
{
    for (int i = 0; i < DCS_OP_NKINDS; i++)
        if (!strcmp(KIND_NAMES[i], name))
            return i;
    return -1;
}

int dcs_dtype_find(const char *name)
{
    for (int i = 0; i < DCS_NDTYPES; i++)
        if (!strcmp(DTYPE_NAMES[i], name))
            return i;
    return -1;
}

int dcs_dtype_bytes(dcs_dtype_t dtype)
{
    switch (dtype) {
    case DCS_FP32:
    case DCS_TF32:
        return 4;
    case DCS_BF16:
    case DCS_FP16:
        return 2;
    default:
        return 1;
    }
}

void dcs_op_init(dcs_op_t *op)
{
    memset(op, 0, sizeof *op);
    op->kind = DCS_OP_IDLE;
    op->dtype = DCS_BF16;
}

/* A non-negative integer cell: digits, or a float with an integral value
 * (4e3). */
static int parse_size(const char *s, int64_t *out)
{
    if (!*s) {
        *out = 0;
        return 0;
    }
    if (!(*s >= '0' && *s <= '9') || strpbrk(s, "xXpP"))
        return -1; /* no sign, space or hex: digits, or 4e3 */
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*end) {
        double d = strtod(s, &end);
        if (*end || d != d || d < 0 || d > 9.0e18 || d != (double)(long long)d)
            return -1;
        v = (long long)d;
    } else if (errno == ERANGE) {
        return -1;
    }
    if (v < 0)
        return -1;
    *out = v;
    return 0;
}

int dcs_op_set(dcs_op_t *op, const char *key, const char *value, char *msg,
               size_t msg_size)
{
    if (!strcmp(key, "op")) {
        int k = dcs_op_kind_find(value);
        if (k < 0) {
            snprintf(msg, msg_size,
                     "field 'op': expected one of idle, gemm, bmm, attention, "
                     "decode_attention, elementwise_add, gelu, silu_mul, "
                     "copy, layernorm, rmsnorm, softmax, embedding, adam, "
                     "all_reduce, all_gather, reduce_scatter, all_to_all, "
                     "send_recv, broadcast, found '%s'",
                     value);
            return -1;
        }
        op->kind = (dcs_op_kind_t)k;
        return 0;
    }
    if (!strcmp(key, "dtype")) {
        if (!*value)
            return 0;
        int d = dcs_dtype_find(value);
        if (d < 0) {
            snprintf(msg, msg_size,
                     "field 'dtype': expected one of fp32, tf32, bf16, fp16, "
                     "fp8, int8, found '%s'",
                     value);
            return -1;
        }
        op->dtype = (dcs_dtype_t)d;
        return 0;
    }
    if (!strcmp(key, "pass")) {
        if (!*value || !strcmp(value, "fwd")) {
            op->bwd = 0;
            return 0;
        }
        if (!strcmp(value, "bwd")) {
            op->bwd = 1;
            return 0;
        }
        snprintf(msg, msg_size, "field 'pass': expected fwd or bwd, found '%s'",
                 value);
        return -1;
    }
    struct {
        const char *name;
        int64_t *field;
    } sizes[] = {
        {"m", &op->m},
        {"n", &op->n},
        {"k", &op->k},
        {"batch", &op->batch},
        {"heads", &op->heads},
        {"kv_heads", &op->kv_heads},
        {"seq", &op->seq},
        {"kv_seq", &op->kv_seq},
        {"head_dim", &op->head_dim},
        {"gpus", &op->gpus},
        {"bytes", &op->bytes},
    };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        if (strcmp(key, sizes[i].name))
            continue;
        if (parse_size(value, sizes[i].field) < 0) {
            snprintf(msg, msg_size,
                     "field '%s': expected a non-negative integer, found '%s'",
                     key, value);
            return -1;
        }
        return 0;
    }
    if (!strcmp(key, "causal")) {
        if (!*value || !strcmp(value, "0")) {
            op->causal = 0;
            return 0;
        }
        if (!strcmp(value, "1")) {
            op->causal = 1;
            return 0;
        }
        snprintf(msg, msg_size, "field 'causal': expected 0 or 1, found '%s'",
                 value);
        return -1;
    }
    return -2;
}

static int need(const char *what, int64_t v, char *msg, size_t size,
                const dcs_op_t *op)
{
    if (v >= 1)
        return 0;
    snprintf(msg, size, "op %s needs %s >= 1, found %lld",
             dcs_op_kind_name(op->kind), what, (long long)v);
    return -1;
}

int dcs_op_check(const dcs_op_t *op, char *msg, size_t size)
{
    switch (op->kind) {
    case DCS_OP_IDLE:
        return 0;
    case DCS_OP_BMM:
        if (need("batch", op->batch, msg, size, op) < 0)
            return -1;
        /* fall through */
    case DCS_OP_GEMM:
        if (need("m", op->m, msg, size, op) < 0 ||
            need("n", op->n, msg, size, op) < 0 ||
            need("k", op->k, msg, size, op) < 0)
            return -1;
        return 0;
    case DCS_OP_ATTENTION:
    case DCS_OP_DECODE_ATTENTION: {
        if (need("batch", op->batch, msg, size, op) < 0 ||
            need("heads", op->heads, msg, size, op) < 0 ||
            need("head_dim", op->head_dim, msg, size, op) < 0)
            return -1;
        if (op->kind == DCS_OP_ATTENTION &&
            need("seq", op->seq, msg, size, op) < 0)
            return -1;
        if (op->kind == DCS_OP_DECODE_ATTENTION &&
            need("kv_seq", op->kv_seq, msg, size, op) < 0)
            return -1;
        if (op->kv_heads > 0 && op->heads % op->kv_heads != 0) {
            snprintf(msg, size,
                     "op %s needs kv_heads to divide heads, found heads %lld "
                     "and kv_heads %lld",
                     dcs_op_kind_name(op->kind), (long long)op->heads,
                     (long long)op->kv_heads);
            return -1;
        }
        if (op->kind == DCS_OP_ATTENTION && op->causal && op->kv_seq &&
            op->kv_seq < op->seq) {
            snprintf(msg, size,
                     "causal attention needs kv_seq >= seq, found seq %lld and "
                     "kv_seq %lld",
                     (long long)op->seq, (long long)op->kv_seq);
            return -1;
        }
        if (op->kind == DCS_OP_DECODE_ATTENTION && op->bwd) {
            snprintf(msg, size, "decode_attention has no bwd pass");
            return -1;
        }
        return 0;
    }
    case DCS_OP_ALL_REDUCE:
    case DCS_OP_ALL_GATHER:
    case DCS_OP_REDUCE_SCATTER:
    case DCS_OP_ALL_TO_ALL:
    case DCS_OP_SEND_RECV:
    case DCS_OP_BROADCAST:
        if (op->gpus < 2) {
            snprintf(msg, size, "op %s needs gpus >= 2, found %lld",
                     dcs_op_kind_name(op->kind), (long long)op->gpus);
            return -1;
        }
        return need("bytes", op->bytes, msg, size, op);
    case DCS_OP_LAYERNORM:
    case DCS_OP_RMSNORM:
    case DCS_OP_SOFTMAX:
    case DCS_OP_EMBEDDING:
        if (need("m", op->m, msg, size, op) < 0 ||
            need("n", op->n, msg, size, op) < 0)
            return -1;
        return 0;
    default:
        return need("m", op->m, msg, size, op);
    }
}

static int64_t kv_heads_of(const dcs_op_t *op)
{
    return op->kv_heads > 0 ? op->kv_heads : op->heads;
}

double dcs_op_attention_pairs(const dcs_op_t *op)
{
    double s = (double)op->seq,
           kv = (double)(op->kv_seq ? op->kv_seq : op->seq);
    if (op->kind == DCS_OP_DECODE_ATTENTION)
        return (double)op->kv_seq;
    if (!op->causal)
        return s * kv;
    /* Query i (0-based) sees keys up to kv - s + i: sum of (kv - s + i + 1). */
    return s * (kv - s) + s * (s + 1) / 2.0;
}

double dcs_op_flops(const dcs_op_t *op)
{
    double m = (double)op->m, n = (double)op->n, k = (double)op->k;
    switch (op->kind) {
    case DCS_OP_GEMM:
        return 2.0 * m * n * k;
    case DCS_OP_BMM:
        return 2.0 * m * n * k * (double)op->batch;
    case DCS_OP_ATTENTION:
    case DCS_OP_DECODE_ATTENTION: {
        double f = 4.0 * (double)op->batch * (double)op->heads *
                   dcs_op_attention_pairs(op) * (double)op->head_dim;
        return op->bwd ? 2.5 * f : f;
    }
    case DCS_OP_ELEMENTWISE_ADD:
        return m;
    case DCS_OP_GELU:
        return 8.0 * m; /* cube, two mul-adds, tanh, scale */
    case DCS_OP_SILU_MUL:
        return 5.0 * m; /* exp, add, divide, two multiplies */
    case DCS_OP_LAYERNORM:
        return 8.0 * m * n;
    case DCS_OP_RMSNORM:
        return 5.0 * m * n;
    case DCS_OP_SOFTMAX:
        return 5.0 * m * n;
    case DCS_OP_ADAM:
        return 12.0 * m;
    default:
        return 0.0;
    }
}

double dcs_op_bytes(const dcs_op_t *op)
{
    double e = dcs_dtype_bytes(op->dtype);
    double m = (double)op->m, n = (double)op->n, k = (double)op->k;
    /* GEMM outputs: fp8 and bf16 write bf16, int8 writes int32. */
    double out = op->dtype == DCS_FP8 ? 2.0 : op->dtype == DCS_INT8 ? 4.0 : e;
    switch (op->kind) {
    case DCS_OP_GEMM:
        return (m * k + k * n) * e + m * n * out;
    case DCS_OP_BMM:
        return ((m * k + k * n) * e + m * n * out) * (double)op->batch;
    case DCS_OP_ATTENTION: {
        double kv = (double)(op->kv_seq ? op->kv_seq : op->seq);
        double q_side = (double)op->batch * op->heads * op->seq * op->head_dim;
        double kv_side =
            (double)op->batch * kv_heads_of(op) * kv * op->head_dim;
        /* fwd: read q, k, v, write o. bwd: read q, k, v, o, do; write dq, dk,
         * dv. */
        return op->bwd ? (4.0 * q_side + 4.0 * kv_side) * e
                       : (2.0 * q_side + 2.0 * kv_side) * e;
    }
    case DCS_OP_DECODE_ATTENTION: {
        double kv_side = (double)op->batch * kv_heads_of(op) *
                         (double)op->kv_seq * op->head_dim;
        double q_side = (double)op->batch * op->heads * op->head_dim;
        return (2.0 * kv_side + 2.0 * q_side) * e;
    }
    case DCS_OP_COPY:
    case DCS_OP_GELU:
        return 2.0 * m * e;
    case DCS_OP_ELEMENTWISE_ADD:
    case DCS_OP_SILU_MUL:
        return 3.0 * m * e;
    case DCS_OP_LAYERNORM:
        return 2.0 * m * n * e + 2.0 * n * e; /* + weight and bias */
    case DCS_OP_RMSNORM:
        return 2.0 * m * n * e + n * e; /* + weight */
    case DCS_OP_SOFTMAX:
        return 2.0 * m * n * e;
    case DCS_OP_EMBEDDING:
        return 2.0 * m * n * e + 4.0 * m; /* rows read and written, int32 ids */
    case DCS_OP_ADAM:
        return 7.0 * m * e; /* read param, grad, m, v; write param, m, v */
    default:
        return 0.0;
    }
}

double dcs_op_out_bytes(const dcs_op_t *op)
{
    double e = dcs_dtype_bytes(op->dtype);
    double m = (double)op->m, n = (double)op->n;
    double out = op->dtype == DCS_FP8 ? 2.0 : op->dtype == DCS_INT8 ? 4.0 : e;
    double q_side = (double)op->batch * (double)op->heads * (double)op->seq *
                    (double)op->head_dim;
    double kv = (double)(op->kv_seq ? op->kv_seq : op->seq);
    double kv_side =
        (double)op->batch * (double)kv_heads_of(op) * kv * (double)op->head_dim;
    switch (op->kind) {
    case DCS_OP_GEMM:
        return m * n * out;
    case DCS_OP_BMM:
        return m * n * out * (double)op->batch;
    case DCS_OP_ATTENTION:
        return op->bwd ? (q_side + 2.0 * kv_side) * e : q_side * e;
    case DCS_OP_DECODE_ATTENTION:
        return (double)op->batch * (double)op->heads * (double)op->head_dim * e;
    case DCS_OP_COPY:
    case DCS_OP_GELU:
    case DCS_OP_ELEMENTWISE_ADD:
    case DCS_OP_SILU_MUL:
        return m * e;
    case DCS_OP_LAYERNORM:
    case DCS_OP_RMSNORM:
    case DCS_OP_SOFTMAX:
    case DCS_OP_EMBEDDING:
        return m * n * e;
    case DCS_OP_ADAM:
        return 3.0 * m * e;
    default:
        return 0.0;
    }
}

int dcs_op_is_collective(const dcs_op_t *op)
{
    return op->kind >= DCS_OP_ALL_REDUCE && op->kind <= DCS_OP_BROADCAST;
}
