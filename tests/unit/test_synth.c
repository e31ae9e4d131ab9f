/* test_synth.c - the synthetic job stream (sim/workload/synth.c) and
 * `dcsim trace synth` (sim/cli/cmd_trace.c).
 *
 * Invariants checked:
 *  - without the new keys the stream is the plain Poisson process it was:
 *    arrival gaps are the exponential draws of the workload.arrivals stream
 *    (rebuilt here from that stream), and the quickstart's first jobs are
 *    those the generator gave before the new keys existed;
 *  - arrival times do not depend on any other distribution's draws;
 *  - a diurnal cycle gives, per hour of the day over many days, the counts
 *    the sinusoid integrates to (so its peak/trough ratio too); a weekend
 *    factor gives weekend days that fraction of a weekday's arrivals; the
 *    mean rate over whole weeks stays arrival_rate_per_h;
 *  - users follow 1/k^s within each team and are named <team>-u<k>;
 *    priorities follow their weights;
 *  - an estimate error of 0 gives exact estimates, none gives none;
 *  - the deadline fraction holds and each deadline is submit + slack x run
 *    time exactly; elastic jobs get [max(1, gpus/2), 2 gpus];
 *  - each preset loads by name and by !include, a scenario's keys override
 *    it, and the median of its run times is the file's figure;
 *  - `dcsim trace synth` writes the header and one row per job, and each
 *    new key out of range is refused with one exact message (exit 2).
 * Statistical checks use fixed seeds and tolerances of at least 3.5
 * standard errors, each computed in its test. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/cfg.h"
#include "engine/rng.h"
#include "support.h"
#include "workload/synth.h"

#define DOC "t.yaml"

/* A workload whose line numbers the error tests count on: a key added
 * after HEAD is on line 9. */
#define HEAD                                                                   \
    "workload:\n"                                                              \
    "  kind: synthetic\n"                                                      \
    "  jobs: 10\n"                                                             \
    "  arrival_rate_per_h: 100\n"                                              \
    "  duration_median_s: 600\n"                                               \
    "  duration_sigma: 1\n"                                                    \
    "  gpu_counts: [1, 2, 4, 8]\n"                                             \
    "  gpu_weights: [1, 1, 1, 1]\n"

static const double H = 3600.0; /* seconds per hour */

/* Reads the `workload` mapping of `text` (document named `name`) as
 * world.c does: kind, the spec, then unknown keys. Returns the status;
 * on success the spec is the caller's to destroy. */
static int read_named(const char *name, const char *text,
                      dcs_synth_spec_t *spec, dcs_err_t *err)
{
    dcs_cfg_t *cfg = dcs_cfg_load_string(name, text, err);
    ck_assert_msg(cfg != NULL, "%s", err->msg);
    dcs_cfg_node_t *w = dcs_cfg_get(dcs_cfg_root(cfg), "workload");
    ck_assert_ptr_nonnull(w);
    dcs_cfg_get(w, "kind");
    int rc = dcs_synth_read(w, spec, err);
    if (rc == 0 && (rc = dcs_cfg_check_unknown(w, err)) < 0)
        dcs_synth_spec_destroy(spec);
    dcs_cfg_free(cfg);
    return rc;
}

static void read_ok(const char *text, dcs_synth_spec_t *spec)
{
    dcs_err_t err = {""};
    int rc = read_named(DOC, text, spec, &err);
    ck_assert_msg(rc == 0, "%s", err.msg);
}

/* The workload HEAD + `extra` must fail with exactly `want`. */
static void expect_error(const char *extra, const char *want)
{
    char text[2048];
    snprintf(text, sizeof text, "%s%s", HEAD, extra);
    dcs_synth_spec_t spec;
    dcs_err_t err = {""};
    ck_assert_int_eq(read_named(DOC, text, &spec, &err), DCS_EINPUT);
    ck_assert_str_eq(err.msg, want);
}

/* n jobs of `spec` as `dcsim trace synth` draws them (malloc'd). */
static dcs_job_t *draw_jobs(const dcs_synth_spec_t *spec, uint64_t seed,
                            size_t n)
{
    dcs_job_t *jobs = calloc(n, sizeof *jobs);
    ck_assert_ptr_nonnull(jobs);
    dcs_synth_t synth;
    ck_assert_int_eq(dcs_synth_init(&synth, spec, seed), 0);
    dcs_time_t t = 0;
    for (size_t i = 0; i < n; i++) {
        t = dcs_synth_next_arrival(&synth, t);
        jobs[i] =
            (dcs_job_t){.id = (int64_t)i, .submit_ns = t, .deadline_ns = -1};
        dcs_synth_draw(&synth, &jobs[i]);
    }
    dcs_synth_destroy(&synth);
    return jobs;
}

/* Arrivals in [0, end_s) counted per hour of the day and per day of the
 * week (0 Monday); returns the total. */
static long count_arrivals(const dcs_synth_spec_t *spec, double end_s,
                           long by_hour[24], long by_day[7])
{
    dcs_synth_t synth;
    ck_assert_int_eq(dcs_synth_init(&synth, spec, 11), 0);
    long n = 0;
    for (dcs_time_t t = dcs_synth_next_arrival(&synth, 0);
         dcs_time_to_s(t) < end_s; t = dcs_synth_next_arrival(&synth, t)) {
        double s = dcs_time_to_s(t);
        by_hour[(long)floor(s / H) % 24]++;
        by_day[(long)floor(s / 86400) % 7]++;
        n++;
    }
    dcs_synth_destroy(&synth);
    return n;
}

static int cmp_time(const void *a, const void *b)
{
    dcs_time_t x = *(const dcs_time_t *)a, y = *(const dcs_time_t *)b;
    return (x > y) - (x < y);
}

/* ---- the plain stream is unchanged ------------------------------------- */

START_TEST(test_plain_poisson_unchanged)
{
    /* Without a cycle, arrival k is the sum of k exponential draws of mean
     * 3600 / rate s from the workload.arrivals stream, each rounded to the
     * nanosecond: rebuilt here from GSL directly. */
    dcs_synth_spec_t spec;
    read_ok(HEAD, &spec);
    dcs_job_t *jobs = draw_jobs(&spec, 5, 1000);
    gsl_rng *r = dcs_rng_new(5, "workload.arrivals");
    dcs_time_t t = 0;
    for (size_t i = 0; i < 1000; i++) {
        t += dcs_time_from_s(gsl_ran_exponential(r, 3600.0 / 100));
        ck_assert_int_eq(jobs[i].submit_ns, t);
        ck_assert_str_eq(jobs[i].user, "");
        ck_assert_int_eq(jobs[i].priority, 0);
        ck_assert_int_eq(jobs[i].estimate_ns, 0);
        ck_assert_int_eq(jobs[i].deadline_ns, -1);
        ck_assert_int_eq(jobs[i].min_gpus, 0);
        ck_assert_int_eq(jobs[i].max_gpus, 0);
    }
    gsl_rng_free(r);
    free(jobs);
    dcs_synth_spec_destroy(&spec);
}
END_TEST

START_TEST(test_quickstart_jobs_as_before)
{
    /* The first three jobs of scenarios/quickstart.yaml (seed 42), from
     * jobs.csv of `dcsim run` built before the new keys existed. */
    char dir[64], csv[128];
    make_tmpdir(dir, sizeof dir);
    snprintf(csv, sizeof csv, "%s/q.csv", dir);
    const char *args[] = {"trace", "synth", "scenarios/quickstart.yaml",
                          "--out", csv,     "--jobs",
                          "3",     NULL};
    char *out, *err;
    ck_assert_int_eq(run_dcsim(args, &out, &err), 0);
    char *text = slurp(csv, NULL);
    ck_assert_str_eq(
        text, "name,submit_s,gpus,duration_s,user,team,priority,deadline_s,"
              "min_gpus,max_gpus,gpu_type,estimate_s\n"
              "synth-0,686.154535338,1,1732.087446864,,language,0,,,,,\n"
              "synth-1,2102.269777099,4,249.059690168,,speech,0,,,,,\n"
              "synth-2,2304.017509197,8,3095.843340249,,language,0,,,,,\n");
    free(text);
    free(out);
    free(err);
    remove_tree(dir);
}
END_TEST

START_TEST(test_arrivals_independent_of_other_draws)
{
    /* Every other distribution changed, the cycle the same: the same
     * arrival times. */
    const char *cycle = "  diurnal: {peak_to_trough: 2, peak_hour: 9}\n"
                        "  weekend_factor: 0.5\n";
    char a_text[2048], b_text[2048];
    snprintf(a_text, sizeof a_text, "%s%s", HEAD, cycle);
    snprintf(b_text, sizeof b_text,
             "workload:\n  kind: synthetic\n  jobs: 10\n"
             "  arrival_rate_per_h: 100\n  duration_median_s: 5\n"
             "  duration_sigma: 3\n  gpu_counts: [16, 32]\n"
             "  gpu_weights: [1, 9]\n%s"
             "  teams: [a, b, c]\n  users_per_team: 7\n"
             "  priorities: {values: [1, 5], weights: [1, 1]}\n"
             "  estimate_error_sigma: 1\n  deadline_frac: 0.5\n"
             "  elastic_frac: 0.5\n",
             cycle);
    dcs_synth_spec_t a, b;
    read_ok(a_text, &a);
    read_ok(b_text, &b);
    dcs_job_t *ja = draw_jobs(&a, 9, 2000), *jb = draw_jobs(&b, 9, 2000);
    for (size_t i = 0; i < 2000; i++)
        ck_assert_int_eq(ja[i].submit_ns, jb[i].submit_ns);
    free(ja);
    free(jb);
    dcs_synth_spec_destroy(&a);
    dcs_synth_spec_destroy(&b);
}
END_TEST

/* ---- the cycle --------------------------------------------------------- */

START_TEST(test_diurnal_counts_per_hour)
{
    /* rate(t) = 100/h x (1 + a cos(2 pi (h - 14) / 24)), a = (3 - 1) /
     * (3 + 1) = 0.5, so the hourly max/min is 3. Over D days the count in
     * hour [h, h+1) is D x 100 x (1 + a x 24 / (2 pi) x (sin(2 pi (h + 1 -
     * 14) / 24) - sin(2 pi (h - 14) / 24))). The smallest is about 400 x
     * 100 x 0.5 = 20,000: a standard error of 0.71 %, so 3 % is over 4. */
    dcs_synth_spec_t spec;
    read_ok(HEAD "  diurnal: {peak_to_trough: 3, peak_hour: 14}\n", &spec);
    const double days = 400, a = 0.5, w = 2 * 3.14159265358979 / 24;
    long by_hour[24] = {0}, by_day[7] = {0};
    count_arrivals(&spec, days * 86400, by_hour, by_day);
    double lo = INFINITY, hi = 0, lo_seen = INFINITY, hi_seen = 0;
    for (int h = 0; h < 24; h++) {
        double want = days * 100 *
                      (1 + a / w * (sin(w * (h + 1 - 14)) - sin(w * (h - 14))));
        ck_assert_msg(fabs(by_hour[h] / want - 1) < 0.03,
                      "hour %d: %ld arrivals, expected %.0f", h, by_hour[h],
                      want);
        lo = fmin(lo, want);
        hi = fmax(hi, want);
        lo_seen = fmin(lo_seen, (double)by_hour[h]);
        hi_seen = fmax(hi_seen, (double)by_hour[h]);
    }
    /* The hourly bins average the sinusoid over an hour, so their ratio is
     * a little under 3: 2.955 here. */
    ck_assert_double_eq_tol(hi / lo, 2.955, 0.001);
    ck_assert_msg(fabs((hi_seen / lo_seen) / (hi / lo) - 1) < 0.03,
                  "peak/trough %.3f, expected %.3f", hi_seen / lo_seen,
                  hi / lo);
    dcs_synth_spec_destroy(&spec);
}
END_TEST

START_TEST(test_weekend_factor)
{
    /* Weekdays at c = 7 / (5 + 2 x 0.6) = 1.129 x the mean, weekends at
     * 0.6 c = 0.677 x: over W weeks a weekday gets W x 2400 x 1.129 =
     * 270,968 arrivals (W = 100), a standard error of 0.19 %. */
    dcs_synth_spec_t spec;
    read_ok(HEAD "  weekend_factor: 0.6\n", &spec);
    const double weeks = 100, c = 7.0 / (5 + 2 * 0.6);
    long by_hour[24] = {0}, by_day[7] = {0};
    count_arrivals(&spec, weeks * 7 * 86400, by_hour, by_day);
    for (int d = 0; d < 7; d++) {
        double want = weeks * 2400 * c * (d >= 5 ? 0.6 : 1);
        ck_assert_msg(fabs(by_day[d] / want - 1) < 0.01,
                      "day %d: %ld arrivals, expected %.0f", d, by_day[d],
                      want);
    }
    double weekday =
        (by_day[0] + by_day[1] + by_day[2] + by_day[3] + by_day[4]) / 5.0;
    double weekend = (by_day[5] + by_day[6]) / 2.0;
    ck_assert_double_eq_tol(weekend / weekday, 0.6, 0.006);
    dcs_synth_spec_destroy(&spec);
}
END_TEST

START_TEST(test_mean_rate_unchanged)
{
    /* Both cycles on: over 50 whole weeks the count is 100/h x 8,400 h =
     * 840,000, a standard error of 0.11 %. */
    dcs_synth_spec_t spec;
    read_ok(HEAD "  diurnal: {peak_to_trough: 4, peak_hour: 20}\n"
                 "  weekend_factor: 0.3\n",
            &spec);
    long by_hour[24] = {0}, by_day[7] = {0};
    long n = count_arrivals(&spec, 50 * 7 * 86400.0, by_hour, by_day);
    ck_assert_msg(fabs(n / 840000.0 - 1) < 0.005, "%ld arrivals", n);
    dcs_synth_spec_destroy(&spec);
}
END_TEST

/* ---- users, priorities ------------------------------------------------- */

START_TEST(test_zipf_users)
{
    /* P(user k) = k^-1.2 / sum_j j^-1.2 over 10 users; the rarest, u10, has
     * p = 0.0256 (400,000 jobs: 10,227, a standard error of 1.0 %), so 5 %
     * is over 4. */
    dcs_synth_spec_t spec;
    read_ok(HEAD "  teams: [vision]\n  users_per_team: 10\n"
                 "  user_zipf_s: 1.2\n",
            &spec);
    const size_t n = 400000;
    dcs_job_t *jobs = draw_jobs(&spec, 3, n);
    long count[11] = {0};
    for (size_t i = 0; i < n; i++) {
        int k = 0;
        ck_assert_int_eq(sscanf(jobs[i].user, "vision-u%d", &k), 1);
        ck_assert(k >= 1 && k <= 10);
        count[k]++;
    }
    double norm = 0;
    for (int k = 1; k <= 10; k++)
        norm += pow(k, -1.2);
    ck_assert_double_eq_tol(pow(10, -1.2) / norm, 0.0256, 0.0001);
    for (int k = 1; k <= 10; k++) {
        double want = n * pow(k, -1.2) / norm;
        ck_assert_msg(fabs(count[k] / want - 1) < 0.05,
                      "u%d: %ld jobs, expected %.0f", k, count[k], want);
    }
    free(jobs);
    dcs_synth_spec_destroy(&spec);
}
END_TEST

START_TEST(test_users_uniform_per_team)
{
    /* No s: 4 users equally likely, named after the job's own team. */
    dcs_synth_spec_t spec;
    read_ok(HEAD "  teams: [a, b]\n  users_per_team: 4\n", &spec);
    const size_t n = 100000;
    dcs_job_t *jobs = draw_jobs(&spec, 4, n);
    long count[5] = {0};
    for (size_t i = 0; i < n; i++) {
        char team[32];
        int k = 0;
        ck_assert_int_eq(sscanf(jobs[i].user, "%31[ab]-u%d", team, &k), 2);
        ck_assert_str_eq(team, jobs[i].team);
        count[k]++;
    }
    /* 25,000 each, a standard error of 0.55 %. */
    for (int k = 1; k <= 4; k++)
        ck_assert_msg(fabs(count[k] / 25000.0 - 1) < 0.025, "u%d: %ld", k,
                      count[k]);
    free(jobs);
    dcs_synth_spec_destroy(&spec);
}
END_TEST

START_TEST(test_priority_frequencies)
{
    /* 300,000 jobs: the standard error of a frequency is at most
     * sqrt(0.25 / 300000) = 0.0009, so 0.005 is over 5. */
    dcs_synth_spec_t spec;
    read_ok(HEAD "  priorities: {values: [0, 1, 2], weights: [0.7, 0.2, "
                 "0.1]}\n",
            &spec);
    const size_t n = 300000;
    dcs_job_t *jobs = draw_jobs(&spec, 6, n);
    long count[3] = {0};
    for (size_t i = 0; i < n; i++) {
        ck_assert(jobs[i].priority >= 0 && jobs[i].priority <= 2);
        count[jobs[i].priority]++;
    }
    ck_assert_double_eq_tol(count[0] / (double)n, 0.7, 0.005);
    ck_assert_double_eq_tol(count[1] / (double)n, 0.2, 0.005);
    ck_assert_double_eq_tol(count[2] / (double)n, 0.1, 0.005);
    free(jobs);
    dcs_synth_spec_destroy(&spec);
}
END_TEST

/* ---- estimates, deadlines, elastic ------------------------------------- */

START_TEST(test_estimates)
{
    dcs_synth_spec_t exact, noisy;
    read_ok(HEAD "  estimate_error_sigma: 0\n", &exact);
    read_ok(HEAD "  estimate_error_sigma: 0.5\n", &noisy);
    const size_t n = 100000;
    dcs_job_t *je = draw_jobs(&exact, 8, n), *jn = draw_jobs(&noisy, 8, n);
    double sum = 0, sum2 = 0;
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_eq(je[i].estimate_ns, je[i].duration_ns);
        /* Same run times: the estimates have their own stream. */
        ck_assert_int_eq(jn[i].duration_ns, je[i].duration_ns);
        double x = log((double)jn[i].estimate_ns / jn[i].duration_ns);
        sum += x;
        sum2 += x * x;
    }
    /* ln(estimate / run time) ~ N(0, 0.5): mean within 4 x 0.5 / sqrt(n)
     * = 0.0063, standard deviation within 1 %. */
    double mean = sum / n, sd = sqrt(sum2 / n - mean * mean);
    ck_assert_double_eq_tol(mean, 0, 0.0063);
    ck_assert_double_eq_tol(sd, 0.5, 0.005);
    free(je);
    free(jn);
    dcs_synth_spec_destroy(&exact);
    dcs_synth_spec_destroy(&noisy);
}
END_TEST

START_TEST(test_deadlines)
{
    dcs_synth_spec_t spec;
    read_ok(HEAD "  deadline_frac: 0.2\n  deadline_slack: 2.5\n", &spec);
    const size_t n = 100000;
    dcs_job_t *jobs = draw_jobs(&spec, 12, n);
    long with = 0;
    for (size_t i = 0; i < n; i++) {
        if (jobs[i].deadline_ns < 0) {
            ck_assert_int_eq(jobs[i].deadline_ns, -1);
            continue;
        }
        with++;
        ck_assert_int_eq(jobs[i].deadline_ns - jobs[i].submit_ns,
                         llround(2.5 * (double)jobs[i].duration_ns));
    }
    /* Binomial: 20,000 +- 4 x sqrt(100000 x 0.2 x 0.8) = 506. */
    ck_assert_msg(labs(with - 20000) < 506, "%ld deadlines", with);
    free(jobs);
    dcs_synth_spec_destroy(&spec);
}
END_TEST

START_TEST(test_deadline_default_slack_and_all)
{
    /* deadline_frac 1 gives every job one; the slack defaults to 2. */
    dcs_synth_spec_t spec;
    read_ok(HEAD "  deadline_frac: 1\n", &spec);
    dcs_job_t *jobs = draw_jobs(&spec, 12, 1000);
    for (size_t i = 0; i < 1000; i++)
        ck_assert_int_eq(jobs[i].deadline_ns - jobs[i].submit_ns,
                         2 * jobs[i].duration_ns);
    free(jobs);
    dcs_synth_spec_destroy(&spec);
}
END_TEST

START_TEST(test_elastic_bounds)
{
    dcs_synth_spec_t spec;
    read_ok(HEAD "  elastic_frac: 0.1\n", &spec);
    const size_t n = 100000;
    dcs_job_t *jobs = draw_jobs(&spec, 13, n);
    long elastic = 0;
    for (size_t i = 0; i < n; i++) {
        const dcs_job_t *j = &jobs[i];
        if (j->max_gpus == 0) {
            ck_assert_int_eq(j->min_gpus, 0);
            continue;
        }
        elastic++;
        /* gpus 1, 2, 4, 8: bounds [1, 2], [1, 4], [2, 8], [4, 16]. */
        int want_min = j->gpus == 1 ? 1 : j->gpus / 2;
        ck_assert_int_eq(j->min_gpus, want_min);
        ck_assert_int_eq(j->max_gpus, 2 * j->gpus);
        ck_assert(j->min_gpus <= j->gpus && j->gpus <= j->max_gpus);
    }
    /* Binomial: 10,000 +- 4 x sqrt(100000 x 0.1 x 0.9) = 380. */
    ck_assert_msg(labs(elastic - 10000) < 380, "%ld elastic", elastic);
    free(jobs);
    dcs_synth_spec_destroy(&spec);
}
END_TEST

/* ---- presets ----------------------------------------------------------- */

/* The median run time of n draws. */
static double median_duration_s(const dcs_synth_spec_t *spec, size_t n)
{
    dcs_job_t *jobs = draw_jobs(spec, 21, n);
    dcs_time_t *d = malloc(n * sizeof *d);
    ck_assert_ptr_nonnull(d);
    for (size_t i = 0; i < n; i++)
        d[i] = jobs[i].duration_ns;
    qsort(d, n, sizeof *d, cmp_time);
    double m = dcs_time_to_s(d[n / 2]);
    free(d);
    free(jobs);
    return m;
}

START_TEST(test_presets_median)
{
    /* The files' duration_median_s. The sample median of a log-normal has
     * a standard error of sqrt(pi / 2) x sigma / sqrt(n) in ln: with
     * helios' sigma 2.69 and n = 20,000 that is 2.4 %, too close to 3 %
     * to be a test, so n = 200,000 (0.75 %). */
    static const struct {
        const char *name;
        double median_s;
    } presets[] = {{"philly", 1220}, {"helios", 206}};
    for (size_t i = 0; i < 2; i++) {
        char text[256];
        snprintf(text, sizeof text,
                 "workload:\n  kind: synthetic\n  preset: %s\n",
                 presets[i].name);
        dcs_synth_spec_t spec;
        read_ok(text, &spec);
        ck_assert_double_eq(spec.duration_median_s, presets[i].median_s);
        double m = median_duration_s(&spec, 200000);
        ck_assert_msg(fabs(m / presets[i].median_s - 1) < 0.03,
                      "%s: median %.1f s, file says %.0f", presets[i].name, m,
                      presets[i].median_s);
        dcs_synth_spec_destroy(&spec);
    }
}
END_TEST

START_TEST(test_preset_overrides_and_include)
{
    /* Keys beside `preset` override it; tables are replaced whole. */
    dcs_synth_spec_t spec;
    read_ok("workload:\n  kind: synthetic\n  preset: helios\n  jobs: 7\n"
            "  gpu_counts: [2]\n  gpu_weights: [1]\n  teams: [x, y]\n",
            &spec);
    ck_assert_int_eq(spec.jobs, 7);
    ck_assert_double_eq(spec.duration_median_s, 206);
    ck_assert_double_eq(spec.arrival_rate_per_h, 359.9);
    ck_assert_uint_eq(spec.nchoices, 1);
    ck_assert_int_eq(spec.gpu_counts[0], 2);
    ck_assert_uint_eq(spec.nteams, 2);
    dcs_synth_spec_destroy(&spec);
    /* The same file taken whole by !include is a complete workload. */
    dcs_err_t err = {""};
    int rc = read_named(DCSIM_SOURCE_DIR "/scenarios/t.yaml",
                        "workload: !include ../workloads/presets/philly.yaml\n",
                        &spec, &err);
    ck_assert_msg(rc == 0, "%s", err.msg);
    ck_assert_double_eq(spec.duration_median_s, 1220);
    ck_assert_double_eq(spec.arrival_rate_per_h, 35.4);
    dcs_synth_spec_destroy(&spec);
}
END_TEST

/* ---- bad input --------------------------------------------------------- */

START_TEST(test_bad_cycle)
{
    /* Columns: the value's first character, counted from 1. */
    expect_error("  diurnal: {peak_to_trough: 0.5, peak_hour: 14}\n",
                 "t.yaml:9:29: field 'workload.diurnal.peak_to_trough': "
                 "expected a number in [1, 1000], found '0.5'");
    expect_error("  diurnal: {peak_to_trough: 3, peak_hour: 24.5}\n",
                 "t.yaml:9:43: field 'workload.diurnal.peak_hour': "
                 "expected a number in [0, 24], found '24.5'");
    expect_error("  weekend_factor: -1\n",
                 "t.yaml:9:19: field 'workload.weekend_factor': expected a "
                 "number in [0, 10], found '-1'");
}
END_TEST

START_TEST(test_bad_users_and_priorities)
{
    expect_error("  users_per_team: 0\n",
                 "t.yaml:9:19: field 'workload.users_per_team': expected an "
                 "integer in [1, 1000000], found '0'");
    expect_error("  users_per_team: 5\n  user_zipf_s: 11\n",
                 "t.yaml:10:16: field 'workload.user_zipf_s': expected a "
                 "number in [0, 10], found '11'");
    expect_error("  user_zipf_s: 1\n",
                 "t.yaml:9:16: field 'workload.user_zipf_s': needs "
                 "users_per_team (users within each team)");
    /* 27 + "-u" + 3 digits = 32 characters: one too many. */
    expect_error("  teams: [abcdefghijklmnopqrstuvwxyz0]\n"
                 "  users_per_team: 100\n",
                 "t.yaml:10:19: field 'workload.users_per_team': user names "
                 "'<team>-u<k>' would be 32 characters, more than the 31 a "
                 "job keeps; use shorter team names or fewer users");
    expect_error("  priorities: {values: [0, 1.5], weights: [1, 1]}\n",
                 "t.yaml:9:28: field 'workload.priorities.values[1]': "
                 "expected an integer in [-1000000, 1000000], found '1.5'");
    expect_error("  priorities: {values: [0, 1], weights: [1]}\n",
                 "t.yaml:9:41: field 'workload.priorities.weights': "
                 "expected 2 weights, one per entry of values, found 1");
    expect_error("  priorities: {values: [0, 1], weights: [0, 0]}\n",
                 "t.yaml:9:41: field 'workload.priorities.weights': "
                 "expected at least one weight above 0");
}
END_TEST

START_TEST(test_bad_attributes)
{
    expect_error("  estimate_error_sigma: 6\n",
                 "t.yaml:9:25: field 'workload.estimate_error_sigma': "
                 "expected a number in [0, 5], found '6'");
    expect_error("  deadline_frac: 1.5\n",
                 "t.yaml:9:18: field 'workload.deadline_frac': expected a "
                 "number in [0, 1], found '1.5'");
    expect_error("  deadline_frac: 0.2\n  deadline_slack: 0.5\n",
                 "t.yaml:10:19: field 'workload.deadline_slack': expected a "
                 "number in [1, 1000], found '0.5'");
    expect_error("  deadline_slack: 2\n",
                 "t.yaml:9:19: field 'workload.deadline_slack': needs "
                 "deadline_frac above 0 (the fraction of jobs with a "
                 "deadline)");
    expect_error("  elastic_frac: 2\n",
                 "t.yaml:9:17: field 'workload.elastic_frac': expected a "
                 "number in [0, 1], found '2'");
}
END_TEST

START_TEST(test_bad_presets)
{
    expect_error("  preset: phily\n",
                 "t.yaml:9:11: field 'workload.preset': expected one of "
                 "philly, helios, or a path to a .yaml file, found "
                 "'phily'");
    expect_error("  preset: nowhere/none.yaml\n",
                 "t.yaml:9:11: field 'workload.preset': cannot load the "
                 "preset: cannot open 'nowhere/none.yaml': No such file or "
                 "directory");
    dcs_synth_spec_t spec;
    dcs_err_t err = {""};
    ck_assert_int_eq(
        read_named(DOC,
                   "workload:\n  kind: synthetic\n  preset: helios\n"
                   "  gpu_weights: [1]\n",
                   &spec, &err),
        DCS_EINPUT);
    ck_assert_str_eq(err.msg,
                     "t.yaml:4:16: field 'workload.gpu_weights': gpu_counts "
                     "and gpu_weights replace the preset's table together; "
                     "give both");
}
END_TEST

/* ---- dcsim trace synth ------------------------------------------------- */

static const char WORKLOAD[] =
    "kind: synthetic\njobs: 50\narrival_rate_per_h: 10\n"
    "duration_median_s: 600\nduration_sigma: 1\ngpu_counts: [1, 8]\n"
    "gpu_weights: [3, 1]\nteams: [a, b]\nusers_per_team: 3\n"
    "deadline_frac: 0.5\nelastic_frac: 0.5\nestimate_error_sigma: 0.3\n";

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_trace_synth_writes_csv)
{
    char dir[64], in[128], csv[128], want_out[256];
    make_tmpdir(dir, sizeof dir);
    snprintf(in, sizeof in, "%s/w.yaml", dir);
    snprintf(csv, sizeof csv, "%s/t.csv", dir);
    write_file(in, WORKLOAD);
    const char *args[] = {"trace",  "synth", in,       "--out", csv,
                          "--jobs", "500",   "--seed", "3",     NULL};
    char *out, *err;
    ck_assert_int_eq(run_dcsim(args, &out, &err), 0);
    ck_assert_str_eq(err, "");
    snprintf(want_out, sizeof want_out, "%s: 500 jobs over ", csv);
    ck_assert_msg(starts_with(out, want_out), "%s", out);
    size_t len;
    char *text = slurp(csv, &len);
    ck_assert(starts_with(text, "name,submit_s,gpus,duration_s,user,team,"
                                "priority,deadline_s,min_gpus,max_gpus,"
                                "gpu_type,estimate_s\n"));
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    ck_assert_uint_eq(lines, 501);
    /* A row: 12 cells; the first job is named synth-0. */
    const char *row = strchr(text, '\n') + 1;
    ck_assert(starts_with(row, "synth-0,"));
    size_t commas = 0;
    for (const char *p = row; *p != '\n'; p++)
        commas += *p == ',';
    ck_assert_uint_eq(commas, 11);
    /* The same seed, the same bytes. */
    char csv2[128];
    snprintf(csv2, sizeof csv2, "%s/t2.csv", dir);
    args[4] = csv2;
    free(out);
    free(err);
    ck_assert_int_eq(run_dcsim(args, &out, &err), 0);
    size_t len2;
    char *text2 = slurp(csv2, &len2);
    ck_assert(len == len2 && memcmp(text, text2, len) == 0);
    free(text);
    free(text2);
    free(out);
    free(err);
    remove_tree(dir);
}
END_TEST

/* `dcsim trace synth ARGS` exits 2 with exactly `want` + "\n" on stderr,
 * nothing on stdout. */
static void expect_cli_error(const char *const *args, const char *want)
{
    char *out, *err, line[2048];
    snprintf(line, sizeof line, "%s\n", want);
    ck_assert_int_eq(run_dcsim(args, &out, &err), 2);
    ck_assert_str_eq(err, line);
    ck_assert_str_eq(out, "");
    free(out);
    free(err);
}

START_TEST(test_trace_synth_bad_input)
{
    char dir[64], in[128], csv[128], want[512];
    make_tmpdir(dir, sizeof dir);
    snprintf(in, sizeof in, "%s/w.yaml", dir);
    snprintf(csv, sizeof csv, "%s/t.csv", dir);
    write_file(in, WORKLOAD);
    const char *jobs0[] = {"trace", "synth",  in,  "--out",
                           csv,     "--jobs", "0", NULL};
    expect_cli_error(jobs0, "dcsim trace synth: --jobs: expected an integer "
                            "in [1, 100000000], found '0'");
    const char *no_out[] = {"trace", "synth", in, NULL};
    expect_cli_error(no_out, "dcsim trace synth: --out FILE.csv is required");
    /* A new key out of range, through the file and through --set. */
    char bad[1024];
    snprintf(bad, sizeof bad, "%selastic_frac_typo: 1\n", WORKLOAD);
    write_file(in, bad);
    const char *args[] = {"trace", "synth", in, "--out", csv, NULL};
    snprintf(want, sizeof want,
             "dcsim trace synth: %s:13:1: unknown field 'elastic_frac_typo'; "
             "did you mean 'elastic_frac'?",
             in);
    expect_cli_error(args, want);
    write_file(in, WORKLOAD);
    const char *set[] = {
        "trace", "synth", in, "--out", csv, "--set", "weekend_factor=11", NULL};
    expect_cli_error(set, "dcsim trace synth: --set:1:16: field "
                          "'weekend_factor': expected a number in [0, 10], "
                          "found '11'");
    /* A training workload is not synthetic. */
    write_file(in, "kind: training\n");
    snprintf(want, sizeof want,
             "dcsim trace synth: %s:1:7: field 'kind': expected one of "
             "synthetic, found 'training'",
             in);
    expect_cli_error(args, want);
    ck_assert(!exists(csv));
    remove_tree(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("synth");
    TCase *stream = tcase_create("stream");
    tcase_set_timeout(stream, 120);
    tcase_add_test(stream, test_plain_poisson_unchanged);
    tcase_add_test(stream, test_quickstart_jobs_as_before);
    tcase_add_test(stream, test_arrivals_independent_of_other_draws);
    tcase_add_test(stream, test_diurnal_counts_per_hour);
    tcase_add_test(stream, test_weekend_factor);
    tcase_add_test(stream, test_mean_rate_unchanged);
    suite_add_tcase(s, stream);
    TCase *attrs = tcase_create("attributes");
    tcase_add_test(attrs, test_zipf_users);
    tcase_add_test(attrs, test_users_uniform_per_team);
    tcase_add_test(attrs, test_priority_frequencies);
    tcase_add_test(attrs, test_estimates);
    tcase_add_test(attrs, test_deadlines);
    tcase_add_test(attrs, test_deadline_default_slack_and_all);
    tcase_add_test(attrs, test_elastic_bounds);
    suite_add_tcase(s, attrs);
    TCase *presets = tcase_create("presets");
    tcase_add_test(presets, test_presets_median);
    tcase_add_test(presets, test_preset_overrides_and_include);
    suite_add_tcase(s, presets);
    TCase *bad = tcase_create("bad_input");
    tcase_add_test(bad, test_bad_cycle);
    tcase_add_test(bad, test_bad_users_and_priorities);
    tcase_add_test(bad, test_bad_attributes);
    tcase_add_test(bad, test_bad_presets);
    suite_add_tcase(s, bad);
    TCase *cli = tcase_create("trace_synth");
    tcase_add_test(cli, test_trace_synth_writes_csv);
    tcase_add_test(cli, test_trace_synth_bad_input);
    suite_add_tcase(s, cli);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
