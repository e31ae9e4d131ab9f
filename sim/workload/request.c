/* request.c - the request list, its drop counts and summary, exact trace
 * timestamps, the finishing pass every trace format shares, and reading
 * a scenario's `requests` section.
 *
 * The finishing pass is here, not in each reader, so that every format
 * agrees on where the clock starts, how ties are ordered, how time_scale
 * rounds and what a limit keeps. Generation is in request_synth.c, the
 * readers in request_<format>.c. */
#include "workload/request.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- the list -------------------------------------------------------- */

void dcs_requests_destroy(dcs_requests_t *r)
{
    if (!r)
        return;
    free(r->items);
    memset(r, 0, sizeof *r);
}

int dcs_requests_add(dcs_requests_t *r, const dcs_request_t *q)
{
    if (r->len == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 256;
        dcs_request_t *items = realloc(r->items, cap * sizeof *items);
        if (!items)
            return DCS_ENOMEM;
        r->items = items;
        r->cap = cap;
    }
    r->items[r->len++] = *q;
    return 0;
}

void dcs_requests_drop(dcs_requests_t *r, const char *reason)
{
    for (size_t i = 0; i < r->ndrops; i++)
        if (!strcmp(r->drops[i].reason, reason)) {
            r->drops[i].count++;
            return;
        }
    if (r->ndrops == DCS_TRACE_MAX_REASONS) {
        /* Reasons are the readers' literals, so this is not expected; if
         * it happens the count still adds up. */
        dcs_trace_drop_t *last = &r->drops[DCS_TRACE_MAX_REASONS - 1];
        dcs_trace_copy(last->reason, sizeof last->reason, "other");
        last->count++;
        return;
    }
    dcs_trace_drop_t *d = &r->drops[r->ndrops++];
    dcs_trace_copy(d->reason, sizeof d->reason, reason);
    d->count = 1;
}

int64_t dcs_requests_dropped(const dcs_requests_t *r, const char *reason)
{
    for (size_t i = 0; i < r->ndrops; i++)
        if (!strcmp(r->drops[i].reason, reason))
            return r->drops[i].count;
    return 0;
}

int64_t dcs_requests_dropped_total(const dcs_requests_t *r)
{
    int64_t sum = 0;
    for (size_t i = 0; i < r->ndrops; i++)
        sum += r->drops[i].count;
    return sum;
}

/* ---- summary --------------------------------------------------------- */

void dcs_requests_stats(const dcs_requests_t *r, double *rate_per_s,
                        double *mean_in, double *mean_out)
{
    double rate = 0, in = 0, out = 0;
    if (r->len >= 2) {
        dcs_time_t span =
            r->items[r->len - 1].arrival_ns - r->items[0].arrival_ns;
        if (span > 0)
            rate = (double)(r->len - 1) / dcs_time_to_s(span);
    }
    for (size_t i = 0; i < r->len; i++) {
        in += r->items[i].input_tokens;
        out += r->items[i].output_tokens;
    }
    if (r->len > 0) {
        in /= (double)r->len;
        out /= (double)r->len;
    }
    if (rate_per_s)
        *rate_per_s = rate;
    if (mean_in)
        *mean_in = in;
    if (mean_out)
        *mean_out = out;
}

void dcs_requests_print_counts(const dcs_requests_t *r, const char *label,
                               FILE *out)
{
    double rate, in, tokens_out;
    dcs_requests_stats(r, &rate, &in, &tokens_out);
    double span_s = r->len ? dcs_time_to_s(r->items[r->len - 1].arrival_ns -
                                           r->items[0].arrival_ns)
                           : 0;
    if (label)
        fprintf(out, "%s: ", label);
    fprintf(out,
            "%lld records, %zu requests kept over %.3f s (%.3f/s), mean "
            "input %.1f, mean output %.1f tokens; dropped: ",
            (long long)r->records, r->len, span_s, rate, in, tokens_out);
    if (r->ndrops == 0)
        fputs("none", out);
    for (size_t i = 0; i < r->ndrops; i++)
        fprintf(out, "%s%s %lld", i ? ", " : "", r->drops[i].reason,
                (long long)r->drops[i].count);
    fputc('\n', out);
}

/* ---- timestamps ------------------------------------------------------ */

int dcs_request_timestamp(const char *s, int64_t *ns)
{
    if (dcs_trace_is_empty(s))
        return DCS_TRACE_EMPTY;
    while (isspace((unsigned char)*s))
        s++;
    /* The whole seconds through the job-trace parser, which is exact for
     * them (integers far below 2^53), the fraction here in integers. */
    enum { DATE_LEN = 19 }; /* "YYYY-MM-DD HH:MM:SS" */
    char head[DATE_LEN + 1];
    if (strlen(s) < DATE_LEN)
        return DCS_TRACE_BAD;
    memcpy(head, s, DATE_LEN);
    head[DATE_LEN] = '\0';
    double whole_s;
    if (dcs_trace_datetime(head, &whole_s) != DCS_TRACE_OK)
        return DCS_TRACE_BAD;
    /* 1970 to 2199: nanoseconds since 1970 and any difference of two
     * stay far inside int64_t. */
    int year = atoi(head);
    if (year < 1970 || year > 2199)
        return DCS_TRACE_BAD;
    const char *rest = s + DATE_LEN;
    int64_t frac_ns = 0;
    if (*rest == '.') {
        int kept = 0;
        if (!isdigit((unsigned char)*++rest))
            return DCS_TRACE_BAD;
        for (; isdigit((unsigned char)*rest); rest++)
            if (kept < 9) {
                frac_ns = frac_ns * 10 + (*rest - '0');
                kept++;
            }
        for (; kept < 9; kept++)
            frac_ns *= 10;
    }
    if (*rest == 'Z')
        rest++;
    while (isspace((unsigned char)*rest))
        rest++;
    if (*rest)
        return DCS_TRACE_BAD;
    *ns = (int64_t)whole_s * DCS_NS_PER_S + frac_ns;
    return DCS_TRACE_OK;
}

/* ---- traces ---------------------------------------------------------- */

static const char *const format_names[] = {
    [DCS_REQUEST_AZURE] = "azure",
};
enum { NFORMATS = sizeof format_names / sizeof *format_names };

const char *dcs_request_format_name(dcs_request_format_t f)
{
    return (unsigned)f < NFORMATS ? format_names[f] : "unknown";
}

int dcs_request_format_find(const char *name)
{
    for (int f = 0; f < NFORMATS; f++)
        if (name && !strcmp(name, format_names[f]))
            return f;
    return -1;
}

/* Readers keep the CSV line in `id`, so it breaks ties as the file did. */
static int by_arrival(const void *a, const void *b)
{
    const dcs_request_t *x = a, *y = b;
    if (x->arrival_ns != y->arrival_ns)
        return x->arrival_ns < y->arrival_ns ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

/* Drops requests [from, len) under `reason`. */
static void drop_tail(dcs_requests_t *r, size_t from, const char *reason)
{
    while (r->len > from) {
        r->len--;
        dcs_requests_drop(r, reason);
    }
}

/* Sorted, limited, on the clock of the first kept timestamp, scaled,
 * numbered. */
static void finish(dcs_requests_t *r, double time_scale, int64_t limit)
{
    if (r->len > 1)
        qsort(r->items, r->len, sizeof *r->items, by_arrival);
    if (limit > 0 && r->len > (size_t)limit)
        drop_tail(r, (size_t)limit, DCS_DROP_LIMIT);
    if (r->len == 0)
        return;
    dcs_time_t origin = r->items[0].arrival_ns;
    for (size_t i = 0; i < r->len; i++) {
        dcs_request_t *q = &r->items[i];
        dcs_time_t d = q->arrival_ns - origin; /* < 2^63: years checked */
        if (time_scale != 1) {
            double scaled = (double)d * time_scale;
            if (!(scaled < 9.2e18)) {
                /* Sorted, so every later one is out of range too. */
                drop_tail(r, i, DCS_DROP_TIME_RANGE);
                break;
            }
            d = (dcs_time_t)llround(scaled);
        }
        q->arrival_ns = d;
        q->id = (int64_t)i;
    }
}

int dcs_requests_read_trace(const char *path, dcs_request_format_t f,
                            double time_scale, int64_t limit, dcs_requests_t *r,
                            dcs_err_t *err)
{
    memset(r, 0, sizeof *r);
    if (!(time_scale > 0) || !isfinite(time_scale))
        return dcs_err_set(err, DCS_EINVAL,
                           "%s: time_scale must be above 0, found %g", path,
                           time_scale);
    if (limit < 0)
        return dcs_err_set(err, DCS_EINVAL,
                           "%s: limit must be 0 (all) or more, found %lld",
                           path, (long long)limit);
    int rc;
    switch (f) {
    case DCS_REQUEST_AZURE:
        rc = dcs_requests_read_azure(path, r, err);
        break;
    default:
        rc = dcs_err_set(err, DCS_EINVAL, "%s: unknown request format %d", path,
                         (int)f);
    }
    if (rc < 0) {
        if (rc == DCS_ENOMEM && err && !err->msg[0])
            dcs_err_set(err, rc, "out of memory reading '%s'", path);
        dcs_requests_destroy(r);
        return rc;
    }
    finish(r, time_scale, limit);
    return 0;
}

/* ---- from a scenario: synthetic keys --------------------------------- */

/* A number in (0, hi], with one message for every way it is not. */
static int positive(dcs_cfg_node_t *map, const char *key, unsigned flags,
                    double hi, double *out, dcs_err_t *err)
{
    double v = *out;
    int rc = dcs_cfg_f64(map, key, flags, -HUGE_VAL, HUGE_VAL, &v, err);
    dcs_cfg_node_t *node = dcs_cfg_get(map, key);
    if (rc < 0 || !node)
        return rc;
    if (!(v > 0 && v <= hi))
        return dcs_cfg_error(node, err,
                             "expected a number in (0, %g], found '%s'", hi,
                             dcs_cfg_scalar(node));
    *out = v;
    return 0;
}

/* A token count in [lo, hi] into an int32_t. */
static int tokens(dcs_cfg_node_t *map, const char *key, int64_t lo, int64_t hi,
                  int32_t *out, dcs_err_t *err)
{
    int64_t v = 0;
    int rc = dcs_cfg_i64(map, key, DCS_CFG_REQUIRED, lo, hi, &v, err);
    if (rc == 0)
        *out = (int32_t)v;
    return rc;
}

static int read_dist(dcs_cfg_node_t *map, const char *key, dcs_token_dist_t *d,
                     dcs_err_t *err)
{
    static const char *const dists[] = {"fixed", "uniform", "zipf", "lognormal",
                                        NULL};
    const int64_t most = DCS_REQUEST_MAX_TOKENS;
    dcs_cfg_node_t *m = NULL;
    int kind = 0, rc;
    memset(d, 0, sizeof *d);
    if ((rc = dcs_cfg_map(map, key, DCS_CFG_REQUIRED, &m, err)) < 0 ||
        (rc = dcs_cfg_enum(m, "dist", DCS_CFG_REQUIRED, dists, &kind, err)) < 0)
        return rc;
    d->kind = (dcs_token_dist_kind_t)kind;
    switch (d->kind) {
    case DCS_TOKENS_FIXED:
        return tokens(m, "value", 1, most, &d->value, err);
    case DCS_TOKENS_UNIFORM:
        if ((rc = tokens(m, "min", 1, most, &d->min, err)) < 0 ||
            (rc = tokens(m, "max", 1, most, &d->max, err)) < 0)
            return rc;
        if (d->min > d->max)
            return dcs_cfg_error(dcs_cfg_get(m, "min"), err,
                                 "expected a number <= max (%d), found '%d'",
                                 (int)d->max, (int)d->min);
        return 0;
    case DCS_TOKENS_ZIPF:
        d->min = 1;
        if ((rc = dcs_cfg_f64(m, "s", DCS_CFG_REQUIRED, 0, 10, &d->zipf_s,
                              err)) < 0)
            return rc;
        return tokens(m, "max", 1, DCS_REQUEST_MAX_ZIPF, &d->max, err);
    case DCS_TOKENS_LOGNORMAL:
        d->min = 1;
        if ((rc = dcs_cfg_f64(m, "median", DCS_CFG_REQUIRED, 1, (double)most,
                              &d->median, err)) < 0 ||
            (rc = dcs_cfg_f64(m, "sigma", DCS_CFG_REQUIRED, 0, 10, &d->sigma,
                              err)) < 0 ||
            (rc = tokens(m, "max", 1, most, &d->max, err)) < 0)
            return rc;
        if (d->median > d->max)
            return dcs_cfg_error(dcs_cfg_get(m, "median"), err,
                                 "expected a number <= max (%d), found '%s'",
                                 (int)d->max,
                                 dcs_cfg_scalar(dcs_cfg_get(m, "median")));
        return 0;
    }
    return 0;
}

/* diurnal: {amplitude, period_s, peak_s}. */
static int read_diurnal(dcs_cfg_node_t *arrival, dcs_request_spec_t *spec,
                        dcs_err_t *err)
{
    dcs_cfg_node_t *d = NULL;
    int rc = dcs_cfg_map(arrival, "diurnal", DCS_CFG_OPTIONAL, &d, err);
    if (rc < 0 || !d)
        return rc;
    if ((rc = dcs_cfg_f64(d, "amplitude", DCS_CFG_REQUIRED, 0, 1,
                          &spec->diurnal_amplitude, err)) < 0 ||
        (rc = positive(d, "period_s", DCS_CFG_OPTIONAL, 1e9,
                       &spec->diurnal_period_s, err)) < 0 ||
        (rc = dcs_cfg_f64(d, "peak_s", DCS_CFG_REQUIRED, 0, 1e9,
                          &spec->diurnal_peak_s, err)) < 0)
        return rc;
    if (spec->diurnal_peak_s > spec->diurnal_period_s)
        return dcs_cfg_error(dcs_cfg_get(d, "peak_s"), err,
                             "expected a number in [0, period_s = %g], found "
                             "'%s'",
                             spec->diurnal_period_s,
                             dcs_cfg_scalar(dcs_cfg_get(d, "peak_s")));
    return 0;
}

/* arrival: {process, rate_per_s, cv, diurnal}. */
static int read_arrival(dcs_cfg_node_t *map, dcs_request_spec_t *spec,
                        dcs_err_t *err)
{
    static const char *const processes[] = {"poisson", "gamma", NULL};
    dcs_cfg_node_t *a = NULL;
    int process = 0, rc;
    if ((rc = dcs_cfg_map(map, "arrival", DCS_CFG_REQUIRED, &a, err)) < 0 ||
        (rc = dcs_cfg_enum(a, "process", DCS_CFG_REQUIRED, processes, &process,
                           err)) < 0 ||
        (rc = positive(a, "rate_per_s", DCS_CFG_REQUIRED, 1e9,
                       &spec->rate_per_s, err)) < 0)
        return rc;
    spec->process = (dcs_request_process_t)process;
    if (spec->process == DCS_ARRIVAL_GAMMA) {
        if ((rc = dcs_cfg_f64(a, "cv", DCS_CFG_REQUIRED, 0.01, 100, &spec->cv,
                              err)) < 0)
            return rc;
    } else if (dcs_cfg_get(a, "cv")) {
        return dcs_cfg_error(dcs_cfg_get(a, "cv"), err,
                             "cv is for process gamma only (Poisson gaps "
                             "have cv 1)");
    }
    return read_diurnal(a, spec, err);
}

int dcs_request_spec_read(dcs_cfg_node_t *map, dcs_request_spec_t *spec,
                          dcs_err_t *err)
{
    memset(spec, 0, sizeof *spec);
    spec->cv = 1;
    spec->diurnal_period_s = 86400;
    int rc;
    if ((rc = dcs_cfg_i64(map, "count", DCS_CFG_OPTIONAL, 1, DCS_REQUESTS_MAX,
                          &spec->count, err)) < 0 ||
        (rc = positive(map, "duration_s", DCS_CFG_OPTIONAL, 1e9,
                       &spec->duration_s, err)) < 0)
        return rc;
    if (spec->count == 0 && spec->duration_s == 0)
        return dcs_cfg_error(map, err,
                             "expected count or duration_s (or both), found "
                             "neither");
    if ((rc = read_arrival(map, spec, err)) < 0 ||
        (rc = read_dist(map, "input", &spec->input, err)) < 0 ||
        (rc = read_dist(map, "output", &spec->output, err)) < 0)
        return rc;
    double expected = spec->rate_per_s * spec->duration_s;
    if (spec->count == 0 && expected > (double)DCS_REQUESTS_MAX)
        return dcs_cfg_error(dcs_cfg_get(map, "duration_s"), err,
                             "rate_per_s x duration_s is %.3g requests, more "
                             "than the %lld a run holds; set count or a "
                             "shorter duration_s",
                             expected, (long long)DCS_REQUESTS_MAX);
    return 0;
}

/* ---- from a scenario ------------------------------------------------- */

/* `path` relative to base_dir, or (base_dir NULL) to its own file. */
static int trace_path(dcs_cfg_node_t *map, const char *base_dir, char **out,
                      dcs_err_t *err)
{
    if (!base_dir)
        return dcs_cfg_file_path(map, "path", DCS_CFG_REQUIRED, out, err);
    const char *rel = NULL;
    int rc = dcs_cfg_str(map, "path", DCS_CFG_REQUIRED, &rel, err);
    if (rc < 0)
        return rc;
    if (!*rel)
        return dcs_cfg_error(dcs_cfg_get(map, "path"), err,
                             "expected a file path, found ''");
    size_t size = strlen(base_dir) + strlen(rel) + 2;
    char *path = malloc(size);
    if (!path)
        return DCS_ENOMEM;
    if (rel[0] == '/' || !*base_dir)
        snprintf(path, size, "%s", rel);
    else
        snprintf(path, size, "%s/%s", base_dir, rel);
    *out = path;
    return 0;
}

/* kind: trace, format, path, time_scale, limit. */
static int read_trace_section(dcs_cfg_node_t *map, const char *base_dir,
                              dcs_requests_t *r, dcs_err_t *err)
{
    static const char *const formats[] = {"azure", NULL};
    int format = 0, rc;
    double time_scale = 1;
    int64_t limit = 0;
    char *path = NULL;
    if ((rc = dcs_cfg_enum(map, "format", DCS_CFG_REQUIRED, formats, &format,
                           err)) < 0 ||
        (rc = trace_path(map, base_dir, &path, err)) < 0 ||
        (rc = positive(map, "time_scale", DCS_CFG_OPTIONAL, 1e6, &time_scale,
                       err)) < 0 ||
        (rc = dcs_cfg_i64(map, "limit", DCS_CFG_OPTIONAL, 0, DCS_REQUESTS_MAX,
                          &limit, err)) < 0 ||
        (rc = dcs_cfg_check_unknown(map, err)) < 0) {
        free(path);
        return rc;
    }
    int f = dcs_request_format_find(formats[format]);
    DCS_ASSERT(f >= 0); /* the two lists name the same formats */
    dcs_err_t sub = {""};
    rc = dcs_requests_read_trace(path, (dcs_request_format_t)f, time_scale,
                                 limit, r, &sub);
    free(path);
    if (rc == DCS_EINPUT)
        return dcs_cfg_error(dcs_cfg_get(map, "path"), err, "%s", sub.msg);
    if (rc < 0)
        return dcs_err_set(err, rc, "%s", sub.msg);
    return 0;
}

int dcs_requests_read(dcs_cfg_node_t *map, const char *base_dir, uint64_t seed,
                      dcs_requests_t *r, dcs_err_t *err)
{
    static const char *const kinds[] = {"synthetic", "trace", NULL};
    memset(r, 0, sizeof *r);
    int kind = 0;
    int rc = dcs_cfg_enum(map, "kind", DCS_CFG_REQUIRED, kinds, &kind, err);
    if (rc < 0)
        return rc;
    if (kind == 1)
        return read_trace_section(map, base_dir, r, err);
    dcs_request_spec_t spec;
    if ((rc = dcs_request_spec_read(map, &spec, err)) < 0 ||
        (rc = dcs_cfg_check_unknown(map, err)) < 0)
        return rc;
    dcs_err_t sub = {""};
    rc = dcs_requests_generate(&spec, seed, r, &sub);
    if (rc == DCS_EINVAL) /* only a count past the limit, after reading */
        return dcs_cfg_error(map, err, "%s", sub.msg);
    if (rc < 0)
        return dcs_err_set(err, rc, "%s", sub.msg);
    return 0;
}
