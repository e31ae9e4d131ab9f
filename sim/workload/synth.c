/* synth.c - Poisson arrivals (thinned to a daily and weekly cycle),
 * discrete GPU counts, log-normal durations, and the optional attributes
 * of jobs on a shared cluster: users, priorities, estimates, deadlines,
 * elastic bounds.
 *
 * Reading is one routine applied to one or two mappings: a preset's file
 * first (as the base, where the required keys must be), then the scenario's
 * `workload` mapping, whose keys override. The config layer has no merge
 * keys, so the merge happens here, key by key; tables are replaced whole,
 * since half a GPU table from each file would describe neither cluster. */
#include "workload/synth.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rng.h"

#ifndef DCSIM_SOURCE_DIR
#define DCSIM_SOURCE_DIR "."
#endif

enum { PATH_LEN = 4096 };

/* pi, which strict C11's math.h does not define. */
static const double PI = 3.14159265358979323846;

static const char *const PRESETS[] = {"philly", "helios", NULL};

/* One pass of reading: which mapping, and whether it is the base (the
 * required keys must be there) or an override of a preset. */
typedef struct synth_read {
    dcs_cfg_node_t *map;
    dcs_synth_spec_t *spec;
    int base;                   /* 1: required keys must be present */
    dcs_cfg_node_t *users_node; /* where users_per_team was last set */
    dcs_err_t *err;
} synth_read_t;

static unsigned required(const synth_read_t *r)
{
    return r->base ? DCS_CFG_REQUIRED : DCS_CFG_OPTIONAL;
}

/* ---- tables ------------------------------------------------------------ */

/* Integers of a non-empty sequence into a malloc'd array. */
static int read_int_seq(dcs_cfg_node_t *seq, int64_t lo, int64_t hi,
                        const char *what, int **out, size_t *n, dcs_err_t *err)
{
    if (dcs_cfg_kind(seq) != DCS_CFG_SEQ || dcs_cfg_len(seq) == 0)
        return dcs_cfg_error(seq, err, "expected a non-empty sequence of %s",
                             what);
    size_t len = dcs_cfg_len(seq);
    int *v = calloc(len, sizeof *v);
    if (!v)
        return DCS_ENOMEM;
    for (size_t i = 0; i < len; i++) {
        int64_t x;
        int rc = dcs_cfg_as_i64(dcs_cfg_at(seq, i), lo, hi, &x, err);
        if (rc < 0) {
            free(v);
            return rc;
        }
        v[i] = (int)x;
    }
    *out = v;
    *n = len;
    return 0;
}

/* Weights that match `n` entries of `what` and are not all zero. */
static int check_weights(dcs_cfg_node_t *node, const double *w, size_t nw,
                         size_t n, const char *what, dcs_err_t *err)
{
    if (nw != n)
        return dcs_cfg_error(node, err,
                             "expected %zu weights, one per entry of %s, "
                             "found %zu",
                             n, what, nw);
    double sum = 0;
    for (size_t i = 0; i < nw; i++)
        sum += w[i];
    if (sum <= 0)
        return dcs_cfg_error(node, err, "expected at least one weight above 0");
    return 0;
}

/* gpu_counts with gpu_weights: both or neither in an override, since a
 * preset's weights belong to its own counts. */
static int read_gpu_choices(synth_read_t *r)
{
    dcs_cfg_node_t *counts = dcs_cfg_get(r->map, "gpu_counts");
    dcs_cfg_node_t *weights = dcs_cfg_get(r->map, "gpu_weights");
    if (!r->base && !counts && !weights)
        return 0;
    if (!r->base && (!counts || !weights))
        return dcs_cfg_error(counts ? counts : weights, r->err,
                             "gpu_counts and gpu_weights replace the "
                             "preset's table together; give both");
    int *c = NULL;
    double *w = NULL;
    size_t nc = 0, nw = 0;
    int rc = dcs_cfg_f64_seq(r->map, "gpu_weights", DCS_CFG_REQUIRED, 0, 1e12,
                             &w, &nw, r->err);
    if (rc < 0)
        return rc;
    if ((rc = dcs_cfg_node(r->map, "gpu_counts", DCS_CFG_REQUIRED, &counts,
                           r->err)) < 0 ||
        (rc = read_int_seq(counts, 1, 10000000, "GPU counts", &c, &nc,
                           r->err)) < 0 ||
        (rc = check_weights(weights, w, nw, nc, "gpu_counts", r->err)) < 0) {
        free(c);
        free(w);
        return rc;
    }
    free(r->spec->gpu_counts);
    free(r->spec->gpu_weights);
    r->spec->gpu_counts = c;
    r->spec->gpu_weights = w;
    r->spec->nchoices = nc;
    return 0;
}

static int read_teams(synth_read_t *r)
{
    dcs_synth_spec_t *spec = r->spec;
    dcs_cfg_node_t *teams = dcs_cfg_get(r->map, "teams");
    if (!teams && !r->base)
        return 0;
    size_t n = teams ? dcs_cfg_len(teams) : 1;
    if (teams && (dcs_cfg_kind(teams) != DCS_CFG_SEQ || n == 0))
        return dcs_cfg_error(teams, r->err,
                             "expected a non-empty sequence of team names");
    char(*names)[32] = calloc(n, sizeof *names);
    if (!names)
        return DCS_ENOMEM;
    if (!teams)
        snprintf(names[0], sizeof names[0], "default");
    for (size_t i = 0; teams && i < n; i++) {
        dcs_cfg_node_t *item = dcs_cfg_at(teams, i);
        const char *name = dcs_cfg_scalar(item);
        if (!name || !*name || strlen(name) >= sizeof names[i]) {
            free(names);
            return dcs_cfg_error(item, r->err,
                                 "expected a team name of 1 to %zu "
                                 "characters",
                                 sizeof names[i] - 1);
        }
        snprintf(names[i], sizeof names[i], "%s", name);
    }
    free(spec->teams);
    spec->teams = names;
    spec->nteams = n;
    return 0;
}

/* priorities: {values: [...], weights: [...]}, both required inside. */
static int read_priorities(synth_read_t *r)
{
    dcs_cfg_node_t *p = NULL, *values = NULL;
    int *v = NULL;
    double *w = NULL;
    size_t nv = 0, nw = 0;
    int rc = dcs_cfg_map(r->map, "priorities", DCS_CFG_OPTIONAL, &p, r->err);
    if (rc < 0 || !p)
        return rc;
    if ((rc = dcs_cfg_node(p, "values", DCS_CFG_REQUIRED, &values, r->err)) <
            0 ||
        (rc = read_int_seq(values, -1000000, 1000000, "priorities", &v, &nv,
                           r->err)) < 0 ||
        (rc = dcs_cfg_f64_seq(p, "weights", DCS_CFG_REQUIRED, 0, 1e12, &w, &nw,
                              r->err)) < 0 ||
        (rc = check_weights(dcs_cfg_get(p, "weights"), w, nw, nv, "values",
                            r->err)) < 0) {
        free(v);
        free(w);
        return rc;
    }
    free(r->spec->priority_values);
    free(r->spec->priority_weights);
    r->spec->priority_values = v;
    r->spec->priority_weights = w;
    r->spec->npriorities = nv;
    return 0;
}

/* gpu_types: {values: [...], weights: [...]}: the GPU models jobs ask for
 * ("" for any); the world checks them against the cluster's pools. */
static int read_gpu_types(synth_read_t *r)
{
    dcs_cfg_node_t *g = NULL, *values = NULL;
    double *w = NULL;
    size_t nw = 0;
    int rc = dcs_cfg_map(r->map, "gpu_types", DCS_CFG_OPTIONAL, &g, r->err);
    if (rc < 0 || !g)
        return rc;
    if ((rc = dcs_cfg_node(g, "values", DCS_CFG_REQUIRED, &values, r->err)) < 0)
        return rc;
    size_t n = dcs_cfg_len(values);
    if (dcs_cfg_kind(values) != DCS_CFG_SEQ || n == 0)
        return dcs_cfg_error(values, r->err,
                             "expected a non-empty sequence of GPU models");
    char(*names)[16] = calloc(n, sizeof *names);
    if (!names)
        return DCS_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        dcs_cfg_node_t *item = dcs_cfg_at(values, i);
        const char *name = dcs_cfg_scalar(item);
        if (!name || strlen(name) >= sizeof names[i]) {
            free(names);
            return dcs_cfg_error(item, r->err,
                                 "expected a GPU model of at most %zu "
                                 "characters (\"\" for any)",
                                 sizeof names[i] - 1);
        }
        snprintf(names[i], sizeof names[i], "%s", name);
    }
    if ((rc = dcs_cfg_f64_seq(g, "weights", DCS_CFG_REQUIRED, 0, 1e12, &w, &nw,
                              r->err)) < 0 ||
        (rc = check_weights(dcs_cfg_get(g, "weights"), w, nw, n, "values",
                            r->err)) < 0) {
        free(names);
        free(w);
        return rc;
    }
    free(r->spec->gpu_types);
    free(r->spec->gpu_type_weights);
    r->spec->gpu_types = names;
    r->spec->gpu_type_weights = w;
    r->spec->ngpu_types = n;
    return 0;
}

/* ---- cycle and attributes ---------------------------------------------- */

/* diurnal: {peak_to_trough, peak_hour}; weekend_factor. Either turns the
 * cycle on. */
static int read_cycle(synth_read_t *r)
{
    dcs_synth_spec_t *spec = r->spec;
    dcs_cfg_node_t *d = NULL;
    int rc = dcs_cfg_map(r->map, "diurnal", DCS_CFG_OPTIONAL, &d, r->err);
    if (rc < 0)
        return rc;
    if (d) {
        if ((rc = dcs_cfg_f64(d, "peak_to_trough", DCS_CFG_REQUIRED, 1, 1000,
                              &spec->peak_to_trough, r->err)) < 0 ||
            (rc = dcs_cfg_f64(d, "peak_hour", DCS_CFG_REQUIRED, 0, 24,
                              &spec->peak_hour, r->err)) < 0)
            return rc;
        spec->cycle = 1;
    }
    if (dcs_cfg_get(r->map, "weekend_factor")) {
        if ((rc = dcs_cfg_f64(r->map, "weekend_factor", DCS_CFG_REQUIRED, 0, 10,
                              &spec->weekend_factor, r->err)) < 0)
            return rc;
        spec->cycle = 1;
    }
    return 0;
}

/* A key that only means something with another one set. */
static int needs(synth_read_t *r, const char *key, int has_other,
                 const char *msg)
{
    dcs_cfg_node_t *node = dcs_cfg_get(r->map, key);
    if (node && !has_other)
        return dcs_cfg_error(node, r->err, "%s", msg);
    return 0;
}

static int read_users(synth_read_t *r)
{
    dcs_synth_spec_t *spec = r->spec;
    int rc;
    if ((rc = dcs_cfg_i64(r->map, "users_per_team", DCS_CFG_OPTIONAL, 1,
                          1000000, &spec->users_per_team, r->err)) < 0 ||
        (rc = dcs_cfg_f64(r->map, "user_zipf_s", DCS_CFG_OPTIONAL, 0, 10,
                          &spec->user_zipf_s, r->err)) < 0 ||
        (rc = needs(r, "user_zipf_s", spec->users_per_team > 0,
                    "needs users_per_team (users within each team)")) < 0)
        return rc;
    if (dcs_cfg_get(r->map, "users_per_team"))
        r->users_node = dcs_cfg_get(r->map, "users_per_team");
    return 0;
}

static int read_attributes(synth_read_t *r)
{
    dcs_synth_spec_t *spec = r->spec;
    int rc;
    if ((rc = dcs_cfg_f64(r->map, "estimate_error_sigma", DCS_CFG_OPTIONAL, 0,
                          5, &spec->estimate_error_sigma, r->err)) < 0 ||
        (rc = dcs_cfg_f64(r->map, "deadline_frac", DCS_CFG_OPTIONAL, 0, 1,
                          &spec->deadline_frac, r->err)) < 0 ||
        (rc = dcs_cfg_f64(r->map, "deadline_slack", DCS_CFG_OPTIONAL, 1, 1000,
                          &spec->deadline_slack, r->err)) < 0 ||
        (rc = needs(r, "deadline_slack", spec->deadline_frac > 0,
                    "needs deadline_frac above 0 (the fraction of jobs "
                    "with a deadline)")) < 0 ||
        (rc = dcs_cfg_f64(r->map, "elastic_frac", DCS_CFG_OPTIONAL, 0, 1,
                          &spec->elastic_frac, r->err)) < 0)
        return rc;
    return 0;
}

/* Every key of one mapping, in the order a reader of the file meets them. */
static int read_pass(synth_read_t *r)
{
    dcs_synth_spec_t *spec = r->spec;
    int rc;
    if ((rc = dcs_cfg_i64(r->map, "jobs", required(r), 1, 100000000,
                          &spec->jobs, r->err)) < 0 ||
        (rc = dcs_cfg_f64(r->map, "arrival_rate_per_h", required(r), 1e-6, 1e9,
                          &spec->arrival_rate_per_h, r->err)) < 0 ||
        (rc = dcs_cfg_f64(r->map, "duration_median_s", required(r), 1e-3, 1e9,
                          &spec->duration_median_s, r->err)) < 0 ||
        (rc = dcs_cfg_f64(r->map, "duration_sigma", required(r), 0, 10,
                          &spec->duration_sigma, r->err)) < 0 ||
        (rc = dcs_cfg_f64(r->map, "duration_max_s", DCS_CFG_OPTIONAL, 1e-3,
                          1e10, &spec->duration_max_s, r->err)) < 0 ||
        (rc = read_gpu_choices(r)) < 0 || (rc = read_teams(r)) < 0 ||
        (rc = read_cycle(r)) < 0 || (rc = read_users(r)) < 0 ||
        (rc = read_priorities(r)) < 0 || (rc = read_attributes(r)) < 0 ||
        (rc = read_gpu_types(r)) < 0)
        return rc;
    return 0;
}

/* Digits of a positive integer. */
static int digits(int64_t v)
{
    int n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

/* Checks that need the merged spec: user names must fit job->user. */
static int check_merged(const synth_read_t *r)
{
    const dcs_synth_spec_t *spec = r->spec;
    if (spec->users_per_team == 0)
        return 0;
    size_t longest = 0;
    for (size_t i = 0; i < spec->nteams; i++)
        if (strlen(spec->teams[i]) > longest)
            longest = strlen(spec->teams[i]);
    size_t len = longest + 2 + (size_t)digits(spec->users_per_team);
    if (len >= sizeof((dcs_job_t *)0)->user)
        return dcs_cfg_error(r->users_node, r->err,
                             "user names '<team>-u<k>' would be %zu "
                             "characters, more than the %zu a job keeps; "
                             "use shorter team names or fewer users",
                             len, sizeof((dcs_job_t *)0)->user - 1);
    return 0;
}

/* ---- presets ----------------------------------------------------------- */

/* The data root: $DCSIM_HOME, else the source tree, as dcs_cli_home() has
 * it; workload/ may not include cli/, a later layer, so it is repeated. */
static const char *data_home(void)
{
    const char *home = getenv("DCSIM_HOME");
    return home && *home ? home : DCSIM_SOURCE_DIR;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Where `preset: VALUE` points: a known name, or a .yaml path relative to
 * the file that names it. *path is malloc'd. */
static int preset_path(dcs_cfg_node_t *map, dcs_cfg_node_t *node, char **path,
                       dcs_err_t *err)
{
    const char *value = dcs_cfg_scalar(node);
    if (value && ends_with(value, ".yaml"))
        return dcs_cfg_file_path(map, "preset", DCS_CFG_REQUIRED, path, err);
    for (int i = 0; value && PRESETS[i]; i++) {
        if (strcmp(value, PRESETS[i]) != 0)
            continue;
        char buf[PATH_LEN];
        int n = snprintf(buf, sizeof buf, "%s/workloads/presets/%s.yaml",
                         data_home(), value);
        if (n < 0 || (size_t)n >= sizeof buf)
            return dcs_cfg_error(node, err, "preset path too long");
        if (!(*path = malloc((size_t)n + 1)))
            return DCS_ENOMEM;
        memcpy(*path, buf, (size_t)n + 1);
        return 0;
    }
    char names[128] = "";
    for (int i = 0; PRESETS[i]; i++)
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
                 i ? ", " : "", PRESETS[i]);
    return dcs_cfg_error(node, err,
                         "expected one of %s, or a path to a .yaml file, "
                         "found '%s'",
                         names, value ? value : "(not a name)");
}

/* Reads the preset's file as the base of `spec`. Its own errors name its
 * file; a file that cannot be loaded is reported at the `preset` key. */
static int read_preset(dcs_cfg_node_t *map, dcs_cfg_node_t *node,
                       dcs_synth_spec_t *spec, dcs_err_t *err)
{
    static const char *const kinds[] = {"synthetic", NULL};
    char *path = NULL;
    int kind = 0;
    int rc = preset_path(map, node, &path, err);
    if (rc < 0)
        return rc;
    dcs_err_t sub = {""};
    dcs_cfg_t *cfg = dcs_cfg_load(path, &sub);
    free(path);
    if (!cfg)
        return dcs_cfg_error(node, err, "cannot load the preset: %s", sub.msg);
    synth_read_t r = {
        .map = dcs_cfg_root(cfg), .spec = spec, .base = 1, .err = err};
    if ((rc = dcs_cfg_enum(r.map, "kind", DCS_CFG_REQUIRED, kinds, &kind,
                           err)) >= 0 &&
        (rc = read_pass(&r)) >= 0)
        rc = dcs_cfg_check_unknown(r.map, err);
    dcs_cfg_free(cfg);
    return rc;
}

/* ---- reading ----------------------------------------------------------- */

static void spec_defaults(dcs_synth_spec_t *spec)
{
    memset(spec, 0, sizeof *spec);
    spec->duration_max_s = 30 * 86400.0;
    spec->peak_to_trough = 1;
    spec->weekend_factor = 1;
    spec->estimate_error_sigma = -1;
    spec->deadline_slack = 2;
}

int dcs_synth_read(dcs_cfg_node_t *map, dcs_synth_spec_t *spec, dcs_err_t *err)
{
    spec_defaults(spec);
    synth_read_t r = {.map = map, .spec = spec, .base = 1, .err = err};
    dcs_cfg_node_t *preset = dcs_cfg_get(map, "preset");
    int rc = 0;
    if (preset) {
        /* The preset is the base; this mapping overrides it. */
        if ((rc = read_preset(map, preset, spec, err)) < 0)
            goto fail;
        r.base = 0;
    }
    if ((rc = read_pass(&r)) < 0)
        goto fail;
    if (!r.users_node) /* users_per_team came from the preset */
        r.users_node = preset;
    if ((rc = check_merged(&r)) < 0)
        goto fail;
    return 0;
fail:
    dcs_synth_spec_destroy(spec);
    return rc;
}

void dcs_synth_spec_destroy(dcs_synth_spec_t *spec)
{
    free(spec->gpu_counts);
    free(spec->gpu_weights);
    free(spec->teams);
    free(spec->priority_values);
    free(spec->priority_weights);
    free(spec->gpu_types);
    free(spec->gpu_type_weights);
    spec->gpu_types = NULL;
    spec->gpu_type_weights = NULL;
    spec->ngpu_types = 0;
    spec->gpu_counts = NULL;
    spec->gpu_weights = NULL;
    spec->teams = NULL;
    spec->priority_values = NULL;
    spec->priority_weights = NULL;
}

/* ---- arrivals ---------------------------------------------------------- */

/* The weekday rate multiplier that keeps the weekly mean at 1: five days
 * at c and two at weekend_factor x c. */
static double weekday_scale(const dcs_synth_spec_t *spec)
{
    return 7.0 / (5.0 + 2.0 * spec->weekend_factor);
}

/* The rate at `t_s` seconds after Monday 00:00, as a multiple of the mean:
 * a sinusoid over the day whose max/min is peak_to_trough (its mean over a
 * day is 1), times the weekday or weekend level. */
static double rate_factor(const dcs_synth_spec_t *spec, double t_s)
{
    double a = (spec->peak_to_trough - 1) / (spec->peak_to_trough + 1);
    double hour = fmod(t_s / 3600.0, 24.0);
    double daily = 1 + a * cos(2 * PI * (hour - spec->peak_hour) / 24.0);
    double day = fmod(floor(t_s / 86400.0), 7.0); /* 0 Monday .. 6 Sunday */
    double level = weekday_scale(spec);
    return daily * (day >= 5 ? spec->weekend_factor * level : level);
}

/* The largest rate_factor: the daily peak on the busier of weekday and
 * weekend. */
static double peak_factor(const dcs_synth_spec_t *spec)
{
    double a = (spec->peak_to_trough - 1) / (spec->peak_to_trough + 1);
    return (1 + a) * weekday_scale(spec) * fmax(1.0, spec->weekend_factor);
}

static dcs_time_t add_sat(dcs_time_t t, dcs_time_t d)
{
    return d >= DCS_TIME_NEVER - t ? DCS_TIME_NEVER : t + d;
}

dcs_time_t dcs_synth_next_arrival(dcs_synth_t *synth, dcs_time_t now_ns)
{
    const dcs_synth_spec_t *spec = synth->spec;
    /* Lewis and Shedler's thinning: candidates from a homogeneous process
     * at the peak rate, each kept with probability rate(t) / peak. Without
     * a cycle every candidate is kept and no uniform is drawn, so the
     * stream is the plain Poisson process it always was. */
    double peak = spec->cycle ? peak_factor(spec) : 1.0;
    double mean_gap_s = 3600.0 / (spec->arrival_rate_per_h * peak);
    dcs_time_t t = now_ns;
    for (;;) {
        double gap_s = gsl_ran_exponential(synth->arrivals, mean_gap_s);
        t = add_sat(t, dcs_time_from_s(gap_s));
        if (!spec->cycle || t == DCS_TIME_NEVER)
            return t;
        double keep = rate_factor(spec, dcs_time_to_s(t)) / peak;
        if (gsl_rng_uniform(synth->arrivals) < keep)
            return t;
    }
}

/* ---- job attributes ---------------------------------------------------- */

/* `t` scaled by `f` > 0, to the nearest ns, saturating; at least 1. */
static dcs_time_t scale_time(dcs_time_t t, double f)
{
    double ns = (double)t * f;
    if (ns >= 9.2e18)
        return DCS_TIME_NEVER;
    dcs_time_t r = (dcs_time_t)llround(ns);
    return r < 1 ? 1 : r;
}

static void draw_user(dcs_synth_t *synth, dcs_job_t *job)
{
    size_t k = gsl_ran_discrete(synth->users, synth->user_table) + 1;
    char name[sizeof job->team + 24]; /* room for any team and k */
    int n = snprintf(name, sizeof name, "%s-u%zu", job->team, k);
    DCS_ASSERT(n > 0 && (size_t)n < sizeof job->user); /* checked at read */
    memcpy(job->user, name, (size_t)n + 1);
}

/* What users, policies without an oracle and deadline-aware schedulers
 * see; each from its own stream, drawn only when the spec asks for it. */
static void draw_extras(dcs_synth_t *synth, dcs_job_t *job)
{
    const dcs_synth_spec_t *spec = synth->spec;
    if (synth->user_table)
        draw_user(synth, job);
    if (synth->priority_table)
        job->priority = spec->priority_values[gsl_ran_discrete(
            synth->priorities, synth->priority_table)];
    if (spec->estimate_error_sigma == 0)
        job->estimate_ns = job->duration_ns;
    else if (spec->estimate_error_sigma > 0)
        job->estimate_ns = scale_time(
            job->duration_ns,
            gsl_ran_lognormal(synth->estimates, 0, spec->estimate_error_sigma));
    if (spec->deadline_frac > 0 &&
        gsl_rng_uniform(synth->deadlines) < spec->deadline_frac)
        job->deadline_ns = add_sat(
            job->submit_ns, scale_time(job->duration_ns, spec->deadline_slack));
    if (spec->elastic_frac > 0 &&
        gsl_rng_uniform(synth->elastic) < spec->elastic_frac) {
        job->min_gpus = job->gpus / 2 > 1 ? job->gpus / 2 : 1;
        job->max_gpus = 2 * job->gpus;
    }
    if (synth->gpu_type_table)
        snprintf(job->gpu_type, sizeof job->gpu_type, "%s",
                 spec->gpu_types[gsl_ran_discrete(synth->gpu_types,
                                                  synth->gpu_type_table)]);
}

void dcs_synth_draw(dcs_synth_t *synth, dcs_job_t *job)
{
    const dcs_synth_spec_t *spec = synth->spec;
    job->gpus =
        spec->gpu_counts[gsl_ran_discrete(synth->gpus, synth->gpu_table)];
    double d_s = gsl_ran_lognormal(
        synth->durations, log(spec->duration_median_s), spec->duration_sigma);
    job->duration_ns = dcs_time_from_s(fmin(d_s, spec->duration_max_s));
    if (job->duration_ns < 1)
        job->duration_ns = 1;
    size_t team =
        spec->nteams > 1 ? gsl_rng_uniform_int(synth->teams, spec->nteams) : 0;
    snprintf(job->team, sizeof job->team, "%s", spec->teams[team]);
    draw_extras(synth, job);
}

/* ---- streams ----------------------------------------------------------- */

/* Zipf-like weights 1/k^s over users 1..n (s = 0: uniform). */
static gsl_ran_discrete_t *user_table(const dcs_synth_spec_t *spec)
{
    size_t n = (size_t)spec->users_per_team;
    double *w = malloc(n * sizeof *w);
    if (!w)
        return NULL;
    for (size_t k = 0; k < n; k++)
        w[k] = pow((double)(k + 1), -spec->user_zipf_s);
    gsl_ran_discrete_t *t = gsl_ran_discrete_preproc(n, w);
    free(w);
    return t;
}

int dcs_synth_init(dcs_synth_t *synth, const dcs_synth_spec_t *spec,
                   uint64_t seed)
{
    memset(synth, 0, sizeof *synth);
    synth->spec = spec;
    synth->arrivals = dcs_rng_new(seed, "workload.arrivals");
    synth->gpus = dcs_rng_new(seed, "workload.gpus");
    synth->durations = dcs_rng_new(seed, "workload.durations");
    synth->teams = dcs_rng_new(seed, "workload.teams");
    synth->users = dcs_rng_new(seed, "workload.users");
    synth->priorities = dcs_rng_new(seed, "workload.priorities");
    synth->estimates = dcs_rng_new(seed, "workload.estimates");
    synth->deadlines = dcs_rng_new(seed, "workload.deadlines");
    synth->elastic = dcs_rng_new(seed, "workload.elastic");
    synth->gpu_table =
        gsl_ran_discrete_preproc(spec->nchoices, spec->gpu_weights);
    if (spec->users_per_team > 0)
        synth->user_table = user_table(spec);
    if (spec->npriorities > 0)
        synth->priority_table =
            gsl_ran_discrete_preproc(spec->npriorities, spec->priority_weights);
    if (spec->ngpu_types > 0) {
        synth->gpu_types = dcs_rng_new(seed, "workload.gpu_types");
        synth->gpu_type_table =
            gsl_ran_discrete_preproc(spec->ngpu_types, spec->gpu_type_weights);
    }
    if ((spec->ngpu_types > 0 &&
         (!synth->gpu_types || !synth->gpu_type_table)) ||
        !synth->arrivals || !synth->gpus || !synth->durations ||
        !synth->teams || !synth->users || !synth->priorities ||
        !synth->estimates || !synth->deadlines || !synth->elastic ||
        !synth->gpu_table || (spec->users_per_team > 0 && !synth->user_table) ||
        (spec->npriorities > 0 && !synth->priority_table)) {
        dcs_synth_destroy(synth);
        return DCS_ENOMEM;
    }
    return 0;
}

/* ---- in a simulation --------------------------------------------------- */

static void arrival(dcs_sim_t *sim, void *obj, int64_t arg);

static void schedule_next(dcs_synth_t *synth, dcs_sim_t *sim)
{
    dcs_time_t now = dcs_sim_now(sim);
    dcs_time_t t = dcs_synth_next_arrival(synth, now);
    if (t != DCS_TIME_NEVER)
        dcs_sim_after(sim, t - now, arrival, synth, 0);
}

static void arrival(dcs_sim_t *sim, void *obj, int64_t arg)
{
    dcs_synth_t *synth = obj;
    (void)arg;
    dcs_job_t *job = dcs_jobs_add(synth->jobs, synth->emitted);
    DCS_ASSERT(job != NULL); /* out of memory mid-run: nothing sane to do */
    synth->emitted++;
    job->submit_ns = dcs_sim_now(sim);
    dcs_synth_draw(synth, job);
    job->state = DCS_JOB_QUEUED;
    if (synth->emitted < synth->spec->jobs)
        schedule_next(synth, sim);
    synth->sink(synth->sink_ctx, sim, job);
}

int dcs_synth_start(dcs_synth_t *synth, const dcs_synth_spec_t *spec,
                    dcs_sim_t *sim, uint64_t seed, dcs_jobs_t *jobs,
                    dcs_job_sink_fn sink, void *sink_ctx)
{
    int rc = dcs_synth_init(synth, spec, seed);
    if (rc < 0)
        return rc;
    synth->jobs = jobs;
    synth->sink = sink;
    synth->sink_ctx = sink_ctx;
    schedule_next(synth, sim);
    return 0;
}

void dcs_synth_destroy(dcs_synth_t *synth)
{
    gsl_rng *streams[] = {synth->arrivals,  synth->gpus,      synth->durations,
                          synth->teams,     synth->users,     synth->priorities,
                          synth->estimates, synth->deadlines, synth->elastic,
                          synth->gpu_types};
    for (size_t i = 0; i < sizeof streams / sizeof *streams; i++)
        if (streams[i])
            gsl_rng_free(streams[i]);
    if (synth->gpu_table)
        gsl_ran_discrete_free(synth->gpu_table);
    if (synth->user_table)
        gsl_ran_discrete_free(synth->user_table);
    if (synth->priority_table)
        gsl_ran_discrete_free(synth->priority_table);
    if (synth->gpu_type_table)
        gsl_ran_discrete_free(synth->gpu_type_table);
    memset(synth, 0, sizeof *synth);
}
