/* step.h - the time of one training iteration, op by op.
 *
 * A training plan (data parallel degree, micro-batch, gradient
 * accumulation) over a model turns into the ops each rank runs in one
 * iteration, priced by the op cost model of the device (sim/hw) and, for
 * data parallelism, the gradient all-reduce by the network layer's
 * collective model:
 *   forward, per block: norm, QKV projection, attention, output projection,
 *     residual add, norm, FFN up (GeLU or SwiGLU), activation, FFN down,
 *     residual add; then the final norm, the LM head and cross-entropy;
 *   backward: for every GEMM C = A B its two gradients (dA = dC B^T,
 *     dB = A^T dC), attention bwd, norm and activation backward;
 *   mixed precision: fp32 master weights cast to bf16 once per iteration,
 *     bf16 weight gradients accumulated into fp32; in eager PyTorch with
 *     autocast (plan->eager) also the fp32 residual stream and norms, the
 *     casts before each linear, the copies that lay q, k, v and the
 *     attention output out for the kernel, the bias-gradient reductions and
 *     fp32 cross-entropy both ways;
 *   optimizer: one fused AdamW pass over the fp32 parameters;
 *   data parallel: the fp32 gradients all-reduced in buckets during
 *     backward, so only the part that outlasts backward, and the last
 *     bucket, is exposed; while it overlaps, NCCL's kernels take SMs from
 *     the backward (24 channels, a stated assumption).
 *   tensor parallelism (Megatron): QKV and FFN up split by columns, the
 *     output and FFN down projections by rows, heads and the vocabulary
 *     split too; two all-reduces of the activations per block forward and
 *     two backward (sequence parallelism: all-gather + reduce-scatter of
 *     the same volume, and norms and adds on a 1/tp shard), exposed;
 *   pipeline parallelism (1F1B): each stage runs its share of the blocks;
 *     the slowest (the last, with the LM head) sets the pace: (m + pp - 1)
 *     x (forward + backward) per micro-batch, plus the activations sent
 *     between stages.
 * Groups that span nodes (tp x pp >= gpus_per_node for DP, stages on other
 * nodes for PP) use the fabric at nic_bw per GPU.
 *   context parallelism (cp): each rank holds s / cp tokens of every
 *     sequence and attends to the whole sequence (causal, load-balanced:
 *     s / cp x s / 2 pairs); K and V go round a ring of cp ranks under the
 *     attention (all-gather forward, reduce-scatter of their gradients and
 *     the all-gather again backward), exposed where they outlast it;
 *   mixture of experts: dense and MoE blocks in their proportion; a MoE
 *     block runs the router, the shared experts (split by tp like a dense
 *     FFN) and the routed experts: with ep-way expert parallelism each rank
 *     holds experts / ep whole experts (expert tensor parallelism 1;
 *     with ep = 1 the experts are split by tp like a dense FFN) and
 *     computes the t top_k / tp tokens routed to them (balanced routing),
 *     sent and returned by all-to-all over ep ranks, exposed, forward and
 *     backward;
 *   ZeRO-1/2 shard the optimizer step over dp x cp; ZeRO-3 also gathers
 *     the parameters every micro-batch, under the compute. */
#ifndef DCS_STEP_H
#define DCS_STEP_H

#include "hw/device.h"
#include "workload/model.h"

typedef struct dcs_train_plan {
    int64_t dp;            /* data-parallel replicas */
    int64_t micro_batch;   /* sequences per micro-batch per replica */
    int64_t grad_accum;    /* micro-batches per iteration */
    int64_t seq;           /* tokens per sequence */
    double bucket_bytes;   /* gradient all-reduce bucket (DDP: 25 MB) */
    int eager;             /* 1: eager PyTorch with autocast (fp32 residual
                              stream and norms, casts, layout copies for
                              attention, bias-gradient reductions); 0: a
                              fused framework (bf16 stream, fused norms) */
    int64_t tp;            /* tensor-parallel degree (0 or 1: none) */
    int64_t pp;            /* pipeline stages (0 or 1: none), 1F1B */
    int sp;                /* sequence parallelism with tp */
    int64_t gpus_per_node; /* GPUs joined by the device's node-local links
                              (0: all of them) */
    double nic_bw;         /* bytes/s per GPU to the fabric, for groups
                              that span nodes (0: node-local links) */
    double nic_latency_s;  /* per step across the fabric */
    double grad_bytes;     /* bytes per gradient element all-reduced (0: 4) */
    int recompute;         /* DCS_RECOMPUTE_*: full runs each block's
                              forward again during backward; selective
                              recomputes attention's core, which flash
                              attention's backward does anyway */
    int zero;              /* ZeRO stage 0-3 (3: FSDP), over dp */
    int64_t interleave;    /* virtual stages per pipeline rank (0, 1: none) */
    int fp8;               /* 1: the GEMMs in fp8 */
    int tp_overlap;        /* 1: TP collectives overlapped with GEMMs */
    int has_order;         /* 1: `order` gives the rank layout */
    int order[4];          /* DCS_DIM_* fastest first (layout.h); default
                              tp, cp, pp, dp */
    int head_replicated;   /* 1: embedding and LM head whole on every TP
                              rank (no vocabulary parallelism) */
    int64_t cp;            /* context parallel: the sequence split over cp
                              GPUs, K and V passed round a ring (0, 1: none) */
    double dp_fabric_s;    /* > 0: the across-nodes phase of the gradient
                              all-reduce takes this long (found as flows
                              on the fabric); 0: the collective model */
    double pp_fabric_s;    /* > 0: one pipeline send of a micro-batch's
                              activations between stages on different
                              nodes takes this long (found as flows on the
                              fabric); 0: the collective model */
    int64_t ep;            /* expert parallel: routed experts split over ep
                              GPUs of the data-parallel group, tokens sent
                              to them by all-to-all (0, 1: none) */
} dcs_train_plan_t;

enum {
    DCS_RECOMPUTE_NONE = 0,
    DCS_RECOMPUTE_FULL = 1,
    DCS_RECOMPUTE_SELECTIVE = 2,
};

typedef struct dcs_step_time {
    double forward_s; /* all micro-batches */
    double backward_s;
    double optimizer_s;    /* casts and AdamW */
    double allreduce_s;    /* the gradient all-reduce, whole */
    double exposed_comm_s; /* DP not hidden behind backward, TP, PP p2p */
    double tp_comm_s;      /* tensor-parallel collectives (in it) */
    double ep_comm_s;      /* expert all-to-all (in it) */
    double cp_comm_s;      /* context-parallel K/V exchange not hidden (in
                              it) */
    double bubble_s;       /* pipeline bubble: (pp - 1) x per micro-batch */
    double total_s;        /* the iteration */
    double model_flops;    /* 6 N tokens + attention, per replica */
    double dp_bytes;       /* gradient bytes each rank all-reduces */
    int64_t dp_ranks;      /* ranks in that all-reduce (dp x cp) */
    int dp_across;         /* 1: its peers sit on other nodes */
    double pp_bytes;       /* bytes each rank sends to the next stage per
                              micro-batch (0: no pipeline) */
    int pp_across;         /* 1: neighbouring stages sit on other nodes */
} dcs_step_time_t;

/* Called for every op of one micro-batch's forward and backward with how
 * many times it runs per iteration and its time (for breakdowns); may be
 * NULL. */
typedef void (*dcs_step_op_fn)(void *ctx, const char *phase, const dcs_op_t *op,
                               double count, double s);

/* Prices one iteration. Returns 0, or DCS_EINVAL when the plan is not
 * possible on the device (a dtype it cannot run). */
int dcs_step_time(const dcs_model_t *m, const dcs_train_plan_t *plan,
                  const dcs_device_spec_t *dev, dcs_step_time_t *out,
                  dcs_step_op_fn each, void *ctx);

/* Ways the routed experts are split: over ep, or with ep = 1 over tp like
 * the rest of the model (expert tensor parallelism = tp). */
int64_t dcs_train_expert_shards(const dcs_train_plan_t *plan);

#endif
