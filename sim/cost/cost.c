/* cost.c - flat-tariff energy and straight-line amortization. */
#include "cost/cost.h"

#define SECONDS_PER_YEAR (365.25 * 86400.0) /* Julian year */
#define J_PER_KWH        3.6e6

int dcs_cost_read(dcs_cfg_node_t *map, dcs_cost_spec_t *spec, dcs_err_t *err)
{
    int rc;
    if ((rc = dcs_cfg_f64(map, "energy_usd_per_kwh", DCS_CFG_REQUIRED, 0, 10,
                          &spec->energy_usd_per_kwh, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "gpu_capex_usd", DCS_CFG_REQUIRED, 0, 1e7,
                          &spec->gpu_capex_usd, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "node_capex_usd", DCS_CFG_REQUIRED, 0, 1e8,
                          &spec->node_capex_usd, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "lifetime_years", DCS_CFG_REQUIRED, 0.1, 50,
                          &spec->lifetime_years, err)) < 0)
        return rc;
    return 0;
}

double dcs_cost_gpu_usd_per_s(const dcs_cost_spec_t *spec)
{
    return spec->gpu_capex_usd / (spec->lifetime_years * SECONDS_PER_YEAR);
}

double dcs_cost_node_usd_per_s(const dcs_cost_spec_t *spec)
{
    return spec->node_capex_usd / (spec->lifetime_years * SECONDS_PER_YEAR);
}

double dcs_cost_energy_usd(const dcs_cost_spec_t *spec, double joules)
{
    return joules / J_PER_KWH * spec->energy_usd_per_kwh;
}
