/* test_capex.c - amortization of purchases per asset class
 * (sim/cost/capex.c).
 *
 * Invariants checked, against hand calculations:
 *  - the capital recovery factor: $1M over 4 years at 8 % is paid back at
 *    CRF = 0.08 x 1.08^4 / (1.08^4 - 1) = 0.3019208 a year, $301,920.80;
 *    at 0 % it is straight line, 1/n;
 *  - straight line: $1M over 4 years is $250,000 a year, per second that
 *    over 365.25 x 86400 s;
 *  - each class prices its own counts (GPUs, nodes, switches + ports, TB +
 *    devices, MW of critical capacity) over its own lifetime, which falls
 *    back to lifetime_years; a colocated building has no facility capex;
 *  - bad keys and values are refused with the cfg accessors' exact
 *    messages.
 * YAML documents are read as tests/unit/data/cost/t.yaml; LINE:COL are
 * counted in each string (line 1 is `cost:`). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cost/capex.h"

#define DATA DCSIM_TEST_DATA "/cost/"
#define YEAR (365.25 * 86400.0)

static const char *BASE = "cost:\n"
                          "  gpu_capex_usd: 25000\n"
                          "  node_capex_usd: 100000\n"
                          "  lifetime_years: 4\n";

static int read_doc(const char *doc, dcs_capex_spec_t *c, dcs_err_t *err)
{
    dcs_cfg_t *cfg = dcs_cfg_load_string(DATA "t.yaml", doc, err);
    ck_assert_msg(cfg != NULL, "%s", err->msg);
    dcs_cfg_node_t *root = dcs_cfg_root(cfg);
    int rc = dcs_capex_read(dcs_cfg_get(root, "cost"), c, err);
    if (rc == 0)
        rc = dcs_cfg_check_unknown(root, err);
    dcs_cfg_free(cfg);
    return rc;
}

/* BASE followed by `more`. */
static void read_ok(const char *more, dcs_capex_spec_t *c)
{
    char doc[2048];
    snprintf(doc, sizeof doc, "%s%s", BASE, more);
    dcs_err_t err = {""};
    ck_assert_msg(read_doc(doc, c, &err) == 0, "%s", err.msg);
}

static void expect_error(const char *more, const char *want)
{
    char doc[2048];
    snprintf(doc, sizeof doc, "%s%s", BASE, more);
    dcs_capex_spec_t c;
    dcs_err_t err = {""};
    ck_assert_int_eq(read_doc(doc, &c, &err), DCS_EINPUT);
    ck_assert_str_eq(err.msg, want);
}

START_TEST(test_crf_hand)
{
    ck_assert_double_eq_tol(dcs_capex_crf(0.08, 4), 0.3019208, 5e-8);
    ck_assert_double_eq_tol(dcs_capex_annual_usd(1e6, 4, DCS_AMORT_CRF, 0.08),
                            301920.80, 0.01);
    /* r = 0: straight line. */
    ck_assert_double_eq(dcs_capex_crf(0, 4), 0.25);
    ck_assert_double_eq(dcs_capex_annual_usd(1e6, 4, DCS_AMORT_CRF, 0),
                        250000.0);
    /* A tiny rate is close to 1/n, not a division by zero. */
    ck_assert_double_eq_tol(dcs_capex_crf(1e-12, 4), 0.25, 1e-9);
    /* One year at r: the price plus a year's interest. */
    ck_assert_double_eq_tol(dcs_capex_crf(0.05, 1), 1.05, 1e-12);
}
END_TEST

START_TEST(test_straight_line_hand)
{
    ck_assert_double_eq(
        dcs_capex_annual_usd(1e6, 4, DCS_AMORT_STRAIGHT_LINE, 0.08), 250000.0);
    ck_assert_double_eq_tol(
        dcs_capex_per_s(1e6, 4, DCS_AMORT_STRAIGHT_LINE, 0.08) * YEAR, 250000.0,
        1e-6);
    ck_assert_double_eq_tol(dcs_capex_per_s(1e6, 4, DCS_AMORT_CRF, 0.08) * YEAR,
                            301920.80, 0.01);
}
END_TEST

START_TEST(test_classes)
{
    dcs_capex_spec_t c;
    read_ok("  switch_capex_usd: 40000\n"
            "  port_capex_usd: 1000\n"
            "  network_lifetime_years: 5\n"
            "  storage_capex_usd_per_tb: 200\n"
            "  storage_device_capex_usd: 50000\n"
            "  facility_capex_usd_per_mw: 1.2e7\n"
            "  facility_lifetime_years: 15\n",
            &c);
    dcs_assets_t a = {.gpus = 16,
                      .nodes = 2,
                      .switches = 3,
                      .ports = 40,
                      .storage_tb = 500,
                      .storage_devices = 2,
                      .critical_w = 250e3};
    /* Prices: 16 x 25,000; 2 x 100,000; 3 x 40,000 + 40 x 1,000;
     * 500 x 200 + 2 x 50,000; 0.25 MW x 12M. */
    ck_assert_double_eq(dcs_capex_price_usd(&c, &a, DCS_ASSET_GPU), 400000.0);
    ck_assert_double_eq(dcs_capex_price_usd(&c, &a, DCS_ASSET_NODE), 200000.0);
    ck_assert_double_eq(dcs_capex_price_usd(&c, &a, DCS_ASSET_NETWORK),
                        160000.0);
    ck_assert_double_eq(dcs_capex_price_usd(&c, &a, DCS_ASSET_STORAGE),
                        200000.0);
    ck_assert_double_eq(dcs_capex_price_usd(&c, &a, DCS_ASSET_FACILITY), 3e6);
    /* Per year, straight line: GPUs and nodes over 4 years (the default),
     * network 5, storage 4, facility 15:
     * 100,000 + 50,000 + 32,000 + 50,000 + 200,000 = 432,000. */
    double per_year[] = {100000, 50000, 32000, 50000, 200000};
    double sum = 0;
    for (int k = 0; k < DCS_ASSET_COUNT; k++) {
        ck_assert_double_eq_tol(dcs_capex_usd_per_s(&c, &a, (dcs_asset_t)k) *
                                    YEAR,
                                per_year[k], 1e-6);
        sum += per_year[k];
    }
    ck_assert_double_eq_tol(dcs_capex_total_usd_per_s(&c, &a) * YEAR, sum,
                            1e-6);
    ck_assert_str_eq(dcs_asset_name(DCS_ASSET_NETWORK), "network");
    ck_assert_str_eq(dcs_asset_name(DCS_ASSET_FACILITY), "facility");
}
END_TEST

START_TEST(test_crf_classes_and_colocation)
{
    dcs_capex_spec_t c;
    read_ok("  amortization: crf\n"
            "  interest_rate_frac: 0.08\n"
            "  gpu_lifetime_years: 5\n"
            "  building: colocation\n"
            "  facility_capex_usd_per_mw: 1.2e7\n",
            &c);
    dcs_assets_t a = {.gpus = 40, .nodes = 10, .critical_w = 1e6};
    /* 40 GPUs = $1M over 5 years at 8 %: CRF = 0.08 x 1.08^5 / (1.08^5 - 1)
     * = 0.2504565; 10 nodes = $1M over 4 years: 0.3019208. */
    ck_assert_double_eq_tol(dcs_capex_usd_per_s(&c, &a, DCS_ASSET_GPU) * YEAR,
                            250456.5, 0.1);
    ck_assert_double_eq_tol(dcs_capex_usd_per_s(&c, &a, DCS_ASSET_NODE) * YEAR,
                            301920.8, 0.1);
    /* Colocated: the building is rented, not bought. */
    ck_assert_double_eq(dcs_capex_price_usd(&c, &a, DCS_ASSET_FACILITY), 0);
    ck_assert_double_eq(dcs_capex_usd_per_s(&c, &a, DCS_ASSET_FACILITY), 0);
}
END_TEST

START_TEST(test_bad_keys)
{
    /* Each extra line is line 5. */
    expect_error("  amortization: linear\n",
                 DATA "t.yaml:5:17: field 'cost.amortization': expected one "
                      "of straight_line, crf, found 'linear'");
    expect_error("  interest_rate_frac: 8\n",
                 DATA "t.yaml:5:23: field 'cost.interest_rate_frac': "
                      "expected a number in [0, 1], found '8'");
    expect_error("  gpu_lifetime_years: 0\n",
                 DATA "t.yaml:5:23: field 'cost.gpu_lifetime_years': "
                      "expected a number in [0.1, 100], found '0'");
    expect_error("  port_capex_usd: -800\n",
                 DATA "t.yaml:5:19: field 'cost.port_capex_usd': expected a "
                      "number in [0, 1e+06], found '-800'");
    expect_error("  building: rent\n",
                 DATA "t.yaml:5:13: field 'cost.building': expected one of "
                      "own, colocation, found 'rent'");
    expect_error("  storage_capex_usd_per_tb: lots\n",
                 DATA "t.yaml:5:29: field 'cost.storage_capex_usd_per_tb': "
                      "expected a number in [0, 1e+07], found 'lots'");
    expect_error("  network_lifetime_year: 5\n",
                 DATA "t.yaml:5:3: unknown field "
                      "'cost.network_lifetime_year'; did you mean "
                      "'network_lifetime_years'?");
    /* The required keys are reported at the mapping (line 2). */
    dcs_capex_spec_t c;
    dcs_err_t err = {""};
    ck_assert_int_eq(read_doc("cost:\n  gpu_capex_usd: 1\n  node_capex_usd: "
                              "1\n",
                              &c, &err),
                     DCS_EINPUT);
    ck_assert_str_eq(err.msg, DATA "t.yaml:2:3: field 'cost.lifetime_years': "
                                   "missing (required)");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("capex");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_crf_hand);
    tcase_add_test(tc, test_straight_line_hand);
    tcase_add_test(tc, test_classes);
    tcase_add_test(tc, test_crf_classes_and_colocation);
    tcase_add_test(tc, test_bad_keys);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
