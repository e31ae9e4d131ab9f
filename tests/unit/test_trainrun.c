/* test_trainrun.c - training runs over wall time, and per-rank memory.
 *
 * Training run: without failures the wall time is N T + (checkpoints) W,
 * checkpoints = floor((N - 1) / k); the time always splits exactly into
 * compute, checkpoints, lost work and restarts; advancing whole runs of
 * iterations at once agrees with advancing one at a time (same draws) to
 * 0.1 % on a run with failures; the failure count is near rate x wall
 * time; Young/Daly is sqrt(2 W M) to first order; the mean wall time of
 * many runs under failures is Daly's expectation (dcs_expected_wall_s).
 * Memory: the closed forms of Korthikanti et al. 2022 (34 s b h / t per
 * block with sequence parallelism, 2 s b h with full recompute) and of
 * ZeRO (16 bytes per parameter, sharded by stage), computed here by hand
 * for a GPT-3 175B plan. */
#include <check.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <string.h>

#include "workload/job.h"
#include "workload/memory.h"
#include "workload/trainrun.h"

START_TEST(no_failures_closed_form)
{
    dcs_train_run_spec_t spec = {2.0, 1000, 100, 30.0, 600, 0};
    dcs_train_run_t r;
    dcs_train_run(&spec, NULL, 0, &r);
    /* checkpoints after 100, 200, ..., 900 (not after the last) */
    ck_assert_int_eq(r.checkpoints, 9);
    ck_assert_double_eq_tol(r.wall_s, 1000 * 2.0 + 9 * 30.0, 1e-9);
    ck_assert_int_eq(r.failures, 0);
}
END_TEST

START_TEST(whole_iterations_agree_with_stepwise)
{
    /* 20,000 iterations of 3 s, a checkpoint every 500 (25 min) costing
     * 60 s, a failure every 3 h on average, 10 min restarts. */
    dcs_train_run_spec_t spec = {3.0, 20000, 500, 60.0, 600, 1.0 / 10800};
    gsl_rng *a = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng *b = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(a, 7);
    gsl_rng_set(b, 7);
    dcs_train_run_t whole, step;
    int64_t n_whole = dcs_train_run(&spec, a, 0, &whole);
    int64_t n_step = dcs_train_run(&spec, b, 1, &step);
    ck_assert_int_gt(whole.failures, 3);
    ck_assert_int_eq(whole.failures, step.failures);
    ck_assert_int_eq(whole.checkpoints, step.checkpoints);
    ck_assert_double_le(fabs(whole.wall_s - step.wall_s), 1e-3 * step.wall_s);
    ck_assert_double_le(fabs(whole.lost_s - step.lost_s), 1e-3 * step.wall_s);
    /* the shortcut takes far fewer steps than iterations */
    ck_assert_int_lt(n_whole * 20, n_step);
    /* the wall time splits exactly */
    ck_assert_double_eq_tol(whole.wall_s,
                            whole.compute_s + whole.ckpt_s + whole.lost_s +
                                whole.restart_s,
                            1e-6 * whole.wall_s);
    gsl_rng_free(a);
    gsl_rng_free(b);
}
END_TEST

START_TEST(external_checkpoints_agree)
{
    /* Checkpoints written by the caller, each said to take W, give the run
     * the runner's own writes give (same draws); writes said to take 2 W
     * add W per checkpoint; a failure during a write is lost work. */
    dcs_train_run_spec_t spec = {3.0, 20000, 500, 60.0, 600, 1.0 / 10800};
    gsl_rng *a = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng *b = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(a, 7);
    gsl_rng_set(b, 7);
    dcs_train_run_t own;
    dcs_train_run(&spec, a, 0, &own);
    dcs_train_runner_t r;
    dcs_train_runner_init(&r, &spec, b);
    r.external = 1;
    int rc, struck = 0;
    while ((rc = dcs_train_runner_advance(&r, INFINITY, 0)) == 2) {
        if (r.s.t + spec.ckpt_write_s > r.s.fail) {
            dcs_train_runner_ckpt_failed(&r);
            struck++;
        } else {
            dcs_train_runner_ckpt_done(&r, spec.ckpt_write_s);
        }
    }
    ck_assert_int_eq(rc, 1);
    ck_assert_int_eq(r.out.checkpoints, own.checkpoints);
    ck_assert_int_eq(r.out.failures, own.failures);
    ck_assert_double_eq_tol(r.out.wall_s, own.wall_s, 1e-9 * own.wall_s);
    ck_assert_double_eq_tol(r.out.lost_s, own.lost_s, 1e-9 * own.wall_s);
    /* no failures: writes of 2 W */
    dcs_train_run_spec_t calm = {2.0, 1000, 100, 30.0, 600, 0};
    dcs_train_runner_init(&r, &calm, NULL);
    r.external = 1;
    while (dcs_train_runner_advance(&r, INFINITY, 0) == 2)
        dcs_train_runner_ckpt_done(&r, 60.0);
    ck_assert_int_eq(r.out.checkpoints, 9);
    ck_assert_double_eq_tol(r.out.wall_s, 1000 * 2.0 + 9 * 60.0, 1e-9);
    ck_assert_double_eq_tol(r.out.ckpt_s, 9 * 60.0, 1e-9);
    /* a failure 10 s into the first write: 200 s of iterations and the
     * 10 s of writing are lost, then the restart */
    dcs_train_runner_init(&r, &calm, NULL);
    r.external = 1;
    ck_assert_int_eq(dcs_train_runner_advance(&r, INFINITY, 0), 2);
    ck_assert_double_eq_tol(r.s.t, 200.0, 1e-9);
    r.s.fail = 210.0;
    dcs_train_runner_ckpt_failed(&r);
    ck_assert_double_eq_tol(r.out.lost_s, 210.0, 1e-9);
    ck_assert_int_eq(r.s.done, 0);
    ck_assert_double_eq_tol(r.s.t, 210.0 + 600.0, 1e-9);
    (void)struck;
    gsl_rng_free(a);
    gsl_rng_free(b);
}
END_TEST

START_TEST(failure_count_follows_rate)
{
    /* Poisson: over wall time w at rate r, about r w failures; 200 runs
     * pooled keep the relative error of the mean near 1 %. */
    dcs_train_run_spec_t spec = {1.0, 100000, 3600, 10.0, 300, 1.0 / 7200};
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 11);
    double failures = 0, wall = 0;
    for (int i = 0; i < 200; i++) {
        dcs_train_run_t r;
        dcs_train_run(&spec, g, 0, &r);
        failures += (double)r.failures;
        wall += r.wall_s;
    }
    double expect = wall * spec.failure_rate_per_s;
    ck_assert_double_le(fabs(failures - expect), 0.05 * expect);
    gsl_rng_free(g);
}
END_TEST

/* The mean wall time of many runs under failures against Daly's
 * expectation, M e^(R/M) (e^(s/M) - 1) per segment of s between
 * checkpoints, worked here by hand: 1,000 iterations of 3.6 s (an hour),
 * a failure an hour on average, 10-minute restarts. With no checkpoint:
 * 3600 e^(1/6) (e - 1) = 7,308 s; with one every 250 iterations written
 * at no cost: 4 x 3600 e^(1/6) (e^(1/4) - 1) = 4,832 s. 4,000 runs each:
 * the standard error of the mean is about 1.5 %, the tolerance 5 %. */
START_TEST(expected_wall_under_failures)
{
    static const struct {
        int64_t every;
        double hand_s;
    } cases[] = {{0, 7307.7}, {250, 4831.7}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        dcs_train_run_spec_t spec = {3.6, 1000,  cases[c].every,
                                     0.0, 600.0, 1.0 / 3600};
        double want = dcs_expected_wall_s(3600.0, 3.6 * (double)cases[c].every,
                                          3600.0, 600.0);
        ck_assert_double_eq_tol(want, cases[c].hand_s, 0.1);
        gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(rng, 11);
        double sum = 0;
        const int runs = 4000;
        for (int i = 0; i < runs; i++) {
            dcs_train_run_t r;
            dcs_train_run(&spec, rng, 0, &r);
            sum += r.wall_s;
        }
        gsl_rng_free(rng);
        ck_assert_double_eq_tol(sum / runs, want, 0.05 * want);
    }
    /* no failures: the work itself; a failure loses at most a segment */
    ck_assert_double_eq_tol(dcs_expected_wall_s(100.0, 0, 0, 5.0), 100.0,
                            1e-12);
    ck_assert_double_eq_tol(dcs_expected_wall_s(250.0, 100.0, 1e12, 0), 250.0,
                            1e-6);
}
END_TEST

START_TEST(young_daly)
{
    /* W = 60 s, M = 3 h: sqrt(2 W M) = 1138.4 s; Daly's correction adds
     * (1 + sqrt(W / 2M) / 3 + W / 18M) and subtracts W. */
    double w = 60, mtbf = 10800, first = sqrt(2 * w * mtbf);
    double r = w / (2 * mtbf);
    double expect = first * (1 + sqrt(r) / 3 + r / 9) - w;
    ck_assert_double_eq_tol(dcs_young_daly_s(w, mtbf), expect, 1e-9);
    ck_assert_double_lt(fabs(dcs_young_daly_s(w, mtbf) - first), 0.06 * first);
    ck_assert(isinf(dcs_young_daly_s(w, INFINITY)));
}
END_TEST

static dcs_model_t gpt175b(void)
{
    dcs_model_t m;
    memset(&m, 0, sizeof m);
    m.layers = 96;
    m.hidden = 12288;
    m.ffn_hidden = 4 * 12288;
    m.heads = m.kv_heads = 96;
    m.head_dim = 128;
    m.vocab = 51200;
    m.seq_len = 2048;
    m.bias = m.learned_positions = true;
    m.top_k = 1;
    return m;
}

START_TEST(memory_closed_forms)
{
    dcs_model_t m = gpt175b();
    dcs_train_plan_t plan = {0};
    plan.tp = 8;
    plan.pp = 8;
    plan.dp = 16;
    plan.micro_batch = 1;
    plan.grad_accum = 64;
    plan.seq = 2048;
    plan.sp = 1;
    dcs_train_memory_t mem;
    dcs_train_memory(&m, &plan, 0, &mem);
    /* First stage: 12 blocks, 8 micro-batches in flight (1F1B, pp = 8),
     * 34 s b h / t bytes each per block. */
    double sbh = 2048.0 * 12288;
    ck_assert_int_eq(mem.stage, 0);
    ck_assert_double_eq_tol(mem.activations, 34 * sbh / 8 * 12 * 8, 1);
    /* Parameters on stage 0: 12 blocks of 12 h^2 + 13 h (weights and
     * biases), plus the word embedding, over tp = 8; 2 + 4 + 12 bytes. */
    double h = 12288, block = 12 * h * h + 13 * h;
    double n = (12 * block + 51200 * h) / 8;
    ck_assert_double_le(fabs(mem.weights - 2 * n), 0.01 * 2 * n);
    ck_assert_double_le(fabs(mem.optimizer - 12 * n), 0.01 * 12 * n);
    /* Full recompute keeps 2 s b h / t per block and micro-batch. */
    plan.recompute = DCS_RECOMPUTE_FULL;
    dcs_train_memory(&m, &plan, 0, &mem);
    ck_assert_double_eq_tol(mem.activations, 2 * sbh / 8 * 12 * 8, 1);
    /* Context parallelism over 2 halves every rank's tokens. */
    plan.cp = 2;
    dcs_train_memory(&m, &plan, 0, &mem);
    ck_assert_double_eq_tol(mem.activations, sbh / 8 * 12 * 8, 1);
    plan.cp = 1;
    /* ZeRO-1 shards the optimizer over dp, ZeRO-3 also the weights. */
    plan.zero = 1;
    dcs_train_memory(&m, &plan, 0, &mem);
    ck_assert_double_le(fabs(mem.optimizer - 12 * n / 16), 0.01 * 12 * n / 16);
    ck_assert_double_le(fabs(mem.weights - 2 * n), 0.01 * 2 * n);
    plan.zero = 3;
    dcs_train_memory(&m, &plan, 0, &mem);
    ck_assert_double_le(fabs(mem.weights - 2 * n / 16), 0.01 * 2 * n / 16);
    /* Without tp, pp, recompute or ZeRO, 175B on one rank needs 16 B per
     * parameter: 2.8 TB, the optimizer the largest term. */
    dcs_train_plan_t one = {0};
    one.micro_batch = 1;
    one.seq = 2048;
    dcs_train_memory(&m, &one, 0, &mem);
    ck_assert_double_gt(mem.total, 16 * 174e9);
    const char *hint = NULL;
    ck_assert_str_eq(dcs_train_memory_largest(&mem, &hint), "optimizer");
    ck_assert_ptr_nonnull(strstr(hint, "ZeRO"));
}
END_TEST

/* Runs `spec` pausing at `at` to switch to iteration time `t2`. */
static dcs_train_run_t run_with_change(const dcs_train_run_spec_t *spec,
                                       double at, double t2, int stepwise)
{
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 5);
    dcs_train_runner_t r;
    dcs_train_runner_init(&r, spec, g);
    dcs_train_runner_advance(&r, at, stepwise);
    dcs_train_runner_set_iteration(&r, t2);
    dcs_train_runner_advance(&r, INFINITY, stepwise);
    gsl_rng_free(g);
    return r.out;
}

START_TEST(pace_change_mid_run)
{
    /* 10,000 iterations of 2 s, slowed to 3 s after 5 h (another job on
     * its links). Without failures, closed form: 9,000 iterations at 2 s,
     * then 1,000 at 3 s. With checkpoints and failures, whole-iteration
     * advancing agrees with stepwise, and the iteration time run lies
     * between all-2 s and all-3 s. */
    dcs_train_run_spec_t spec = {2.0, 10000, 0, 0, 600, 0};
    dcs_train_run_t c = run_with_change(&spec, 5 * 3600.0, 3.0, 0);
    ck_assert_double_eq_tol(c.wall_s, 9000 * 2.0 + 1000 * 3.0, 1e-6);
    ck_assert_double_eq_tol(c.compute_s, c.wall_s, 1e-6);
    spec.ckpt_every = 300;
    spec.ckpt_write_s = 20;
    spec.failure_rate_per_s = 1.0 / 7200;
    dcs_train_run_t whole = run_with_change(&spec, 5 * 3600.0, 3.0, 0);
    dcs_train_run_t step = run_with_change(&spec, 5 * 3600.0, 3.0, 1);
    ck_assert_int_gt(whole.failures, 0);
    ck_assert_int_eq(whole.failures, step.failures);
    ck_assert_double_le(fabs(whole.wall_s - step.wall_s), 1e-3 * step.wall_s);
    ck_assert_double_eq_tol(whole.wall_s,
                            whole.compute_s + whole.ckpt_s + whole.lost_s +
                                whole.restart_s,
                            1e-6 * whole.wall_s);
    dcs_train_run_t fast = run_with_change(&spec, INFINITY, 2.0, 0);
    dcs_train_run_t slow = run_with_change(&spec, 0, 3.0, 0);
    ck_assert_double_lt(fast.compute_s, whole.compute_s);
    ck_assert_double_lt(whole.compute_s, slow.compute_s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("trainrun");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, no_failures_closed_form);
    tcase_add_test(tc, whole_iterations_agree_with_stepwise);
    tcase_add_test(tc, failure_count_follows_rate);
    tcase_add_test(tc, external_checkpoints_agree);
    tcase_add_test(tc, young_daly);
    tcase_add_test(tc, expected_wall_under_failures);
    tcase_add_test(tc, pace_change_mid_run);
    tcase_add_test(tc, memory_closed_forms);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
