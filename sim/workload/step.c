/* step.c - one training iteration as a stream of priced ops. */
#include "workload/step.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "net/collective.h"
#include "workload/layout.h"
#include "workload/pipeline.h"

/* SMs an NCCL collective occupies (one per channel). ASSUMPTION: 24, the
 * order of NCCL's default channel count within an NVLink node. */
#define NCCL_CHANNELS 24.0

typedef struct acc {
    const dcs_device_spec_t *dev;
    double total;
    double gemm; /* of it, GEMMs */
    dcs_step_op_fn each;
    void *ctx;
    const char *phase;
    int bad;
    dcs_dtype_t gemm_dtype; /* of the blocks' linears (bf16, or fp8) */
} acc_t;

static void add(acc_t *a, const dcs_op_t *op, double count)
{
    if (!dcs_opcost_supported(&a->dev->perf, op)) {
        a->bad = 1;
        return;
    }
    double s = dcs_opcost_time_s(&a->dev->perf, &a->dev->params, op);
    a->total += s * count;
    if (op->kind == DCS_OP_GEMM)
        a->gemm += s * count;
    if (a->each)
        a->each(a->ctx, a->phase, op, count, s);
}

static dcs_op_t gemm(int64_t m, int64_t n, int64_t k)
{
    dcs_op_t op;
    dcs_op_init(&op);
    op.kind = DCS_OP_GEMM;
    op.m = m;
    op.n = n;
    op.k = k;
    return op;
}

static dcs_op_t rows(dcs_op_kind_t kind, int64_t m, int64_t n)
{
    dcs_op_t op;
    dcs_op_init(&op);
    op.kind = kind;
    op.m = m;
    op.n = n;
    return op;
}

/* A GEMM's forward, or its two gradients (dA = dC B^T: m x k from m x n
 * and n x k; dB = A^T dC: k x n from k x m and m x n). */
static void linear(acc_t *a, int bwd, int64_t m, int64_t n, int64_t k,
                   double count)
{
    if (!bwd) {
        dcs_op_t f = gemm(m, n, k);
        f.dtype = a->gemm_dtype;
        add(a, &f, count);
        return;
    }
    dcs_op_t dgrad = gemm(m, k, n), wgrad = gemm(k, n, m);
    dgrad.dtype = wgrad.dtype = a->gemm_dtype;
    add(a, &dgrad, count);
    add(a, &wgrad, count);
}

/* What eager PyTorch with autocast adds to a block, per micro-batch. */
static void eager_block(acc_t *a, const dcs_model_t *md, int64_t t, int bwd,
                        int64_t L, int64_t qd, int64_t kvd, int64_t f)
{
    int64_t h = md->hidden;
    /* The norms run in fp32 on the fp32 residual stream (counted in fp32
     * below instead of bf16), and their outputs are cast to bf16 before the
     * next linear: read 4 B, write 2 B per element, a bf16 copy of 1.5 x. */
    dcs_op_t cast = rows(DCS_OP_COPY, (int64_t)(1.5 * (double)(t * h)), 0);
    add(a, &cast, 2.0 * L);
    /* q, k, v laid out per head, and the output back: copies. */
    dcs_op_t layout = rows(DCS_OP_COPY, t * (qd + 2 * kvd + qd), 0);
    add(a, &layout, (double)L);
    if (bwd && md->bias) {
        /* Bias gradients: sums over the tokens of each linear's output
         * gradient (QKV, out, FFN up, FFN down): reads only, priced as a
         * bf16 copy of half the elements. */
        int64_t outs = (qd + 2 * kvd) + h + f + h;
        dcs_op_t red = rows(DCS_OP_COPY, t * outs / 2, 0);
        add(a, &red, (double)L);
    }
    if (bwd) {
        /* The residual stream's gradient gathers both branches in fp32. */
        dcs_op_t acc = rows(DCS_OP_ELEMENTWISE_ADD, t * h, 0);
        acc.dtype = DCS_FP32;
        add(a, &acc, 2.0 * L);
    }
}

/* A dense FFN of width f (this rank's share) over t tokens, `blocks`
 * times: up (GeLU, or SwiGLU's gate and up), activation, down. */
static void ffn(acc_t *a, const dcs_model_t *md, int64_t t, int bwd, int64_t f,
                double blocks)
{
    if (blocks <= 0 || f <= 0)
        return;
    int64_t h = md->hidden;
    int swiglu = md->activation == DCS_ACT_SWIGLU;
    linear(a, bwd, t, swiglu ? 2 * f : f, h, blocks);
    /* Activation: forward reads one (GeLU) or two (SwiGLU) inputs; its
     * backward reads input and output gradient and writes one or two. */
    dcs_op_t act = rows(swiglu ? DCS_OP_SILU_MUL : DCS_OP_GELU, t * f, 0);
    if (bwd)
        act.kind = swiglu ? DCS_OP_SILU_MUL : DCS_OP_ELEMENTWISE_ADD;
    add(a, &act, blocks * (bwd && swiglu ? 2.0 : 1.0));
    linear(a, bwd, t, h, f, blocks);
}

/* The routed experts of a MoE block on this rank: the router, then each
 * local expert's GEMMs on its share of the tokens. */
static void routed_experts(acc_t *a, const dcs_model_t *md, int64_t t, int bwd,
                           int64_t tp, int64_t ep, double blocks)
{
    int64_t h = md->hidden, ef = md->expert_ffn_hidden;
    int swiglu = md->activation == DCS_ACT_SWIGLU;
    linear(a, bwd, t, md->experts, h, blocks); /* router logits */
    int64_t local = md->experts / ep;
    int64_t routed = t * md->top_k / tp; /* tokens this rank computes */
    int64_t per_expert = routed / local > 0 ? routed / local : 1;
    double count = blocks * (double)local;
    linear(a, bwd, per_expert, swiglu ? 2 * ef : ef, h, count);
    dcs_op_t act = rows(swiglu ? DCS_OP_SILU_MUL : DCS_OP_GELU, routed * ef, 0);
    if (bwd)
        act.kind = swiglu ? DCS_OP_SILU_MUL : DCS_OP_ELEMENTWISE_ADD;
    add(a, &act, blocks * (bwd && swiglu ? 2.0 : 1.0));
    linear(a, bwd, per_expert, h, ef, count);
}

/* How a micro-batch is split over this rank. */
typedef struct shard {
    int64_t b, s; /* sequences, and tokens of each */
    int64_t tp, cp, ep;
    int64_t L; /* blocks on this stage */
    int sp, eager;
    int head_whole; /* the LM head not split by tp */
} shard_t;

/* One micro-batch, forward or backward, all blocks and the head. */
static void pass(acc_t *a, const dcs_model_t *md, const shard_t *sh, int bwd,
                 int head, int embed)
{
    /* This rank's shard: widths split by tp (heads, FFN, vocabulary);
     * with sequence parallelism, norms and adds on 1/tp of the tokens;
     * with context parallelism, s / cp tokens of each sequence. */
    int64_t b = sh->b, s = sh->s / sh->cp, tp = sh->tp, L = sh->L;
    int sp = sh->sp, eager = sh->eager;
    int64_t t = b * s, h = md->hidden;
    /* MoE models: dense and MoE blocks in proportion. */
    double moe = md->experts ? (double)(md->layers - md->dense_layers) /
                                   (double)md->layers
                             : 0.0;
    double dense_blocks = (double)L * (1.0 - moe), moe_blocks = (double)L * moe;
    int64_t qd = md->heads * md->head_dim / tp;
    int64_t kvd = (md->kv_heads >= tp ? md->kv_heads / tp : 1) * md->head_dim;
    int64_t f = md->ffn_hidden / tp;
    int64_t tn = sp ? (t + tp - 1) / tp : t; /* tokens for norms and adds */
    if (embed) {
        /* Embedding: gather forward; scatter-add of its gradient back. */
        dcs_op_t emb = rows(DCS_OP_EMBEDDING, t, h);
        add(a, &emb, 1.0);
        if (md->learned_positions && !bwd) {
            dcs_op_t pos = rows(DCS_OP_ELEMENTWISE_ADD, t * h, 0);
            add(a, &pos, 1.0);
        }
    }
    dcs_op_kind_t norm =
        md->norm == DCS_NORM_RMSNORM ? DCS_OP_RMSNORM : DCS_OP_LAYERNORM;
    /* Backward of a norm reads x and dy and writes dx: about twice the
     * forward's traffic. */
    double norm_count = bwd ? 2.0 : 1.0;
    dcs_op_t n1 = rows(norm, tn, h);
    if (eager)
        n1.dtype = DCS_FP32;           /* autocast runs norms in fp32 */
    add(a, &n1, 2.0 * L * norm_count); /* two norms per block */
    if (eager)
        eager_block(a, md, t, bwd, L, qd, kvd, f);
    if (eager && tp > 1 && md->bias && !bwd) {
        /* Row-parallel linears add their bias after the all-reduce: two
         * more fp32 adds over the whole residual width per block. */
        dcs_op_t badd = rows(DCS_OP_ELEMENTWISE_ADD, t * h, 0);
        badd.dtype = DCS_FP32;
        add(a, &badd, 2.0 * (double)L);
    }
    linear(a, bwd, t, qd + 2 * kvd, h, (double)L);
    dcs_op_t attn;
    dcs_op_init(&attn);
    attn.kind = DCS_OP_ATTENTION;
    attn.batch = b;
    attn.heads = md->heads / tp;
    attn.kv_heads = md->kv_heads >= tp ? md->kv_heads / tp : 1;
    attn.seq = s;
    attn.head_dim = md->head_dim;
    attn.causal = 1;
    if (sh->cp > 1) {
        /* Causal over the whole sequence, balanced over the ring: each
         * query of this rank's s / cp sees s / 2 keys on average. */
        attn.kv_seq = sh->s / 2;
        attn.causal = 0;
    }
    attn.bwd = bwd;
    add(a, &attn, (double)L);
    linear(a, bwd, t, h, qd, (double)L);
    /* Residual adds: forward only (their gradient passes through). */
    if (!bwd) {
        dcs_op_t res = rows(DCS_OP_ELEMENTWISE_ADD, tn * h, 0);
        if (eager)
            res.dtype = DCS_FP32; /* the residual stream stays fp32 */
        add(a, &res, 2.0 * L);
    }
    /* The FFN of the dense blocks, and the shared experts of the MoE
     * blocks, split by tp. */
    ffn(a, md, t, bwd, f, dense_blocks);
    if (moe_blocks > 0) {
        if (md->shared_experts)
            ffn(a, md, t, bwd, md->shared_experts * md->expert_ffn_hidden / tp,
                moe_blocks);
        routed_experts(a, md, t, bwd, tp, sh->ep, moe_blocks);
    }
    /* Final norm, LM head (tied or not, same GEMM) and cross-entropy: the
     * logits in fp32, a softmax over the vocabulary, forward and back. */
    if (!head)
        return;
    dcs_op_t fn = rows(norm, tn, h);
    if (eager)
        fn.dtype = DCS_FP32;
    add(a, &fn, norm_count);
    int64_t vocab = sh->head_whole ? md->vocab : md->vocab / tp;
    dcs_dtype_t blocks = a->gemm_dtype;
    a->gemm_dtype = DCS_BF16; /* the head stays in bf16 (as with fp8
                                 recipes such as Transformer Engine's) */
    linear(a, bwd, t, vocab, h, 1.0);
    a->gemm_dtype = blocks;
    dcs_op_t ce = rows(DCS_OP_SOFTMAX, t, vocab);
    ce.dtype = DCS_FP32;
    add(a, &ce, 1.0);
    /* The logits cast to fp32 forward (and their gradient back to bf16):
     * read 2 B, write 4 B per element. */
    dcs_op_t cast =
        rows(DCS_OP_COPY, (int64_t)(1.5 * (double)(t * md->vocab)), 0);
    add(a, &cast, 1.0);
}

/* Seconds of a collective over `gpus` GPUs of `bytes` each: on the node's
 * links (the device's collective model) when the group fits in a node,
 * else a ring across the fabric at nic_bw per GPU. */
static double coll(const dcs_device_spec_t *dev, const dcs_train_plan_t *plan,
                   dcs_op_kind_t kind, int64_t gpus, double bytes,
                   int spans_nodes)
{
    if (gpus < 2 || bytes <= 0)
        return 0;
    dcs_op_t op;
    dcs_op_init(&op);
    op.kind = kind;
    op.gpus = gpus;
    op.bytes = (int64_t)bytes;
    if (!spans_nodes || plan->nic_bw <= 0)
        return dcs_coll_time_s(dev, &dev->params, &op);
    double volume, steps;
    dcs_coll_volume(&op, &volume, &steps);
    return volume / plan->nic_bw + steps * plan->nic_latency_s;
}

/* A collective over the `reps` replicas of one rank position, R GPUs
 * apart. Inside a node when the whole group fits in one (R x reps <= a
 * node); else as NCCL runs it across nodes: the k members on each node
 * first work over the node's links (priced like the same collective over
 * k GPUs), then the G nodes exchange 1/k of the bytes each over the k
 * NICs in parallel (one ring per rail); `fabric_s` >= 0 replaces that
 * second phase's time (found as flows). */
static double dp_coll(const dcs_device_spec_t *dev,
                      const dcs_train_plan_t *plan, dcs_op_kind_t kind,
                      int64_t reps, double bytes, int64_t k, double fabric_s)
{
    if (reps < 2 || bytes <= 0)
        return 0;
    if (k >= reps || plan->nic_bw <= 0)
        return coll(dev, plan, kind, reps, bytes, 0);
    k = k < 1 ? 1 : k;
    int64_t nodes = (reps + k - 1) / k;
    double t = k > 1 ? coll(dev, plan, kind, k, bytes, 0) : 0;
    if (fabric_s >= 0)
        return t + fabric_s;
    return t + coll(dev, plan, kind, nodes, bytes / (double)k, 1);
}

int dcs_step_time(const dcs_model_t *m, const dcs_train_plan_t *plan,
                  const dcs_device_spec_t *dev, dcs_step_time_t *out,
                  dcs_step_op_fn each, void *ctx)
{
    memset(out, 0, sizeof *out);
    int64_t tp = plan->tp > 1 ? plan->tp : 1, pp = plan->pp > 1 ? plan->pp : 1;
    int64_t dp = plan->dp > 1 ? plan->dp : 1;
    int64_t cp = plan->cp > 1 ? plan->cp : 1, ep = plan->ep > 1 ? plan->ep : 1;
    int64_t gpn =
        plan->gpus_per_node > 0 ? plan->gpus_per_node : tp * cp * pp * dp;
    double micro = (double)(plan->grad_accum > 0 ? plan->grad_accum : 1);
    if (m->heads % tp || m->ffn_hidden % tp || m->layers < pp ||
        plan->seq % cp || (ep > 1 && (!m->experts || m->experts % ep)))
        return DCS_EINVAL;
    /* Where the groups sit (sim/workload/layout.h): a group spans nodes
     * when fewer than all its members share a node; expert groups are
     * consecutive replicas. */
    int64_t size[DCS_NDIMS] = {tp, cp, pp, dp}, sd[DCS_NDIMS];
    dcs_layout_strides(plan->has_order ? plan->order : NULL, size, sd);
    int tp_span = dcs_layout_on_node(tp, sd[DCS_DIM_TP], gpn) < tp;
    int cp_span = dcs_layout_on_node(cp, sd[DCS_DIM_CP], gpn) < cp;
    int ep_span = dcs_layout_on_node(ep, sd[DCS_DIM_DP], gpn) < ep;
    int pp_span = sd[DCS_DIM_PP] >= gpn;
    int64_t dp_k = dcs_layout_replicas_on_node(size, sd, gpn);
    int64_t b = plan->micro_batch, s = plan->seq;
    int full = plan->recompute == DCS_RECOMPUTE_FULL;
    /* Communication per block, per micro-batch, exposed (it sits between
     * the block's kernels). */
    /* Tensor parallelism: 2 all-reduces (or all-gather + reduce-scatter)
     * of the block's activations forward and 2 backward, per block, bf16;
     * within a node when tp <= gpus per node. */
    double act_bytes = (double)b * (double)(s / cp) * (double)m->hidden * 2.0;
    double tp_one = coll(dev, plan, DCS_OP_ALL_REDUCE, tp, act_bytes, tp_span);
    double tp_blk = (full ? 6.0 : 4.0) * tp_one;
    /* Expert parallelism: the routed tokens' activations to their experts
     * and back, forward and backward (and again for a recomputed forward),
     * per MoE block. */
    double ep_blk = 0;
    if (ep > 1) {
        double moe = (double)(m->layers - m->dense_layers) / (double)m->layers;
        double routed = (double)b * (double)(s / cp) * (double)m->top_k /
                        (double)tp * (double)m->hidden * 2.0;
        double one = coll(dev, plan, DCS_OP_ALL_TO_ALL, ep, routed, ep_span);
        ep_blk = (full ? 6.0 : 4.0) * moe * one;
    }
    /* Context parallelism: K and V of the whole sequence gathered round the
     * ring under each block's attention forward; backward gathers them
     * again and reduce-scatters their gradients. */
    double cp_blk = 0;
    if (cp > 1) {
        dcs_op_t at;
        dcs_op_init(&at);
        at.kind = DCS_OP_ATTENTION;
        at.batch = b;
        at.heads = m->heads / tp;
        at.kv_heads = m->kv_heads >= tp ? m->kv_heads / tp : 1;
        at.seq = s / cp;
        at.kv_seq = s / 2;
        at.head_dim = m->head_dim;
        double at_f = dcs_opcost_time_s(&dev->perf, &dev->params, &at);
        at.bwd = 1;
        double at_b = dcs_opcost_time_s(&dev->perf, &dev->params, &at);
        double kv = (double)b * (double)s * 2.0 * (double)at.kv_heads *
                    (double)m->head_dim * 2.0;
        double ag = coll(dev, plan, DCS_OP_ALL_GATHER, cp, kv, cp_span);
        double rs = coll(dev, plan, DCS_OP_REDUCE_SCATTER, cp, kv, cp_span);
        cp_blk =
            fmax(ag - at_f, 0) * (full ? 2.0 : 1.0) + fmax(ag + rs - at_b, 0);
    }
    /* Pipeline: activations sent between stages, forward and backward, per
     * micro-batch; across nodes when a node holds fewer GPUs than a stage
     * boundary separates (tp x stages per node). */
    /* Interleaved 1F1B (v virtual stages per rank): v times the sends, and
     * the fill and drain shrink to (pp - 1) / v micro-batch slots. */
    double v = (double)(plan->interleave > 1 ? plan->interleave : 1);
    double p2p = 0;
    if (pp > 1) {
        double shard = act_bytes / (plan->sp ? (double)tp : 1.0);
        double one = pp_span && plan->pp_fabric_s > 0
                         ? plan->pp_fabric_s
                         : coll(dev, plan, DCS_OP_SEND_RECV, 2, shard, pp_span);
        p2p = 2.0 * v * one;
        out->pp_bytes = shard;
        out->pp_across = pp_span;
    }
    double comm_blk = tp_blk + ep_blk + cp_blk;
    /* The representative stage: with one stage, everything; otherwise the
     * slowest stage, its blocks (layers spread evenly, the first stages
     * taking the remainder) with the embedding on the first and the head
     * on the last. Without interleaving every stage is priced and the
     * 1F1B schedule simulated stage by stage (sim/workload/pipeline.c);
     * with it, the closed form: (pp - 1) / v slots of fill and drain. */
    acc_t a = {dev,  0,         0, NULL,
               NULL, "forward", 0, plan->fp8 ? DCS_FP8 : DCS_BF16};
    int64_t rep = pp - 1, base = m->layers / pp, extra = m->layers % pp;
    double *sf = NULL, *sb = NULL, slowest = -1;
    if (pp > 1 && v == 1) {
        sf = malloc(sizeof *sf * (size_t)pp);
        sb = malloc(sizeof *sb * (size_t)pp);
        if (!sf || !sb) {
            free(sf);
            free(sb);
            return DCS_ENOMEM;
        }
        for (int64_t st = 0; st < pp; st++) {
            int64_t Ls = base + (st < extra ? 1 : 0);
            shard_t sh = {b,        s,           tp,
                          cp,       ep,          Ls,
                          plan->sp, plan->eager, plan->head_replicated};
            a.total = 0;
            pass(&a, m, &sh, 0, st == pp - 1, st == 0);
            sf[st] = a.total;
            a.total = 0;
            pass(&a, m, &sh, 1, st == pp - 1, st == 0);
            sb[st] = a.total + (full ? sf[st] : 0);
            double comm = comm_blk * (double)Ls;
            sf[st] += comm / 2;
            sb[st] += comm / 2;
            if (sf[st] + sb[st] > slowest) {
                slowest = sf[st] + sb[st];
                rep = st;
            }
        }
    }
    int64_t L = pp == 1 ? m->layers : base + (rep < extra ? 1 : 0);
    if (pp > 1 && v > 1)
        L = (m->layers + pp - 1) / pp; /* closed form: the fullest stage */
    shard_t sh = {
        b, s, tp, cp, ep, L, plan->sp, plan->eager, plan->head_replicated};
    a.each = each;
    a.ctx = ctx;
    a.total = a.gemm = 0;
    pass(&a, m, &sh, 0, rep == pp - 1, rep == 0);
    double fwd = a.total, fwd_gemm = a.gemm;
    a.total = 0;
    a.phase = "backward";
    pass(&a, m, &sh, 1, rep == pp - 1, rep == 0);
    double bwd = a.total;
    if (full)
        bwd += fwd; /* the forward again, block by block, during backward */
    double tp_micro = tp_blk * (double)L, ep_micro = ep_blk * (double)L;
    if (plan->tp_overlap && tp > 1) {
        /* TP communication overlapped with the GEMMs next to it (as
         * Transformer Engine's userbuffers): what outlasts the GEMMs shows,
         * and while it overlaps its kernels hold SMs (24 channels, as for
         * the data-parallel all-reduce). */
        double gemms = a.gemm + (full ? fwd_gemm : 0);
        double hidden = fmin(tp_micro, gemms);
        double share = fmin(NCCL_CHANNELS / (double)dev->perf.sm_count, 1.0);
        tp_micro = tp_micro - hidden + hidden * share;
    }
    double cp_micro = cp_blk * (double)L;
    double per_micro = fwd + bwd + tp_micro + ep_micro + cp_micro;
    out->forward_s = fwd * micro;
    out->backward_s = bwd * micro;
    out->tp_comm_s = tp_micro * micro;
    out->ep_comm_s = ep_micro * micro;
    out->cp_comm_s = cp_micro * micro;
    if (sf) {
        /* The sends sit inside the schedule: fill, drain and waits. */
        double span = dcs_pipeline_1f1b(pp, (int64_t)micro, sf, sb, p2p / 2.0);
        free(sf);
        free(sb);
        if (span < 0)
            return DCS_ENOMEM;
        out->bubble_s = fmax(span - micro * per_micro, 0);
        p2p = 0;
    } else {
        out->bubble_s = (double)(pp - 1) / v * (per_micro + p2p);
    }
    /* Mixed precision and optimizer, once per iteration over this rank's
     * parameters: bf16 casts of the weights (read 4 B, write 2 B), fp32
     * accumulation of the bf16 gradients (read 2, write 4), one fused
     * AdamW pass. */
    /* Routed experts: split over ep, or with ep = 1 over tp like the rest
     * (expert tensor parallelism = tp). */
    double routed = dcs_model_routed_params(m);
    double n_rank = (dcs_model_params(m) - routed) / (double)(tp * pp) +
                    routed / (double)(dcs_train_expert_shards(plan) * pp);
    if (plan->head_replicated && tp > 1) /* the embedding whole on each */
        n_rank += (double)m->vocab * (double)m->hidden *
                  (1.0 - 1.0 / (double)tp) / (double)pp;
    /* Replicas of the same weights: dp x cp (context ranks hold the same
     * weights). ZeRO: each updates 1 / (dp x cp) of the parameters. */
    int64_t reps = dp * cp;
    double n_opt = plan->zero >= 1 ? n_rank / (double)reps : n_rank;
    a.total = 0;
    a.phase = "optimizer";
    dcs_op_t cast = rows(DCS_OP_COPY, (int64_t)(1.5 * n_opt), 0);
    add(&a, &cast, 2.0);
    dcs_op_t adam = rows(DCS_OP_ADAM, (int64_t)n_opt, 0);
    adam.dtype = DCS_FP32;
    add(&a, &adam, 1.0);
    out->optimizer_s = a.total;
    if (a.bad)
        return DCS_EINVAL;
    /* Data parallel: the rank's gradients all-reduced in buckets during
     * the last micro-batch's backward; what outlasts it, and the last
     * bucket, are exposed. DP peers sit tp x pp GPUs apart: across nodes
     * when that is a node or more. */
    double exposed =
        out->tp_comm_s + out->ep_comm_s + out->cp_comm_s + p2p * micro;
    if (reps > 1) {
        double gb = plan->grad_bytes > 0 ? plan->grad_bytes : 4.0;
        out->dp_bytes = gb * n_rank;
        out->dp_ranks = reps;
        out->dp_across = dp_k < reps;
        double fabric = plan->dp_fabric_s > 0 ? plan->dp_fabric_s : -1;
        out->allreduce_s = dp_coll(dev, plan, DCS_OP_ALL_REDUCE, reps,
                                   gb * n_rank, dp_k, fabric);
        double bucket = plan->bucket_bytes > 0 ? plan->bucket_bytes : 25e6;
        double last = dp_coll(
            dev, plan, DCS_OP_ALL_REDUCE, reps, fmin(bucket, gb * n_rank), dp_k,
            fabric > 0 ? fabric * fmin(bucket / (gb * n_rank), 1.0) : -1);
        double rest = out->allreduce_s - last - bwd;
        exposed += last + (rest > 0 ? rest : 0);
        /* While it overlaps backward, NCCL's kernels hold SMs that the
         * backward GEMMs would use (24 channels: a stated assumption). */
        double overlapped = fmin(out->allreduce_s - last, bwd);
        double share = NCCL_CHANNELS / (double)dev->perf.sm_count;
        if (overlapped > 0 && share < 1)
            exposed += overlapped * share;
        /* ZeRO-1/2: reduce-scatter of the gradients and all-gather of the
         * updated parameters move what the all-reduce moves. ZeRO-3 also
         * gathers the bf16 parameters before each micro-batch's forward and
         * backward, prefetched under the compute: what outlasts it shows. */
        if (plan->zero >= 3) {
            double ag = dp_coll(dev, plan, DCS_OP_ALL_GATHER, reps,
                                2.0 * n_rank, dp_k, -1);
            exposed += micro * (fmax(ag - fwd, 0) + fmax(ag - bwd, 0));
        }
    }
    out->exposed_comm_s = exposed;
    out->total_s = out->forward_s + out->backward_s + out->bubble_s +
                   out->optimizer_s + exposed;
    /* Model FLOPs of one replica's iteration (all its tp x pp GPUs). */
    double tokens = (double)b * (double)s * micro;
    out->model_flops = 6.0 * dcs_model_active_params(m) * tokens +
                       12.0 * (double)m->layers * (double)s * (double)s *
                           (double)m->hidden * (double)b * micro;
    return 0;
}

int64_t dcs_train_expert_shards(const dcs_train_plan_t *plan)
{
    if (plan->ep > 1)
        return plan->ep;
    return plan->tp > 1 ? plan->tp : 1;
}
