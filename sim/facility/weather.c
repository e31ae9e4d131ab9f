/* weather.c - hourly weather files: read once with libcsv (through
 * dcs_table_read), checked cell by cell, kept as three arrays indexed by the
 * hour of the file. */
#include "facility/weather.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config/table.h"

#define TEMP_MIN_C -90.0 /* below any surface air temperature recorded */
#define TEMP_MAX_C 70.0  /* above any surface air temperature recorded */

struct dcs_weather {
    char *path;                /* as opened */
    size_t hours;              /* rows */
    size_t start_hour;         /* row at run time 0 */
    double *temp_c;            /* [hours] dry bulb, deg C */
    double *rel_humidity_frac; /* [hours] 0..1 */
    double *wet_bulb_c;        /* [hours] by Stull (2011), deg C */
};

void dcs_weather_free(dcs_weather_t *w)
{
    if (!w)
        return;
    free(w->path);
    free(w->temp_c);
    free(w->rel_humidity_frac);
    free(w->wet_bulb_c);
    free(w);
}

/* Parses a whole cell as a number in [lo, hi]. */
static int cell_f64(const dcs_table_t *t, size_t r, int col, double lo,
                    double hi, double *out, dcs_err_t *err)
{
    const char *text = t->cells[r][col];
    char *end;
    double v = strtod(text, &end);
    if (!*text || *end || !(v >= lo && v <= hi))
        return dcs_err_set(err, DCS_EINPUT,
                           "%s:%d: field '%s': expected a number in [%g, %g], "
                           "found '%s'",
                           t->path, t->line[r], t->header[col], lo, hi, text);
    *out = v;
    return 0;
}

/* The hour column of row r must read exactly r (an integer, possibly
 * written as 7.0 or 7e0). */
static int cell_hour(const dcs_table_t *t, size_t r, int col, dcs_err_t *err)
{
    const char *text = t->cells[r][col];
    char *end;
    double v = strtod(text, &end);
    if (!*text || *end || v != (double)r)
        return dcs_err_set(err, DCS_EINPUT,
                           "%s:%d: field '%s': expected %zu (hours consecutive "
                           "from 0), found '%s'",
                           t->path, t->line[r], t->header[col], r, text);
    return 0;
}

static int check_table(const dcs_table_t *t, int cols[3], dcs_err_t *err)
{
    static const char *const names[3] = {"hour", "temp_c", "rel_humidity_frac"};
    for (int c = 0; c < 3; c++) {
        cols[c] = dcs_table_col(t, names[c]);
        if (cols[c] < 0)
            return dcs_err_set(err, DCS_EINPUT, "%s:1: no column '%s'", t->path,
                               names[c]);
    }
    if (t->nrows == 0)
        return dcs_err_set(err, DCS_EINPUT,
                           "%s: no data rows, expected one row per hour",
                           t->path);
    return 0;
}

int dcs_weather_load(const char *path, dcs_weather_t **out, dcs_err_t *err)
{
    *out = NULL;
    dcs_table_t t;
    int rc = dcs_table_read(path, &t, err);
    if (rc < 0)
        return rc;
    int cols[3];
    dcs_weather_t *w = NULL;
    if ((rc = check_table(&t, cols, err)) < 0)
        goto out;
    w = calloc(1, sizeof *w);
    if (w) {
        w->hours = t.nrows;
        w->path = strdup(path);
        w->temp_c = malloc(t.nrows * sizeof *w->temp_c);
        w->rel_humidity_frac = malloc(t.nrows * sizeof *w->rel_humidity_frac);
        w->wet_bulb_c = malloc(t.nrows * sizeof *w->wet_bulb_c);
    }
    if (!w || !w->path || !w->temp_c || !w->rel_humidity_frac ||
        !w->wet_bulb_c) {
        rc = dcs_err_set(err, DCS_ENOMEM, "out of memory reading '%s'", path);
        goto out;
    }
    for (size_t r = 0; r < t.nrows && rc == 0; r++) {
        if ((rc = cell_hour(&t, r, cols[0], err)) < 0 ||
            (rc = cell_f64(&t, r, cols[1], TEMP_MIN_C, TEMP_MAX_C,
                           &w->temp_c[r], err)) < 0 ||
            (rc = cell_f64(&t, r, cols[2], 0, 1, &w->rel_humidity_frac[r],
                           err)) < 0)
            break;
        w->wet_bulb_c[r] =
            dcs_wet_bulb_stull_c(w->temp_c[r], w->rel_humidity_frac[r]);
    }
out:
    dcs_table_free(&t);
    if (rc < 0) {
        dcs_weather_free(w);
        return rc;
    }
    *out = w;
    return 0;
}

size_t dcs_weather_hours(const dcs_weather_t *w)
{
    return w->hours;
}

const char *dcs_weather_path(const dcs_weather_t *w)
{
    return w->path;
}

int dcs_weather_set_start_hour(dcs_weather_t *w, size_t hour)
{
    if (hour >= w->hours)
        return DCS_EINVAL;
    w->start_hour = hour;
    return 0;
}

size_t dcs_weather_row(const dcs_weather_t *w, double t_s)
{
    double n = (double)w->hours;
    double h = fmod(floor(t_s / DCS_WEATHER_HOUR_S), n); /* in (-n, n) */
    if (h < 0)
        h += n;
    size_t row = (size_t)h + w->start_hour;
    return row >= w->hours ? row - w->hours : row;
}

double dcs_weather_temp_c(const dcs_weather_t *w, double t_s)
{
    return w->temp_c[dcs_weather_row(w, t_s)];
}

double dcs_weather_rel_humidity_frac(const dcs_weather_t *w, double t_s)
{
    return w->rel_humidity_frac[dcs_weather_row(w, t_s)];
}

double dcs_weather_wet_bulb_c(const dcs_weather_t *w, double t_s)
{
    return w->wet_bulb_c[dcs_weather_row(w, t_s)];
}

double dcs_weather_next_change_s(double t_s)
{
    return (floor(t_s / DCS_WEATHER_HOUR_S) + 1) * DCS_WEATHER_HOUR_S;
}

double dcs_wet_bulb_stull_c(double temp_c, double rel_humidity_frac)
{
    double rh = rel_humidity_frac * 100; /* percent */
    if (rh < 5)
        rh = 5;
    if (rh > 99)
        rh = 99;
    double t = temp_c;
    double tw = t * atan(0.151977 * sqrt(rh + 8.313659)) + atan(t + rh) -
                atan(rh - 1.676331) +
                0.00391838 * pow(rh, 1.5) * atan(0.023101 * rh) - 4.686035;
    return tw < t ? tw : t;
}
