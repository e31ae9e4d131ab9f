/* test_facility.c - facility power, energy, water and the IT limit under a
 * power cap (sim/facility/facility.c, with cooling.c, electrical.c and
 * weather.c beneath it).
 *
 * Invariants checked, with every expected number worked out in this file
 * from the formulas of facility.h, cooling.h and electrical.h and the
 * constants of tests/unit/data/facility/plant-*.yaml:
 *  - PUE, cooling, losses and water of an air and a liquid plant in each
 *    regime: free cooling, the partial band, the chiller;
 *  - energy over an interval that crosses weather hours is the sum over the
 *    hours of power x the seconds spent in each; the weather year wraps
 *    around; start_hour shifts it;
 *  - under a cap, facility power at the IT limit equals the cap (to 1e-9
 *    relative), facility power rises with IT power, a cap below the no-load
 *    losses allows nothing, and no cap allows everything;
 *  - the proportional model gives exactly what it always did, through the
 *    new functions and the former ones;
 *  - every bad facility key is refused with one exact message (file, line,
 *    column, field), and the shipped plants and weather years load and rank
 *    as a user expects (cool site below hot site, liquid below air). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg.h"
#include "facility/facility.h"

#define DATA DCSIM_TEST_DATA "/facility/"
#define TOPO DCSIM_SOURCE_DIR "/topologies/"

/* ---- helpers --------------------------------------------------------- */

/* Reads `text` (a document with a `facility:` mapping, named DATA t.yaml so
 * that relative paths resolve in the data folder) into *f, then checks for
 * unknown keys as the scenario reader does. Returns the error code. */
static int read_text(const char *text, dcs_facility_t *f, dcs_err_t *err)
{
    dcs_cfg_t *cfg = dcs_cfg_load_string(DATA "t.yaml", text, err);
    ck_assert_msg(cfg != NULL, "%s", err->msg);
    dcs_cfg_node_t *map = dcs_cfg_get(dcs_cfg_root(cfg), "facility");
    int rc = dcs_facility_read(map, f, err);
    if (rc == 0 && (rc = dcs_cfg_check_unknown(map, err)) < 0)
        dcs_facility_free(f);
    dcs_cfg_free(cfg);
    return rc;
}

static void read_ok(const char *text, dcs_facility_t *f)
{
    dcs_err_t err = {""};
    ck_assert_msg(read_text(text, f, &err) == 0, "%s", err.msg);
}

static void expect_error(const char *text, const char *want)
{
    dcs_err_t err = {""};
    dcs_facility_t f;
    ck_assert_int_eq(read_text(text, &f, &err), DCS_EINPUT);
    ck_assert_str_eq(err.msg, want);
}

/* A facility of `plant` at constant conditions. */
static void read_constant(const char *plant, double temp_c, double rh,
                          dcs_facility_t *f)
{
    char text[1024];
    snprintf(text, sizeof text,
             "facility:\n"
             "  plant: !include %s\n"
             "  design_it_w: 10e6\n"
             "  outside_temp_c: %.17g\n"
             "  outside_rel_humidity_frac: %.17g\n",
             plant, temp_c, rh);
    read_ok(text, f);
}

/* Stull (2011), eq. (1), written from the paper: RH in percent. */
static double stull(double t, double rh_frac)
{
    double rh = fmin(fmax(rh_frac * 100, 5), 99);
    double tw = t * atan(0.151977 * sqrt(rh + 8.313659)) + atan(t + rh) -
                atan(rh - 1.676331) +
                0.00391838 * pow(rh, 1.5) * atan(0.023101 * rh) - 4.686035;
    return fmin(tw, t);
}

/* Hand model of plant-air.yaml with design IT 10 MW: outputs W and L/h. */
typedef struct hand {
    double cooling_w, losses_w, facility_w, water_l_per_h;
} hand_t;

static hand_t hand_air(double it, double t, double rh)
{
    /* The air path: free below 18 C, chiller share rising to 1 at 24 C; COP
     * 6 at a 25 C wet bulb, 0.15 per K, within [3, 9]; towers 0.04 W/W of
     * heat rejected, 2 L/kWh rejected. */
    double s = t <= 18 ? 0 : t >= 24 ? 1 : (t - 18) / 6;
    double cop = fmin(fmax(6.0 - 0.15 * (stull(t, rh) - 25), 3.0), 9.0);
    double rejected = s * it * (1 + 1 / cop);
    double fans = 0.05 * it;
    hand_t h;
    h.cooling_w = fans + 0.02 * (1 - s) * it + s * it / cop + 0.04 * rejected;
    h.water_l_per_h = 2.0 * rejected / 1000;
    /* UPS: 2 x 10 MW; it carries IT, the PDU loss (1.5 %) and the fans. */
    double cap = 20e6, pdu = 0.015 * it, u = it + pdu + fans;
    double ups = 0.012 * cap + 0.02 * u + 0.008 * u * u / cap;
    h.facility_w = 1.01 * (it + pdu + h.cooling_w + ups);
    h.losses_w = h.facility_w - it - h.cooling_w;
    return h;
}

static hand_t hand_liquid(double it, double t, double rh)
{
    /* Liquid loop, 80 % of IT heat: free below 27 C, band 5 K, dry: COP
     * 7.5 - 0.2 (T - 35) within [4, 12]; pumps 0.02, dry coolers 0.02 in
     * free cooling, 0.03 W/W of chiller heat rejected; no water. */
    double ql = 0.8 * it, qa = 0.2 * it;
    double sl = t <= 27 ? 0 : t >= 32 ? 1 : (t - 27) / 5;
    double copl = fmin(fmax(7.5 - 0.2 * (t - 35), 4.0), 12.0);
    double liquid = 0.02 * ql + 0.02 * (1 - sl) * ql + sl * ql / copl +
                    0.03 * sl * ql * (1 + 1 / copl);
    /* Air path, 20 %: as plant-air but COP 4 at a 35 C wet bulb, 0.1 per
     * K, within [2.5, 7]. */
    double sa = t <= 18 ? 0 : t >= 24 ? 1 : (t - 18) / 6;
    double copa = fmin(fmax(4.0 - 0.1 * (stull(t, rh) - 35), 2.5), 7.0);
    double rejected = sa * qa * (1 + 1 / copa);
    double air =
        0.05 * qa + 0.02 * (1 - sa) * qa + sa * qa / copa + 0.04 * rejected;
    hand_t h;
    h.cooling_w = liquid + air;
    h.water_l_per_h = 2.0 * rejected / 1000;
    /* UPS: 1.5 x 10 MW, carrying IT and the PDU loss (2 %) only. */
    double cap = 15e6, pdu = 0.02 * it, u = it + pdu;
    double ups = 0.01 * cap + 0.03 * u + 0.01 * u * u / cap;
    h.facility_w = 1.015 * (it + pdu + h.cooling_w + ups);
    h.losses_w = h.facility_w - it - h.cooling_w;
    return h;
}

static void check_power(const dcs_facility_power_t *p, hand_t h, double it)
{
    double tol = 1e-9 * h.facility_w;
    ck_assert_double_eq(p->it_w, it);
    ck_assert_double_eq_tol(p->cooling_w, h.cooling_w, tol);
    ck_assert_double_eq_tol(p->losses_w, h.losses_w, tol);
    ck_assert_double_eq_tol(p->facility_w, h.facility_w, tol);
    ck_assert_double_eq_tol(p->pue, h.facility_w / it, 1e-12);
    ck_assert_double_eq_tol(p->water_l_per_h, h.water_l_per_h,
                            1e-9 * (1 + h.water_l_per_h));
    ck_assert_double_eq_tol(p->wue_l_per_kwh, h.water_l_per_h / (it / 1000),
                            1e-12);
}

/* ---- PUE in each regime ----------------------------------------------- */

START_TEST(air_free_cooling)
{
    /* 5 C: no chiller. IT 10 MW: cooling (0.05 + 0.02) x 10 MW = 700 kW;
     * the UPS carries 10 + 0.15 + 0.5 = 10.65 MW of its 20 MW and loses
     * 0.24 + 0.213 + 0.008 x 10.65^2 / 20 = 0.498369 MW; the transformers
     * 1 % of 10.15 + 0.7 + 0.498369: 11.46185269 MW in all, PUE 1.1462. */
    dcs_facility_t f;
    read_constant("plant-air.yaml", 5, 0.5, &f);
    dcs_facility_power_t p;
    dcs_facility_power(&f, 10e6, 0, &p);
    ck_assert_double_eq_tol(p.facility_w, 11461852.69, 1e-3);
    ck_assert_double_eq_tol(p.cooling_w, 700e3, 1e-6);
    ck_assert_double_eq(p.water_l_per_h, 0);
    check_power(&p, hand_air(10e6, 5, 0.5), 10e6);
    ck_assert_double_eq(p.air.chiller_share, 0);
    dcs_facility_free(&f);
}
END_TEST

START_TEST(air_partial_band)
{
    /* 21 C, 40 %: halfway through the band, the chiller carries half. */
    dcs_facility_t f;
    read_constant("plant-air.yaml", 21, 0.4, &f);
    dcs_facility_power_t p;
    dcs_facility_power(&f, 10e6, 0, &p);
    check_power(&p, hand_air(10e6, 21, 0.4), 10e6);
    ck_assert_double_eq_tol(p.air.chiller_share, 0.5, 1e-12);
    ck_assert_double_eq_tol(p.outside_wet_bulb_c, stull(21, 0.4), 1e-12);
    ck_assert(p.water_l_per_h > 0);
    dcs_facility_free(&f);
}
END_TEST

START_TEST(air_chiller)
{
    /* 35 C, 30 %: the chiller carries everything. */
    dcs_facility_t f;
    read_constant("plant-air.yaml", 35, 0.3, &f);
    dcs_facility_power_t p;
    dcs_facility_power(&f, 10e6, 0, &p);
    check_power(&p, hand_air(10e6, 35, 0.3), 10e6);
    ck_assert_double_eq(p.air.chiller_share, 1);
    /* And at another load: the fixed UPS losses weigh more at 3 MW. */
    dcs_facility_power(&f, 3e6, 0, &p);
    check_power(&p, hand_air(3e6, 35, 0.3), 3e6);
    dcs_facility_free(&f);
}
END_TEST

START_TEST(liquid_free_cooling)
{
    /* 10 C: both loops free. Cooling 0.2 x 10 MW x 0.07 + 0.8 x 10 MW x
     * 0.04 = 460 kW; the UPS carries 10.2 MW of 15 MW and loses 0.15 +
     * 0.306 + 0.01 x 10.2^2 / 15 = 0.52536 MW; transformers 1.5 % of
     * 10.2 + 0.46 + 0.52536: 11.3531404 MW, PUE 1.1353. */
    dcs_facility_t f;
    read_constant("plant-liquid.yaml", 10, 0.7, &f);
    dcs_facility_power_t p;
    dcs_facility_power(&f, 10e6, 0, &p);
    ck_assert_double_eq_tol(p.facility_w, 11353140.4, 1e-3);
    check_power(&p, hand_liquid(10e6, 10, 0.7), 10e6);
    dcs_facility_free(&f);
}
END_TEST

START_TEST(liquid_partial_band)
{
    /* 29.5 C: the liquid loop halfway through its band, the air path all
     * on its chiller. */
    dcs_facility_t f;
    read_constant("plant-liquid.yaml", 29.5, 0.35, &f);
    dcs_facility_power_t p;
    dcs_facility_power(&f, 10e6, 0, &p);
    check_power(&p, hand_liquid(10e6, 29.5, 0.35), 10e6);
    ck_assert_double_eq_tol(p.liquid.chiller_share, 0.5, 1e-12);
    ck_assert_double_eq(p.air.chiller_share, 1);
    ck_assert_double_eq_tol(p.liquid.cop, 7.5 - 0.2 * (29.5 - 35), 1e-12);
    ck_assert_double_eq(p.liquid.water_l_per_h, 0); /* dry coolers */
    dcs_facility_free(&f);
}
END_TEST

START_TEST(liquid_chiller)
{
    /* 40 C: both loops on their chillers; liquid COP 7.5 - 0.2 x 5. */
    dcs_facility_t f;
    read_constant("plant-liquid.yaml", 40, 0.2, &f);
    dcs_facility_power_t p;
    dcs_facility_power(&f, 10e6, 0, &p);
    check_power(&p, hand_liquid(10e6, 40, 0.2), 10e6);
    ck_assert_double_eq_tol(p.liquid.cop, 6.5, 1e-12);
    ck_assert_double_eq(p.liquid.chiller_share, 1);
    dcs_facility_free(&f);
}
END_TEST

START_TEST(no_it_load)
{
    /* Nothing running: the UPS and transformers still lose their no-load
     * share (0.012 x 20 MW x 1.01); PUE is undefined. */
    dcs_facility_t f;
    read_constant("plant-air.yaml", 30, 0.5, &f);
    dcs_facility_power_t p;
    dcs_facility_power(&f, 0, 0, &p);
    ck_assert_double_eq_tol(p.facility_w, 0.012 * 20e6 * 1.01, 1e-6);
    ck_assert_double_eq(p.cooling_w, 0);
    ck_assert(isnan(p.pue));
    dcs_facility_free(&f);
}
END_TEST

/* ---- energy over time ------------------------------------------------- */

static const char *const AIR_WEATHER = "facility:\n"
                                       "  plant: !include plant-air.yaml\n"
                                       "  design_it_w: 10e6\n"
                                       "  weather: weather-4h.csv\n";

/* weather-4h.csv, hour by hour. */
static const double TEMPS[4] = {5, 21, 35, 12}, RHS[4] = {0.5, 0.4, 0.3, 0.6};

START_TEST(energy_crosses_hours)
{
    dcs_facility_t f;
    read_ok(AIR_WEATHER, &f);
    /* [1800, 11700]: 1800 s of hour 0, all of hours 1 and 2, 900 s of 3. */
    double secs[4] = {1800, 3600, 3600, 900};
    double it = 8e6, fac = 0, cool = 0, water = 0, temp = 0;
    for (int h = 0; h < 4; h++) {
        hand_t x = hand_air(it, TEMPS[h], RHS[h]);
        fac += x.facility_w * secs[h];
        cool += x.cooling_w * secs[h];
        water += x.water_l_per_h * secs[h] / 3600;
        temp += TEMPS[h] * secs[h];
    }
    dcs_facility_energy_t e;
    dcs_facility_energy(&f, 1800, 11700, it, &e);
    ck_assert_double_eq_tol(e.it_j, it * 9900, 1e-3);
    ck_assert_double_eq_tol(e.facility_j, fac, 1e-9 * fac);
    ck_assert_double_eq_tol(e.cooling_j, cool, 1e-9 * fac);
    ck_assert_double_eq_tol(e.losses_j, fac - cool - it * 9900, 1e-9 * fac);
    ck_assert_double_eq_tol(e.water_l, water, 1e-9 * water);
    ck_assert_double_eq_tol(e.outside_c, temp / 9900, 1e-12);
    /* Inside one hour: power x time. */
    dcs_facility_energy(&f, 7300, 7400, it, &e);
    ck_assert_double_eq_tol(e.facility_j,
                            hand_air(it, 35, 0.3).facility_w * 100,
                            1e-9 * e.facility_j);
    /* An empty or reversed interval: nothing. */
    dcs_facility_energy(&f, 5000, 5000, it, &e);
    ck_assert_double_eq(e.facility_j, 0);
    dcs_facility_energy(&f, 6000, 5000, it, &e);
    ck_assert_double_eq(e.facility_j, 0);
    dcs_facility_free(&f);
}
END_TEST

START_TEST(year_wraps_around)
{
    dcs_facility_t f;
    read_ok(AIR_WEATHER, &f);
    double year = 4 * 3600.0, it = 9e6;
    dcs_facility_energy_t one, three, later, first;
    dcs_facility_energy(&f, 0, year, it, &one);
    dcs_facility_energy(&f, 0, 3 * year, it, &three);
    ck_assert_double_eq_tol(three.facility_j, 3 * one.facility_j,
                            1e-9 * three.facility_j);
    ck_assert_double_eq_tol(three.water_l, 3 * one.water_l,
                            1e-9 * three.water_l);
    /* Hours 1000 years on are the same hours. */
    dcs_facility_energy(&f, 1800, 9000, it, &first);
    dcs_facility_energy(&f, 1000 * year + 1800, 1000 * year + 9000, it, &later);
    ck_assert_double_eq_tol(later.facility_j, first.facility_j,
                            1e-9 * first.facility_j);
    dcs_facility_power_t p;
    dcs_facility_power(&f, it, 5 * year + 2 * 3600 + 1, &p);
    ck_assert_double_eq(p.outside_c, 35);
    check_power(&p, hand_air(it, 35, 0.3), it);
    dcs_facility_free(&f);
}
END_TEST

START_TEST(start_hour_shifts)
{
    dcs_facility_t f;
    char text[512];
    snprintf(text, sizeof text, "%s  start_hour: 2\n", AIR_WEATHER);
    read_ok(text, &f);
    /* Run time 0 is file hour 2 (35 C); hour 2 of the run is file hour 0. */
    ck_assert_double_eq(f.outside_temp_c, 35);
    dcs_facility_power_t p;
    dcs_facility_power(&f, 10e6, 0, &p);
    check_power(&p, hand_air(10e6, 35, 0.3), 10e6);
    dcs_facility_power(&f, 10e6, 2 * 3600, &p);
    check_power(&p, hand_air(10e6, 5, 0.5), 10e6);
    double dry, wet, rh;
    dcs_facility_conditions(&f, 3 * 3600, &dry, &wet, &rh);
    ck_assert_double_eq(dry, 21);
    ck_assert_double_eq(rh, 0.4);
    ck_assert_double_eq_tol(wet, stull(21, 0.4), 1e-12);
    dcs_facility_free(&f);
}
END_TEST

/* ---- power cap --------------------------------------------------------- */

START_TEST(it_limit_meets_cap)
{
    const char *plants[] = {"plant-air.yaml", "plant-liquid.yaml"};
    double temps[] = {5, 21, 29.5, 40};
    double caps[] = {1e6, 5e6, 11.5e6, 30e6};
    for (int p = 0; p < 2; p++)
        for (int t = 0; t < 4; t++)
            for (int c = 0; c < 4; c++) {
                char text[512];
                snprintf(text, sizeof text,
                         "facility:\n"
                         "  plant: !include %s\n"
                         "  design_it_w: 10e6\n"
                         "  outside_temp_c: %g\n"
                         "  outside_rel_humidity_frac: 0.4\n"
                         "  power_cap_w: %g\n",
                         plants[p], temps[t], caps[c]);
                dcs_facility_t f;
                read_ok(text, &f);
                double limit = dcs_facility_it_limit_w(&f, 0);
                ck_assert(limit > 0);
                dcs_facility_power_t pw;
                dcs_facility_power(&f, limit, 0, &pw);
                ck_assert_double_eq_tol(pw.facility_w, caps[c], 1e-9 * caps[c]);
                /* Against the hand model too. */
                hand_t h = p == 0 ? hand_air(limit, temps[t], 0.4)
                                  : hand_liquid(limit, temps[t], 0.4);
                ck_assert_double_eq_tol(h.facility_w, caps[c], 1e-9 * caps[c]);
                dcs_facility_free(&f);
            }
}
END_TEST

START_TEST(facility_rises_with_it)
{
    double temps[] = {-10, 5, 19, 21, 23, 30, 45};
    for (int t = 0; t < 7; t++) {
        dcs_facility_t f;
        read_constant("plant-liquid.yaml", temps[t], 0.5, &f);
        double last = -1;
        for (double it = 0; it <= 30e6; it += 0.25e6) {
            dcs_facility_power_t p;
            dcs_facility_power(&f, it, 0, &p);
            ck_assert(p.facility_w > last);
            last = p.facility_w;
        }
        dcs_facility_free(&f);
    }
}
END_TEST

START_TEST(it_limit_edges)
{
    dcs_facility_t f;
    /* No cap: anything goes. */
    read_constant("plant-air.yaml", 20, 0.5, &f);
    ck_assert(isinf(dcs_facility_it_limit_w(&f, 0)));
    dcs_facility_free(&f);
    /* A cap below the no-load losses (0.012 x 20 MW x 1.01 = 242.4 kW):
     * nothing fits. */
    read_ok("facility:\n"
            "  plant: !include plant-air.yaml\n"
            "  design_it_w: 10e6\n"
            "  outside_temp_c: 20\n"
            "  outside_rel_humidity_frac: 0.5\n"
            "  power_cap_w: 242e3\n",
            &f);
    ck_assert_double_eq(dcs_facility_it_limit_w(&f, 0), 0);
    dcs_facility_free(&f);
    /* The limit follows the weather: hour 0 is 5 C, hour 2 is 35 C. */
    char text[512];
    snprintf(text, sizeof text, "%s  power_cap_w: 12e6\n", AIR_WEATHER);
    read_ok(text, &f);
    double cool = dcs_facility_it_limit_w(&f, 100);
    double hot = dcs_facility_it_limit_w(&f, 7300);
    ck_assert(hot < cool);
    ck_assert_double_eq_tol(hand_air(hot, 35, 0.3).facility_w, 12e6, 1e-2);
    ck_assert_double_eq_tol(hand_air(cool, 5, 0.5).facility_w, 12e6, 1e-2);
    /* The highest limit of the year is the coldest hour's (5 C): the
     * facility draws the cap there by the hand model. */
    double best = dcs_facility_it_limit_max_w(&f);
    ck_assert_double_eq_tol(hand_air(best, 5, 0.5).facility_w, 12e6, 1e-2);
    ck_assert(best > hot);
    dcs_facility_free(&f);
    /* Without weather or without a cap: the one limit. */
    read_constant("plant-air.yaml", 20, 0.5, &f);
    ck_assert(isinf(dcs_facility_it_limit_max_w(&f)));
    dcs_facility_free(&f);
}
END_TEST

/* ---- the proportional model ------------------------------------------- */

START_TEST(proportional_unchanged)
{
    dcs_facility_t f;
    read_ok("facility:\n"
            "  cooling_overhead_frac: 0.35\n"
            "  electrical_loss_frac: 0.07\n",
            &f);
    ck_assert_int_eq(f.model, DCS_FACILITY_PROPORTIONAL);
    ck_assert_double_eq(f.outside_temp_c, 0); /* as before: unset is 0 */
    ck_assert_ptr_null(f.weather);
    /* The former interface: PUE = 1.35 x 1.07 = 1.4445. */
    ck_assert_double_eq(dcs_facility_pue(&f), 1.35 * 1.07);
    double cooling, losses;
    dcs_facility_overheads(&f, 1000, &cooling, &losses);
    ck_assert_double_eq(cooling, 1000 * 0.35);
    ck_assert_double_eq(losses, (1000 + 1000 * 0.35) * 0.07);
    /* The new one gives the same. */
    dcs_facility_power_t p;
    dcs_facility_power(&f, 10e6, 12345, &p);
    ck_assert_double_eq(p.cooling_w, 10e6 * 0.35);
    ck_assert_double_eq(p.losses_w, (10e6 + 10e6 * 0.35) * 0.07);
    ck_assert_double_eq(p.facility_w,
                        10e6 + 10e6 * 0.35 + (10e6 + 10e6 * 0.35) * 0.07);
    ck_assert_double_eq_tol(p.pue, 1.4445, 1e-12);
    ck_assert_double_eq(p.water_l_per_h, 0);
    dcs_facility_power(&f, 0, 0, &p);
    ck_assert_double_eq(p.pue, 1.35 * 1.07);
    dcs_facility_energy_t e;
    dcs_facility_energy(&f, 0, 86400, 2e6, &e);
    ck_assert_double_eq_tol(e.facility_j, 2e6 * 1.35 * 1.07 * 86400,
                            1e-9 * e.facility_j);
    ck_assert(isinf(dcs_facility_it_limit_w(&f, 0)));
    dcs_facility_free(&f);

    read_ok("facility:\n"
            "  cooling_overhead_frac: 0.15\n"
            "  electrical_loss_frac: 0.07\n"
            "  outside_temp_c: 20\n"
            "  power_cap_w: 12.305e6\n",
            &f);
    ck_assert_double_eq(f.outside_temp_c, 20);
    /* 12.305 MW / (1.15 x 1.07) = 10 MW. */
    ck_assert_double_eq_tol(dcs_facility_it_limit_w(&f, 0), 10e6, 1e-6);
    dcs_facility_free(&f);
}
END_TEST

START_TEST(proportional_with_weather)
{
    /* The weather only sets the reported outside temperature. */
    dcs_facility_t f;
    read_ok("facility:\n"
            "  cooling_overhead_frac: 0.35\n"
            "  electrical_loss_frac: 0.07\n"
            "  weather: weather-4h.csv\n",
            &f);
    dcs_facility_energy_t e;
    dcs_facility_energy(&f, 0, 4 * 3600, 1e6, &e);
    ck_assert_double_eq_tol(e.facility_j, 1e6 * 1.4445 * 4 * 3600,
                            1e-9 * e.facility_j);
    ck_assert_double_eq_tol(e.outside_c, (5 + 21 + 35 + 12) / 4.0, 1e-12);
    dcs_facility_free(&f);
}
END_TEST

START_TEST(former_interface_on_computed)
{
    /* The design point: design IT load at run time 0. */
    dcs_facility_t f;
    read_constant("plant-air.yaml", 35, 0.3, &f);
    hand_t h = hand_air(10e6, 35, 0.3);
    ck_assert_double_eq_tol(dcs_facility_pue(&f), h.facility_w / 10e6, 1e-12);
    double cooling, losses;
    dcs_facility_overheads(&f, 3.6e9, &cooling, &losses);
    ck_assert_double_eq_tol(cooling, 3.6e9 * h.cooling_w / 10e6, 1e-3);
    ck_assert_double_eq_tol(losses, 3.6e9 * h.losses_w / 10e6, 1e-3);
    dcs_facility_free(&f);
}
END_TEST

/* ---- bad input -------------------------------------------------------- */

START_TEST(bad_facility_keys)
{
    expect_error("facility:\n  outside_temp_c: 20\n",
                 DATA "t.yaml:2:3: field 'facility': expected 'plant' "
                      "(computed model) or 'cooling_overhead_frac' and "
                      "'electrical_loss_frac' (proportional model)");
    expect_error("facility:\n  plnt: !include plant-air.yaml\n",
                 DATA "t.yaml:2:3: unknown field 'facility.plnt'; did you "
                      "mean 'plant'?");
    expect_error("facility:\n"
                 "  cooling_overhead_frac: 0.3\n"
                 "  electrical_los_frac: 0.05\n",
                 DATA "t.yaml:3:3: unknown field 'facility.electrical_los_"
                      "frac'; did you mean 'electrical_loss_frac'?");
    expect_error("facility:\n"
                 "  plant: !include plant-air.yaml\n"
                 "  cooling_overhead_frac: 0.3\n",
                 DATA "t.yaml:3:26: field 'facility.cooling_overhead_frac': "
                      "applies to the proportional model only (there is a "
                      "'plant')");
    expect_error("facility:\n"
                 "  cooling_overhead_frac: 0.3\n"
                 "  electrical_loss_frac: 0.05\n"
                 "  design_it_w: 1e6\n",
                 DATA "t.yaml:4:16: field 'facility.design_it_w': applies to "
                      "the computed model only (give a 'plant')");
    expect_error("facility:\n"
                 "  plant: !include plant-air.yaml\n"
                 "  outside_temp_c: 20\n"
                 "  outside_rel_humidity_frac: 0.5\n",
                 DATA "t.yaml:2:3: field 'facility.design_it_w': missing "
                      "(required)");
    expect_error("facility:\n"
                 "  plant: !include plant-air.yaml\n"
                 "  design_it_w: 1e6\n",
                 DATA "t.yaml:2:3: field 'facility.outside_temp_c': missing "
                      "(required)");
    expect_error("facility:\n"
                 "  plant: !include plant-air.yaml\n"
                 "  design_it_w: 1e6\n"
                 "  weather: weather-4h.csv\n"
                 "  outside_temp_c: 20\n",
                 DATA "t.yaml:5:19: field 'facility.outside_temp_c': "
                      "conflicts with 'weather'; give one or the other");
    expect_error("facility:\n"
                 "  cooling_overhead_frac: 0.3\n"
                 "  electrical_loss_frac: 0.05\n"
                 "  start_hour: 10\n",
                 DATA "t.yaml:4:15: field 'facility.start_hour': applies only "
                      "with 'weather'");
    expect_error("facility:\n"
                 "  cooling_overhead_frac: 0.3\n"
                 "  electrical_loss_frac: 0.05\n"
                 "  weather: weather-4h.csv\n"
                 "  start_hour: 4\n",
                 DATA "t.yaml:5:15: field 'facility.start_hour': expected an "
                      "integer in [0, 3] (the hours of '" DATA
                      "weather-4h.csv'), found '4'");
    expect_error("facility:\n"
                 "  cooling_overhead_frac: 0.3\n"
                 "  electrical_loss_frac: 0.05\n"
                 "  power_cap_w: 0\n",
                 DATA "t.yaml:4:16: field 'facility.power_cap_w': expected a "
                      "number in [1, 1e+13], found '0'");
}
END_TEST

START_TEST(bad_plant_keys)
{
    expect_error("facility:\n"
                 "  design_it_w: 1e6\n"
                 "  outside_temp_c: 20\n"
                 "  outside_rel_humidity_frac: 0.5\n"
                 "  plant:\n"
                 "    cooling: water\n",
                 DATA "t.yaml:6:14: field 'facility.plant.cooling': expected "
                      "one of air, liquid, found 'water'");
    expect_error("facility:\n"
                 "  design_it_w: 1e6\n"
                 "  outside_temp_c: 20\n"
                 "  outside_rel_humidity_frac: 0.5\n"
                 "  plant:\n"
                 "    coolin: air\n",
                 DATA "t.yaml:6:5: unknown field 'facility.plant.coolin'; did "
                      "you mean 'cooling'?");
    expect_error("facility:\n"
                 "  design_it_w: 1e6\n"
                 "  outside_temp_c: 20\n"
                 "  outside_rel_humidity_frac: 0.5\n"
                 "  plant:\n"
                 "    cooling: air\n"
                 "    liquid_frac: 0.8\n",
                 DATA "t.yaml:7:18: field 'facility.plant.liquid_frac': "
                      "applies to cooling: liquid only");
    expect_error("facility:\n"
                 "  design_it_w: 1e6\n"
                 "  outside_temp_c: 20\n"
                 "  outside_rel_humidity_frac: 0.5\n"
                 "  plant: !include bad-plant.yaml\n",
                 DATA "bad-plant.yaml:8:20: field "
                      "'facility.plant.air.economizer_frac': expected a "
                      "number in [0, 1], found '2'");
}
END_TEST

START_TEST(bad_weather_reference)
{
    expect_error("facility:\n"
                 "  cooling_overhead_frac: 0.3\n"
                 "  electrical_loss_frac: 0.05\n"
                 "  weather: no-such.csv\n",
                 DATA "t.yaml:4:12: field 'facility.weather': cannot open "
                      "'" DATA "no-such.csv': No such file or directory");
    /* A bad file says where in the file. */
    expect_error("facility:\n"
                 "  plant: !include plant-air.yaml\n"
                 "  design_it_w: 1e6\n"
                 "  weather: bad-rh-range.csv\n",
                 DATA "bad-rh-range.csv:4: field 'rel_humidity_frac': "
                      "expected a number in [0, 1], found '65'");
}
END_TEST

/* ---- shipped plants and weather ---------------------------------------- */

/* Annual PUE of a shipped plant at a shipped site, at design load. */
static double annual_pue(const char *plant, const char *site, double *wue)
{
    char text[1024];
    snprintf(text, sizeof text,
             "facility:\n"
             "  plant: !include " TOPO "facilities/%s.yaml\n"
             "  design_it_w: 10e6\n"
             "  weather: " TOPO "weather/%s.csv\n",
             plant, site);
    dcs_facility_t f;
    read_ok(text, &f);
    ck_assert_uint_eq(dcs_weather_hours(f.weather), 8760);
    dcs_facility_energy_t e;
    dcs_facility_energy(&f, 0, 8760 * 3600.0, 10e6, &e);
    dcs_facility_free(&f);
    *wue = e.water_l / (e.it_j / 3.6e6);
    return e.facility_j / e.it_j;
}

START_TEST(shipped_plants_rank)
{
    double wue_al, wue_ap, wue_ll, wue_lp;
    double air_lulea = annual_pue("air-cooled", "lulea-se", &wue_al);
    double air_phoenix = annual_pue("air-cooled", "phoenix-az", &wue_ap);
    double liq_lulea = annual_pue("liquid-cooled", "lulea-se", &wue_ll);
    double liq_phoenix = annual_pue("liquid-cooled", "phoenix-az", &wue_lp);
    ck_assert(air_lulea < air_phoenix);
    ck_assert(liq_lulea < liq_phoenix);
    ck_assert(liq_lulea < air_lulea);
    ck_assert(liq_phoenix < air_phoenix);
    ck_assert(wue_al < wue_ap);
    ck_assert(wue_lp < wue_ap);
    /* Below the 2024 industry average (1.56), above a perfect 1. */
    ck_assert(air_phoenix < 1.56 && liq_lulea > 1.0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("facility");
    TCase *pue = tcase_create("pue");
    tcase_add_test(pue, air_free_cooling);
    tcase_add_test(pue, air_partial_band);
    tcase_add_test(pue, air_chiller);
    tcase_add_test(pue, liquid_free_cooling);
    tcase_add_test(pue, liquid_partial_band);
    tcase_add_test(pue, liquid_chiller);
    tcase_add_test(pue, no_it_load);
    suite_add_tcase(s, pue);
    TCase *time = tcase_create("time");
    tcase_add_test(time, energy_crosses_hours);
    tcase_add_test(time, year_wraps_around);
    tcase_add_test(time, start_hour_shifts);
    suite_add_tcase(s, time);
    TCase *cap = tcase_create("cap");
    tcase_add_test(cap, it_limit_meets_cap);
    tcase_add_test(cap, facility_rises_with_it);
    tcase_add_test(cap, it_limit_edges);
    suite_add_tcase(s, cap);
    TCase *prop = tcase_create("proportional");
    tcase_add_test(prop, proportional_unchanged);
    tcase_add_test(prop, proportional_with_weather);
    tcase_add_test(prop, former_interface_on_computed);
    suite_add_tcase(s, prop);
    TCase *bad = tcase_create("bad_input");
    tcase_add_test(bad, bad_facility_keys);
    tcase_add_test(bad, bad_plant_keys);
    tcase_add_test(bad, bad_weather_reference);
    suite_add_tcase(s, bad);
    TCase *shipped = tcase_create("shipped");
    tcase_add_test(shipped, shipped_plants_rank);
    suite_add_tcase(s, shipped);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
