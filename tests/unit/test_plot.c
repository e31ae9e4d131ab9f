/* test_plot.c - `dcsim plot` (sim/cli/cmd_plot.c and the viz/ scripts), through
 * the dcsim binary.
 *
 * Invariants checked:
 *  - on the reports of a quickstart run it writes power_pue.png,
 *    utilization.png, energy_by_component.png and cost_breakdown.png beside
 *    the CSVs, each a non-empty file that starts with the 8-byte PNG
 *    signature, prints exactly their paths, one a line, and leaves no
 *    hidden .tmp file; without budget.csv there is no budget.png;
 *  - scripts find columns by name: a timeseries.csv whose columns are in
 *    another order, with a column the scripts do not know, still draws;
 *    budget.csv, when present, gives budget.png;
 *  - a plot whose report has no rows is skipped with a note, the others
 *    are drawn, exit 0;
 *  - bad input exits 2 with one exact message and nothing on stdout: a
 *    missing folder, a file instead of a folder, a folder without reports,
 *    one whose reports are all empty, a missing or extra argument;
 *  - without gnuplot on PATH it exits 1 and says so. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"

static const char *const QUICKSTART_PNGS[] = {
    "power_pue.png",
    "utilization.png",
    "energy_by_component.png",
    "cost_breakdown.png",
};
enum { NQUICKSTART_PNGS = 4 };

/* Writes `text` to DIR/NAME. */
static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fputs(text, f) >= 0, 1);
    ck_assert_int_eq(fclose(f), 0);
}

/* DIR/NAME exists, is non-empty and starts with the PNG signature
 * (89 50 4E 47 0D 0A 1A 0A, from the PNG specification). */
static void assert_png(const char *dir, const char *name)
{
    static const char SIGNATURE[8] = "\x89PNG\r\n\x1a\n";
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    ck_assert_msg(exists(path), "%s was not written", path);
    size_t len;
    char *png = slurp(path, &len);
    ck_assert_uint_gt(len, sizeof SIGNATURE);
    ck_assert_msg(!memcmp(png, SIGNATURE, sizeof SIGNATURE), "%s is not a PNG",
                  path);
    free(png);
}

/* `dcsim plot DIR`: checks exit 0 and returns stdout and stderr. */
static void plot_ok(const char *dir, char **out, char **err)
{
    const char *args[] = {"plot", dir, NULL};
    int rc = run_dcsim(args, out, err);
    ck_assert_msg(rc == 0, "exit %d, stderr: %s", rc, *err);
}

/* `dcsim plot ARGS...` exits 2 with exactly `want` + newline on stderr and
 * nothing on stdout. */
static void expect_input_error(const char *const *args, const char *want)
{
    char *out, *err, line[1024];
    int rc = run_dcsim(args, &out, &err);
    snprintf(line, sizeof line, "%s\n", want);
    ck_assert_int_eq(rc, 2);
    ck_assert_str_eq(err, line);
    ck_assert_str_eq(out, "");
    free(out);
    free(err);
}

/* No file in DIR whose name ends in ".tmp". */
static void assert_no_tmp(const char *dir, const char *const *names, int n)
{
    for (int i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/.%s.tmp", dir, names[i]);
        ck_assert_msg(!exists(path), "%s was left behind", path);
    }
}

START_TEST(test_quickstart_pngs)
{
    char dir[64], run_dir[128];
    make_tmpdir(dir, sizeof dir);
    snprintf(run_dir, sizeof run_dir, "%s/run", dir);
    char *out, *err;
    const char *run[] = {"run", "scenarios/quickstart.yaml", "--out", run_dir,
                         NULL};
    int rc = run_dcsim(run, &out, &err);
    ck_assert_msg(rc == 0, "dcsim run: exit %d, stderr: %s", rc, err);
    free(out);
    free(err);

    plot_ok(run_dir, &out, &err);
    char want[1024] = "";
    for (int i = 0; i < NQUICKSTART_PNGS; i++) {
        assert_png(run_dir, QUICKSTART_PNGS[i]);
        size_t n = strlen(want);
        snprintf(want + n, sizeof want - n, "%s/%s\n", run_dir,
                 QUICKSTART_PNGS[i]);
    }
    ck_assert_str_eq(out, want);
    assert_no_tmp(run_dir, QUICKSTART_PNGS, NQUICKSTART_PNGS);
    char budget[256];
    snprintf(budget, sizeof budget, "%s/budget.png", run_dir);
    ck_assert(!exists(budget));
    free(out);
    free(err);

    /* A trailing slash names the same folder; the paths printed are the
     * same. */
    char slashed[160];
    snprintf(slashed, sizeof slashed, "%s/", run_dir);
    plot_ok(slashed, &out, &err);
    ck_assert_str_eq(out, want);
    free(out);
    free(err);
    remove_tree(dir);
}
END_TEST

START_TEST(test_columns_by_name)
{
    char dir[64];
    make_tmpdir(dir, sizeof dir);
    /* Columns shuffled, one the scripts do not know (water_l) and one they
     * draw by its suffix (cooling_power_w); no utilization.csv, so busy
     * GPUs come from busy_gpus. */
    write_file(dir, "timeseries.csv",
               "busy_gpus,water_l,pue,interval_end_s,facility_power_w,"
               "interval_start_s,cooling_power_w,it_power_w,running_jobs\n"
               "4,10,1.5,3600,15000,0,4000,10000,1\n"
               "8,12,1.4,7200,28000,3600,6000,20000,2\n"
               "2,9,1.6,9000,8000,7200,2500,5000,1\n");
    write_file(dir, "budget.csv",
               "team,period_start_s,period_end_s,plan_usd,actual_usd,"
               "forecast_usd,alert,alert_at_s\n"
               "nlp,0,3600,100,80,100,,\n"
               "nlp,3600,7200,100,120,120,over_actual,6000\n"
               "vision,0,3600,50,20,40,,\n"
               "vision,3600,7200,50,30,45,,\n");
    char *out, *err;
    plot_ok(dir, &out, &err);
    char want[1024];
    snprintf(want, sizeof want,
             "%s/power_pue.png\n%s/utilization.png\n"
             "%s/budget.png\n",
             dir, dir, dir);
    ck_assert_str_eq(out, want);
    assert_png(dir, "power_pue.png");
    assert_png(dir, "utilization.png");
    assert_png(dir, "budget.png");
    free(out);
    free(err);
    remove_tree(dir);
}
END_TEST

START_TEST(test_empty_report_skipped)
{
    char dir[64];
    make_tmpdir(dir, sizeof dir);
    write_file(dir, "energy.csv",
               "interval_start_s,interval_end_s,component,energy_kwh\n");
    write_file(dir, "cost.csv",
               "period_start_s,period_end_s,item,cost_usd\n"
               "0,3600,capex_gpus,10\n"
               "0,3600,energy,2.5\n");
    char *out, *err;
    plot_ok(dir, &out, &err);
    char want[256];
    snprintf(want, sizeof want, "%s/cost_breakdown.png\n", dir);
    ck_assert_str_eq(out, want);
    assert_png(dir, "cost_breakdown.png");
    ck_assert_msg(strstr(err, "dcsim plot: skipped energy_by_component.png: "
                              "energy.csv has no rows\n"),
                  "%s", err);
    char png[256];
    snprintf(png, sizeof png, "%s/energy_by_component.png", dir);
    ck_assert(!exists(png));
    free(out);
    free(err);

    /* With every report empty there is nothing to draw: bad input. */
    write_file(dir, "cost.csv", "period_start_s,period_end_s,item,cost_usd\n");
    const char *args[] = {"plot", dir, NULL};
    int rc = run_dcsim(args, &out, &err);
    ck_assert_int_eq(rc, 2);
    ck_assert_str_eq(out, "");
    char line[512];
    snprintf(line, sizeof line,
             "dcsim plot: nothing to plot in '%s': its reports have no rows "
             "or not the columns the plots need\n",
             dir);
    ck_assert_msg(strstr(err, line), "%s", err);
    free(out);
    free(err);
    remove_tree(dir);
}
END_TEST

START_TEST(test_missing_dir)
{
    char dir[64], missing[128], want[512];
    make_tmpdir(dir, sizeof dir);
    snprintf(missing, sizeof missing, "%s/no-such-run", dir);
    snprintf(want, sizeof want,
             "dcsim plot: no results folder '%s': No such file or directory",
             missing);
    const char *args[] = {"plot", missing, NULL};
    expect_input_error(args, want);
    remove_tree(dir);
}
END_TEST

START_TEST(test_dir_without_csvs)
{
    char dir[64], want[512];
    make_tmpdir(dir, sizeof dir);
    write_file(dir, "run.yaml", "seed: 1\n");
    snprintf(want, sizeof want,
             "dcsim plot: no reports to plot in '%s': expected "
             "timeseries.csv, utilization.csv, energy.csv, cost.csv or "
             "budget.csv, as `dcsim run` writes them",
             dir);
    const char *args[] = {"plot", dir, NULL};
    expect_input_error(args, want);

    char file[128];
    snprintf(file, sizeof file, "%s/run.yaml", dir);
    snprintf(want, sizeof want, "dcsim plot: '%s' is not a folder", file);
    const char *file_args[] = {"plot", file, NULL};
    expect_input_error(file_args, want);
    remove_tree(dir);
}
END_TEST

START_TEST(test_arguments)
{
    char *out, *err;
    const char *none[] = {"plot", NULL};
    ck_assert_int_eq(run_dcsim(none, &out, &err), 2);
    ck_assert(starts_with(err, "dcsim plot: expected one RESULTS_DIR, found "
                               "0\n"));
    ck_assert_str_eq(out, "");
    free(out);
    free(err);

    const char *two[] = {"plot", "a", "b", NULL};
    ck_assert_int_eq(run_dcsim(two, &out, &err), 2);
    ck_assert(starts_with(err, "dcsim plot: expected one RESULTS_DIR, found "
                               "2\n"));
    free(out);
    free(err);

    const char *help[] = {"plot", "--help", NULL};
    ck_assert_int_eq(run_dcsim(help, &out, &err), 0);
    ck_assert(starts_with(out, "usage: dcsim plot RESULTS_DIR\n"));
    ck_assert_ptr_nonnull(strstr(out, "power_pue.png"));
    ck_assert_str_eq(err, "");
    free(out);
    free(err);

    const char *top[] = {"--help", NULL};
    ck_assert_int_eq(run_dcsim(top, &out, &err), 0);
    ck_assert_ptr_nonnull(strstr(out, "\n  plot RESULTS_DIR "));
    free(out);
    free(err);
}
END_TEST

START_TEST(test_without_gnuplot)
{
    char dir[64];
    make_tmpdir(dir, sizeof dir);
    write_file(dir, "cost.csv",
               "period_start_s,period_end_s,item,cost_usd\n"
               "0,3600,energy,2.5\n");
    /* Check runs each test in its own process: PATH changes here only. */
    ck_assert_int_eq(setenv("PATH", "/nonexistent", 1), 0);
    char *out, *err;
    const char *args[] = {"plot", dir, NULL};
    ck_assert_int_eq(run_dcsim(args, &out, &err), 1);
    ck_assert_str_eq(out, "");
    ck_assert_str_eq(err, "dcsim plot: cannot run gnuplot: No such file or "
                          "directory (install gnuplot, e.g. the gnuplot-nox "
                          "package)\n");
    char png[256];
    snprintf(png, sizeof png, "%s/cost_breakdown.png", dir);
    ck_assert(!exists(png));
    free(out);
    free(err);
    remove_tree(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("plot");
    TCase *tc = tcase_create("plot");
    tcase_add_test(tc, test_quickstart_pngs);
    tcase_add_test(tc, test_columns_by_name);
    tcase_add_test(tc, test_empty_report_skipped);
    tcase_add_test(tc, test_missing_dir);
    tcase_add_test(tc, test_dir_without_csvs);
    tcase_add_test(tc, test_arguments);
    tcase_add_test(tc, test_without_gnuplot);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
