/* cooling.c - a cooling loop's power and water at given outside conditions:
 * free cooling, a partial band, a chiller whose COP follows the outside air,
 * and its heat rejection. */
#include "facility/cooling.h"

int dcs_cooling_loop_read(dcs_cfg_node_t *map, dcs_cooling_loop_t *loop,
                          dcs_err_t *err)
{
    static const char *const rejections[] = {"dry", "evaporative", NULL};
    int rejection = 0;
    int rc;
    loop->water_l_per_kwh = 0;
    if ((rc = dcs_cfg_f64(map, "distribution_frac", DCS_CFG_REQUIRED, 0, 1,
                          &loop->distribution_frac, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "economizer_max_c", DCS_CFG_REQUIRED, -90, 70,
                          &loop->economizer_max_c, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "partial_band_c", DCS_CFG_REQUIRED, 0, 50,
                          &loop->partial_band_c, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "economizer_frac", DCS_CFG_REQUIRED, 0, 1,
                          &loop->economizer_frac, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "chiller_cop_ref", DCS_CFG_REQUIRED, 0.1, 100,
                          &loop->cop_ref, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "chiller_cop_ref_c", DCS_CFG_REQUIRED, -90, 70,
                          &loop->cop_ref_c, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "chiller_cop_slope_per_c", DCS_CFG_REQUIRED, 0,
                          10, &loop->cop_slope_per_c, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "chiller_cop_min", DCS_CFG_REQUIRED, 0.1, 100,
                          &loop->cop_min, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "chiller_cop_max", DCS_CFG_REQUIRED,
                          loop->cop_min, 100, &loop->cop_max, err)) < 0)
        return rc;
    if ((rc = dcs_cfg_enum(map, "heat_rejection", DCS_CFG_REQUIRED, rejections,
                           &rejection, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "heat_rejection_frac", DCS_CFG_REQUIRED, 0, 1,
                          &loop->heat_rejection_frac, err)) < 0)
        return rc;
    loop->heat_rejection = (dcs_heat_rejection_t)rejection;
    if (loop->heat_rejection == DCS_HEAT_REJECTION_EVAPORATIVE)
        return dcs_cfg_f64(map, "water_l_per_kwh", DCS_CFG_REQUIRED, 0, 100,
                           &loop->water_l_per_kwh, err);
    dcs_cfg_node_t *water = dcs_cfg_get(map, "water_l_per_kwh");
    if (water)
        return dcs_cfg_error(water, err,
                             "applies to heat_rejection: evaporative only");
    return 0;
}

double dcs_cooling_chiller_share(const dcs_cooling_loop_t *loop,
                                 double dry_bulb_c)
{
    double above = dry_bulb_c - loop->economizer_max_c;
    if (above <= 0)
        return 0;
    if (above >= loop->partial_band_c)
        return 1;
    return above / loop->partial_band_c;
}

double dcs_cooling_cop(const dcs_cooling_loop_t *loop, double dry_bulb_c,
                       double wet_bulb_c)
{
    double tc = loop->heat_rejection == DCS_HEAT_REJECTION_EVAPORATIVE
                    ? wet_bulb_c
                    : dry_bulb_c;
    double cop = loop->cop_ref - loop->cop_slope_per_c * (tc - loop->cop_ref_c);
    if (cop < loop->cop_min)
        return loop->cop_min;
    if (cop > loop->cop_max)
        return loop->cop_max;
    return cop;
}

void dcs_cooling_loop_power(const dcs_cooling_loop_t *loop, double heat_w,
                            double dry_bulb_c, double wet_bulb_c,
                            dcs_cooling_power_t *out)
{
    double s = dcs_cooling_chiller_share(loop, dry_bulb_c);
    double cop = dcs_cooling_cop(loop, dry_bulb_c, wet_bulb_c);
    double rejected_w = s * heat_w * (1 + 1 / cop);
    out->chiller_share = s;
    out->cop = cop;
    out->distribution_w = loop->distribution_frac * heat_w;
    out->economizer_w = loop->economizer_frac * (1 - s) * heat_w;
    out->chiller_w = s * heat_w / cop;
    out->heat_rejection_w = loop->heat_rejection_frac * rejected_w;
    out->total_w = out->distribution_w + out->economizer_w + out->chiller_w +
                   out->heat_rejection_w;
    out->water_l_per_h = loop->water_l_per_kwh * rejected_w / 1000;
}
