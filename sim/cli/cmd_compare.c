/* cmd_compare.c - `dcsim compare SCENARIO --policies a,b,c`: the same
 * scenario (same jobs, same seed) under several scheduling policies, and
 * one table comparing them.
 *
 * Each policy's run writes its reports into OUT/<policy>/ as `dcsim run`
 * would; OUT/compare.csv has one row per policy with the schedule's
 * figures from each summary.csv, and the same table is printed. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/world.h"
#include "config/table.h"
#include "report/csv.h"
#include "report/outdir.h"

static const char USAGE[] =
    "usage: dcsim compare SCENARIO.yaml --policies P1,P2,... [--out DIR]\n"
    "                     [--placement NAME] [--seed N] [--set key=value]...\n"
    "\n"
    "Runs the scenario once per scheduling policy (its scheduler.policy\n"
    "replaced; everything else, the jobs and the seed included, the same)\n"
    "and compares the schedules. Each run's reports go to DIR/<policy>/\n"
    "(default DIR: results/<scenario name>-compare); DIR/compare.csv gets\n"
    "one row per policy: jobs_done, makespan_s, mean_util_frac,\n"
    "mean_queue_delay_s, queue_delay_p95_s, mean_jct_s, jct_p50_s,\n"
    "jct_p95_s, jct_p99_s, slowdown_mean, slowdown_p95, jain_teams,\n"
    "jain_users, deadline_misses, preemptions, gpu_hours, energy_kwh\n"
    "(facility), total_cost_usd, resizes, jobs_refused; when the scenario\n"
    "serves, also slo_attainment, ttft_p90_s, tpot_p90_s, replicas_peak and\n"
    "cost_usd_per_m_tokens from serving.csv. The table is printed too, with\n"
    "each run's wall time (not in the CSV: it is not reproducible).\n"
    "`dcsim list policies` names the policies.\n"
    "Exit status: 0 success, 1 runtime failure, 2 bad input.\n";

static const char *const COLS[] = {
    "jobs_done",
    "makespan_s",
    "mean_util_frac",
    "mean_queue_delay_s",
    "queue_delay_p95_s",
    "mean_jct_s",
    "jct_p50_s",
    "jct_p95_s",
    "jct_p99_s",
    "slowdown_mean",
    "slowdown_p95",
    "jain_teams",
    "jain_users",
    "deadline_misses",
    "preemptions",
    "gpu_hours",
    "facility_energy_kwh",
    "total_cost_usd",
    "resizes",
    "jobs_refused",
    /* from serving.csv, when the scenario serves */
    "slo_attainment",
    "ttft_p90_s",
    "tpot_p90_s",
    "replicas_peak",
    "cost_usd_per_m_tokens",
};
enum {
    NCOLS = sizeof COLS / sizeof COLS[0],
    NSERVING = 5, /* the last NCOLS columns, from serving.csv */
    MAX_POLICIES = 32
};

/* Splits "a,b,c" in place; returns the count, or -1 when too many. */
static int split(char *list, char **out)
{
    int n = 0;
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        if (n == MAX_POLICIES)
            return -1;
        out[n++] = tok;
    }
    return n;
}

/* The cells of `file` in `out` (dir/<policy>) for columns [from, to) of
 * COLS into row; *found 1 when the file is there. Returns 0 or a DCS_E*
 * code with err set. */
static int read_row(const char *out, const char *file, int from, int to,
                    char row[NCOLS][64], int *found, dcs_err_t *err)
{
    char path[8300];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", out, file);
    *found = stat(path, &st) == 0;
    if (!*found)
        return 0;
    dcs_table_t t;
    int rc = dcs_table_read(path, &t, err);
    if (rc < 0)
        return rc;
    for (int c = from; c < to; c++) {
        int k = dcs_table_col(&t, COLS[c]);
        snprintf(row[c], 64, "%s", k >= 0 && t.nrows ? t.cells[0][k] : "");
    }
    dcs_table_free(&t);
    return 0;
}

/* One policy's run into dir/<policy>; its summary row (and serving.csv's,
 * *serves 1 when there is one) read back into `row` (NCOLS texts).
 * Returns 0 or a DCS_E* code with err set. */
static int run_one(const dcs_run_opts_t *base, const char *policy,
                   const char *dir, char row[NCOLS][64], double *wall_s,
                   int *serves, dcs_err_t *err)
{
    char out[8192], set[128];
    snprintf(out, sizeof out, "%s/%s", dir, policy);
    snprintf(set, sizeof set, "scheduler.policy=%s", policy);
    const char **sets = malloc((base->nsets + 1) * sizeof *sets);
    if (!sets)
        return DCS_ENOMEM;
    for (size_t i = 0; i < base->nsets; i++)
        sets[i] = base->sets[i];
    sets[base->nsets] = set;
    dcs_run_opts_t o = *base;
    o.out_dir = out;
    o.sets = sets;
    o.nsets = base->nsets + 1;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = dcs_world_run(&o, NULL, err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    free(sets);
    *wall_s = (double)(t1.tv_sec - t0.tv_sec) +
              (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (rc < 0)
        return rc;
    int found;
    if ((rc = read_row(out, "summary.csv", 0, NCOLS - NSERVING, row, &found,
                       err)) < 0)
        return rc;
    return read_row(out, "serving.csv", NCOLS - NSERVING, NCOLS, row, serves,
                    err);
}

/* compare.csv, written whole or not at all. */
static int write_csv(const char *dir, char **policies, int n,
                     char (*rows)[NCOLS][64], int serves, dcs_err_t *err)
{
    int ncols = serves ? NCOLS : NCOLS - NSERVING;
    dcs_outdir_t *o = dcs_outdir_begin(dir, err);
    if (!o)
        return DCS_EIO;
    FILE *f = dcs_outdir_create(o, "compare.csv", err);
    if (!f) {
        dcs_outdir_abort(o);
        return DCS_EIO;
    }
    const char *cols[NCOLS + 1] = {"policy"};
    for (int c = 0; c < ncols; c++)
        cols[c + 1] = COLS[c];
    dcs_csv_t w;
    dcs_csv_begin(&w, f, cols, (size_t)ncols + 1);
    for (int p = 0; p < n; p++) {
        dcs_csv_str(&w, policies[p]);
        for (int c = 0; c < ncols; c++)
            if (rows[p][c][0])
                dcs_csv_f64(&w, atof(rows[p][c]));
            else
                dcs_csv_empty(&w);
        dcs_csv_end_row(&w);
    }
    return dcs_outdir_commit(o, err);
}

static void print_table(FILE *out, char **policies, int n,
                        char (*rows)[NCOLS][64], const double *wall, int serves)
{
    static const int show[] = {0, 1, 2, 3, 5, 7, 8, 9, 11, 14, 15, 20, 23};
    size_t nshow = sizeof show / sizeof *show - (serves ? 0 : 2);
    fprintf(out, "%-10s", "policy");
    for (size_t i = 0; i < nshow; i++)
        fprintf(out, " %14.14s", COLS[show[i]]);
    fprintf(out, " %8s\n", "wall_s");
    for (int p = 0; p < n; p++) {
        fprintf(out, "%-10s", policies[p]);
        for (size_t i = 0; i < nshow; i++)
            fprintf(out, " %14.6g", atof(rows[p][show[i]]));
        fprintf(out, " %8.2f\n", wall[p]);
    }
}

int dcs_cmd_compare(int argc, char **argv, FILE *out)
{
    static const struct option opts[] = {
        {"policies", required_argument, NULL, 'p'},
        {"out", required_argument, NULL, 'o'},
        {"set", required_argument, NULL, 'S'},
        {"placement", required_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char **sets = calloc((size_t)argc + 1, sizeof *sets);
    char *list = NULL, *policies[MAX_POLICIES];
    char placement[128] = "";
    dcs_run_opts_t ro = {0};
    int c;
    if (!sets)
        return DCS_EXIT_RUNTIME;
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'p':
            list = optarg;
            break;
        case 'o':
            ro.out_dir = optarg;
            break;
        case 'S':
            sets[ro.nsets++] = optarg;
            break;
        case 'l':
            snprintf(placement, sizeof placement, "scheduler.placement=%s",
                     optarg);
            sets[ro.nsets++] = placement;
            break;
        case 'h':
            fputs(USAGE, out);
            free(sets);
            return DCS_EXIT_OK;
        default:
            fputs(USAGE, stderr);
            free(sets);
            return DCS_EXIT_INPUT;
        }
    }
    int n = list ? split(list, policies) : 0;
    if (optind != argc - 1 || n <= 0) {
        fprintf(stderr,
                "dcsim compare: expected one scenario file and --policies "
                "(at most %d)\n\n%s",
                MAX_POLICIES, USAGE);
        free(sets);
        return DCS_EXIT_INPUT;
    }
    ro.scenario_path = argv[optind];
    ro.sets = sets;
    ro.notes = stderr;
    char dir[4096];
    if (ro.out_dir) {
        snprintf(dir, sizeof dir, "%s", ro.out_dir);
    } else {
        const char *base = strrchr(ro.scenario_path, '/');
        base = base ? base + 1 : ro.scenario_path;
        snprintf(dir, sizeof dir, "results/%.*s-compare",
                 (int)strcspn(base, "."), base);
    }
    char(*rows)[NCOLS][64] = calloc((size_t)n, sizeof *rows);
    double wall[MAX_POLICIES];
    dcs_err_t err = {""};
    int rc = rows ? 0 : DCS_ENOMEM, serves = 0;
    for (int p = 0; p < n && rc == 0; p++) {
        rc = run_one(&ro, policies[p], dir, rows[p], &wall[p], &serves, &err);
        ro.notes = NULL; /* the trace's counts once is enough */
    }
    if (rc == 0)
        rc = write_csv(dir, policies, n, rows, serves, &err);
    if (rc == 0) {
        fprintf(out, "compared in %s/compare.csv\n\n", dir);
        print_table(out, policies, n, rows, wall, serves);
    }
    free(rows);
    free(sets);
    if (rc < 0) {
        fprintf(stderr, "dcsim compare: %s\n",
                err.msg[0] ? err.msg : dcs_strerror(rc));
        return dcs_cli_exit_status(rc);
    }
    return DCS_EXIT_OK;
}
