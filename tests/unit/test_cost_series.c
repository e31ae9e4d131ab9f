/* test_cost_series.c - hourly series from CSV (sim/cost/series.c), the code
 * both the time-of-use tariff and the hourly grid carbon intensity use.
 *
 * Invariants checked:
 *  - every bad series file or key is refused with one exact message: a CSV
 *    problem names PATH:LINE and the column (missing column, a word where a
 *    number belongs, hours not increasing, a first row not at hour 0, an
 *    hour past the period, a value out of range, no rows, a ragged row); a
 *    YAML problem names FILE:LINE:COL and the field (missing file, a
 *    start_hour past the period, a period of 0, a missing key);
 *  - the value at a time and the period average follow the rows.
 * The CSVs are tests/unit/data/cost/bad_*.csv; each differs from a good
 * file in the one place the expected message names. The YAML documents are
 * read as if they were tests/unit/data/cost/t.yaml, so LINE:COL below are
 * counted in the strings of each test (line 1 is `s:`). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cost/series.h"

#define DATA DCSIM_TEST_DATA "/cost/"
#define H    3600.0

/* Reads the series mapping `s:` of `doc` with value column `column` in
 * [0, 10]; returns its return code, the message in `err`. */
static int read_doc(const char *doc, const char *column, dcs_series_t *s,
                    dcs_err_t *err)
{
    dcs_cfg_t *cfg = dcs_cfg_load_string(DATA "t.yaml", doc, err);
    ck_assert_msg(cfg != NULL, "%s", err->msg);
    dcs_cfg_node_t *map = dcs_cfg_get(dcs_cfg_root(cfg), "s");
    int rc = dcs_series_read(map, column, 0, 10, s, err);
    dcs_cfg_free(cfg);
    return rc;
}

/* The series file `csv` (in the data folder), period 24 h, must fail with
 * `want`. */
static void expect_csv_error(const char *csv, const char *want)
{
    char doc[256];
    snprintf(doc, sizeof doc, "s:\n  csv: %s\n  period_hours: 24\n", csv);
    dcs_series_t s;
    dcs_err_t err = {""};
    ck_assert_int_eq(read_doc(doc, "usd_per_kwh", &s, &err), DCS_EINPUT);
    ck_assert_str_eq(err.msg, want);
    ck_assert_uint_eq(s.n, 0); /* nothing held */
}

static void expect_doc_error(const char *doc, const char *want)
{
    dcs_series_t s;
    dcs_err_t err = {""};
    ck_assert_int_eq(read_doc(doc, "usd_per_kwh", &s, &err), DCS_EINPUT);
    ck_assert_str_eq(err.msg, want);
}

START_TEST(test_bad_csv)
{
    expect_csv_error("bad_no_column.csv",
                     DATA "bad_no_column.csv:1: no column 'usd_per_kwh'; "
                          "expected a header with hour,usd_per_kwh");
    expect_csv_error("bad_hour_word.csv",
                     DATA "bad_hour_word.csv:3: field 'hour': expected a "
                          "number, found 'noon'");
    expect_csv_error("bad_price_word.csv",
                     DATA "bad_price_word.csv:2: field 'usd_per_kwh': "
                          "expected a number in [0, 10], found 'cheap'");
    expect_csv_error("bad_not_increasing.csv",
                     DATA "bad_not_increasing.csv:4: field 'hour': expected "
                          "a number > 8 (the row before), found '8'");
    expect_csv_error("bad_negative.csv",
                     DATA "bad_negative.csv:3: field 'usd_per_kwh': expected "
                          "a number in [0, 10], found '-0.1'");
    expect_csv_error("bad_first_hour.csv",
                     DATA "bad_first_hour.csv:2: field 'hour': expected 0 in "
                          "the first row, found '1'");
    expect_csv_error("bad_past_period.csv",
                     DATA "bad_past_period.csv:3: field 'hour': expected a "
                          "number < 24 (period_hours), found '24'");
    expect_csv_error("bad_no_rows.csv",
                     DATA "bad_no_rows.csv: no rows after the header, "
                          "expected one at hour 0");
    expect_csv_error("bad_fields.csv",
                     DATA "bad_fields.csv:3: expected 2 fields as in the "
                          "header, found 3");
}
END_TEST

START_TEST(test_bad_keys)
{
    /* The file is looked for beside the YAML file: `csv:` is at 2:3, its
     * value at 2:8. */
    expect_doc_error("s:\n  csv: missing.csv\n  period_hours: 24\n",
                     DATA "t.yaml:2:8: field 's.csv': cannot open '" DATA
                          "missing.csv': No such file or directory");
    expect_doc_error("s:\n  csv: tou_noon.csv\n  period_hours: 24\n"
                     "  start_hour: 24\n",
                     DATA "t.yaml:4:15: field 's.start_hour': expected a "
                          "number below period_hours (24), found '24'");
    expect_doc_error("s:\n  csv: tou_noon.csv\n  period_hours: 0\n",
                     DATA "t.yaml:3:17: field 's.period_hours': expected a "
                          "number > 0, found '0'");
    expect_doc_error("s:\n  csv: tou_noon.csv\n  period_hours: -24\n",
                     DATA "t.yaml:3:17: field 's.period_hours': expected a "
                          "number in [0, 876600], found '-24'");
    expect_doc_error("s:\n  csv: tou_noon.csv\n",
                     DATA "t.yaml:2:3: field 's.period_hours': missing "
                          "(required)");
    expect_doc_error("s:\n  period_hours: 24\n",
                     DATA "t.yaml:2:3: field 's.csv': missing (required)");
    /* Hours past the period are checked against the period given. */
    expect_doc_error("s:\n  csv: tou_noon.csv\n  period_hours: 12\n",
                     DATA "tou_noon.csv:3: field 'hour': expected a number "
                          "< 12 (period_hours), found '12'");
}
END_TEST

START_TEST(test_values)
{
    dcs_series_t s;
    dcs_err_t err = {""};
    ck_assert_int_eq(read_doc("s: {csv: tou_noon.csv, period_hours: 24}\n",
                              "usd_per_kwh", &s, &err),
                     0);
    ck_assert_uint_eq(s.n, 2);
    ck_assert_double_eq(dcs_series_at(&s, 0), 0.10);
    ck_assert_double_eq(dcs_series_at(&s, 11.999 * H), 0.10);
    ck_assert_double_eq(dcs_series_at(&s, 12 * H), 0.30);
    ck_assert_double_eq(dcs_series_at(&s, 24 * H), 0.10);
    ck_assert_double_eq(dcs_series_at(&s, 24 * H * 365 + 13 * H), 0.30);
    ck_assert_double_eq_tol(dcs_series_mean(&s), 0.20, 1e-12);
    /* One period: 12 h x 0.1 + 12 h x 0.3 = 4.8 h = 17280 s (x value). */
    ck_assert_double_eq_tol(dcs_series_integral(&s, 0, 24 * H), 17280.0, 1e-9);
    dcs_series_destroy(&s);
    dcs_series_destroy(&s); /* twice is harmless */
    dcs_series_destroy(NULL);

    dcs_series_const(&s, 7.0);
    ck_assert_double_eq(dcs_series_at(&s, 1e9), 7.0);
    ck_assert_double_eq(dcs_series_integral(&s, 10, 20), 70.0);
    ck_assert_double_eq(dcs_series_mean(&s), 7.0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cost_series");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_bad_csv);
    tcase_add_test(tc, test_bad_keys);
    tcase_add_test(tc, test_values);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
