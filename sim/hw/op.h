/* op.h - the op vocabulary: what a compute operation is, and the FLOPs and
 * bytes it must do and move.
 *
 * An op is `op,dtype,m,n,k,batch,heads,seq,kv_seq,head_dim,causal,pass`
 * (plus `kv_heads` for grouped-query attention, and `gpus,bytes` for
 * collectives, which the network layer prices):
 *   gemm             C[m,n] = A[m,k] B[k,n]
 *   bmm              `batch` such products
 *   attention        q,k,v [batch,heads,seq,head_dim], kv_seq keys (0: seq),
 *                    causal 0/1, pass fwd, or bwd (gradients of q, k, v)
 *   decode_attention one query token per sequence against kv_seq cached
 *                    tokens: [batch,heads,kv_seq,head_dim]
 *   elementwise_add, gelu, silu_mul, copy    over m elements
 *   layernorm, rmsnorm, softmax              over m rows of n
 *   embedding        m lookups of width n
 *   adam             over m parameters
 *   idle             nothing runs: zero time
 *   all_reduce, all_gather, reduce_scatter, all_to_all, send_recv, broadcast
 *                    collectives over `gpus` GPUs; `bytes` is the per-GPU
 *                    buffer: all_reduce input, all_gather output,
 *                    reduce_scatter input, all_to_all send buffer, send_recv
 *                    message, broadcast buffer
 * FLOP and byte counts are closed forms; bytes are the fewest an op must
 * move through device memory (each input read once, each output written
 * once), the numerator of the roofline's memory term. */
#ifndef DCS_OP_H
#define DCS_OP_H

#include <stddef.h>
#include <stdint.h>

typedef enum dcs_op_kind {
    DCS_OP_IDLE,
    DCS_OP_GEMM,
    DCS_OP_BMM,
    DCS_OP_ATTENTION,
    DCS_OP_DECODE_ATTENTION,
    DCS_OP_ELEMENTWISE_ADD,
    DCS_OP_GELU,
    DCS_OP_SILU_MUL,
    DCS_OP_COPY,
    DCS_OP_LAYERNORM,
    DCS_OP_RMSNORM,
    DCS_OP_SOFTMAX,
    DCS_OP_EMBEDDING,
    DCS_OP_ADAM,
    DCS_OP_ALL_REDUCE, /* collectives: priced by the network layer */
    DCS_OP_ALL_GATHER,
    DCS_OP_REDUCE_SCATTER,
    DCS_OP_ALL_TO_ALL,
    DCS_OP_SEND_RECV,
    DCS_OP_BROADCAST,
    DCS_OP_NKINDS
} dcs_op_kind_t;

typedef enum dcs_dtype {
    DCS_FP32,
    DCS_TF32,
    DCS_BF16,
    DCS_FP16,
    DCS_FP8,
    DCS_INT8,
    DCS_NDTYPES
} dcs_dtype_t;

typedef struct dcs_op {
    dcs_op_kind_t kind;
    dcs_dtype_t dtype;
    int64_t m, n, k;  /* matrix dims, elements, rows x width */
    int64_t batch;    /* bmm products; attention sequences */
    int64_t heads;    /* query heads */
    int64_t kv_heads; /* key/value heads (GQA); 0: same as heads */
    int64_t seq;      /* query tokens per sequence */
    int64_t kv_seq;   /* key tokens per sequence; 0: seq (attention) */
    int64_t head_dim; /* per head */
    int causal;       /* 0 or 1 */
    int bwd;          /* pass: 0 fwd, 1 bwd */
    int64_t gpus;     /* collectives (network layer) */
    int64_t bytes;    /* collectives: per-GPU buffer */
} dcs_op_t;

/* Names: "gemm", ..., and "fp32", "tf32", "bf16", "fp16", "fp8", "int8". */
const char *dcs_op_kind_name(dcs_op_kind_t kind);
const char *dcs_dtype_name(dcs_dtype_t dtype);
/* Index of `name`, or -1. */
int dcs_op_kind_find(const char *name);
int dcs_dtype_find(const char *name);

/* An op with every field 0: kind idle, dtype bf16, pass fwd. */
void dcs_op_init(dcs_op_t *op);

/* Sets one field from text, as in `--op gemm m=4096` or a --batch cell:
 * key is a column name (op, dtype, m, ..., pass, kv_heads, gpus, bytes).
 * An empty value leaves the field at 0. Returns 0, or -1 with `msg` set to
 * "field 'm': expected a non-negative integer, found '-3'" and the like;
 * returns -2 when `key` is not a column (the caller decides whether extra
 * columns are allowed). */
int dcs_op_set(dcs_op_t *op, const char *key, const char *value, char *msg,
               size_t msg_size);

/* Checks that the op is possible: the sizes it needs are >= 1 (for gemm m,
 * n, k; for attention batch, heads, seq, head_dim, ...), kv_heads divides
 * heads, causal attention has kv_seq >= seq. Returns 0 or -1 with `msg`. */
int dcs_op_check(const dcs_op_t *op, char *msg, size_t msg_size);

/* Floating-point operations (multiply-add = 2). Attention: the products
 * QK^T and PV over the (query, key) pairs attended, 4 x pairs x head_dim;
 * causal attention attends to the keys up to each query's position (queries
 * aligned to the end of the keys); bwd = 2.5 x fwd (five products vs two).
 * Memory-bound ops, per element: elementwise_add 1, gelu 8 (tanh form),
 * silu_mul 5, layernorm 8, rmsnorm 5, softmax 5, adam 12; copy and
 * embedding 0. These are nominal: memory-bound ops are priced by bytes. */
double dcs_op_flops(const dcs_op_t *op);

/* Fewest bytes moved through device memory (see the top). */
double dcs_op_bytes(const dcs_op_t *op);

/* Bytes the op writes (part of dcs_op_bytes): C of a gemm, O of attention
 * fwd, dQ dK dV of bwd, the outputs of memory-bound ops; 0 for idle. */
double dcs_op_out_bytes(const dcs_op_t *op);

/* (query, key) pairs an attention op computes, per (sequence, head). */
double dcs_op_attention_pairs(const dcs_op_t *op);

/* 1 for the collectives (all_reduce .. broadcast), else 0. */
int dcs_op_is_collective(const dcs_op_t *op);

/* Bytes of one element of `dtype` in memory (tf32 is stored as fp32). */
int dcs_dtype_bytes(dcs_dtype_t dtype);

#endif
