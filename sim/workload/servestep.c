/* servestep.c - one serving step as a stream of priced ops. */
#include "workload/servestep.h"

#include <math.h>
#include <stdio.h>

#include "engine/error.h"
#include "net/collective.h"

/* A replica's shard of the model, per GPU. */
typedef struct shard {
    int64_t tp;
    int64_t heads;    /* query heads on a GPU */
    int64_t kv_heads; /* KV heads on a GPU (replicated when tp > kv_heads) */
    int64_t q_width;  /* heads x head_dim */
    int64_t kv_width; /* kv_heads x head_dim */
    int64_t ffn;      /* FFN width on a GPU */
    int64_t vocab;    /* vocabulary rows of the LM head on a GPU */
} shard_t;

static int64_t tp_of(const dcs_serve_replica_t *r)
{
    return r->tp > 1 ? r->tp : 1;
}

static shard_t shard_of(const dcs_serve_replica_t *r)
{
    const dcs_model_t *m = r->model;
    shard_t s;
    s.tp = tp_of(r);
    s.heads = m->heads / s.tp;
    s.kv_heads = m->kv_heads >= s.tp ? m->kv_heads / s.tp : 1;
    s.q_width = s.heads * m->head_dim;
    s.kv_width = s.kv_heads * m->head_dim;
    s.ffn = m->ffn_hidden / s.tp;
    s.vocab = r->vocab_replicated ? m->vocab : (m->vocab + s.tp - 1) / s.tp;
    return s;
}

double dcs_serve_curve_s(const dcs_serve_curve_t *c, double size)
{
    int n = c->points;
    const double *x = c->size, *s = c->s;
    if (n < 1 || n > DCS_SERVE_CURVE_POINTS)
        return -1;
    if (n == 1 || size <= x[0])
        return s[0];
    int i = 1; /* the segment [i - 1, i] holding size, or the last */
    while (i < n - 1 && size > x[i])
        i++;
    double t =
        s[i - 1] + (s[i] - s[i - 1]) * (size - x[i - 1]) / (x[i] - x[i - 1]);
    return t > 0 ? t : 0;
}

/* 1 when `c` is a usable curve (see dcs_serve_curve_t). */
static int curve_ok(const dcs_serve_curve_t *c)
{
    if (c->points < 0 || c->points > DCS_SERVE_CURVE_POINTS)
        return 0;
    for (int i = 0; i < c->points; i++)
        if (!(c->size[i] > (i ? c->size[i - 1] : 0)) || !(c->s[i] >= 0))
            return 0;
    return 1;
}

int dcs_serve_check(const dcs_serve_replica_t *r, char *msg, size_t msg_size)
{
    const dcs_model_t *m = r->model;
    int64_t tp = tp_of(r);
    const char *why = NULL;
    if (!m || !r->dev)
        why = "a replica needs a model and a device";
    else if (m->experts || m->q_lora_rank)
        why = "serving steps price dense models with standard attention "
              "(no mixture of experts, no MLA) in this version";
    else if (m->layers < 1 || m->hidden < 1 || m->heads < 1 ||
             m->head_dim < 1 || m->ffn_hidden < 1 || m->vocab < 1)
        why = "the model needs layers, hidden, heads, head_dim, ffn_hidden "
              "and vocab >= 1";
    else if (m->kv_heads < 1 || m->heads % m->kv_heads)
        why = "kv_heads must divide heads";
    else if (m->heads % tp || m->ffn_hidden % tp)
        why = "tp must divide heads and ffn_hidden";
    else if (m->kv_heads >= tp ? m->kv_heads % tp : tp % m->kv_heads)
        why = "tp and kv_heads must divide one another";
    else if (r->dev->perf.peak_flops[DCS_BF16] <= 0 ||
             (r->weight_fp8 && r->dev->perf.peak_flops[DCS_FP8] <= 0))
        why = "the device has no peak for the weights' dtype";
    else if (!curve_ok(&r->norm_s) || !curve_ok(&r->ar_graph))
        why = "a measured curve needs at most 16 sizes > 0, ascending, and "
              "times >= 0";
    if (!why)
        return 0;
    if (msg)
        snprintf(msg, msg_size, "%s", why);
    return DCS_EINVAL;
}

double dcs_serve_weight_bytes_per_gpu(const dcs_serve_replica_t *r)
{
    const dcs_model_t *m = r->model;
    shard_t s = shard_of(r);
    double h = (double)m->hidden, f = (double)s.ffn;
    double qkv = (double)(s.q_width + 2 * s.kv_width);
    double up = m->activation == DCS_ACT_SWIGLU ? 2.0 * f : f;
    double linears = h * qkv + (double)s.q_width * h + h * up + f * h;
    /* Biases: column-parallel ones split, row-parallel ones whole. */
    double bias = m->bias ? qkv + h + up + h : 0.0;
    double norm = (m->norm == DCS_NORM_LAYERNORM && m->bias ? 2.0 : 1.0) * h;
    double bf16 = (double)m->layers * (bias + 2.0 * norm) + norm;
    double tables = m->tied_embeddings ? 1.0 : 2.0;
    bf16 += tables * (double)s.vocab * h;
    if (m->learned_positions)
        bf16 += (double)m->seq_len * h;
    return (double)m->layers * linears * (r->weight_fp8 ? 1.0 : 2.0) +
           2.0 * bf16;
}

double dcs_serve_kv_bytes_per_token(const dcs_serve_replica_t *r)
{
    shard_t s = shard_of(r);
    return 2.0 * (double)r->model->layers * (double)s.kv_width *
           (r->kv_fp8 ? 1.0 : 2.0);
}

int64_t dcs_serve_kv_capacity_tokens(const dcs_serve_replica_t *r,
                                     double mem_util,
                                     double activation_reserve_bytes)
{
    double free_bytes = mem_util * (double)r->dev->memory_bytes -
                        dcs_serve_weight_bytes_per_gpu(r) -
                        activation_reserve_bytes;
    if (free_bytes <= 0)
        return 0;
    return (int64_t)floor(free_bytes / dcs_serve_kv_bytes_per_token(r));
}

/* ---- pricing ------------------------------------------------------------ */

typedef struct pricer {
    const dcs_device_spec_t *dev;
    const dcs_opcost_params_t *p;
    dcs_serve_cost_t cost;
    dcs_serve_op_fn each;
    void *ctx;
    double compute_kernels;              /* of them, not collectives */
    const dcs_serve_replica_t *graph_ar; /* a graphed step whose
                                            all-reduces the replica's
                                            table prices; NULL: none */
} pricer_t;

/* An op of `kind` over m x n (x k) elements in `dtype`, the rest 0 (as
 * dcs_op_init leaves them). */
static dcs_op_t op_of(dcs_op_kind_t kind, dcs_dtype_t dtype, int64_t m,
                      int64_t n, int64_t k)
{
    return (dcs_op_t){.kind = kind, .dtype = dtype, .m = m, .n = n, .k = k};
}

/* Adds `count` runs of `op` to the step, in the breakdown's buckets, each
 * taking at least `floor_s`. */
static void price_at_least(pricer_t *x, const dcs_op_t *op, double count,
                           double floor_s)
{
    if (count <= 0)
        return;
    double s;
    double *bucket = &x->cost.other_s;
    if (dcs_op_is_collective(op)) {
        s = -1;
        if (x->graph_ar && op->kind == DCS_OP_ALL_REDUCE)
            s = dcs_serve_curve_s(&x->graph_ar->ar_graph, (double)op->bytes);
        if (s < 0)
            s = dcs_coll_time_s(x->dev, x->p, op);
        bucket = &x->cost.comm_s;
    } else {
        s = dcs_opcost_time_s(&x->dev->perf, x->p, op);
        x->cost.flops += count * dcs_op_flops(op);
        x->cost.bytes += count * dcs_op_bytes(op);
        if (op->kind == DCS_OP_GEMM)
            bucket = &x->cost.gemm_s;
        else if (op->kind == DCS_OP_ATTENTION ||
                 op->kind == DCS_OP_DECODE_ATTENTION)
            bucket = &x->cost.attn_s;
    }
    if (s < floor_s)
        s = floor_s;
    *bucket += count * s;
    x->cost.kernels += count;
    if (bucket != &x->cost.comm_s)
        x->compute_kernels += count;
    if (x->each)
        x->each(x->ctx, op, count, s);
}

static void price(pricer_t *x, const dcs_op_t *op, double count)
{
    price_at_least(x, op, count, 0);
}

/* One of plain PyTorch's slow elementwise kernels: at least its bytes at
 * the measured bandwidth (none given: the op model's time). */
static void price_slow(pricer_t *x, const dcs_op_t *op, double count, double bw)
{
    price_at_least(x, op, count, bw > 0 ? dcs_op_bytes(op) / bw : 0);
}

/* A norm of op->m rows, `count` times: in the eager layout an RMSNorm
 * takes at least plain PyTorch's measured time (norm_s, a graph replay's)
 * plus the gap a graph replay removes. */
static void price_norm(pricer_t *x, const dcs_serve_replica_t *r,
                       const dcs_op_t *op, double count)
{
    double floor_s = 0;
    if (r->eager && op->kind == DCS_OP_RMSNORM && r->norm_s.points > 0)
        floor_s =
            dcs_serve_curve_s(&r->norm_s, (double)op->m) + r->graph_saving_s;
    price_at_least(x, op, count, floor_s);
}

/* A TP collective of `bytes` per GPU over the replica's GPUs, `count`
 * times. */
static void tp_coll(pricer_t *x, const shard_t *s, dcs_op_kind_t kind,
                    int64_t bytes, double count)
{
    if (s->tp < 2)
        return;
    dcs_op_t op = op_of(kind, DCS_BF16, 0, 0, 0);
    op.gpus = s->tp;
    op.bytes = bytes;
    price(x, &op, count);
}

/* Rotary embedding of q and k, and K and V written into the cache, for t
 * tokens, `count` times. Fused: one kernel each. Eager, per tensor of m
 * elements: -x[half:] (m / 2), cat (m), x cos and rot sin (m each, the
 * tables broadcast), their sum (m); then two copies into the cache. */
static void rope_and_cache(pricer_t *x, const dcs_serve_replica_t *r,
                           const shard_t *s, int64_t t, double count)
{
    int eager = r->eager;
    int64_t q = t * s->q_width, kv = t * s->kv_width;
    if (!eager) {
        dcs_op_t rope = op_of(DCS_OP_COPY, DCS_BF16, q + kv, 0, 0);
        price(x, &rope, count);
        dcs_op_t cache = op_of(DCS_OP_COPY, DCS_BF16, 2 * kv, 0, 0);
        price(x, &cache, count);
        return;
    }
    for (int i = 0; i < 2; i++) {
        int64_t m = i ? kv : q;
        dcs_op_t half = op_of(DCS_OP_COPY, DCS_BF16, m / 2, 0, 0);
        price_slow(x, &half, count, r->slow_bw[DCS_SLOW_ROPE_NEG]);
        dcs_op_t whole = op_of(DCS_OP_COPY, DCS_BF16, m, 0, 0);
        price_slow(x, &whole, count, r->slow_bw[DCS_SLOW_ROPE_CAT]);
        price_slow(x, &whole, 2.0 * count, r->slow_bw[DCS_SLOW_ROPE_MUL]);
        dcs_op_t sum = op_of(DCS_OP_ELEMENTWISE_ADD, DCS_BF16, m, 0, 0);
        price(x, &sum, count);
    }
    dcs_op_t cache = op_of(DCS_OP_COPY, DCS_BF16, kv, 0, 0);
    price(x, &cache, 2.0 * count);
}

/* The FFN of t tokens, `count` times: gate/up, activation, down. */
static void ffn(pricer_t *x, const dcs_serve_replica_t *r, const shard_t *s,
                int64_t t, dcs_dtype_t w, double count)
{
    const dcs_model_t *m = r->model;
    int eager = r->eager;
    int swiglu = m->activation == DCS_ACT_SWIGLU;
    int64_t f = s->ffn, h = m->hidden;
    dcs_op_t up = op_of(DCS_OP_GEMM, w, t, swiglu ? 2 * f : f, h);
    price(x, &up, count);
    if (swiglu && eager) {
        dcs_op_t silu = op_of(DCS_OP_GELU, DCS_BF16, t * f, 0, 0);
        /* a unary activation, as GeLU */
        price_slow(x, &silu, count, r->slow_bw[DCS_SLOW_SILU]);
        dcs_op_t mul = op_of(DCS_OP_ELEMENTWISE_ADD, DCS_BF16, t * f, 0, 0);
        price_slow(x, &mul, count, r->slow_bw[DCS_SLOW_MUL]);
    } else {
        dcs_op_t act = op_of(swiglu ? DCS_OP_SILU_MUL : DCS_OP_GELU, DCS_BF16,
                             t * f, 0, 0);
        price(x, &act, count);
    }
    dcs_op_t down = op_of(DCS_OP_GEMM, w, t, h, f);
    price(x, &down, count);
}

/* Attention of the step, `layers` times: one causal op per run of equal
 * prefill chunks, one decode_attention for the decodes. */
static void attention(pricer_t *x, const dcs_serve_replica_t *r,
                      const shard_t *s, const dcs_serve_batch_t *b,
                      double layers)
{
    dcs_op_t at = op_of(DCS_OP_ATTENTION, DCS_BF16, 0, 0, 0);
    at.heads = s->heads;
    at.kv_heads = s->kv_heads;
    at.head_dim = r->model->head_dim;
    at.causal = 1;
    for (int64_t i = 0, j; i < b->nprefill; i = j) {
        const dcs_serve_chunk_t *c = &b->prefill[i];
        for (j = i + 1; j < b->nprefill && b->prefill[j].tokens == c->tokens &&
                        b->prefill[j].cached == c->cached;
             j++)
            ;
        at.batch = j - i;
        at.seq = c->tokens;
        at.kv_seq = c->cached + c->tokens;
        price(x, &at, layers);
    }
    if (b->decodes < 1)
        return;
    /* The mean context, in bf16-sized keys (an fp8 cache reads half the
     * bytes), between two whole contexts. */
    double keys = (double)b->decode_kv_tokens * (r->kv_fp8 ? 0.5 : 1.0) /
                  (double)b->decodes;
    if (keys < 1)
        keys = 1;
    double lo = floor(keys), frac = keys - lo;
    at.kind = DCS_OP_DECODE_ATTENTION;
    at.causal = 0;
    at.batch = b->decodes;
    at.seq = 1;
    at.kv_seq = (int64_t)lo;
    price(x, &at, layers * (1.0 - frac));
    at.kv_seq = (int64_t)lo + 1;
    price(x, &at, layers * frac);
}

double dcs_serve_step_each(const dcs_serve_replica_t *r,
                           const dcs_serve_batch_t *b,
                           dcs_serve_cost_t *breakdown, dcs_serve_op_fn each,
                           void *ctx)
{
    if (dcs_serve_check(r, NULL, 0) < 0 || b->decodes < 0 ||
        b->decode_kv_tokens < b->decodes || b->nprefill < 0 ||
        (b->nprefill > 0 && !b->prefill))
        return DCS_EINVAL;
    const dcs_model_t *m = r->model;
    pricer_t x = {.dev = r->dev,
                  .p = r->params ? r->params : &r->dev->params,
                  .each = each,
                  .ctx = ctx};
    if (r->graphs && b->nprefill == 0 && tp_of(r) > 1 &&
        tp_of(r) == r->ar_graph_gpus && r->ar_graph.points > 0)
        x.graph_ar = r;
    int64_t t = b->decodes, sampled = b->decodes;
    for (int64_t i = 0; i < b->nprefill; i++) {
        if (b->prefill[i].tokens < 1 || b->prefill[i].cached < 0)
            return DCS_EINVAL;
        t += b->prefill[i].tokens;
        sampled += !b->prefill[i].partial;
    }
    shard_t s = shard_of(r);
    int64_t h = m->hidden, act_bytes = t * h * 2;
    double layers = (double)m->layers;
    dcs_dtype_t w = r->weight_fp8 ? DCS_FP8 : DCS_BF16;
    dcs_op_kind_t norm =
        m->norm == DCS_NORM_RMSNORM ? DCS_OP_RMSNORM : DCS_OP_LAYERNORM;
    int split = !r->vocab_replicated && s.tp > 1;
    if (t > 0) {
        /* Embedding: with the vocabulary split, each GPU looks up the rows
         * it holds, zeroes the others' and the all-reduce sums them in. */
        dcs_op_t emb = op_of(DCS_OP_EMBEDDING, DCS_BF16, t, h, 0);
        price(&x, &emb, 1.0);
        if (split) {
            dcs_op_t mask = op_of(DCS_OP_COPY, DCS_BF16, t * h, 0, 0);
            price(&x, &mask, 1.0);
            tp_coll(&x, &s, DCS_OP_ALL_REDUCE, act_bytes, 1.0);
        }
        /* The blocks. */
        dcs_op_t nm = op_of(norm, DCS_BF16, t, h, 0);
        price_norm(&x, r, &nm, 2.0 * layers);
        dcs_op_t qkv = op_of(DCS_OP_GEMM, w, t, s.q_width + 2 * s.kv_width, h);
        price(&x, &qkv, layers);
        rope_and_cache(&x, r, &s, t, layers);
        attention(&x, r, &s, b, layers);
        dcs_op_t out = op_of(DCS_OP_GEMM, w, t, h, s.q_width);
        price(&x, &out, layers);
        tp_coll(&x, &s, DCS_OP_ALL_REDUCE, act_bytes, 2.0 * layers);
        dcs_op_t res = op_of(DCS_OP_ELEMENTWISE_ADD, DCS_BF16, t * h, 0, 0);
        price(&x, &res, 2.0 * layers);
        ffn(&x, r, &s, t, w, layers);
    }
    /* Final norm (fused: over every token, eager: over those that
     * sample), the LM head, and with the vocabulary split the logits
     * all-gathered and laid out whole. */
    int64_t norm_rows = r->eager ? sampled : t;
    if (norm_rows > 0) {
        dcs_op_t fn = op_of(norm, DCS_BF16, norm_rows, h, 0);
        price_norm(&x, r, &fn, 1.0);
    }
    if (sampled > 0) {
        dcs_op_t head = op_of(DCS_OP_GEMM, DCS_BF16, sampled, s.vocab, h);
        price(&x, &head, 1.0);
        if (split) {
            int64_t logits = sampled * s.vocab * s.tp;
            tp_coll(&x, &s, DCS_OP_ALL_GATHER, logits * 2, 1.0);
            dcs_op_t layout = op_of(DCS_OP_COPY, DCS_BF16, logits, 0, 0);
            price(&x, &layout, 1.0);
        }
    }
    dcs_serve_cost_t *c = &x.cost;
    c->overhead_s = r->step_overhead_s;
    c->tokens = t;
    c->sampled = sampled;
    double gpu_s = c->gemm_s + c->attn_s + c->comm_s + c->other_s;
    if (r->graphs && b->nprefill == 0) {
        /* a graph replay: each compute kernel's launch gap goes (every
         * one's fixed cost in the op model is larger than the gap; the
         * collectives' launch is the network model's, apart) */
        c->graph_saved_s = x.compute_kernels * r->graph_saving_s;
    } else if (c->kernels * r->host_kernel_s > gpu_s) {
        c->host_wait_s = c->kernels * r->host_kernel_s - gpu_s;
    }
    if (breakdown)
        *breakdown = x.cost;
    return gpu_s + c->host_wait_s - c->graph_saved_s + c->overhead_s;
}

double dcs_serve_step_s(const dcs_serve_replica_t *r,
                        const dcs_serve_batch_t *b, dcs_serve_cost_t *breakdown)
{
    return dcs_serve_step_each(r, b, breakdown, NULL, NULL);
}
