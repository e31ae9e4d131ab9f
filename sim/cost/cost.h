/* cost.h - money: energy at a flat tariff and straight-line amortization.
 *
 * Capex (GPUs and the servers around them) is spread evenly over its
 * lifetime, so each simulated second costs the same share whether the GPUs
 * are busy or not. Energy is billed on facility energy (IT plus cooling and
 * losses) at one price. Time-of-use tariffs, carbon and budgets come later. */
#ifndef DCS_COST_H
#define DCS_COST_H

#include "config/cfg.h"

typedef struct dcs_cost_spec {
    double energy_usd_per_kwh; /* flat tariff */
    double gpu_capex_usd;      /* purchase price of one GPU */
    double node_capex_usd;     /* one server without its GPUs */
    double lifetime_years;     /* straight-line amortization period */
} dcs_cost_spec_t;

/* Reads the `cost` mapping. Returns 0 or DCS_EINPUT. */
int dcs_cost_read(dcs_cfg_node_t *map, dcs_cost_spec_t *spec, dcs_err_t *err);

/* Amortized capex of one GPU, or one node, per second: price / lifetime. */
double dcs_cost_gpu_usd_per_s(const dcs_cost_spec_t *spec);
double dcs_cost_node_usd_per_s(const dcs_cost_spec_t *spec);

/* Price of `joules` of facility energy. */
double dcs_cost_energy_usd(const dcs_cost_spec_t *spec, double joules);

#endif
