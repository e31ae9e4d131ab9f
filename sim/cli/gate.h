/* gate.h - a run's admission gate for the scheduler: team budgets and the
 * facility's power cap.
 *
 * Budgets: a team over its plan for the period waits for the next (when
 * the budget says `hold_over_budget`). Spend reaches the budgets as it
 * happens: a running job adds its rate (amortized capex of its GPUs and
 * their share of the nodes, at its pool's prices, and its energy at the
 * facility's design PUE and the mean tariff).
 *
 * Power cap: a job starts only if the IT load with it, its GPUs counted
 * at their limit (their pool's TDP, or the highest of the pools it may
 * land on), stays under what the cap allows at that hour; held jobs are
 * asked about again every hour. A job whose GPUs at their limit would
 * take even the idle cluster over the highest IT limit of any hour is
 * refused at submit. */
#ifndef DCS_GATE_H
#define DCS_GATE_H

#include "cluster/sched.h"
#include "config/cfg.h"
#include "cost/budget.h"
#include "cost/cost.h"
#include "facility/facility.h"
#include "hw/fleet.h"

typedef struct dcs_gate {
    dcs_budget_t *budget;           /* NULL: no budgets */
    const dcs_facility_t *facility; /* its power_cap_w (inf: no cap) */
    const dcs_cost_spec_t *cost;
    const dcs_fleet_t *fleet;
    double network_w; /* fabric ports and storage, W */
    double hosts_w;   /* every node's host power, W */
    double idle_w;    /* the IT load with every GPU idle, W */
    double max_w;     /* the highest IT limit the cap allows, any hour */
} dcs_gate_t;

/* The gate over `fleet` (every GPU idle: call before any job is
 * submitted), with `network_w` of constant fabric and storage power.
 * Returns 0, or DCS_EINPUT naming `cap_at` (the scenario's
 * facility.power_cap_w) when no job could ever start: the idle cluster and
 * one GPU at its limit are over the cap's highest IT limit. */
int dcs_gate_init(dcs_gate_t *g, const dcs_fleet_t *fleet, dcs_budget_t *budget,
                  const dcs_facility_t *facility, const dcs_cost_spec_t *cost,
                  double network_w, dcs_cfg_node_t *cap_at, dcs_err_t *err);

/* The scheduler hooks (sched.h) that run the gate `g`. */
dcs_sched_hooks_t dcs_gate_hooks(dcs_gate_t *g);

#endif
