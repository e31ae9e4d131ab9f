/* servestep.h - the time of one LLM-serving scheduler step, op by op.
 *
 * A replica is a dense model on `tp` GPUs of one node (tensor parallel,
 * Megatron's split as in step.h: QKV and FFN gate/up by columns, the
 * output and FFN down projections by rows, heads split, KV heads split or,
 * when tp exceeds them, one replicated per GPU; the vocabulary split by tp
 * unless `vocab_replicated`). No pipeline parallelism in this version
 * (pp = 1): the whole model sits on the tp GPUs.
 *
 * One step (what a continuous-batching scheduler such as vLLM's or
 * Sarathi's runs in one forward) computes T new tokens: for each prefilling
 * sequence a chunk of `tokens` prompt tokens after `cached` ones already in
 * its KV cache (a whole prompt: cached 0), and one token for each decoding
 * sequence. Its ops, each priced by the device's op cost model
 * (sim/hw/opcost.h) and the TP collectives by the network layer's
 * collective model on the node's links (sim/net/collective.h), all bf16
 * but the fp8 GEMMs:
 *   embedding lookup of T tokens; with the vocabulary split, the rows of
 *     other GPUs masked to zero and an all-reduce of T x hidden (as vLLM's
 *     VocabParallelEmbedding);
 *   per block: norm, QKV projection (T rows), rotary embedding of q and k,
 *     K and V written into the cache, attention: for each prefill chunk
 *     causal attention of `tokens` queries over cached + tokens keys
 *     (equal chunks listed next to each other run as one op), and for the
 *     decodes one decode_attention op (below); output projection,
 *     all-reduce of T x hidden (tp > 1), residual add, norm, FFN gate/up
 *     (SwiGLU; GeLU: up), activation, FFN down, all-reduce, residual add;
 *   final norm, then the LM head for the tokens that sample: the last
 *     token of each prefill chunk that ends its prompt, and every decode
 *     token; with the vocabulary split, the logits all-gathered and laid
 *     out whole (a copy).
 * Two layouts of the same ops (`eager`):
 *   fused (0, a serving engine such as vLLM): rotary embedding one kernel
 *     over q and k in place, K and V into the cache one kernel, SwiGLU's
 *     silu_mul one kernel, the final norm over all T tokens;
 *   eager (1, plain PyTorch as tests/validation/serve_step.py): rotary
 *     embedding as PyTorch writes it (x cos + rotate_half(x) sin: negate
 *     half, concatenate, two products, a sum) on q and on k, K and V
 *     copied into the cache one by one, silu then a product, the final
 *     norm over the sampled tokens only. The tiny kernels that mask the
 *     token ids for a split embedding are not priced (a few us a step).
 * The blocks are identical, so each op is priced once and counted `layers`
 * times: a step costs O(ops + distinct prefill chunks) op-model calls,
 * independent of the number of decodes and of their contexts.
 *
 * Decodes: their keys are read in one kernel (batch = decodes), priced at
 * the mean context; when the mean is not whole, the op's time (and FLOPs
 * and bytes) are interpolated between the two whole contexts around it, so
 * the KV bytes read equal the sum of the contexts x bytes per token
 * exactly. ASSUMPTION: unequal contexts cost what equal ones of the same
 * sum cost (the split-KV kernel balances a sequence's keys over blocks).
 *
 * fp8 weights: the blocks' GEMMs in fp8 (the op model's fp8 rates and
 * bytes), weights 1 B; the embedding, norms and LM head stay bf16 (as in
 * vLLM's fp8 checkpoints). ASSUMPTION: the activation quantisation before
 * each fp8 GEMM is fused into the op before it (not priced).
 * fp8 KV cache: 1 B per cached element. ASSUMPTION: attention computes in
 * bf16 (the cache is dequantised as it is read). Decode attention is
 * priced as a bf16 op over half as many keys, so its KV bytes halve (its
 * compute, which never binds there, halves with them); prefill attention,
 * compute-bound, is priced as in bf16.
 *
 * Per step a fixed `step_overhead_s` is added: the scheduler, input
 * preparation and kernel launches that the GPU waits for. ASSUMPTION:
 * 0 by default, as with CUDA graphs for decode and a scheduler that
 * overlaps with the previous step; it is a stated input, never fitted.
 *
 * Plain PyTorch (the replica's `graphs`, `host_kernel_s`, `graph_saving_s`
 * and `slow_bw`, measured by tests/kernels/eager.py; 0 leaves each out):
 * a step run eagerly cannot go faster than its host issues its kernels,
 * so it lasts max(GPU time, kernels x host_kernel_s) (ASSUMPTION: the
 * host's lead and lag even out over the step); a step of decodes alone
 * replayed as a CUDA graph runs each kernel `graph_saving_s` sooner than
 * back to back (the op model's fixed costs were measured launch after
 * launch); and in the eager layout the kernels of slow_bw take at least
 * their bytes / that bandwidth (PyTorch's generic elementwise kernel on
 * half-slices and broadcast tables, not the vectorized one).
 *
 * Plain PyTorch's RMSNorm (the replica's `norm_s`, measured by
 * tests/kernels/norm_eager.py; no points leaves it out): F.rms_norm's
 * kernel takes about as long for 1 row as for 512, far longer than their
 * bytes (1 to 512 rows of 8,192 on an H200: 7.2-8.4 us, where the op
 * model's kernel, measured by membound.cu, takes 2.8-4.8). In the
 * eager layout each RMSNorm of t rows takes at least norm_s at t plus
 * graph_saving_s (measured in a graph replay: a graphed step, which takes
 * that gap away again, prices it at the measured time).
 *
 * All-reduces inside a graph (the replica's `ar_graph`, measured by
 * tests/validation/serve_tp_probe.py; no points leaves it out): in a step
 * replayed as a CUDA graph on `ar_graph_gpus` GPUs, each TP all-reduce
 * costs what one all-reduce placed between other kernels of a graph was
 * measured to cost at its bytes instead of the network model's
 * back-to-back time (on 4 H200s at 16 KiB: 13.5 us between 34 us of
 * copies, 10.9 in NCCL's back-to-back loop, 13.1-13.3 inside
 * serve_step.py's 70B decode). ASSUMPTION: the cost no
 * longer grows with the compute between two all-reduces past the
 * largest gap measured (34 us of copies; a 70B decode layer has ~100 us
 * between its two). */
#ifndef DCS_SERVESTEP_H
#define DCS_SERVESTEP_H

#include <stddef.h>
#include <stdint.h>

#include "hw/device.h"
#include "workload/model.h"

/* Plain PyTorch's elementwise kernels that run below the op model's
 * bandwidth (tests/kernels/eager.py): RoPE's negated half, its cat and
 * its multiplies by the broadcast tables; SwiGLU's silu and product on the
 * two halves of the gate/up output. */
typedef enum dcs_serve_slow_op {
    DCS_SLOW_ROPE_NEG,
    DCS_SLOW_ROPE_CAT,
    DCS_SLOW_ROPE_MUL,
    DCS_SLOW_SILU,
    DCS_SLOW_MUL,
    DCS_SLOW_NOPS
} dcs_serve_slow_op_t;

/* A measured time by size: piecewise linear in the size between the
 * points, the first point's time below them, the last segment continued
 * above them (never below 0). */
#define DCS_SERVE_CURVE_POINTS 16
typedef struct dcs_serve_curve {
    int points;                          /* 0 .. DCS_SERVE_CURVE_POINTS */
    double size[DCS_SERVE_CURVE_POINTS]; /* ascending, > 0 */
    double s[DCS_SERVE_CURVE_POINTS];    /* seconds at each, >= 0 */
} dcs_serve_curve_t;

typedef struct dcs_serve_replica {
    const dcs_model_t *model;          /* dense, standard attention */
    const dcs_device_spec_t *dev;      /* datasheet (dev->perf, the op cost
                                          device; memory_bytes), node-local
                                          links (link_bw_bytes_per_s) */
    const dcs_opcost_params_t *params; /* op cost calibration; NULL:
                                          dev->params */
    int64_t tp;                        /* GPUs of one node (0 or 1: one) */
    int weight_fp8;                    /* 1: the blocks' linears in fp8 */
    int kv_fp8;                        /* 1: the KV cache in fp8 */
    int vocab_replicated;              /* 1: embedding and LM head whole on
                                          every GPU; 0: split by tp */
    int eager;                         /* 1: plain PyTorch's kernels; 0: a
                                          serving engine's fused ones */
    double step_overhead_s;            /* fixed per step, s (ASSUMPTION: 0) */
    /* Measured costs of running the step as plain PyTorch does
     * (tests/kernels/eager.py; all 0: none, as in a serving engine): */
    int graphs;            /* 1: a step of decodes alone replays as a CUDA
                              graph; other steps run eagerly */
    double host_kernel_s;  /* host time to issue one kernel of an eager
                              step: it lasts at least kernels x this */
    double graph_saving_s; /* GPU time per kernel a graph
                              replay saves (launch gaps) */
    double slow_bw[DCS_SLOW_NOPS]; /* bytes/s of those kernels in
                                      the eager layout (0: the op
                                      model's) */
    dcs_serve_curve_t norm_s;      /* eager layout: plain PyTorch's RMSNorm
                                      (F.rms_norm) by tokens, at the model's
                                      hidden width, as measured replayed in a
                                      graph (0 points: the op model's) */
    /* Measured all-reduces inside a CUDA graph (0 points: the network
     * model's time, as in a serving engine without that measurement): */
    int64_t ar_graph_gpus;      /* the GPUs they were measured on: the
                                   curve serves a replica of that tp
                                   alone */
    dcs_serve_curve_t ar_graph; /* seconds by bytes per GPU */
} dcs_serve_replica_t;

/* One prefilling sequence's share of a step. */
typedef struct dcs_serve_chunk {
    int64_t tokens; /* new prompt tokens computed this step (>= 1) */
    int64_t cached; /* its tokens already in the KV cache (>= 0) */
    int partial;    /* 1: the prompt goes on in a later step, so no token is
                       sampled (no logits) */
} dcs_serve_chunk_t;

/* What one step runs. Decodes are counts and sums: exact for the op model
 * as priced here (see above). */
typedef struct dcs_serve_batch {
    const dcs_serve_chunk_t *prefill; /* nprefill chunks, not owned */
    int64_t nprefill;
    int64_t decodes;          /* decoding sequences, one new token each */
    int64_t decode_kv_tokens; /* sum over them of the keys each new token
                                 attends to: its context, itself included
                                 (>= decodes) */
} dcs_serve_batch_t;

/* Where a step's time goes, per GPU (all of the replica's GPUs run the
 * same ops on their shards). The parts add up to the step (graph_saved_s
 * taken away). */
typedef struct dcs_serve_cost {
    double gemm_s;        /* linears and LM head */
    double attn_s;        /* prefill attention and decode attention */
    double comm_s;        /* TP all-reduces, logits all-gather */
    double other_s;       /* norms, adds, activation, rotary, cache writes,
                             embedding, logits layout */
    double overhead_s;    /* the fixed per-step overhead */
    double host_wait_s;   /* GPU idle waiting for an eager step's host
                             (kernels x host_kernel_s beyond the GPU's
                             time) */
    double graph_saved_s; /* launch gaps a graph replay removes
                             (subtracted) */
    double kernels;       /* kernels (collectives included) the step
                             launches */
    double flops;         /* of the compute ops, per GPU */
    double bytes;         /* through device memory, per GPU (not links) */
    int64_t tokens;       /* T: new tokens of the step */
    int64_t sampled;      /* rows of the LM head */
} dcs_serve_cost_t;

/* Checks that the replica can be priced: a dense model without MLA, heads
 * and FFN width divisible by tp, kv_heads dividing heads, a peak on
 * the device for bf16 (and fp8 with weight_fp8), and measured curves
 * (norm_s, ar_graph) of at most DCS_SERVE_CURVE_POINTS strictly
 * ascending sizes > 0 with times >= 0. Returns 0, or DCS_EINVAL
 * with a reason in `msg` (when not NULL). */
int dcs_serve_check(const dcs_serve_replica_t *r, char *msg, size_t msg_size);

/* Bytes of weights each GPU holds: the blocks' linears / tp at 1 B (fp8)
 * or 2 B, norms whole, embedding and LM head (not when tied) / tp, or
 * whole with vocab_replicated, at 2 B. */
double dcs_serve_weight_bytes_per_gpu(const dcs_serve_replica_t *r);

/* KV-cache bytes per token on each GPU: 2 (K and V) x layers x
 * max(kv_heads / tp, 1) x head_dim x (1 or 2 B). */
double dcs_serve_kv_bytes_per_token(const dcs_serve_replica_t *r);

/* Tokens the KV cache holds on each GPU, as vLLM sizes it:
 * floor((mem_util x memory - weights - activation_reserve_bytes) / KV
 * bytes per token), 0 when nothing is left. mem_util is vLLM's
 * gpu_memory_utilization (0.9); activation_reserve_bytes is what the
 * forward's activations, the CUDA context and the graphs take (not
 * derived here). Not rounded to cache blocks. */
int64_t dcs_serve_kv_capacity_tokens(const dcs_serve_replica_t *r,
                                     double mem_util,
                                     double activation_reserve_bytes);

/* Seconds of `c` at `size` (see dcs_serve_curve_t), or -1 when it has
 * no points. O(points). */
double dcs_serve_curve_s(const dcs_serve_curve_t *c, double size);

/* Called for every op of a step with how many times it runs and its time
 * (for breakdowns): `layers` times for the blocks' ops, once for the rest.
 * A decode_attention between two whole contexts is reported as the two
 * ops with fractional counts. */
typedef void (*dcs_serve_op_fn)(void *ctx, const dcs_op_t *op, double count,
                                double s);

/* Seconds of one step of `b` on `r`, and where they go into `breakdown`
 * (may be NULL). An empty batch costs the fixed overhead. Returns a
 * negative DCS_E* code (as a double) when dcs_serve_check fails or a chunk
 * or decode count is out of range. About 20 op-model calls (30 eager)
 * plus one per run of equal prefill chunks; no allocation. */
double dcs_serve_step_s(const dcs_serve_replica_t *r,
                        const dcs_serve_batch_t *b,
                        dcs_serve_cost_t *breakdown);

/* dcs_serve_step_s, calling `each` for every op priced. */
double dcs_serve_step_each(const dcs_serve_replica_t *r,
                           const dcs_serve_batch_t *b,
                           dcs_serve_cost_t *breakdown, dcs_serve_op_fn each,
                           void *ctx);

#endif
