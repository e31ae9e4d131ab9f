/* cost.h - money and carbon: the `cost` section of a scenario.
 *
 * What a datacenter costs over a run is
 *   capex:  the purchase price of each asset class spread over its lifetime
 *           (capex.h; straight line or capital recovery factor),
 *   energy: facility energy at a flat or time-of-use price, plus a demand
 *           charge on each billing month's peak (tariff.h),
 *   other opex: colocation rent per kW-month of critical power (instead of
 *           owning the building), maintenance as a share of the purchase
 *           prices per year, and staff,
 * and what it emits is the grid's intensity times energy plus the embodied
 * carbon of the hardware spread over its lifetime (carbon.h). The cloud
 * prices give the other side of buy-versus-rent: the same GPU-hours bought
 * by the hour.
 *
 * The mapping (every key, unit and default is listed in capex.h, tariff.h,
 * carbon.h and below) can be a file of its own, included whole:
 *   cost: !include ../topologies/prices/default-2026.yaml
 * and any key overridden from the command line (--set cost.tariff=tou).
 * Keys read here:
 *   colocation_usd_per_kw_month: 0  # with `building: colocation`, rent per
 *                                   # kW of contracted critical power per
 *                                   # month (730.5 h), [0, 1e5]
 *   maintenance_frac_per_year: 0    # share of the purchase prices of owned
 *                                   # assets paid each year, [0, 1]
 *   staff_usd_per_year: 0           # [0, 1e10]; adds to
 *   staff_fte: 0                    #   staff_fte x staff_usd_per_fte_year,
 *   staff_usd_per_fte_year: 0       #   [0, 1e6] x [0, 1e7]
 *   cloud_usd_per_gpu_hour: 0       # on-demand cloud price, [0, 1e4]
 *   cloud_reserved_usd_per_gpu_hour: 0 # reserved (committed) price, [0, 1e4]
 *
 * The four keys of the first cost model (energy_usd_per_kwh, gpu_capex_usd,
 * node_capex_usd, lifetime_years) keep their meaning, and a mapping holding
 * only them gives the numbers it always gave. */
#ifndef DCS_COST_H
#define DCS_COST_H

#include "config/cfg.h"
#include "cost/capex.h"
#include "cost/carbon.h"
#include "cost/tariff.h"

typedef struct dcs_cost_spec {
    /* The first cost model's keys, as read (also inside the parts below). */
    double energy_usd_per_kwh; /* flat tariff, USD/kWh (0 with tou) */
    double gpu_capex_usd;      /* purchase price of one GPU, USD */
    double node_capex_usd;     /* one server without its GPUs, USD */
    double lifetime_years;     /* default lifetime of every class, years */
    /* The parts, read through their modules' functions. */
    dcs_capex_spec_t capex; /* purchase prices, lifetimes, amortization */
    dcs_tariff_t tariff;    /* energy prices, demand charge (owned) */
    dcs_carbon_t carbon;    /* grid intensity, embodied carbon (owned) */
    double colocation_usd_per_kw_month;     /* rent, USD per kW-month */
    double maintenance_frac_per_year;       /* share of owned capex per year */
    double staff_usd_per_year;              /* all staff, USD per year */
    double cloud_usd_per_gpu_hour;          /* on demand, USD per GPU-hour */
    double cloud_reserved_usd_per_gpu_hour; /* reserved, 0: not given */
} dcs_cost_spec_t;

/* Reads the `cost` mapping into `spec` (overwritten). Returns 0, DCS_ENOMEM,
 * or DCS_EINPUT with `err` naming FILE:LINE:COL and the field (or, for a
 * bad price or intensity CSV, its PATH:LINE and column). On error `spec`
 * holds nothing. A spec with a time-of-use tariff or hourly carbon owns
 * memory: release it with dcs_cost_destroy(). */
int dcs_cost_read(dcs_cfg_node_t *map, dcs_cost_spec_t *spec, dcs_err_t *err);

/* Frees what `spec` owns (its series). NULL is a no-op. */
void dcs_cost_destroy(dcs_cost_spec_t *spec);

/* ---- the first cost model (kept for its callers) ----------------------- */

/* Amortized capex of one GPU, or one node, per second, by the GPU's (the
 * node's) lifetime and the amortization chosen: price / lifetime when
 * straight line (the default). */
double dcs_cost_gpu_usd_per_s(const dcs_cost_spec_t *spec);
double dcs_cost_node_usd_per_s(const dcs_cost_spec_t *spec);

/* What holding one GPU costs per second: its amortized capex and its share
 * of its node's (a node of `gpus_per_node`), for a GPU of `gpu_usd` in a
 * server of `node_usd` (a pool's own prices; < 0: the spec's). */
double dcs_cost_slot_usd_per_s(const dcs_cost_spec_t *spec, double gpu_usd,
                               double node_usd, int gpus_per_node);

/* Price of `joules` of facility energy when their timing is unknown: the
 * flat price (or the time-of-use price averaged over its period). Timed
 * energy: dcs_tariff_energy_usd(&spec->tariff, t0_s, t1_s, power_w). */
double dcs_cost_energy_usd(const dcs_cost_spec_t *spec, double joules);

/* ---- other opex --------------------------------------------------------- */

/* Colocation rent for `critical_w` of contracted critical power, USD per
 * second; 0 when the building is owned. */
double dcs_cost_colocation_usd_per_s(const dcs_cost_spec_t *spec,
                                     double critical_w);

/* Maintenance: maintenance_frac_per_year x the purchase price of every
 * owned class (dcs_capex_price_usd) per year, USD per second. */
double dcs_cost_maintenance_usd_per_s(const dcs_cost_spec_t *spec,
                                      const dcs_assets_t *assets);

/* Staff, USD per second. */
double dcs_cost_staff_usd_per_s(const dcs_cost_spec_t *spec);

/* ---- the cloud alternative --------------------------------------------- */

typedef enum dcs_cloud_plan {
    DCS_CLOUD_ON_DEMAND, /* cloud_usd_per_gpu_hour */
    DCS_CLOUD_RESERVED,  /* cloud_reserved_usd_per_gpu_hour */
} dcs_cloud_plan_t;

/* What `gpu_s` GPU-seconds cost rented: gpu_s / 3600 x the plan's price,
 * USD (0 when that price is 0, i.e. not given). On demand, pass the
 * GPU-seconds the work used (GPUs x busy time per job); reserved capacity is
 * paid whether used or not, so pass GPUs x the length of the run. */
double dcs_cost_cloud_usd(const dcs_cost_spec_t *spec, double gpu_s,
                          dcs_cloud_plan_t plan);

#endif
