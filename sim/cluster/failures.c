/* failures.c - node failures and repairs. */
#include "cluster/failures.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rng.h"

int dcs_failures_read(dcs_cfg_node_t *sched_map, dcs_failure_spec_t *spec,
                      dcs_err_t *err)
{
    memset(spec, 0, sizeof *spec);
    dcs_cfg_node_t *m = NULL;
    int rc;
    if (!sched_map || (rc = dcs_cfg_map(sched_map, "node_failures",
                                        DCS_CFG_OPTIONAL, &m, err)) < 0)
        return sched_map ? rc : 0;
    if (!m)
        return 0;
    if ((rc = dcs_cfg_f64(m, "mtbf_h", DCS_CFG_REQUIRED, 1e-3, 1e9,
                          &spec->mtbf_h, err)) < 0 ||
        (rc = dcs_cfg_f64(m, "repair_h", DCS_CFG_REQUIRED, 1e-6, 1e6,
                          &spec->repair_h, err)) < 0 ||
        (rc = dcs_cfg_f64(m, "checkpoint_s", DCS_CFG_OPTIONAL, 0, 1e9,
                          &spec->checkpoint_s, err)) < 0)
        return rc;
    return 0;
}

static void fail(dcs_sim_t *sim, void *obj, int64_t node);
static void repair(dcs_sim_t *sim, void *obj, int64_t node);

/* Node `node`'s next event, `mean_h` hours away on average. */
static void draw(dcs_failures_t *f, int node, double mean_h, dcs_event_fn fn)
{
    double gap_s = gsl_ran_exponential(f->rng, mean_h * 3600.0);
    dcs_time_t gap = dcs_time_from_s(gap_s);
    f->event[node] = dcs_sim_after(f->sim, gap > 0 ? gap : 1, fn, f, node);
    DCS_ASSERT(f->event[node] != 0);
}

/* The node's GPUs into `state` at now. */
static void set_node(dcs_failures_t *f, int node, dcs_dev_state_t state)
{
    dcs_time_t now = dcs_sim_now(f->sim);
    for (int k = 0; k < f->gpus_per_node; k++) {
        f->gpu_ids[k] = node * f->gpus_per_node + k;
        int rc =
            dcs_fleet_set_state(f->sched->fleet, now, f->gpu_ids[k], state);
        DCS_ASSERT(rc == 0); /* out of memory mid-run */
    }
}

static int on_node(const dcs_job_t *job, int node, int gpn)
{
    for (int i = 0; i < job->gpus; i++)
        if (job->gpu_ids[i] / gpn == node)
            return 1;
    return 0;
}

static void fail(dcs_sim_t *sim, void *obj, int64_t arg)
{
    dcs_failures_t *f = obj;
    dcs_sched_t *s = f->sched;
    int node = (int)arg;
    f->event[node] = 0;
    f->failures++;
    s->node_failures++;
    /* Every job on it stops (the running list changes as they leave). */
    for (size_t i = 0; i < s->running_len;) {
        dcs_job_t *job = s->running[i];
        if (!on_node(job, node, f->gpus_per_node)) {
            i++;
            continue;
        }
        dcs_sched_evict(s, sim, job, dcs_time_from_s(f->spec.checkpoint_s));
        f->evictions++;
    }
    set_node(f, node, DCS_DEV_FAILED);
    dcs_alloc_take(&s->alloc, f->gpu_ids, f->gpus_per_node);
    f->down[node] = 1;
    f->down_since[node] = dcs_sim_now(sim);
    draw(f, node, f->spec.repair_h, repair);
    dcs_sched_kick(s, sim);
}

static void repair(dcs_sim_t *sim, void *obj, int64_t arg)
{
    dcs_failures_t *f = obj;
    int node = (int)arg;
    f->event[node] = 0;
    set_node(f, node, DCS_DEV_IDLE);
    dcs_alloc_release(&f->sched->alloc, f->gpu_ids, f->gpus_per_node);
    f->down[node] = 0;
    f->down_ns += dcs_sim_now(sim) - f->down_since[node];
    draw(f, node, f->spec.mtbf_h, fail);
    dcs_sched_kick(f->sched, sim);
}

/* After each job's end: once all are done, no node fails or comes back. */
static void job_done(void *ctx, dcs_sim_t *sim)
{
    dcs_failures_t *f = ctx;
    if (f->expected_jobs < 0 ||
        f->sched->jobs_done + f->sched->refused < f->expected_jobs)
        return;
    for (int n = 0; n < f->nodes; n++)
        if (f->event[n]) {
            dcs_sim_cancel(sim, f->event[n]);
            f->event[n] = 0;
        }
    f->stopped = 1;
}

/* A job the failures would never let finish: even on as few nodes as it
 * can hold and the fastest GPUs it may use (at its requested size), it is
 * expected to need more than DCS_JOB_GIVE_UP_S, its work kept only at its
 * checkpoints (its kind's, else checkpoint_s; none: a failure loses the run)
 * and each failure costing the scheduler's restore. */
static int hopeless(void *ctx, const dcs_job_t *job)
{
    const dcs_failures_t *f = ctx;
    const dcs_fleet_spec_t *fs = &f->sched->fleet->spec;
    double speed = 0; /* the fastest pool it may use */
    for (int p = 0; p < fs->npools; p++)
        if (dcs_policy_may_use(job, p))
            speed = fmax(speed, fs->pools[p].speed);
    if (job->kind->prices_run || speed <= 0)
        speed = 1; /* a kind that prices its runs: its own figure */
    int nodes = (job->gpus + f->gpus_per_node - 1) / f->gpus_per_node;
    double mtbf_s = f->spec.mtbf_h * 3600.0 / nodes;
    double work_s = dcs_time_to_s(job->duration_ns) / speed;
    double saved_s = job->kind->saved_every_s ? job->kind->saved_every_s(job)
                                              : f->spec.checkpoint_s;
    return dcs_expected_wall_s(work_s, saved_s, mtbf_s,
                               dcs_time_to_s(f->sched->restore_ns)) >
           DCS_JOB_GIVE_UP_S;
}

int dcs_failures_start(dcs_failures_t *f, const dcs_failure_spec_t *spec,
                       dcs_sched_t *sched, dcs_sim_t *sim, uint64_t seed,
                       int64_t expected_jobs)
{
    memset(f, 0, sizeof *f);
    f->spec = *spec;
    if (spec->mtbf_h <= 0)
        return 0;
    f->sched = sched;
    f->sim = sim;
    f->nodes = sched->alloc.nodes;
    f->gpus_per_node = sched->alloc.gpus_per_node;
    f->expected_jobs = expected_jobs;
    f->rng = dcs_rng_new(seed, "node-failures");
    f->event = calloc((size_t)f->nodes, sizeof *f->event);
    f->down = calloc((size_t)f->nodes, sizeof *f->down);
    f->down_since = calloc((size_t)f->nodes, sizeof *f->down_since);
    f->gpu_ids = malloc((size_t)f->gpus_per_node * sizeof *f->gpu_ids);
    if (!f->rng || !f->event || !f->down || !f->down_since || !f->gpu_ids) {
        dcs_failures_destroy(f);
        return DCS_ENOMEM;
    }
    sched->job_done = job_done;
    sched->job_done_ctx = f;
    sched->hopeless = hopeless;
    sched->hopeless_ctx = f;
    if (expected_jobs == 0)
        return 0;
    for (int n = 0; n < f->nodes; n++)
        draw(f, n, spec->mtbf_h, fail);
    return 0;
}

void dcs_failures_finish(dcs_failures_t *f, dcs_time_t end)
{
    for (int n = 0; f->down && n < f->nodes; n++)
        if (f->down[n]) {
            f->down_ns += end - f->down_since[n];
            f->down_since[n] = end;
        }
}

void dcs_failures_destroy(dcs_failures_t *f)
{
    if (f->rng)
        gsl_rng_free(f->rng);
    free(f->event);
    free(f->down);
    free(f->down_since);
    free(f->gpu_ids);
    memset(f, 0, sizeof *f);
}
