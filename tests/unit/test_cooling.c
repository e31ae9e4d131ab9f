/* test_cooling.c - one cooling loop (sim/facility/cooling.c).
 *
 * Invariants checked, each value worked out by hand in the test from the
 * loop's constants and the formulas of cooling.h:
 *  - free cooling (outside at or below economizer_max_c): distribution and
 *    economizer fans only, no chiller, no water;
 *  - in the partial band the chiller's share rises linearly, and it carries
 *    everything above the band; a band of 0 switches at economizer_max_c;
 *  - the COP follows the wet bulb with evaporative heat rejection and the
 *    dry bulb with dry heat rejection, clamped to [cop_min, cop_max];
 *  - water is make-up per kWh of heat rejected (heat + compressor work),
 *    evaporative only;
 *  - power is linear in the heat load;
 *  - bad loop keys give exact messages. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg.h"
#include "facility/cooling.h"

/* A loop with round numbers; `rejection` is "evaporative" or "dry". */
static const char *const LOOP_FMT = "loop:\n"
                                    "  distribution_frac: 0.05\n"
                                    "  economizer_max_c: 18\n"
                                    "  partial_band_c: %s\n"
                                    "  economizer_frac: 0.02\n"
                                    "  chiller_cop_ref: 6.0\n"
                                    "  chiller_cop_ref_c: 25\n"
                                    "  chiller_cop_slope_per_c: 0.15\n"
                                    "  chiller_cop_min: 3.0\n"
                                    "  chiller_cop_max: 9.0\n"
                                    "  heat_rejection: %s\n"
                                    "  heat_rejection_frac: 0.04\n"
                                    "%s";

static dcs_cfg_t *cfg_of(const char *band, const char *rejection,
                         const char *extra)
{
    char text[2048];
    snprintf(text, sizeof text, LOOP_FMT, band, rejection, extra);
    dcs_err_t err = {""};
    dcs_cfg_t *cfg = dcs_cfg_load_string("t.yaml", text, &err);
    ck_assert_msg(cfg != NULL, "%s", err.msg);
    return cfg;
}

static void read_loop(const char *band, const char *rejection,
                      const char *extra, dcs_cooling_loop_t *loop)
{
    dcs_cfg_t *cfg = cfg_of(band, rejection, extra);
    dcs_err_t err = {""};
    dcs_cfg_node_t *map = dcs_cfg_get(dcs_cfg_root(cfg), "loop");
    ck_assert_msg(dcs_cooling_loop_read(map, loop, &err) == 0, "%s", err.msg);
    ck_assert_msg(dcs_cfg_check_unknown(map, &err) == 0, "%s", err.msg);
    dcs_cfg_free(cfg);
}

static void expect_loop_error(const char *band, const char *rejection,
                              const char *extra, const char *want)
{
    dcs_cfg_t *cfg = cfg_of(band, rejection, extra);
    dcs_err_t err = {""};
    dcs_cooling_loop_t loop;
    dcs_cfg_node_t *map = dcs_cfg_get(dcs_cfg_root(cfg), "loop");
    int rc = dcs_cooling_loop_read(map, &loop, &err);
    if (rc == 0)
        rc = dcs_cfg_check_unknown(map, &err);
    ck_assert_int_eq(rc, DCS_EINPUT);
    ck_assert_str_eq(err.msg, want);
    dcs_cfg_free(cfg);
}

#define EVAP_WATER "  water_l_per_kwh: 2.0\n"

START_TEST(free_cooling)
{
    dcs_cooling_loop_t loop;
    read_loop("6", "evaporative", EVAP_WATER, &loop);
    dcs_cooling_power_t p;
    for (double t = -30; t <= 18; t += 6) {
        dcs_cooling_loop_power(&loop, 1e6, t, t - 3, &p);
        ck_assert_double_eq(p.chiller_share, 0);
        ck_assert_double_eq_tol(p.distribution_w, 50e3, 1e-6);
        ck_assert_double_eq_tol(p.economizer_w, 20e3, 1e-6);
        ck_assert_double_eq(p.chiller_w, 0);
        ck_assert_double_eq(p.heat_rejection_w, 0);
        ck_assert_double_eq_tol(p.total_w, 70e3, 1e-6);
        ck_assert_double_eq(p.water_l_per_h, 0);
    }
}
END_TEST

START_TEST(partial_band)
{
    dcs_cooling_loop_t loop;
    read_loop("6", "evaporative", EVAP_WATER, &loop);
    dcs_cooling_power_t p;
    /* 21 C dry bulb: halfway through 18..24 -> s = 0.5. Wet bulb 15 C:
     * COP = 6 - 0.15 (15 - 25) = 7.5. Q = 1 MW:
     *   distribution 0.05 Q = 50 kW; economizer 0.02 x 0.5 Q = 10 kW;
     *   chiller 0.5 Q / 7.5 = 66,666.67 W;
     *   rejected 0.5 Q (1 + 1/7.5) = 566,666.67 W, fans 0.04 of it;
     *   water 2 L/kWh x 566.67 kW = 1,133.33 L/h. */
    dcs_cooling_loop_power(&loop, 1e6, 21, 15, &p);
    double rejected = 0.5e6 * (1 + 1 / 7.5);
    ck_assert_double_eq_tol(p.chiller_share, 0.5, 1e-12);
    ck_assert_double_eq_tol(p.cop, 7.5, 1e-12);
    ck_assert_double_eq_tol(p.economizer_w, 10e3, 1e-6);
    ck_assert_double_eq_tol(p.chiller_w, 0.5e6 / 7.5, 1e-6);
    ck_assert_double_eq_tol(p.heat_rejection_w, 0.04 * rejected, 1e-6);
    ck_assert_double_eq_tol(p.total_w,
                            50e3 + 10e3 + 0.5e6 / 7.5 + 0.04 * rejected, 1e-6);
    ck_assert_double_eq_tol(p.water_l_per_h, 2.0 * rejected / 1000, 1e-9);
    /* The share at the band's quarter points. */
    ck_assert_double_eq_tol(dcs_cooling_chiller_share(&loop, 19.5), 0.25,
                            1e-12);
    ck_assert_double_eq_tol(dcs_cooling_chiller_share(&loop, 22.5), 0.75,
                            1e-12);
    ck_assert_double_eq(dcs_cooling_chiller_share(&loop, 24), 1);
}
END_TEST

START_TEST(chiller_above_band)
{
    dcs_cooling_loop_t loop;
    read_loop("6", "evaporative", EVAP_WATER, &loop);
    dcs_cooling_power_t p;
    /* 35 C, wet bulb 27 C: s = 1, COP = 6 - 0.15 x 2 = 5.7. */
    dcs_cooling_loop_power(&loop, 2e6, 35, 27, &p);
    double cop = 5.7, rejected = 2e6 * (1 + 1 / cop);
    ck_assert_double_eq(p.chiller_share, 1);
    ck_assert_double_eq_tol(p.cop, cop, 1e-12);
    ck_assert_double_eq(p.economizer_w, 0);
    ck_assert_double_eq_tol(p.total_w, 0.05 * 2e6 + 2e6 / cop + 0.04 * rejected,
                            1e-6);
    ck_assert_double_eq_tol(p.water_l_per_h, 2.0 * rejected / 1000, 1e-9);
    /* COP clamps: wet bulb 50 C -> 6 - 3.75 = 2.25 < 3; wet bulb -10 C ->
     * 11.25 > 9. */
    ck_assert_double_eq(dcs_cooling_cop(&loop, 60, 50), 3.0);
    ck_assert_double_eq(dcs_cooling_cop(&loop, 30, -10), 9.0);
}
END_TEST

START_TEST(dry_rejection_uses_dry_bulb)
{
    dcs_cooling_loop_t loop;
    read_loop("6", "dry", "", &loop);
    ck_assert_double_eq(loop.water_l_per_kwh, 0);
    dcs_cooling_power_t p;
    /* 30 C dry bulb, wet bulb 15 C ignored: COP = 6 - 0.15 x 5 = 5.25. */
    dcs_cooling_loop_power(&loop, 1e6, 30, 15, &p);
    ck_assert_double_eq_tol(p.cop, 5.25, 1e-12);
    ck_assert_double_eq(p.water_l_per_h, 0);
    ck_assert_double_eq_tol(
        p.total_w, 50e3 + 1e6 / 5.25 + 0.04 * 1e6 * (1 + 1 / 5.25), 1e-6);
}
END_TEST

START_TEST(zero_band_switches)
{
    dcs_cooling_loop_t loop;
    read_loop("0", "dry", "", &loop);
    ck_assert_double_eq(dcs_cooling_chiller_share(&loop, 18), 0);
    ck_assert_double_eq(dcs_cooling_chiller_share(&loop, 18.001), 1);
}
END_TEST

START_TEST(linear_in_heat)
{
    dcs_cooling_loop_t loop;
    read_loop("6", "evaporative", EVAP_WATER, &loop);
    double temps[] = {5, 20, 23, 40};
    for (size_t i = 0; i < 4; i++) {
        dcs_cooling_power_t one, many, none;
        dcs_cooling_loop_power(&loop, 1e5, temps[i], temps[i] - 6, &one);
        dcs_cooling_loop_power(&loop, 7e5, temps[i], temps[i] - 6, &many);
        dcs_cooling_loop_power(&loop, 0, temps[i], temps[i] - 6, &none);
        ck_assert_double_eq_tol(many.total_w, 7 * one.total_w, 1e-6);
        ck_assert_double_eq_tol(many.water_l_per_h, 7 * one.water_l_per_h,
                                1e-9);
        ck_assert_double_eq(none.total_w, 0);
    }
}
END_TEST

START_TEST(bad_loop_keys)
{
    /* Line 12 is heat_rejection_frac; extra lines start at 13, value
     * column 20 for water_l_per_kwh. */
    expect_loop_error("6", "dry", EVAP_WATER,
                      "t.yaml:13:20: field 'loop.water_l_per_kwh': applies "
                      "to heat_rejection: evaporative only");
    expect_loop_error("6", "evaporative", "",
                      "t.yaml:2:3: field 'loop.water_l_per_kwh': missing "
                      "(required)");
    expect_loop_error("6", "wet", "",
                      "t.yaml:11:19: field 'loop.heat_rejection': expected "
                      "one of dry, evaporative, found 'wet'");
    expect_loop_error("-1", "dry", "",
                      "t.yaml:4:19: field 'loop.partial_band_c': expected a "
                      "number in [0, 50], found '-1'");
    /* A misspelt key, found by the unknown-key check. */
    expect_loop_error("6", "dry", "  chiller_cop_maxx: 1\n",
                      "t.yaml:13:3: unknown field 'loop.chiller_cop_maxx'; "
                      "did you mean 'chiller_cop_max'?");
}
END_TEST

START_TEST(cop_max_below_min)
{
    const char *text = "loop:\n"
                       "  distribution_frac: 0.05\n"
                       "  economizer_max_c: 18\n"
                       "  partial_band_c: 6\n"
                       "  economizer_frac: 0.02\n"
                       "  chiller_cop_ref: 6.0\n"
                       "  chiller_cop_ref_c: 25\n"
                       "  chiller_cop_slope_per_c: 0.15\n"
                       "  chiller_cop_min: 3.0\n"
                       "  chiller_cop_max: 2\n"
                       "  heat_rejection: dry\n"
                       "  heat_rejection_frac: 0.04\n";
    dcs_err_t err = {""};
    dcs_cfg_t *cfg = dcs_cfg_load_string("t.yaml", text, &err);
    ck_assert_ptr_nonnull(cfg);
    dcs_cooling_loop_t loop;
    ck_assert_int_eq(dcs_cooling_loop_read(
                         dcs_cfg_get(dcs_cfg_root(cfg), "loop"), &loop, &err),
                     DCS_EINPUT);
    ck_assert_str_eq(err.msg, "t.yaml:10:20: field 'loop.chiller_cop_max': "
                              "expected a number in [3, 100], found '2'");
    dcs_cfg_free(cfg);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cooling");
    TCase *tc = tcase_create("cooling");
    tcase_add_test(tc, free_cooling);
    tcase_add_test(tc, partial_band);
    tcase_add_test(tc, chiller_above_band);
    tcase_add_test(tc, dry_rejection_uses_dry_bulb);
    tcase_add_test(tc, zero_band_switches);
    tcase_add_test(tc, linear_in_heat);
    tcase_add_test(tc, bad_loop_keys);
    tcase_add_test(tc, cop_max_below_min);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
