/* test_request.c - LLM inference request sources (sim/workload/request*.c).
 *
 * Invariants checked:
 *  - trace timestamps are exact to the nanosecond (integer arithmetic, no
 *    float rounding at 1.7e18 ns);
 *  - the real Azure code trace reads whole: every data row (the last one
 *    has no newline after it), arrivals from 0 to the last timestamp minus
 *    the first, token sums as awk adds them;
 *  - no row is lost silently: records == kept + the sum of the drop
 *    counts, each drop under the reason a user would look for (exact
 *    counts, no other reasons); rows out of time order are sorted, ties in
 *    file order; time_scale and limit do what they say;
 *  - only an unreadable file or a missing column is an error, naming the
 *    file (and line);
 *  - synthetic arrivals are the stream's exponential draws (rebuilt here),
 *    their mean gap 1 / rate; gamma gaps have the cv asked for; a diurnal
 *    cycle gives peak-hour / trough-hour counts as the sinusoid integrates;
 *    lengths follow their distributions (uniform mean and bounds, Zipf
 *    frequencies and bound, log-normal median and clipping);
 *  - the same seed gives identical requests, another seed others, and a
 *    change to one distribution leaves the other streams' draws alone;
 *  - every kind of bad `requests` section is refused with one exact
 *    FILE:LINE:COL message.
 * Statistical checks use fixed seeds and tolerances of at least 3 standard
 * errors, each computed in its test from the closed form. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "config/cfg.h"
#include "engine/rng.h"
#include "support.h"
#include "workload/request.h"

#define DATA       DCSIM_TEST_DATA "/requests/"
#define AZURE_CODE DCSIM_SOURCE_DIR "/workloads/traces/azure-llm-code-2023.csv"
#define DOC        "t.yaml"
#define NS         INT64_C(1000000000)
#define LENS_FIXED                                                             \
    "  input: {dist: fixed, value: 100}\n"                                     \
    "  output: {dist: fixed, value: 10}\n"

static const double PI = 3.14159265358979323846;

/* ---- helpers --------------------------------------------------------- */

/* Reads the `requests` mapping of `text` (a document named `name`). */
static int read_named(const char *name, const char *text, const char *base,
                      uint64_t seed, dcs_requests_t *r, dcs_err_t *err)
{
    dcs_cfg_t *cfg = dcs_cfg_load_string(name, text, err);
    ck_assert_msg(cfg != NULL, "%s", err->msg);
    dcs_cfg_node_t *m = dcs_cfg_get(dcs_cfg_root(cfg), "requests");
    ck_assert_ptr_nonnull(m);
    int rc = dcs_requests_read(m, base, seed, r, err);
    dcs_cfg_free(cfg);
    return rc;
}

static void read_ok(const char *text, uint64_t seed, dcs_requests_t *r)
{
    dcs_err_t err = {""};
    int rc = read_named(DOC, text, NULL, seed, r, &err);
    ck_assert_msg(rc == 0, "%s", err.msg);
}

/* `text` must fail with exactly `want`, leaving nothing behind. */
static void expect_error(const char *text, const char *want)
{
    dcs_requests_t r;
    dcs_err_t err = {""};
    ck_assert_int_eq(read_named(DOC, text, NULL, 1, &r, &err), DCS_EINPUT);
    ck_assert_str_eq(err.msg, want);
    ck_assert_ptr_null(r.items);
    ck_assert_uint_eq(r.len, 0);
}

/* A synthetic section: `arrival` and lengths, `count` requests. */
static void synth_ok(const char *arrival_and_lengths, int64_t count,
                     uint64_t seed, dcs_requests_t *r)
{
    char text[2048];
    snprintf(text, sizeof text,
             "requests:\n  kind: synthetic\n  count: %lld\n%s",
             (long long)count, arrival_and_lengths);
    read_ok(text, seed, r);
    ck_assert_uint_eq(r->len, (size_t)count);
}

static void conserved(const dcs_requests_t *r)
{
    ck_assert_int_eq(r->records,
                     (int64_t)r->len + dcs_requests_dropped_total(r));
}

typedef struct want {
    const char *reason;
    int64_t count;
} want_t;

static void drops_are(const dcs_requests_t *r, const want_t *w, size_t n)
{
    ck_assert_uint_eq(r->ndrops, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(dcs_requests_dropped(r, w[i].reason) == w[i].count,
                      "'%s': %lld dropped, expected %lld", w[i].reason,
                      (long long)dcs_requests_dropped(r, w[i].reason),
                      (long long)w[i].count);
}

#define DROPS_ARE(r, ...)                                                      \
    do {                                                                       \
        const want_t w_[] = {__VA_ARGS__};                                     \
        drops_are(r, w_, sizeof w_ / sizeof *w_);                              \
    } while (0)

/* Ids 0.. in order and arrivals never going back. */
static void ordered(const dcs_requests_t *r)
{
    for (size_t i = 0; i < r->len; i++) {
        ck_assert_int_eq(r->items[i].id, (int64_t)i);
        if (i)
            ck_assert_int_ge(r->items[i].arrival_ns,
                             r->items[i - 1].arrival_ns);
    }
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Sample mean and standard deviation of the gaps between arrivals, the
 * first counted from 0. */
static void gap_moments(const dcs_requests_t *r, double *mean, double *sd)
{
    double sum = 0, sum2 = 0;
    dcs_time_t prev = 0;
    for (size_t i = 0; i < r->len; i++) {
        double g = (double)(r->items[i].arrival_ns - prev) / 1e9;
        prev = r->items[i].arrival_ns;
        sum += g;
        sum2 += g * g;
    }
    double n = (double)r->len;
    *mean = sum / n;
    *sd = sqrt((sum2 - n * *mean * *mean) / (n - 1));
}

/* ---- timestamps ------------------------------------------------------ */

START_TEST(test_timestamp_exact)
{
    /* 2023-01-01 is day 53 x 365 + 13 leap days (1972..2020) = 19358;
     * 16 November is 304 + 15 = 319 days later: day 19677, 1700092800 s.
     * 18:17:03 adds 65823 s: 1700158623 s (date -u agrees). The fraction
     * .9799600 is 979960000 ns. A double holds 1.7e18 only to 256 ns, so
     * float arithmetic could not give these digits. */
    int64_t ns = 0;
    ck_assert_int_eq(dcs_request_timestamp("2023-11-16 18:17:03.9799600", &ns),
                     DCS_TRACE_OK);
    ck_assert_int_eq(ns, INT64_C(1700158623979960000));
    ck_assert_int_eq(
        dcs_request_timestamp(" 2023-11-16T18:17:03.000000001Z ", &ns),
        DCS_TRACE_OK);
    ck_assert_int_eq(ns, INT64_C(1700158623000000001));
    /* Digits past the ninth are truncated; none at all is whole seconds. */
    ck_assert_int_eq(
        dcs_request_timestamp("1970-01-01 00:00:01.1234567899", &ns),
        DCS_TRACE_OK);
    ck_assert_int_eq(ns, INT64_C(1123456789));
    ck_assert_int_eq(dcs_request_timestamp("1970-01-01 00:00:00", &ns), 0);
    ck_assert_int_eq(ns, 0);
    /* Nothing, and what is not a timestamp (ns untouched). */
    ns = 42;
    ck_assert_int_eq(dcs_request_timestamp("", &ns), DCS_TRACE_EMPTY);
    ck_assert_int_eq(dcs_request_timestamp("null", &ns), DCS_TRACE_EMPTY);
    const char *bad[] = {"2023-11-16 18:17:03.",  "2023-11-16 18:17:03.5x",
                         "2023-11-16 18:17",      "2023-11-16 24:00:00",
                         "1969-12-31 23:59:59",   "2200-01-01 00:00:00",
                         "2023-02-29 00:00:00",   "16/11/2023 18:17:03",
                         "2023-11-16 18:17:03 PM"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(dcs_request_timestamp(bad[i], &ns) == DCS_TRACE_BAD,
                      "'%s' accepted", bad[i]);
    ck_assert_int_eq(ns, 42);
}
END_TEST

/* ---- the Azure trace ------------------------------------------------- */

START_TEST(test_azure_real_sample)
{
    /* Worked out with awk from workloads/traces/azure-llm-code-2023.csv:
     *   tr -d '\r' < FILE | awk -F, 'NR>1 {n++; i+=$2; o+=$3}
     *                                END {print n, i, o}'
     * gives 8819 18059974 245896 (wc -l says 8819 lines: the last row
     * has no newline after it, so a reader that needs one finds 8818).
     * No row has 0 tokens and the rows are in time order. First row
     * 2023-11-16 18:17:03.9799600, last 19:14:19.9280160: 57 min = 3420 s
     * to 19:14:03.9799600, then 15.9480560 s, so the last arrival is
     * 3435.9480560 s. */
    dcs_requests_t r;
    dcs_err_t err = {""};
    int rc =
        dcs_requests_read_trace(AZURE_CODE, DCS_REQUEST_AZURE, 1, 0, &r, &err);
    ck_assert_msg(rc == 0, "%s", err.msg);
    ck_assert_int_eq(r.records, 8819);
    ck_assert_uint_eq(r.len, 8819);
    ck_assert_uint_eq(r.ndrops, 0);
    conserved(&r);
    ordered(&r);
    ck_assert_int_eq(r.items[0].arrival_ns, 0);
    ck_assert_int_eq(r.items[0].input_tokens, 4808); /* the first row */
    ck_assert_int_eq(r.items[0].output_tokens, 10);
    ck_assert_int_eq(r.items[8818].arrival_ns, INT64_C(3435948056000));
    ck_assert_int_eq(r.items[8818].input_tokens, 549); /* the last row */
    ck_assert_int_eq(r.items[8818].output_tokens, 173);
    int64_t in = 0, out = 0;
    for (size_t i = 0; i < r.len; i++) {
        in += r.items[i].input_tokens;
        out += r.items[i].output_tokens;
    }
    ck_assert_int_eq(in, 18059974);
    ck_assert_int_eq(out, 245896);
    /* The summary: 8818 gaps over 3435.948056 s; the token means. */
    double rate, mean_in, mean_out;
    dcs_requests_stats(&r, &rate, &mean_in, &mean_out);
    ck_assert_double_eq_tol(rate, 8818 / 3435.948056, 1e-9);
    ck_assert_double_eq_tol(mean_in, 18059974 / 8819.0, 1e-9);
    ck_assert_double_eq_tol(mean_out, 245896 / 8819.0, 1e-9);
    dcs_requests_destroy(&r);
    dcs_requests_destroy(&r); /* a destroyed list: a no-op */
}
END_TEST

START_TEST(test_azure_malformed)
{
    /* tests/unit/data/requests/azure_bad.csv, CRLF, no newline after the
     * last row. Records (line 11 is blank, so no record): lines 2-10 and
     * 12-19, 17. Kept: lines 2, 3, 4, 15, 17, 19. Dropped: 5 output 0;
     * 6 input 0; 7 input -5, 16 input 1.5, 18 input 2^31 (bad input);
     * 8 output "abc"; 9 hour 25, 10 February 30, 14 empty (bad
     * timestamp); 12 two fields, 13 four (wrong field count). */
    dcs_requests_t r;
    dcs_err_t err = {""};
    int rc = dcs_requests_read_trace(DATA "azure_bad.csv", DCS_REQUEST_AZURE, 1,
                                     0, &r, &err);
    ck_assert_msg(rc == 0, "%s", err.msg);
    ck_assert_int_eq(r.records, 17);
    ck_assert_uint_eq(r.len, 6);
    DROPS_ARE(&r, {"no output tokens", 1}, {"no input tokens", 1},
              {"bad input token count", 3}, {"bad output token count", 1},
              {"bad timestamp", 3}, {"wrong field count", 2});
    conserved(&r);
    ordered(&r);
    /* Sorted from the earliest, line 3 at 18:00:05.5000001: line 15
     * (06.25) 0.7499999 s; line 17 (08.123456789) 2.623456689 s; line 19
     * (09.5, quoted) 3.9999999 s; lines 2 and 4 (10.0, a tie kept in file
     * order) 4.4999999 s. */
    const dcs_time_t at[] = {0,          749999900,  2623456689,
                             3999999900, 4499999900, 4499999900};
    const int32_t in[] = {200, 7, 2147483647, 8, 100, 300};
    const int32_t out[] = {20, 3, 1, 9, 10, 30};
    for (size_t i = 0; i < 6; i++) {
        ck_assert_int_eq(r.items[i].arrival_ns, at[i]);
        ck_assert_int_eq(r.items[i].input_tokens, in[i]);
        ck_assert_int_eq(r.items[i].output_tokens, out[i]);
    }
    dcs_requests_destroy(&r);
}
END_TEST

START_TEST(test_azure_scale_and_limit)
{
    /* time_scale 2 doubles every gap of the malformed sample; limit 4
     * keeps the first four by arrival and counts lines 2 and 4 as past
     * the limit. */
    dcs_requests_t r;
    dcs_err_t err = {""};
    ck_assert_int_eq(dcs_requests_read_trace(DATA "azure_bad.csv",
                                             DCS_REQUEST_AZURE, 2, 4, &r, &err),
                     0);
    ck_assert_int_eq(r.records, 17);
    ck_assert_uint_eq(r.len, 4);
    ck_assert_int_eq(dcs_requests_dropped(&r, "past the limit"), 2);
    ck_assert_int_eq(dcs_requests_dropped_total(&r), 13);
    conserved(&r);
    const dcs_time_t at[] = {0, 1499999800, 5246913378, 7999999800};
    for (size_t i = 0; i < 4; i++)
        ck_assert_int_eq(r.items[i].arrival_ns, at[i]);
    dcs_requests_destroy(&r);
    /* time_scale must be above 0, limit not below 0. */
    ck_assert_int_eq(dcs_requests_read_trace(DATA "azure_bad.csv",
                                             DCS_REQUEST_AZURE, 0, 0, &r, &err),
                     DCS_EINVAL);
    ck_assert_int_eq(dcs_requests_read_trace(DATA "azure_bad.csv",
                                             DCS_REQUEST_AZURE, 1, -1, &r,
                                             &err),
                     DCS_EINVAL);
    ck_assert_ptr_null(r.items);
}
END_TEST

START_TEST(test_azure_errors)
{
    char dir[64], path[128], want[512];
    make_tmpdir(dir, sizeof dir);
    dcs_requests_t r;
    dcs_err_t err = {""};
    /* Missing file. */
    snprintf(path, sizeof path, "%s/none.csv", dir);
    ck_assert_int_eq(
        dcs_requests_read_trace(path, DCS_REQUEST_AZURE, 1, 0, &r, &err),
        DCS_EINPUT);
    snprintf(want, sizeof want, "cannot open '%s': No such file or directory",
             path);
    ck_assert_str_eq(err.msg, want);
    ck_assert_ptr_null(r.items);
    /* Empty file. */
    snprintf(path, sizeof path, "%s/empty.csv", dir);
    write_file(path, "");
    ck_assert_int_eq(
        dcs_requests_read_trace(path, DCS_REQUEST_AZURE, 1, 0, &r, &err),
        DCS_EINPUT);
    snprintf(want, sizeof want, "%s: empty file, expected a header row", path);
    ck_assert_str_eq(err.msg, want);
    /* A missing column, after a blank line: the header is line 2. */
    snprintf(path, sizeof path, "%s/no_out.csv", dir);
    write_file(path, "\r\nTIMESTAMP,ContextTokens\r\n"
                     "2023-11-16 18:17:03.9799600,4808\r\n");
    ck_assert_int_eq(
        dcs_requests_read_trace(path, DCS_REQUEST_AZURE, 1, 0, &r, &err),
        DCS_EINPUT);
    snprintf(want, sizeof want,
             "%s:2: missing required column 'GeneratedTokens'", path);
    ck_assert_str_eq(err.msg, want);
    ck_assert_ptr_null(r.items);
    /* A header and no rows: no requests, no error; extra columns and
     * another order are fine. */
    snprintf(path, sizeof path, "%s/reordered.csv", dir);
    write_file(path, "GeneratedTokens,x,TIMESTAMP,ContextTokens\n"
                     "5,a,2023-11-16 00:00:01,7\n");
    ck_assert_int_eq(
        dcs_requests_read_trace(path, DCS_REQUEST_AZURE, 1, 0, &r, &err), 0);
    ck_assert_uint_eq(r.len, 1);
    ck_assert_int_eq(r.items[0].input_tokens, 7);
    ck_assert_int_eq(r.items[0].output_tokens, 5);
    dcs_requests_destroy(&r);
    remove_tree(dir);
    ck_assert_str_eq(dcs_request_format_name(DCS_REQUEST_AZURE), "azure");
    ck_assert_int_eq(dcs_request_format_find("azure"), DCS_REQUEST_AZURE);
    ck_assert_int_eq(dcs_request_format_find("sharegpt"), -1);
}
END_TEST

START_TEST(test_stats_by_hand)
{
    /* Arrivals 1, 3, 6 s: 2 gaps over 5 s, 0.4/s; inputs 10, 20, 60
     * (mean 30); outputs 1, 2, 3 (mean 2). */
    dcs_requests_t r = {0};
    const dcs_request_t q[] = {
        {0, 1 * NS, 10, 1}, {1, 3 * NS, 20, 2}, {2, 6 * NS, 60, 3}};
    for (size_t i = 0; i < 3; i++)
        ck_assert_int_eq(dcs_requests_add(&r, &q[i]), 0);
    double rate, in, out;
    dcs_requests_stats(&r, &rate, &in, &out);
    ck_assert_double_eq_tol(rate, 0.4, 1e-12);
    ck_assert_double_eq_tol(in, 30, 1e-12);
    ck_assert_double_eq_tol(out, 2, 1e-12);
    dcs_requests_stats(&r, NULL, NULL, &out); /* NULLs: not wanted */
    r.records = 3;
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    dcs_requests_print_counts(&r, "req", f);
    fclose(f);
    ck_assert_str_eq(text, "req: 3 records, 3 requests kept over 5.000 s "
                           "(0.400/s), mean input 30.0, mean output 2.0 "
                           "tokens; dropped: none\n");
    free(text);
    dcs_requests_destroy(&r);
    /* Empty, and one request: no rate. */
    dcs_requests_stats(&r, &rate, &in, &out);
    ck_assert_double_eq(rate, 0);
    ck_assert_double_eq(in, 0);
    ck_assert_int_eq(dcs_requests_add(&r, &q[0]), 0);
    dcs_requests_stats(&r, &rate, &in, &out);
    ck_assert_double_eq(rate, 0);
    ck_assert_double_eq(in, 10);
    dcs_requests_destroy(&r);
}
END_TEST

/* ---- the trace from a scenario --------------------------------------- */

START_TEST(test_yaml_trace)
{
    /* The example path, from the scenarios folder; the first 100 rows of
     * 8819 kept, at half the gaps. Row 100 is at 18:20:16.1421010, 3 min
     * 12.1621410 s after the first: x 0.5 = 96.0810705 s. The first 100
     * rows' tokens, by awk (NR>1 && NR<=101): 227562 in, 2348 out. */
    const char *text = "requests:\n"
                       "  kind: trace\n"
                       "  format: azure\n"
                       "  path: ../workloads/traces/azure-llm-code-2023.csv\n"
                       "  time_scale: 0.5\n"
                       "  limit: 100\n";
    dcs_requests_t r;
    dcs_err_t err = {""};
    int rc = read_named(DOC, text, DCSIM_SOURCE_DIR "/scenarios", 1, &r, &err);
    ck_assert_msg(rc == 0, "%s", err.msg);
    ck_assert_uint_eq(r.len, 100);
    ck_assert_int_eq(r.records, 8819);
    ck_assert_int_eq(dcs_requests_dropped(&r, "past the limit"), 8719);
    conserved(&r);
    ck_assert_int_eq(r.items[99].arrival_ns, INT64_C(96081070500));
    int64_t in = 0, out = 0;
    for (size_t i = 0; i < r.len; i++) {
        in += r.items[i].input_tokens;
        out += r.items[i].output_tokens;
    }
    ck_assert_int_eq(in, 227562);
    ck_assert_int_eq(out, 2348);
    dcs_requests_destroy(&r);
    /* base_dir NULL: relative to the file the path is written in, as
     * job-trace paths are (here a document in the scenarios folder). */
    rc = read_named(DCSIM_SOURCE_DIR "/scenarios/x.yaml", text, NULL, 1, &r,
                    &err);
    ck_assert_msg(rc == 0, "%s", err.msg);
    ck_assert_uint_eq(r.len, 100);
    dcs_requests_destroy(&r);
}
END_TEST

START_TEST(test_yaml_trace_errors)
{
    /* Missing path: reported at the mapping. */
    expect_error("requests:\n  kind: trace\n  format: azure\n",
                 "t.yaml:2:3: field 'requests.path': missing (required)");
    expect_error("requests:\n  kind: trace\n  format: sharegpt\n"
                 "  path: x.csv\n",
                 "t.yaml:3:11: field 'requests.format': expected one of "
                 "azure, found 'sharegpt'");
    expect_error("requests:\n  kind: trace\n  format: azure\n"
                 "  path: x.csv\n  time_scale: 0\n",
                 "t.yaml:5:15: field 'requests.time_scale': expected a "
                 "number in (0, 1e+06], found '0'");
    expect_error("requests:\n  kind: trace\n  format: azure\n"
                 "  path: x.csv\n  limit: -1\n",
                 "t.yaml:5:10: field 'requests.limit': expected an integer "
                 "in [0, 100000000], found '-1'");
    /* Synthetic keys on a trace are unknown. */
    expect_error("requests:\n  kind: trace\n  format: azure\n"
                 "  path: x.csv\n  count: 5\n",
                 "t.yaml:5:3: unknown field 'requests.count'; known fields: "
                 "kind, format, path, time_scale, limit");
    /* A file that cannot be read: at its path key, the reader's message
     * after it. */
    expect_error("requests:\n  kind: trace\n  format: azure\n"
                 "  path: nope.csv\n",
                 "t.yaml:4:9: field 'requests.path': cannot open "
                 "'nope.csv': No such file or directory");
    expect_error("requests:\n  kind: trace\n  format: azure\n"
                 "  path: " DATA "azure_bad.csv\n  limit: 1\n  extra: 1\n",
                 "t.yaml:6:3: unknown field 'requests.extra'; known fields: "
                 "kind, format, path, time_scale, limit");
    expect_error("requests:\n  kind: replay\n",
                 "t.yaml:2:9: field 'requests.kind': expected one of "
                 "synthetic, trace, found 'replay'");
}
END_TEST

/* ---- synthetic arrivals ---------------------------------------------- */

START_TEST(test_poisson_is_the_stream)
{
    /* Arrival k is the sum of k exponential draws of mean 1/8 s from the
     * requests.arrivals stream, each rounded to the ns: rebuilt from GSL
     * directly. The mean of 20000 gaps is within 3 sigma of 1/rate:
     * sigma = (1/8) / sqrt(20000) (an exponential's sd is its mean). */
    dcs_requests_t r;
    synth_ok("  arrival: {process: poisson, rate_per_s: 8}\n" LENS_FIXED, 20000,
             3, &r);
    gsl_rng *g = dcs_rng_new(3, "requests.arrivals");
    dcs_time_t t = 0;
    for (size_t i = 0; i < r.len; i++) {
        t += dcs_time_from_s(gsl_ran_exponential(g, 1.0 / 8));
        ck_assert_int_eq(r.items[i].arrival_ns, t);
        ck_assert_int_eq(r.items[i].input_tokens, 100);
        ck_assert_int_eq(r.items[i].output_tokens, 10);
    }
    gsl_rng_free(g);
    ordered(&r);
    ck_assert_int_eq(r.records, 20000);
    ck_assert_uint_eq(r.ndrops, 0);
    double mean, sd;
    gap_moments(&r, &mean, &sd);
    ck_assert_double_eq_tol(mean, 0.125, 3 * 0.125 / sqrt(20000));
    /* And the gaps' cv is 1: standard errors as in check_gamma_cv below,
     * with shape 1 (excess kurtosis 6): sqrt(1/n + (2 + 6) / (4 n)). */
    ck_assert_double_eq_tol(sd / mean, 1.0,
                            3.5 * sqrt(1.0 / 20000 + 8.0 / (4 * 20000)));
    dcs_requests_destroy(&r);
}
END_TEST

/* The gaps of a gamma process with `cv` have that cv and mean 1/rate.
 * Standard errors for n gaps of shape k = 1/cv^2: the mean's is cv/sqrt(n)
 * (relative); the variance's relative one is sqrt((2 + 6/k) / n) (excess
 * kurtosis 6/k), so the sd's is half that; the cv's, at most the sum in
 * quadrature (the two errors are positively correlated, which only
 * narrows the ratio's). */
static void check_gamma_cv(double cv, uint64_t seed)
{
    const int n = 50000;
    char text[512];
    snprintf(text, sizeof text,
             "  arrival: {process: gamma, rate_per_s: 8, cv: %g}\n" LENS_FIXED,
             cv);
    dcs_requests_t r;
    synth_ok(text, n, seed, &r);
    double mean, sd;
    gap_moments(&r, &mean, &sd);
    double k = 1 / (cv * cv);
    double se_mean = cv / sqrt(n);
    double se_sd = 0.5 * sqrt((2 + 6 / k) / n);
    double se_cv = cv * sqrt(se_mean * se_mean + se_sd * se_sd);
    ck_assert_double_eq_tol(mean, 0.125, 3.5 * se_mean * 0.125);
    ck_assert_msg(fabs(sd / mean - cv) < 3.5 * se_cv,
                  "cv %g measured %g (tolerance %g)", cv, sd / mean,
                  3.5 * se_cv);
    dcs_requests_destroy(&r);
}

START_TEST(test_gamma_cv)
{
    check_gamma_cv(2, 5);   /* bursty */
    check_gamma_cv(0.5, 6); /* more regular than Poisson */
}
END_TEST

START_TEST(test_diurnal_peak_to_trough)
{
    /* Poisson at 0.2/s over 30 days, amplitude 0.5, peak at 14:00. The
     * rate is 0.2 (1 + a cos(2 pi (t - 14 h) / 24 h)); over the hour
     * centred on the peak it integrates to 0.2 x 3600 (1 + a c), and over
     * the hour centred on the trough (02:00) to 0.2 x 3600 (1 - a c), with
     * c = sin(pi/24) / (pi/24) (the mean of cos over +-1/2 hour). So the
     * count ratio is (1 + a c) / (1 - a c), about (1 + a) / (1 - a) = 3.
     * Its standard error: ratio x sqrt(1/N_peak + 1/N_trough). */
    const double a = 0.5, days = 30, rate = 0.2;
    dcs_requests_t r;
    char text[512];
    snprintf(text, sizeof text,
             "requests:\n  kind: synthetic\n  duration_s: %g\n"
             "  arrival: {process: poisson, rate_per_s: %g,\n"
             "            diurnal: {amplitude: %g, period_s: 86400,"
             " peak_s: 50400}}\n" LENS_FIXED,
             days * 86400, rate, a);
    read_ok(text, 9, &r);
    long peak = 0, trough = 0;
    for (size_t i = 0; i < r.len; i++) {
        double h = fmod(dcs_time_to_s(r.items[i].arrival_ns) / 3600, 24);
        peak += h >= 13.5 && h < 14.5;
        trough += h >= 1.5 && h < 2.5;
    }
    double c = sin(PI / 24) / (PI / 24);
    double want = (1 + a * c) / (1 - a * c);
    double ratio = (double)peak / (double)trough;
    double se = want * sqrt(1.0 / peak + 1.0 / trough);
    ck_assert_msg(fabs(ratio - want) < 3.5 * se,
                  "peak %ld trough %ld: ratio %g, expected %g +- %g", peak,
                  trough, ratio, want, 3.5 * se);
    /* Over whole periods the mean rate is rate_per_s: N ~ Poisson(0.2 x
     * 30 days). */
    double n_want = rate * days * 86400;
    ck_assert_msg(fabs((double)r.len - n_want) < 3.5 * sqrt(n_want),
                  "%zu requests, expected %g", r.len, n_want);
    ck_assert_int_lt(r.items[r.len - 1].arrival_ns,
                     (dcs_time_t)(days * 86400) * NS);
    dcs_requests_destroy(&r);
}
END_TEST

START_TEST(test_count_and_duration)
{
    /* duration_s alone: every arrival before it, N ~ Poisson(5 x 1000). */
    dcs_requests_t r;
    read_ok("requests:\n  kind: synthetic\n  duration_s: 1000\n"
            "  arrival: {process: poisson, rate_per_s: 5}\n" LENS_FIXED,
            2, &r);
    ck_assert_msg(fabs((double)r.len - 5000) < 3.5 * sqrt(5000), "%zu", r.len);
    ck_assert_int_lt(r.items[r.len - 1].arrival_ns, 1000 * NS);
    ordered(&r);
    size_t all = r.len;
    dcs_time_t last = r.items[r.len - 1].arrival_ns;
    dcs_requests_destroy(&r);
    /* Both: the first reached stops; a count below what the duration
     * holds gives that many, the same first ones. */
    read_ok("requests:\n  kind: synthetic\n  duration_s: 1000\n  count: 10\n"
            "  arrival: {process: poisson, rate_per_s: 5}\n" LENS_FIXED,
            2, &r);
    ck_assert_uint_eq(r.len, 10);
    dcs_requests_destroy(&r);
    read_ok("requests:\n  kind: synthetic\n  duration_s: 1000\n"
            "  count: 1000000\n"
            "  arrival: {process: poisson, rate_per_s: 5}\n" LENS_FIXED,
            2, &r);
    ck_assert_uint_eq(r.len, all);
    ck_assert_int_eq(r.items[r.len - 1].arrival_ns, last);
    dcs_requests_destroy(&r);
}
END_TEST

/* ---- lengths --------------------------------------------------------- */

#define POISSON "  arrival: {process: poisson, rate_per_s: 8}\n"

START_TEST(test_uniform_lengths)
{
    /* Integers 16..512 equally likely: mean 264, variance (497^2 - 1) /
     * 12; both ends drawn (each 1/497 of 20000: about 40 times). */
    const int n = 20000;
    dcs_requests_t r;
    synth_ok(POISSON "  input: {dist: uniform, min: 16, max: 512}\n"
                     "  output: {dist: uniform, min: 7, max: 7}\n",
             n, 4, &r);
    double sum = 0;
    int lo = 0, hi = 0;
    for (size_t i = 0; i < r.len; i++) {
        int32_t v = r.items[i].input_tokens;
        ck_assert(v >= 16 && v <= 512);
        ck_assert_int_eq(r.items[i].output_tokens, 7);
        sum += v;
        lo += v == 16;
        hi += v == 512;
    }
    double se = sqrt((497.0 * 497 - 1) / 12 / n);
    ck_assert_double_eq_tol(sum / n, 264, 3.5 * se);
    ck_assert_int_gt(lo, 0);
    ck_assert_int_gt(hi, 0);
    dcs_requests_destroy(&r);
}
END_TEST

START_TEST(test_zipf_lengths)
{
    /* P(k) = k^-1.2 / H, H = sum over k = 1..1000 of k^-1.2 (added up
     * here); counts of 1 and 2 within 3.5 binomial standard errors; none
     * above 1000. */
    const int n = 20000, max = 1000;
    const double s = 1.2;
    dcs_requests_t r;
    synth_ok(POISSON "  input: {dist: zipf, s: 1.2, max: 1000}\n"
                     "  output: {dist: fixed, value: 1}\n",
             n, 8, &r);
    double h = 0;
    for (int k = 1; k <= max; k++)
        h += pow(k, -s);
    long ones = 0, twos = 0;
    int32_t top = 0;
    for (size_t i = 0; i < r.len; i++) {
        int32_t v = r.items[i].input_tokens;
        ck_assert(v >= 1 && v <= max);
        ones += v == 1;
        twos += v == 2;
        top = v > top ? v : top;
    }
    double p1 = 1 / h, p2 = pow(2, -s) / h;
    ck_assert_double_eq_tol(ones, n * p1, 3.5 * sqrt(n * p1 * (1 - p1)));
    ck_assert_double_eq_tol(twos, n * p2, 3.5 * sqrt(n * p2 * (1 - p2)));
    /* The tail reaches far: P(v > 500) = sum k^-1.2 / H over 501..1000,
     * about 4 %, so some draws land in the last half. */
    ck_assert_int_gt(top, 500);
    dcs_requests_destroy(&r);
}
END_TEST

START_TEST(test_lognormal_lengths)
{
    /* Input: median 1024, sigma 1, max 8192. The sample median's standard
     * error is 1 / (2 f(m) sqrt(n)), f(m) = 1 / (m sigma sqrt(2 pi)) the
     * density at the median: m sigma sqrt(2 pi) / (2 sqrt(n)), about 9
     * tokens for n = 20000. Clipped to max when X rounds to >= 8192:
     * P(X >= 8191.5) = erfc(ln(8191.5/1024) / sqrt 2) / 2, about 1.9 %.
     * Output: median 2, sigma 2, max 50: 1 when X < 1.5, P = erfc(-ln(1.5
     * / 2) / (2 sqrt 2)) / 2, about 44 %. */
    const int n = 20000;
    dcs_requests_t r;
    synth_ok(POISSON
             "  input: {dist: lognormal, median: 1024, sigma: 1, max: 8192}\n"
             "  output: {dist: lognormal, median: 2, sigma: 2, max: 50}\n",
             n, 12, &r);
    int32_t *in = malloc(n * sizeof *in);
    ck_assert_ptr_nonnull(in);
    long at_max = 0, ones = 0;
    for (int i = 0; i < n; i++) {
        in[i] = r.items[i].input_tokens;
        ck_assert(in[i] >= 1 && in[i] <= 8192);
        int32_t o = r.items[i].output_tokens;
        ck_assert(o >= 1 && o <= 50);
        at_max += in[i] == 8192;
        ones += o == 1;
    }
    qsort(in, n, sizeof *in, cmp_i32);
    double median = (in[n / 2 - 1] + in[n / 2]) / 2.0;
    double se_median = 1024 * 1.0 * sqrt(2 * PI) / (2 * sqrt(n));
    ck_assert_msg(fabs(median - 1024) < 3.5 * se_median + 0.5, "median %g",
                  median);
    double p_max = erfc(log(8191.5 / 1024) / sqrt(2)) / 2;
    ck_assert_double_eq_tol(at_max, n * p_max,
                            3.5 * sqrt(n * p_max * (1 - p_max)));
    double p_one = erfc(-log(1.5 / 2) / (2 * sqrt(2))) / 2;
    ck_assert_double_eq_tol(ones, n * p_one,
                            3.5 * sqrt(n * p_one * (1 - p_one)));
    free(in);
    dcs_requests_destroy(&r);
}
END_TEST

/* ---- determinism ----------------------------------------------------- */

#define BURSTY                                                                 \
    "requests:\n  kind: synthetic\n  count: 2000\n"                            \
    "  arrival: {process: gamma, rate_per_s: 8, cv: 2, diurnal: {amplitude: "  \
    "0.5, period_s: 600, peak_s: 300}}\n"                                      \
    "  input:  {dist: lognormal, median: 1024, sigma: 1.0, max: 8192}\n"

START_TEST(test_same_seed_same_requests)
{
    dcs_requests_t a, b, c;
    const char *text = BURSTY "  output: {dist: uniform, min: 16, max: 512}\n";
    read_ok(text, 7, &a);
    read_ok(text, 7, &b);
    read_ok(text, 8, &c);
    ck_assert_uint_eq(a.len, 2000);
    ck_assert_uint_eq(b.len, 2000);
    ck_assert_mem_eq(a.items, b.items, a.len * sizeof *a.items);
    size_t same_time = 0, same_in = 0;
    for (size_t i = 0; i < a.len; i++) {
        same_time += a.items[i].arrival_ns == c.items[i].arrival_ns;
        same_in += a.items[i].input_tokens == c.items[i].input_tokens;
    }
    ck_assert_uint_lt(same_time, 10);
    ck_assert_uint_lt(same_in, 200);
    dcs_requests_destroy(&a);
    dcs_requests_destroy(&b);
    dcs_requests_destroy(&c);
}
END_TEST

START_TEST(test_streams_independent)
{
    /* Another output distribution: the same arrivals and inputs. */
    dcs_requests_t a, b;
    read_ok(BURSTY "  output: {dist: uniform, min: 16, max: 512}\n", 7, &a);
    read_ok(BURSTY "  output: {dist: zipf, s: 1, max: 100}\n", 7, &b);
    ck_assert_uint_eq(a.len, b.len);
    size_t same_out = 0;
    for (size_t i = 0; i < a.len; i++) {
        ck_assert_int_eq(a.items[i].arrival_ns, b.items[i].arrival_ns);
        ck_assert_int_eq(a.items[i].input_tokens, b.items[i].input_tokens);
        same_out += a.items[i].output_tokens == b.items[i].output_tokens;
    }
    ck_assert_uint_lt(same_out, a.len / 10);
    dcs_requests_destroy(&a);
    dcs_requests_destroy(&b);
}
END_TEST

START_TEST(test_generate_checks_spec)
{
    /* The API refuses what the YAML reader would. */
    dcs_request_spec_t spec = {
        .count = 10,
        .process = DCS_ARRIVAL_POISSON,
        .rate_per_s = 1,
        .input = {.kind = DCS_TOKENS_FIXED, .value = 1},
        .output = {.kind = DCS_TOKENS_FIXED, .value = 1}};
    dcs_requests_t r;
    dcs_err_t err = {""};
    ck_assert_int_eq(dcs_requests_generate(&spec, 1, &r, &err), 0);
    ck_assert_uint_eq(r.len, 10);
    dcs_requests_destroy(&r);
    spec.output =
        (dcs_token_dist_t){.kind = DCS_TOKENS_UNIFORM, .min = 9, .max = 3};
    ck_assert_int_eq(dcs_requests_generate(&spec, 1, &r, &err), DCS_EINVAL);
    ck_assert_str_eq(err.msg, "request spec: bad output length distribution");
    ck_assert_ptr_null(r.items);
    spec.output.min = 1;
    spec.rate_per_s = -1;
    ck_assert_int_eq(dcs_requests_generate(&spec, 1, &r, &err), DCS_EINVAL);
    ck_assert_str_eq(err.msg, "request spec: bad rate_per_s");
    spec.rate_per_s = 1;
    spec.count = 0;
    ck_assert_int_eq(dcs_requests_generate(&spec, 1, &r, &err), DCS_EINVAL);
}
END_TEST

/* ---- bad synthetic sections ------------------------------------------ */

#define HEAD "requests:\n  kind: synthetic\n  count: 100\n"

START_TEST(test_yaml_synthetic_errors)
{
    /* Unknown process and distribution. */
    expect_error(HEAD
                 "  arrival: {process: weibull, rate_per_s: 8}\n" LENS_FIXED,
                 "t.yaml:4:22: field 'requests.arrival.process': expected "
                 "one of poisson, gamma, found 'weibull'");
    expect_error(HEAD POISSON "  input: {dist: fixed, value: 100}\n"
                              "  output: {dist: pareto, max: 10}\n",
                 "t.yaml:6:18: field 'requests.output.dist': expected one "
                 "of fixed, uniform, zipf, lognormal, found 'pareto'");
    /* Rates not above 0. */
    expect_error(HEAD
                 "  arrival: {process: poisson, rate_per_s: -8}\n" LENS_FIXED,
                 "t.yaml:4:43: field 'requests.arrival.rate_per_s': "
                 "expected a number in (0, 1e+09], found '-8'");
    expect_error(HEAD
                 "  arrival: {process: poisson, rate_per_s: 0}\n" LENS_FIXED,
                 "t.yaml:4:43: field 'requests.arrival.rate_per_s': "
                 "expected a number in (0, 1e+09], found '0'");
    /* min above max. */
    expect_error(HEAD POISSON "  input: {dist: uniform, min: 512, max: 16}\n"
                              "  output: {dist: fixed, value: 10}\n",
                 "t.yaml:5:31: field 'requests.input.min': expected a "
                 "number <= max (16), found '512'");
    expect_error(HEAD POISSON
                 "  input: {dist: lognormal, median: 9000, sigma: 1, "
                 "max: 8192}\n  output: {dist: fixed, value: 10}\n",
                 "t.yaml:5:36: field 'requests.input.median': expected a "
                 "number <= max (8192), found '9000'");
    /* Missing keys. */
    expect_error(HEAD LENS_FIXED,
                 "t.yaml:2:3: field 'requests.arrival': missing (required)");
    expect_error(HEAD POISSON "  input: {dist: uniform, min: 1}\n"
                              "  output: {dist: fixed, value: 10}\n",
                 "t.yaml:5:10: field 'requests.input.max': missing "
                 "(required)");
    expect_error("requests:\n  kind: synthetic\n" POISSON LENS_FIXED,
                 "t.yaml:2:3: field 'requests': expected count or "
                 "duration_s (or both), found neither");
    expect_error(HEAD "  arrival: {process: gamma, rate_per_s: 8}\n" LENS_FIXED,
                 "t.yaml:4:12: field 'requests.arrival.cv': missing "
                 "(required)");
    /* Out of range, and a key that belongs to another choice. */
    expect_error(
        HEAD "  arrival: {process: poisson, rate_per_s: 8, cv: 2}\n" LENS_FIXED,
        "t.yaml:4:50: field 'requests.arrival.cv': cv is for "
        "process gamma only (Poisson gaps have cv 1)");
    expect_error(
        HEAD "  arrival: {process: poisson, rate_per_s: 8,\n"
             "            diurnal: {amplitude: 1.5, peak_s: 0}}\n" LENS_FIXED,
        "t.yaml:5:34: field 'requests.arrival.diurnal.amplitude': "
        "expected a number in [0, 1], found '1.5'");
    expect_error(
        HEAD
        "  arrival: {process: poisson, rate_per_s: 8,\n"
        "            diurnal: {amplitude: 0.5, peak_s: 90000}}\n" LENS_FIXED,
        "t.yaml:5:47: field 'requests.arrival.diurnal.peak_s': "
        "expected a number in [0, period_s = 86400], found "
        "'90000'");
    expect_error(HEAD POISSON "  input: {dist: zipf, s: 1, max: 2000000}\n"
                              "  output: {dist: fixed, value: 10}\n",
                 "t.yaml:5:34: field 'requests.input.max': expected an "
                 "integer in [1, 1000000], found '2000000'");
    expect_error(HEAD POISSON
                 "  input: {dist: uniform, min: 1, max: 9,"
                 " median: 4}\n  output: {dist: fixed, value: 10}\n",
                 "t.yaml:5:42: unknown field 'requests.input.median'; "
                 "known fields: dist, min, max");
    expect_error(HEAD "  duratoin_s: 60\n" POISSON LENS_FIXED,
                 "t.yaml:4:3: unknown field 'requests.duratoin_s'; did you "
                 "mean 'duration_s'?");
    expect_error(
        "requests:\n  kind: synthetic\n  duration_s: 1e9\n" POISSON LENS_FIXED,
        "t.yaml:3:15: field 'requests.duration_s': rate_per_s x "
        "duration_s is 8e+09 requests, more than the 100000000 a "
        "run holds; set count or a shorter duration_s");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("request");
    TCase *trace = tcase_create("trace");
    tcase_add_test(trace, test_timestamp_exact);
    tcase_add_test(trace, test_azure_real_sample);
    tcase_add_test(trace, test_azure_malformed);
    tcase_add_test(trace, test_azure_scale_and_limit);
    tcase_add_test(trace, test_azure_errors);
    tcase_add_test(trace, test_stats_by_hand);
    tcase_add_test(trace, test_yaml_trace);
    tcase_add_test(trace, test_yaml_trace_errors);
    suite_add_tcase(s, trace);
    TCase *synth = tcase_create("synthetic");
    tcase_set_timeout(synth, 120);
    tcase_add_test(synth, test_poisson_is_the_stream);
    tcase_add_test(synth, test_gamma_cv);
    tcase_add_test(synth, test_diurnal_peak_to_trough);
    tcase_add_test(synth, test_count_and_duration);
    tcase_add_test(synth, test_uniform_lengths);
    tcase_add_test(synth, test_zipf_lengths);
    tcase_add_test(synth, test_lognormal_lengths);
    tcase_add_test(synth, test_same_seed_same_requests);
    tcase_add_test(synth, test_streams_independent);
    tcase_add_test(synth, test_generate_checks_spec);
    tcase_add_test(synth, test_yaml_synthetic_errors);
    suite_add_tcase(s, synth);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
