/* test_weather.c - hourly weather files (sim/facility/weather.c).
 *
 * Invariants checked:
 *  - a file's row h holds for the whole hour [h, h + 1) of the run, the year
 *    wraps around (hour n is hour 0 again, also counting back from negative
 *    times), and start_hour shifts the whole series;
 *  - extra columns, quoting, CRLF and numbers written as 2.1e1 are read;
 *  - every kind of bad file is refused with one exact message naming the
 *    file, the line and the column: missing column, a word or an empty cell
 *    where a number belongs, humidity out of [0, 1] (percent by mistake),
 *    hours not consecutive from 0 or not whole, no rows, an empty file, a
 *    short row, a missing file;
 *  - the wet bulb is Stull's (2011) formula, written again here from the
 *    paper, and meets the paper's worked example (20 C, 50 % -> 13.7 C);
 *  - the shipped weather years have 8760 hours and reproduce the monthly
 *    normals they were made from (README.md in topologies/weather). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facility/weather.h"

#define DATA    DCSIM_TEST_DATA "/facility/"
#define WEATHER DCSIM_SOURCE_DIR "/topologies/weather/"

static dcs_weather_t *load_ok(const char *path)
{
    dcs_weather_t *w = NULL;
    dcs_err_t err = {""};
    ck_assert_msg(dcs_weather_load(path, &w, &err) == 0, "%s", err.msg);
    ck_assert_ptr_nonnull(w);
    return w;
}

static void expect_error(const char *path, const char *want)
{
    dcs_weather_t *w = (dcs_weather_t *)&w; /* must come back NULL */
    dcs_err_t err = {""};
    ck_assert_int_eq(dcs_weather_load(path, &w, &err), DCS_EINPUT);
    ck_assert_ptr_null(w);
    ck_assert_str_eq(err.msg, want);
}

/* Stull (2011), eq. (1), RH in percent, arctangents in radians. */
static double stull(double t, double rh_pct)
{
    return t * atan(0.151977 * pow(rh_pct + 8.313659, 0.5)) + atan(t + rh_pct) -
           atan(rh_pct - 1.676331) +
           0.00391838 * pow(rh_pct, 1.5) * atan(0.023101 * rh_pct) - 4.686035;
}

START_TEST(hours_are_piecewise_constant)
{
    dcs_weather_t *w = load_ok(DATA "weather-4h.csv");
    ck_assert_uint_eq(dcs_weather_hours(w), 4);
    /* Rows: 5 C 50 %, 21 C 40 %, 35 C 30 %, 12 C 60 %. */
    ck_assert_double_eq(dcs_weather_temp_c(w, 0), 5);
    ck_assert_double_eq(dcs_weather_temp_c(w, 3599.999), 5);
    ck_assert_double_eq(dcs_weather_temp_c(w, 3600), 21);
    ck_assert_double_eq(dcs_weather_rel_humidity_frac(w, 3600), 0.4);
    ck_assert_double_eq(dcs_weather_temp_c(w, 2 * 3600 + 1800), 35);
    ck_assert_double_eq(dcs_weather_rel_humidity_frac(w, 3 * 3600), 0.6);
    ck_assert_double_eq_tol(dcs_weather_wet_bulb_c(w, 7200), stull(35, 30),
                            1e-12);
    ck_assert_double_eq(dcs_weather_next_change_s(0), 3600);
    ck_assert_double_eq(dcs_weather_next_change_s(3599.5), 3600);
    ck_assert_double_eq(dcs_weather_next_change_s(3600), 7200);
    ck_assert_double_eq(dcs_weather_next_change_s(-1), 0);
    dcs_weather_free(w);
}
END_TEST

START_TEST(year_wraps_around)
{
    dcs_weather_t *w = load_ok(DATA "weather-4h.csv");
    double year = 4 * 3600.0;
    for (int k = -3; k <= 3; k++)
        for (int h = 0; h < 4; h++) {
            double t = k * year + h * 3600 + 10;
            ck_assert_uint_eq(dcs_weather_row(w, t), (size_t)h);
        }
    ck_assert_double_eq(dcs_weather_temp_c(w, 1000 * year + 3600), 21);
    ck_assert_double_eq(dcs_weather_temp_c(w, -1), 12); /* the last hour */
    dcs_weather_free(w);
}
END_TEST

START_TEST(start_hour_shifts)
{
    dcs_weather_t *w = load_ok(DATA "weather-4h.csv");
    ck_assert_int_eq(dcs_weather_set_start_hour(w, 4), DCS_EINVAL);
    ck_assert_int_eq(dcs_weather_set_start_hour(w, 2), 0);
    ck_assert_double_eq(dcs_weather_temp_c(w, 0), 35);
    ck_assert_double_eq(dcs_weather_temp_c(w, 3600), 12);
    ck_assert_double_eq(dcs_weather_temp_c(w, 7200), 5); /* wrapped */
    ck_assert_double_eq(dcs_weather_temp_c(w, 3 * 3600), 21);
    ck_assert_double_eq(dcs_weather_temp_c(w, 4 * 3600), 35);
    dcs_weather_free(w);
}
END_TEST

START_TEST(extra_columns_quotes_crlf)
{
    dcs_weather_t *w = load_ok(DATA "weather-extra-col.csv");
    ck_assert_uint_eq(dcs_weather_hours(w), 2);
    ck_assert_double_eq(dcs_weather_temp_c(w, 0), 5);
    ck_assert_double_eq(dcs_weather_temp_c(w, 3600), 21);
    ck_assert_double_eq(dcs_weather_rel_humidity_frac(w, 3600), 0.4);
    ck_assert_str_eq(dcs_weather_path(w), DATA "weather-extra-col.csv");
    dcs_weather_free(w);
    dcs_weather_free(NULL);
}
END_TEST

START_TEST(bad_files)
{
    expect_error(DATA "bad-missing-col.csv",
                 DATA "bad-missing-col.csv:1: no column 'temp_c'");
    expect_error(DATA "bad-temp-word.csv",
                 DATA "bad-temp-word.csv:3: field 'temp_c': expected a number "
                      "in [-90, 70], found 'warm'");
    expect_error(DATA "bad-temp-empty.csv",
                 DATA "bad-temp-empty.csv:2: field 'temp_c': expected a "
                      "number in [-90, 70], found ''");
    expect_error(DATA "bad-rh-range.csv",
                 DATA "bad-rh-range.csv:4: field 'rel_humidity_frac': "
                      "expected a number in [0, 1], found '65'");
    expect_error(DATA "bad-hour-gap.csv",
                 DATA "bad-hour-gap.csv:4: field 'hour': expected 2 (hours "
                      "consecutive from 0), found '3'");
    expect_error(DATA "bad-hour-start.csv",
                 DATA "bad-hour-start.csv:2: field 'hour': expected 0 (hours "
                      "consecutive from 0), found '1'");
    expect_error(DATA "bad-hour-fraction.csv",
                 DATA "bad-hour-fraction.csv:3: field 'hour': expected 1 "
                      "(hours consecutive from 0), found '1.5'");
    expect_error(DATA "bad-empty.csv",
                 DATA "bad-empty.csv: empty file, expected a header row");
    expect_error(DATA "bad-header-only.csv",
                 DATA "bad-header-only.csv: no data rows, expected one row "
                      "per hour");
    expect_error(DATA "bad-fields.csv",
                 DATA "bad-fields.csv:3: expected 3 fields as in the header, "
                      "found 2");
    expect_error(DATA "no-such.csv",
                 "cannot open '" DATA "no-such.csv': No such file or "
                 "directory");
}
END_TEST

START_TEST(wet_bulb_is_stull)
{
    /* Stull (2011), the worked example: T = 20 C, RH = 50 % -> 13.7 C. */
    ck_assert_double_eq_tol(dcs_wet_bulb_stull_c(20, 0.5), 13.7, 0.05);
    double ts[] = {-20, -5, 0, 10, 25, 35, 50};
    double rhs[] = {0.05, 0.2, 0.5, 0.8, 0.95};
    for (size_t i = 0; i < sizeof ts / sizeof *ts; i++)
        for (size_t j = 0; j < sizeof rhs / sizeof *rhs; j++) {
            double want = fmin(stull(ts[i], rhs[j] * 100), ts[i]);
            ck_assert_double_eq_tol(dcs_wet_bulb_stull_c(ts[i], rhs[j]), want,
                                    1e-12);
        }
    /* Outside the fitted 5-99 %: clamped; never above the dry bulb. */
    ck_assert_double_eq(dcs_wet_bulb_stull_c(30, 0.0),
                        dcs_wet_bulb_stull_c(30, 0.05));
    ck_assert_double_eq(dcs_wet_bulb_stull_c(30, 1.0),
                        dcs_wet_bulb_stull_c(30, 0.99));
    for (double t = -20; t <= 50; t += 5)
        ck_assert(dcs_wet_bulb_stull_c(t, 1.0) <= t);
}
END_TEST

/* Mean over each month of the daily maximum (or minimum) of a shipped
 * year, against the normal it was made from. */
static void check_monthly(const char *path, const double *tmax,
                          const double *tmin)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30,
                                 31, 31, 30, 31, 30, 31};
    dcs_weather_t *w = load_ok(path);
    ck_assert_uint_eq(dcs_weather_hours(w), 8760);
    int day = 0;
    for (int m = 0; m < 12; m++) {
        double sum_max = 0, sum_min = 0;
        for (int d = 0; d < days[m]; d++, day++) {
            double hi = -1e9, lo = 1e9;
            for (int h = 0; h < 24; h++) {
                double t = dcs_weather_temp_c(w, (day * 24 + h) * 3600.0);
                hi = fmax(hi, t);
                lo = fmin(lo, t);
            }
            sum_max += hi;
            sum_min += lo;
        }
        /* Files keep 0.01 C; the generator fits to 0.005 K. */
        ck_assert_double_eq_tol(sum_max / days[m], tmax[m], 0.02);
        ck_assert_double_eq_tol(sum_min / days[m], tmin[m], 0.02);
    }
    dcs_weather_free(w);
}

static double f_to_c(double f)
{
    return (f - 32) * 5 / 9;
}

START_TEST(shipped_years_match_normals)
{
    double hi_f[12] = {68, 71, 78, 86, 95, 104, 107, 105, 100, 89, 77, 66};
    double lo_f[12] = {46, 49, 55, 61, 70, 79, 85, 84, 78, 66, 54, 45};
    double hi[12], lo[12];
    for (int m = 0; m < 12; m++) {
        hi[m] = f_to_c(hi_f[m]);
        lo[m] = f_to_c(lo_f[m]);
    }
    check_monthly(WEATHER "phoenix-az.csv", hi, lo);
    double lulea_hi[12] = {-5, -5, 0, 6, 12, 17, 21, 19, 13, 6, 0, -3};
    double lulea_lo[12] = {-13, -13, -9, -3, 3, 9, 13, 11, 6, 0, -6, -10};
    check_monthly(WEATHER "lulea-se.csv", lulea_hi, lulea_lo);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("weather");
    TCase *tc = tcase_create("weather");
    tcase_add_test(tc, hours_are_piecewise_constant);
    tcase_add_test(tc, year_wraps_around);
    tcase_add_test(tc, start_hour_shifts);
    tcase_add_test(tc, extra_columns_quotes_crlf);
    tcase_add_test(tc, bad_files);
    tcase_add_test(tc, wet_bulb_is_stull);
    tcase_add_test(tc, shipped_years_match_normals);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
