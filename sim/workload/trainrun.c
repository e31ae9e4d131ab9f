/* trainrun.c - iterations, checkpoints and failures over wall time. */
#include "workload/trainrun.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <string.h>

static double next_gap(const dcs_train_run_spec_t *spec, gsl_rng *rng)
{
    if (spec->failure_rate_per_s <= 0)
        return INFINITY;
    return gsl_ran_exponential(rng, 1.0 / spec->failure_rate_per_s);
}

/* Where a run stands. */
typedef struct state {
    double t, fail;      /* now; when the next failure strikes */
    int64_t done, saved; /* iterations done; as of the last checkpoint */
    double since;        /* iteration time since the last checkpoint */
} state_t;

/* A failure at s->fail: the work since the last checkpoint, and the part
 * of the iteration or write under way, are lost; then the restart, struck
 * again by any failure that comes before it ends. */
static void fail_now(const dcs_train_run_spec_t *spec, gsl_rng *rng, state_t *s,
                     dcs_train_run_t *out)
{
    out->lost_s += s->since + (s->fail - s->t);
    s->t = s->fail;
    s->done = s->saved;
    s->since = 0;
    out->failures++;
    for (;;) {
        s->fail = s->t + next_gap(spec, rng);
        if (s->fail >= s->t + spec->restart_s)
            break;
        out->restart_s += s->fail - s->t;
        s->t = s->fail;
        out->failures++;
    }
    s->t += spec->restart_s;
    out->restart_s += spec->restart_s;
}

int64_t dcs_train_run(const dcs_train_run_spec_t *spec, gsl_rng *rng,
                      int stepwise, dcs_train_run_t *out)
{
    memset(out, 0, sizeof *out);
    state_t s = {0, next_gap(spec, rng), 0, 0, 0};
    double T = spec->iteration_s, W = spec->ckpt_write_s;
    int64_t every = spec->ckpt_every > 0 ? spec->ckpt_every : 0, steps = 0;
    while (s.done < spec->iterations) {
        steps++;
        /* The next checkpoint, or the end. */
        int64_t goal = spec->iterations;
        if (every > 0 && (s.done / every + 1) * every < goal)
            goal = (s.done / every + 1) * every;
        int64_t want = stepwise ? 1 : goal - s.done;
        /* Whole iterations that end no later than the next failure. */
        int64_t fit = want;
        if (isfinite(s.fail)) {
            double room = floor((s.fail - s.t) / T);
            if (room < (double)fit)
                fit = room < 0 ? 0 : (int64_t)room;
            while (fit > 0 && s.t + (double)fit * T > s.fail)
                fit--; /* rounding */
        }
        s.t += (double)fit * T;
        s.done += fit;
        s.since += (double)fit * T;
        out->iterations_run += fit;
        if (fit < want) {
            fail_now(spec, rng, &s, out);
            continue;
        }
        if (s.done < goal || s.done >= spec->iterations)
            continue;
        /* A checkpoint: the write completes unless a failure strikes. */
        if (s.t + W > s.fail) {
            fail_now(spec, rng, &s, out);
            continue;
        }
        s.t += W;
        out->ckpt_s += W;
        out->checkpoints++;
        s.saved = s.done;
        s.since = 0;
    }
    out->wall_s = s.t;
    out->compute_s = (double)spec->iterations * T;
    return steps;
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
