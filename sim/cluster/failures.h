/* failures.h - nodes that fail and are repaired, taking their GPUs away.
 *
 * Each node fails after an exponential time of mean `mtbf_h` hours and is
 * back after an exponential repair of mean `repair_h` hours (failures of
 * different nodes independent; ASSUMPTION: a node fails at the same rate
 * busy or idle). When a node fails, every job running on it leaves all its
 * GPUs and goes back to the queue (dcs_sched_evict): a fixed-duration job
 * keeps the work of its last checkpoint, taken every `checkpoint_s` of
 * work (0: none, the run's work is lost); a training job keeps the
 * iterations of its own last checkpoint. Both pay the scheduler's
 * preempt_restore_s when they run again. The node's GPUs are in the failed
 * state (their power and the utilization report's failed_frac show it)
 * and out of the scheduler's reach until the repair ends.
 *
 * Scenario keys, in the scheduler section:
 *   node_failures: {mtbf_h: 20000, repair_h: 24, checkpoint_s: 3600}
 *
 * A job expected to need more than DCS_JOB_GIVE_UP_S under the failures
 * (dcs_expected_wall_s: on as few nodes as it fits, at the fastest pool's
 * pace, its work kept only at checkpoints) is refused at submit
 * (dcs_sched_t.hopeless). The process stops once every job the workload
 * will submit is done or refused, so a run still ends when its work does. Draws
 * come from the run's stream "node-failures": the same seed gives the same
 * failures. */
#ifndef DCS_FAILURES_H
#define DCS_FAILURES_H

#include <gsl/gsl_rng.h>

#include "cluster/sched.h"
#include "config/cfg.h"

typedef struct dcs_failure_spec {
    double mtbf_h;       /* per node (0: nodes never fail) */
    double repair_h;     /* mean repair time */
    double checkpoint_s; /* fixed jobs' checkpoint period (0: none) */
} dcs_failure_spec_t;

/* Reads `node_failures` from the scheduler mapping `sched_map` (NULL or
 * no key: nodes never fail). Returns 0 or DCS_EINPUT naming file, line
 * and field. */
int dcs_failures_read(dcs_cfg_node_t *sched_map, dcs_failure_spec_t *spec,
                      dcs_err_t *err);

typedef struct dcs_failures {
    dcs_failure_spec_t spec;
    dcs_sched_t *sched; /* not owned */
    dcs_sim_t *sim;
    gsl_rng *rng;
    int nodes, gpus_per_node;
    dcs_event_id_t *event; /* per node: its next failure or repair (0: none) */
    unsigned char *down;   /* per node: 1 while failed */
    int *gpu_ids;          /* scratch: one node's GPUs */
    int64_t expected_jobs;
    int stopped;        /* 1: every job is done, no more events */
    int64_t failures;   /* node failures so far */
    int64_t evictions;  /* jobs they stopped */
    dcs_time_t down_ns; /* node-time spent failed, up to the last repair
                           or the end (dcs_failures_finish) */
    dcs_time_t *down_since;
} dcs_failures_t;

/* Starts the process over the scheduler's cluster: every node up, its
 * first failure drawn. The process ends once `expected_jobs` jobs are
 * done or refused (< 0: never; the run then needs a horizon). Returns 0 or
 * DCS_ENOMEM. With spec->mtbf_h 0 it does nothing. */
int dcs_failures_start(dcs_failures_t *f, const dcs_failure_spec_t *spec,
                       dcs_sched_t *sched, dcs_sim_t *sim, uint64_t seed,
                       int64_t expected_jobs);

/* Counts the down time of nodes still failed at `end`. */
void dcs_failures_finish(dcs_failures_t *f, dcs_time_t end);

void dcs_failures_destroy(dcs_failures_t *f);

#endif
