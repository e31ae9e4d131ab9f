/* sched.h - the scheduler: a queue of waiting jobs, a policy that picks the
 * next one (and may stop running ones), a placement that finds its GPUs,
 * and the start, preemption and end of jobs.
 *
 * Jobs arrive through dcs_sched_submit (a dcs_job_sink_fn). Whenever a job
 * arrives or ends, or a time the policy asked for comes, the scheduler asks
 * the policy which running jobs to stop and which queued ones to start
 * (policy.h). A started job's GPUs go to the compute state in the fleet
 * (which accounts their energy); at its end they return to idle, and the
 * job learns its energy. A stopped job goes back to the queue with its
 * work kept and its next run's checkpoint save and restore to pay. On a
 * fleet of pools a job runs on one pool, at that pool's speed. Queue
 * length, running jobs and busy GPUs are tallied over time for the
 * reports. */
#ifndef DCS_SCHED_H
#define DCS_SCHED_H

#include "cluster/alloc.h"
#include "cluster/policy.h"
#include "engine/sim.h"
#include "engine/tally.h"
#include "hw/fleet.h"
#include "workload/job.h"

/* What the world may add to the scheduler without it knowing the layers
 * below (budgets, the facility's power cap): an admission test, a time to
 * test the held jobs again, and word of starts and ends. */
typedef struct dcs_sched_hooks {
    void *ctx;
    /* 1 when `job` may start now; a job refused stays queued and the
     * policy does not see it (others may start around it). */
    int (*admit)(void *ctx, const dcs_job_t *job, dcs_time_t now);
    /* When to ask again about jobs refused at `now` (> now), besides
     * every arrival and end; -1: only then. */
    dcs_time_t (*retry_ns)(void *ctx, dcs_time_t now);
    /* After a job started (its kind priced it) and after it ended or was
     * stopped (job->gpu_ids still names the GPUs it left). */
    void (*started)(void *ctx, const dcs_job_t *job, dcs_time_t now);
    void (*ended)(void *ctx, const dcs_job_t *job, dcs_time_t now);
    /* 1 when `job` could never start, whatever runs (a job the power cap
     * can never take): it is refused at submit, never queued (state
     * DCS_JOB_REFUSED, counted in dcs_sched_t.refused) and counts as
     * finished for job_done. NULL: every job may start some day. */
    int (*never)(void *ctx, const dcs_job_t *job);
} dcs_sched_hooks_t;

typedef struct dcs_sched {
    dcs_fleet_t *fleet; /* not owned */
    const dcs_policy_t *policy;
    const dcs_placement_t *placement;
    dcs_alloc_t alloc;
    dcs_job_t **queue_buf; /* storage; the queue starts at queue_head */
    size_t queue_head;     /* index in queue_buf of the oldest waiting job */
    size_t queue_len;      /* waiting jobs, in submission order */
    size_t queue_cap;      /* entries allocated in queue_buf */
    int *scratch;          /* placement output, ngpus entries */
    int64_t jobs_done;
    dcs_time_t last_end_ns;      /* end of the latest job */
    dcs_tally_t queue_tally;     /* jobs waiting */
    dcs_tally_t running_tally;   /* jobs running */
    dcs_tally_t busy_gpus_tally; /* GPUs allocated */
    dcs_sim_t *sim;              /* the run's, once a job has started */
    /* Optional hooks (NULL: none), set after dcs_sched_init. */
    dcs_sched_hooks_t hooks;
    dcs_job_t **view_buf; /* the admitted jobs shown to the policy */
    size_t *view_idx;     /* their places in the queue */
    size_t view_cap;      /* entries allocated in both */
    dcs_time_t wake_ns;   /* a retry already scheduled (-1: none) */
    int64_t held;         /* admission refusals so far */
    /* Policies' settings, and what a preemption costs the job. */
    dcs_policy_params_t params;
    dcs_time_t save_ns;    /* checkpoint written when a job is stopped */
    dcs_time_t restore_ns; /* read back when it runs again */
    dcs_job_t **running;   /* running jobs, by expected end, then id */
    size_t running_len, running_cap;
    int64_t preemptions;      /* so far */
    int64_t evictions;        /* jobs stopped by node failures, so far */
    int64_t node_failures;    /* so far (cluster/failures.h counts them) */
    int64_t resizes;          /* running elastic jobs resized, so far */
    int64_t refused;          /* jobs refused at submit (hooks.never or
                                 hopeless) */
    int64_t hopeless_refused; /* of them, by `hopeless` */
    /* Set by the node failures (NULL: none): 1 when `job` could never
     * finish under them; it is then refused at submit, as hooks.never's
     * are. */
    int (*hopeless)(void *ctx, const dcs_job_t *job);
    void *hopeless_ctx;
    /* Told after each job's end or refusal (NULL: nobody), e.g. the
     * failure process, which stops once every job is done or refused. */
    void (*job_done)(void *ctx, dcs_sim_t *sim);
    void *job_done_ctx;
} dcs_sched_t;

/* Returns 0 or DCS_ENOMEM. */
int dcs_sched_init(dcs_sched_t *s, dcs_fleet_t *fleet,
                   const dcs_policy_t *policy,
                   const dcs_placement_t *placement);
void dcs_sched_destroy(dcs_sched_t *s);

/* Stops a running job now and requeues it (policies do this through
 * preempt()): it keeps all its work and pays save_ns + restore_ns on its
 * next run. A kind with a stop hook is told (DCS_JOB_PREEMPTED) and says
 * what that work is (training: every iteration it completed). */
void dcs_sched_preempt(dcs_sched_t *s, dcs_sim_t *sim, dcs_job_t *job);

/* Stops a running job of any kind now because a node it runs on failed,
 * and requeues it: it keeps the work of its last checkpoint (its kind's
 * stop() with DCS_JOB_EVICTED, else whole periods of `checkpoint_ns` of
 * the work done this run;
 * 0: none) and pays restore_ns on its next run. Does not schedule: call
 * dcs_sched_kick once the failed GPUs are out of reach. */
void dcs_sched_evict(dcs_sched_t *s, dcs_sim_t *sim, dcs_job_t *job,
                     dcs_time_t checkpoint_ns);

/* Changes the size of a running elastic job now (policies do this
 * through resize()): the run so far ends as a preemption's would (its
 * work, energy, GPU-seconds and time are kept) and a new run begins at
 * once on `gpus` GPUs, with no stay in the queue. The new run first pays
 * params.resize_ns (ASSUMPTION: reconfiguration, i.e. saving state and
 * restoring it on the new GPUs, takes a fixed time whatever the sizes; the
 * GPUs it holds draw busy power meanwhile, as during a checkpoint
 * restore), plus what was left of an overhead it was still paying; then
 * its remaining work goes on, scaled by old / new GPUs (ASSUMPTION: linear
 * scaling within its bounds, as when an elastic job starts at another
 * size). A kind that prices its runs (training) is instead told of the
 * stop as of a preemption (its stop hook keeps every completed
 * iteration) and prices the new run at the new size (run_time_ns), which
 * sets its end and what the policies expect of it. Shrinking gives back GPUs
 * from the nodes where the job holds the fewest first (ties: the higher node,
 * then the higher GPU), so it keeps to as few nodes as it can; growing places
 * the extra GPUs with the scheduler's placement, as for a job of that many
 * GPUs, and keeps the ones it holds. The hooks hear of it as an end and a
 * start. Returns 0; DCS_EINVAL when the job is not running, not resizable
 * (dcs_policy_can_resize) or `gpus` is its size or one it cannot take
 * (dcs_policy_size_ok: outside [min_gpus, max_gpus], or refused by its
 * kind's can_run_at); DCS_ESTATE when the extra GPUs cannot be placed now
 * (nothing changes on an error). Does not schedule. O(job's GPUs x log)
 * plus the placement. */
int dcs_sched_resize(dcs_sched_t *s, dcs_sim_t *sim, dcs_job_t *job, int gpus);

/* Asks the policy again now (GPUs came back or went away). */
void dcs_sched_kick(dcs_sched_t *s, dcs_sim_t *sim);

/* Accepts a queued job (ctx is the dcs_sched_t) and schedules. On a mixed
 * fleet (pools) the job's gpu_type, when not "", must name a pool
 * (dcs_fleet_pool_find; a bug otherwise): the job then runs on that
 * pool's nodes only; a job that names none on one pool, never across two
 * (policy.h, "mixed fleets"). A job larger than every pool it may use
 * never starts: callers drop such jobs first. */
void dcs_sched_submit(void *ctx, dcs_sim_t *sim, dcs_job_t *job);

/* Integrates the tallies up to `end`; call once when the run ends. */
int dcs_sched_finish(dcs_sched_t *s, dcs_time_t end);

#endif
