/* capex.c - asset prices per class and their amortization. */
#include "cost/capex.h"

#include <math.h>
#include <string.h>

static const char *const ASSET_NAMES[DCS_ASSET_COUNT] = {
    "gpu", "node", "network", "storage", "facility"};

static const char *const LIFETIME_KEYS[DCS_ASSET_COUNT] = {
    "gpu_lifetime_years", "node_lifetime_years", "network_lifetime_years",
    "storage_lifetime_years", "facility_lifetime_years"};

int dcs_capex_read(dcs_cfg_node_t *map, dcs_capex_spec_t *c, dcs_err_t *err)
{
    static const char *const AMORT[] = {"straight_line", "crf", NULL};
    static const char *const BUILDING[] = {"own", "colocation", NULL};
    memset(c, 0, sizeof *c);
    double lifetime = 0;
    int amort = DCS_AMORT_STRAIGHT_LINE, building = DCS_BUILDING_OWN;
    int rc;
    /* The first three keep the order (and so the first error) they had
     * before the other classes existed. */
    if ((rc = dcs_cfg_f64(map, "gpu_capex_usd", DCS_CFG_REQUIRED, 0, 1e7,
                          &c->gpu_usd, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "node_capex_usd", DCS_CFG_REQUIRED, 0, 1e8,
                          &c->node_usd, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "lifetime_years", DCS_CFG_REQUIRED, 0.1, 50,
                          &lifetime, err)) < 0 ||
        (rc = dcs_cfg_enum(map, "amortization", DCS_CFG_OPTIONAL, AMORT, &amort,
                           err)) < 0 ||
        (rc = dcs_cfg_f64(map, "interest_rate_frac", DCS_CFG_OPTIONAL, 0, 1,
                          &c->interest_rate_frac, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "switch_capex_usd", DCS_CFG_OPTIONAL, 0, 1e8,
                          &c->switch_usd, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "port_capex_usd", DCS_CFG_OPTIONAL, 0, 1e6,
                          &c->port_usd, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "storage_capex_usd_per_tb", DCS_CFG_OPTIONAL, 0,
                          1e7, &c->storage_usd_per_tb, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "storage_device_capex_usd", DCS_CFG_OPTIONAL, 0,
                          1e8, &c->storage_device_usd, err)) < 0 ||
        (rc = dcs_cfg_enum(map, "building", DCS_CFG_OPTIONAL, BUILDING,
                           &building, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "facility_capex_usd_per_mw", DCS_CFG_OPTIONAL, 0,
                          1e10, &c->facility_usd_per_mw, err)) < 0)
        return rc;
    for (int k = 0; k < DCS_ASSET_COUNT; k++) {
        c->lifetime_years[k] = lifetime;
        if ((rc = dcs_cfg_f64(map, LIFETIME_KEYS[k], DCS_CFG_OPTIONAL, 0.1, 100,
                              &c->lifetime_years[k], err)) < 0)
            return rc;
    }
    c->default_lifetime_years = lifetime;
    c->amortization = (dcs_amortization_t)amort;
    c->building = (dcs_building_t)building;
    return 0;
}

double dcs_capex_crf(double rate_frac, double years)
{
    if (rate_frac == 0)
        return 1.0 / years;
    double growth = expm1(years * log1p(rate_frac)); /* (1+r)^n - 1 */
    return rate_frac * (1.0 + growth) / growth;
}

double dcs_capex_annual_usd(double price_usd, double years,
                            dcs_amortization_t how, double rate_frac)
{
    if (how == DCS_AMORT_CRF)
        return price_usd * dcs_capex_crf(rate_frac, years);
    return price_usd / years;
}

double dcs_capex_per_s(double price_usd, double years, dcs_amortization_t how,
                       double rate_frac)
{
    if (how == DCS_AMORT_CRF)
        return price_usd * dcs_capex_crf(rate_frac, years) / DCS_S_PER_YEAR;
    /* This form gives the numbers the flat cost model always gave. */
    return price_usd / (years * DCS_S_PER_YEAR);
}

double dcs_capex_price_usd(const dcs_capex_spec_t *c, const dcs_assets_t *a,
                           dcs_asset_t cls)
{
    switch (cls) {
    case DCS_ASSET_GPU:
        return a->priced ? a->gpus_usd : c->gpu_usd * a->gpus;
    case DCS_ASSET_NODE:
        return a->priced ? a->nodes_usd : c->node_usd * a->nodes;
    case DCS_ASSET_NETWORK:
        return c->switch_usd * a->switches + c->port_usd * a->ports;
    case DCS_ASSET_STORAGE:
        return c->storage_usd_per_tb * a->storage_tb +
               c->storage_device_usd * a->storage_devices;
    case DCS_ASSET_FACILITY:
        if (c->building == DCS_BUILDING_COLOCATION)
            return 0;
        return c->facility_usd_per_mw * (a->critical_w / 1e6);
    default:
        return 0;
    }
}

double dcs_capex_usd_per_s(const dcs_capex_spec_t *c, const dcs_assets_t *a,
                           dcs_asset_t cls)
{
    if ((int)cls < 0 || cls >= DCS_ASSET_COUNT)
        return 0;
    return dcs_capex_per_s(dcs_capex_price_usd(c, a, cls),
                           c->lifetime_years[cls], c->amortization,
                           c->interest_rate_frac);
}

double dcs_capex_total_usd_per_s(const dcs_capex_spec_t *c,
                                 const dcs_assets_t *a)
{
    double sum = 0;
    for (int k = 0; k < DCS_ASSET_COUNT; k++)
        sum += dcs_capex_usd_per_s(c, a, (dcs_asset_t)k);
    return sum;
}

const char *dcs_asset_name(dcs_asset_t cls)
{
    if ((int)cls < 0 || cls >= DCS_ASSET_COUNT)
        return "unknown";
    return ASSET_NAMES[cls];
}
