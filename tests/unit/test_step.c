/* test_step.c - one training iteration as priced ops.
 *
 * Invariants: model FLOPs are 6 N tokens + 12 L s^2 h per sequence (closed
 * form); one replica has no all-reduce, and a device without node-local
 * links prices none; the backward of a large dense model costs between 1.7
 * and 2.6 times its forward (two GEMMs per GEMM, attention bwd ~2.5x);
 * eager PyTorch costs more than a fused framework; gradient accumulation
 * multiplies forward and backward, not the optimizer; every op reported to
 * the callback adds up to forward + backward + optimizer. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/error.h"
#include "workload/layout.h"
#include "workload/step.h"

static dcs_model_t gpt(void)
{
    dcs_model_t m;
    memset(&m, 0, sizeof m);
    strcpy(m.name, "gpt-1.3b");
    m.layers = 24;
    m.hidden = 2048;
    m.ffn_hidden = 8192;
    m.heads = m.kv_heads = 16;
    m.head_dim = 128;
    m.vocab = 50304;
    m.seq_len = 2048;
    m.bias = m.learned_positions = m.tied_embeddings = true;
    m.top_k = 1;
    return m;
}

static dcs_device_spec_t device(double link_bw)
{
    dcs_device_spec_t d;
    memset(&d, 0, sizeof d);
    strcpy(d.name, "test");
    for (int i = 0; i < DCS_NDTYPES; i++)
        d.perf.peak_flops[i] = 1e15;
    d.perf.mem_bw_bytes_per_s = 3e12;
    d.perf.sm_count = 132;
    d.link_bw_bytes_per_s = link_bw;
    dcs_opcost_defaults(&d.params);
    return d;
}

typedef struct sum {
    double total;
} sum_t;

static void each(void *ctx, const char *phase, const dcs_op_t *op, double count,
                 double s)
{
    sum_t *x = ctx;
    (void)phase;
    (void)op;
    x->total += count * s;
}

START_TEST(test_flops_and_structure)
{
    dcs_model_t m = gpt();
    dcs_device_spec_t d = device(450e9);
    dcs_train_plan_t p = {.dp = 1,
                          .micro_batch = 8,
                          .grad_accum = 1,
                          .seq = 2048,
                          .bucket_bytes = 25e6,
                          .eager = 1};
    dcs_step_time_t st;
    sum_t sum = {0};
    ck_assert_int_eq(dcs_step_time(&m, &p, &d, &st, each, &sum), 0);
    double n = dcs_model_params(&m), tokens = 8.0 * 2048;
    double want = 6 * n * tokens + 12.0 * 24 * 2048.0 * 2048 * 2048 * 8;
    ck_assert_double_eq_tol(st.model_flops, want, want * 1e-12);
    ck_assert_double_eq(st.allreduce_s, 0);
    ck_assert_double_eq(st.exposed_comm_s, 0);
    double ratio = st.backward_s / st.forward_s;
    ck_assert_msg(ratio > 1.7 && ratio < 2.6, "bwd/fwd %g", ratio);
    ck_assert_double_eq_tol(
        sum.total, st.forward_s + st.backward_s + st.optimizer_s, 1e-12);
    ck_assert_double_eq_tol(
        st.total_s, st.forward_s + st.backward_s + st.optimizer_s, 1e-12);
    /* Eager PyTorch moves more bytes than a fused framework. */
    dcs_step_time_t fused;
    p.eager = 0;
    dcs_step_time(&m, &p, &d, &fused, NULL, NULL);
    ck_assert(fused.total_s < st.total_s);
    /* Gradient accumulation of 4: forward and backward x4, optimizer x1. */
    dcs_step_time_t acc;
    p.eager = 1;
    p.grad_accum = 4;
    dcs_step_time(&m, &p, &d, &acc, NULL, NULL);
    ck_assert_double_eq_tol(acc.forward_s, 4 * st.forward_s, 1e-12);
    ck_assert_double_eq_tol(acc.backward_s, 4 * st.backward_s, 1e-12);
    ck_assert_double_eq_tol(acc.optimizer_s, st.optimizer_s, 1e-15);
}
END_TEST

START_TEST(test_data_parallel)
{
    dcs_model_t m = gpt();
    dcs_train_plan_t p = {.dp = 4,
                          .micro_batch = 8,
                          .grad_accum = 1,
                          .seq = 2048,
                          .bucket_bytes = 25e6,
                          .eager = 1};
    dcs_step_time_t st;
    /* With node-local links: an all-reduce of the fp32 gradients (4 N
     * bytes), mostly hidden behind backward. */
    dcs_device_spec_t d = device(450e9);
    ck_assert_int_eq(dcs_step_time(&m, &p, &d, &st, NULL, NULL), 0);
    ck_assert(st.allreduce_s > 0);
    ck_assert(st.exposed_comm_s > 0 && st.exposed_comm_s < st.allreduce_s);
    /* Without: nothing to price. */
    dcs_device_spec_t none = device(0);
    dcs_step_time(&m, &p, &none, &st, NULL, NULL);
    ck_assert_double_eq(st.allreduce_s, 0);
}
END_TEST

/* GEMM FLOPs of one iteration, from the ops the callback sees. */
typedef struct gemm_flops {
    double flops;
} gemm_flops_t;

static void count_gemm(void *ctx, const char *phase, const dcs_op_t *op,
                       double count, double s)
{
    gemm_flops_t *g = ctx;
    (void)phase;
    (void)s;
    if (op->kind == DCS_OP_GEMM)
        g->flops += count * 2.0 * (double)op->m * (double)op->n * (double)op->k;
}

START_TEST(test_context_parallel)
{
    /* cp = 2: each rank holds half of every sequence, so its GEMMs do
     * exactly half the FLOPs; K and V exchange shows up as cp_comm_s only
     * where it outlasts attention (>= 0), and model FLOPs per replica stay. */
    dcs_model_t m = gpt();
    dcs_device_spec_t d = device(450e9);
    dcs_train_plan_t p = {.dp = 1,
                          .micro_batch = 1,
                          .grad_accum = 1,
                          .seq = 8192,
                          .bucket_bytes = 25e6};
    dcs_step_time_t one, two;
    gemm_flops_t g1 = {0}, g2 = {0};
    ck_assert_int_eq(dcs_step_time(&m, &p, &d, &one, count_gemm, &g1), 0);
    p.cp = 2;
    ck_assert_int_eq(dcs_step_time(&m, &p, &d, &two, count_gemm, &g2), 0);
    ck_assert_double_eq_tol(g2.flops, g1.flops / 2, g1.flops * 1e-9);
    ck_assert_double_eq_tol(two.model_flops, one.model_flops, 1e-6);
    ck_assert(two.cp_comm_s >= 0);
    ck_assert(two.total_s < one.total_s);
    /* a sequence cp does not divide is refused */
    p.cp = 3;
    ck_assert_int_eq(dcs_step_time(&m, &p, &d, &two, NULL, NULL), DCS_EINVAL);
}
END_TEST

START_TEST(test_expert_parallel)
{
    /* A Mixtral-like MoE: 8 experts of 14336, top 2, SwiGLU. Model FLOPs
     * use the active parameters; with balanced routing a rank's GEMM FLOPs
     * do not depend on ep (t x top_k tokens through whole experts either
     * way); ep = 8 adds all-to-all and shrinks the optimizer (experts / 8
     * per rank). */
    dcs_model_t m = gpt();
    m.layers = 8;
    m.hidden = 4096;
    m.heads = 32;
    m.kv_heads = 8;
    m.ffn_hidden = 14336;
    m.experts = 8;
    m.top_k = 2;
    m.expert_ffn_hidden = 14336;
    m.activation = DCS_ACT_SWIGLU;
    m.bias = m.learned_positions = false;
    dcs_device_spec_t d = device(450e9);
    dcs_train_plan_t p = {.dp = 8,
                          .micro_batch = 1,
                          .grad_accum = 1,
                          .seq = 4096,
                          .bucket_bytes = 25e6};
    dcs_step_time_t e1, e8;
    gemm_flops_t g1 = {0}, g8 = {0};
    ck_assert_int_eq(dcs_step_time(&m, &p, &d, &e1, count_gemm, &g1), 0);
    p.ep = 8;
    ck_assert_int_eq(dcs_step_time(&m, &p, &d, &e8, count_gemm, &g8), 0);
    ck_assert_double_eq_tol(g8.flops, g1.flops, g1.flops * 1e-9);
    ck_assert_double_eq(e1.ep_comm_s, 0);
    ck_assert(e8.ep_comm_s > 0);
    ck_assert(e8.optimizer_s < e1.optimizer_s / 2);
    /* routed experts' forward GEMMs: 2 x (t top_k) x 3 h f per layer */
    double t = 4096, h = 4096, f = 14336;
    double routed_fwd = 8 * 2 * (t * 2) * 3 * h * f;
    ck_assert(g1.flops > 3 * routed_fwd); /* fwd + 2 bwd GEMMs, plus the rest */
    double tokens = 4096;
    double want = 6 * dcs_model_active_params(&m) * tokens +
                  12.0 * 8 * 4096.0 * 4096 * 4096;
    ck_assert_double_eq_tol(e8.model_flops, want, want * 1e-12);
    /* ep must divide the experts */
    p.ep = 3;
    ck_assert_int_eq(dcs_step_time(&m, &p, &d, &e8, NULL, NULL), DCS_EINVAL);
}
END_TEST

START_TEST(test_tp_overlap)
{
    /* TP 8 on a fast node: overlapping the TP collectives with the GEMMs
     * hides them down to the SM share NCCL's 24 channels take (24 / 132),
     * never below. */
    dcs_model_t m = gpt();
    dcs_device_spec_t d = device(450e9);
    dcs_train_plan_t p = {.dp = 1,
                          .micro_batch = 4,
                          .grad_accum = 1,
                          .seq = 2048,
                          .tp = 8,
                          .sp = 1};
    dcs_step_time_t plain, over;
    ck_assert_int_eq(dcs_step_time(&m, &p, &d, &plain, NULL, NULL), 0);
    p.tp_overlap = 1;
    ck_assert_int_eq(dcs_step_time(&m, &p, &d, &over, NULL, NULL), 0);
    ck_assert(plain.tp_comm_s > 0);
    ck_assert(over.tp_comm_s < plain.tp_comm_s);
    ck_assert(over.tp_comm_s >= plain.tp_comm_s * 24.0 / 132.0 - 1e-15);
    ck_assert_double_eq_tol(over.total_s - over.tp_comm_s,
                            plain.total_s - plain.tp_comm_s, 1e-12);
}
END_TEST

START_TEST(test_rank_order)
{
    /* 16 GPUs, 8 per node, tp 8 x dp 2. Default order (tp fastest): TP
     * inside a node on its links, the replicas on two nodes. Order dp, tp,
     * cp, pp: the two replicas of each rank share a node and every TP group
     * spans both nodes, so TP goes over the 50 GB/s fabric, not 450 GB/s
     * links: slower by far, and the all-reduce stays in a node. */
    dcs_model_t m = gpt();
    dcs_device_spec_t d = device(450e9);
    dcs_train_plan_t p = {.dp = 2,
                          .tp = 8,
                          .micro_batch = 4,
                          .grad_accum = 1,
                          .seq = 2048,
                          .gpus_per_node = 8,
                          .nic_bw = 50e9,
                          .nic_latency_s = 5e-6};
    dcs_step_time_t def, swapped;
    ck_assert_int_eq(dcs_step_time(&m, &p, &d, &def, NULL, NULL), 0);
    p.has_order = 1;
    p.order[0] = DCS_DIM_DP;
    p.order[1] = DCS_DIM_TP;
    p.order[2] = DCS_DIM_CP;
    p.order[3] = DCS_DIM_PP;
    ck_assert_int_eq(dcs_step_time(&m, &p, &d, &swapped, NULL, NULL), 0);
    ck_assert_int_eq(def.dp_across, 1);
    ck_assert_int_eq(swapped.dp_across, 0);
    ck_assert(swapped.tp_comm_s > 3 * def.tp_comm_s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("step");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_flops_and_structure);
    tcase_add_test(tc, test_data_parallel);
    tcase_add_test(tc, test_context_parallel);
    tcase_add_test(tc, test_expert_parallel);
    tcase_add_test(tc, test_tp_overlap);
    tcase_add_test(tc, test_rank_order);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
