/* test_cost.c - the `cost` section as a whole (sim/cost/cost.c).
 *
 * Invariants checked:
 *  - the first cost model's four keys alone give exactly the numbers they
 *    always gave: price / (lifetime x 365.25 x 86400 s) per GPU and per
 *    node, joules / 3.6e6 x price for energy (same expressions, so equal to
 *    the last bit);
 *  - the shipped price file reads as a scenario's whole `cost:` through
 *    `!include`, passes the unknown-key check, and single keys can be
 *    overridden with --set, the tariff and carbon switched to their hourly
 *    forms (whose CSVs are then read, relative to the price file);
 *  - colocation rent, maintenance and staff per second, and the cloud
 *    price of the same GPU-hours, by hand;
 *  - bad keys and values anywhere in the section are refused with exact
 *    messages naming FILE:LINE:COL and the field, and leave nothing
 *    allocated.
 * In-memory documents are read as tests/unit/data/cost/t.yaml; LINE:COL are
 * counted in each string (line 1 is `cost:`). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cost/cost.h"

#define DATA DCSIM_TEST_DATA "/cost/"
#define H    3600.0
#define YEAR (365.25 * 86400.0)

/* Reads the `cost` mapping of `cfg` and checks for unknown keys. */
static int read_cfg(dcs_cfg_t *cfg, dcs_cost_spec_t *spec, dcs_err_t *err)
{
    dcs_cfg_node_t *root = dcs_cfg_root(cfg);
    int rc = dcs_cost_read(dcs_cfg_get(root, "cost"), spec, err);
    if (rc == 0 && (rc = dcs_cfg_check_unknown(root, err)) < 0)
        dcs_cost_destroy(spec);
    return rc;
}

static int read_text(const char *doc, dcs_cost_spec_t *spec, dcs_err_t *err)
{
    dcs_cfg_t *cfg = dcs_cfg_load_string(DATA "t.yaml", doc, err);
    ck_assert_msg(cfg != NULL, "%s", err->msg);
    int rc = read_cfg(cfg, spec, err);
    dcs_cfg_free(cfg);
    return rc;
}

static const char *BASE = "cost:\n"
                          "  energy_usd_per_kwh: 0.08\n"
                          "  gpu_capex_usd: 25000\n"
                          "  node_capex_usd: 100000\n"
                          "  lifetime_years: 4\n";

static void read_ok(const char *more, dcs_cost_spec_t *spec)
{
    char doc[2048];
    snprintf(doc, sizeof doc, "%s%s", BASE, more);
    dcs_err_t err = {""};
    ck_assert_msg(read_text(doc, spec, &err) == 0, "%s", err.msg);
}

static void expect_error(const char *doc, const char *want)
{
    dcs_cost_spec_t spec;
    dcs_err_t err = {""};
    ck_assert_int_eq(read_text(doc, &spec, &err), DCS_EINPUT);
    ck_assert_str_eq(err.msg, want);
}

/* BASE (lines 1-5) followed by `more` (from line 6). */
static void expect_more_error(const char *more, const char *want)
{
    char doc[2048];
    snprintf(doc, sizeof doc, "%s%s", BASE, more);
    expect_error(doc, want);
}

START_TEST(test_legacy_numbers)
{
    dcs_err_t err = {""};
    dcs_cfg_t *cfg = dcs_cfg_load(DATA "legacy.yaml", &err);
    ck_assert_msg(cfg != NULL, "%s", err.msg);
    dcs_cost_spec_t spec;
    ck_assert_msg(read_cfg(cfg, &spec, &err) == 0, "%s", err.msg);
    dcs_cfg_free(cfg);
    /* The expressions of the first cost model, written out again. */
    ck_assert_double_eq(dcs_cost_gpu_usd_per_s(&spec),
                        25000 / (4 * (365.25 * 86400.0)));
    ck_assert_double_eq(dcs_cost_node_usd_per_s(&spec),
                        150000 / (4 * (365.25 * 86400.0)));
    double joules = 123456789.0;
    ck_assert_double_eq(dcs_cost_energy_usd(&spec, joules),
                        joules / 3.6e6 * 0.08);
    ck_assert_double_eq(spec.energy_usd_per_kwh, 0.08);
    ck_assert_double_eq(spec.gpu_capex_usd, 25000);
    ck_assert_double_eq(spec.node_capex_usd, 150000);
    ck_assert_double_eq(spec.lifetime_years, 4);
    /* Nothing else costs or emits anything. */
    dcs_assets_t a = {.gpus = 16,
                      .nodes = 2,
                      .switches = 4,
                      .ports = 64,
                      .storage_tb = 100,
                      .critical_w = 1e6};
    ck_assert_double_eq(dcs_capex_usd_per_s(&spec.capex, &a, DCS_ASSET_NETWORK),
                        0);
    ck_assert_double_eq(
        dcs_capex_usd_per_s(&spec.capex, &a, DCS_ASSET_FACILITY), 0);
    ck_assert_double_eq(dcs_cost_colocation_usd_per_s(&spec, 1e6), 0);
    ck_assert_double_eq(dcs_cost_maintenance_usd_per_s(&spec, &a), 0);
    ck_assert_double_eq(dcs_cost_staff_usd_per_s(&spec), 0);
    ck_assert_double_eq(dcs_tariff_demand_usd(&spec.tariff, 1e6, H), 0);
    ck_assert_double_eq(dcs_carbon_operational_kg(&spec.carbon, 0, H, 1e6), 0);
    ck_assert_double_eq(
        dcs_carbon_embodied_total_kg_per_s(&spec.carbon, &spec.capex, &a), 0);
    ck_assert_double_eq(dcs_cost_cloud_usd(&spec, 1e6, DCS_CLOUD_ON_DEMAND), 0);
    dcs_cost_destroy(&spec);
}
END_TEST

START_TEST(test_price_file_included)
{
    dcs_err_t err = {""};
    dcs_cfg_t *cfg = dcs_cfg_load(DATA "include_default.yaml", &err);
    ck_assert_msg(cfg != NULL, "%s", err.msg);
    dcs_cost_spec_t spec;
    ck_assert_msg(read_cfg(cfg, &spec, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(spec.tariff.tou, 0);
    ck_assert_int_eq(spec.carbon.hourly, 0);
    ck_assert_int_eq(spec.capex.amortization, DCS_AMORT_CRF);
    ck_assert(spec.gpu_capex_usd > 0 && spec.energy_usd_per_kwh > 0);
    ck_assert(spec.capex.facility_usd_per_mw > 0);
    dcs_cost_destroy(&spec);

    /* --set one price, and switch both series on: their CSVs are found
     * beside the price file, and the prices are those of its rows. */
    ck_assert_int_eq(dcs_cfg_set(cfg, "cost.gpu_capex_usd=30000", &err), 0);
    ck_assert_int_eq(dcs_cfg_set(cfg, "cost.tariff=tou", &err), 0);
    ck_assert_int_eq(dcs_cfg_set(cfg, "cost.grid_carbon=hourly", &err), 0);
    ck_assert_int_eq(dcs_cfg_set(cfg, "cost.building=colocation", &err), 0);
    ck_assert_msg(read_cfg(cfg, &spec, &err) == 0, "%s", err.msg);
    ck_assert_double_eq(spec.gpu_capex_usd, 30000);
    ck_assert_int_eq(spec.tariff.tou, 1);
    ck_assert_int_eq(spec.carbon.hourly, 1);
    ck_assert_int_eq(spec.capex.building, DCS_BUILDING_COLOCATION);
    /* tou-example.csv: $0.065 from 00:00, $0.14 from 16:00 to 21:00. */
    ck_assert_double_eq_tol(
        dcs_tariff_energy_usd(&spec.tariff, 17 * H, 18 * H, 1e6), 140.0, 1e-9);
    ck_assert_double_eq_tol(
        dcs_tariff_energy_usd(&spec.tariff, 1 * H, 2 * H, 1e6), 65.0, 1e-9);
    ck_assert(dcs_carbon_operational_kg(&spec.carbon, 0, H, 1e6) > 0);
    dcs_cost_destroy(&spec);
    dcs_cfg_free(cfg);
}
END_TEST

START_TEST(test_opex)
{
    dcs_cost_spec_t spec;
    read_ok("  building: colocation\n"
            "  colocation_usd_per_kw_month: 184.06\n"
            "  maintenance_frac_per_year: 0.05\n"
            "  staff_usd_per_year: 500000\n"
            "  staff_fte: 3\n"
            "  staff_usd_per_fte_year: 150000\n",
            &spec);
    /* 1 MW contracted at $184.06 per kW-month: $184,060 a month of 730.5 h. */
    ck_assert_double_eq_tol(
        dcs_cost_colocation_usd_per_s(&spec, 1e6) * 730.5 * H, 184060.0, 1e-6);
    /* 8 GPUs x 25,000 + 1 node x 100,000 = 300,000; 5 % = 15,000 a year.
     * The building is rented, so its capex (none here anyway) is not. */
    dcs_assets_t a = {.gpus = 8, .nodes = 1, .critical_w = 1e6};
    ck_assert_double_eq_tol(dcs_cost_maintenance_usd_per_s(&spec, &a) * YEAR,
                            15000.0, 1e-6);
    /* 500,000 + 3 x 150,000 = 950,000 a year. */
    ck_assert_double_eq_tol(dcs_cost_staff_usd_per_s(&spec) * YEAR, 950000.0,
                            1e-6);
    dcs_cost_destroy(&spec);

    /* Owned building: no rent. */
    read_ok("  colocation_usd_per_kw_month: 184.06\n", &spec);
    ck_assert_double_eq(dcs_cost_colocation_usd_per_s(&spec, 1e6), 0);
    dcs_cost_destroy(&spec);
}
END_TEST

START_TEST(test_cloud)
{
    dcs_cost_spec_t spec;
    read_ok("  cloud_usd_per_gpu_hour: 2.5\n", &spec);
    /* 1000 GPU-hours on demand at $2.50 = $2,500; no reserved price. */
    ck_assert_double_eq_tol(
        dcs_cost_cloud_usd(&spec, 1000 * H, DCS_CLOUD_ON_DEMAND), 2500.0, 1e-9);
    ck_assert_double_eq(dcs_cost_cloud_usd(&spec, 1000 * H, DCS_CLOUD_RESERVED),
                        0);
    dcs_cost_destroy(&spec);

    read_ok("  cloud_usd_per_gpu_hour: 2.5\n"
            "  cloud_reserved_usd_per_gpu_hour: 1.85\n",
            &spec);
    /* 16 GPUs reserved for 30 days: 11,520 GPU-hours x $1.85 = $21,312. */
    ck_assert_double_eq_tol(
        dcs_cost_cloud_usd(&spec, 16 * 30 * 24 * H, DCS_CLOUD_RESERVED),
        21312.0, 1e-6);
    dcs_cost_destroy(&spec);
}
END_TEST

START_TEST(test_amortization_through_legacy_functions)
{
    /* The per-GPU function follows the amortization and the GPU's own
     * lifetime: $25,000 over 5 years at 8 %, CRF 0.2504565 = $6,261.41 a
     * year. */
    dcs_cost_spec_t spec;
    read_ok("  amortization: crf\n"
            "  interest_rate_frac: 0.08\n"
            "  gpu_lifetime_years: 5\n",
            &spec);
    ck_assert_double_eq_tol(dcs_cost_gpu_usd_per_s(&spec) * YEAR, 6261.41,
                            0.01);
    ck_assert_double_eq(spec.lifetime_years, 4);
    dcs_cost_destroy(&spec);
}
END_TEST

START_TEST(test_bad_input)
{
    /* Missing keys are reported at the mapping, line 2 column 3. */
    expect_error("cost:\n  gpu_capex_usd: 1\n",
                 DATA "t.yaml:2:3: field 'cost.energy_usd_per_kwh': missing "
                      "(required)");
    expect_error("cost:\n  tariff: tou\n  gpu_capex_usd: 1\n",
                 DATA "t.yaml:2:3: field 'cost.tou_tariff': missing "
                      "(required)");
    expect_error("cost:\n  tariff: hourly\n",
                 DATA "t.yaml:2:11: field 'cost.tariff': expected one of "
                      "flat, tou, found 'hourly'");
    expect_error("cost:\n  energy_usd_per_kwh: 80\n",
                 DATA "t.yaml:2:23: field 'cost.energy_usd_per_kwh': "
                      "expected a number in [0, 10], found '80'");
    expect_more_error("  demand_usd_per_kw_month: -15\n",
                      DATA "t.yaml:6:28: field "
                           "'cost.demand_usd_per_kw_month': expected a "
                           "number in [0, 10000], found '-15'");
    expect_more_error("  maintenance_frac_per_year: 3\n",
                      DATA "t.yaml:6:30: field "
                           "'cost.maintenance_frac_per_year': expected a "
                           "number in [0, 1], found '3'");
    expect_more_error("  staff_fte: many\n",
                      DATA "t.yaml:6:14: field 'cost.staff_fte': expected a "
                           "number in [0, 1e+06], found 'many'");
    expect_more_error("  cloud_usd_per_gpu_hour: -2\n",
                      DATA "t.yaml:6:27: field 'cost.cloud_usd_per_gpu_hour': "
                           "expected a number in [0, 10000], found '-2'");
    expect_more_error("  colocation_usd_per_kw_month: [184]\n",
                      DATA "t.yaml:6:32: field "
                           "'cost.colocation_usd_per_kw_month': expected a "
                           "number in [0, 100000], found a sequence");
    expect_more_error("  cloud_usd_per_gpu_hr: 2\n",
                      DATA "t.yaml:6:3: unknown field "
                           "'cost.cloud_usd_per_gpu_hr'; did you mean "
                           "'cloud_usd_per_gpu_hour'?");
    expect_more_error("  tou_tariff: {csv: tou_noon.csv, period_hour: 24}\n",
                      DATA "t.yaml:6:35: unknown field "
                           "'cost.tou_tariff.period_hour'; did you mean "
                           "'period_hours'?");
    /* A bad CSV after a good time-of-use tariff was read: the tariff's
     * memory is released (the ASan build checks). */
    expect_error("cost:\n"
                 "  tariff: tou\n"
                 "  tou_tariff: {csv: tou_noon.csv, period_hours: 24}\n"
                 "  gpu_capex_usd: 1\n"
                 "  node_capex_usd: 1\n"
                 "  lifetime_years: 4\n"
                 "  grid_carbon: hourly\n"
                 "  grid_carbon_hourly: {csv: bad_carbon_high.csv, "
                 "period_hours: 24}\n",
                 DATA "bad_carbon_high.csv:3: field 'g_co2_per_kwh': "
                      "expected a number in [0, 5000], found '6000'");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cost");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_legacy_numbers);
    tcase_add_test(tc, test_price_file_included);
    tcase_add_test(tc, test_opex);
    tcase_add_test(tc, test_cloud);
    tcase_add_test(tc, test_amortization_through_legacy_functions);
    tcase_add_test(tc, test_bad_input);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
