/* test_serving.c - the serving engine: a request alone takes exactly its
 * priced steps (TTFT = its prefill, each later token one decode step, each
 * step the sum of its ops), continuous batching admits a second request
 * between decode steps, KV preemption recomputes the newest request, and
 * disaggregated replicas autoscale by role (the role under load grows). */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "config/cfg.h"
#include "sched_world.h"
#include "workload/serving.h"

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

/* A world of one node of GPUs of `dev` serving with `batcher`. */
typedef struct serve_world {
    sched_world_t w;
    dcs_device_spec_t dev;
    dcs_serving_spec_t spec;
    dcs_serving_t sv;
    dcs_requests_t reqs;
} serve_world_t;

static void setup(serve_world_t *s, const dcs_batcher_t *batcher,
                  int64_t kv_tokens)
{
    memset(s, 0, sizeof *s);
    s->dev = h100();
    ck_assert_int_eq(
        sw_init(&s->w, 1, 8, &dcs_policy_fifo, &dcs_placement_pack), 0);
    s->w.fleet.spec.device = s->dev;
    dcs_serving_spec_t *p = &s->spec;
    p->model = llama3_8b();
    p->price =
        (dcs_serve_replica_t){.model = &p->model, .dev = &s->dev, .tp = 1};
    p->replicas = 1;
    p->batcher = batcher;
    p->max_batch_tokens = 8192;
    p->max_seqs = 64;
    p->block_tokens = 16;
    p->slo_ttft_s = p->slo_tpot_s = 1;
    p->kv_tokens = kv_tokens;
    p->kv_bytes_per_s = 1e9;
    p->swap_bytes_per_s = 1e9;
}

static void add_req(serve_world_t *s, double at_s, int in, int out)
{
    dcs_request_t q = {.id = (int64_t)s->reqs.len,
                       .arrival_ns = SW_S(at_s),
                       .input_tokens = in,
                       .output_tokens = out};
    ck_assert_int_eq(dcs_requests_add(&s->reqs, &q), 0);
}

static void run(serve_world_t *s)
{
    ck_assert_int_eq(dcs_serving_start(&s->sv, &s->spec, &s->reqs, s->w.sim,
                                       &s->w.fleet, 1, &s->w.jobs, 0,
                                       dcs_sched_submit, &s->w.sched),
                     0);
    sw_run(&s->w);
}

static void teardown(serve_world_t *s)
{
    dcs_serving_destroy(&s->sv);
    dcs_requests_destroy(&s->reqs);
    sw_free(&s->w);
}

/* The sum of a step's ops, priced one by one (servestep's callback). */
static void add_op(void *ctx, const dcs_op_t *op, double count, double s)
{
    (void)op;
    *(double *)ctx += count * s;
}

static dcs_time_t ops_ns(const serve_world_t *s, const dcs_serve_batch_t *b)
{
    double sum = 0;
    dcs_serve_step_each(&s->spec.price, b, NULL, add_op, &sum);
    return dcs_time_from_s(sum + s->spec.price.step_overhead_s);
}

START_TEST(test_one_request_is_its_steps)
{
    /* 1,000 prompt tokens, 5 output tokens, alone: the first token at the
     * end of the prefill step, then 4 decode steps at contexts 1,001 ..
     * 1,004 (the token fed attends to itself and all before it). */
    serve_world_t s;
    setup(&s, &dcs_batcher_continuous, 100000);
    add_req(&s, 0, 1000, 5);
    run(&s);
    dcs_serve_chunk_t c = {.tokens = 1000, .cached = 0, .partial = 0};
    dcs_serve_batch_t pre = {.prefill = &c, .nprefill = 1};
    dcs_time_t t = ops_ns(&s, &pre);
    const dcs_sreq_t *x = &s.sv.reqs[0];
    ck_assert_int_eq(x->first_ns, t);
    for (int g = 1; g < 5; g++) {
        dcs_serve_batch_t d = {.decodes = 1, .decode_kv_tokens = 1000 + g};
        t += ops_ns(&s, &d);
    }
    ck_assert_int_eq(x->end_ns, t);
    ck_assert_int_eq(x->generated, 5);
    ck_assert_int_eq(x->state, DCS_SREQ_DONE);
    ck_assert_int_eq(s.sv.done, 1);
    /* the replica's job ends with the last token */
    ck_assert_int_eq(s.w.jobs.items[0]->end_ns, t);
    ck_assert_int_eq(s.sv.replicas[0]->steps, 5);
    teardown(&s);
}
END_TEST

START_TEST(test_continuous_joins_between_steps)
{
    /* A (100 in, 3 out) at 0; B (50 in, 2 out) arrives during A's prefill.
     * Continuous batching: A's prefill [0, p1); then B's prefill alone
     * (prefills go first) [p1, p1 + p2); then decodes of both: A's 2nd
     * token and B's 2nd (B done) in one step d2; then A's 3rd alone. */
    serve_world_t s;
    setup(&s, &dcs_batcher_continuous, 100000);
    add_req(&s, 0, 100, 3);
    add_req(&s, 1e-6, 50, 2);
    run(&s);
    dcs_serve_chunk_t a = {.tokens = 100}, b = {.tokens = 50};
    dcs_serve_batch_t pa = {.prefill = &a, .nprefill = 1};
    dcs_serve_batch_t pb = {.prefill = &b, .nprefill = 1};
    dcs_time_t t1 = ops_ns(&s, &pa), t2 = t1 + ops_ns(&s, &pb);
    dcs_serve_batch_t both = {.decodes = 2, .decode_kv_tokens = 101 + 51};
    dcs_time_t t3 = t2 + ops_ns(&s, &both);
    dcs_serve_batch_t one = {.decodes = 1, .decode_kv_tokens = 102};
    dcs_time_t t4 = t3 + ops_ns(&s, &one);
    ck_assert_int_eq(s.sv.reqs[0].first_ns, t1);
    ck_assert_int_eq(s.sv.reqs[1].first_ns, t2);
    ck_assert_int_eq(s.sv.reqs[1].end_ns, t3);
    ck_assert_int_eq(s.sv.reqs[0].end_ns, t4);
    teardown(&s);
}
END_TEST

START_TEST(test_static_waits_for_the_batch)
{
    /* Static batching: B arrives during A's prefill but waits until A's
     * batch (A alone) is done, then runs its own. */
    serve_world_t s;
    setup(&s, &dcs_batcher_static, 100000);
    add_req(&s, 0, 100, 3);
    add_req(&s, 1e-6, 50, 2);
    run(&s);
    dcs_serve_chunk_t a = {.tokens = 100}, b = {.tokens = 50};
    dcs_serve_batch_t pa = {.prefill = &a, .nprefill = 1};
    dcs_serve_batch_t pb = {.prefill = &b, .nprefill = 1};
    dcs_serve_batch_t d1 = {.decodes = 1, .decode_kv_tokens = 101};
    dcs_serve_batch_t d2 = {.decodes = 1, .decode_kv_tokens = 102};
    dcs_serve_batch_t e1 = {.decodes = 1, .decode_kv_tokens = 51};
    dcs_time_t a_end = ops_ns(&s, &pa) + ops_ns(&s, &d1) + ops_ns(&s, &d2);
    ck_assert_int_eq(s.sv.reqs[0].end_ns, a_end);
    dcs_time_t b_first = a_end + ops_ns(&s, &pb);
    ck_assert_int_eq(s.sv.reqs[1].first_ns, b_first);
    ck_assert_int_eq(s.sv.reqs[1].end_ns, b_first + ops_ns(&s, &e1));
    teardown(&s);
}
END_TEST

START_TEST(test_kv_full_recomputes_newest)
{
    /* A KV cache of 10 blocks of 16 tokens (160 tokens; watermark 0 at
     * this size). A: 64 in (4 blocks), 40 out; B: 80 in (5 blocks), 40 out,
     * admitted together (9 blocks). A's context reaches 80 tokens (5
     * blocks) after 16 tokens: 10 blocks used; B then needs its 6th block
     * at context 96: none free, B (newest) is preempted and recomputes
     * later. Both finish; B was preempted at least once, A never. */
    serve_world_t s;
    setup(&s, &dcs_batcher_continuous, 160);
    add_req(&s, 0, 64, 40);
    add_req(&s, 0, 80, 40);
    run(&s);
    ck_assert_int_eq(s.sv.done, 2);
    ck_assert_int_eq(s.sv.reqs[0].preemptions, 0);
    ck_assert_int_ge(s.sv.reqs[1].preemptions, 1);
    ck_assert_int_eq(s.sv.reqs[0].generated, 40);
    ck_assert_int_eq(s.sv.reqs[1].generated, 40);
    /* A request longer than the cache is refused at once */
    teardown(&s);
    setup(&s, &dcs_batcher_continuous, 160);
    add_req(&s, 0, 150, 40);
    run(&s);
    ck_assert_int_eq(s.sv.rejected, 1);
    ck_assert_int_eq(s.sv.reqs[0].end_ns, -1);
    teardown(&s);
}
END_TEST

START_TEST(test_disaggregated_hand_off)
{
    /* One prefill and one decode replica: the first token at the end of
     * the prefill; the KV cache (1,000 tokens x 128 KiB at 1 GB/s) moves
     * to the decode replica, which decodes tokens 2 and 3 at contexts
     * 1,001 and 1,002. */
    serve_world_t s;
    setup(&s, &dcs_batcher_continuous, 100000);
    s.spec.replicas = 2;
    s.spec.prefill_replicas = 1;
    s.spec.decode_replicas = 1;
    add_req(&s, 0, 1000, 3);
    run(&s);
    dcs_serve_chunk_t c = {.tokens = 1000};
    dcs_serve_batch_t pre = {.prefill = &c, .nprefill = 1};
    dcs_time_t t = ops_ns(&s, &pre);
    const dcs_sreq_t *x = &s.sv.reqs[0];
    ck_assert_int_eq(x->first_ns, t);
    t += dcs_time_from_s(1000.0 * 131072 / 1e9);
    for (int g = 1; g < 3; g++) {
        dcs_serve_batch_t d = {.decodes = 1, .decode_kv_tokens = 1000 + g};
        t += ops_ns(&s, &d);
    }
    ck_assert_int_eq(x->end_ns, t);
    ck_assert_int_eq(x->first_replica, 0);
    ck_assert_int_eq(x->replica, 1);
    ck_assert_double_eq_tol(s.sv.kv_bytes_moved, 1000.0 * 131072, 1e-3);
    teardown(&s);
}
END_TEST

/* Disaggregated replicas autoscale by role: one prefill and one decode
 * replica (autoscale on queues, at most 2 of each, a look every 10 ms).
 * Prompt-heavy load (40 prompts of 4,000 tokens, one every 20 ms, 2
 * tokens out): the prompts queue at the prefill replica, so a second
 * prefill replica comes (more than up_queue 2 waiting) and takes the
 * later arrivals, and no decode replica: the decodes,
 * one token each, never queue. Decode-heavy load (40 prompts of 16
 * tokens, 400 out, 4 sequences per replica): the prefill replica keeps
 * up, the requests queue at the decode replica, a second decode replica
 * comes and takes later hand-offs. */
START_TEST(test_disaggregated_autoscale_by_role)
{
    for (int decode_heavy = 0; decode_heavy < 2; decode_heavy++) {
        serve_world_t s;
        setup(&s, &dcs_batcher_continuous, 1000000);
        s.spec.replicas = 2;
        s.spec.prefill_replicas = 1;
        s.spec.decode_replicas = 1;
        s.spec.max_seqs = decode_heavy ? 4 : 64;
        s.spec.autoscale = 1;
        s.spec.as_min = 1;
        s.spec.as_max = 2;
        s.spec.as_interval_s = 0.01;
        s.spec.as_up_queue = 2;
        s.spec.as_down_queue = 0;
        for (int i = 0; i < 40; i++)
            add_req(&s, 0.02 * i, decode_heavy ? 16 : 4000,
                    decode_heavy ? 400 : 2);
        run(&s);
        ck_assert_int_eq(s.sv.done, 40);
        ck_assert_int_eq(s.sv.scale_ups, 1);
        ck_assert_int_eq(s.sv.nreplicas, 3);
        dcs_replica_role_t want =
            decode_heavy ? DCS_ROLE_DECODE : DCS_ROLE_PREFILL;
        ck_assert_int_eq(s.sv.replicas[2]->role, want);
        /* the new replica served some of them, in its role */
        int served = 0;
        for (int i = 0; i < 40; i++)
            served += decode_heavy ? s.sv.reqs[i].replica == 2
                                   : s.sv.reqs[i].first_replica == 2;
        ck_assert_int_gt(served, 0);
        teardown(&s);
    }
}
END_TEST

/* dcs_serving_read on `body` (a workload mapping); returns its rc. */
static int read_body(const char *body, dcs_err_t *err)
{
    char text[2048];
    snprintf(text, sizeof text,
             "model: {name: m, layers: 2, hidden: 1024, ffn_hidden: 4096, "
             "heads: 8, kv_heads: 8, vocab: 32000, seq_len: 4096, "
             "activation: swiglu, norm: rmsnorm}\n%s",
             body);
    dcs_cfg_t *cfg = dcs_cfg_load_string("w.yaml", text, err);
    ck_assert_ptr_nonnull(cfg);
    dcs_device_spec_t d = h100();
    dcs_serving_spec_t spec;
    int rc = dcs_serving_read(dcs_cfg_root(cfg), &d, 8, 0, &spec, err);
    if (rc == 0) /* as the world does after reading a scenario */
        rc = dcs_cfg_check_unknown(dcs_cfg_root(cfg), err);
    dcs_cfg_free(cfg);
    return rc;
}

START_TEST(test_bad_input)
{
    dcs_err_t err;
    ck_assert_int_eq(read_body("replicas: 2\n", &err), 0);
    ck_assert_int_eq(read_body("autoscale: {max: 2}\ndisaggregation: "
                               "{prefill: 2, decode: 1}\n",
                               &err),
                     0);
    const char *bad[][2] = {
        {"batching: greedy\n", "w.yaml:2"},
        {"tp: 16\n", "larger than a node"},
        {"router: random\n", "round_robin"},
        {"weights: int4\n", "bf16"},
        {"autoscale: {min: 4, max: 2}\n", "above max"},
        {"autoscale: {max: 2}\ndisaggregation: {prefill: 3, decode: 1}\n",
         "w.yaml:3:17: field 'disaggregation': 3 prefill and 1 decode "
         "replicas at the start, outside the autoscaler's [1, 2] per role"},
        {"autoscale: {min: 2, max: 4}\ndisaggregation: {prefill: 2, decode: "
         "1}\n",
         "1 decode replicas at the start, outside the autoscaler's [2, 4]"},
        {"disaggregation: {prefill: 1}\n", "decode"},
        {"gpu_memory_util: 1.5\n", "w.yaml:2"},
        {"slo: {ttft_s: -1}\n", "ttft_s"},
        {"replicas: 0\n", "at least one replica"},
        {"max_seq: 3\n", "max_seq"},
        {"priority: 2.5\n", "w.yaml:2:11: field 'priority': expected an "
                            "integer in [-1000000, 1000000], found '2.5'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ck_assert_msg(read_body(bad[i][0], &err) < 0, "accepted: %s",
                      bad[i][0]);
        ck_assert_msg(strstr(err.msg, bad[i][1]) != NULL, "%s: %s", bad[i][0],
                      err.msg);
    }
}
END_TEST

int main(void)
{
    Suite *su = suite_create("serving");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_one_request_is_its_steps);
    tcase_add_test(tc, test_continuous_joins_between_steps);
    tcase_add_test(tc, test_static_waits_for_the_batch);
    tcase_add_test(tc, test_kv_full_recomputes_newest);
    tcase_add_test(tc, test_disaggregated_hand_off);
    tcase_add_test(tc, test_disaggregated_autoscale_by_role);
    tcase_add_test(tc, test_bad_input);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
