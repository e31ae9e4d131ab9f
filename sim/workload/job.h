/* job.h - a job: a request for GPUs and the work to do on them.
 *
 * A job is submitted, waits in the scheduler's queue, runs on the GPUs it is
 * placed on, and ends. What decides how long it runs is its kind: this
 * version has jobs of fixed duration (the synthetic stream, traces with run
 * times); training jobs whose duration follows from a parallel plan on the
 * GPUs they get plug in as another kind. */
#ifndef DCS_JOB_H
#define DCS_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "engine/time.h"

typedef enum dcs_job_state {
    DCS_JOB_PENDING, /* not yet submitted */
    DCS_JOB_QUEUED,  /* submitted, waiting */
    DCS_JOB_RUNNING,
    DCS_JOB_DONE,
    DCS_JOB_REFUSED, /* never queued: the world can never start it
                        (dcs_sched_hooks_t.never) or it could never finish
                        under node failures (dcs_sched_t.hopeless) */
} dcs_job_state_t;

/* "pending", "queued", "running", "done", "refused". */
const char *dcs_job_state_name(dcs_job_state_t state);

typedef struct dcs_job dcs_job_t;

/* Why a running job leaves its GPUs before its end. */
typedef enum dcs_job_stop {
    DCS_JOB_EVICTED,   /* a node it runs on failed (dcs_sched_evict) */
    DCS_JOB_PREEMPTED, /* a policy stopped it (dcs_sched_preempt) */
} dcs_job_stop_t;

/* What kind of work a job carries. */
typedef struct dcs_job_kind {
    const char *name;
    /* Run time on the placement it got (gpu ids, `gpus` of them); called
     * as the job starts (job->start_ns is set). */
    dcs_time_t (*run_time_ns)(const dcs_job_t *job, const int *gpu_ids);
    /* Called when a job of this kind has ended, before its GPUs go to
     * others; may be NULL. */
    void (*ended)(dcs_job_t *job, dcs_time_t now);
    int preemptible; /* 1: a policy may stop it and resume it later */
    /* 1: the kind prices each run itself, on the pool it lands on
     * (training): the scheduler runs it at speed 1 whatever the pool's
     * speed, and expects of a run what run_time_ns returns (moved with
     * move_end), not its work at the pool's speed; its duration_ns and
     * remaining_ns are times on the pool it expects. 0: fixed jobs'
     * rule. */
    int prices_run;
    /* Called when a job of this kind is stopped before its end, after it
     * left its GPUs and the scheduler requeued it: `why` says whether a
     * node failed (evicted: the work of its last checkpoint is kept) or a
     * policy stopped it (preempted: all its work is kept). Sets
     * job->remaining_ns to the work left; job->overhead_ns holds what the
     * scheduler charges its next run (restore after an eviction, save
     * and restore after a preemption), which its run_time_ns pays as its
     * kind decides. NULL: the scheduler keeps whole `checkpoint` periods
     * of the work done after an eviction, all of it after a preemption
     * (fixed jobs). */
    void (*stop)(dcs_job_t *job, dcs_time_t now, dcs_job_stop_t why);
    /* Seconds of its run between the checkpoints that keep its work (the
     * most a failure can lose, plus the write), 0: none, a failure loses
     * the run. NULL: the failures' own checkpoint period (fixed jobs). */
    double (*saved_every_s)(const dcs_job_t *job);
    /* 1 when an elastic job of this kind can run on `gpus` GPUs, a size
     * already within its [min_gpus, max_gpus] (training: the sizes at
     * which its plan, its data-parallel degree following the GPUs, is
     * whole and fits memory). NULL: every size in its bounds (fixed
     * jobs). Policies ask through dcs_policy_size_ok. */
    int (*can_run_at)(const dcs_job_t *job, int gpus);
    /* Expected run time of the work the job has left as of `now` if it
     * ran on `gpus` GPUs from now (a size it can take, dcs_policy_size_ok,
     * or its own), on the pool it runs on (queued: the one it would run
     * on), at the pace expected without failures, without overheads (no
     * save, restore or resize, no checkpoint writes). Training: the
     * iterations it would keep if stopped now x its iteration time at
     * that size, priced as a run at that size is. Negative: a size it
     * cannot take. NULL: work scales linearly with GPUs (fixed jobs:
     * remaining_ns x gpus / `gpus`). Policies weigh a resize with it
     * (policy_elastic.c); it changes nothing. */
    dcs_time_t (*left_at_ns)(const dcs_job_t *job, int gpus, dcs_time_t now);
} dcs_job_kind_t;

/* Expected wall time (s) to do `work_s` seconds of work when failures
 * come at exponential times of mean `mtbf_s` (<= 0 or inf: never), the
 * work is kept every `saved_every_s` of run time (0: never, a failure
 * loses all of it) and each failure costs `restart_s` before work goes on
 * (Daly 2006, eq. 13 without the checkpoint's own cost: a segment of s
 * seconds takes mtbf e^(restart / mtbf) (e^(s / mtbf) - 1) in
 * expectation). May be inf. */
double dcs_expected_wall_s(double work_s, double saved_every_s, double mtbf_s,
                           double restart_s);

/* ASSUMPTION: a job expected to need more than 10 years to finish under
 * its failures (dcs_expected_wall_s) never will: no datacenter part lasts
 * that long, and a run's clock ends at 292 years. Such jobs are refused
 * (node failures) or bad input (a training job's own failures). */
#define DCS_JOB_GIVE_UP_S (10 * 365.25 * 86400.0)

/* Jobs whose run time is job->duration_ns on GPUs of speed 1, and
 * duration / speed on a pool of another speed (hw/fleet.h). */
extern const dcs_job_kind_t dcs_job_kind_fixed;

struct dcs_job {
    int64_t id;                 /* unique, in submission order */
    const dcs_job_kind_t *kind; /* how its run time is found */
    char team[32];              /* owner, for cost attribution */
    char user[32];              /* owner within the team ("" unknown) */
    char name[48];              /* as in its trace ("" none) */
    int gpus;                   /* GPUs requested */
    dcs_time_t duration_ns;     /* run time, for fixed-duration jobs */
    dcs_time_t estimate_ns;     /* the user's estimate of its run time,
                                   for policies without an oracle (0:
                                   none given) */
    int priority;               /* higher goes first where a policy ranks
                                   by it (default 0) */
    dcs_time_t deadline_ns;     /* when it should be done (-1: none) */
    int min_gpus, max_gpus;     /* elastic bounds (0: not elastic, runs
                                   on exactly `gpus`) */
    char gpu_type[16];          /* device model wanted ("" any) */
    int gpu_model;              /* set by the scheduler at submit: the pool
                                   gpu_type names on a mixed fleet (-1:
                                   any one) */
    unsigned gpu_models;        /* the pools of a mixed fleet it may run
                                   on, bit p for pool p, set by its kind
                                   (training: those its plan fits); 0:
                                   any */
    double speed;               /* set by the scheduler at each start: the
                                   speed of the pool it runs on; a fixed
                                   job's work (remaining_ns) takes
                                   remaining_ns / speed (default 1) */
    dcs_job_state_t state;
    dcs_time_t submit_ns;  /* when submitted */
    dcs_time_t start_ns;   /* when started; -1 before */
    dcs_time_t end_ns;     /* when ended; -1 before */
    int *gpu_ids;          /* placement, `gpus` entries, while running
                              and after; NULL before */
    double energy_j;       /* GPU energy while it ran, once ended */
    double start_energy_j; /* its GPUs' energy at start (bookkeeping) */
    double power_w;        /* per GPU while it runs, set by its kind at
                              start (0: the device's busy power) */
    void *sched;           /* the scheduler that runs it (opaque) */
    void *work;            /* what its kind needs (training: its spec and
                              run), not owned; NULL for fixed jobs */
    /* Set by the scheduler while the job runs: moves its end to end_ns
     * (>= now), for kinds whose pace changes as others come and go. */
    void (*move_end)(dcs_job_t *job, dcs_time_t end_ns);
    uint64_t end_event; /* the scheduler's handle on its end */
    /* Kept by the scheduler across preemptions and restarts. */
    dcs_time_t first_start_ns; /* its first start; -1 before */
    dcs_time_t remaining_ns;   /* work left, at its size (fixed jobs) */
    dcs_time_t overhead_ns;    /* its next run's checkpoint save and
                                  restore, before the work resumes */
    dcs_time_t expect_end_ns;  /* running: the scheduler's expectation */
    dcs_time_t attained_ns;    /* time it has run, all runs */
    double attained_gpu_s;     /* GPU-seconds it has held, all runs */
    int preemptions;           /* times a policy stopped and requeued it */
    int evictions;             /* times a node failure stopped it */
    int resizes;               /* times it changed size while running
                                  (elastic jobs, dcs_sched_resize) */
    dcs_time_t stop_ns;        /* when it last left its GPUs; -1 never */
};

/* The run's jobs, in submission order; owns them. */
typedef struct dcs_jobs {
    dcs_job_t **items;
    size_t len, cap;
} dcs_jobs_t;

/* A new job with the given id appended to `jobs`; NULL when out of memory.
 * The job starts pending, with start and end at -1, team "default", any
 * GPU model and speed 1. */
dcs_job_t *dcs_jobs_add(dcs_jobs_t *jobs, int64_t id);
/* Frees every job. */
void dcs_jobs_destroy(dcs_jobs_t *jobs);

#endif
