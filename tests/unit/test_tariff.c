/* test_tariff.c - energy prices (sim/cost/tariff.c, over series.c).
 *
 * Invariants checked:
 *  - a time-of-use tariff prices a job at constant power exactly by the
 *    pieces it spans: 2 h at 100 kW across a change from $0.10 to $0.30 at
 *    the hour costs 100 kWh x 0.10 + 100 kWh x 0.30 = $40, no more, no less;
 *  - the period repeats: an interval across the end of the period is priced
 *    with the first row again, whole periods at the period's integral, and
 *    start_hour moves the run's start within the period;
 *  - cost is additive: splitting an interval anywhere changes nothing;
 *  - a flat tariff is energy x price; the untimed price of a time-of-use
 *    tariff is its period average;
 *  - the demand charge is $/kW-month x peak kW, pro rata for part of a
 *    billing month (730.5 h);
 *  - the next price change is the next step boundary.
 * Numbers are worked by hand in the comments. The tariff fixture is
 * tests/unit/data/cost/tou_noon.csv: $0.10/kWh from hour 0, $0.30 from hour
 * 12, repeating every 24 h. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cost/capex.h"
#include "cost/tariff.h"

#define DATA DCSIM_TEST_DATA "/cost/"
#define H    3600.0

/* Reads `cost_text` (the body of a `cost:` mapping, indented two spaces)
 * as if it were in tests/unit/data/cost/t.yaml. */
static void read_tariff(const char *cost_text, dcs_tariff_t *t)
{
    char doc[2048];
    snprintf(doc, sizeof doc, "cost:\n%s", cost_text);
    dcs_err_t err = {""};
    dcs_cfg_t *cfg = dcs_cfg_load_string(DATA "t.yaml", doc, &err);
    ck_assert_msg(cfg != NULL, "%s", err.msg);
    dcs_cfg_node_t *map = dcs_cfg_get(dcs_cfg_root(cfg), "cost");
    int rc = dcs_tariff_read(map, t, &err);
    ck_assert_msg(rc == 0, "%s", err.msg);
    ck_assert_int_eq(dcs_cfg_check_unknown(dcs_cfg_root(cfg), &err), 0);
    dcs_cfg_free(cfg);
}

static const char *TOU = "  tariff: tou\n"
                         "  tou_tariff:\n"
                         "    csv: tou_noon.csv\n"
                         "    period_hours: 24\n";

START_TEST(test_split_at_change)
{
    dcs_tariff_t t;
    read_tariff(TOU, &t);
    /* 11:00 to 13:00 at 100 kW: 100 kWh at $0.10, 100 kWh at $0.30. */
    ck_assert_double_eq_tol(dcs_tariff_energy_usd(&t, 11 * H, 13 * H, 1e5),
                            40.0, 1e-9);
    /* 11:30 to 12:30: 50 kWh at each price, $5 + $15. */
    ck_assert_double_eq_tol(dcs_tariff_energy_usd(&t, 11.5 * H, 12.5 * H, 1e5),
                            20.0, 1e-9);
    /* Inside one step: 1 h at 100 kW at $0.30. */
    ck_assert_double_eq_tol(dcs_tariff_energy_usd(&t, 13 * H, 14 * H, 1e5),
                            30.0, 1e-9);
    /* An empty or reversed interval costs nothing. */
    ck_assert_double_eq(dcs_tariff_energy_usd(&t, 5 * H, 5 * H, 1e5), 0);
    ck_assert_double_eq(dcs_tariff_energy_usd(&t, 6 * H, 5 * H, 1e5), 0);
    dcs_tariff_destroy(&t);
}
END_TEST

START_TEST(test_wraps_around_period)
{
    dcs_tariff_t t;
    read_tariff(TOU, &t);
    /* 23:00 to 01:00 next day: 100 kWh at $0.30 then 100 kWh at $0.10. */
    ck_assert_double_eq_tol(dcs_tariff_energy_usd(&t, 23 * H, 25 * H, 1e5),
                            40.0, 1e-9);
    /* A day is 12 h x 0.10 + 12 h x 0.30 = 4.8 $ per kW; at 100 kW $480.
     * Three whole days from 11:00, and three days and two hours (the extra
     * 11:00-13:00 costing $40). */
    ck_assert_double_eq_tol(
        dcs_tariff_energy_usd(&t, 11 * H, 11 * H + 72 * H, 1e5), 1440.0, 1e-9);
    ck_assert_double_eq_tol(
        dcs_tariff_energy_usd(&t, 11 * H, 13 * H + 72 * H, 1e5), 1480.0, 1e-9);
    /* Day 1000, 11:00 to 13:00: the same $40 as on day 0. */
    double day = 24 * H * 1000;
    ck_assert_double_eq_tol(
        dcs_tariff_energy_usd(&t, day + 11 * H, day + 13 * H, 1e5), 40.0, 1e-6);
    dcs_tariff_destroy(&t);
}
END_TEST

START_TEST(test_start_hour)
{
    dcs_tariff_t t;
    read_tariff("  tariff: tou\n"
                "  tou_tariff: {csv: tou_noon.csv, period_hours: 24,"
                " start_hour: 11}\n",
                &t);
    /* The run starts at 11:00: its first two hours cost the $40 above, and
     * its hour 1 is the first at the peak price. */
    ck_assert_double_eq_tol(dcs_tariff_energy_usd(&t, 0, 2 * H, 1e5), 40.0,
                            1e-9);
    ck_assert_double_eq_tol(dcs_tariff_next_change_s(&t, 0), 1 * H, 1e-9);
    dcs_tariff_destroy(&t);
}
END_TEST

START_TEST(test_additive)
{
    dcs_tariff_t t;
    read_tariff(TOU, &t);
    /* Any split of [3 h, 50 h] adds up to the whole. */
    double whole = dcs_tariff_energy_usd(&t, 3 * H, 50 * H, 2.5e5);
    double cuts[] = {3 * H,  7.25 * H, 12 * H, 23.999 * H,
                     24 * H, 36.5 * H, 50 * H};
    double sum = 0;
    for (size_t i = 0; i + 1 < sizeof cuts / sizeof *cuts; i++)
        sum += dcs_tariff_energy_usd(&t, cuts[i], cuts[i + 1], 2.5e5);
    ck_assert_double_eq_tol(sum, whole, 1e-9 * whole);
    /* And the whole, by hand: 3-12 h 9 h x 0.1, 12-24 h 12 h x 0.3, 24-36 h
     * 12 h x 0.1, 36-48 h 12 h x 0.3, 48-50 h 2 h x 0.1 = 9.5 $/kW; x 250. */
    ck_assert_double_eq_tol(whole, 9.5 * 250, 1e-9);
    dcs_tariff_destroy(&t);
}
END_TEST

START_TEST(test_flat_and_untimed)
{
    dcs_tariff_t t;
    read_tariff("  energy_usd_per_kwh: 0.08\n", &t);
    ck_assert_int_eq(t.tou, 0);
    /* 1 MW for 3 h = 3000 kWh x $0.08 = $240, timed or not. */
    ck_assert_double_eq_tol(dcs_tariff_energy_usd(&t, 5 * H, 8 * H, 1e6), 240.0,
                            1e-9);
    ck_assert_double_eq_tol(dcs_tariff_energy_usd_untimed(&t, 3000 * 3.6e6),
                            240.0, 1e-9);
    ck_assert(isinf(dcs_tariff_next_change_s(&t, 0)));
    dcs_tariff_destroy(&t);

    read_tariff(TOU, &t);
    /* The period average is $0.20: 1000 kWh untimed cost $200. */
    ck_assert_double_eq_tol(dcs_tariff_energy_usd_untimed(&t, 1000 * 3.6e6),
                            200.0, 1e-9);
    dcs_tariff_destroy(&t);
}
END_TEST

START_TEST(test_tou_file_carried_not_read)
{
    /* A flat tariff may carry a tou_tariff (a price file holding both);
     * its CSV is not read, so a missing one is no error. */
    dcs_tariff_t t;
    read_tariff("  tariff: flat\n"
                "  energy_usd_per_kwh: 0.05\n"
                "  tou_tariff: {csv: no-such-file.csv, period_hours: 24}\n",
                &t);
    ck_assert_double_eq(t.usd_per_kwh.constant, 0.05);
    dcs_tariff_destroy(&t);
}
END_TEST

START_TEST(test_demand_charge)
{
    dcs_tariff_t t;
    read_tariff("  energy_usd_per_kwh: 0.08\n"
                "  demand_usd_per_kw_month: 15\n",
                &t);
    /* Peak 2 MW in a billing month: 2000 kW x $15 = $30,000; a last month of
     * half a billing month (365.25 h) pays half. */
    ck_assert_double_eq_tol(dcs_tariff_demand_usd(&t, 2e6, 730.5 * H), 30000.0,
                            1e-6);
    ck_assert_double_eq_tol(dcs_tariff_demand_usd(&t, 2e6, 365.25 * H), 15000.0,
                            1e-6);
    ck_assert_double_eq_tol(DCS_S_PER_MONTH, 730.5 * H, 1e-6);
    dcs_tariff_destroy(&t);
}
END_TEST

START_TEST(test_next_change)
{
    dcs_tariff_t t;
    read_tariff(TOU, &t);
    ck_assert_double_eq_tol(dcs_tariff_next_change_s(&t, 11 * H), 12 * H, 1e-9);
    ck_assert_double_eq_tol(dcs_tariff_next_change_s(&t, 12 * H), 24 * H, 1e-9);
    ck_assert_double_eq_tol(dcs_tariff_next_change_s(&t, 23 * H), 24 * H, 1e-9);
    ck_assert_double_eq_tol(dcs_tariff_next_change_s(&t, 24 * H), 36 * H, 1e-9);
    dcs_tariff_destroy(&t);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("tariff");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_split_at_change);
    tcase_add_test(tc, test_wraps_around_period);
    tcase_add_test(tc, test_start_hour);
    tcase_add_test(tc, test_additive);
    tcase_add_test(tc, test_flat_and_untimed);
    tcase_add_test(tc, test_tou_file_carried_not_read);
    tcase_add_test(tc, test_demand_charge);
    tcase_add_test(tc, test_next_change);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
