/* synth.h - a synthetic stream of jobs.
 *
 * Jobs arrive as a Poisson process; each asks for a GPU count drawn from a
 * discrete distribution and runs for a log-normally distributed time (the
 * shape published cluster traces show: many short jobs, a long tail).
 * Optional keys make the stream look like a real cluster's: a daily cycle
 * and a quieter weekend in the arrival rate (a non-homogeneous Poisson
 * process, drawn by thinning), users within teams (uniform or Zipf-like),
 * priority classes, users' misestimates of run time, deadlines and elastic
 * GPU bounds. A `preset` fills the distributions from a published cluster's
 * statistics (workloads/presets/).
 *
 * Every kind of draw has its own named random stream (workload.arrivals,
 * .gpus, .durations, .teams, .users, .priorities, .estimates, .deadlines,
 * .elastic, .gpu_types), so changing one distribution leaves the others'
 * draws alone,
 * and a spec without the optional keys gives exactly the jobs it gave
 * before they existed. */
#ifndef DCS_SYNTH_H
#define DCS_SYNTH_H

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "config/cfg.h"
#include "engine/sim.h"
#include "workload/job.h"

typedef struct dcs_synth_spec {
    int64_t jobs;              /* how many jobs arrive */
    double arrival_rate_per_h; /* mean arrivals per hour, over a week */
    double duration_median_s;  /* median run time */
    double duration_sigma;     /* log-normal shape (sigma of ln duration) */
    double duration_max_s;     /* run times are capped here */
    int *gpu_counts;           /* possible GPU counts (malloc'd) */
    double *gpu_weights;       /* their relative weights (malloc'd) */
    size_t nchoices;           /* entries in both */
    char (*teams)[32];         /* team names (malloc'd), uniform choice */
    size_t nteams;
    /* Arrival cycle; the run starts on a Monday at 00:00. */
    int cycle;             /* 1: the rate varies (diurnal or weekend set) */
    double peak_to_trough; /* daily max / min rate (1: flat) */
    double peak_hour;      /* hour of day of the daily maximum, [0, 24] */
    double weekend_factor; /* Saturday and Sunday rate / weekday rate */
    /* Optional job attributes; each off at its default. */
    int64_t users_per_team;      /* users "<team>-u<k>" (0: no users) */
    double user_zipf_s;          /* user k submits in proportion to 1/k^s */
    int *priority_values;        /* priority classes (malloc'd; NULL: 0) */
    double *priority_weights;    /* their relative weights (malloc'd) */
    size_t npriorities;          /* entries in both */
    double estimate_error_sigma; /* estimate = run time x lognormal(0, s);
                                    < 0: jobs carry no estimate */
    double deadline_frac;        /* fraction of jobs with a deadline */
    double deadline_slack;       /* deadline = submit + slack x run time */
    double elastic_frac;         /* fraction of jobs with elastic bounds */
    char (*gpu_types)[16];       /* GPU models jobs ask for ("" any;
                                    malloc'd; NULL: every job any) */
    double *gpu_type_weights;    /* their relative weights (malloc'd) */
    size_t ngpu_types;           /* entries in both */
} dcs_synth_spec_t;

/* Reads a `workload` mapping with kind: synthetic (`kind` itself is the
 * caller's to check). `preset: NAME` (philly, helios) or `preset:
 * FILE.yaml` first reads the preset's file (workloads/presets/NAME.yaml
 * under $DCSIM_HOME, else the source tree; a FILE relative to the file
 * naming it), then the keys of `map` override it; a table (gpu_counts with
 * gpu_weights, teams, priorities) is replaced whole. Returns 0, DCS_EINPUT
 * (message FILE:LINE:COL: field '...': ..., naming the preset's file for
 * its own errors) or DCS_ENOMEM; on error nothing needs freeing. */
int dcs_synth_read(dcs_cfg_node_t *map, dcs_synth_spec_t *spec, dcs_err_t *err);
void dcs_synth_spec_destroy(dcs_synth_spec_t *spec);

/* Called for each job as it arrives (state queued, submit time set). */
typedef void (*dcs_job_sink_fn)(void *ctx, dcs_sim_t *sim, dcs_job_t *job);

typedef struct dcs_synth {
    const dcs_synth_spec_t *spec;
    dcs_jobs_t *jobs; /* where new jobs go (not owned) */
    dcs_job_sink_fn sink;
    void *sink_ctx;
    gsl_rng *arrivals, *gpus, *durations, *teams; /* named streams */
    gsl_rng *users, *priorities, *estimates, *deadlines, *elastic;
    gsl_ran_discrete_t *gpu_table;
    gsl_ran_discrete_t *user_table;     /* NULL without users */
    gsl_ran_discrete_t *priority_table; /* NULL without priorities */
    gsl_rng *gpu_types;                 /* NULL without gpu_types */
    gsl_ran_discrete_t *gpu_type_table; /* NULL without gpu_types */
    int64_t emitted;
} dcs_synth_t;

/* Prepares `synth` to draw jobs of `spec` (which must outlive it) from the
 * streams of run seed `seed`, without a simulation: for writing traces and
 * for tests. Returns 0 or DCS_ENOMEM (then nothing needs freeing). */
int dcs_synth_init(dcs_synth_t *synth, const dcs_synth_spec_t *spec,
                   uint64_t seed);

/* The arrival after one at `now_ns` (0 for the first): exponential gaps,
 * thinned to the daily and weekly cycle when there is one. Depends on the
 * arrivals stream alone. DCS_TIME_NEVER when the next arrival lies beyond
 * simulated time. Expected O(peak rate / mean rate) draws. */
dcs_time_t dcs_synth_next_arrival(dcs_synth_t *synth, dcs_time_t now_ns);

/* Draws the attributes of a job submitted at job->submit_ns: GPUs, run
 * time, team, and (where the spec asks) user, priority, estimate, deadline,
 * elastic bounds and GPU model. Leaves id, name, state and times alone. */
void dcs_synth_draw(dcs_synth_t *synth, dcs_job_t *job);

/* Schedules the first arrival on `sim`; each arrival appends a job to
 * `jobs`, hands it to `sink`, and schedules the next until spec->jobs have
 * arrived. Returns 0 or DCS_ENOMEM. */
int dcs_synth_start(dcs_synth_t *synth, const dcs_synth_spec_t *spec,
                    dcs_sim_t *sim, uint64_t seed, dcs_jobs_t *jobs,
                    dcs_job_sink_fn sink, void *sink_ctx);
/* Frees the streams and tables; dcs_synth_destroy on a zeroed or
 * destroyed synth is a no-op. */
void dcs_synth_destroy(dcs_synth_t *synth);

#endif
