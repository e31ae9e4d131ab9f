/* memory.h - what one training rank holds in device memory.
 *
 * The terms, per rank, for mixed-precision Adam (Rajbhandari et al. 2020,
 * ZeRO, sec. 3.1) and activations (Korthikanti et al. 2022, Reducing
 * Activation Recomputation in Large Transformer Models, sec. 4):
 *   weights    2 B per parameter (bf16; ZeRO-3: / dp)
 *   gradients  grad_bytes per parameter (ZeRO-2 and 3: / dp)
 *   optimizer  12 B per parameter: fp32 master, Adam m and v (ZeRO-1+: / dp)
 *   activations per block and micro-batch, s tokens of b sequences, width h,
 *     tp-way tensor parallel: s b h (10 + 24 / tp) bytes, or 34 s b h / tp
 *     with sequence parallelism; attention's s x s scores are not held
 *     (flash attention recomputes them), so selective recompute holds the
 *     same; full recompute holds only each block's input, 2 s b h (/ tp with
 *     sequence parallelism). The first pipeline stage holds the most
 *     micro-batches in flight: min(pp, micro-batches) under 1F1B, times
 *     1 + (pp - 1) / (pp v) with v > 1 interleaved virtual stages;
 *   temporary  the fp32 logits and their gradient on the last stage
 *     (8 s b V / tp), ZeRO-3's gathered parameters of one block, and a fixed
 *     reserve for the CUDA context, library workspaces and allocator slack
 *     (reserve_bytes, ASSUMPTION: 2 GiB unless the plan says).
 * The rank reported is the fullest: the first stage (embedding, most
 * activations) or the last (head, logits), whichever holds more. */
#ifndef DCS_MEMORY_H
#define DCS_MEMORY_H

#include "workload/step.h"

typedef struct dcs_train_memory {
    double weights, gradients, optimizer, activations, temporary; /* bytes */
    double total;
    int64_t stage; /* the pipeline stage of the fullest rank */
} dcs_train_memory_t;

/* Memory of the fullest rank of `plan` over model `m`; reserve_bytes < 0
 * takes the default reserve. */
void dcs_train_memory(const dcs_model_t *m, const dcs_train_plan_t *plan,
                      double reserve_bytes, dcs_train_memory_t *out);

/* The name of the largest term ("activations", ...) and a hint that would
 * shrink it, for "does not fit" errors. */
const char *dcs_train_memory_largest(const dcs_train_memory_t *mem,
                                     const char **hint);

#endif
