/* tariff.h - the price of electricity: energy at a flat or time-of-use
 * price, and a demand charge on each billing month's peak power.
 *
 * Keys read from the `cost` mapping:
 *   tariff: flat                 # flat (default) or tou
 *   energy_usd_per_kwh: 0.08     # flat price, [0, 10]; required when flat,
 *                                # ignored when tou
 *   tou_tariff:                  # required when tou: a series (series.h)
 *     csv: tou-example.csv       #   columns hour,usd_per_kwh (in [0, 10])
 *     period_hours: 24
 *     start_hour: 0
 *   demand_usd_per_kw_month: 0   # on the peak of each billing month (730.5
 *                                # h), [0, 1e4]; default 0
 * `tou_tariff` may be present with `tariff: flat` (it is then checked for
 * its keys but its file is not read), so one price file can carry both and
 * `--set cost.tariff=tou` switch between them.
 *
 * Energy is billed on what the caller meters (facility energy: IT plus
 * cooling and losses). */
#ifndef DCS_TARIFF_H
#define DCS_TARIFF_H

#include "config/cfg.h"
#include "cost/series.h"

typedef struct dcs_tariff {
    int tou;                        /* 1: time-of-use, 0: flat */
    dcs_series_t usd_per_kwh;       /* price of energy, USD/kWh (owned) */
    double demand_usd_per_kw_month; /* on each billing month's peak, USD/kW */
} dcs_tariff_t;

/* Reads the keys above. Returns 0, DCS_ENOMEM or DCS_EINPUT (messages of
 * the cfg accessors and of dcs_series_read). On error `t` holds nothing. */
int dcs_tariff_read(dcs_cfg_node_t *map, dcs_tariff_t *t, dcs_err_t *err);

/* Frees what `t` owns. NULL is a no-op. */
void dcs_tariff_destroy(dcs_tariff_t *t);

/* Price of energy drawn at a constant `power_w` over run time [t0_s, t1_s],
 * USD, split exactly at every price change in between. */
double dcs_tariff_energy_usd(const dcs_tariff_t *t, double t0_s, double t1_s,
                             double power_w);

/* Price of `joules` when their timing is unknown: the flat price, or the
 * time-of-use price averaged over one period. */
double dcs_tariff_energy_usd_untimed(const dcs_tariff_t *t, double joules);

/* Demand charge for one billing month whose peak facility power was
 * `peak_w`: demand_usd_per_kw_month x peak kW x len_s / DCS_S_PER_MONTH.
 * Pass len_s = DCS_S_PER_MONTH for a whole month; a shorter last month is
 * charged pro rata. Month k covers run time [k, k+1) x DCS_S_PER_MONTH. */
double dcs_tariff_demand_usd(const dcs_tariff_t *t, double peak_w,
                             double len_s);

/* Run time of the next price change after t_s (INFINITY when flat). */
double dcs_tariff_next_change_s(const dcs_tariff_t *t, double t_s);

#endif
