/* tariff.c - flat and time-of-use energy prices, demand charges. */
#include "cost/tariff.h"

#include <string.h>

#include "cost/capex.h"

#define J_PER_KWH 3.6e6
#define W_PER_KW  1e3

int dcs_tariff_read(dcs_cfg_node_t *map, dcs_tariff_t *t, dcs_err_t *err)
{
    static const char *const KINDS[] = {"flat", "tou", NULL};
    memset(t, 0, sizeof *t);
    int kind = 0;
    double flat = 0;
    dcs_cfg_node_t *tou = NULL;
    int rc;
    if ((rc = dcs_cfg_enum(map, "tariff", DCS_CFG_OPTIONAL, KINDS, &kind,
                           err)) < 0 ||
        (rc = dcs_cfg_f64(map, "energy_usd_per_kwh",
                          kind == 0 ? DCS_CFG_REQUIRED : DCS_CFG_OPTIONAL, 0,
                          10, &flat, err)) < 0 ||
        (rc = dcs_cfg_map(map, "tou_tariff",
                          kind == 1 ? DCS_CFG_REQUIRED : DCS_CFG_OPTIONAL, &tou,
                          err)) < 0 ||
        (rc = dcs_cfg_f64(map, "demand_usd_per_kw_month", DCS_CFG_OPTIONAL, 0,
                          1e4, &t->demand_usd_per_kw_month, err)) < 0)
        return rc;
    t->tou = kind;
    if (kind == 1)
        return dcs_series_read(tou, "usd_per_kwh", 0, 10, &t->usd_per_kwh, err);
    if (tou) {
        /* Not used: mark its keys known so that a price file can carry
         * both; its file is read only when selected. */
        dcs_cfg_get(tou, "csv");
        dcs_cfg_get(tou, "period_hours");
        dcs_cfg_get(tou, "start_hour");
    }
    dcs_series_const(&t->usd_per_kwh, flat);
    return 0;
}

void dcs_tariff_destroy(dcs_tariff_t *t)
{
    if (t)
        dcs_series_destroy(&t->usd_per_kwh);
}

double dcs_tariff_energy_usd(const dcs_tariff_t *t, double t0_s, double t1_s,
                             double power_w)
{
    if (!(t1_s > t0_s))
        return 0;
    if (!t->tou) /* the flat form, as dcs_tariff_energy_usd_untimed */
        return power_w * (t1_s - t0_s) / J_PER_KWH * t->usd_per_kwh.constant;
    return power_w * dcs_series_integral(&t->usd_per_kwh, t0_s, t1_s) /
           J_PER_KWH;
}

double dcs_tariff_energy_usd_untimed(const dcs_tariff_t *t, double joules)
{
    return joules / J_PER_KWH * dcs_series_mean(&t->usd_per_kwh);
}

double dcs_tariff_demand_usd(const dcs_tariff_t *t, double peak_w, double len_s)
{
    return t->demand_usd_per_kw_month * (peak_w / W_PER_KW) *
           (len_s / DCS_S_PER_MONTH);
}

double dcs_tariff_next_change_s(const dcs_tariff_t *t, double t_s)
{
    return dcs_series_next_change_s(&t->usd_per_kwh, t_s);
}
