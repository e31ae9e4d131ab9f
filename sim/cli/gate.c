/* gate.c - a run's admission gate: budgets and the facility's power cap
 * (gate.h). */
#include "cli/gate.h"

#include <math.h>

#include "cluster/policy.h"

/* Every GPU's board power now, W. O(nodes). */
static double gpus_now_w(const dcs_fleet_t *fleet)
{
    double w = 0;
    for (int n = 0; n < fleet->spec.nodes; n++)
        w += fleet->node_gpu_power_w[n].value;
    return w;
}

/* The rise (W) over idle of one of `job`'s GPUs at its limit: its pool's
 * TDP, or the highest of the pools it may land on. */
static double job_rise_w(const dcs_gate_t *g, const dcs_job_t *job)
{
    double rise_w = 0;
    for (int p = 0; p < g->fleet->npools; p++) {
        const dcs_fleet_pool_t *pool = &g->fleet->spec.pools[p];
        double rise = pool->device.tdp_w - pool->device.idle_power_w;
        if (dcs_policy_may_use(job, p) && rise > rise_w)
            rise_w = rise;
    }
    return rise_w;
}

int dcs_gate_init(dcs_gate_t *g, const dcs_fleet_t *fleet, dcs_budget_t *budget,
                  const dcs_facility_t *facility, const dcs_cost_spec_t *cost,
                  double network_w, dcs_cfg_node_t *cap_at, dcs_err_t *err)
{
    *g = (dcs_gate_t){budget, facility, cost, fleet, network_w, 0, 0, INFINITY};
    double least_rise_w = INFINITY;
    for (int p = 0; p < fleet->npools; p++) {
        const dcs_fleet_pool_t *pool = &fleet->spec.pools[p];
        double rise = pool->device.tdp_w - pool->device.idle_power_w;
        g->hosts_w += pool->host_power_w * pool->nodes;
        if (rise < least_rise_w)
            least_rise_w = rise;
    }
    g->idle_w = gpus_now_w(fleet) + g->hosts_w + g->network_w;
    if (!isfinite(facility->power_cap_w))
        return 0;
    g->max_w = dcs_facility_it_limit_max_w(facility);
    if (g->idle_w + least_rise_w > g->max_w)
        return dcs_cfg_error(
            cap_at, err,
            "a cap of %.0f W allows at most %.0f W of IT at any hour, but "
            "the idle cluster draws %.0f W and one GPU at its limit %.0f W "
            "more: no job could ever start",
            facility->power_cap_w, g->max_w, g->idle_w, least_rise_w);
    return 0;
}

/* A running job's spend rate, at its pool's device and host power and
 * prices. */
static double job_rate_usd_per_s(const dcs_gate_t *g, const dcs_job_t *job)
{
    int gpn = g->fleet->spec.gpus_per_node;
    const dcs_fleet_pool_t *pool = dcs_fleet_pool_of(
        g->fleet, dcs_fleet_node_of(g->fleet, job->gpu_ids[0]));
    double gpu_w = job->power_w > 0 ? job->power_w : pool->device.busy_power_w;
    double it_w = job->gpus * (gpu_w + pool->host_power_w / gpn);
    double capex =
        job->gpus * dcs_cost_slot_usd_per_s(g->cost, pool->gpu_capex_usd,
                                            pool->node_capex_usd, gpn);
    return capex +
           dcs_cost_energy_usd(g->cost, it_w) * dcs_facility_pue(g->facility);
}

static int gate_admit(void *ctx, const dcs_job_t *job, dcs_time_t now)
{
    dcs_gate_t *g = ctx;
    if (g->budget && dcs_budget_holds(g->budget, job->team, now))
        return 0;
    if (isfinite(g->facility->power_cap_w)) {
        double it_w = gpus_now_w(g->fleet) + g->hosts_w + g->network_w;
        double add = job->gpus * job_rise_w(g, job);
        if (it_w + add >
            dcs_facility_it_limit_w(g->facility, dcs_time_to_s(now)))
            return 0;
    }
    return 1;
}

/* A job the cap can never take: its GPUs at their limit on the idle
 * cluster are over the highest IT limit of any hour. Refused at submit
 * (counted), rather than held and asked about every hour forever. */
static int gate_never(void *ctx, const dcs_job_t *job)
{
    const dcs_gate_t *g = ctx;
    return g->idle_w + job->gpus * job_rise_w(g, job) > g->max_w;
}

/* Held jobs are tried again at the next budget period and at the next
 * hour (the weather, and with it the cap's IT limit, changes hourly). */
static dcs_time_t gate_retry(void *ctx, dcs_time_t now)
{
    dcs_gate_t *g = ctx;
    dcs_time_t hour = dcs_time_from_s(3600.0);
    dcs_time_t t = (now / hour + 1) * hour;
    if (g->budget) {
        dcs_time_t p = dcs_budget_next_period_ns(g->budget, now);
        if (!isfinite(g->facility->power_cap_w) || p < t)
            t = p;
    }
    return t;
}

static void gate_started(void *ctx, const dcs_job_t *job, dcs_time_t now)
{
    dcs_gate_t *g = ctx;
    if (g->budget)
        dcs_budget_rate(g->budget, job->team, now, job_rate_usd_per_s(g, job));
}

static void gate_ended(void *ctx, const dcs_job_t *job, dcs_time_t now)
{
    dcs_gate_t *g = ctx;
    if (g->budget)
        dcs_budget_rate(g->budget, job->team, now, -job_rate_usd_per_s(g, job));
}

dcs_sched_hooks_t dcs_gate_hooks(dcs_gate_t *g)
{
    return (dcs_sched_hooks_t){g,          gate_admit, gate_retry, gate_started,
                               gate_ended, gate_never};
}
