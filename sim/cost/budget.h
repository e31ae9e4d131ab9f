/* budget.h - team budgets per period: plan, actual and forecast spend,
 * alerts, and the over-budget test the scheduler uses to hold new jobs.
 *
 *   budgets:
 *     period: month          # month (730.5 h), week (168 h) or day (24 h);
 *                            # default month
 *     period_s: 3600         # or the period in seconds, [1, 1e9]; not
 *                            # together with `period`
 *     hold_over_budget: true # hold new jobs of a team over budget
 *                            # (default false)
 *     teams:                 # non-empty; `name` as in the jobs' `team`
 *       - {name: llama, usd_per_period: 2.0e6}  # plan, USD/period, >= 0
 *
 * Periods are [k P, (k+1) P), k = 0, 1, ..., from simulated time 0. Jobs of
 * a team not listed are not budgeted: their spend is ignored here, they
 * never alert and are never held. Money is plain US dollars: what a second
 * of a job costs (energy, amortized capex) is the caller's business.
 *
 * Spend comes in two forms, freely mixed:
 *  - a run rate: dcs_budget_rate() adds (or, negative, removes) USD/s from a
 *    time on, e.g. a job's amortized capex and estimated energy while it
 *    holds GPUs; the module integrates it exactly across periods;
 *  - a charge: dcs_budget_charge() spreads a known amount uniformly over
 *    [t0, t1] (e.g. at a job's end, its metered energy cost, or the
 *    difference from what its rate estimated), split across period
 *    boundaries by time share. It becomes known at t1.
 * Each team has a clock: the latest time any call gave it. Spend known
 * late (a charge or a rate change dated before the clock) is booked where
 * it belongs but counts, for alerts, as learnt at the clock.
 *
 * Forecast (linear run rate): for the period in progress, the spend so far
 * plus the current rate times the time left in the period; for a finished
 * period, its actual spend. Since spend accrues at the rate it is forecast
 * at, the forecast only moves when a rate changes, a charge becomes known
 * or a period begins, and is checked at those instants.
 *
 * Over budget: the team's spend in the period of `now`, up to `now`, is >=
 * its plan (a plan of 0 is over from the start). The alert instant of a
 * period is the first instant at which its forecast exceeded its plan or
 * its actual reached it. */
#ifndef DCS_BUDGET_H
#define DCS_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/cfg.h"
#include "engine/time.h"

/* One budgeted team. Callers read name and plan_usd; the rest is the
 * module's running state, read through the functions below. */
typedef struct dcs_budget_team {
    char name[32];   /* as in a job's `team` */
    double plan_usd; /* planned spend per period, USD */
    /* ---- private ---- */
    double rate_usd_per_s; /* committed run rate from clock_ns on, USD/s */
    double rate_scale;     /* largest |rate| seen, USD/s (rounds sums to 0) */
    dcs_time_t clock_ns;   /* latest time given; spend settled up to it */
    double *spent_usd;     /* per period: settled spend, USD */
    dcs_time_t *alert_ns;  /* per period: first alert instant, -1 none */
    int64_t nperiods;      /* entries in use in spent_usd and alert_ns */
    int64_t cap;           /* entries allocated */
} dcs_budget_team_t;

/* A zeroed dcs_budget_t is a valid empty budget: nothing is charged,
 * nothing is over, no rows. */
typedef struct dcs_budget {
    dcs_time_t period_ns;     /* length of a period (0: no budgets) */
    bool hold_over_budget;    /* the scheduler holds new jobs of teams over */
    dcs_budget_team_t *teams; /* scenario order, nteams of them (owned) */
    size_t nteams;
} dcs_budget_t;

/* One row of budget.csv: a team and a period. */
typedef struct dcs_budget_row {
    const char *team;    /* borrowed from the budget */
    int64_t period;      /* index k, from 0 */
    dcs_time_t start_ns; /* k P */
    dcs_time_t end_ns;   /* (k+1) P, even past the end of the run */
    double plan_usd;     /* the team's plan for one period */
    double actual_usd;   /* spend in the period up to the run's end */
    double forecast_usd; /* actual + rate x time left; actual once
                            the period is over */
    const char *alert;   /* "over_actual" (actual >= plan), else
                            "over_forecast" (alert raised, actual below
                            plan), else "" (static strings) */
    dcs_time_t alert_ns; /* first alert instant, -1 when none */
} dcs_budget_row_t;

/* Reads the `budgets` mapping into `b` (overwritten). `map` may be NULL (no
 * section): `b` is then empty. Returns 0, DCS_EINPUT with `err` naming
 * file:line:col and the field (bad period, a team listed twice, a missing
 * or negative amount, ...), or DCS_ENOMEM; on error `b` holds nothing. */
int dcs_budget_read(dcs_cfg_node_t *map, dcs_budget_t *b, dcs_err_t *err);

/* Frees what `b` owns and leaves it empty. NULL is a no-op. */
void dcs_budget_destroy(dcs_budget_t *b);

/* The budgeted team called `team`, or NULL (not budgeted). O(teams). */
dcs_budget_team_t *dcs_budget_team(const dcs_budget_t *b, const char *team);

/* From `now` on, `team` spends `delta_usd_per_s` more per second (less when
 * negative: call with the opposite rate when a job ends). Returns 0 (also
 * for a team not budgeted), DCS_EINVAL when now < 0, the rate is not finite
 * or the team's total rate would fall below 0 (nothing changes), or
 * DCS_ENOMEM. O(periods since the team's clock). */
int dcs_budget_rate(dcs_budget_t *b, const char *team, dcs_time_t now,
                    double delta_usd_per_s);

/* Charges `usd` (may be negative, a correction) to `team`, spread uniformly
 * over [t0_ns, t1_ns] (all of it in the period of t0 when t0 == t1), known
 * from t1 on. The shares of the periods it spans add up to `usd`. Returns 0
 * (also for a team not budgeted), DCS_EINVAL when t0 < 0, t1 < t0 or usd is
 * not finite, or DCS_ENOMEM. O(periods spanned and since the clock). */
int dcs_budget_charge(dcs_budget_t *b, const char *team, dcs_time_t t0_ns,
                      dcs_time_t t1_ns, double usd);

/* Index of the period holding `t`: t / P (0 for an empty budget). */
int64_t dcs_budget_period_of(const dcs_budget_t *b, dcs_time_t t);

/* Start of the period after the one holding `now` (when spend restarts
 * from 0: wake held jobs then); DCS_TIME_NEVER for an empty budget. */
dcs_time_t dcs_budget_next_period_ns(const dcs_budget_t *b, dcs_time_t now);

/* Spend of `team` in period `period` up to `now` (its rate integrated past
 * its clock), USD; 0 for a team not budgeted. A `now` before the team's
 * clock reads as the clock. O(1). */
double dcs_budget_spent(const dcs_budget_t *b, const char *team, int64_t period,
                        dcs_time_t now);

/* Forecast spend of `team` for the period of `now`, as of `now`, USD
 * (linear run rate, above); 0 for a team not budgeted. O(1). */
double dcs_budget_forecast(const dcs_budget_t *b, const char *team,
                           dcs_time_t now);

/* The instant period `period`'s alert was raised for `team`, as known so
 * far (calls up to the team's clock), or -1: none yet, or not budgeted. */
dcs_time_t dcs_budget_alert_ns(const dcs_budget_t *b, const char *team,
                               int64_t period);

/* 1 when `team` is budgeted and its spend in the period of `now` up to
 * `now` is >= its plan; 0 otherwise. O(teams). */
int dcs_budget_over(const dcs_budget_t *b, const char *team, dcs_time_t now);

/* 1 when the scheduler must hold a new job of `team` at `now`:
 * hold_over_budget is on and dcs_budget_over(). O(teams). */
int dcs_budget_holds(const dcs_budget_t *b, const char *team, dcs_time_t now);

/* Settles every team up to `end_ns` (the run's end, >= every time given
 * before) and returns the report: per team in scenario order, periods
 * 0 .. ceil(end/P) - 1 (at least one). *rows is malloc'd (caller frees), *n
 * its length; an empty budget gives NULL and 0. Returns 0, DCS_EINVAL when
 * a team's clock is past end_ns, or DCS_ENOMEM. Later calls must not go
 * before end_ns. O(teams x periods). */
int dcs_budget_rows(dcs_budget_t *b, dcs_time_t end_ns, dcs_budget_row_t **rows,
                    size_t *n);

#endif
