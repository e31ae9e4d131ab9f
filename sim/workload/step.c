/* step.c - one training iteration as a stream of priced ops. */
#include "workload/step.h"

#include <math.h>
#include <string.h>

#include "net/collective.h"

/* SMs an NCCL collective occupies (one per channel). ASSUMPTION: 24, the
 * order of NCCL's default channel count within an NVLink node. */
#define NCCL_CHANNELS 24.0

typedef struct acc {
    const dcs_device_spec_t *dev;
    double total;
    dcs_step_op_fn each;
    void *ctx;
    const char *phase;
    int bad;
} acc_t;

static void add(acc_t *a, const dcs_op_t *op, double count)
{
    if (!dcs_opcost_supported(&a->dev->perf, op)) {
        a->bad = 1;
        return;
    }
    double s = dcs_opcost_time_s(&a->dev->perf, &a->dev->params, op);
    a->total += s * count;
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
        add(a, &f, count);
        return;
    }
    dcs_op_t dgrad = gemm(m, k, n), wgrad = gemm(k, n, m);
    add(a, &dgrad, count);
    add(a, &wgrad, count);
}

/* What eager PyTorch with autocast adds to a block, per micro-batch. */
static void eager_block(acc_t *a, const dcs_model_t *md, int64_t t, int bwd)
{
    int64_t h = md->hidden, L = md->layers;
    int64_t qd = md->heads * md->head_dim, kvd = md->kv_heads * md->head_dim;
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
        int64_t outs = (qd + 2 * kvd) + h + md->ffn_hidden + h;
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

/* One micro-batch, forward or backward, all blocks and the head. */
static void pass(acc_t *a, const dcs_model_t *md, int64_t b, int64_t s, int bwd,
                 int eager)
{
    int64_t t = b * s, h = md->hidden, L = md->layers;
    int64_t qd = md->heads * md->head_dim, kvd = md->kv_heads * md->head_dim;
    int64_t f = md->ffn_hidden;
    int swiglu = md->activation == DCS_ACT_SWIGLU;
    dcs_op_kind_t norm =
        md->norm == DCS_NORM_RMSNORM ? DCS_OP_RMSNORM : DCS_OP_LAYERNORM;
    /* Backward of a norm reads x and dy and writes dx: about twice the
     * forward's traffic. */
    double norm_count = bwd ? 2.0 : 1.0;
    dcs_op_t n1 = rows(norm, t, h);
    if (eager)
        n1.dtype = DCS_FP32;           /* autocast runs norms in fp32 */
    add(a, &n1, 2.0 * L * norm_count); /* two norms per block */
    if (eager)
        eager_block(a, md, t, bwd);
    linear(a, bwd, t, qd + 2 * kvd, h, (double)L);
    dcs_op_t attn;
    dcs_op_init(&attn);
    attn.kind = DCS_OP_ATTENTION;
    attn.batch = b;
    attn.heads = md->heads;
    attn.kv_heads = md->kv_heads;
    attn.seq = s;
    attn.head_dim = md->head_dim;
    attn.causal = 1;
    attn.bwd = bwd;
    add(a, &attn, (double)L);
    linear(a, bwd, t, h, qd, (double)L);
    /* Residual adds: forward only (their gradient passes through). */
    if (!bwd) {
        dcs_op_t res = rows(DCS_OP_ELEMENTWISE_ADD, t * h, 0);
        if (eager)
            res.dtype = DCS_FP32; /* the residual stream stays fp32 */
        add(a, &res, 2.0 * L);
    }
    linear(a, bwd, t, swiglu ? 2 * f : f, h, (double)L);
    /* Activation: forward reads one (GeLU) or two (SwiGLU) inputs; its
     * backward reads input and output gradient and writes one or two. */
    dcs_op_t act = rows(swiglu ? DCS_OP_SILU_MUL : DCS_OP_GELU, t * f, 0);
    if (bwd)
        act.kind = swiglu ? DCS_OP_SILU_MUL : DCS_OP_ELEMENTWISE_ADD;
    add(a, &act, (double)L * (bwd && swiglu ? 2.0 : 1.0));
    linear(a, bwd, t, h, f, (double)L);
    /* Final norm, LM head (tied or not, same GEMM) and cross-entropy: the
     * logits in fp32, a softmax over the vocabulary, forward and back. */
    dcs_op_t fn = rows(norm, t, h);
    if (eager)
        fn.dtype = DCS_FP32;
    add(a, &fn, norm_count);
    linear(a, bwd, t, md->vocab, h, 1.0);
    dcs_op_t ce = rows(DCS_OP_SOFTMAX, t, md->vocab);
    ce.dtype = DCS_FP32;
    add(a, &ce, 1.0);
    /* The logits cast to fp32 forward (and their gradient back to bf16):
     * read 2 B, write 4 B per element. */
    dcs_op_t cast =
        rows(DCS_OP_COPY, (int64_t)(1.5 * (double)(t * md->vocab)), 0);
    add(a, &cast, 1.0);
    /* Embedding: gather forward; scatter-add of its gradient backward. */
    dcs_op_t emb = rows(DCS_OP_EMBEDDING, t, h);
    add(a, &emb, 1.0);
    if (md->learned_positions && !bwd) {
        dcs_op_t pos = rows(DCS_OP_ELEMENTWISE_ADD, t * h, 0);
        add(a, &pos, 1.0);
    }
}

int dcs_step_time(const dcs_model_t *m, const dcs_train_plan_t *plan,
                  const dcs_device_spec_t *dev, dcs_step_time_t *out,
                  dcs_step_op_fn each, void *ctx)
{
    memset(out, 0, sizeof *out);
    double micro = (double)(plan->grad_accum > 0 ? plan->grad_accum : 1);
    acc_t a = {dev, 0, each, ctx, "forward", 0};
    pass(&a, m, plan->micro_batch, plan->seq, 0, plan->eager);
    out->forward_s = a.total * micro;
    a.total = 0;
    a.phase = "backward";
    pass(&a, m, plan->micro_batch, plan->seq, 1, plan->eager);
    out->backward_s = a.total * micro;
    /* Mixed precision and optimizer, once per iteration over N params:
     * the bf16 casts of the weights (read 4 B, write 2 B), the fp32
     * accumulation of the bf16 weight gradients (read 2, write 4), and one
     * fused AdamW pass (read param, grad, m, v; write param, m, v). */
    double n = dcs_model_params(m);
    a.total = 0;
    a.phase = "optimizer";
    dcs_op_t cast = rows(DCS_OP_COPY, (int64_t)(1.5 * n), 0);
    add(&a, &cast, 2.0);
    dcs_op_t adam = rows(DCS_OP_ADAM, (int64_t)n, 0);
    adam.dtype = DCS_FP32;
    add(&a, &adam, 1.0);
    out->optimizer_s = a.total;
    if (a.bad)
        return DCS_EINVAL;
    /* Data parallel: fp32 gradients all-reduced in buckets while backward
     * runs; what outlasts the backward of the last micro-batch, and the
     * last bucket, which only starts when backward ends, are exposed. */
    if (plan->dp > 1) {
        dcs_op_t ar;
        dcs_op_init(&ar);
        ar.kind = DCS_OP_ALL_REDUCE;
        ar.gpus = plan->dp;
        ar.bytes = (int64_t)(4.0 * n);
        out->allreduce_s = dcs_coll_time_s(dev, &dev->params, &ar);
        double bucket = plan->bucket_bytes > 0 ? plan->bucket_bytes : 25e6;
        ar.bytes = (int64_t)fmin(bucket, 4.0 * n);
        double last = dcs_coll_time_s(dev, &dev->params, &ar);
        double hidden_behind = out->backward_s / micro;
        double rest = out->allreduce_s - last - hidden_behind;
        out->exposed_comm_s = last + (rest > 0 ? rest : 0);
        /* While it overlaps backward, NCCL's kernels hold SMs that the
         * backward GEMMs would use: one SM per channel, and ASSUMPTION:
         * NCCL's usual 24 channels within an NVLink node. The backward is
         * slowed by that share of the SMs for the overlapped time. */
        double overlapped = fmin(out->allreduce_s - last, hidden_behind);
        double share = NCCL_CHANNELS / (double)dev->perf.sm_count;
        if (overlapped > 0 && share < 1)
            out->exposed_comm_s += overlapped * share;
    }
    out->total_s = out->forward_s + out->backward_s + out->optimizer_s +
                   out->exposed_comm_s;
    double tokens = (double)plan->micro_batch * (double)plan->seq * micro;
    out->model_flops =
        6.0 * n * tokens + 12.0 * (double)m->layers * (double)plan->seq *
                               (double)plan->seq * (double)m->hidden *
                               (double)plan->micro_batch * micro;
    return 0;
}
