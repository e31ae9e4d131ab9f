/* test_servestep.c - one LLM-serving step as priced ops.
 *
 * Invariants: a step costs exactly the sum of its ops, each priced alone
 * by the op cost model (and the TP all-reduces by the collective model),
 * for a one-token decode and for a whole-prompt prefill, the ops
 * enumerated here by hand; the KV bytes a decode step reads grow by
 * exactly the KV bytes per token for each token of context, and an fp8
 * cache halves them; Llama 3 8B's KV bytes per token (131,072), weights
 * per GPU and KV capacity match hand calculations; fp8 weights put the
 * blocks' GEMMs, not the LM head, in fp8; equal prefill chunks run as one
 * attention op and partial chunks sample nothing; a replica that cannot be
 * priced is refused; a measured curve interpolates as written by hand;
 * in a graphed decode step at the curve's tp each TP all-reduce costs the
 * in-graph curve's time at its bytes (nothing else moves, and nothing at
 * another tp or in a prefill), and in the eager layout each RMSNorm
 * takes at least the measured PyTorch norm plus the graph gap;
 * `dcsim validate --serve-data` reads serving rows (and the in-graph
 * all-reduce table beside them), prices them, fails --check only on a row
 * off by more than 10 %, and names the cell of a bad table (norm.csv
 * too). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/error.h"
#include "net/collective.h"
#include "support.h"
#include "workload/servestep.h"

/* Llama 3 8B (Llama Team 2024, Table 3). */
static dcs_model_t llama3_8b(void)
{
    return (dcs_model_t){.name = "llama3-8b",
                         .layers = 32,
                         .hidden = 4096,
                         .ffn_hidden = 14336,
                         .heads = 32,
                         .kv_heads = 8,
                         .head_dim = 128,
                         .vocab = 128256,
                         .seq_len = 8192,
                         .activation = DCS_ACT_SWIGLU,
                         .norm = DCS_NORM_RMSNORM,
                         .top_k = 1};
}

static dcs_device_spec_t h100(void)
{
    const char *home = getenv("DCSIM_HOME");
    dcs_device_spec_t d;
    dcs_err_t err;
    int rc =
        dcs_device_load(home ? home : DCSIM_SOURCE_DIR, "h100-sxm", &d, &err);
    ck_assert_msg(rc == 0, "%s", err.msg);
    return d;
}

/* Seconds of one op alone, as the layer below prices it. */
static double alone(const dcs_device_spec_t *d, const dcs_op_t *op)
{
    if (dcs_op_is_collective(op))
        return dcs_coll_time_s(d, &d->params, op);
    return dcs_opcost_time_s(&d->perf, &d->params, op);
}

/* An op of `kind` over m x n (x k), bf16, the rest 0. */
static dcs_op_t mk(dcs_op_kind_t kind, int64_t m, int64_t n, int64_t k)
{
    return (dcs_op_t){.kind = kind, .dtype = DCS_BF16, .m = m, .n = n, .k = k};
}

START_TEST(test_decode_token_is_sum_of_ops)
{
    dcs_model_t m = llama3_8b();
    dcs_device_spec_t d = h100();
    dcs_serve_replica_t r = {.model = &m, .dev = &d, .tp = 1};
    dcs_serve_batch_t b = {.decodes = 1, .decode_kv_tokens = 1000};
    dcs_serve_cost_t c;
    double got = dcs_serve_step_s(&r, &b, &c);
    /* By hand: one token through 32 blocks at tp 1. */
    dcs_op_t norm = mk(DCS_OP_RMSNORM, 1, 4096, 0);
    dcs_op_t qkv = mk(DCS_OP_GEMM, 1, 4096 + 2 * 8 * 128, 4096);
    dcs_op_t attn = mk(DCS_OP_DECODE_ATTENTION, 0, 0, 0);
    attn.batch = 1;
    attn.heads = 32;
    attn.kv_heads = 8;
    attn.seq = 1;
    attn.kv_seq = 1000;
    attn.head_dim = 128;
    dcs_op_t o = mk(DCS_OP_GEMM, 1, 4096, 4096);
    dcs_op_t add = mk(DCS_OP_ELEMENTWISE_ADD, 4096, 0, 0);
    dcs_op_t up = mk(DCS_OP_GEMM, 1, 2 * 14336, 4096);
    dcs_op_t act = mk(DCS_OP_SILU_MUL, 14336, 0, 0);
    dcs_op_t down = mk(DCS_OP_GEMM, 1, 4096, 14336);
    /* Fused rotary over q and k in place; K and V into the cache. */
    dcs_op_t rope = mk(DCS_OP_COPY, 4096 + 1024, 0, 0);
    dcs_op_t cache = mk(DCS_OP_COPY, 2 * 1024, 0, 0);
    double block = 2 * alone(&d, &norm) + alone(&d, &qkv) + alone(&d, &rope) +
                   alone(&d, &cache) + alone(&d, &attn) + alone(&d, &o) +
                   2 * alone(&d, &add) + alone(&d, &up) + alone(&d, &act) +
                   alone(&d, &down);
    dcs_op_t emb = mk(DCS_OP_EMBEDDING, 1, 4096, 0);
    dcs_op_t head = mk(DCS_OP_GEMM, 1, 128256, 4096);
    double want =
        alone(&d, &emb) + 32 * block + alone(&d, &norm) + alone(&d, &head);
    ck_assert_double_eq_tol(got, want, want * 1e-12);
    ck_assert_double_eq_tol(c.gemm_s + c.attn_s + c.comm_s + c.other_s, got,
                            want * 1e-12);
    ck_assert_double_eq(c.comm_s, 0);
    ck_assert_int_eq(c.tokens, 1);
    ck_assert_int_eq(c.sampled, 1);
    /* A decode is memory-bound: it reads every linear's weights and the LM
     * head once, 2 x (6,979,321,856 + 525,336,576) B. */
    ck_assert(c.bytes > 15.009e9 && got > 15.009e9 / 3.35e12);
}
END_TEST

START_TEST(test_prefill_prompt_is_sum_of_ops_tp2_eager)
{
    dcs_model_t m = llama3_8b();
    dcs_device_spec_t d = h100();
    dcs_serve_replica_t r = {.model = &m, .dev = &d, .tp = 2, .eager = 1};
    dcs_serve_chunk_t prompt = {.tokens = 512};
    dcs_serve_batch_t b = {.prefill = &prompt, .nprefill = 1};
    dcs_serve_cost_t c;
    double got = dcs_serve_step_s(&r, &b, &c);
    /* By hand, as tests/validation/serve_step.py runs it: 512 tokens, each
     * GPU with 16 query heads (q: 512 x 2048), 4 KV heads (k, v: 512 x
     * 512), 7168 of the FFN and 64,128 rows of the vocabulary. */
    dcs_op_t norm = mk(DCS_OP_RMSNORM, 512, 4096, 0);
    dcs_op_t qkv = mk(DCS_OP_GEMM, 512, 2048 + 2 * 4 * 128, 4096);
    double rope = 0;
    for (int64_t n = 512 * 2048; n >= 512 * 512; n /= 4) { /* q, then k */
        dcs_op_t neg = mk(DCS_OP_COPY, n / 2, 0, 0);
        dcs_op_t cat_or_mul = mk(DCS_OP_COPY, n, 0, 0);
        dcs_op_t sum = mk(DCS_OP_ELEMENTWISE_ADD, n, 0, 0);
        rope += alone(&d, &neg) + 3 * alone(&d, &cat_or_mul) + alone(&d, &sum);
    }
    dcs_op_t cache = mk(DCS_OP_COPY, 512 * 512, 0, 0); /* K, then V */
    dcs_op_t attn = mk(DCS_OP_ATTENTION, 0, 0, 0);
    attn.batch = 1;
    attn.heads = 16;
    attn.kv_heads = 4;
    attn.seq = attn.kv_seq = 512;
    attn.head_dim = 128;
    attn.causal = 1;
    dcs_op_t o = mk(DCS_OP_GEMM, 512, 4096, 2048);
    dcs_op_t ar = mk(DCS_OP_ALL_REDUCE, 0, 0, 0);
    ar.gpus = 2;
    ar.bytes = 512 * 4096 * 2;
    dcs_op_t add = mk(DCS_OP_ELEMENTWISE_ADD, 512 * 4096, 0, 0);
    dcs_op_t up = mk(DCS_OP_GEMM, 512, 2 * 7168, 4096);
    dcs_op_t silu = mk(DCS_OP_GELU, 512 * 7168, 0, 0);
    dcs_op_t mul = mk(DCS_OP_ELEMENTWISE_ADD, 512 * 7168, 0, 0);
    dcs_op_t down = mk(DCS_OP_GEMM, 512, 4096, 7168);
    double block = 2 * alone(&d, &norm) + alone(&d, &qkv) + rope +
                   2 * alone(&d, &cache) + alone(&d, &attn) + alone(&d, &o) +
                   2 * alone(&d, &ar) + 2 * alone(&d, &add) + alone(&d, &up) +
                   alone(&d, &silu) + alone(&d, &mul) + alone(&d, &down);
    /* Embedding: lookup, the other GPU's rows zeroed, all-reduce. Head:
     * the last token's norm and logits, all-gathered (2 x 64,128 logits)
     * and laid out whole. */
    dcs_op_t emb = mk(DCS_OP_EMBEDDING, 512, 4096, 0);
    dcs_op_t mask = mk(DCS_OP_COPY, 512 * 4096, 0, 0);
    dcs_op_t last = mk(DCS_OP_RMSNORM, 1, 4096, 0);
    dcs_op_t head = mk(DCS_OP_GEMM, 1, 64128, 4096);
    dcs_op_t ag = mk(DCS_OP_ALL_GATHER, 0, 0, 0);
    ag.gpus = 2;
    ag.bytes = 128256 * 2;
    dcs_op_t layout = mk(DCS_OP_COPY, 128256, 0, 0);
    double want = alone(&d, &emb) + alone(&d, &mask) + alone(&d, &ar) +
                  32 * block + alone(&d, &last) + alone(&d, &head) +
                  alone(&d, &ag) + alone(&d, &layout);
    ck_assert_double_eq_tol(got, want, want * 1e-12);
    ck_assert_double_eq_tol(c.comm_s, 65 * alone(&d, &ar) + alone(&d, &ag),
                            want * 1e-12);
    ck_assert(alone(&d, &ar) > 0 && alone(&d, &ag) > 0);
    ck_assert_int_eq(c.tokens, 512);
    ck_assert_int_eq(c.sampled, 1);
}
END_TEST

/* Kernels counted op by op through the callback: all, and the compute
 * ones (not collectives); and the slow elementwise kernels' seconds. */
typedef struct counted {
    double kernels, compute, slow_s, slow_bytes;
} counted_t;

static void count_op(void *ctx, const dcs_op_t *op, double count, double s)
{
    counted_t *c = ctx;
    c->kernels += count;
    if (!dcs_op_is_collective(op))
        c->compute += count;
    if (s > 1.0) { /* only the slow kernels at 1 kB/s take seconds */
        c->slow_s += count * s;
        c->slow_bytes += count * dcs_op_bytes(op);
    }
}

START_TEST(test_pytorch_host_graphs_and_slow_kernels)
{
    /* Plain PyTorch's costs on a Llama 3 8B replica at tp 2, eager:
     * - a decode step replayed as a graph saves 1 us per compute kernel
     *   (counted here through the op callback) and nothing else changes;
     * - a prefill step with a host of 1 s per kernel lasts kernels x 1 s
     *   (the GPU's milliseconds hide under it);
     * - with the slow kernels at 1,000 B/s, each takes its bytes / 1,000
     *   s: the step grows by exactly their seconds over the op model's. */
    dcs_model_t m = llama3_8b();
    dcs_device_spec_t d = h100();
    dcs_serve_replica_t r = {.model = &m, .dev = &d, .tp = 2, .eager = 1};
    dcs_serve_batch_t dec = {.decodes = 8, .decode_kv_tokens = 8 * 513};
    dcs_serve_chunk_t prompt = {.tokens = 512};
    dcs_serve_batch_t pre = {.prefill = &prompt, .nprefill = 1};
    counted_t n = {0};
    double base = dcs_serve_step_each(&r, &dec, NULL, count_op, &n);
    ck_assert_double_gt(n.compute, 0);
    ck_assert_double_gt(n.kernels, n.compute); /* tp 2: all-reduces */
    dcs_serve_replica_t g = r;
    g.graphs = 1;
    g.graph_saving_s = 1e-6;
    g.host_kernel_s = 1; /* a graph replay has no host to wait for */
    dcs_serve_cost_t c;
    double replay = dcs_serve_step_s(&g, &dec, &c);
    ck_assert_double_eq_tol(replay, base - n.compute * 1e-6, 1e-12);
    ck_assert_double_eq_tol(c.kernels, n.kernels, 1e-9);
    counted_t p = {0};
    dcs_serve_step_each(&r, &pre, NULL, count_op, &p);
    double hosted = dcs_serve_step_s(&g, &pre, &c);
    ck_assert_double_eq_tol(hosted, p.kernels * 1.0, 1e-9);
    dcs_serve_replica_t slow = r;
    for (int k = 0; k < DCS_SLOW_NOPS; k++)
        slow.slow_bw[k] = 1e3;
    counted_t q = {0};
    double slowed = dcs_serve_step_each(&slow, &pre, NULL, count_op, &q);
    /* RoPE: q (512 x 2048) and k (512 x 512) per GPU: neg (n / 2), cat
     * and two multiplies (n each); SwiGLU: silu and product over 512 x
     * 7168; x 32 layers; bf16 bytes as the op model counts them. */
    double rope = 0;
    for (int64_t e = 512 * 2048; e >= 512 * 512; e /= 4) {
        dcs_op_t neg = mk(DCS_OP_COPY, e / 2, 0, 0);
        dcs_op_t whole = mk(DCS_OP_COPY, e, 0, 0);
        rope += dcs_op_bytes(&neg) + 3 * dcs_op_bytes(&whole);
    }
    dcs_op_t silu = mk(DCS_OP_GELU, 512 * 7168, 0, 0);
    dcs_op_t mul = mk(DCS_OP_ELEMENTWISE_ADD, 512 * 7168, 0, 0);
    double bytes = 32 * (rope + dcs_op_bytes(&silu) + dcs_op_bytes(&mul));
    ck_assert_double_eq_tol(q.slow_bytes, bytes, 1e-6 * bytes);
    ck_assert_double_eq_tol(q.slow_s, bytes / 1e3, 1e-6 * bytes / 1e3);
    /* the rest of the step as before: what those kernels cost there */
    counted_t fast = {0};
    double before = dcs_serve_step_each(&r, &pre, NULL, count_op, &fast);
    ck_assert_double_gt(slowed, before + 0.99 * bytes / 1e3 - 1);
}
END_TEST

START_TEST(test_kv_bytes_by_hand)
{
    dcs_model_t m = llama3_8b();
    dcs_device_spec_t d = h100();
    dcs_serve_replica_t r = {.model = &m, .dev = &d, .tp = 1};
    ck_assert_double_eq(dcs_serve_kv_bytes_per_token(&r),
                        2.0 * 32 * 8 * 128 * 2);
    ck_assert_double_eq(dcs_serve_kv_bytes_per_token(&r), 131072);
    r.kv_fp8 = 1;
    ck_assert_double_eq(dcs_serve_kv_bytes_per_token(&r), 65536);
    /* tp 16 > 8 KV heads: one KV head per GPU, replicated. */
    m.heads = 32;
    r.tp = 16;
    m.ffn_hidden = 14336;
    ck_assert_double_eq(dcs_serve_kv_bytes_per_token(&r), 2.0 * 32 * 128);
}
END_TEST

/* Bytes a decode step moves through memory, with contexts summing to
 * `sum` over 3 sequences. */
static double decode_bytes(const dcs_serve_replica_t *r, int64_t sum)
{
    dcs_serve_batch_t b = {.decodes = 3, .decode_kv_tokens = sum};
    dcs_serve_cost_t c;
    ck_assert(dcs_serve_step_s(r, &b, &c) > 0);
    return c.bytes;
}

START_TEST(test_kv_bytes_read_follow_contexts)
{
    dcs_model_t m = llama3_8b();
    dcs_device_spec_t d = h100();
    dcs_serve_replica_t r = {.model = &m, .dev = &d, .tp = 1};
    for (int fp8 = 0; fp8 < 2; fp8++) {
        r.kv_fp8 = fp8;
        double per_token = fp8 ? 65536 : 131072;
        /* 3000 -> 3001 -> 3005 tokens: means 1000, 1000.33, 1001.67. */
        double b0 = decode_bytes(&r, 3000), b1 = decode_bytes(&r, 3001);
        double b5 = decode_bytes(&r, 3005);
        ck_assert_double_eq_tol(b1 - b0, per_token, 1e-3 * per_token);
        ck_assert_double_eq_tol(b5 - b0, 5 * per_token, 1e-3 * per_token);
    }
    /* The time grows with the context too, and fp8 reads less. */
    dcs_serve_batch_t b = {.decodes = 64, .decode_kv_tokens = 64 * 8192};
    r.kv_fp8 = 0;
    double t16 = dcs_serve_step_s(&r, &b, NULL);
    r.kv_fp8 = 1;
    double t8 = dcs_serve_step_s(&r, &b, NULL);
    b.decode_kv_tokens = 64 * 1024;
    double short8 = dcs_serve_step_s(&r, &b, NULL);
    ck_assert(t8 < t16 && short8 < t8);
}
END_TEST

START_TEST(test_weights_and_capacity_by_hand)
{
    dcs_model_t m = llama3_8b();
    dcs_device_spec_t d = h100();
    dcs_serve_replica_t r = {.model = &m, .dev = &d, .tp = 1};
    /* Per block: QKV 4096 x 6144, out 4096 x 4096, FFN 3 x 4096 x 14336;
     * 65 norms of 4096; embedding and head 128256 x 4096 each. */
    double linears = 32.0 * (4096.0 * 6144 + 4096.0 * 4096 +
                             3.0 * 4096 * 14336); /* 6,979,321,856 */
    double norms = 65.0 * 4096, tables = 2.0 * 128256 * 4096;
    ck_assert_double_eq(linears + norms + tables, 8030261248.0);
    double w1 = dcs_serve_weight_bytes_per_gpu(&r);
    ck_assert_double_eq(w1, 2.0 * 8030261248.0);
    r.tp = 4;
    double w4 = dcs_serve_weight_bytes_per_gpu(&r);
    ck_assert_double_eq(w4, 2.0 * (linears / 4 + norms + tables / 4));
    ck_assert_double_eq_tol(w4 / w1, 0.25, 0.001);
    r.tp = 1;
    r.weight_fp8 = 1; /* linears at 1 B, the rest at 2 */
    ck_assert_double_eq(dcs_serve_weight_bytes_per_gpu(&r),
                        linears + 2.0 * (norms + tables));
    r.weight_fp8 = 0;
    /* 80 GiB at 0.9, less 16,060,522,496 B of weights and 4 GiB: 56,953,
     * 921,536 B, / 131,072 B per token = 434,523.9. */
    d.memory_bytes = 80ull << 30;
    ck_assert_int_eq(dcs_serve_kv_capacity_tokens(&r, 0.9, 4.0 * (1 << 30)),
                     434523);
    ck_assert_int_eq(dcs_serve_kv_capacity_tokens(&r, 0.1, 0), 0);
}
END_TEST

typedef struct seen {
    int gemm_fp8, gemm_bf16, attention_ops;
    double attention_batch, head_rows;
} seen_t;

static void look(void *ctx, const dcs_op_t *op, double count, double s)
{
    seen_t *x = ctx;
    ck_assert(s > 0 && count > 0);
    if (op->kind == DCS_OP_GEMM) {
        if (op->n == 128256)
            x->head_rows = (double)op->m;
        if (op->dtype == DCS_FP8)
            x->gemm_fp8++;
        else
            x->gemm_bf16++;
    }
    if (op->kind == DCS_OP_ATTENTION) {
        x->attention_ops++;
        x->attention_batch += (double)op->batch;
    }
}

START_TEST(test_fp8_weights_and_chunks)
{
    dcs_model_t m = llama3_8b();
    dcs_device_spec_t d = h100();
    dcs_serve_replica_t r = {.model = &m, .dev = &d, .tp = 1};
    /* Two equal whole prompts, then a partial chunk of a third (Sarathi):
     * two attention ops, one of batch 2; two tokens sampled; 4 decodes. */
    dcs_serve_chunk_t ch[3] = {{.tokens = 256},
                               {.tokens = 256},
                               {.tokens = 512, .cached = 1024, .partial = 1}};
    dcs_serve_batch_t b = {.prefill = ch,
                           .nprefill = 3,
                           .decodes = 4,
                           .decode_kv_tokens = 4 * 700};
    seen_t s = {0};
    dcs_serve_cost_t c;
    double bf16 = dcs_serve_step_each(&r, &b, &c, look, &s);
    ck_assert_int_eq(c.tokens, 256 + 256 + 512 + 4);
    ck_assert_int_eq(c.sampled, 2 + 4);
    ck_assert_int_eq(s.attention_ops, 2);
    ck_assert_double_eq(s.attention_batch, 3);
    ck_assert_double_eq(s.head_rows, 6);
    ck_assert_int_eq(s.gemm_fp8, 0);
    memset(&s, 0, sizeof s);
    r.weight_fp8 = 1;
    double fp8 = dcs_serve_step_each(&r, &b, NULL, look, &s);
    ck_assert_int_eq(s.gemm_fp8, 4);  /* QKV, out, gate/up, down */
    ck_assert_int_eq(s.gemm_bf16, 1); /* the LM head */
    ck_assert(fp8 < bf16);
    /* The fixed overhead adds once; an empty step costs only it. */
    r.step_overhead_s = 1e-3;
    ck_assert_double_eq_tol(dcs_serve_step_s(&r, &b, NULL), fp8 + 1e-3, 1e-12);
    dcs_serve_batch_t none = {0};
    ck_assert_double_eq(dcs_serve_step_s(&r, &none, NULL), 1e-3);
}
END_TEST

START_TEST(test_refuses_what_it_cannot_price)
{
    dcs_model_t m = llama3_8b();
    dcs_device_spec_t d = h100();
    dcs_serve_replica_t r = {.model = &m, .dev = &d, .tp = 3};
    dcs_serve_batch_t b = {.decodes = 1, .decode_kv_tokens = 10};
    char msg[128] = "";
    ck_assert_int_eq(dcs_serve_check(&r, msg, sizeof msg), DCS_EINVAL);
    ck_assert_ptr_nonnull(strstr(msg, "tp must divide"));
    ck_assert(dcs_serve_step_s(&r, &b, NULL) < 0);
    r.tp = 1;
    m.experts = 8;
    ck_assert_int_eq(dcs_serve_check(&r, msg, sizeof msg), DCS_EINVAL);
    m.experts = 0;
    ck_assert_int_eq(dcs_serve_check(&r, NULL, 0), 0);
    b.decode_kv_tokens = 0; /* a decode attends at least to itself */
    ck_assert(dcs_serve_step_s(&r, &b, NULL) < 0);
}
END_TEST

START_TEST(test_measured_curve_by_hand)
{
    /* 10 us at 1,000, 14 us at 2,000, 30 us at 4,000: the first time
     * below, lines between, the last segment (8 us per 1,000) above. */
    dcs_serve_curve_t c = {
        .points = 3, .size = {1000, 2000, 4000}, .s = {10e-6, 14e-6, 30e-6}};
    ck_assert_double_eq_tol(dcs_serve_curve_s(&c, 1), 10e-6, 1e-15);
    ck_assert_double_eq_tol(dcs_serve_curve_s(&c, 1000), 10e-6, 1e-15);
    ck_assert_double_eq_tol(dcs_serve_curve_s(&c, 1500), 12e-6, 1e-15);
    ck_assert_double_eq_tol(dcs_serve_curve_s(&c, 2000), 14e-6, 1e-15);
    ck_assert_double_eq_tol(dcs_serve_curve_s(&c, 3000), 22e-6, 1e-15);
    ck_assert_double_eq_tol(dcs_serve_curve_s(&c, 5000), 38e-6, 1e-15);
    /* a falling last segment stops at 0 */
    dcs_serve_curve_t down = {.points = 2, .size = {1, 2}, .s = {2, 1}};
    ck_assert_double_eq_tol(dcs_serve_curve_s(&down, 2.5), 0.5, 1e-15);
    ck_assert_double_eq(dcs_serve_curve_s(&down, 10), 0);
    dcs_serve_curve_t one = {.points = 1, .size = {64}, .s = {7e-6}};
    ck_assert_double_eq(dcs_serve_curve_s(&one, 1e9), 7e-6);
    dcs_serve_curve_t none = {0};
    ck_assert_double_eq(dcs_serve_curve_s(&none, 1), -1);
    /* a replica with a curve out of order is refused */
    dcs_model_t m = llama3_8b();
    dcs_device_spec_t d = h100();
    dcs_serve_replica_t r = {.model = &m, .dev = &d, .tp = 2};
    r.ar_graph = (dcs_serve_curve_t){.points = 2, .size = {2, 1}};
    char msg[128] = "";
    ck_assert_int_eq(dcs_serve_check(&r, msg, sizeof msg), DCS_EINVAL);
    ck_assert_ptr_nonnull(strstr(msg, "measured curve"));
    r.ar_graph.size[0] = 0.5;
    ck_assert_int_eq(dcs_serve_check(&r, NULL, 0), 0);
    r.norm_s = (dcs_serve_curve_t){.points = 1, .size = {1}, .s = {-1}};
    ck_assert_int_eq(dcs_serve_check(&r, NULL, 0), DCS_EINVAL);
}
END_TEST

START_TEST(test_graph_allreduce_and_norm)
{
    /* Llama 3 8B at tp 2, eager, graphed: 8 decodes (all-reduces of 8 x
     * 4,096 x 2 = 65,536 B, 2 x 32 in the blocks and 1 for the
     * embedding). In-graph all-reduce curve at tp 2: 1 s at 32,768 B, 3 s
     * at 131,072 B, so 65,536 B cost 1 + 2 x 32,768 / 98,304 = 5/3 s. */
    dcs_model_t m = llama3_8b();
    dcs_device_spec_t d = h100();
    dcs_serve_replica_t r = {.model = &m,
                             .dev = &d,
                             .tp = 2,
                             .eager = 1,
                             .graphs = 1,
                             .graph_saving_s = 1e-6};
    dcs_serve_batch_t dec = {.decodes = 8, .decode_kv_tokens = 8 * 513};
    dcs_serve_cost_t c0, c;
    double base = dcs_serve_step_s(&r, &dec, &c0);
    dcs_op_t ar = mk(DCS_OP_ALL_REDUCE, 0, 0, 0);
    ar.gpus = 2;
    ar.bytes = 65536;
    double ar_s = alone(&d, &ar), ar_graph = 1.0 + 2.0 * 32768 / 98304;
    dcs_serve_replica_t g = r;
    g.ar_graph_gpus = 2;
    g.ar_graph =
        (dcs_serve_curve_t){.points = 2, .size = {32768, 131072}, .s = {1, 3}};
    double got = dcs_serve_step_s(&g, &dec, &c);
    ck_assert_double_eq_tol(got, base + 65 * (ar_graph - ar_s), 1e-9);
    ck_assert_double_eq_tol(c.comm_s, c0.comm_s + 65 * (ar_graph - ar_s), 1e-9);
    ck_assert_double_eq_tol(c.graph_saved_s, c0.graph_saved_s, 1e-15);
    /* measured at another tp: not used; a prefill is not graphed */
    dcs_serve_replica_t other = g;
    other.ar_graph_gpus = 4;
    ck_assert_double_eq(dcs_serve_step_s(&other, &dec, NULL), base);
    dcs_serve_chunk_t prompt = {.tokens = 16};
    dcs_serve_batch_t pre = {.prefill = &prompt, .nprefill = 1};
    ck_assert_double_eq(dcs_serve_step_s(&g, &pre, NULL),
                        dcs_serve_step_s(&r, &pre, NULL));
    /* RMSNorm curve 0.5 s at 1 row, 2 s at 16: 8 rows take
     * 0.5 + 1.5 x 7 / 15 = 1.2 s, + the 1 us gap the replay takes off
     * again; 2 x 32 block norms and the final one over 8 sampled rows. */
    dcs_serve_replica_t n = r;
    n.norm_s = (dcs_serve_curve_t){.points = 2, .size = {1, 16}, .s = {0.5, 2}};
    dcs_op_t norm = mk(DCS_OP_RMSNORM, 8, 4096, 0);
    double norm_s = 0.5 + 1.5 * 7.0 / 15.0;
    ck_assert_double_eq_tol(dcs_serve_step_s(&n, &dec, NULL),
                            base + 65 * (norm_s + 1e-6 - alone(&d, &norm)),
                            1e-9);
    /* a serving engine's fused layout is left as it was */
    n.eager = r.eager = 0;
    ck_assert_double_eq(dcs_serve_step_s(&n, &dec, NULL),
                        dcs_serve_step_s(&r, &dec, NULL));
}
END_TEST

/* The predicted_ms that `dcsim validate` printed on the line of model
 * `key`: the field after measured_ms. */
static double predicted_on(const char *out, const char *key)
{
    const char *at = strstr(out, key);
    ck_assert_msg(at != NULL, "no line with '%s' in:\n%s", key, out);
    const char *eol = strchr(at, '\n');
    char line[512];
    size_t n = eol ? (size_t)(eol - at) : strlen(at);
    ck_assert(n < sizeof line);
    memcpy(line, at, n);
    line[n] = 0;
    /* model tp phase batch prompt context measured predicted ... */
    char *save = NULL, *tok = strtok_r(line, " ", &save);
    for (int i = 0; i < 7 && tok; i++)
        tok = strtok_r(NULL, " ", &save);
    ck_assert_ptr_nonnull(tok);
    return atof(tok);
}

/* Plain PyTorch's RMSNorm on the H100 at width 4,096 (Llama 3 8B's), by
 * hand from tests/kernels/data/h100-sxm/norm.csv: tokens, us per call. */
static void h100_norm_4096(dcs_serve_replica_t *r)
{
    static const double rows[][2] = {
        {1, 4.363},     {2, 4.476},     {4, 4.498},    {8, 4.544},
        {16, 4.616},    {32, 4.614},    {64, 4.659},   {128, 4.834},
        {256, 5.047},   {512, 5.427},   {1024, 6.372}, {2048, 12.606},
        {4096, 29.101}, {8192, 60.918},
    };
    int n = (int)(sizeof rows / sizeof rows[0]);
    ck_assert_int_le(n, DCS_SERVE_CURVE_POINTS);
    r->norm_s.points = n;
    for (int k = 0; k < n; k++) {
        r->norm_s.size[k] = rows[k][0];
        r->norm_s.s[k] = rows[k][1] * 1e-6;
    }
}

START_TEST(test_validate_reads_serving_rows)
{
    const char *args[] = {"validate",
                          "--device",
                          "h100-sxm",
                          "--serve-data",
                          DCSIM_TEST_DATA "/serve",
                          NULL};
    char *out, *err;
    int rc = run_dcsim(args, &out, &err);
    ck_assert_msg(rc == 0, "%s", err);
    /* Row 1: 2 prompts of 128 tokens, tp 1, 2 layers of Llama 3 8B, as
     * plain PyTorch runs them. */
    dcs_model_t m = llama3_8b();
    m.layers = 2;
    dcs_device_spec_t d = h100();
    dcs_serve_replica_t r = {.model = &m, .dev = &d, .tp = 1, .eager = 1};
    /* Plain PyTorch's costs from tests/kernels/data/h100-sxm/eager.csv, by
     * hand: graph savings (stream - graph) / kernels = (139.642 - 94.626)
     * / 45, (271.043 - 181.046) / 87, (531.680 - 356.928) / 171 us,
     * median 1.021942 us; each slow kernel's largest strided row, bytes /
     * time; RMSNorm's floor from norm.csv at the model's width. No host
     * pace: no eager decode of one token in this file. */
    r.graphs = 1;
    r.graph_saving_s = (531.680 - 356.928) / 171 * 1e-6;
    r.slow_bw[DCS_SLOW_ROPE_NEG] = 268435456 / 190.800e-6;
    r.slow_bw[DCS_SLOW_ROPE_CAT] = 536870912 / 560.176e-6;
    r.slow_bw[DCS_SLOW_ROPE_MUL] = 545259520 / 380.944e-6;
    r.slow_bw[DCS_SLOW_SILU] = 1879048192 / 1292.464e-6;
    r.slow_bw[DCS_SLOW_MUL] = 2818572288 / 1336.448e-6;
    h100_norm_4096(&r);
    dcs_serve_chunk_t p[2] = {{.tokens = 128}, {.tokens = 128}};
    dcs_serve_batch_t b = {.prefill = p, .nprefill = 2};
    double want = dcs_serve_step_s(&r, &b, NULL) * 1e3;
    ck_assert_double_eq_tol(predicted_on(out, "tiny-prefill"), want, 1e-3);
    /* Row 2: 8 decodes at a context of 1000 (the new token attends to the
     * 1000 cached tokens and itself). */
    dcs_serve_batch_t dec = {.decodes = 8, .decode_kv_tokens = 8 * 1001};
    want = dcs_serve_step_s(&r, &dec, NULL) * 1e3;
    ck_assert_double_eq_tol(predicted_on(out, "tiny-decode"), want, 1e-3);
    ck_assert_ptr_nonnull(strstr(out, "median"));
    ck_assert_ptr_nonnull(strstr(out, "OVER")); /* row 3 is off on purpose */
    ck_assert_ptr_nonnull(strstr(out, "no time_ms")); /* row 4 has none */
    free(out);
    free(err);
    /* --check fails on it. */
    const char *check[] = {"validate", "--device",     "h100-sxm",
                           "--check",  "--serve-data", DCSIM_TEST_DATA "/serve",
                           NULL};
    rc = run_dcsim(check, &out, &err);
    ck_assert_int_eq(rc, 1);
    free(out);
    free(err);
}
END_TEST

START_TEST(test_validate_reads_graph_allreduce)
{
    /* A tp-2 decode row beside allreduce_h100-sxm.csv: its graph_gap rows
     * at tp 2, at 65,536 B the one of the larger gap (30 us, not 20), the
     * graph and tp-4 rows left out: 10 us at 16,384 B, 30 at 65,536, 70
     * at 262,144. The prefill row is not graphed. */
    const char *args[] = {"validate",
                          "--device",
                          "h100-sxm",
                          "--serve-data",
                          DCSIM_TEST_DATA "/serve_tp",
                          NULL};
    char *out, *err;
    int rc = run_dcsim(args, &out, &err);
    ck_assert_msg(rc == 0, "%s", err);
    dcs_model_t m = llama3_8b();
    m.layers = 2;
    dcs_device_spec_t d = h100();
    dcs_serve_replica_t r = {.model = &m, .dev = &d, .tp = 2, .eager = 1};
    r.graphs = 1;
    r.graph_saving_s = (531.680 - 356.928) / 171 * 1e-6;
    r.slow_bw[DCS_SLOW_ROPE_NEG] = 268435456 / 190.800e-6;
    r.slow_bw[DCS_SLOW_ROPE_CAT] = 536870912 / 560.176e-6;
    r.slow_bw[DCS_SLOW_ROPE_MUL] = 545259520 / 380.944e-6;
    r.slow_bw[DCS_SLOW_SILU] = 1879048192 / 1292.464e-6;
    r.slow_bw[DCS_SLOW_MUL] = 2818572288 / 1336.448e-6;
    h100_norm_4096(&r);
    dcs_serve_chunk_t p = {.tokens = 128};
    dcs_serve_batch_t pre = {.prefill = &p, .nprefill = 1};
    double want = dcs_serve_step_s(&r, &pre, NULL) * 1e3;
    ck_assert_double_eq_tol(predicted_on(out, "tiny-tp2-prefill"), want, 1e-3);
    dcs_serve_batch_t dec = {.decodes = 8, .decode_kv_tokens = 8 * 1001};
    dcs_serve_cost_t plain;
    double before = dcs_serve_step_s(&r, &dec, &plain) * 1e3;
    dcs_op_t ar = mk(DCS_OP_ALL_REDUCE, 0, 0, 0);
    ar.gpus = 2;
    ar.bytes = 65536;
    /* 2 x 2 block all-reduces and the embedding's, 30 us each */
    want = before + 5 * (30e-3 - alone(&d, &ar) * 1e3);
    ck_assert_double_eq_tol(predicted_on(out, "tiny-tp2-decode"), want, 1e-3);
    ck_assert_ptr_nonnull(strstr(out, "in-graph all-reduce at tp 2"));
    free(out);
    free(err);
}
END_TEST

/* Symbolic links to every entry of `from` in `to` but `skip`. */
static void link_all(const char *from, const char *to, const char *skip)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "for f in '%s'/*; do [ \"$(basename \"$f\")\" = '%s' ] || "
             "ln -s \"$f\" '%s'/; done",
             from, skip, to);
    ck_assert_int_eq(system(cmd), 0);
}

/* run_dcsim with DCSIM_HOME set to `home`, restored after. */
static int run_at_home(const char *home, const char *const *args, char **out,
                       char **err)
{
    const char *env = getenv("DCSIM_HOME");
    char *saved = env ? strdup(env) : NULL;
    setenv("DCSIM_HOME", home, 1);
    int rc = run_dcsim(args, out, err);
    if (saved)
        setenv("DCSIM_HOME", saved, 1);
    else
        unsetenv("DCSIM_HOME");
    free(saved);
    return rc;
}

/* Writes `text` to `path`. */
static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

/* A new DCSIM_HOME in `home` that links everything of the source tree
 * (or of $DCSIM_HOME) but tests/kernels/data/h100-sxm/`file`, whose path
 * there goes to `path` for the test to write. */
static void h100_home_but(char *home, size_t home_size, const char *file,
                          char *path, size_t path_size)
{
    const char *src = getenv("DCSIM_HOME");
    if (!src || !*src)
        src = DCSIM_SOURCE_DIR;
    char dir[512], from[512], to[512];
    make_tmpdir(home, home_size);
    snprintf(dir, sizeof dir, "mkdir -p '%s/tests/kernels/data/h100-sxm'",
             home);
    ck_assert_int_eq(system(dir), 0);
    link_all(src, home, "tests");
    snprintf(from, sizeof from, "%s/tests/kernels/data", src);
    snprintf(to, sizeof to, "%s/tests/kernels/data", home);
    link_all(from, to, "h100-sxm");
    snprintf(from, sizeof from, "%s/tests/kernels/data/h100-sxm", src);
    snprintf(dir, sizeof dir, "%s/tests/kernels/data/h100-sxm", home);
    link_all(from, dir, file);
    snprintf(path, path_size, "%s/%s", dir, file);
}

START_TEST(test_validate_norm_bad_input)
{
    /* A home whose H100 measurements hold a bad norm.csv. */
    char home[64], path[600];
    h100_home_but(home, sizeof home, "norm.csv", path, sizeof path);
    const char *args[] = {"validate",
                          "--device",
                          "h100-sxm",
                          "--serve-data",
                          DCSIM_TEST_DATA "/serve",
                          NULL};
    char *out, *err;
    write_text(path,
               "kind,op,layout,layers,tokens,width,kernels,bytes,time_us\n"
               "norm,rmsnorm,graph,0,1,4096,20,16392,4.4\n"
               "norm,rmsnorm,graph,0,8,wide,20,16392,4.4\n");
    ck_assert_int_eq(run_at_home(home, args, &out, &err), 2);
    ck_assert_msg(strstr(err, "h100-sxm/norm.csv:3: width: expected a "
                              "whole number >= 1, found 'wide'") != NULL,
                  "%s", err);
    free(out);
    free(err);
    /* a count of tokens measured twice at one width */
    write_text(path,
               "kind,op,layout,layers,tokens,width,kernels,bytes,time_us\n"
               "norm,rmsnorm,graph,0,1,4096,20,16392,4.4\n"
               "norm,rmsnorm,graph,0,1,4096,20,16392,4.5\n");
    ck_assert_int_eq(run_at_home(home, args, &out, &err), 2);
    ck_assert_msg(strstr(err, "norm.csv:3: tokens: 1 at width 4096 "
                              "measured twice") != NULL,
                  "%s", err);
    free(out);
    free(err);
    /* a good one is read: the tiny rows' RMSNorm (width 4,096) at least
     * 1 s a row, so the 2-layer prefill of 256 tokens takes 5 s more */
    write_text(path,
               "kind,op,layout,layers,tokens,width,kernels,bytes,time_us\n"
               "norm,rmsnorm,graph,0,1,4096,20,16392,1e6\n"
               "norm,rmsnorm,graph,0,1,8192,20,16392,9e9\n");
    ck_assert_int_eq(run_at_home(home, args, &out, &err), 0);
    ck_assert_double_gt(predicted_on(out, "tiny-prefill"), 5 * 1e3);
    ck_assert_double_lt(predicted_on(out, "tiny-prefill"), 5.1 * 1e3);
    ck_assert_ptr_nonnull(strstr(out, "RMSNorm 1000000.0 us at width 4096"));
    free(out);
    free(err);
    remove_tree(home);
}
END_TEST

START_TEST(test_validate_eager_bad_input)
{
    /* A home whose H100 measurements hold a bad eager.csv: a byte count
     * that is not a number, then a time of 0, each named by file, line and
     * column, exit 2. */
    char home[64], path[600];
    h100_home_but(home, sizeof home, "eager.csv", path, sizeof path);
    const char *args[] = {"validate",
                          "--device",
                          "h100-sxm",
                          "--serve-data",
                          DCSIM_TEST_DATA "/serve",
                          NULL};
    char *out, *err;
    const char *head =
        "kind,op,layout,layers,tokens,width,kernels,bytes,time_us\n"
        "graph,decode,eager,2,1,256,45,0,94.6\n";
    char text[512];
    snprintf(text, sizeof text, "%s%s", head,
             "stream,decode,eager,2,1,256,45,lots,139.6\n");
    write_text(path, text);
    ck_assert_int_eq(run_at_home(home, args, &out, &err), 2);
    ck_assert_msg(strstr(err, "h100-sxm/eager.csv:3: bytes: expected a "
                              "number >= 0, found 'lots'") != NULL,
                  "%s", err);
    free(out);
    free(err);
    snprintf(text, sizeof text, "%s%s", head,
             "stream,decode,eager,2,1,256,45,0,0\n");
    write_text(path, text);
    ck_assert_int_eq(run_at_home(home, args, &out, &err), 2);
    ck_assert_msg(strstr(err, "h100-sxm/eager.csv:3: time_us: expected a "
                              "number > 0, found '0'") != NULL,
                  "%s", err);
    free(out);
    free(err);
    remove_tree(home);
}
END_TEST

START_TEST(test_validate_serving_bad_input)
{
    const char *args[] = {"validate",
                          "--device",
                          "h100-sxm",
                          "--serve-data",
                          DCSIM_TEST_DATA "/serve_bad",
                          NULL};
    char *out, *err;
    int rc = run_dcsim(args, &out, &err);
    ck_assert_int_eq(rc, 2);
    ck_assert_msg(strstr(err, "serve_h100-sxm.csv:3: phase: expected "
                              "prefill or decode, found 'both'") != NULL,
                  "%s", err);
    free(out);
    free(err);
    /* the in-graph all-reduce table beside the rows: a time below 0 */
    args[4] = DCSIM_TEST_DATA "/serve_tp_bad";
    rc = run_dcsim(args, &out, &err);
    ck_assert_int_eq(rc, 2);
    ck_assert_msg(strstr(err, "allreduce_h100-sxm.csv:3: time_us: expected "
                              "a number > 0, found '-3'") != NULL,
                  "%s", err);
    free(out);
    free(err);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("servestep");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_decode_token_is_sum_of_ops);
    tcase_add_test(tc, test_prefill_prompt_is_sum_of_ops_tp2_eager);
    tcase_add_test(tc, test_pytorch_host_graphs_and_slow_kernels);
    tcase_add_test(tc, test_kv_bytes_by_hand);
    tcase_add_test(tc, test_kv_bytes_read_follow_contexts);
    tcase_add_test(tc, test_weights_and_capacity_by_hand);
    tcase_add_test(tc, test_fp8_weights_and_chunks);
    tcase_add_test(tc, test_refuses_what_it_cannot_price);
    tcase_add_test(tc, test_validate_reads_serving_rows);
    tcase_add_test(tc, test_validate_eager_bad_input);
    tcase_add_test(tc, test_measured_curve_by_hand);
    tcase_add_test(tc, test_graph_allreduce_and_norm);
    tcase_add_test(tc, test_validate_reads_graph_allreduce);
    tcase_add_test(tc, test_validate_norm_bad_input);
    tcase_add_test(tc, test_validate_serving_bad_input);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
