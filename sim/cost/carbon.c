/* carbon.c - operational and embodied emissions. */
#include "cost/carbon.h"

#include <string.h>

#define J_PER_KWH 3.6e6
#define G_PER_KG  1e3

int dcs_carbon_read(dcs_cfg_node_t *map, dcs_carbon_t *c, dcs_err_t *err)
{
    static const char *const KINDS[] = {"constant", "hourly", NULL};
    memset(c, 0, sizeof *c);
    int kind = 0;
    double constant = 0;
    dcs_cfg_node_t *hourly = NULL;
    int rc;
    if ((rc = dcs_cfg_enum(map, "grid_carbon", DCS_CFG_OPTIONAL, KINDS, &kind,
                           err)) < 0 ||
        (rc = dcs_cfg_f64(map, "grid_g_co2_per_kwh", DCS_CFG_OPTIONAL, 0, 5000,
                          &constant, err)) < 0 ||
        (rc = dcs_cfg_map(map, "grid_carbon_hourly",
                          kind == 1 ? DCS_CFG_REQUIRED : DCS_CFG_OPTIONAL,
                          &hourly, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "embodied_kg_co2e_per_gpu", DCS_CFG_OPTIONAL, 0,
                          1e6, &c->embodied_kg_per_gpu, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "embodied_kg_co2e_per_node", DCS_CFG_OPTIONAL, 0,
                          1e7, &c->embodied_kg_per_node, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "embodied_kg_co2e_per_switch", DCS_CFG_OPTIONAL,
                          0, 1e6, &c->embodied_kg_per_switch, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "embodied_kg_co2e_per_tb", DCS_CFG_OPTIONAL, 0,
                          1e5, &c->embodied_kg_per_tb, err)) < 0)
        return rc;
    c->hourly = kind;
    if (kind == 1)
        return dcs_series_read(hourly, "g_co2_per_kwh", 0, 5000, &c->g_per_kwh,
                               err);
    if (hourly) { /* carried but not selected: see carbon.h */
        dcs_cfg_get(hourly, "csv");
        dcs_cfg_get(hourly, "period_hours");
        dcs_cfg_get(hourly, "start_hour");
    }
    dcs_series_const(&c->g_per_kwh, constant);
    return 0;
}

void dcs_carbon_destroy(dcs_carbon_t *c)
{
    if (c)
        dcs_series_destroy(&c->g_per_kwh);
}

double dcs_carbon_operational_kg(const dcs_carbon_t *c, double t0_s,
                                 double t1_s, double power_w)
{
    return power_w * dcs_series_integral(&c->g_per_kwh, t0_s, t1_s) /
           J_PER_KWH / G_PER_KG;
}

double dcs_carbon_operational_kg_untimed(const dcs_carbon_t *c, double joules)
{
    return joules / J_PER_KWH * dcs_series_mean(&c->g_per_kwh) / G_PER_KG;
}

double dcs_carbon_embodied_kg(const dcs_carbon_t *c, const dcs_assets_t *a,
                              dcs_asset_t cls)
{
    switch (cls) {
    case DCS_ASSET_GPU:
        return c->embodied_kg_per_gpu * a->gpus;
    case DCS_ASSET_NODE:
        return c->embodied_kg_per_node * a->nodes;
    case DCS_ASSET_NETWORK:
        return c->embodied_kg_per_switch * a->switches;
    case DCS_ASSET_STORAGE:
        return c->embodied_kg_per_tb * a->storage_tb;
    default:
        return 0;
    }
}

double dcs_carbon_embodied_kg_per_s(const dcs_carbon_t *c,
                                    const dcs_capex_spec_t *capex,
                                    const dcs_assets_t *a, dcs_asset_t cls)
{
    if ((int)cls < 0 || cls >= DCS_ASSET_COUNT)
        return 0;
    return dcs_carbon_embodied_kg(c, a, cls) /
           (capex->lifetime_years[cls] * DCS_S_PER_YEAR);
}

double dcs_carbon_embodied_total_kg_per_s(const dcs_carbon_t *c,
                                          const dcs_capex_spec_t *capex,
                                          const dcs_assets_t *a)
{
    double sum = 0;
    for (int k = 0; k < DCS_ASSET_COUNT; k++)
        sum += dcs_carbon_embodied_kg_per_s(c, capex, a, (dcs_asset_t)k);
    return sum;
}
