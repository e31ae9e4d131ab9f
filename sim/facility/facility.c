/* facility.c - the facility section: reading the site and its plant, and
 * facility power, energy and the IT limit under a cap, for the proportional
 * and the computed model. */
#include "facility/facility.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define J_PER_KWH 3.6e6

/* ---- reading ---------------------------------------------------------- */

/* An error when `key` is present in `map`: it does not apply here. */
static int forbid(dcs_cfg_node_t *map, const char *key, const char *why,
                  dcs_err_t *err)
{
    dcs_cfg_node_t *node = dcs_cfg_get(map, key);
    return node ? dcs_cfg_error(node, err, "%s", why) : 0;
}

static int read_plant(dcs_cfg_node_t *plant, dcs_facility_t *f, dcs_err_t *err)
{
    static const char *const kinds[] = {"air", "liquid", NULL};
    static const char *const liquid_only = "applies to cooling: liquid only";
    dcs_cfg_node_t *air = NULL, *liquid = NULL, *electrical = NULL;
    int kind = 0;
    int rc;
    if ((rc = dcs_cfg_enum(plant, "cooling", DCS_CFG_REQUIRED, kinds, &kind,
                           err)) < 0)
        return rc;
    f->cooling = (dcs_cooling_kind_t)kind;
    if (f->cooling == DCS_COOLING_LIQUID) {
        if ((rc = dcs_cfg_f64(plant, "liquid_frac", DCS_CFG_REQUIRED, 0, 1,
                              &f->liquid_frac, err)) < 0)
            return rc;
    } else if ((rc = forbid(plant, "liquid_frac", liquid_only, err)) < 0 ||
               (rc = forbid(plant, "liquid", liquid_only, err)) < 0) {
        return rc;
    }
    if ((rc = dcs_cfg_map(plant, "air", DCS_CFG_REQUIRED, &air, err)) < 0 ||
        (rc = dcs_cooling_loop_read(air, &f->air, err)) < 0)
        return rc;
    if (f->cooling == DCS_COOLING_LIQUID &&
        ((rc = dcs_cfg_map(plant, "liquid", DCS_CFG_REQUIRED, &liquid, err)) <
             0 ||
         (rc = dcs_cooling_loop_read(liquid, &f->liquid, err)) < 0))
        return rc;
    if ((rc = dcs_cfg_map(plant, "electrical", DCS_CFG_REQUIRED, &electrical,
                          err)) < 0 ||
        (rc = dcs_electrical_read(electrical, &f->electrical, err)) < 0)
        return rc;
    return 0;
}

/* The model's own keys: `plant` and design_it_w, or the two fractions. */
static int read_model(dcs_cfg_node_t *map, dcs_facility_t *f, dcs_err_t *err)
{
    static const char *const proportional_only =
        "applies to the proportional model only (there is a 'plant')";
    dcs_cfg_node_t *plant = dcs_cfg_get(map, "plant");
    int rc;
    if (plant) {
        f->model = DCS_FACILITY_COMPUTED;
        if ((rc = forbid(map, "cooling_overhead_frac", proportional_only,
                         err)) < 0 ||
            (rc = forbid(map, "electrical_loss_frac", proportional_only, err)) <
                0 ||
            (rc = dcs_cfg_map(map, "plant", DCS_CFG_REQUIRED, &plant, err)) <
                0 ||
            (rc = read_plant(plant, f, err)) < 0 ||
            (rc = dcs_cfg_f64(map, "design_it_w", DCS_CFG_REQUIRED, 1, 1e13,
                              &f->design_it_w, err)) < 0)
            return rc;
        return 0;
    }
    f->model = DCS_FACILITY_PROPORTIONAL;
    if (!dcs_cfg_get(map, "cooling_overhead_frac")) {
        /* Neither model named: a misspelt key is the likeliest cause, so
         * report an unknown key (with the closest known one) first. */
        static const char *const others[] = {"electrical_loss_frac",
                                             "design_it_w",
                                             "weather",
                                             "start_hour",
                                             "outside_temp_c",
                                             "outside_rel_humidity_frac",
                                             "power_cap_w",
                                             NULL};
        for (int i = 0; others[i]; i++)
            dcs_cfg_get(map, others[i]);
        if ((rc = dcs_cfg_check_unknown(map, err)) < 0)
            return rc;
        return dcs_cfg_error(map, err,
                             "expected 'plant' (computed model) or "
                             "'cooling_overhead_frac' and "
                             "'electrical_loss_frac' (proportional model)");
    }
    if ((rc = dcs_cfg_f64(map, "cooling_overhead_frac", DCS_CFG_REQUIRED, 0, 5,
                          &f->cooling_overhead_frac, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "electrical_loss_frac", DCS_CFG_REQUIRED, 0, 0.5,
                          &f->electrical_loss_frac, err)) < 0 ||
        (rc = forbid(map, "design_it_w",
                     "applies to the computed model only (give a 'plant')",
                     err)) < 0)
        return rc;
    return 0;
}

/* Outside conditions: a weather file, or constants. */
static int read_conditions(dcs_cfg_node_t *map, dcs_facility_t *f,
                           dcs_err_t *err)
{
    static const char *const conflict =
        "conflicts with 'weather'; give one or the other";
    char *path = NULL;
    int rc = dcs_cfg_file_path(map, "weather", DCS_CFG_OPTIONAL, &path, err);
    if (rc < 0)
        return rc;
    if (!path) {
        unsigned need = f->model == DCS_FACILITY_COMPUTED ? DCS_CFG_REQUIRED
                                                          : DCS_CFG_OPTIONAL;
        if ((rc = dcs_cfg_f64(map, "outside_temp_c", need, -90, 70,
                              &f->outside_temp_c, err)) < 0 ||
            (rc = dcs_cfg_f64(map, "outside_rel_humidity_frac", need, 0, 1,
                              &f->outside_rel_humidity_frac, err)) < 0 ||
            (rc = forbid(map, "start_hour", "applies only with 'weather'",
                         err)) < 0)
            return rc;
        f->outside_wet_bulb_c = dcs_wet_bulb_stull_c(
            f->outside_temp_c, f->outside_rel_humidity_frac);
        return 0;
    }
    int64_t start_hour = 0;
    dcs_cfg_node_t *start = dcs_cfg_get(map, "start_hour");
    if ((rc = forbid(map, "outside_temp_c", conflict, err)) < 0 ||
        (rc = forbid(map, "outside_rel_humidity_frac", conflict, err)) < 0 ||
        (rc = dcs_cfg_i64(map, "start_hour", DCS_CFG_OPTIONAL, 0, INT64_MAX,
                          &start_hour, err)) < 0) {
        free(path);
        return rc;
    }
    rc = dcs_weather_load(path, &f->weather, err);
    if (rc < 0 && err && strncmp(err->msg, "cannot open", 11) == 0) {
        char msg[sizeof err->msg];
        memcpy(msg, err->msg, sizeof msg);
        rc = dcs_cfg_error(dcs_cfg_get(map, "weather"), err, "%s", msg);
    }
    if (rc == 0 && (size_t)start_hour >= dcs_weather_hours(f->weather)) {
        char range[64];
        snprintf(range, sizeof range, "[0, %zu]",
                 dcs_weather_hours(f->weather) - 1);
        rc = dcs_cfg_error(start, err,
                           "expected an integer in %s (the hours of '%s'), "
                           "found '%s'",
                           range, path, dcs_cfg_scalar(start));
    }
    free(path);
    if (rc < 0)
        return rc;
    dcs_weather_set_start_hour(f->weather, (size_t)start_hour);
    dcs_facility_conditions(f, 0, &f->outside_temp_c, &f->outside_wet_bulb_c,
                            &f->outside_rel_humidity_frac);
    return 0;
}

int dcs_facility_read(dcs_cfg_node_t *map, dcs_facility_t *f, dcs_err_t *err)
{
    memset(f, 0, sizeof *f);
    f->power_cap_w = INFINITY;
    int rc;
    if ((rc = read_model(map, f, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "power_cap_w", DCS_CFG_OPTIONAL, 1, 1e13,
                          &f->power_cap_w, err)) < 0 ||
        (rc = read_conditions(map, f, err)) < 0) {
        dcs_facility_free(f);
        return rc;
    }
    return 0;
}

void dcs_facility_free(dcs_facility_t *f)
{
    if (!f)
        return;
    dcs_weather_free(f->weather);
    memset(f, 0, sizeof *f);
}

/* ---- power ------------------------------------------------------------ */

void dcs_facility_conditions(const dcs_facility_t *f, double t_s,
                             double *dry_bulb_c, double *wet_bulb_c,
                             double *rel_humidity_frac)
{
    double dry = f->outside_temp_c, wet = f->outside_wet_bulb_c,
           rh = f->outside_rel_humidity_frac;
    if (f->weather) {
        dry = dcs_weather_temp_c(f->weather, t_s);
        wet = dcs_weather_wet_bulb_c(f->weather, t_s);
        rh = dcs_weather_rel_humidity_frac(f->weather, t_s);
    }
    if (dry_bulb_c)
        *dry_bulb_c = dry;
    if (wet_bulb_c)
        *wet_bulb_c = wet;
    if (rel_humidity_frac)
        *rel_humidity_frac = rh;
}

/* Power at given outside conditions (the outside fields of *out already
 * set). */
static void power_at(const dcs_facility_t *f, double it_w,
                     dcs_facility_power_t *out)
{
    out->it_w = it_w;
    if (f->model == DCS_FACILITY_PROPORTIONAL) {
        out->cooling_w = it_w * f->cooling_overhead_frac;
        out->losses_w = (it_w + out->cooling_w) * f->electrical_loss_frac;
        out->facility_w = it_w + out->cooling_w + out->losses_w;
        out->pue = it_w > 0 ? out->facility_w / it_w
                            : (1.0 + f->cooling_overhead_frac) *
                                  (1.0 + f->electrical_loss_frac);
        out->wue_l_per_kwh = it_w > 0 ? 0 : NAN;
        return;
    }
    double dry = out->outside_c, wet = out->outside_wet_bulb_c;
    double liquid_frac = f->cooling == DCS_COOLING_LIQUID ? f->liquid_frac : 0;
    dcs_cooling_loop_power(&f->air, (1 - liquid_frac) * it_w, dry, wet,
                           &out->air);
    if (f->cooling == DCS_COOLING_LIQUID)
        dcs_cooling_loop_power(&f->liquid, liquid_frac * it_w, dry, wet,
                               &out->liquid);
    out->cooling_w = out->air.total_w + out->liquid.total_w;
    out->water_l_per_h = out->air.water_l_per_h + out->liquid.water_l_per_h;
    double ups_cooling_w =
        f->electrical.ups_feeds_cooling_distribution
            ? out->air.distribution_w + out->liquid.distribution_w
            : 0;
    dcs_electrical_losses(
        &f->electrical, f->electrical.ups_capacity_ratio * f->design_it_w, it_w,
        out->cooling_w, ups_cooling_w, &out->electrical);
    out->losses_w = out->electrical.total_w;
    out->facility_w = it_w + out->cooling_w + out->losses_w;
    out->pue = it_w > 0 ? out->facility_w / it_w : NAN;
    out->wue_l_per_kwh =
        it_w > 0 ? out->water_l_per_h / (it_w / 1000) : NAN; /* L/h per kW */
}

void dcs_facility_power(const dcs_facility_t *f, double it_w, double t_s,
                        dcs_facility_power_t *out)
{
    memset(out, 0, sizeof *out);
    dcs_facility_conditions(f, t_s, &out->outside_c, &out->outside_wet_bulb_c,
                            &out->outside_rel_humidity_frac);
    power_at(f, it_w, out);
}

void dcs_facility_energy(const dcs_facility_t *f, double t0_s, double t1_s,
                         double it_w, dcs_facility_energy_t *out)
{
    memset(out, 0, sizeof *out);
    if (!(t1_s > t0_s))
        return;
    double a = t0_s;
    while (a < t1_s) {
        double b = f->weather ? dcs_weather_next_change_s(a) : t1_s;
        if (b > t1_s)
            b = t1_s;
        double dt = b - a;
        dcs_facility_power_t p;
        dcs_facility_power(f, it_w, a, &p);
        out->it_j += it_w * dt;
        out->cooling_j += p.cooling_w * dt;
        out->losses_j += p.losses_w * dt;
        out->facility_j += p.facility_w * dt;
        out->water_l += p.water_l_per_h * dt / 3600;
        out->outside_c += p.outside_c * dt;
        a = b;
    }
    out->outside_c /= t1_s - t0_s;
}

double dcs_facility_it_limit_w(const dcs_facility_t *f, double t_s)
{
    if (isinf(f->power_cap_w))
        return INFINITY;
    double cap = f->power_cap_w;
    if (f->model == DCS_FACILITY_PROPORTIONAL)
        return cap / ((1.0 + f->cooling_overhead_frac) *
                      (1.0 + f->electrical_loss_frac));
    /* facility(it) = c0 + c1 it + c2 it^2 exactly at fixed conditions: three
     * evaluations fix the coefficients. */
    double x = f->design_it_w;
    dcs_facility_power_t p0, p1, p2;
    dcs_facility_power(f, 0, t_s, &p0);
    dcs_facility_power(f, x, t_s, &p1);
    dcs_facility_power(f, 2 * x, t_s, &p2);
    double c0 = p0.facility_w;
    double c2 = (p2.facility_w - 2 * p1.facility_w + c0) / (2 * x * x);
    double c1 = (p1.facility_w - c0) / x - c2 * x;
    if (c2 < 0)
        c2 = 0;
    double head = cap - c0;
    if (head <= 0)
        return 0;
    /* The root of c2 it^2 + c1 it - head, in the form without
     * cancellation, then one Newton step on the model itself to take out
     * the rounding of the fit. */
    double it = 2 * head / (c1 + sqrt(c1 * c1 + 4 * c2 * head));
    dcs_facility_power_t p;
    dcs_facility_power(f, it, t_s, &p);
    it -= (p.facility_w - cap) / (c1 + 2 * c2 * it);
    return it > 0 ? it : 0;
}

double dcs_facility_it_limit_max_w(const dcs_facility_t *f)
{
    if (!f->weather)
        return dcs_facility_it_limit_w(f, 0);
    double best = 0;
    size_t hours = dcs_weather_hours(f->weather);
    for (size_t h = 0; h < hours; h++) {
        double it = dcs_facility_it_limit_w(f, (double)h * DCS_WEATHER_HOUR_S);
        if (it > best)
            best = it;
    }
    return best;
}

/* ---- former interface ------------------------------------------------- */

void dcs_facility_overheads(const dcs_facility_t *f, double it, double *cooling,
                            double *losses)
{
    if (f->model == DCS_FACILITY_PROPORTIONAL) {
        *cooling = it * f->cooling_overhead_frac;
        *losses = (it + *cooling) * f->electrical_loss_frac;
        return;
    }
    dcs_facility_power_t p;
    dcs_facility_power(f, f->design_it_w, 0, &p);
    *cooling = it * (p.cooling_w / f->design_it_w);
    *losses = it * (p.losses_w / f->design_it_w);
}

double dcs_facility_pue(const dcs_facility_t *f)
{
    if (f->model == DCS_FACILITY_PROPORTIONAL)
        return (1.0 + f->cooling_overhead_frac) *
               (1.0 + f->electrical_loss_frac);
    dcs_facility_power_t p;
    dcs_facility_power(f, f->design_it_w, 0, &p);
    return p.pue;
}
