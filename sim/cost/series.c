/* series.c - periodic piecewise-constant series from a CSV, integrated by
 * splitting at step boundaries. */
#include "cost/series.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/table.h"

#define S_PER_HOUR      3600.0
#define MAX_PERIOD_HOUR 876600.0 /* 100 years of 365.25 days */

void dcs_series_const(dcs_series_t *s, double value)
{
    memset(s, 0, sizeof *s);
    s->constant = value;
}

void dcs_series_destroy(dcs_series_t *s)
{
    if (!s)
        return;
    free(s->start_s);
    free(s->value);
    dcs_series_const(s, 0);
}

/* ---- reading --------------------------------------------------------- */

/* A number filling the whole cell but for blanks around it; NaN and
 * infinities are refused. */
static int parse_cell(const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text)
        return -1;
    while (*end == ' ' || *end == '\t')
        end++;
    if (*end || !isfinite(v) || errno == ERANGE)
        return -1;
    *out = v;
    return 0;
}

/* "a number in [lo, hi]" etc., as the cfg accessors say it. */
static void expectation(char *buf, size_t size, double lo, double hi)
{
    int has_lo = !(isinf(lo) && lo < 0), has_hi = !(isinf(hi) && hi > 0);
    if (has_lo && has_hi)
        snprintf(buf, size, "a number in [%g, %g]", lo, hi);
    else if (has_lo)
        snprintf(buf, size, "a number >= %g", lo);
    else if (has_hi)
        snprintf(buf, size, "a number <= %g", hi);
    else
        snprintf(buf, size, "a number");
}

/* Fills s->start_s and s->value from the rows of `t`. */
static int load_rows(const dcs_table_t *t, const char *column, double lo,
                     double hi, double period_h, dcs_series_t *s,
                     dcs_err_t *err)
{
    int hour_col = dcs_table_col(t, "hour");
    int value_col = dcs_table_col(t, column);
    const char *missing = hour_col < 0 ? "hour" : column;
    if (hour_col < 0 || value_col < 0)
        return dcs_err_set(err, DCS_EINPUT,
                           "%s:1: no column '%s'; expected a header with "
                           "hour,%s",
                           t->path, missing, column);
    if (t->nrows == 0)
        return dcs_err_set(err, DCS_EINPUT,
                           "%s: no rows after the header, expected one at "
                           "hour 0",
                           t->path);
    s->start_s = malloc(t->nrows * sizeof *s->start_s);
    s->value = malloc(t->nrows * sizeof *s->value);
    if (!s->start_s || !s->value)
        return dcs_err_set(err, DCS_ENOMEM, "out of memory");
    double prev_h = 0;
    for (size_t r = 0; r < t->nrows; r++) {
        const char *hour_text = t->cells[r][hour_col];
        const char *value_text = t->cells[r][value_col];
        double h, v;
        char want[96];
        if (parse_cell(hour_text, &h) < 0)
            return dcs_err_set(err, DCS_EINPUT,
                               "%s:%d: field 'hour': expected a number, "
                               "found '%s'",
                               t->path, t->line[r], hour_text);
        if (r == 0 && h != 0)
            return dcs_err_set(err, DCS_EINPUT,
                               "%s:%d: field 'hour': expected 0 in the first "
                               "row, found '%s'",
                               t->path, t->line[r], hour_text);
        if (r > 0 && !(h > prev_h))
            return dcs_err_set(err, DCS_EINPUT,
                               "%s:%d: field 'hour': expected a number > %s "
                               "(the row before), found '%s'",
                               t->path, t->line[r], t->cells[r - 1][hour_col],
                               hour_text);
        if (!(h < period_h))
            return dcs_err_set(err, DCS_EINPUT,
                               "%s:%d: field 'hour': expected a number < %g "
                               "(period_hours), found '%s'",
                               t->path, t->line[r], period_h, hour_text);
        if (parse_cell(value_text, &v) < 0 || v < lo || v > hi) {
            expectation(want, sizeof want, lo, hi);
            return dcs_err_set(err, DCS_EINPUT,
                               "%s:%d: field '%s': expected %s, found '%s'",
                               t->path, t->line[r], column, want, value_text);
        }
        s->start_s[r] = h * S_PER_HOUR;
        s->value[r] = v;
        prev_h = h;
    }
    s->n = t->nrows;
    return 0;
}

int dcs_series_read(dcs_cfg_node_t *map, const char *column, double lo,
                    double hi, dcs_series_t *s, dcs_err_t *err)
{
    dcs_series_const(s, 0);
    char *path = NULL;
    double period_h = 0, start_h = 0;
    FILE *f;
    dcs_table_t t;
    int rc;
    if ((rc = dcs_cfg_file_path(map, "csv", DCS_CFG_REQUIRED, &path, err)) <
            0 ||
        (rc = dcs_cfg_f64(map, "period_hours", DCS_CFG_REQUIRED, 0,
                          MAX_PERIOD_HOUR, &period_h, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "start_hour", DCS_CFG_OPTIONAL, 0,
                          MAX_PERIOD_HOUR, &start_h, err)) < 0)
        goto out;
    if (period_h <= 0) {
        dcs_cfg_node_t *node = dcs_cfg_get(map, "period_hours");
        rc = dcs_cfg_error(node, err, "expected a number > 0, found '%s'",
                           dcs_cfg_scalar(node));
        goto out;
    }
    if (start_h >= period_h) {
        dcs_cfg_node_t *node = dcs_cfg_get(map, "start_hour");
        rc = dcs_cfg_error(node, err,
                           "expected a number below period_hours (%g), found "
                           "'%s'",
                           period_h, dcs_cfg_scalar(node));
        goto out;
    }
    if (!(f = fopen(path, "rb"))) {
        rc = dcs_cfg_error(dcs_cfg_get(map, "csv"), err, "cannot open '%s': %s",
                           path, strerror(errno));
        goto out;
    }
    fclose(f);
    if ((rc = dcs_table_read(path, &t, err)) < 0)
        goto out;
    rc = load_rows(&t, column, lo, hi, period_h, s, err);
    dcs_table_free(&t);
    if (rc < 0)
        goto out;
    s->period_s = period_h * S_PER_HOUR;
    s->offset_s = start_h * S_PER_HOUR;
    for (size_t i = 0; i < s->n; i++) {
        double end = i + 1 < s->n ? s->start_s[i + 1] : s->period_s;
        s->period_integral += s->value[i] * (end - s->start_s[i]);
    }
out:
    free(path);
    if (rc < 0)
        dcs_series_destroy(s);
    return rc;
}

/* ---- evaluation ------------------------------------------------------ */

/* Splits run time t into whole periods *k and the time *r into the period,
 * 0 <= *r < period. */
static void locate(const dcs_series_t *s, double t_s, double *k, double *r)
{
    double u = t_s + s->offset_s;
    double rem = fmod(u, s->period_s); /* exact */
    if (rem < 0)
        rem += s->period_s;
    if (rem >= s->period_s)
        rem = 0;
    *r = rem;
    *k = round((u - rem) / s->period_s);
}

/* The step holding time r into the period: the last i with start_s[i] <= r. */
static size_t step_of(const dcs_series_t *s, double r)
{
    size_t lo = 0, hi = s->n; /* start_s[lo] <= r < start_s[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->start_s[mid] <= r)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static double step_end(const dcs_series_t *s, size_t i)
{
    return i + 1 < s->n ? s->start_s[i + 1] : s->period_s;
}

/* Integral over [r0, r1] within one period, 0 <= r0 <= r1 <= period. */
static double within(const dcs_series_t *s, double r0, double r1)
{
    double sum = 0;
    for (size_t i = step_of(s, r0); i < s->n && s->start_s[i] < r1; i++) {
        double a = s->start_s[i] > r0 ? s->start_s[i] : r0;
        double e = step_end(s, i);
        double b = e < r1 ? e : r1;
        sum += s->value[i] * (b - a);
    }
    return sum;
}

double dcs_series_at(const dcs_series_t *s, double t_s)
{
    if (s->n == 0)
        return s->constant;
    double k, r;
    locate(s, t_s, &k, &r);
    return s->value[step_of(s, r)];
}

double dcs_series_integral(const dcs_series_t *s, double t0_s, double t1_s)
{
    if (!(t1_s > t0_s))
        return 0;
    if (s->n == 0)
        return s->constant * (t1_s - t0_s);
    double k0, r0, k1, r1;
    locate(s, t0_s, &k0, &r0);
    locate(s, t1_s, &k1, &r1);
    if (k1 == k0)
        return within(s, r0, r1);
    return within(s, r0, s->period_s) + (k1 - k0 - 1) * s->period_integral +
           within(s, 0, r1);
}

double dcs_series_mean(const dcs_series_t *s)
{
    if (s->n == 0)
        return s->constant;
    return s->period_integral / s->period_s;
}

double dcs_series_next_change_s(const dcs_series_t *s, double t_s)
{
    if (s->n == 0)
        return INFINITY;
    double k, r;
    locate(s, t_s, &k, &r);
    return t_s + (step_end(s, step_of(s, r)) - r);
}
