/* test_failures.c - node failures and repairs: evictions keep their last
 * checkpoint, the failure process's schedule recomputed from its draws,
 * jobs it would never let finish refused (Daly's expectation by hand),
 * and the scenario keys' errors. */
#include <check.h>
#include <csv.h>
#include <gsl/gsl_randist.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/failures.h"
#include "config/cfg.h"
#include "engine/rng.h"
#include "sched_world.h"
#include "support.h"

/* At 30 s node 0 fails under hand: its job is evicted and its GPU taken. */
static void strike_node0(dcs_sim_t *sim, void *obj, int64_t arg)
{
    sched_world_t *w = obj;
    (void)arg;
    dcs_sched_evict(&w->sched, sim, w->jobs.items[0], SW_S(20));
    int gpu0 = 0;
    dcs_alloc_take(&w->sched.alloc, &gpu0, 1);
    dcs_sched_kick(&w->sched, sim);
}

START_TEST(test_evict_keeps_checkpoint)
{
    /* Two nodes of one GPU; J0 (100 s) starts on GPU 0 at 0 s. Evicted at
     * 30 s with a checkpoint every 20 s of work, it keeps 20 s; it resumes
     * at once on GPU 1, paying a 5 s restore: 5 + 80 -> ends at 115 s. */
    sched_world_t w;
    ck_assert_int_eq(sw_init(&w, 2, 1, &dcs_policy_fifo, &dcs_placement_pack),
                     0);
    w.sched.restore_ns = SW_S(5);
    w.sched.save_ns = SW_S(7); /* a failure writes nothing: not paid */
    sw_add(&w, 0, 1, 100);
    dcs_sim_at(w.sim, SW_S(30), strike_node0, &w, 0);
    sw_run(&w);
    dcs_job_t *j = w.jobs.items[0];
    ck_assert_double_eq_tol(sw_start_s(&w, 0), 0, 1e-9);
    ck_assert_double_eq_tol(sw_end_s(&w, 0), 115, 1e-9);
    ck_assert_int_eq(j->gpu_ids[0], 1);
    ck_assert_int_eq(j->evictions, 1);
    ck_assert_int_eq(j->preemptions, 0);
    ck_assert_int_eq(w.sched.evictions, 1);
    ck_assert_int_eq(j->attained_ns, SW_S(30 + 85));
    sw_free(&w);
}
END_TEST

START_TEST(test_process_from_its_draws)
{
    /* Two nodes of one GPU, mean time between failures 1 h, repairs of
     * 1,000 h on average; one job of 1 GPU for D = 2 g0, where g0 and g1
     * are the first failure gaps of nodes 0 and 1 (the stream's first two
     * draws, in node order). With g1 > 3 g0 (a seed is searched for it):
     * the job runs on node 0 from 0, is evicted at g0 with nothing kept
     * (no checkpoints), restarts on node 1 at once and ends at g0 + D. Once
     * it is done the process stops: one failure, and the run ends there. */
    const double mean_s = 3600;
    double g0 = 0, g1 = 0;
    uint64_t seed = 0;
    for (seed = 1; seed < 1000; seed++) {
        gsl_rng *r = dcs_rng_new(seed, "node-failures");
        g0 = gsl_ran_exponential(r, mean_s);
        g1 = gsl_ran_exponential(r, mean_s);
        gsl_rng_free(r);
        if (g1 > 3 * g0 + 1)
            break;
    }
    ck_assert_uint_lt(seed, 1000);
    sched_world_t w;
    ck_assert_int_eq(sw_init(&w, 2, 1, &dcs_policy_fifo, &dcs_placement_pack),
                     0);
    dcs_time_t d = SW_S(2 * g0);
    dcs_job_t *j = sw_add(&w, 0, 1, 1);
    j->duration_ns = d;
    dcs_failures_t f;
    dcs_failure_spec_t spec = {.mtbf_h = 1, .repair_h = 1000};
    ck_assert_int_eq(dcs_failures_start(&f, &spec, &w.sched, w.sim, seed, 1),
                     0);
    sw_run(&w);
    dcs_time_t t0 = dcs_time_from_s(g0);
    ck_assert_int_eq(j->end_ns, t0 + d);
    ck_assert_int_eq(dcs_sim_now(w.sim), t0 + d);
    ck_assert_int_eq(j->evictions, 1);
    ck_assert_int_eq(j->gpu_ids[0], 1);
    ck_assert_int_eq(f.failures, 1);
    ck_assert_int_eq(w.sched.node_failures, 1);
    ck_assert_int_eq(f.stopped, 1);
    ck_assert_int_eq(w.fleet.state[0], DCS_DEV_FAILED);
    ck_assert_int_eq(w.fleet.state[1], DCS_DEV_IDLE);
    dcs_failures_finish(&f, t0 + d);
    ck_assert_int_eq(f.down_ns, d);
    /* GPU 0 failed from g0: its energy is 400 W busy for g0 only, then the
     * failed state's power; the job's is the two runs' busy time. */
    ck_assert_int_eq(j->attained_ns, t0 + d);
    dcs_failures_destroy(&f);
    sw_free(&w);
}
END_TEST

START_TEST(test_hopeless_jobs_refused)
{
    /* Two nodes of one GPU failing once an hour on average, no checkpoints,
     * restores free: a job of W hours is expected to take (e^W - 1) h
     * (Daly), over 10 years (87,660 h) once W > ln(87,661) = 11.381 h. J0
     * of 11.45 h is refused at submit; J1 of 1 h runs and ends; a job of
     * 11.3 h would run; with a checkpoint every 30 min, even 1,000 h
     * would. The run ends, the process stopped once both are settled. */
    sched_world_t w;
    ck_assert_int_eq(sw_init(&w, 2, 1, &dcs_policy_fifo, &dcs_placement_pack),
                     0);
    dcs_job_t *j0 = sw_add(&w, 0, 1, 11.45 * 3600);
    dcs_job_t *j1 = sw_add(&w, 10, 1, 3600);
    dcs_failures_t f;
    dcs_failure_spec_t spec = {.mtbf_h = 1, .repair_h = 0.1};
    ck_assert_int_eq(dcs_failures_start(&f, &spec, &w.sched, w.sim, 3, 2), 0);
    sw_run(&w);
    ck_assert_int_eq(j0->state, DCS_JOB_REFUSED);
    ck_assert_int_eq(j1->state, DCS_JOB_DONE);
    ck_assert_int_eq(w.sched.refused, 1);
    ck_assert_int_eq(w.sched.hopeless_refused, 1);
    ck_assert_int_eq(f.stopped, 1);
    dcs_job_t probe = *j1;
    probe.duration_ns = SW_S(11.3 * 3600);
    ck_assert_int_eq(w.sched.hopeless(w.sched.hopeless_ctx, &probe), 0);
    probe.duration_ns = SW_S(11.45 * 3600);
    ck_assert_int_eq(w.sched.hopeless(w.sched.hopeless_ctx, &probe), 1);
    f.spec.checkpoint_s = 1800; /* (e^0.5 - 1) h per half hour: 1,297 h */
    probe.duration_ns = SW_S(1000.0 * 3600);
    ck_assert_int_eq(w.sched.hopeless(w.sched.hopeless_ctx, &probe), 0);
    dcs_failures_destroy(&f);
    sw_free(&w);
}
END_TEST

static int read_spec(const char *text, dcs_failure_spec_t *spec, dcs_err_t *err)
{
    dcs_cfg_t *cfg = dcs_cfg_load_string("s.yaml", text, err);
    ck_assert_ptr_nonnull(cfg);
    int rc = dcs_failures_read(dcs_cfg_root(cfg), spec, err);
    dcs_cfg_free(cfg);
    return rc;
}

START_TEST(test_read_and_errors)
{
    dcs_failure_spec_t spec;
    dcs_err_t err;
    ck_assert_int_eq(read_spec("policy: fifo\n", &spec, &err), 0);
    ck_assert_double_eq(spec.mtbf_h, 0);
    ck_assert_int_eq(read_spec("node_failures: {mtbf_h: 5000, repair_h: 12, "
                               "checkpoint_s: 600}\n",
                               &spec, &err),
                     0);
    ck_assert_double_eq(spec.mtbf_h, 5000);
    ck_assert_double_eq(spec.repair_h, 12);
    ck_assert_double_eq(spec.checkpoint_s, 600);
    /* a missing key, a value out of range, a wrong type: file:line */
    ck_assert_int_lt(read_spec("node_failures: {mtbf_h: 5000}\n", &spec, &err),
                     0);
    ck_assert_ptr_nonnull(strstr(err.msg, "s.yaml:1"));
    ck_assert_ptr_nonnull(strstr(err.msg, "repair_h"));
    ck_assert_int_lt(
        read_spec("node_failures:\n  mtbf_h: -1\n  repair_h: 1\n", &spec, &err),
        0);
    ck_assert_ptr_nonnull(strstr(err.msg, "s.yaml:2"));
    ck_assert_int_lt(read_spec("node_failures: 3\n", &spec, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "node_failures"));
}
END_TEST

/* Sums column `col` of a CSV file and counts its rows, with libcsv. */
typedef struct colsum {
    const char *col;
    int want, field, row;
    double sum;
    int rows;
} colsum_t;

static void cs_field(void *s, size_t len, void *data)
{
    colsum_t *c = data;
    char text[64];
    snprintf(text, sizeof text, "%.*s", (int)len, s ? (char *)s : "");
    if (c->row == 0 && strcmp(text, c->col) == 0)
        c->want = c->field;
    else if (c->row > 0 && c->field == c->want)
        c->sum += strtod(text, NULL);
    c->field++;
}

static void cs_row(int ch, void *data)
{
    colsum_t *c = data;
    (void)ch;
    c->rows += c->row > 0;
    c->row++;
    c->field = 0;
}

static colsum_t column_sum(const char *path, const char *col)
{
    colsum_t c = {.col = col, .want = -1};
    size_t len = 0;
    char *text = slurp(path, &len);
    struct csv_parser p;
    ck_assert_int_eq(csv_init(&p, 0), 0);
    ck_assert_uint_eq(csv_parse(&p, text, len, cs_field, cs_row, &c), len);
    csv_fini(&p, cs_field, cs_row, &c);
    csv_free(&p);
    free(text);
    ck_assert_int_ge(c.want, 0);
    return c;
}

START_TEST(test_training_evicted_in_a_scenario)
{
    /* The checkpoint storm (eight 32-GPU training jobs) with nodes failing
     * every 2 h on average: every job still completes all its iterations,
     * the evictions in summary.csv are the jobs' own, and the same seed
     * gives the same reports. */
    char tmp[256], a[512], b[512], path[600];
    make_tmpdir(tmp, sizeof tmp);
    snprintf(a, sizeof a, "%s/a", tmp);
    snprintf(b, sizeof b, "%s/b", tmp);
    const char *dirs[] = {a, b};
    for (int i = 0; i < 2; i++) {
        const char *args[] = {"run",   "scenarios/checkpoint-storm.yaml",
                              "--set", "scheduler.node_failures.mtbf_h=2",
                              "--set", "scheduler.node_failures.repair_h=0.5",
                              "--out", dirs[i],
                              NULL};
        char *out = NULL, *err = NULL;
        ck_assert_int_eq(run_dcsim(args, &out, &err), 0);
        free(out);
        free(err);
    }
    snprintf(path, sizeof path, "%s/jobs.csv", a);
    colsum_t ev = column_sum(path, "evictions");
    ck_assert_int_eq(ev.rows, 8);
    ck_assert_double_gt(ev.sum, 8);
    snprintf(path, sizeof path, "%s/summary.csv", a);
    ck_assert_double_eq(column_sum(path, "evictions").sum, ev.sum);
    ck_assert_double_eq(column_sum(path, "jobs_done").sum, 8);
    ck_assert_double_ge(column_sum(path, "node_failures").sum, 1);
    snprintf(path, sizeof path, "%s/training.csv", a);
    /* 8 x 38,147 iterations (the scenario's token count over its batch) */
    ck_assert_double_eq(column_sum(path, "iterations").sum, 8 * 38147.0);
    const char *files[] = {"jobs.csv", "summary.csv", "training.csv"};
    for (int i = 0; i < 3; i++) {
        char pa[600], pb[600];
        snprintf(pa, sizeof pa, "%s/%s", a, files[i]);
        snprintf(pb, sizeof pb, "%s/%s", b, files[i]);
        size_t la, lb;
        char *ta = slurp(pa, &la), *tb = slurp(pb, &lb);
        ck_assert_uint_eq(la, lb);
        ck_assert_int_eq(memcmp(ta, tb, la), 0);
        free(ta);
        free(tb);
    }
    remove_tree(tmp);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("failures");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_evict_keeps_checkpoint);
    tcase_add_test(tc, test_process_from_its_draws);
    tcase_add_test(tc, test_hopeless_jobs_refused);
    tcase_add_test(tc, test_read_and_errors);
    tcase_add_test(tc, test_training_evicted_in_a_scenario);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
