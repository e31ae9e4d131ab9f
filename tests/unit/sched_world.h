/* sched_world.h - a small world for scheduler and policy tests: a fleet
 * of `nodes` x `gpus_per_node` GPUs (idle 100 W, busy 400 W), a scheduler
 * with the policy and placement under test, and jobs submitted at given
 * times. Use:
 *
 *   sched_world_t w;
 *   sw_init(&w, 1, 4, &dcs_policy_sjf, &dcs_placement_pack);
 *   dcs_job_t *a = sw_add(&w, 0, 2, 10);   // at 0 s, 2 GPUs, 10 s
 *   a->estimate_ns = SW_S(12);             // any field before the run
 *   sw_run(&w);
 *   ck_assert_double_eq_tol(sw_start_s(&w, 0), 0, 1e-9);
 *   sw_free(&w);
 *
 * Times in seconds; sw_start_s is the job's first start. sw_init_mixed
 * builds a fleet of two pools instead. */
#ifndef SCHED_WORLD_H
#define SCHED_WORLD_H

#include <string.h>

#include "cluster/sched.h"
#include "engine/sim.h"

#define SW_S(x) ((dcs_time_t)((x) * (double)DCS_NS_PER_S))

typedef struct sched_world {
    dcs_sim_t *sim;
    dcs_fleet_t fleet;
    dcs_sched_t sched;
    dcs_jobs_t jobs;
} sched_world_t;

static void sw_submit_event(dcs_sim_t *sim, void *obj, int64_t arg)
{
    sched_world_t *w = obj;
    dcs_job_t *job = w->jobs.items[arg];
    job->state = DCS_JOB_QUEUED;
    job->submit_ns = dcs_sim_now(sim);
    dcs_sched_submit(&w->sched, sim, job);
}

static inline int sw_init(sched_world_t *w, int nodes, int gpus_per_node,
                          const dcs_policy_t *policy,
                          const dcs_placement_t *placement)
{
    memset(w, 0, sizeof *w);
    dcs_fleet_spec_t spec;
    memset(&spec, 0, sizeof spec);
    strcpy(spec.name, "test");
    strcpy(spec.device.name, "dev");
    spec.device.tdp_w = 500;
    spec.device.idle_power_w = 100;
    spec.device.busy_power_w = 400;
    spec.nodes = nodes;
    spec.gpus_per_node = gpus_per_node;
    w->sim = dcs_sim_new();
    if (!w->sim || dcs_fleet_init(&w->fleet, &spec, dcs_power_model_two_level(),
                                  SW_S(3600)) < 0)
        return -1;
    return dcs_sched_init(&w->sched, &w->fleet, policy, placement);
}

/* A mixed fleet of two pools of `gpus_per_node` GPUs per node: "A",
 * nodes 0 .. nodes_a - 1 (idle 100 W, busy 400 W, speed 1), then "B",
 * nodes_b nodes (idle 50 W, busy 200 W, speed `speed_b`). */
static inline int sw_init_mixed(sched_world_t *w, int nodes_a, int nodes_b,
                                int gpus_per_node, double speed_b,
                                const dcs_policy_t *policy,
                                const dcs_placement_t *placement)
{
    memset(w, 0, sizeof *w);
    dcs_fleet_spec_t spec;
    memset(&spec, 0, sizeof spec);
    strcpy(spec.name, "mixed");
    spec.npools = 2;
    spec.nodes = nodes_a + nodes_b;
    spec.gpus_per_node = gpus_per_node;
    const int nodes[2] = {nodes_a, nodes_b};
    const double idle[2] = {100, 50}, busy[2] = {400, 200};
    for (int p = 0; p < 2; p++) {
        dcs_fleet_pool_t *pool = &spec.pools[p];
        strcpy(pool->name, p ? "B" : "A");
        strcpy(pool->device.name, p ? "dev-b" : "dev-a");
        pool->device.idle_power_w = idle[p];
        pool->device.busy_power_w = busy[p];
        pool->device.tdp_w = busy[p] + 100;
        pool->nodes = nodes[p];
        pool->first_node = p ? nodes_a : 0;
        pool->speed = p ? speed_b : 1;
        pool->psu_efficiency = 1;
    }
    spec.device = spec.pools[0].device;
    w->sim = dcs_sim_new();
    if (!w->sim || dcs_fleet_init(&w->fleet, &spec, dcs_power_model_two_level(),
                                  SW_S(3600)) < 0)
        return -1;
    return dcs_sched_init(&w->sched, &w->fleet, policy, placement);
}

/* A fixed-duration job of `gpus` GPUs for `run_s` s submitted at
 * `submit_s` (team "default"; set other fields on the result). */
static inline dcs_job_t *sw_add(sched_world_t *w, double submit_s, int gpus,
                                double run_s)
{
    dcs_job_t *job = dcs_jobs_add(&w->jobs, (int64_t)w->jobs.len);
    job->gpus = gpus;
    job->duration_ns = SW_S(run_s);
    dcs_sim_at(w->sim, SW_S(submit_s), sw_submit_event, w, job->id);
    return job;
}

static inline void sw_run(sched_world_t *w)
{
    dcs_sim_run(w->sim, DCS_TIME_NEVER);
    dcs_time_t end = dcs_sim_now(w->sim);
    dcs_fleet_finish(&w->fleet, end);
    dcs_sched_finish(&w->sched, end);
}

static inline double sw_start_s(const sched_world_t *w, size_t i)
{
    return dcs_time_to_s(w->jobs.items[i]->first_start_ns);
}

static inline double sw_end_s(const sched_world_t *w, size_t i)
{
    return dcs_time_to_s(w->jobs.items[i]->end_ns);
}

static inline void sw_free(sched_world_t *w)
{
    dcs_sched_destroy(&w->sched);
    dcs_fleet_destroy(&w->fleet);
    dcs_jobs_destroy(&w->jobs);
    dcs_sim_free(w->sim);
}

#endif
