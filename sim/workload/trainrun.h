/* trainrun.h - a training run over wall-clock time: iterations,
 * checkpoints, failures, restarts.
 *
 * The run computes `iterations` iterations of `iteration_s` each. Every
 * `ckpt_every` iterations it stops for `ckpt_write_s` to write a
 * checkpoint. Failures strike the job as a Poisson process of rate
 * `failure_rate_per_s` (its GPUs' and nodes' rates summed) at any moment of
 * its wall time; each costs the work since the last complete checkpoint
 * (an interrupted checkpoint write counts as lost) and `restart_s` to
 * reschedule and reload, during which a failure may strike again.
 *
 * Two ways to advance, with the same draws and the same result: one
 * iteration at a time (exact, for tests), and whole runs of iterations at
 * once up to the next checkpoint, failure or end, so a 54-day run of a
 * 16,384-GPU job takes as many steps as it has checkpoints and failures. */
#ifndef DCS_TRAINRUN_H
#define DCS_TRAINRUN_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

typedef struct dcs_train_run_spec {
    double iteration_s;
    int64_t iterations;        /* to complete */
    int64_t ckpt_every;        /* iterations between checkpoints (0: none) */
    double ckpt_write_s;       /* a checkpoint's blocking write */
    double restart_s;          /* after a failure, until iterations resume */
    double failure_rate_per_s; /* 0: no failures */
} dcs_train_run_spec_t;

typedef struct dcs_train_run {
    double wall_s;    /* from start to the last iteration */
    double compute_s; /* iterations that counted (their own durations) */
    double ckpt_s;    /* checkpoint writes completed */
    double lost_s;    /* iterations and writes undone by failures */
    double restart_s; /* restarts, including interrupted ones */
    int64_t checkpoints, failures, iterations_run;
} dcs_train_run_t;

/* A run that can pause and change pace: the iteration time may change
 * between calls (another job starting or ending on its links). */
typedef struct dcs_train_runner_state {
    double t, fail;      /* now; when the next failure strikes (s) */
    int64_t done, saved; /* iterations done; as of the last checkpoint */
    double since;        /* iteration time since the last checkpoint (s) */
    int ckpt_due;        /* 1: a checkpoint's write starts at t */
} dcs_train_runner_state_t;

typedef struct dcs_train_runner {
    dcs_train_run_spec_t spec;
    gsl_rng *rng; /* not owned */
    dcs_train_runner_state_t s;
    dcs_train_run_t out;
    double lost_compute_s; /* iteration time failures undid */
    int64_t steps;
    int finished;
    int external; /* 1: checkpoints are written by the caller, who is told
                     when one is due and says how long it took */
} dcs_train_runner_t;

/* Starts a run at time 0 (draws the first failure gap). */
void dcs_train_runner_init(dcs_train_runner_t *r,
                           const dcs_train_run_spec_t *spec, gsl_rng *rng);
/* Advances by whole iterations (`stepwise` 1: one per step), checkpoints,
 * failures and restarts until the run ends (returns 1; r->out is final)
 * or the next iteration would end after `until` (returns 0: paused at an
 * iteration's end, or mid-restart). With r->external set it also stops
 * where a checkpoint is due (returns 2; its write starts at r->s.t). */
int dcs_train_runner_advance(dcs_train_runner_t *r, double until, int stepwise);
/* The due checkpoint's write took `write_s` s (a failure drawn to strike
 * before its end undoes it, as in the runner's own writes). */
void dcs_train_runner_ckpt_done(dcs_train_runner_t *r, double write_s);
/* The failure drawn for r->s.fail struck while the due checkpoint was
 * being written: the write and the work since the last checkpoint are
 * lost. */
void dcs_train_runner_ckpt_failed(dcs_train_runner_t *r);
/* Iterations that end after the point the runner paused at take
 * `iteration_s` (the one under way at the change included). */
void dcs_train_runner_set_iteration(dcs_train_runner_t *r, double iteration_s);

/* Runs the spec; failure gaps are drawn from `rng` (exponential) only when
 * a failure is due, so both ways consume the same draws. `stepwise` 1:
 * one iteration per step. Returns the number of steps taken. */
int64_t dcs_train_run(const dcs_train_run_spec_t *spec, gsl_rng *rng,
                      int stepwise, dcs_train_run_t *out);

/* Young/Daly optimal checkpoint interval (s) for a checkpoint of
 * `write_s` and a mean time between failures `mtbf_s` (Daly 2006, the
 * higher-order form; Young's sqrt(2 write_s mtbf_s) for write_s >= 2 mtbf
 * would be meaningless, so then it returns mtbf_s). */
double dcs_young_daly_s(double write_s, double mtbf_s);

#endif
