/* test_budget.c - team budgets per period (sim/cost/budget.c).
 *
 * Invariants, on cases worked out by hand (plans of $1000 per 100 s period
 * unless said otherwise):
 * - spend spread over a period boundary splits by time share, and the
 *   shares add up to the amount; a run rate splits the same way;
 * - the forecast is actual + rate x time left, and the alert is raised at
 *   the instant it first exceeds the plan (a rate change, a period start,
 *   or a charge learnt late), and stays raised if spend then slows;
 * - over budget (and the hold) turns on at exactly the nanosecond the
 *   actual spend reaches the plan, and off when the next period begins;
 * - teams without a budget are never charged, alerted or held;
 * - every bad `budgets:` section is refused with one exact message naming
 *   file:line:col and the field (positions counted by hand). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cost/budget.h"

#define S(x) ((dcs_time_t)((x)*DCS_NS_PER_S))
#define NS   INT64_C(1)

/* The plan used by most cases: one team, $1000 per 100 s, holds on. */
static const char *const LLAMA = "budgets:\n"
                                 "  period_s: 100\n"
                                 "  hold_over_budget: true\n"
                                 "  teams:\n"
                                 "    - {name: llama, usd_per_period: 1000}\n";

/* Reads `text`'s `budgets` section into *b, failing the test on error. */
static void budget_from(const char *text, dcs_budget_t *b)
{
    dcs_err_t err = {""};
    dcs_cfg_t *cfg = dcs_cfg_load_string("t.yaml", text, &err);
    ck_assert_msg(cfg != NULL, "load failed: %s", err.msg);
    dcs_cfg_node_t *root = dcs_cfg_root(cfg);
    int rc = dcs_budget_read(dcs_cfg_get(root, "budgets"), b, &err);
    ck_assert_msg(rc == 0, "read failed: %s", err.msg);
    ck_assert_int_eq(dcs_cfg_check_unknown(root, &err), 0);
    dcs_cfg_free(cfg);
}

/* Reads `text`, expecting the message `want`. */
static void expect_error(const char *text, const char *want)
{
    dcs_err_t err = {""};
    dcs_cfg_t *cfg = dcs_cfg_load_string("t.yaml", text, &err);
    ck_assert_msg(cfg != NULL, "load failed: %s", err.msg);
    dcs_budget_t b;
    int rc =
        dcs_budget_read(dcs_cfg_get(dcs_cfg_root(cfg), "budgets"), &b, &err);
    ck_assert_int_eq(rc, DCS_EINPUT);
    ck_assert_str_eq(err.msg, want);
    ck_assert_uint_eq(b.nteams, 0);
    dcs_cfg_free(cfg);
}

/* ---- splitting spend ------------------------------------------------ */

START_TEST(charge_splits_at_boundary)
{
    dcs_budget_t b;
    budget_from(LLAMA, &b);
    /* $300 over [90, 120]: 10 s of 30 in period 0, 20 s in period 1 */
    ck_assert_int_eq(dcs_budget_charge(&b, "llama", S(90), S(120), 300), 0);
    ck_assert_double_eq(dcs_budget_spent(&b, "llama", 0, S(120)), 100);
    ck_assert_double_eq(dcs_budget_spent(&b, "llama", 1, S(120)), 200);
    /* $1000 over [50, 350]: 50, 100, 100, 50 s of 300 */
    ck_assert_int_eq(dcs_budget_charge(&b, "llama", S(50), S(350), 1000), 0);
    double p[4] = {1000.0 * 50 / 300, 1000.0 * 100 / 300, 1000.0 * 100 / 300,
                   1000.0 * 50 / 300};
    double before[4] = {100, 200, 0, 0}, sum = 0;
    for (int k = 0; k < 4; k++) {
        double got = dcs_budget_spent(&b, "llama", k, S(350)) - before[k];
        ck_assert_double_eq_tol(got, p[k], 1e-9);
        sum += got;
    }
    ck_assert_double_eq_tol(sum, 1000, 1e-9);
    /* a point charge on a boundary belongs to the period it opens */
    ck_assert_int_eq(dcs_budget_charge(&b, "llama", S(400), S(400), 7), 0);
    ck_assert_double_eq(dcs_budget_spent(&b, "llama", 4, S(400)), 7);
    ck_assert_double_eq_tol(dcs_budget_spent(&b, "llama", 3, S(400)),
                            1000.0 * 50 / 300, 1e-9);
    dcs_budget_destroy(&b);
}
END_TEST

START_TEST(rate_splits_at_boundary)
{
    dcs_budget_t b;
    budget_from(LLAMA, &b);
    /* $2/s over [50, 250]: 50 s, 100 s and 50 s */
    ck_assert_int_eq(dcs_budget_rate(&b, "llama", S(50), 2), 0);
    /* queried before it is booked, then booked by the rate's end */
    ck_assert_double_eq(dcs_budget_spent(&b, "llama", 1, S(160)), 2 * 60);
    ck_assert_int_eq(dcs_budget_rate(&b, "llama", S(250), -2), 0);
    ck_assert_double_eq(dcs_budget_spent(&b, "llama", 0, S(250)), 100);
    ck_assert_double_eq(dcs_budget_spent(&b, "llama", 1, S(250)), 200);
    ck_assert_double_eq(dcs_budget_spent(&b, "llama", 2, S(250)), 100);
    ck_assert_double_eq(dcs_budget_spent(&b, "llama", 2, S(299)), 100);
    dcs_budget_destroy(&b);
}
END_TEST

/* ---- forecasts and alerts ------------------------------------------- */

START_TEST(forecast_crosses_at_rate_change)
{
    dcs_budget_t b;
    budget_from(LLAMA, &b);
    /* job A at $5/s from 10 s: forecast 5 x 90 = 450, under the plan */
    ck_assert_int_eq(dcs_budget_rate(&b, "llama", S(10), 5), 0);
    ck_assert_double_eq(dcs_budget_forecast(&b, "llama", S(30)), 450);
    /* job B at $15/s from 40 s: actual 5 x 30 = 150, forecast
     * 150 + 20 x 60 = 1350 > 1000: the alert is raised at 40 s */
    ck_assert_int_eq(dcs_budget_rate(&b, "llama", S(40), 15), 0);
    ck_assert_double_eq(dcs_budget_forecast(&b, "llama", S(40)), 1350);
    ck_assert_int_eq(dcs_budget_alert_ns(&b, "llama", 0), S(40));
    /* actual reaches 1000 at 40 + 850 / 20 = 82.5 s, to the nanosecond */
    ck_assert_int_eq(dcs_budget_over(&b, "llama", S(82.5) - NS), 0);
    ck_assert_int_eq(dcs_budget_over(&b, "llama", S(82.5)), 1);
    ck_assert_int_eq(dcs_budget_holds(&b, "llama", S(82.5) - NS), 0);
    ck_assert_int_eq(dcs_budget_holds(&b, "llama", S(82.5)), 1);
    /* both end at 90 s: 150 + 20 x 50 = 1150 */
    ck_assert_int_eq(dcs_budget_rate(&b, "llama", S(90), -20), 0);
    dcs_budget_row_t *rows;
    size_t n;
    ck_assert_int_eq(dcs_budget_rows(&b, S(100), &rows, &n), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(rows[0].team, "llama");
    ck_assert_int_eq(rows[0].start_ns, 0);
    ck_assert_int_eq(rows[0].end_ns, S(100));
    ck_assert_double_eq(rows[0].plan_usd, 1000);
    ck_assert_double_eq(rows[0].actual_usd, 1150);
    ck_assert_double_eq(rows[0].forecast_usd, 1150);
    ck_assert_str_eq(rows[0].alert, "over_actual");
    ck_assert_int_eq(rows[0].alert_ns, S(40));
    free(rows);
    dcs_budget_destroy(&b);
}
END_TEST

START_TEST(alert_at_period_start_and_hold_resets)
{
    dcs_budget_t b;
    budget_from(LLAMA, &b);
    /* $20/s from 10 s to 150 s: forecast 20 x 90 = 1800 at once */
    ck_assert_int_eq(dcs_budget_rate(&b, "llama", S(10), 20), 0);
    ck_assert_int_eq(dcs_budget_alert_ns(&b, "llama", 0), S(10));
    /* actual 1000 at 10 + 50 = 60 s */
    ck_assert_int_eq(dcs_budget_over(&b, "llama", S(60) - NS), 0);
    ck_assert_int_eq(dcs_budget_over(&b, "llama", S(60)), 1);
    /* period 1 starts at 100 s from 0: not over; over again once 20 x 50 */
    ck_assert_int_eq(dcs_budget_over(&b, "llama", S(100)), 0);
    ck_assert_int_eq(dcs_budget_next_period_ns(&b, S(60)), S(100));
    ck_assert_int_eq(dcs_budget_over(&b, "llama", S(150) - NS), 0);
    ck_assert_int_eq(dcs_budget_holds(&b, "llama", S(150)), 1);
    ck_assert_int_eq(dcs_budget_rate(&b, "llama", S(150), -20), 0);
    ck_assert_int_eq(dcs_budget_holds(&b, "llama", S(199)), 1);
    ck_assert_int_eq(dcs_budget_holds(&b, "llama", S(200)), 0);
    /* rows to 250 s: three periods, the last one half run */
    dcs_budget_row_t *rows;
    size_t n;
    ck_assert_int_eq(dcs_budget_rows(&b, S(250), &rows, &n), 0);
    ck_assert_uint_eq(n, 3);
    ck_assert_double_eq(rows[0].actual_usd, 20 * 90);
    ck_assert_str_eq(rows[0].alert, "over_actual");
    ck_assert_int_eq(rows[0].alert_ns, S(10));
    /* period 1 opened with forecast 20 x 100 = 2000 */
    ck_assert_double_eq(rows[1].actual_usd, 20 * 50);
    ck_assert_str_eq(rows[1].alert, "over_actual");
    ck_assert_int_eq(rows[1].alert_ns, S(100));
    ck_assert_int_eq(rows[2].start_ns, S(200));
    ck_assert_int_eq(rows[2].end_ns, S(300));
    ck_assert_double_eq(rows[2].actual_usd, 0);
    ck_assert_double_eq(rows[2].forecast_usd, 0);
    ck_assert_str_eq(rows[2].alert, "");
    ck_assert_int_eq(rows[2].alert_ns, -1);
    free(rows);
    dcs_budget_destroy(&b);
}
END_TEST

START_TEST(forecast_alert_outlives_slowdown)
{
    dcs_budget_t b;
    budget_from(LLAMA, &b);
    /* $20/s from 10 s to 30 s: alert at 10 s (forecast 1800), actual 400 */
    ck_assert_int_eq(dcs_budget_rate(&b, "llama", S(10), 20), 0);
    ck_assert_int_eq(dcs_budget_rate(&b, "llama", S(30), -20), 0);
    ck_assert_double_eq(dcs_budget_forecast(&b, "llama", S(30)), 400);
    /* $5/s from 60 s; the run ends at 150 s, mid period 1:
     * period 0: 400 + 5 x 40 = 600; period 1: 5 x 50 = 250 so far,
     * forecast 250 + 5 x 50 = 500 */
    ck_assert_int_eq(dcs_budget_rate(&b, "llama", S(60), 5), 0);
    dcs_budget_row_t *rows;
    size_t n;
    ck_assert_int_eq(dcs_budget_rows(&b, S(150), &rows, &n), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_double_eq(rows[0].actual_usd, 600);
    ck_assert_double_eq(rows[0].forecast_usd, 600);
    ck_assert_str_eq(rows[0].alert, "over_forecast");
    ck_assert_int_eq(rows[0].alert_ns, S(10));
    ck_assert_double_eq(rows[1].actual_usd, 250);
    ck_assert_double_eq(rows[1].forecast_usd, 500);
    ck_assert_str_eq(rows[1].alert, "");
    ck_assert_int_eq(rows[1].alert_ns, -1);
    free(rows);
    dcs_budget_destroy(&b);
}
END_TEST

START_TEST(late_charge_alerts_when_learnt)
{
    dcs_budget_t b;
    budget_from(LLAMA, &b);
    /* the clock is at 120 s when $1200 spent over [0, 100] becomes known:
     * period 0 is over, learnt at 120 s */
    ck_assert_int_eq(dcs_budget_rate(&b, "llama", S(120), 1), 0);
    ck_assert_int_eq(dcs_budget_charge(&b, "llama", 0, S(100), 1200), 0);
    ck_assert_int_eq(dcs_budget_alert_ns(&b, "llama", 0), S(120));
    /* a rate change dated 110 s, learnt at 120 s: +$3/s over [110, 120] */
    ck_assert_int_eq(dcs_budget_rate(&b, "llama", S(110), 3), 0);
    ck_assert_double_eq(dcs_budget_spent(&b, "llama", 1, S(120)), 30);
    /* forecast now 30 + 4 x 80 = 350 */
    ck_assert_double_eq(dcs_budget_forecast(&b, "llama", S(120)), 350);
    /* a charge crossing the plan of period 1 mid-period: known at 130 s,
     * 30 + 4 x 10 + 700 = 770 actual, forecast 770 + 4 x 70 = 1050 */
    ck_assert_int_eq(dcs_budget_charge(&b, "llama", S(125), S(130), 700), 0);
    ck_assert_double_eq(dcs_budget_forecast(&b, "llama", S(130)), 1050);
    ck_assert_int_eq(dcs_budget_alert_ns(&b, "llama", 1), S(130));
    dcs_budget_destroy(&b);
}
END_TEST

START_TEST(rates_sum_back_to_zero)
{
    dcs_budget_t b;
    budget_from(LLAMA, &b);
    /* 0.1 + 0.1 + 0.1 - 0.3 is 5.6e-17 in doubles: it counts as 0 */
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(dcs_budget_rate(&b, "llama", S(i), 0.1), 0);
    ck_assert_int_eq(dcs_budget_rate(&b, "llama", S(3), -0.3), 0);
    /* so the forecast is the spend so far, 0.1 + 0.2 + 0.3 */
    ck_assert_double_eq(dcs_budget_forecast(&b, "llama", S(3)),
                        dcs_budget_spent(&b, "llama", 0, S(3)));
    ck_assert_double_eq_tol(dcs_budget_spent(&b, "llama", 0, S(3)), 0.6, 1e-12);
    /* removing what was never added is the caller's bug */
    ck_assert_int_eq(dcs_budget_rate(&b, "llama", S(4), -0.1), DCS_EINVAL);
    ck_assert_int_eq(dcs_budget_rate(&b, "llama", S(4), NAN), DCS_EINVAL);
    ck_assert_int_eq(dcs_budget_charge(&b, "llama", S(5), S(4), 1), DCS_EINVAL);
    ck_assert_int_eq(dcs_budget_charge(&b, "llama", -1, S(4), 1), DCS_EINVAL);
    ck_assert_int_eq(dcs_budget_charge(&b, "llama", 0, S(4), INFINITY),
                     DCS_EINVAL);
    dcs_budget_destroy(&b);
}
END_TEST

/* ---- teams without a budget ----------------------------------------- */

START_TEST(unbudgeted_never_alert_or_hold)
{
    dcs_budget_t b;
    budget_from(LLAMA, &b);
    ck_assert_int_eq(dcs_budget_rate(&b, "ghost", S(0), 1e6), 0);
    ck_assert_int_eq(dcs_budget_charge(&b, "ghost", 0, S(50), 1e9), 0);
    ck_assert_int_eq(dcs_budget_over(&b, "ghost", S(50)), 0);
    ck_assert_int_eq(dcs_budget_holds(&b, "ghost", S(50)), 0);
    ck_assert_double_eq(dcs_budget_spent(&b, "ghost", 0, S(50)), 0);
    ck_assert_double_eq(dcs_budget_forecast(&b, "ghost", S(50)), 0);
    /* nor do they touch the budgeted team */
    ck_assert_double_eq(dcs_budget_spent(&b, "llama", 0, S(50)), 0);
    dcs_budget_row_t *rows;
    size_t n;
    ck_assert_int_eq(dcs_budget_rows(&b, S(50), &rows, &n), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(rows[0].team, "llama");
    ck_assert_str_eq(rows[0].alert, "");
    free(rows);
    dcs_budget_destroy(&b);

    /* no section at all: nothing budgeted, no rows */
    dcs_err_t err = {""};
    ck_assert_int_eq(dcs_budget_read(NULL, &b, &err), 0);
    ck_assert_int_eq(dcs_budget_charge(&b, "llama", 0, S(1), 5), 0);
    ck_assert_int_eq(dcs_budget_holds(&b, "llama", S(1)), 0);
    ck_assert_int_eq(dcs_budget_next_period_ns(&b, S(1)), DCS_TIME_NEVER);
    ck_assert_int_eq(dcs_budget_rows(&b, S(1), &rows, &n), 0);
    ck_assert_ptr_null(rows);
    ck_assert_uint_eq(n, 0);
    dcs_budget_destroy(&b);
}
END_TEST

START_TEST(hold_needs_the_option)
{
    dcs_budget_t b;
    budget_from("budgets:\n"
                "  period_s: 100\n"
                "  teams:\n"
                "    - {name: llama, usd_per_period: 1000}\n"
                "    - {name: frozen, usd_per_period: 0}\n",
                &b);
    ck_assert_int_eq(dcs_budget_charge(&b, "llama", 0, S(10), 1000), 0);
    ck_assert_int_eq(dcs_budget_over(&b, "llama", S(10)), 1);
    ck_assert_int_eq(dcs_budget_holds(&b, "llama", S(10)), 0);
    /* a plan of 0 is over from the start, alert at 0 */
    ck_assert_int_eq(dcs_budget_over(&b, "frozen", 0), 1);
    dcs_budget_row_t *rows;
    size_t n;
    ck_assert_int_eq(dcs_budget_rows(&b, S(10), &rows, &n), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(rows[1].team, "frozen");
    ck_assert_str_eq(rows[1].alert, "over_actual");
    ck_assert_int_eq(rows[1].alert_ns, 0);
    free(rows);
    /* the report may not go back before a time already given */
    ck_assert_int_eq(dcs_budget_rows(&b, S(5), &rows, &n), DCS_EINVAL);
    dcs_budget_destroy(&b);
}
END_TEST

/* ---- reading -------------------------------------------------------- */

START_TEST(read_periods)
{
    dcs_budget_t b;
    /* default: a month of 365.25 / 12 days = 730.5 h */
    budget_from("budgets:\n  teams: [{name: a, usd_per_period: 1}]\n", &b);
    ck_assert_int_eq(b.period_ns, INT64_C(2629800) * DCS_NS_PER_S);
    ck_assert(!b.hold_over_budget);
    ck_assert_uint_eq(b.nteams, 1);
    ck_assert_str_eq(b.teams[0].name, "a");
    ck_assert_double_eq(b.teams[0].plan_usd, 1);
    dcs_budget_destroy(&b);
    budget_from("budgets:\n  period: week\n"
                "  teams: [{name: a, usd_per_period: 1}]\n",
                &b);
    ck_assert_int_eq(b.period_ns, INT64_C(604800) * DCS_NS_PER_S);
    dcs_budget_destroy(&b);
    budget_from("budgets:\n  period: day\n  hold_over_budget: true\n"
                "  teams: [{name: a, usd_per_period: 2.5e5}]\n",
                &b);
    ck_assert_int_eq(b.period_ns, INT64_C(86400) * DCS_NS_PER_S);
    ck_assert(b.hold_over_budget);
    ck_assert_double_eq(b.teams[0].plan_usd, 250000);
    dcs_budget_destroy(&b);
    budget_from("budgets:\n  period_s: 0.5e3\n"
                "  teams: [{name: a, usd_per_period: 1}]\n",
                &b);
    ck_assert_int_eq(b.period_ns, S(500));
    dcs_budget_destroy(&b);
}
END_TEST

START_TEST(bad_input_messages)
{
    /* "    - {name: llama, usd_per_period: 10}": '{' at 7, llama at 14,
     * 10 at 37 */
    expect_error("budgets:\n"
                 "  period_s: 100\n"
                 "  teams:\n"
                 "    - {name: llama, usd_per_period: 10}\n"
                 "    - {name: llama, usd_per_period: 20}\n",
                 "t.yaml:5:14: field 'budgets.teams[1].name': team 'llama' "
                 "listed twice (first at t.yaml:4:14)");
    expect_error("budgets:\n"
                 "  teams:\n"
                 "    - {name: llama, usd_per_period: -5}\n",
                 "t.yaml:3:37: field 'budgets.teams[0].usd_per_period': "
                 "expected a number in [0, 1e+15], found '-5'");
    expect_error("budgets:\n"
                 "  teams:\n"
                 "    - {name: llama}\n",
                 "t.yaml:3:7: field 'budgets.teams[0].usd_per_period': "
                 "missing (required)");
    expect_error("budgets:\n"
                 "  period: fortnight\n"
                 "  teams: [{name: a, usd_per_period: 1}]\n",
                 "t.yaml:2:11: field 'budgets.period': expected one of "
                 "month, week, day, found 'fortnight'");
    expect_error("budgets:\n"
                 "  period: week\n"
                 "  period_s: 60\n"
                 "  teams: [{name: a, usd_per_period: 1}]\n",
                 "t.yaml:3:13: field 'budgets.period_s': expected either "
                 "'period' or 'period_s', found both");
    expect_error("budgets:\n"
                 "  period_s: 0\n"
                 "  teams: [{name: a, usd_per_period: 1}]\n",
                 "t.yaml:2:13: field 'budgets.period_s': expected a number "
                 "in [1, 1e+09], found '0'");
    expect_error("budgets:\n"
                 "  period: day\n",
                 "t.yaml:2:3: field 'budgets.teams': missing (required)");
    expect_error("budgets:\n"
                 "  teams: []\n",
                 "t.yaml:2:10: field 'budgets.teams': expected a non-empty "
                 "sequence of teams");
    expect_error("budgets:\n"
                 "  teams: [{name: '', usd_per_period: 1}]\n",
                 "t.yaml:2:18: field 'budgets.teams[0].name': expected a "
                 "team name of 1 to 31 characters, found ''");
    expect_error("budgets:\n"
                 "  hold_over_budget: maybe\n"
                 "  teams: [{name: a, usd_per_period: 1}]\n",
                 "t.yaml:2:21: field 'budgets.hold_over_budget': expected "
                 "true or false, found 'maybe'");
}
END_TEST

static Suite *budget_suite(void)
{
    Suite *s = suite_create("budget");
    TCase *split = tcase_create("split");
    tcase_add_test(split, charge_splits_at_boundary);
    tcase_add_test(split, rate_splits_at_boundary);
    suite_add_tcase(s, split);

    TCase *alert = tcase_create("alert");
    tcase_add_test(alert, forecast_crosses_at_rate_change);
    tcase_add_test(alert, alert_at_period_start_and_hold_resets);
    tcase_add_test(alert, forecast_alert_outlives_slowdown);
    tcase_add_test(alert, late_charge_alerts_when_learnt);
    tcase_add_test(alert, rates_sum_back_to_zero);
    suite_add_tcase(s, alert);

    TCase *hold = tcase_create("hold");
    tcase_add_test(hold, unbudgeted_never_alert_or_hold);
    tcase_add_test(hold, hold_needs_the_option);
    suite_add_tcase(s, hold);

    TCase *read = tcase_create("read");
    tcase_add_test(read, read_periods);
    tcase_add_test(read, bad_input_messages);
    suite_add_tcase(s, read);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(budget_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
