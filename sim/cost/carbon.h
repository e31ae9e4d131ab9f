/* carbon.h - greenhouse gases: operational (grid intensity x energy) and
 * embodied (manufacturing of the hardware, spread over its lifetime).
 *
 * Keys read from the `cost` mapping (all optional, default 0 / constant):
 *   grid_carbon: constant          # constant (default) or hourly
 *   grid_g_co2_per_kwh: 366        # constant intensity, [0, 5000]
 *   grid_carbon_hourly:            # required when hourly: a series
 *     csv: carbon-example.csv      #   (series.h), columns hour,g_co2_per_kwh
 *     period_hours: 24             #   (in [0, 5000])
 *     start_hour: 0
 *   embodied_kg_co2e_per_gpu: 0    # per accelerator, [0, 1e6]
 *   embodied_kg_co2e_per_node: 0   # per server without GPUs, [0, 1e7]
 *   embodied_kg_co2e_per_switch: 0 # per network switch, [0, 1e6]
 *   embodied_kg_co2e_per_tb: 0     # per TB of storage capacity, [0, 1e5]
 * As for the tariff, `grid_carbon_hourly` may be present while `constant` is
 * selected; its file is then not read.
 *
 * Embodied carbon is spread evenly (straight line, no discounting) over the
 * lifetime of its asset class (capex.h), so a second of the run carries
 * kg / (lifetime x DCS_S_PER_YEAR) whether the hardware is busy or not. */
#ifndef DCS_CARBON_H
#define DCS_CARBON_H

#include "config/cfg.h"
#include "cost/capex.h"
#include "cost/series.h"

typedef struct dcs_carbon {
    int hourly;                    /* 1: grid intensity from a series */
    dcs_series_t g_per_kwh;        /* grid intensity, gCO2/kWh (owned) */
    double embodied_kg_per_gpu;    /* kgCO2e per accelerator */
    double embodied_kg_per_node;   /* kgCO2e per server without GPUs */
    double embodied_kg_per_switch; /* kgCO2e per switch */
    double embodied_kg_per_tb;     /* kgCO2e per TB of storage capacity */
} dcs_carbon_t;

/* Reads the keys above. Returns 0, DCS_ENOMEM or DCS_EINPUT (messages of
 * the cfg accessors and of dcs_series_read). On error `c` holds nothing. */
int dcs_carbon_read(dcs_cfg_node_t *map, dcs_carbon_t *c, dcs_err_t *err);

/* Frees what `c` owns. NULL is a no-op. */
void dcs_carbon_destroy(dcs_carbon_t *c);

/* Operational emissions of a constant `power_w` over run time
 * [t0_s, t1_s], kgCO2, split exactly at every change of intensity. */
double dcs_carbon_operational_kg(const dcs_carbon_t *c, double t0_s,
                                 double t1_s, double power_w);

/* Operational emissions of `joules` when their timing is unknown (the mean
 * intensity over one period), kgCO2. */
double dcs_carbon_operational_kg_untimed(const dcs_carbon_t *c, double joules);

/* Embodied emissions of class `cls` for `assets`, kgCO2e (network: the
 * switches; facility: 0, not modelled). */
double dcs_carbon_embodied_kg(const dcs_carbon_t *c, const dcs_assets_t *a,
                              dcs_asset_t cls);

/* The same spread over the class's lifetime in `capex`, kgCO2e per second. */
double dcs_carbon_embodied_kg_per_s(const dcs_carbon_t *c,
                                    const dcs_capex_spec_t *capex,
                                    const dcs_assets_t *a, dcs_asset_t cls);

/* Sum of dcs_carbon_embodied_kg_per_s over every class. */
double dcs_carbon_embodied_total_kg_per_s(const dcs_carbon_t *c,
                                          const dcs_capex_spec_t *capex,
                                          const dcs_assets_t *a);

#endif
