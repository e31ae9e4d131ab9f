/* synth.h - a synthetic stream of jobs.
 *
 * Jobs arrive as a Poisson process; each asks for a GPU count drawn from a
 * discrete distribution and runs for a log-normally distributed time (the
 * shape published cluster traces show: many short jobs, a long tail).
 * Arrivals, GPU counts, durations and teams draw from separate named random
 * streams, so changing one distribution leaves the others' draws alone. */
#ifndef DCS_SYNTH_H
#define DCS_SYNTH_H

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "config/cfg.h"
#include "engine/sim.h"
#include "workload/job.h"

typedef struct dcs_synth_spec {
    int64_t jobs;              /* how many jobs arrive */
    double arrival_rate_per_h; /* mean arrivals per hour */
    double duration_median_s;  /* median run time */
    double duration_sigma;     /* log-normal shape (sigma of ln duration) */
    double duration_max_s;     /* run times are capped here */
    int *gpu_counts;           /* possible GPU counts (malloc'd) */
    double *gpu_weights;       /* their relative weights (malloc'd) */
    size_t nchoices;           /* entries in both */
    char (*teams)[32];         /* team names (malloc'd), uniform choice */
    size_t nteams;
} dcs_synth_spec_t;

/* Reads a `workload` mapping with kind: synthetic. Returns 0 or DCS_EINPUT;
 * on error nothing needs freeing. */
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
    gsl_ran_discrete_t *gpu_table;
    int64_t emitted;
} dcs_synth_t;

/* Schedules the first arrival on `sim`; each arrival appends a job to
 * `jobs`, hands it to `sink`, and schedules the next until spec->jobs have
 * arrived. Returns 0 or DCS_ENOMEM. */
int dcs_synth_start(dcs_synth_t *synth, const dcs_synth_spec_t *spec,
                    dcs_sim_t *sim, uint64_t seed, dcs_jobs_t *jobs,
                    dcs_job_sink_fn sink, void *sink_ctx);
void dcs_synth_destroy(dcs_synth_t *synth);

#endif
