/* policy.h - the scheduling policy interface, and the registry of policies.
 *
 * Writing a new policy: add policy_<name>.c with a `const dcs_policy_t`
 * and list it in a group's registry (registry_<group>.c, declared in
 * policies_<group>.h; policy.c lists the groups); write its Check tests on
 * small hand-made traces (tests/unit/test_policy_<name>.c, on the helpers of
 * tests/unit/sched_world.h).
 *
 * The scheduler calls the policy whenever something changes (a job
 * arrives or ends, a node fails or returns, a time the policy asked for
 * comes): first preempt(), again and again until it returns -1, stopping
 * each running job it names; then pick(), again and again until it
 * returns -1, starting each queued job it names on the GPUs placement
 * finds. Neither may change anything; both see the present state through
 * the view and may ask view->fits() whether a job of some size could be
 * placed now. A policy keeps no state of its own: what it needs to
 * remember about a job (service attained, preemptions, the time it was
 * queued) the scheduler keeps on the job (workload/job.h).
 *
 * Preempting a job stops it and puts it back in the queue; the work it did
 * is kept (fixed-duration jobs resume where they stopped), and its next
 * run pays the scheduler's checkpoint save and restore times. Only jobs
 * whose kind allows it can be preempted (dcs_policy_can_preempt).
 *
 * Resizing. A policy with a resize() callback may also change the size of
 * running elastic jobs. When pick() returns -1, the scheduler calls
 * resize(); if it names a running job and a new size, the scheduler
 * resizes it (dcs_sched_resize: the work done is kept, the job pays
 * params->resize_ns, its remaining work scales by old / new GPUs, or for
 * a kind that prices its runs, training, is priced again at the new
 * size) and
 * starts over with preempt() and pick(), so GPUs a shrink frees go to the
 * queue at once; it stops when resize() returns -1, or asks for a growth
 * that cannot be made now (the admission gate or the placement refuses the
 * extra GPUs). Rules:
 *   - only a running job that may be resized (dcs_policy_can_resize) and
 *     only to a size other than its own that it can take
 *     (dcs_policy_size_ok: in [min_gpus, max_gpus], and for a training
 *     job one where its plan is whole and fits memory);
 *   - a growth must fit: ask view->fits(view, job, extra GPUs) first (the
 *     extra GPUs are placed on their own; the ones it holds stay);
 *   - guard against thrashing: the scheduler keeps asking until resize()
 *     returns -1, and every resize costs the job resize_ns, so a policy
 *     must not resize a job back and forth at one instant. A simple rule
 *     that does it: never resize a job that started or was resized at
 *     this instant (job->start_ns == view->now_ns: a resize starts a new
 *     run). The scheduler aborts a decision that moves jobs more than a
 *     few times each (one budget for preemptions, starts and resizes).
 * A resize is reported to the scheduler's hooks as the end of one run and
 * the start of the next, so a budget sees the new size. */
#ifndef DCS_POLICY_H
#define DCS_POLICY_H

#include <stddef.h>

#include "cluster/alloc.h"
#include "workload/job.h"

enum { DCS_POLICY_MAX_LEVELS = 8, DCS_POLICY_MAX_TEAMS = 32 };

/* A team's share of the cluster under quota policies. */
typedef struct dcs_team_quota {
    char team[32];
    int quota_gpus;    /* most GPUs its jobs may hold at once (0: none) */
    int reserved_gpus; /* GPUs only its jobs may use */
} dcs_team_quota_t;

/* Settings of the policies, from the scenario's `scheduler` section
 * (each policy reads the ones it documents). */
typedef struct dcs_policy_params {
    int use_estimates;     /* 1: plan with job->estimate_ns where given,
                              not the true duration (no oracle) */
    dcs_time_t quantum_ns; /* time-slicing and least-attained-service
                              policies decide again this often */
    double thresholds_gpu_s[DCS_POLICY_MAX_LEVELS]; /* Tiresias: attained
                              GPU-seconds where a job drops a level */
    int nthresholds;
    dcs_time_t starve_ns; /* Tiresias: a job waiting this long since it
                             last ran goes back to the top level (0: never) */
    dcs_team_quota_t teams[DCS_POLICY_MAX_TEAMS];
    int nteams;
    dcs_time_t resize_ns; /* what resizing a running elastic job costs it:
                             reconfiguration before its work goes on at
                             the new size (the scheduler pays it; policies
                             may weigh it) */
} dcs_policy_params_t;

typedef struct dcs_sched_view dcs_sched_view_t;
struct dcs_sched_view {
    dcs_job_t *const *queue; /* waiting jobs, in submission order */
    size_t queue_len;
    /* running jobs, by expected end (earliest first; see expected_end) */
    dcs_job_t *const *running;
    size_t running_len;
    const dcs_alloc_t *alloc; /* free GPUs */
    dcs_time_t now_ns;
    const dcs_policy_params_t *params;
    /* 1 when `job` could be placed now on `gpus` GPUs (0: its own size). */
    int (*fits)(const dcs_sched_view_t *view, const dcs_job_t *job, int gpus);
    void *ctx; /* the scheduler's, for fits() */
};

typedef struct dcs_policy dcs_policy_t;
struct dcs_policy {
    const char *name;    /* as named in scenario files */
    const char *summary; /* one line, for `dcsim list policies` */
    /* Index in view->queue of the job to start now, or -1 for none. An
     * elastic job (max_gpus > 0) may be given a size through *gpus for
     * which dcs_policy_size_ok holds (left 0: the job's own size). */
    long (*pick)(const dcs_policy_t *policy, const dcs_sched_view_t *view,
                 int *gpus);
    /* Optional (NULL: never preempts). Index in view->running of a job to
     * stop now and requeue, or -1. */
    long (*preempt)(const dcs_policy_t *policy, const dcs_sched_view_t *view);
    /* Optional. When to be asked again though nothing happens (> now),
     * or -1: only on arrivals, ends and failures. */
    dcs_time_t (*next_ns)(const dcs_policy_t *policy,
                          const dcs_sched_view_t *view);
    /* Optional (NULL: never resizes). Index in view->running of a job to
     * resize now, with its new size in *gpus, or -1. See "Resizing"
     * above. */
    long (*resize)(const dcs_policy_t *policy, const dcs_sched_view_t *view,
                   int *gpus);
};

/* When a job is expected to end: its start plus what is left of its run as
 * the policy may know it (the estimate with use_estimates, else the true
 * remaining time); never before now. */
dcs_time_t dcs_policy_expected_end(const dcs_sched_view_t *view,
                                   const dcs_job_t *job);
/* A queued job's expected run time at its own size, as above. */
dcs_time_t dcs_policy_expected_run(const dcs_sched_view_t *view,
                                   const dcs_job_t *job);
/* Mixed fleets, for policies that count GPUs (alloc.h "models"): a job
 * runs on one GPU model, the one it names (job->gpu_model >= 0), one of
 * those its kind allows (job->gpu_models), or any.
 * On a cluster of one device there is one model, 0, holding every GPU. */
static inline int dcs_policy_models(const dcs_sched_view_t *view)
{
    return view->alloc->node_model ? view->alloc->nmodels : 1;
}
/* The model a running job's GPUs are on. */
static inline int dcs_policy_model_of(const dcs_sched_view_t *view,
                                      const dcs_job_t *running)
{
    const dcs_alloc_t *a = view->alloc;
    return a->node_model ? a->node_model[running->gpu_ids[0] / a->gpus_per_node]
                         : 0;
}
/* 1 when `job` may run on model m: the one it names, or any of the set
 * its kind allows (job->gpu_models; 0: any). */
static inline int dcs_policy_may_use(const dcs_job_t *job, int m)
{
    if (job->gpu_model >= 0)
        return job->gpu_model == m;
    return !job->gpu_models || (m < 32 && (job->gpu_models >> m & 1));
}
/* Model m's free GPUs, and all of its GPUs. */
static inline int dcs_policy_model_free(const dcs_sched_view_t *view, int m)
{
    const dcs_alloc_t *a = view->alloc;
    return a->node_model ? a->model_free[m] : a->free_gpus;
}
static inline int dcs_policy_model_gpus(const dcs_sched_view_t *view, int m)
{
    const dcs_alloc_t *a = view->alloc;
    return (a->node_model ? a->model_nodes[m] : a->nodes) * a->gpus_per_node;
}

/* 1 when the job's kind lets it be stopped and resumed. */
static inline int dcs_policy_can_preempt(const dcs_job_t *job)
{
    return job->kind->preemptible;
}
/* 1 when a running job may change size: elastic (max_gpus > 0) and of a
 * kind that can be stopped and resumed (its work is kept across the
 * change as across a preemption). */
static inline int dcs_policy_can_resize(const dcs_job_t *job)
{
    return job->max_gpus > 0 && job->kind->preemptible;
}

/* 1 when elastic `job` may run on `gpus` GPUs: within [min_gpus,
 * max_gpus] and a size its kind can take (dcs_job_kind_t.can_run_at;
 * fixed jobs: any size in their bounds). Policies that choose a size
 * (pick()'s *gpus, resize()) choose only these. */
static inline int dcs_policy_size_ok(const dcs_job_t *job, int gpus)
{
    return gpus >= 1 && gpus >= job->min_gpus && gpus <= job->max_gpus &&
           (!job->kind->can_run_at || job->kind->can_run_at(job, gpus));
}

/* First come, first served: the oldest job starts when it fits; nothing
 * overtakes it (head-of-line blocking). */
extern const dcs_policy_t dcs_policy_fifo;

/* The i-th policy (NULL past the last), and lookup by name (NULL if
 * unknown). */
const dcs_policy_t *dcs_policy_at(size_t i);
const dcs_policy_t *dcs_policy_find(const char *name);

/* Placement: which free GPUs a job gets. */
typedef struct dcs_placement dcs_placement_t;
struct dcs_placement {
    const char *name;
    const char *summary;
    /* Writes `gpus` distinct free GPU ids to `out` and returns 0, or
     * returns -1 (writing nothing useful) when they cannot be found now. */
    int (*place)(const dcs_placement_t *placement, const dcs_alloc_t *alloc,
                 int gpus, int *out);
    /* Optional: 1 when place() would succeed, in less time than placing
     * (NULL: the scheduler tries place()). */
    int (*fits)(const dcs_placement_t *placement, const dcs_alloc_t *alloc,
                int gpus);
};

/* Pack: a job that fits in one node goes to the fullest node that still
 * has room (best fit, lowest index on ties); a larger job takes the nodes
 * with the most free GPUs first. Keeps whole nodes free for big jobs. */
extern const dcs_placement_t dcs_placement_pack;

/* ---- mixed fleets ------------------------------------------------------
 *
 * On a fleet of several GPU models (alloc->node_model set) a job runs on
 * one model only: every placement first calls these, which run the
 * placement's own rule on the nodes of one model (dcs_alloc_model_view)
 * and translate the GPU ids back. The model is alloc->want_model when it
 * is >= 0 (a job that names one); for a job that names none, the model
 * with the most free GPUs among those the placement fits the job on
 * (lowest index on ties), of the models alloc->want_models allows (a
 * training job: the pools its plan fits). */

/* The model a job of `gpus` GPUs would be placed on now, or -1 when no
 * model (or not the wanted one) fits it. O(models) calls of fits(). */
int dcs_placement_model_pick(const dcs_placement_t *placement,
                             const dcs_alloc_t *alloc, int gpus);
/* place() and fits() of `placement` on that model's nodes. */
int dcs_placement_model_place(const dcs_placement_t *placement,
                              const dcs_alloc_t *alloc, int gpus, int *out);
int dcs_placement_model_fits(const dcs_placement_t *placement,
                             const dcs_alloc_t *alloc, int gpus);

const dcs_placement_t *dcs_placement_at(size_t i);
const dcs_placement_t *dcs_placement_find(const char *name);

#endif
