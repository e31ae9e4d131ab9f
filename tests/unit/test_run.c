/* test_run.c - whole runs of the quickstart scenario.
 *
 * Invariants:
 * - the same scenario and seed give byte-identical reports (all seven
 *   files), wherever they are written; another seed gives other jobs;
 * - the reports agree with each other and with closed forms: the energy.csv
 *   rows sum to the summary's facility energy; host energy is host power x
 *   nodes x makespan; network energy is ports x port power x makespan; PUE is
 * (1 + cooling) x (1 + losses) from the scenario; capex is (GPUs x GPU price +
 * nodes x node price) / lifetime x makespan. */
#include <check.h>
#include <csv.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/world.h"
#include "support.h"

static const char *const REPORTS[] = {
    "summary.csv", "jobs.csv",       "utilization.csv", "energy.csv",
    "cost.csv",    "timeseries.csv", "run.yaml",
};

static void run_quickstart(const char *out_dir, int has_seed, uint64_t seed)
{
    const char *sets[] = {"workload.jobs=60"};
    dcs_run_opts_t o = {"scenarios/quickstart.yaml",
                        out_dir,
                        has_seed,
                        seed,
                        sets,
                        1,
                        NULL,
                        NULL,
                        0};
    dcs_err_t err = {""};
    int rc = dcs_world_run(&o, NULL, &err);
    ck_assert_msg(rc == 0, "run failed: %s", err.msg);
}

static void tmpdir(char *buf, size_t size)
{
    snprintf(buf, size, "/tmp/dcsim-test-run-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(buf));
}

static void rm_rf(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_same_seed_same_bytes)
{
    char a[64], b[64], pa[128], pb[128];
    tmpdir(a, sizeof a);
    tmpdir(b, sizeof b);
    run_quickstart(a, 0, 0);
    run_quickstart(b, 0, 0);
    for (size_t i = 0; i < sizeof REPORTS / sizeof *REPORTS; i++) {
        size_t la, lb;
        snprintf(pa, sizeof pa, "%s/%s", a, REPORTS[i]);
        snprintf(pb, sizeof pb, "%s/%s", b, REPORTS[i]);
        char *da = slurp(pa, &la), *db = slurp(pb, &lb);
        ck_assert_msg(la == lb && memcmp(da, db, la) == 0, "%s differs",
                      REPORTS[i]);
        ck_assert_uint_gt(la, 0);
        free(da);
        free(db);
    }
    /* Another seed: other arrivals, so another jobs.csv. */
    run_quickstart(b, 1, 7);
    size_t la, lb;
    snprintf(pa, sizeof pa, "%s/jobs.csv", a);
    snprintf(pb, sizeof pb, "%s/jobs.csv", b);
    char *da = slurp(pa, &la), *db = slurp(pb, &lb);
    ck_assert(la != lb || memcmp(da, db, la) != 0);
    free(da);
    free(db);
    rm_rf(a);
    rm_rf(b);
}
END_TEST

/* A parsed CSV: rows of fields, the header as row 0. */
typedef struct table {
    char ***rows;
    size_t *ncols;
    size_t nrows, cap;
} table_t;

/* Makes sure row `t->nrows` exists and is empty. */
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

static table_t read_csv(const char *path)
{
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

static int col(const table_t *t, const char *name)
{
    for (size_t c = 0; c < t->ncols[0]; c++)
        if (!strcmp(t->rows[0][c], name))
            return (int)c;
    ck_abort_msg("no column %s", name);
    return -1;
}

static double num(const table_t *t, size_t row, const char *name)
{
    return atof(t->rows[row][col(t, name)]);
}

START_TEST(test_reports_agree)
{
    char dir[64], path[128];
    tmpdir(dir, sizeof dir);
    run_quickstart(dir, 0, 0);
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    table_t sum = read_csv(path);
    snprintf(path, sizeof path, "%s/energy.csv", dir);
    table_t energy = read_csv(path);
    snprintf(path, sizeof path, "%s/jobs.csv", dir);
    table_t jobs = read_csv(path);
    ck_assert_uint_eq(sum.nrows, 2);
    ck_assert_uint_eq(jobs.nrows, 61); /* header + 60 jobs */

    double makespan_s = num(&sum, 1, "makespan_s");
    double facility = 0, host = 0, gpu = 0;
    for (size_t r = 1; r < energy.nrows; r++) {
        double e = num(&energy, r, "energy_kwh");
        facility += e;
        const char *c = energy.rows[r][col(&energy, "component")];
        if (!strcmp(c, "host"))
            host += e;
        if (!strcmp(c, "gpu"))
            gpu += e;
    }
    /* Quickstart values: 2 nodes x 2500 W host; cooling 0.35, losses 0.07;
     * 16 GPUs at $25,000 and 2 nodes at $150,000 over 4 years. */
    double rel = 1e-6;
    ck_assert_double_eq_tol(facility, num(&sum, 1, "facility_energy_kwh"),
                            rel * facility);
    ck_assert_double_eq_tol(gpu, num(&sum, 1, "gpu_energy_kwh"), rel * gpu);
    ck_assert_double_eq_tol(host, 2 * 2500.0 * makespan_s / 3.6e6, rel * host);
    /* Network: classroom-2node's leaf-spine of 16 hosts, 1 leaf, 1 spine
     * has 2 x 16 host links + 2 leaf-spine links = 34 ports of 20 W. */
    double network = 0;
    for (size_t r = 1; r < energy.nrows; r++)
        if (!strcmp(energy.rows[r][col(&energy, "component")], "network"))
            network += num(&energy, r, "energy_kwh");
    ck_assert_double_eq_tol(network, 34 * 20.0 * makespan_s / 3.6e6,
                            rel * network);
    ck_assert_double_eq_tol(num(&sum, 1, "network_energy_kwh"), network,
                            rel * network);
    ck_assert_double_eq_tol(num(&sum, 1, "pue"), 1.35 * 1.07, 1e-9);
    double capex =
        (16 * 25000.0 + 2 * 150000.0) / (4 * 365.25 * 86400) * makespan_s;
    ck_assert_double_eq_tol(num(&sum, 1, "capex_cost_usd"), capex, rel * capex);
    /* GPU energy is bounded by the two power levels: 16 GPUs between 70 W
     * and 600 W for the whole run. */
    ck_assert(gpu >= 16 * 70.0 * makespan_s / 3.6e6);
    ck_assert(gpu <= 16 * 600.0 * makespan_s / 3.6e6);
    /* Every job finished, waited >= 0, and ended at end = start + run. */
    for (size_t r = 1; r < jobs.nrows; r++) {
        ck_assert_str_eq(jobs.rows[r][col(&jobs, "state")], "done");
        ck_assert(num(&jobs, r, "queue_delay_s") >= 0);
        double end = num(&jobs, r, "end_time_s");
        ck_assert_double_eq_tol(
            end, num(&jobs, r, "start_time_s") + num(&jobs, r, "run_time_s"),
            1e-6);
        ck_assert(end <= makespan_s);
    }
    free_table(&sum);
    free_table(&energy);
    free_table(&jobs);
    rm_rf(dir);
}
END_TEST

START_TEST(test_horizon_cuts_the_run)
{
    /* 60 jobs at 3 per hour arrive over about 20 h; stopping at 5 h leaves
     * jobs running or waiting. The run ends exactly at the horizon, jobs
     * that never arrived are not reported, and a running job's run time is
     * the horizon minus its start. */
    char dir[64], path[128];
    tmpdir(dir, sizeof dir);
    const char *sets[] = {"workload.jobs=60", "horizon_s=18000"};
    dcs_run_opts_t o = {
        "scenarios/quickstart.yaml", dir, 0, 0, sets, 2, NULL, NULL, 0};
    dcs_err_t err = {""};
    ck_assert_msg(dcs_world_run(&o, NULL, &err) == 0, "%s", err.msg);
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    table_t sum = read_csv(path);
    snprintf(path, sizeof path, "%s/jobs.csv", dir);
    table_t jobs = read_csv(path);
    ck_assert_str_eq(sum.rows[1][col(&sum, "makespan_s")], "18000");
    ck_assert_uint_lt(jobs.nrows - 1, 60);
    int unfinished = 0;
    for (size_t r = 1; r < jobs.nrows; r++) {
        const char *state = jobs.rows[r][col(&jobs, "state")];
        ck_assert(num(&jobs, r, "submit_time_s") <= 18000);
        if (!strcmp(state, "running")) {
            unfinished++;
            ck_assert_str_eq(jobs.rows[r][col(&jobs, "end_time_s")], "");
            ck_assert_double_eq_tol(num(&jobs, r, "run_time_s"),
                                    18000 - num(&jobs, r, "start_time_s"),
                                    1e-6);
            ck_assert(num(&jobs, r, "energy_kwh") > 0);
        } else if (!strcmp(state, "queued")) {
            unfinished++;
            ck_assert_str_eq(jobs.rows[r][col(&jobs, "start_time_s")], "");
        } else {
            ck_assert_str_eq(state, "done");
        }
    }
    ck_assert_int_gt(unfinished, 0);
    free_table(&sum);
    free_table(&jobs);
    rm_rf(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("run");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_same_seed_same_bytes);
    tcase_add_test(tc, test_reports_agree);
    tcase_add_test(tc, test_horizon_cuts_the_run);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
