/* test_carbon.c - operational and embodied emissions (sim/cost/carbon.c).
 *
 * Invariants checked, against hand calculations:
 *  - operational: 1 MW for 1 h at a constant 400 gCO2/kWh emits 1000 kWh x
 *    0.4 kg = 400 kg; with the hourly fixture (100 g/kWh from hour 0, 500
 *    from hour 6, daily), 1 MW from 05:00 to 07:00 emits 100 + 500 = 600 kg,
 *    split exactly at 06:00, and the period repeats;
 *  - embodied: 8 GPUs x 150 kg + 1 node x 2500 kg over 4 years is 925 kg a
 *    year; 2 switches x 500 kg over a 5-year network lifetime 200 kg a year;
 *    100 TB x 160 kg over 5 years 3200 kg a year; the facility carries none;
 *  - bad values are refused with exact messages.
 * The hourly fixture is tests/unit/data/cost/carbon_six.csv. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cost/carbon.h"

#define DATA DCSIM_TEST_DATA "/cost/"
#define H    3600.0
#define YEAR (365.25 * 86400.0)

static int read_doc(const char *doc, dcs_carbon_t *c, dcs_capex_spec_t *capex,
                    dcs_err_t *err)
{
    dcs_cfg_t *cfg = dcs_cfg_load_string(DATA "t.yaml", doc, err);
    ck_assert_msg(cfg != NULL, "%s", err->msg);
    dcs_cfg_node_t *root = dcs_cfg_root(cfg);
    dcs_cfg_node_t *map = dcs_cfg_get(root, "cost");
    int rc = dcs_capex_read(map, capex, err);
    if (rc == 0)
        rc = dcs_carbon_read(map, c, err);
    if (rc == 0)
        rc = dcs_cfg_check_unknown(root, err);
    if (rc < 0)
        dcs_carbon_destroy(c);
    dcs_cfg_free(cfg);
    return rc;
}

static const char *BASE = "cost:\n"
                          "  gpu_capex_usd: 25000\n"
                          "  node_capex_usd: 100000\n"
                          "  lifetime_years: 4\n";

static void read_ok(const char *more, dcs_carbon_t *c, dcs_capex_spec_t *capex)
{
    char doc[2048];
    snprintf(doc, sizeof doc, "%s%s", BASE, more);
    dcs_err_t err = {""};
    ck_assert_msg(read_doc(doc, c, capex, &err) == 0, "%s", err.msg);
}

static void expect_error(const char *more, const char *want)
{
    char doc[2048];
    snprintf(doc, sizeof doc, "%s%s", BASE, more);
    dcs_carbon_t c;
    dcs_capex_spec_t capex;
    dcs_err_t err = {""};
    ck_assert_int_eq(read_doc(doc, &c, &capex, &err), DCS_EINPUT);
    ck_assert_str_eq(err.msg, want);
}

START_TEST(test_operational_constant)
{
    dcs_carbon_t c;
    dcs_capex_spec_t capex;
    read_ok("  grid_g_co2_per_kwh: 400\n", &c, &capex);
    ck_assert_double_eq_tol(dcs_carbon_operational_kg(&c, 0, H, 1e6), 400.0,
                            1e-9);
    ck_assert_double_eq_tol(dcs_carbon_operational_kg_untimed(&c, 1000 * 3.6e6),
                            400.0, 1e-9);
    dcs_carbon_destroy(&c);

    /* Nothing said: no operational carbon. */
    read_ok("", &c, &capex);
    ck_assert_double_eq(dcs_carbon_operational_kg(&c, 0, H, 1e6), 0);
    dcs_carbon_destroy(&c);
}
END_TEST

START_TEST(test_operational_hourly)
{
    dcs_carbon_t c;
    dcs_capex_spec_t capex;
    read_ok("  grid_carbon: hourly\n"
            "  grid_g_co2_per_kwh: 999\n" /* ignored when hourly */
            "  grid_carbon_hourly:\n"
            "    csv: carbon_six.csv\n"
            "    period_hours: 24\n",
            &c, &capex);
    ck_assert_double_eq_tol(dcs_carbon_operational_kg(&c, 5 * H, 7 * H, 1e6),
                            600.0, 1e-9);
    /* The next day, the same; across midnight 23:00-01:00 at 500 then 100. */
    ck_assert_double_eq_tol(dcs_carbon_operational_kg(&c, 29 * H, 31 * H, 1e6),
                            600.0, 1e-9);
    ck_assert_double_eq_tol(dcs_carbon_operational_kg(&c, 23 * H, 25 * H, 1e6),
                            600.0, 1e-9);
    /* Mean: (6 x 100 + 18 x 500) / 24 = 400 g/kWh. */
    ck_assert_double_eq_tol(dcs_carbon_operational_kg_untimed(&c, 1000 * 3.6e6),
                            400.0, 1e-9);
    dcs_carbon_destroy(&c);
}
END_TEST

START_TEST(test_embodied)
{
    dcs_carbon_t c;
    dcs_capex_spec_t capex;
    read_ok("  network_lifetime_years: 5\n"
            "  storage_lifetime_years: 5\n"
            "  embodied_kg_co2e_per_gpu: 150\n"
            "  embodied_kg_co2e_per_node: 2500\n"
            "  embodied_kg_co2e_per_switch: 500\n"
            "  embodied_kg_co2e_per_tb: 160\n",
            &c, &capex);
    dcs_assets_t a = {.gpus = 8,
                      .nodes = 1,
                      .switches = 2,
                      .ports = 64,
                      .storage_tb = 100,
                      .critical_w = 1e6};
    ck_assert_double_eq(dcs_carbon_embodied_kg(&c, &a, DCS_ASSET_GPU), 1200);
    ck_assert_double_eq(dcs_carbon_embodied_kg(&c, &a, DCS_ASSET_FACILITY), 0);
    double gpu_node =
        (dcs_carbon_embodied_kg_per_s(&c, &capex, &a, DCS_ASSET_GPU) +
         dcs_carbon_embodied_kg_per_s(&c, &capex, &a, DCS_ASSET_NODE)) *
        YEAR;
    ck_assert_double_eq_tol(gpu_node, 925.0, 1e-9);
    ck_assert_double_eq_tol(
        dcs_carbon_embodied_kg_per_s(&c, &capex, &a, DCS_ASSET_NETWORK) * YEAR,
        200.0, 1e-9);
    ck_assert_double_eq_tol(
        dcs_carbon_embodied_kg_per_s(&c, &capex, &a, DCS_ASSET_STORAGE) * YEAR,
        3200.0, 1e-9);
    ck_assert_double_eq_tol(dcs_carbon_embodied_total_kg_per_s(&c, &capex, &a) *
                                YEAR,
                            925.0 + 200.0 + 3200.0, 1e-9);
    dcs_carbon_destroy(&c);
}
END_TEST

START_TEST(test_bad_values)
{
    expect_error("  grid_g_co2_per_kwh: -1\n",
                 DATA "t.yaml:5:23: field 'cost.grid_g_co2_per_kwh': "
                      "expected a number in [0, 5000], found '-1'");
    expect_error("  grid_carbon: live\n",
                 DATA "t.yaml:5:16: field 'cost.grid_carbon': expected one "
                      "of constant, hourly, found 'live'");
    expect_error("  grid_carbon: hourly\n",
                 DATA "t.yaml:2:3: field 'cost.grid_carbon_hourly': missing "
                      "(required)");
    expect_error("  embodied_kg_co2e_per_gpu: a lot\n",
                 DATA "t.yaml:5:29: field 'cost.embodied_kg_co2e_per_gpu': "
                      "expected a number in [0, 1e+06], found 'a lot'");
    expect_error("  grid_carbon: hourly\n"
                 "  grid_carbon_hourly: {csv: bad_carbon_high.csv, "
                 "period_hours: 24}\n",
                 DATA "bad_carbon_high.csv:3: field 'g_co2_per_kwh': "
                      "expected a number in [0, 5000], found '6000'");
    expect_error("  grid_carbon_hourly: {csv: carbon_six.csv, period: 24}\n",
                 DATA "t.yaml:5:45: unknown field "
                      "'cost.grid_carbon_hourly.period'; known fields: csv, "
                      "period_hours, start_hour");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("carbon");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_operational_constant);
    tcase_add_test(tc, test_operational_hourly);
    tcase_add_test(tc, test_embodied);
    tcase_add_test(tc, test_bad_values);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
