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
 * This first version covers data parallelism on dense models; tensor,
 * pipeline, sequence, context and expert parallelism, ZeRO and recompute
 * extend the same op stream. */
#ifndef DCS_STEP_H
#define DCS_STEP_H

#include "hw/device.h"
#include "workload/model.h"

typedef struct dcs_train_plan {
    int64_t dp;          /* data-parallel replicas */
    int64_t micro_batch; /* sequences per micro-batch per replica */
    int64_t grad_accum;  /* micro-batches per iteration */
    int64_t seq;         /* tokens per sequence */
    double bucket_bytes; /* gradient all-reduce bucket (DDP: 25 MB) */
    int eager;           /* 1: eager PyTorch with autocast (fp32 residual
                            stream and norms, casts, layout copies for
                            attention, bias-gradient reductions); 0: a
                            fused framework (bf16 stream, fused norms) */
} dcs_train_plan_t;

typedef struct dcs_step_time {
    double forward_s; /* all micro-batches */
    double backward_s;
    double optimizer_s;    /* casts and AdamW */
    double allreduce_s;    /* the gradient all-reduce, whole */
    double exposed_comm_s; /* the part not hidden behind backward */
    double total_s;        /* the iteration */
    double model_flops;    /* 6 N tokens + attention, per replica */
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

#endif
