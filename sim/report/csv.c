/* csv.c - CSV report writing with RFC 4180 quoting. */
#include "report/csv.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "engine/error.h"

void dcs_csv_quote(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

void dcs_csv_begin(dcs_csv_t *w, FILE *f, const char *const *columns,
                   size_t ncols)
{
    w->f = f;
    w->ncols = ncols;
    w->col = 0;
    for (size_t i = 0; i < ncols; i++)
        dcs_csv_str(w, columns[i]);
    dcs_csv_end_row(w);
}

static void separator(dcs_csv_t *w)
{
    DCS_ASSERT(w->col < w->ncols);
    if (w->col++ > 0)
        fputc(',', w->f);
}

void dcs_csv_str(dcs_csv_t *w, const char *s)
{
    separator(w);
    dcs_csv_quote(w->f, s);
}

void dcs_csv_i64(dcs_csv_t *w, int64_t v)
{
    separator(w);
    fprintf(w->f, "%" PRId64, v);
}

void dcs_csv_f64(dcs_csv_t *w, double v)
{
    separator(w);
    if (v == 0)
        v = 0; /* never print -0 */
    if (isfinite(v))
        fprintf(w->f, "%.10g", v);
    /* NaN and infinities have no CSV form: left empty. */
}

char *dcs_format_time_s(dcs_time_t t_ns, char *buf, size_t size)
{
    uint64_t mag = t_ns < 0 ? (uint64_t)0 - (uint64_t)t_ns : (uint64_t)t_ns;
    uint64_t whole = mag / 1000000000u, frac = mag % 1000000000u;
    int n = snprintf(buf, size, "%s%" PRIu64, t_ns < 0 ? "-" : "", whole);
    if (frac && n > 0 && (size_t)n < size) {
        char digits[16];
        snprintf(digits, sizeof digits, "%09" PRIu64, frac);
        size_t len = strlen(digits);
        while (len > 0 && digits[len - 1] == '0')
            digits[--len] = '\0';
        snprintf(buf + n, size - (size_t)n, ".%s", digits);
    }
    return buf;
}

void dcs_csv_time_s(dcs_csv_t *w, dcs_time_t t_ns)
{
    char buf[40];
    separator(w);
    fputs(dcs_format_time_s(t_ns, buf, sizeof buf), w->f);
}

void dcs_csv_empty(dcs_csv_t *w)
{
    separator(w);
}

void dcs_csv_end_row(dcs_csv_t *w)
{
    DCS_ASSERT(w->col == w->ncols);
    fputc('\n', w->f);
    w->col = 0;
}
