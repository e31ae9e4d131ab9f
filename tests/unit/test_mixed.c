/* test_mixed.c - whole runs on a cluster of pools (a mixed fleet), through
 * dcs_world_run() and the dcsim command.
 *
 * Invariants, on cases worked out by hand:
 * - a trace's jobs whose gpu_type names no pool, or that are larger than
 *   the pool they name (or, naming none, than every pool), are dropped and
 *   counted; the rest run on their pool, at its speed, and jobs.csv names
 *   the pool;
 * - GPU energy is each GPU's own device power over its states, host energy
 *   each node's own pool's host power, and a job's energy its GPUs' plus
 *   its share of its pool's hosts; utilization.csv has a row per pool;
 * - a synthetic job larger than the largest pool, a synthetic gpu_types
 *   entry naming no pool (or any on a cluster of one device) or a pool too
 *   small for the stream's job sizes, are refused as bad input with
 *   FILE:LINE:COL (exit 2 from the command), and so are serving replicas
 *   naming no pool or an unknown one (training jobs run on pools:
 *   test_trainpool.c); typed synthetic
 *   jobs run on their pool, and gpu_types leaves the other draws alone;
 * - the Alibaba GPU 2023 sample's pods that name a GPU model run on the
 *   pool of that name, and are dropped where no pool has it;
 * - serving replicas on the pool they name, priced on its device, beside
 *   jobs on the other;
 * - pools with their own GPU and server prices: the run's capex and each
 *   job's cost at its pool's prices;
 * - EASY reserves for its head on a pool the head may use, and SRTF and
 *   priority stop only jobs on a pool the waiting job may use;
 * - the shipped mixed cluster (topologies/clusters/mixed-h100-a100.yaml)
 *   loads and runs. */
#include <check.h>
#include <csv.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/world.h"
#include "support.h"

#define SC DCSIM_TEST_DATA "/scenario/"

/* ---- a CSV as rows of strings ----------------------------------------- */

typedef struct table {
    char ***rows;
    size_t *ncols;
    size_t nrows, cap;
} table_t;

static void open_row(table_t *t)
{
    if (t->nrows == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->rows = realloc(t->rows, t->cap * sizeof *t->rows);
        t->ncols = realloc(t->ncols, t->cap * sizeof *t->ncols);
    }
    t->rows[t->nrows] = NULL;
    t->ncols[t->nrows] = 0;
}

static void on_field(void *s, size_t len, void *data)
{
    table_t *t = data;
    size_t r = t->nrows;
    t->rows[r] = realloc(t->rows[r], (t->ncols[r] + 1) * sizeof(char *));
    t->rows[r][t->ncols[r]++] = strndup(s ? s : "", len);
}

static void on_row(int c, void *data)
{
    (void)c;
    table_t *t = data;
    t->nrows++;
    open_row(t);
}

static table_t read_csv(const char *dir, const char *file)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    table_t t = {0};
    open_row(&t);
    struct csv_parser p;
    ck_assert_int_eq(csv_init(&p, CSV_STRICT | CSV_APPEND_NULL), 0);
    size_t len;
    char *data = slurp(path, &len);
    ck_assert_uint_eq(csv_parse(&p, data, len, on_field, on_row, &t), len);
    csv_fini(&p, on_field, on_row, &t);
    csv_free(&p);
    free(data);
    return t;
}

static void free_table(table_t *t)
{
    for (size_t r = 0; r <= t->nrows; r++) {
        for (size_t c = 0; c < t->ncols[r]; c++)
            free(t->rows[r][c]);
        free(t->rows[r]);
    }
    free(t->rows);
    free(t->ncols);
}

static const char *cell(const table_t *t, size_t row, const char *name)
{
    for (size_t c = 0; c < t->ncols[0]; c++)
        if (!strcmp(t->rows[0][c], name))
            return t->rows[row][c];
    ck_abort_msg("no column %s", name);
    return NULL;
}

static double num(const table_t *t, size_t row, const char *name)
{
    return atof(cell(t, row, name));
}

static void run_ok(const char *scenario, const char *out,
                   const char *const *sets, size_t nsets)
{
    dcs_run_opts_t o = {scenario, out, 0, 0, sets, nsets, NULL, NULL, 0};
    dcs_err_t err = {""};
    ck_assert_msg(dcs_world_run(&o, NULL, &err) == 0, "%s", err.msg);
}

static void expect_error(const char *scenario, const char *const *sets,
                         size_t nsets, const char *want)
{
    char tmp[64], out[128];
    make_tmpdir(tmp, sizeof tmp);
    snprintf(out, sizeof out, "%s/out", tmp);
    dcs_run_opts_t o = {scenario, out, 0, 0, sets, nsets, NULL, NULL, 0};
    dcs_err_t err = {""};
    int rc = dcs_world_run(&o, NULL, &err);
    int made = exists(out);
    remove_tree(tmp);
    ck_assert_int_eq(rc, DCS_EINPUT);
    ck_assert_str_eq(err.msg, want);
    ck_assert(!made);
}

#define KWH(j) ((j) / 3.6e6)

START_TEST(test_trace_on_pools)
{
    /* mixed_trace.yaml: pool H100 (node 0, GPUs 0-1; idle 121.6 W, busy
     * 600 W from its file; host 1000 W), pool A100 (node 1, GPUs 2-3; idle
     * 55 W, busy 85 % of its 400 W TDP = 340 W; host 500 W; speed 0.5).
     * The trace (traces/mixed.csv), all at 0 s, FIFO:
     *   a1 H100 2 GPUs 100 s -> GPUs 0, 1, [0, 100);
     *   b1 A100 2 GPUs 100 s -> GPUs 2, 3 at half speed, [0, 200);
     *   u1 (none) 1 GPU 50 s: nothing free; at 100 s the H100s (2 free
     *     against 0) -> GPU 0, [100, 150);
     *   x1 V100: no such pool, dropped; big a100 3 GPUs: the A100 pool has
     *   2, dropped; bigany 3 GPUs: no pool has 3, dropped.
     * Makespan 200 s. GPU energy:
     *   GPU 0: 600 x 150 + 121.6 x 50 = 96,080 J
     *   GPU 1: 600 x 100 + 121.6 x 100 = 72,160 J
     *   GPUs 2, 3: 340 x 200 each = 136,000 J
     *   total 304,240 J.
     * Host energy: 1000 W x 200 s + 500 W x 200 s = 300,000 J.
     * Jobs: a1 2 x 600 x 100 + 1000 / 2 x 2 x 100 = 220,000 J;
     *       b1 2 x 340 x 200 + 500 / 2 x 2 x 200 = 236,000 J;
     *       u1 600 x 50 + 1000 / 2 x 50 = 55,000 J. */
    char tmp[64];
    make_tmpdir(tmp, sizeof tmp);
    run_ok(SC "mixed_trace.yaml", tmp, NULL, 0);
    table_t sum = read_csv(tmp, "summary.csv");
    table_t jobs = read_csv(tmp, "jobs.csv");
    table_t util = read_csv(tmp, "utilization.csv");
    ck_assert_double_eq_tol(num(&sum, 1, "makespan_s"), 200, 1e-9);
    ck_assert_double_eq(num(&sum, 1, "jobs_done"), 3);
    ck_assert_double_eq_tol(num(&sum, 1, "gpu_energy_kwh"), KWH(304240), 1e-9);
    ck_assert_double_eq_tol(num(&sum, 1, "it_energy_kwh") -
                                num(&sum, 1, "gpu_energy_kwh"),
                            KWH(300000), 1e-9);
    ck_assert_uint_eq(jobs.nrows, 4); /* header + a1, b1, u1 */
    const char *names[] = {"a1", "b1", "u1"};
    const char *pools[] = {"H100", "A100", "H100"};
    const double start[] = {0, 0, 100}, end[] = {100, 200, 150};
    const double joules[] = {220000, 236000, 55000};
    for (size_t r = 1; r <= 3; r++) {
        ck_assert_str_eq(cell(&jobs, r, "name"), names[r - 1]);
        ck_assert_str_eq(cell(&jobs, r, "pool"), pools[r - 1]);
        ck_assert_double_eq_tol(num(&jobs, r, "start_time_s"), start[r - 1],
                                1e-9);
        ck_assert_double_eq_tol(num(&jobs, r, "end_time_s"), end[r - 1], 1e-9);
        ck_assert_double_eq_tol(num(&jobs, r, "energy_kwh"), KWH(joules[r - 1]),
                                1e-9);
    }
    /* One interval [0, 200): cluster, pool:H100 (busy 150 + 100 of 400
     * GPU-seconds), pool:A100 (all 400), node0, node1. */
    ck_assert_uint_eq(util.nrows, 6);
    ck_assert_str_eq(cell(&util, 2, "group"), "pool:H100");
    ck_assert_double_eq_tol(num(&util, 2, "busy_frac"), 250.0 / 400, 1e-9);
    ck_assert_str_eq(cell(&util, 3, "group"), "pool:A100");
    ck_assert_double_eq_tol(num(&util, 3, "busy_frac"), 1, 1e-9);
    ck_assert_str_eq(cell(&util, 4, "group"), "node0");
    free_table(&sum);
    free_table(&jobs);
    free_table(&util);
    remove_tree(tmp);
}
END_TEST

START_TEST(test_easy_reserves_on_the_pool)
{
    /* mixed_trace.yaml's pools (H100: GPUs 0-1; A100: GPUs 2-3, speed
     * 0.5), EASY, traces/mixed_easy.csv:
     *   a H100 1 GPU 100 s at 0 -> [0, 100) on the H100s;
     *   b A100 2 GPUs 10 s at 0 -> [0, 20) (half speed);
     *   head H100 2 GPUs at 1: one H100 is free; its reservation is on
     *     the H100s, which free enough when a ends: shadow 100, no extra;
     *   d (any) 1 GPU 500 s at 2: it may land on the free H100 and would
     *     end after 100, so it may not backfill (at 20, when b leaves, it
     *     still may land there: the rule is kept). At 100 the head starts
     *     on the H100s, [100, 110), and d on the A100s, the pool with the
     *     most free GPUs, [100, 1100) at half speed.
     * Counting GPUs over the whole cluster (b's two A100s free at 20)
     * would have let d start at 2 on the free H100 and held the head back
     * to 502. */
    char tmp[64];
    make_tmpdir(tmp, sizeof tmp);
    const char *sets[] = {"workload.path=tests/unit/data/traces/mixed_easy.csv",
                          "scheduler.policy=easy"};
    run_ok(SC "mixed_trace.yaml", tmp, sets, 2);
    table_t jobs = read_csv(tmp, "jobs.csv");
    ck_assert_uint_eq(jobs.nrows, 5);
    const char *names[] = {"a", "b", "head", "d"};
    const char *pools[] = {"H100", "A100", "H100", "A100"};
    const double start[] = {0, 0, 100, 100}, end[] = {100, 20, 110, 1100};
    for (size_t r = 1; r <= 4; r++) {
        ck_assert_str_eq(cell(&jobs, r, "name"), names[r - 1]);
        ck_assert_str_eq(cell(&jobs, r, "pool"), pools[r - 1]);
        ck_assert_double_eq_tol(num(&jobs, r, "start_time_s"), start[r - 1],
                                1e-9);
        ck_assert_double_eq_tol(num(&jobs, r, "end_time_s"), end[r - 1], 1e-9);
    }
    free_table(&jobs);
    remove_tree(tmp);
}
END_TEST

START_TEST(test_srtf_stops_on_the_pool)
{
    /* mixed_trace.yaml's pools, SRTF, traces/mixed_srtf.csv: x (A100, 2
     * GPUs, 1,000 s: [0, 2000) at half speed) and y (H100, 2 GPUs, 1,000
     * s) fill the cluster; s (H100, 2 GPUs, 10 s) arrives at 1. Only
     * stopping y makes room for it: y is stopped at 1 (1 s of its work
     * kept, no save or restore costs), s runs [1, 11), y resumes at 11 and
     * ends at 1,010; x, on the other pool, is never stopped (counting
     * GPUs over the whole cluster, x, the longest remaining, went first,
     * for nothing). */
    char tmp[64];
    make_tmpdir(tmp, sizeof tmp);
    const char *sets[] = {"workload.path=tests/unit/data/traces/mixed_srtf.csv",
                          "scheduler.policy=srtf"};
    run_ok(SC "mixed_trace.yaml", tmp, sets, 2);
    table_t jobs = read_csv(tmp, "jobs.csv");
    ck_assert_uint_eq(jobs.nrows, 4);
    const char *names[] = {"x", "y", "s"};
    const double end[] = {2000, 1010, 11}, stops[] = {0, 1, 0};
    for (size_t r = 1; r <= 3; r++) {
        ck_assert_str_eq(cell(&jobs, r, "name"), names[r - 1]);
        ck_assert_double_eq_tol(num(&jobs, r, "end_time_s"), end[r - 1], 1e-9);
        ck_assert_double_eq(num(&jobs, r, "preemptions"), stops[r - 1]);
    }
    ck_assert_double_eq_tol(num(&jobs, 3, "start_time_s"), 1, 1e-9);
    free_table(&jobs);
    remove_tree(tmp);
}
END_TEST

START_TEST(test_pools_priced_apart)
{
    /* mixed_trace.yaml (cost: $20,000 a GPU, $100,000 a server, 4 years
     * straight line = 126,230,400 s), run again with the A100 pool at its
     * own prices: $10,000 a GPU, $50,000 a server. Over the 200 s run the
     * capex falls from (4 x 20,000 + 2 x 100,000) to (2 x 20,000 + 2 x
     * 10,000 + 100,000 + 50,000) x 200 / 126,230,400; b1, which held the
     * two A100s for 200 s, costs 2 x 200 x ((10,000 - 20,000) + (50,000 -
     * 100,000) / 2) / 126,230,400 less (its energy the same); a1 and u1,
     * on the H100s, the same. */
    char a[64], b[64];
    make_tmpdir(a, sizeof a);
    make_tmpdir(b, sizeof b);
    run_ok(SC "mixed_trace.yaml", a, NULL, 0);
    const char *sets[] = {"cluster.pools.1.gpu_capex_usd=10000",
                          "cluster.pools.1.node_capex_usd=50000"};
    run_ok(SC "mixed_trace.yaml", b, sets, 2);
    const double life_s = 4 * 365.25 * 86400;
    table_t sa = read_csv(a, "summary.csv"), sb = read_csv(b, "summary.csv");
    ck_assert_double_eq_tol(num(&sa, 1, "capex_cost_usd"),
                            280000.0 * 200 / life_s, 1e-9);
    ck_assert_double_eq_tol(num(&sb, 1, "capex_cost_usd"),
                            210000.0 * 200 / life_s, 1e-9);
    table_t ja = read_csv(a, "jobs.csv"), jb = read_csv(b, "jobs.csv");
    const double delta[] = {0, 2 * 200 * (-10000.0 - 25000.0) / life_s, 0};
    for (size_t r = 1; r <= 3; r++)
        ck_assert_double_eq_tol(num(&jb, r, "cost_usd") -
                                    num(&ja, r, "cost_usd"),
                                delta[r - 1], 1e-9);
    free_table(&sa);
    free_table(&sb);
    free_table(&ja);
    free_table(&jb);
    remove_tree(a);
    remove_tree(b);
    /* a price below 0: the value at column 32 */
    const char *bad[] = {"cluster.pools.1.node_capex_usd=-1"};
    expect_error(SC "mixed_trace.yaml", bad, 1,
                 "--set:1:32: field 'cluster.pools[1].node_capex_usd': "
                 "expected a number in [0, 1e+08], found '-1'");
}
END_TEST

START_TEST(test_serving_on_a_pool)
{
    /* mixed_serve.yaml: two 8B replicas on the H100 pool (both its GPUs),
     * trace jobs on the A100s. The replicas' steps are the H100's: their
     * requests.csv is the same bytes as the same replicas on a cluster of
     * one 2-GPU H100 node (serve_alone.yaml with 2 replicas on a node of
     * 2). j1 (A100, 2 GPUs, 10 s) runs [0, 20) at half speed; j2 (any, 1
     * GPU, from 1 s) finds the H100s held by the replicas and waits for
     * the A100s: [20, 40). */
    char a[64], b[64];
    make_tmpdir(a, sizeof a);
    make_tmpdir(b, sizeof b);
    run_ok(SC "mixed_serve.yaml", a, NULL, 0);
    const char *one[] = {"cluster.gpus_per_node=2", "workload.replicas=2"};
    run_ok(SC "serve_alone.yaml", b, one, 2);
    char pa[256], pb[256];
    snprintf(pa, sizeof pa, "%s/requests.csv", a);
    snprintf(pb, sizeof pb, "%s/requests.csv", b);
    size_t la = 0, lb = 0;
    char *x = slurp(pa, &la), *y = slurp(pb, &lb);
    ck_assert(la > 0 && la == lb && memcmp(x, y, la) == 0);
    free(x);
    free(y);
    table_t jobs = read_csv(a, "jobs.csv");
    ck_assert_uint_eq(jobs.nrows, 5);
    ck_assert_str_eq(cell(&jobs, 1, "pool"), "H100");
    ck_assert_str_eq(cell(&jobs, 2, "pool"), "H100");
    ck_assert_str_eq(cell(&jobs, 3, "name"), "j1");
    ck_assert_double_eq_tol(num(&jobs, 3, "end_time_s"), 20, 1e-9);
    ck_assert_str_eq(cell(&jobs, 4, "name"), "j2");
    ck_assert_str_eq(cell(&jobs, 4, "pool"), "A100");
    ck_assert_double_eq_tol(num(&jobs, 4, "start_time_s"), 20, 1e-9);
    free_table(&jobs);
    remove_tree(a);
    remove_tree(b);
    /* a pool the cluster lacks; a pool on a cluster of one device */
    const char *unknown[] = {"workload.0.gpu_type=V100"};
    expect_error(SC "mixed_serve.yaml", unknown, 1,
                 "--set:1:21: field 'workload[0].gpu_type': expected a pool "
                 "of cluster 'mixed' (H100, A100), found 'V100'");
    const char *on_one[] = {"workload.gpu_type=H100"};
    expect_error(SC "serve_alone.yaml", on_one, 1,
                 "--set:1:19: field 'workload.gpu_type': replicas may name a "
                 "pool on a cluster with pools; cluster 'one-node' has one "
                 "device");
}
END_TEST

START_TEST(test_priority_stops_on_the_pool)
{
    /* mixed_trace.yaml's pools, priority policy, traces/mixed_priority.csv:
     * h (H100, 2 GPUs, 1,000 s, class 0) from 0 and a (A100, 2 GPUs, 1,000
     * s: 2,000 s at half speed, class 0) from 5 fill the cluster; urgent
     * (H100, 2 GPUs, 10 s, class 5) arrives at 10. The victims are
     * counted on the H100s only: h is stopped (10 s of its work kept, no
     * save or restore costs), urgent runs [10, 20), h resumes and ends at
     * 1,010; a is never stopped (it started last, so counting GPUs over
     * the whole cluster stopped it first, for nothing). */
    char tmp[64];
    make_tmpdir(tmp, sizeof tmp);
    const char *sets[] = {
        "workload.path=tests/unit/data/traces/mixed_priority.csv",
        "scheduler.policy=priority"};
    run_ok(SC "mixed_trace.yaml", tmp, sets, 2);
    table_t jobs = read_csv(tmp, "jobs.csv");
    ck_assert_uint_eq(jobs.nrows, 4);
    const char *names[] = {"h", "a", "urgent"};
    const double end[] = {1010, 2005, 20}, stops[] = {1, 0, 0};
    for (size_t r = 1; r <= 3; r++) {
        ck_assert_str_eq(cell(&jobs, r, "name"), names[r - 1]);
        ck_assert_double_eq_tol(num(&jobs, r, "end_time_s"), end[r - 1], 1e-9);
        ck_assert_double_eq(num(&jobs, r, "preemptions"), stops[r - 1]);
    }
    free_table(&jobs);
    remove_tree(tmp);
}
END_TEST

START_TEST(test_trace_drops_counted)
{
    /* The command prints the reader's counts with the drops for pools. */
    char tmp[64], out[128];
    make_tmpdir(tmp, sizeof tmp);
    snprintf(out, sizeof out, "%s/out", tmp);
    const char *args[] = {"run", SC "mixed_trace.yaml", "--out", out, NULL};
    char *so, *se;
    ck_assert_int_eq(run_dcsim(args, &so, &se), 0);
    ck_assert_msg(strstr(se, "dcsim: trace: 6 records, 3 jobs kept, 0 "
                             "censored, 0 fractional; dropped: GPU model "
                             "not in the cluster 1, more GPUs than its GPU "
                             "model has 1, more GPUs than any pool 1\n"),
                  "%s", se);
    ck_assert_ptr_nonnull(strstr(so, "mixed (1 nodes x 2 h100-sxm + 1 nodes "
                                     "x 2 a100-sxm-80gb)"));
    free(so);
    free(se);
    remove_tree(tmp);
}
END_TEST

START_TEST(test_bad_input_on_pools)
{
    /* `workload.gpu_counts=[1,4]`: `4` at column 24; each pool has 2. */
    const char *big[] = {"workload.gpu_counts=[1,4]"};
    expect_error(SC "mixed_synth.yaml", big, 1,
                 "--set:1:24: field 'workload.gpu_counts[1]': a job of 4 "
                 "GPUs can never run on cluster 'mixed': a job runs on one "
                 "pool, and the largest, 'H100', has 2 GPUs");
    /* `workload.kind=serving` naming no pool, on two (training jobs run
     * on pools: test_trainpool.c). */
    const char *serve[] = {"workload.kind=serving"};
    expect_error(SC "mixed_trace.yaml", serve, 1,
                 "--set:1:15: field 'workload.kind': on cluster 'mixed' of "
                 "pools (H100, A100) the replicas run on one: name it with "
                 "gpu_type");
}
END_TEST

START_TEST(test_synthetic_jobs_one_pool_each)
{
    /* Untyped jobs of 1 and 2 GPUs on two pools of one node: every job
     * that ran names one of the two pools, and all 40 finish. */
    char tmp[64];
    make_tmpdir(tmp, sizeof tmp);
    run_ok(SC "mixed_synth.yaml", tmp, NULL, 0);
    table_t jobs = read_csv(tmp, "jobs.csv");
    ck_assert_uint_eq(jobs.nrows, 41);
    int on[2] = {0, 0};
    for (size_t r = 1; r < jobs.nrows; r++) {
        ck_assert_str_eq(cell(&jobs, r, "state"), "done");
        const char *pool = cell(&jobs, r, "pool");
        ck_assert(!strcmp(pool, "H100") || !strcmp(pool, "A100"));
        on[!strcmp(pool, "A100")]++;
    }
    ck_assert(on[0] > 0 && on[1] > 0);
    free_table(&jobs);
    remove_tree(tmp);
}
END_TEST

START_TEST(test_synthetic_gpu_types)
{
    /* gpu_types {values: [A100, ""], weights: [1, 0]}: every job asks for
     * the A100s and runs there; its own stream leaves the other draws
     * alone (the same submissions and sizes as without it). */
    char a[64], b[64];
    make_tmpdir(a, sizeof a);
    make_tmpdir(b, sizeof b);
    const char *sets[] = {
        "workload.gpu_types={values: [A100, \"\"], weights: [1, 0]}"};
    run_ok(SC "mixed_synth.yaml", a, sets, 1);
    run_ok(SC "mixed_synth.yaml", b, NULL, 0);
    table_t typed = read_csv(a, "jobs.csv"), plain = read_csv(b, "jobs.csv");
    ck_assert_uint_eq(typed.nrows, 41);
    ck_assert_uint_eq(plain.nrows, 41);
    for (size_t r = 1; r < typed.nrows; r++) {
        ck_assert_str_eq(cell(&typed, r, "pool"), "A100");
        ck_assert_str_eq(cell(&typed, r, "submit_time_s"),
                         cell(&plain, r, "submit_time_s"));
        ck_assert_str_eq(cell(&typed, r, "gpus"), cell(&plain, r, "gpus"));
    }
    free_table(&typed);
    free_table(&plain);
    remove_tree(a);
    remove_tree(b);
}
END_TEST

START_TEST(test_synthetic_gpu_types_bad)
{
    /* `workload.gpu_types={values: [H100, V100], ...}`: V100 at column 36. */
    const char *v100[] = {
        "workload.gpu_types={values: [H100, V100], weights: [1, 1]}"};
    expect_error(SC "mixed_synth.yaml", v100, 1,
                 "--set:1:36: field 'workload.gpu_types.values[1]': expected "
                 "a pool of cluster 'mixed' (H100, A100) or \"\" for any, "
                 "found 'V100'");
    /* 2-GPU jobs (mixed_synth.yaml line 24, `2` at column 19) on an H100
     * pool of 1 node x 1 GPU. */
    const char *small[] = {"workload.gpu_types={values: [H100], weights: [1]}",
                           "cluster.pools.0.gpus_per_node=1",
                           "cluster.pools.1.gpus_per_node=1"};
    expect_error(SC "mixed_synth.yaml", small, 3,
                 SC "mixed_synth.yaml:24:19: field 'workload.gpu_counts[1]': "
                    "a job of 2 GPUs can never run on pool 'H100' of 1 GPUs, "
                    "which gpu_types names");
    /* A cluster of one device has no models to name: `workload.gpu_types`
     * at column 20 (the value). */
    const char *one[] = {"workload.gpu_types={values: [H100], weights: [1]}"};
    expect_error(SC "good.yaml", one, 1,
                 "--set:1:20: field 'workload.gpu_types': jobs may name GPU "
                 "models on a cluster with pools; cluster 'classroom-2node' "
                 "has one device");
    /* The command: exit 2, the message on stderr. */
    const char *args[] = {"run",
                          SC "mixed_synth.yaml",
                          "--set",
                          "workload.gpu_types={values: [H100, V100], "
                          "weights: [1, 1]}",
                          "--out",
                          "/tmp/dcsim-test-mixed-never-made",
                          NULL};
    char *so, *se;
    ck_assert_int_eq(run_dcsim(args, &so, &se), 2);
    ck_assert_ptr_nonnull(strstr(se, "found 'V100'\n"));
    ck_assert(!exists("/tmp/dcsim-test-mixed-never-made"));
    free(so);
    free(se);
}
END_TEST

START_TEST(test_alibaba_models_to_pools)
{
    /* The Alibaba 2023 sample keeps 6 pods; two name a model (gpu_spec,
     * the first of "A|B"): openb-pod-0035 V100M16 and openb-pod-0078,x G2.
     * Each runs on its pool; the untyped ones on either. */
    char tmp[64];
    make_tmpdir(tmp, sizeof tmp);
    run_ok(SC "alibaba_mixed.yaml", tmp, NULL, 0);
    table_t jobs = read_csv(tmp, "jobs.csv");
    ck_assert_uint_eq(jobs.nrows, 7);
    int typed = 0;
    for (size_t r = 1; r < jobs.nrows; r++) {
        const char *name = cell(&jobs, r, "name");
        const char *pool = cell(&jobs, r, "pool");
        ck_assert_str_eq(cell(&jobs, r, "state"), "done");
        ck_assert(!strcmp(pool, "V100M16") || !strcmp(pool, "G2"));
        if (!strcmp(name, "openb-pod-0035")) {
            ck_assert_str_eq(pool, "V100M16");
            typed++;
        }
        if (!strcmp(name, "openb-pod-0078,x")) {
            ck_assert_str_eq(pool, "G2");
            typed++;
        }
    }
    ck_assert_int_eq(typed, 2);
    free_table(&jobs);
    /* Pools named after other models of the trace (V100M32, T4): those
     * two pods name neither (the reader keeps a pod's first model), so
     * they are dropped and counted; the four untyped pods run. */
    const char *sets[] = {"cluster.pools.0.name=V100M32",
                          "cluster.pools.1.name=T4"};
    char out[128];
    snprintf(out, sizeof out, "%s/other", tmp);
    run_ok(SC "alibaba_mixed.yaml", out, sets, 2);
    jobs = read_csv(out, "jobs.csv");
    ck_assert_uint_eq(jobs.nrows, 5);
    free_table(&jobs);
    remove_tree(tmp);
}
END_TEST

START_TEST(test_shipped_mixed_cluster)
{
    /* The shipped cluster under the synthetic stream: 16 + 16 nodes of 8,
     * the A100s at speed 0.5, 256 GPUs in all. */
    char tmp[64];
    make_tmpdir(tmp, sizeof tmp);
    run_ok(SC "mixed_shipped.yaml", tmp, NULL, 0);
    table_t sum = read_csv(tmp, "summary.csv");
    ck_assert_double_eq(num(&sum, 1, "gpus"), 256);
    ck_assert_double_eq(num(&sum, 1, "jobs_done"), 40);
    free_table(&sum);
    remove_tree(tmp);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("mixed");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_trace_on_pools);
    tcase_add_test(tc, test_easy_reserves_on_the_pool);
    tcase_add_test(tc, test_srtf_stops_on_the_pool);
    tcase_add_test(tc, test_priority_stops_on_the_pool);
    tcase_add_test(tc, test_pools_priced_apart);
    tcase_add_test(tc, test_serving_on_a_pool);
    tcase_add_test(tc, test_trace_drops_counted);
    tcase_add_test(tc, test_bad_input_on_pools);
    tcase_add_test(tc, test_synthetic_jobs_one_pool_each);
    tcase_add_test(tc, test_synthetic_gpu_types);
    tcase_add_test(tc, test_synthetic_gpu_types_bad);
    tcase_add_test(tc, test_alibaba_models_to_pools);
    tcase_add_test(tc, test_shipped_mixed_cluster);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
