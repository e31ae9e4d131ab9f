/* series.h - a value that changes with the hour of the run: piecewise
 * constant, repeating with a period, read from a CSV (an electricity tariff
 * in USD/kWh, a grid carbon intensity in gCO2/kWh, ...).
 *
 * In YAML, a series is a mapping naming its file:
 *
 *   tou_tariff:
 *     csv: tou-example.csv  # path relative to this YAML file
 *     period_hours: 24      # the rows repeat every 24 h (168: a week,
 *                           # 8760: a year), (0, 876600]
 *     start_hour: 0         # hour of the period at which the run starts,
 *                           # [0, period_hours), default 0
 *
 * and the CSV has a header row with a column `hour` and a value column whose
 * name the caller chooses (`usd_per_kwh`, `g_co2_per_kwh`); other columns
 * (a `label`, say) are allowed and ignored:
 *
 *   hour,usd_per_kwh,label
 *   0,0.06,off_peak
 *   8,0.09,mid_peak
 *   16,0.18,on_peak
 *
 * Row i holds its value from its `hour` (hours since the start of the
 * period) until the next row's hour; the last row holds until the end of the
 * period, then the first row's again. The first row must be at hour 0, hours
 * strictly increase and stay below period_hours; values are checked against
 * the caller's range. Run time t (seconds from the start of the run) falls at
 * hour (start_hour + t / 3600) mod period_hours.
 *
 * Integrals are exact in the sense that matters: an interval is split at
 * every step boundary it crosses and each piece is priced at its own value
 * (whole periods at the period's integral), never sampled. */
#ifndef DCS_SERIES_H
#define DCS_SERIES_H

#include <stddef.h>

#include "config/cfg.h"

/* A zeroed dcs_series_t is the constant 0. */
typedef struct dcs_series {
    size_t n;        /* steps; 0 for a constant */
    double constant; /* the value when n == 0, caller's unit */
    double *start_s; /* n step starts, s into the period; [0] = 0 (owned) */
    double *value;   /* n values, caller's unit (owned) */
    double period_s; /* repetition period, s (> last start) */
    double offset_s; /* where in the period the run starts, s */
    double period_integral; /* value x s over one whole period */
} dcs_series_t;

/* Makes `s` the constant `value` (no memory is held). */
void dcs_series_const(dcs_series_t *s, double value);

/* Reads the series mapping `map` (keys csv, period_hours, start_hour) and
 * its CSV, whose value column is `column`, each value in [lo, hi]. Returns 0,
 * DCS_ENOMEM, or DCS_EINPUT with `err` set to one of:
 *   FILE:L:C: field 'cost.tou_tariff.csv': cannot open 'PATH': <reason>
 *   FILE:L:C: field 'cost.tou_tariff.start_hour': expected a number below
 *     period_hours (24), found '24'
 *   PATH:1: no column 'usd_per_kwh'; expected a header with hour,usd_per_kwh
 *   PATH: no rows after the header, expected one at hour 0
 *   PATH:LINE: field 'hour': expected a number, found 'x'
 *   PATH:LINE: field 'hour': expected 0 in the first row, found '1'
 *   PATH:LINE: field 'hour': expected a number > 8 (the row before), found '8'
 *   PATH:LINE: field 'hour': expected a number < 24 (period_hours), found '30'
 *   PATH:LINE: field 'usd_per_kwh': expected a number in [0, 10], found '-1'
 * (and the messages of the cfg accessors and of dcs_table_read). On error
 * `s` holds nothing. */
int dcs_series_read(dcs_cfg_node_t *map, const char *column, double lo,
                    double hi, dcs_series_t *s, dcs_err_t *err);

/* Frees what `s` owns and leaves it the constant 0. NULL is a no-op. */
void dcs_series_destroy(dcs_series_t *s);

/* The value at run time t_s (seconds from the start of the run). O(log n). */
double dcs_series_at(const dcs_series_t *s, double t_s);

/* The integral of the value over run time [t0_s, t1_s], in value x seconds
 * (e.g. USD/kWh x s); 0 when t1_s <= t0_s. O(log n + steps crossed within
 * the first and last period). */
double dcs_series_integral(const dcs_series_t *s, double t0_s, double t1_s);

/* The time average of the value over one period (the constant for a
 * constant). */
double dcs_series_mean(const dcs_series_t *s);

/* The first run time after t_s at which a step starts (where the value may
 * change; two steps may hold the same value), or INFINITY for a constant.
 * For callers that schedule an event at each tariff change. O(log n). */
double dcs_series_next_change_s(const dcs_series_t *s, double t_s);

#endif
