/* trainrun.c - iterations, checkpoints and failures over wall time. */
#include "workload/trainrun.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <string.h>

#include "engine/error.h"

static double next_gap(const dcs_train_run_spec_t *spec, gsl_rng *rng)
{
    if (spec->failure_rate_per_s <= 0)
        return INFINITY;
    return gsl_ran_exponential(rng, 1.0 / spec->failure_rate_per_s);
}

/* A failure at s->fail: the work since the last checkpoint, and the part
 * of the iteration or write under way, are lost; then the restart, struck
 * again by any failure that comes before it ends. */
static void fail_now(dcs_train_runner_t *r)
{
    dcs_train_runner_state_t *s = &r->s;
    dcs_train_run_t *out = &r->out;
    out->lost_s += s->since + (s->fail - s->t);
    r->lost_compute_s += s->since;
    s->t = s->fail;
    s->done = s->saved;
    s->since = 0;
    s->ckpt_due = 0;
    out->failures++;
    for (;;) {
        s->fail = s->t + next_gap(&r->spec, r->rng);
        if (s->fail >= s->t + r->spec.restart_s)
            break;
        out->restart_s += s->fail - s->t;
        s->t = s->fail;
        out->failures++;
    }
    s->t += r->spec.restart_s;
    out->restart_s += r->spec.restart_s;
}

void dcs_train_runner_init(dcs_train_runner_t *r,
                           const dcs_train_run_spec_t *spec, gsl_rng *rng)
{
    memset(r, 0, sizeof *r);
    r->spec = *spec;
    r->rng = rng;
    r->s.fail = next_gap(spec, rng);
}

/* The due checkpoint's write of `W` s completes unless a failure strikes
 * first. */
static void write_ckpt(dcs_train_runner_t *r, double W)
{
    dcs_train_runner_state_t *s = &r->s;
    if (s->t + W > s->fail) {
        fail_now(r);
        return;
    }
    s->t += W;
    r->out.ckpt_s += W;
    r->out.checkpoints++;
    s->saved = s->done;
    s->since = 0;
    s->ckpt_due = 0;
}

/* At a checkpoint's end (or the run's start), whole periods of `every`
 * iterations and their write that end before the next failure and before
 * `until`, and leave a checkpoint still to come, are taken at once: a run
 * of months costs as many steps as it has failures, not checkpoints. The
 * last such period is left to the step-by-step loop (exact edges). */
static void skip_periods(dcs_train_runner_t *r, double until)
{
    dcs_train_runner_state_t *s = &r->s;
    const dcs_train_run_spec_t *spec = &r->spec;
    int64_t every = spec->ckpt_every;
    if (s->since != 0 || s->done % every != 0)
        return;
    double T = spec->iteration_s, W = spec->ckpt_write_s;
    double P = (double)every * T + W;
    int64_t last = (spec->iterations - 1) / every * every; /* last ckpt */
    double k = (double)((last - s->done) / every);
    if (isfinite(s->fail))
        k = fmin(k, floor((s->fail - s->t) / P));
    if (isfinite(until))
        k = fmin(k, floor((until - s->t) / P));
    if (!(k >= 2))
        return;
    int64_t n = (int64_t)k - 1;
    s->t += (double)n * P;
    s->done += n * every;
    s->saved = s->done;
    r->out.iterations_run += n * every;
    r->out.compute_s += (double)(n * every) * T;
    r->out.ckpt_s += (double)n * W;
    r->out.checkpoints += n;
    r->steps++;
}

int dcs_train_runner_advance(dcs_train_runner_t *r, double until, int stepwise)
{
    dcs_train_runner_state_t *s = &r->s;
    const dcs_train_run_spec_t *spec = &r->spec;
    int64_t every = spec->ckpt_every > 0 ? spec->ckpt_every : 0;
    while (s->done < spec->iterations) {
        if (s->ckpt_due) {
            if (r->external)
                return 2; /* the caller writes it */
            write_ckpt(r, spec->ckpt_write_s);
            continue;
        }
        double T = spec->iteration_s;
        if (!stepwise && !r->external && every > 0)
            skip_periods(r, until);
        if (s->t + T > until)
            return 0; /* paused at an iteration's end */
        r->steps++;
        /* The next checkpoint, or the end. */
        int64_t goal = spec->iterations;
        if (every > 0 && (s->done / every + 1) * every < goal)
            goal = (s->done / every + 1) * every;
        int64_t want = stepwise ? 1 : goal - s->done;
        /* Whole iterations that end no later than the next failure, nor
         * after `until`. */
        int64_t fit = want;
        if (isfinite(s->fail)) {
            double room = floor((s->fail - s->t) / T);
            if (room < (double)fit)
                fit = room < 0 ? 0 : (int64_t)room;
            while (fit > 0 && s->t + (double)fit * T > s->fail)
                fit--; /* rounding */
        }
        int paused = 0;
        if (isfinite(until)) {
            double room = floor((until - s->t) / T);
            if (room < (double)fit) {
                fit = room < 0 ? 0 : (int64_t)room;
                paused = 1;
            }
        }
        s->t += (double)fit * T;
        s->done += fit;
        s->since += (double)fit * T;
        r->out.iterations_run += fit;
        r->out.compute_s += (double)fit * T;
        if (paused)
            return 0;
        if (fit < want) {
            fail_now(r);
            continue;
        }
        if (s->done < goal || s->done >= spec->iterations)
            continue;
        s->ckpt_due = 1; /* a checkpoint */
    }
    if (!r->finished) {
        r->finished = 1;
        r->out.wall_s = s->t;
        /* iterations that counted: what ran, less what failures undid */
        r->out.compute_s -= r->lost_compute_s;
    }
    return 1;
}

void dcs_train_runner_ckpt_done(dcs_train_runner_t *r, double write_s)
{
    DCS_ASSERT(r->s.ckpt_due);
    write_ckpt(r, write_s);
}

void dcs_train_runner_ckpt_failed(dcs_train_runner_t *r)
{
    DCS_ASSERT(r->s.ckpt_due && isfinite(r->s.fail) && r->s.fail >= r->s.t);
    fail_now(r);
}

void dcs_train_runner_set_iteration(dcs_train_runner_t *r, double iteration_s)
{
    r->spec.iteration_s = iteration_s;
}

int64_t dcs_train_run(const dcs_train_run_spec_t *spec, gsl_rng *rng,
                      int stepwise, dcs_train_run_t *out)
{
    dcs_train_runner_t r;
    dcs_train_runner_init(&r, spec, rng);
    dcs_train_runner_advance(&r, INFINITY, stepwise);
    *out = r.out;
    return r.steps;
}

double dcs_young_daly_s(double write_s, double mtbf_s)
{
    if (!(mtbf_s > 0) || !isfinite(mtbf_s))
        return INFINITY;
    if (write_s >= 2.0 * mtbf_s)
        return mtbf_s;
    double r = write_s / (2.0 * mtbf_s);
    return sqrt(2.0 * write_s * mtbf_s) * (1.0 + sqrt(r) / 3.0 + r / 9.0) -
           write_s;
}
