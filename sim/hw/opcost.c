/* opcost.c - the op cost model (see opcost.h for the shape of each model). */
#include "hw/opcost.h"

#include <math.h>
#include <string.h>

static const struct {
    const char *name;
    double def, lo, hi;
} PARAMS[DCS_OPCOST_NPARAMS] = {
#define DCS_OPCOST_ROW(name, def, lo, hi) {#name, def, lo, hi},
    DCS_OPCOST_PARAMS(DCS_OPCOST_ROW)
#undef DCS_OPCOST_ROW
};

const char *dcs_opcost_param_name(int i)
{
    return i >= 0 && i < DCS_OPCOST_NPARAMS ? PARAMS[i].name : "unknown";
}

double dcs_opcost_param_default(int i)
{
    return PARAMS[i].def;
}

void dcs_opcost_param_bounds(int i, double *lo, double *hi)
{
    *lo = PARAMS[i].lo;
    *hi = PARAMS[i].hi;
}

int dcs_opcost_param_find(const char *name)
{
    for (int i = 0; i < DCS_OPCOST_NPARAMS; i++)
        if (!strcmp(PARAMS[i].name, name))
            return i;
    return -1;
}

void dcs_opcost_defaults(dcs_opcost_params_t *p)
{
    for (int i = 0; i < DCS_OPCOST_NPARAMS; i++)
        p->v[i] = PARAMS[i].def;
}

int dcs_opcost_supported(const dcs_opcost_device_t *dev, const dcs_op_t *op)
{
    switch (op->kind) {
    case DCS_OP_GEMM:
    case DCS_OP_BMM:
    case DCS_OP_ATTENTION:
    case DCS_OP_DECODE_ATTENTION:
        return dev->peak_flops[op->dtype] > 0;
    default:
        return 1;
    }
}

double dcs_opcost_roofline_s(const dcs_opcost_device_t *dev, const dcs_op_t *op)
{
    double peak = dev->peak_flops[op->dtype];
    if (peak <= 0)
        peak = dev->peak_flops[DCS_FP32];
    double tc = peak > 0 ? dcs_op_flops(op) / peak : 0;
    double tm = dcs_op_bytes(op) / dev->mem_bw_bytes_per_s;
    return tc > tm ? tc : tm;
}

static double ceil_div(double a, double b)
{
    return ceil(a / b);
}

/* Waves of `units` equal units of work over `slots` parallel slots, between
 * whole waves (beta 0) and perfect balancing (beta 1). */
static double waves(double units, double slots, double beta)
{
    return (1.0 - beta) * ceil_div(units, slots) + beta * units / slots;
}

/* ---- gemm, bmm ---------------------------------------------------------- */

static double gemm_eff(const dcs_opcost_params_t *p, dcs_dtype_t d)
{
    switch (d) {
    case DCS_FP32:
        return p->v[DCS_P_gemm_eff_fp32];
    case DCS_TF32:
        return p->v[DCS_P_gemm_eff_tf32];
    case DCS_FP16:
        return p->v[DCS_P_gemm_eff_fp16];
    case DCS_FP8:
    case DCS_INT8:
        return p->v[DCS_P_gemm_eff_fp8];
    default:
        return p->v[DCS_P_gemm_eff_bf16];
    }
}

static int gemm_misaligned(const dcs_op_t *op);

/* Compute time: the fastest of the tile shapes and split-K factors a GEMM
 * library chooses among, as its heuristic would pick. */
static double gemm_compute_s(const dcs_opcost_device_t *dev,
                             const dcs_opcost_params_t *p, const dcs_op_t *op)
{
    /* Libraries swap operands so that a thin side can use a narrow tile:
     * products with a few rows (decode GEMV-like) waste little on padding. */
    static const int tiles[][2] = {
        {128, 256}, {256, 128}, {128, 128}, {64, 256}, {256, 64}, {64, 128},
        {128, 64},  {64, 64},   {16, 128},  {128, 16}, {32, 128}, {128, 32}};
    static const int splits[] = {1, 2, 3, 4, 6, 8, 12, 16};
    double sms = dev->sm_count;
    double per_sm = dev->peak_flops[op->dtype] / sms;
    double alpha = p->v[DCS_P_gemm_tile_alpha];
    double m = (double)op->m, n = (double)op->n, k = (double)op->k;
    double batch = op->kind == DCS_OP_BMM ? (double)op->batch : 1.0;
    double eff = gemm_eff(p, op->dtype);
    if (gemm_misaligned(op))
        eff *= p->v[DCS_P_gemm_misalign];
    double best = INFINITY;
    for (size_t t = 0; t < sizeof tiles / sizeof tiles[0]; t++) {
        double mt = tiles[t][0], nt = tiles[t][1];
        /* Narrow tiles are for thin products only. */
        if ((mt < 64 && m > 64) || (nt < 64 && n > 64))
            continue;
        /* Smaller tiles reuse each loaded element less. */
        double tile_eff = (1.0 + alpha * 384.0 / 32768.0 * 64.0) /
                          (1.0 + alpha * (mt + nt) / (mt * nt) * 64.0);
        double count = batch * ceil_div(m, mt) * ceil_div(n, nt);
        for (size_t s = 0; s < sizeof splits / sizeof splits[0]; s++) {
            double split = splits[s];
            if (split > 1 && k / split < 128)
                break;
            double per_tile = 2.0 * mt * nt *
                              (k / split + p->v[DCS_P_gemm_k0]) /
                              (per_sm * eff * tile_eff);
            double time =
                waves(count * split, sms, p->v[DCS_P_gemm_wave_beta]) *
                per_tile;
            if (split > 1) /* reducing the partial sums (in-kernel) */
                time += p->v[DCS_P_gemm_split_s];
            if (time < best)
                best = time;
        }
    }
    return best;
}

/* Vector loads need rows aligned to 16 bytes; libraries fall back to slower
 * kernels otherwise. A dimension below the alignment (a GEMV, a decode
 * batch of 2 or 4) takes the small-batch kernels, which have no such
 * constraint. */
static int gemm_misaligned(const dcs_op_t *op)
{
    int64_t align = op->dtype == DCS_FP8 || op->dtype == DCS_INT8 ? 16 : 8;
    return (op->m > align && op->m % align) ||
           (op->n > align && op->n % align) || (op->k > align && op->k % align);
}

static double gemm_s(const dcs_opcost_device_t *dev,
                     const dcs_opcost_params_t *p, const dcs_op_t *op)
{
    double tc = gemm_compute_s(dev, p, op);
    double mem_eff = p->v[DCS_P_gemm_mem_eff];
    if (gemm_misaligned(op))
        mem_eff *= p->v[DCS_P_gemm_misalign];

    int64_t thin = op->m < op->n ? op->m : op->n;
    if (thin > 1 && thin < 8) /* padded tiles, not the GEMV path */
        mem_eff *= p->v[DCS_P_gemm_small_eff];
    double tm = dcs_op_bytes(op) / (dev->mem_bw_bytes_per_s * mem_eff);
    double q = p->v[DCS_P_gemm_sharp];
    /* Smooth max: the two terms overlap imperfectly near the ridge. */
    double hi = tc > tm ? tc : tm;
    double t = hi * pow(pow(tc / hi, q) + pow(tm / hi, q), 1.0 / q);
    /* Under 8 rows (or columns): GEMV and small-batch kernels, which cost
     * a fixed extra (a second reduction pass, launch setup). */
    if (thin < 8)
        t += p->v[DCS_P_gemm_thin_s];
    return t + p->v[DCS_P_gemm_t0_s];
}

/* ---- attention ------------------------------------------------------------
 */

enum {
    ATTN_BLOCK = 128
}; /* queries (fwd) or keys (bwd) per block, and
      keys (fwd) or queries (bwd) per chunk */

static double attention_s(const dcs_opcost_device_t *dev,
                          const dcs_opcost_params_t *p, const dcs_op_t *op)
{
    int bwd = op->bwd;
    double eff = p->v[bwd ? DCS_P_attn_bwd_eff : DCS_P_attn_fwd_eff];
    double d0 = p->v[bwd ? DCS_P_attn_bwd_d0 : DCS_P_attn_fwd_d0];
    double block_s =
        p->v[bwd ? DCS_P_attn_bwd_block_s : DCS_P_attn_fwd_block_s];
    double diag = p->v[bwd ? DCS_P_attn_bwd_diag : DCS_P_attn_fwd_diag];
    double t0 = p->v[bwd ? DCS_P_attn_bwd_t0_s : DCS_P_attn_fwd_t0_s];
    double sms = dev->sm_count;
    double per_sm = dev->peak_flops[op->dtype] / sms;
    double d = (double)op->head_dim;
    int64_t s = op->seq, kv = op->kv_seq ? op->kv_seq : op->seq;
    int64_t off = kv - s; /* queries are aligned to the end of the keys */
    /* One chunk: BLOCK x BLOCK (query, key) pairs; fwd 2 products, bwd 5. */
    double chunk_s = (bwd ? 10.0 : 4.0) * ATTN_BLOCK * ATTN_BLOCK * d /
                     (per_sm * eff) * (1.0 + d0 / d);
    double heads = (double)op->batch * (double)op->heads;
    /* fwd: blocks of queries walk the keys; bwd: blocks of keys walk the
     * queries. Causal blocks skip the chunks above the diagonal. */
    int64_t outer = bwd ? kv : s, inner = bwd ? s : kv;
    int64_t nblocks = (outer + ATTN_BLOCK - 1) / ATTN_BLOCK;
    double work = 0, longest = 0;
    for (int64_t b = 0; b < nblocks; b++) {
        int64_t lo = b * ATTN_BLOCK, hi = lo + ATTN_BLOCK;
        if (hi > outer)
            hi = outer;
        double chunks, diag_chunks = 0;
        if (!op->causal) {
            chunks = (double)((inner + ATTN_BLOCK - 1) / ATTN_BLOCK);
        } else if (!bwd) {
            /* queries [lo, hi) see keys [0, off + hi) */
            int64_t keys = off + hi;
            chunks = (double)((keys + ATTN_BLOCK - 1) / ATTN_BLOCK);
            diag_chunks = (double)((hi - lo + ATTN_BLOCK - 1) / ATTN_BLOCK);
        } else {
            /* keys [lo, hi) are seen by queries from lo - off onwards */
            int64_t first = lo - off > 0 ? lo - off : 0;
            int64_t queries = s - first;
            chunks = queries > 0
                         ? (double)((queries + ATTN_BLOCK - 1) / ATTN_BLOCK)
                         : 0.0;
            diag_chunks = chunks > 0 ? 1.0 : 0.0;
        }
        double t = block_s + (chunks + diag * diag_chunks) * chunk_s;
        work += t;
        if (t > longest)
            longest = t;
    }
    double total = work * heads, units = heads * (double)nblocks;
    /* Equal blocks quantize into waves; unequal (causal) ones balance to
     * the total over the SMs, but never below the longest block. */
    double per_block = total / units;
    double sched = waves(units, sms, p->v[DCS_P_attn_wave_beta]) * per_block;
    if (op->causal)
        sched = total / sms > longest ? total / sms : longest;
    double tm = dcs_op_bytes(op) / dev->mem_bw_bytes_per_s;
    double t = (sched > tm ? sched : tm) + t0;
    if (bwd) {
        /* FlashAttention-2's bwd also runs kernels over the query side:
         * read O and dO, zero, accumulate and read back dQ in fp32, write
         * dQ: about 14 bytes per query-side element. */
        double q_side = (double)op->batch * (double)op->heads * (double)s * d;
        t += 14.0 * q_side / dev->mem_bw_bytes_per_s;
    }
    return t;
}

/* FlashAttention-2's split-KV heuristic (num_splits_heuristic): no split
 * when the blocks nearly fill the SMs; else the fewest splits whose wave
 * efficiency is within 85 % of the best. */
static double fa_splits(double blocks, double sms, double key_blocks)
{
    if (blocks >= 0.8 * sms)
        return 1;
    double max_splits = key_blocks < sms ? key_blocks : sms;
    if (max_splits > 128)
        max_splits = 128;
    double best = 0;
    for (double s = 1; s <= max_splits; s++) {
        double w = blocks * s / sms;
        double e = w / ceil(w);
        if (e > best)
            best = e;
    }
    for (double s = 1; s <= max_splits; s++) {
        double w = blocks * s / sms;
        if (w / ceil(w) >= 0.85 * best)
            return s;
    }
    return 1;
}

static double decode_s(const dcs_opcost_device_t *dev,
                       const dcs_opcost_params_t *p, const dcs_op_t *op)
{
    double sms = dev->sm_count;
    double kvh = op->kv_heads > 0 ? (double)op->kv_heads : (double)op->heads;
    double units = (double)op->batch * kvh;
    double key_block = op->head_dim <= 64    ? 256
                       : op->head_dim <= 128 ? 128
                                             : 64;
    double split = fa_splits(units, sms, ceil((double)op->kv_seq / key_block));
    double blocks = units * split;
    double bytes = dcs_op_bytes(op);
    /* A block walks its keys in chunks of key_block, each chunk's keys and
     * values streamed at the SM's rate: one rate with a single block on
     * the SM, a lower one with blocks queued behind it. */
    double chunks = ceil((double)op->kv_seq / split / key_block);
    double chunk_bytes =
        2.0 * key_block * (double)op->head_dim * dcs_dtype_bytes(op->dtype);
    double t_par = blocks <= sms
                       ? chunks * chunk_bytes / p->v[DCS_P_dec_block_bw]
                       : blocks / sms * chunks * chunk_bytes /
                             p->v[DCS_P_dec_busy_block_bw];
    double t_bw = bytes / (dev->mem_bw_bytes_per_s * p->v[DCS_P_dec_eff]);
    /* Never faster than its arithmetic (large GQA groups, fp32). */
    double t_c = dcs_op_flops(op) / dev->peak_flops[op->dtype];
    double t = t_par > t_bw ? t_par : t_bw;
    if (t_c > t)
        t = t_c;
    return p->v[DCS_P_dec_t0_s] + (split > 1 ? p->v[DCS_P_dec_combine_s] : 0) +
           t;
}

/* ---- memory-bound ops ------------------------------------------------------
 */

static double membound_s(const dcs_opcost_device_t *dev,
                         const dcs_opcost_params_t *p, const dcs_op_t *op)
{
    double bytes = dcs_op_bytes(op), sms = dev->sm_count;
    int eff_index, rows = 0, passes = 1;
    switch (op->kind) {
    case DCS_OP_COPY:
        eff_index = DCS_P_mem_eff_copy;
        break;
    case DCS_OP_ELEMENTWISE_ADD:
        eff_index = DCS_P_mem_eff_add;
        break;
    case DCS_OP_GELU:
        eff_index = DCS_P_mem_eff_gelu;
        break;
    case DCS_OP_SILU_MUL:
        eff_index = DCS_P_mem_eff_silu_mul;
        break;
    case DCS_OP_LAYERNORM:
        eff_index = DCS_P_mem_eff_layernorm, rows = 1, passes = 2;
        break;
    case DCS_OP_RMSNORM:
        eff_index = DCS_P_mem_eff_rmsnorm, rows = 1, passes = 1;
        break;
    case DCS_OP_SOFTMAX:
        eff_index = DCS_P_mem_eff_softmax, rows = 1, passes = 2;
        break;
    case DCS_OP_EMBEDDING:
        eff_index = DCS_P_mem_eff_embedding, rows = 1, passes = 0;
        break;
    default:
        eff_index = DCS_P_mem_eff_adam;
        break;
    }
    /* An output that fits in L2 is written back to memory only in part
     * before the op ends. */
    double out = dcs_op_out_bytes(op);
    if (dev->l2_bytes > 0 && out < dev->l2_bytes)
        bytes -= out * p->v[DCS_P_mem_l2_absorb] * (1.0 - out / dev->l2_bytes);
    double eff = p->v[eff_index];
    if (rows) {
        /* Short rows give each block little to stream: less in flight. */
        double n = (double)op->n;
        eff *= n / (n + p->v[DCS_P_mem_row_n_half]);
    }
    double t_bw = bytes / (dev->mem_bw_bytes_per_s * eff);
    double t_par, t0;
    if (rows) {
        /* One block a row, a few blocks resident per SM. */
        double m = (double)op->m;
        /* A block holds its row in registers: one read, one write, and a
         * latency per block-wide reduction (`passes`: layernorm and
         * softmax two, rmsnorm one, embedding none but its lookup). */
        /* Row kernels give a row one block of a thread per 16-byte vector
         * (32 to 512 threads); an SM holds 2048 threads, 32 blocks. */
        double vectors = (double)op->n * dcs_dtype_bytes(op->dtype) / 16.0;
        double threads = ceil(vectors / 32.0) * 32.0;
        if (threads > 512)
            threads = 512;
        double resident = floor(2048.0 / threads);
        if (resident > 32)
            resident = 32;
        t_par = ceil_div(m, resident * sms) *
                (passes * p->v[DCS_P_mem_row_pass_s] +
                 bytes / m / p->v[DCS_P_mem_block_bw]);
        t0 = p->v[DCS_P_mem_row_t0_s];
    } else {
        /* Grid-stride over 16-byte vectors, up to 8 blocks of 256 threads
         * per SM. */
        double vectors = bytes / 16.0;
        double blocks = ceil_div(vectors, 256.0 * 3.0);
        if (blocks > 8.0 * sms)
            blocks = 8.0 * sms;
        if (blocks < 1)
            blocks = 1;
        t_par = (bytes / blocks) / p->v[DCS_P_mem_block_bw];
        t0 = p->v[DCS_P_mem_t0_s];
    }
    return t0 + (t_par > t_bw ? t_par : t_bw);
}

double dcs_opcost_time_s(const dcs_opcost_device_t *dev,
                         const dcs_opcost_params_t *p, const dcs_op_t *op)
{
    switch (op->kind) {
    case DCS_OP_IDLE:
        return 0.0;
    case DCS_OP_GEMM:
    case DCS_OP_BMM:
        return gemm_s(dev, p, op);
    case DCS_OP_ATTENTION:
        return attention_s(dev, p, op);
    case DCS_OP_DECODE_ATTENTION:
        return decode_s(dev, p, op);
    default:
        return membound_s(dev, p, op);
    }
}
