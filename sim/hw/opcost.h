/* opcost.h - the op cost model: how long an op takes on a device.
 *
 * A roofline, max(FLOPs / (peak x efficiency), bytes / (bandwidth x
 * efficiency)) plus a fixed overhead, where the efficiencies are functions
 * of shape that follow how the kernels really run:
 *   gemm, bmm   output tiles over the SMs: tile and wave quantization, a
 *               small-tile penalty, split-K for short-and-wide products (with
 *               the cost of reducing its partial sums), a
 *               k-independent cost per tile, misaligned dimensions, the
 *               fixed extra cost of products under 8 rows (GEMV and
 *               small-batch kernels) and the slower streaming of 2 to 7
 *               rows (padded tiles); a smooth
 *               max joins the compute and memory terms (small-M GEMMs are
 *               memory-bound)
 *   attention   FlashAttention's blocks of 128 queries (fwd) or keys (bwd)
 *               scheduled over the SMs, 128 x 128 chunks of work each, a
 *               softmax cost per chunk independent of head_dim, the extra
 *               cost of masked diagonal chunks, causal imbalance
 *   decode_attention  one block per (sequence, KV head), the query heads
 *               of a GQA group packed together, and split of the keys when
 *               too few blocks fill the SMs (FlashAttention's split-KV
 *               heuristic); each SM streams keys and values at a rate that
 *               is lower when blocks queue for it, under the memory
 *               bandwidth; a combine step when split
 *   memory-bound ops  bytes over bandwidth, with a per-op efficiency, a
 *               parallelism limit when there are too few rows or vectors to
 *               fill the GPU (row ops: a latency per pass over a row, and
 *               less bandwidth from short rows, n / (n + n_half)), and
 *               outputs that fit in L2 written back only in part within the
 *               op
 * The coll_* parameters belong to the network layer's collective model
 * (sim/net/collective.c), fitted and stored alongside.
 * The parameters (efficiencies, overheads) live in the device file's
 * `calibration` section, fitted by `dcsim calibrate` to measurements; a
 * device without one uses the defaults below, which are not validated. */
#ifndef DCS_OPCOST_H
#define DCS_OPCOST_H

#include "hw/op.h"

/* X(name, default, lo, hi): every parameter, its default for devices never
 * measured, and its bounds in fitting. Seconds end in _s; efficiencies are
 * fractions of a datasheet peak. */
#define DCS_OPCOST_PARAMS(X)                                                   \
    X(gemm_eff_fp32, 0.70, 0.05, 1.2)                                          \
    X(gemm_eff_tf32, 0.70, 0.05, 1.2)                                          \
    X(gemm_eff_bf16, 0.75, 0.05, 1.2)                                          \
    X(gemm_eff_fp16, 0.75, 0.05, 1.2)                                          \
    X(gemm_eff_fp8, 0.65, 0.05, 1.2)                                           \
    X(gemm_tile_alpha, 0.5, 0.001, 20)                                         \
    X(gemm_wave_beta, 0.3, 0.001, 1.0)                                         \
    X(gemm_k0, 64, 1, 4096)                                                    \
    X(gemm_mem_eff, 0.8, 0.1, 1.2)                                             \
    X(gemm_t0_s, 5e-6, 1e-7, 1e-4)                                             \
    X(gemm_sharp, 4, 1, 30)                                                    \
    X(gemm_misalign, 0.7, 0.05, 1.0)                                           \
    X(gemm_small_eff, 0.8, 0.05, 1.2)                                          \
    X(gemm_thin_s, 1e-6, 1e-8, 1e-4)                                           \
    X(gemm_split_s, 2e-6, 1e-8, 1e-4)                                          \
    X(attn_fwd_eff, 0.55, 0.05, 1.2)                                           \
    X(attn_fwd_d0, 32, 0.1, 1000)                                              \
    X(attn_fwd_block_s, 2e-6, 1e-9, 1e-3)                                      \
    X(attn_fwd_diag, 0.5, 0.001, 10)                                           \
    X(attn_fwd_t0_s, 10e-6, 1e-7, 1e-3)                                        \
    X(attn_bwd_eff, 0.45, 0.05, 1.2)                                           \
    X(attn_bwd_d0, 32, 0.1, 1000)                                              \
    X(attn_bwd_block_s, 4e-6, 1e-9, 1e-3)                                      \
    X(attn_bwd_diag, 0.5, 0.001, 10)                                           \
    X(attn_bwd_t0_s, 30e-6, 1e-7, 1e-3)                                        \
    X(attn_wave_beta, 0.3, 0.001, 1.0)                                         \
    X(dec_eff, 0.85, 0.1, 1.2)                                                 \
    X(dec_t0_s, 8e-6, 1e-7, 1e-3)                                              \
    X(dec_combine_s, 4e-6, 1e-9, 1e-3)                                         \
    X(dec_block_bw, 30e9, 1e8, 1e12)                                           \
    X(dec_busy_block_bw, 19e9, 1e8, 1e12)                                      \
    X(mem_eff_copy, 0.85, 0.1, 1.2)                                            \
    X(mem_eff_add, 0.85, 0.1, 1.2)                                             \
    X(mem_eff_gelu, 0.85, 0.1, 1.2)                                            \
    X(mem_eff_silu_mul, 0.85, 0.1, 1.2)                                        \
    X(mem_eff_layernorm, 0.8, 0.1, 1.2)                                        \
    X(mem_eff_rmsnorm, 0.8, 0.1, 1.2)                                          \
    X(mem_eff_softmax, 0.8, 0.1, 1.2)                                          \
    X(mem_eff_embedding, 0.7, 0.1, 1.2)                                        \
    X(mem_eff_adam, 0.85, 0.1, 1.2)                                            \
    X(mem_t0_s, 3e-6, 1e-7, 1e-4)                                              \
    X(mem_block_bw, 30e9, 1e8, 1e12)                                           \
    X(mem_row_t0_s, 3e-6, 1e-7, 1e-4)                                          \
    X(mem_l2_absorb, 0.5, 0.001, 1.0)                                          \
    X(mem_row_pass_s, 5e-7, 1e-9, 1e-4)                                        \
    X(mem_row_n_half, 512, 1, 1e6)                                             \
    X(coll_t0_s, 2e-6, 1e-8, 1e-3)                                             \
    X(coll_launch_s, 4e-6, 1e-8, 1e-3)                                         \
    X(coll_alpha_s, 1e-6, 1e-9, 1e-3)                                          \
    X(coll_eff_all_reduce, 0.75, 0.01, 1.5)                                    \
    X(coll_eff_all_gather, 0.75, 0.01, 1.5)                                    \
    X(coll_eff_reduce_scatter, 0.75, 0.01, 1.5)                                \
    X(coll_eff_all_to_all, 0.75, 0.01, 1.5)                                    \
    X(coll_eff_send_recv, 0.75, 0.01, 1.5)                                     \
    X(coll_eff_broadcast, 0.75, 0.01, 1.5)                                     \
    X(coll_half_all_reduce, 1e6, 1e2, 1e10)                                    \
    X(coll_half_all_gather, 1e6, 1e2, 1e10)                                    \
    X(coll_half_reduce_scatter, 1e6, 1e2, 1e10)                                \
    X(coll_half_all_to_all, 1e6, 1e2, 1e10)                                    \
    X(coll_half_send_recv, 1e6, 1e2, 1e10)                                     \
    X(coll_half_broadcast, 1e6, 1e2, 1e10)                                     \
    X(coll_half_exp, 1.0, 0.01, 4.0)                                           \
    X(coll_ramp_exp, 1.0, 0.2, 6.0)                                            \
    X(coll_eff_p_exp, 1.0, 0.01, 2.0) /* exponent + 1: 1 means none */

typedef enum dcs_opcost_param {
#define DCS_OPCOST_ENUM(name, def, lo, hi) DCS_P_##name,
    DCS_OPCOST_PARAMS(DCS_OPCOST_ENUM)
#undef DCS_OPCOST_ENUM
        DCS_OPCOST_NPARAMS
} dcs_opcost_param_t;

/* A device's parameters. */
typedef struct dcs_opcost_params {
    double v[DCS_OPCOST_NPARAMS];
} dcs_opcost_params_t;

/* Name, default and fitting bounds of parameter i. */
const char *dcs_opcost_param_name(int i);
double dcs_opcost_param_default(int i);
void dcs_opcost_param_bounds(int i, double *lo, double *hi);
/* Index of `name`, or -1. */
int dcs_opcost_param_find(const char *name);
/* Every parameter at its default. */
void dcs_opcost_defaults(dcs_opcost_params_t *p);

/* What the model needs of a device: its datasheet. */
typedef struct dcs_opcost_device {
    double peak_flops[DCS_NDTYPES]; /* dense FLOP/s; 0: dtype unsupported */
    double mem_bw_bytes_per_s;      /* device memory bandwidth */
    double l2_bytes;                /* last-level cache; 0: unknown */
    int sm_count;                   /* SMs, CUs or cores that run blocks */
} dcs_opcost_device_t;

/* Predicted time of `op` in seconds (0 for idle). The op must have passed
 * dcs_op_check and its dtype must have a peak on the device (check with
 * dcs_opcost_supported). Pure and deterministic. */
double dcs_opcost_time_s(const dcs_opcost_device_t *dev,
                         const dcs_opcost_params_t *p, const dcs_op_t *op);

/* 1 when the device can run `op`, else 0: matrix ops (gemm, bmm,
 * attention, decode_attention) need a peak for their dtype; memory-bound
 * ops run on any device. */
int dcs_opcost_supported(const dcs_opcost_device_t *dev, const dcs_op_t *op);

/* The plain roofline with perfect efficiency and no overhead:
 * max(FLOPs / peak, bytes / bandwidth), with the fp32 peak standing in for
 * a dtype the device has no peak for. A lower bound on any kernel. */
double dcs_opcost_roofline_s(const dcs_opcost_device_t *dev,
                             const dcs_op_t *op);

#endif
