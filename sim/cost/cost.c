/* cost.c - the `cost` section: reading its parts, the first cost model's
 * functions, colocation, maintenance, staff and cloud prices. */
#include "cost/cost.h"

#include <string.h>

#define S_PER_HOUR 3600.0
#define W_PER_KW   1e3

int dcs_cost_read(dcs_cfg_node_t *map, dcs_cost_spec_t *spec, dcs_err_t *err)
{
    memset(spec, 0, sizeof *spec);
    double staff_fte = 0, staff_usd_per_fte = 0, staff_usd = 0;
    int rc;
    /* The tariff first: energy_usd_per_kwh was the first key read. */
    if ((rc = dcs_tariff_read(map, &spec->tariff, err)) < 0)
        return rc;
    if ((rc = dcs_capex_read(map, &spec->capex, err)) < 0 ||
        (rc = dcs_carbon_read(map, &spec->carbon, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "colocation_usd_per_kw_month", DCS_CFG_OPTIONAL,
                          0, 1e5, &spec->colocation_usd_per_kw_month, err)) <
            0 ||
        (rc = dcs_cfg_f64(map, "maintenance_frac_per_year", DCS_CFG_OPTIONAL, 0,
                          1, &spec->maintenance_frac_per_year, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "staff_usd_per_year", DCS_CFG_OPTIONAL, 0, 1e10,
                          &staff_usd, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "staff_fte", DCS_CFG_OPTIONAL, 0, 1e6,
                          &staff_fte, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "staff_usd_per_fte_year", DCS_CFG_OPTIONAL, 0,
                          1e7, &staff_usd_per_fte, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "cloud_usd_per_gpu_hour", DCS_CFG_OPTIONAL, 0,
                          1e4, &spec->cloud_usd_per_gpu_hour, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "cloud_reserved_usd_per_gpu_hour",
                          DCS_CFG_OPTIONAL, 0, 1e4,
                          &spec->cloud_reserved_usd_per_gpu_hour, err)) < 0) {
        dcs_cost_destroy(spec);
        return rc;
    }
    spec->staff_usd_per_year = staff_usd + staff_fte * staff_usd_per_fte;
    spec->energy_usd_per_kwh =
        spec->tariff.tou ? 0 : spec->tariff.usd_per_kwh.constant;
    spec->gpu_capex_usd = spec->capex.gpu_usd;
    spec->node_capex_usd = spec->capex.node_usd;
    spec->lifetime_years = spec->capex.default_lifetime_years;
    return 0;
}

void dcs_cost_destroy(dcs_cost_spec_t *spec)
{
    if (!spec)
        return;
    dcs_tariff_destroy(&spec->tariff);
    dcs_carbon_destroy(&spec->carbon);
}

double dcs_cost_gpu_usd_per_s(const dcs_cost_spec_t *spec)
{
    const dcs_capex_spec_t *c = &spec->capex;
    return dcs_capex_per_s(c->gpu_usd, c->lifetime_years[DCS_ASSET_GPU],
                           c->amortization, c->interest_rate_frac);
}

double dcs_cost_node_usd_per_s(const dcs_cost_spec_t *spec)
{
    const dcs_capex_spec_t *c = &spec->capex;
    return dcs_capex_per_s(c->node_usd, c->lifetime_years[DCS_ASSET_NODE],
                           c->amortization, c->interest_rate_frac);
}

double dcs_cost_slot_usd_per_s(const dcs_cost_spec_t *spec, double gpu_usd,
                               double node_usd, int gpus_per_node)
{
    const dcs_capex_spec_t *c = &spec->capex;
    double gpu = gpu_usd >= 0 ? gpu_usd : c->gpu_usd;
    double node = node_usd >= 0 ? node_usd : c->node_usd;
    return dcs_capex_per_s(gpu, c->lifetime_years[DCS_ASSET_GPU],
                           c->amortization, c->interest_rate_frac) +
           dcs_capex_per_s(node, c->lifetime_years[DCS_ASSET_NODE],
                           c->amortization, c->interest_rate_frac) /
               gpus_per_node;
}

double dcs_cost_energy_usd(const dcs_cost_spec_t *spec, double joules)
{
    return dcs_tariff_energy_usd_untimed(&spec->tariff, joules);
}

double dcs_cost_colocation_usd_per_s(const dcs_cost_spec_t *spec,
                                     double critical_w)
{
    if (spec->capex.building != DCS_BUILDING_COLOCATION)
        return 0;
    return spec->colocation_usd_per_kw_month * (critical_w / W_PER_KW) /
           DCS_S_PER_MONTH;
}

double dcs_cost_maintenance_usd_per_s(const dcs_cost_spec_t *spec,
                                      const dcs_assets_t *assets)
{
    double price = 0;
    for (int k = 0; k < DCS_ASSET_COUNT; k++)
        price += dcs_capex_price_usd(&spec->capex, assets, (dcs_asset_t)k);
    return spec->maintenance_frac_per_year * price / DCS_S_PER_YEAR;
}

double dcs_cost_staff_usd_per_s(const dcs_cost_spec_t *spec)
{
    return spec->staff_usd_per_year / DCS_S_PER_YEAR;
}

double dcs_cost_cloud_usd(const dcs_cost_spec_t *spec, double gpu_s,
                          dcs_cloud_plan_t plan)
{
    double price = plan == DCS_CLOUD_RESERVED
                       ? spec->cloud_reserved_usd_per_gpu_hour
                       : spec->cloud_usd_per_gpu_hour;
    return gpu_s / S_PER_HOUR * price;
}
