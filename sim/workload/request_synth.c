/* request_synth.c - synthetic inference requests: Poisson or gamma renewal
 * arrivals, thinned to a sinusoidal rate when there is a diurnal cycle,
 * and prompt and output lengths from fixed, uniform, Zipf or log-normal
 * distributions.
 *
 * Arrivals, input lengths and output lengths each have their own named
 * stream, so a change to one distribution leaves the others' draws alone;
 * a fixed length draws nothing. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "engine/rng.h"
#include "workload/request.h"

/* pi, which strict C11's math.h does not define. */
static const double PI = 3.14159265358979323846;

/* ---- the spec's ranges (the YAML reader checks the same) -------------- */

static int dist_ok(const dcs_token_dist_t *d)
{
    switch (d->kind) {
    case DCS_TOKENS_FIXED:
        return d->value >= 1 && d->value <= DCS_REQUEST_MAX_TOKENS;
    case DCS_TOKENS_UNIFORM:
        return d->min >= 1 && d->min <= d->max &&
               d->max <= DCS_REQUEST_MAX_TOKENS;
    case DCS_TOKENS_ZIPF:
        return d->zipf_s >= 0 && d->zipf_s <= 10 && d->max >= 1 &&
               d->max <= DCS_REQUEST_MAX_ZIPF;
    case DCS_TOKENS_LOGNORMAL:
        return d->max >= 1 && d->max <= DCS_REQUEST_MAX_TOKENS &&
               d->median >= 1 && d->median <= d->max && d->sigma >= 0 &&
               d->sigma <= 10;
    }
    return 0;
}

static int spec_check(const dcs_request_spec_t *s, dcs_err_t *err)
{
    const char *bad = NULL;
    if (s->count < 0 || s->count > DCS_REQUESTS_MAX)
        bad = "count";
    else if (!(s->duration_s >= 0 && s->duration_s <= 1e9))
        bad = "duration_s";
    else if (s->count == 0 && s->duration_s == 0)
        bad = "count or duration_s (neither is set)";
    else if (s->process != DCS_ARRIVAL_POISSON &&
             s->process != DCS_ARRIVAL_GAMMA)
        bad = "process";
    else if (!(s->rate_per_s > 0 && s->rate_per_s <= 1e9))
        bad = "rate_per_s";
    else if (s->process == DCS_ARRIVAL_GAMMA &&
             !(s->cv >= 0.01 && s->cv <= 100))
        bad = "cv";
    else if (!(s->diurnal_amplitude >= 0 && s->diurnal_amplitude <= 1))
        bad = "diurnal amplitude";
    else if (s->diurnal_amplitude > 0 &&
             !(s->diurnal_period_s > 0 && s->diurnal_period_s <= 1e9 &&
               isfinite(s->diurnal_peak_s)))
        bad = "diurnal period_s or peak_s";
    else if (!dist_ok(&s->input))
        bad = "input length distribution";
    else if (!dist_ok(&s->output))
        bad = "output length distribution";
    if (bad)
        return dcs_err_set(err, DCS_EINVAL, "request spec: bad %s", bad);
    return 0;
}

/* ---- lengths --------------------------------------------------------- */

typedef struct length_source {
    const dcs_token_dist_t *dist;
    gsl_rng *rng;
    gsl_ran_discrete_t *zipf; /* the table over 1..max (zipf only) */
} length_source_t;

/* Weights 1/k^s over k = 1..max. */
static gsl_ran_discrete_t *zipf_table(const dcs_token_dist_t *d)
{
    size_t n = (size_t)d->max;
    double *w = malloc(n * sizeof *w);
    if (!w)
        return NULL;
    for (size_t k = 0; k < n; k++)
        w[k] = pow((double)(k + 1), -d->zipf_s);
    gsl_ran_discrete_t *t = gsl_ran_discrete_preproc(n, w);
    free(w);
    return t;
}

static int length_init(length_source_t *l, const dcs_token_dist_t *d,
                       uint64_t seed, const char *stream)
{
    l->dist = d;
    l->rng = dcs_rng_new(seed, stream);
    l->zipf = d->kind == DCS_TOKENS_ZIPF ? zipf_table(d) : NULL;
    return l->rng && (d->kind != DCS_TOKENS_ZIPF || l->zipf) ? 0 : DCS_ENOMEM;
}

static void length_free(length_source_t *l)
{
    if (l->rng)
        gsl_rng_free(l->rng);
    if (l->zipf)
        gsl_ran_discrete_free(l->zipf);
}

static int32_t draw_length(const length_source_t *l)
{
    const dcs_token_dist_t *d = l->dist;
    switch (d->kind) {
    case DCS_TOKENS_FIXED:
        return d->value;
    case DCS_TOKENS_UNIFORM:
        return d->min + (int32_t)gsl_rng_uniform_int(
                            l->rng, (unsigned long)(d->max - d->min) + 1);
    case DCS_TOKENS_ZIPF:
        return (int32_t)gsl_ran_discrete(l->rng, l->zipf) + 1;
    case DCS_TOKENS_LOGNORMAL: {
        double x = gsl_ran_lognormal(l->rng, log(d->median), d->sigma);
        if (!(x < d->max))
            return d->max;
        return x < 1 ? 1 : (int32_t)llround(x); /* x < max: <= max */
    }
    }
    return 1;
}

/* ---- arrivals -------------------------------------------------------- */

typedef struct arrival_source {
    const dcs_request_spec_t *spec;
    gsl_rng *rng;
    double peak;       /* the largest rate / rate_per_s: 1 + amplitude */
    double mean_gap_s; /* of the candidates, at the peak rate */
    double shape;      /* gamma: 1 / cv^2 */
} arrival_source_t;

static dcs_time_t add_sat(dcs_time_t t, dcs_time_t d)
{
    return d >= DCS_TIME_NEVER - t ? DCS_TIME_NEVER : t + d;
}

/* The rate at `t_s` over its peak: in [0, 1]. */
static double keep_fraction(const dcs_request_spec_t *s, double t_s)
{
    double a = s->diurnal_amplitude;
    double phase = fmod(t_s - s->diurnal_peak_s, s->diurnal_period_s);
    return (1 + a * cos(2 * PI * phase / s->diurnal_period_s)) / (1 + a);
}

/* The arrival after `now`, or one at or past `end` (which the caller
 * does not keep): candidates at the peak rate, each kept with probability
 * rate(t) / peak; without a cycle every one is kept, drawing no
 * uniform. */
static dcs_time_t next_arrival(const arrival_source_t *a, dcs_time_t now,
                               dcs_time_t end)
{
    const dcs_request_spec_t *s = a->spec;
    dcs_time_t t = now;
    for (;;) {
        double gap_s =
            s->process == DCS_ARRIVAL_GAMMA
                ? gsl_ran_gamma(a->rng, a->shape, a->mean_gap_s / a->shape)
                : gsl_ran_exponential(a->rng, a->mean_gap_s);
        t = add_sat(t, dcs_time_from_s(gap_s));
        if (s->diurnal_amplitude == 0 || t >= end)
            return t;
        if (gsl_rng_uniform(a->rng) < keep_fraction(s, dcs_time_to_s(t)))
            return t;
    }
}

/* ---- the list -------------------------------------------------------- */

static int fill(const dcs_request_spec_t *spec, arrival_source_t *arr,
                const length_source_t *in, const length_source_t *out,
                dcs_requests_t *r, dcs_err_t *err)
{
    dcs_time_t end = spec->duration_s > 0 ? dcs_time_from_s(spec->duration_s)
                                          : DCS_TIME_NEVER;
    dcs_time_t t = 0;
    while (spec->count == 0 || (int64_t)r->len < spec->count) {
        t = next_arrival(arr, t, end);
        if (t >= end)
            break;
        if ((int64_t)r->len == DCS_REQUESTS_MAX)
            return dcs_err_set(err, DCS_EINVAL,
                               "more than %lld requests before duration_s; "
                               "set count or a shorter duration_s",
                               (long long)DCS_REQUESTS_MAX);
        dcs_request_t q = {(int64_t)r->len, t, 0, 0};
        q.input_tokens = draw_length(in);
        q.output_tokens = draw_length(out);
        if (dcs_requests_add(r, &q) < 0)
            return dcs_err_set(err, DCS_ENOMEM,
                               "out of memory drawing %zu requests", r->len);
    }
    r->records = (int64_t)r->len;
    return 0;
}

int dcs_requests_generate(const dcs_request_spec_t *spec, uint64_t seed,
                          dcs_requests_t *r, dcs_err_t *err)
{
    memset(r, 0, sizeof *r);
    int rc = spec_check(spec, err);
    if (rc < 0)
        return rc;
    arrival_source_t arr = {.spec = spec};
    arr.rng = dcs_rng_new(seed, "requests.arrivals");
    arr.peak = 1 + spec->diurnal_amplitude;
    arr.mean_gap_s = 1.0 / (spec->rate_per_s * arr.peak);
    arr.shape =
        spec->process == DCS_ARRIVAL_GAMMA ? 1.0 / (spec->cv * spec->cv) : 1;
    length_source_t in = {0}, out = {0};
    if (!arr.rng || length_init(&in, &spec->input, seed, "requests.input") ||
        length_init(&out, &spec->output, seed, "requests.output"))
        rc = dcs_err_set(err, DCS_ENOMEM,
                         "out of memory preparing request streams");
    else
        rc = fill(spec, &arr, &in, &out, r, err);
    if (arr.rng)
        gsl_rng_free(arr.rng);
    length_free(&in);
    length_free(&out);
    if (rc < 0)
        dcs_requests_destroy(r);
    return rc;
}
