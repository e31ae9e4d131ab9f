/* csv.h - writing CSV reports.
 *
 * One header row of unit-suffixed column names, comma separated, `.`
 * decimal, RFC 4180 quoting (a field with a comma, quote, CR or LF is
 * enclosed in double quotes, and quotes inside are doubled), LF line ends.
 * Numbers are printed the same way on every run, so the same simulation
 * gives the same bytes. The writer checks that every row has as many fields
 * as the header. */
#ifndef DCS_CSV_H
#define DCS_CSV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/time.h"

typedef struct dcs_csv {
    FILE *f;      /* not owned */
    size_t ncols; /* fields per row */
    size_t col;   /* fields written in the current row */
} dcs_csv_t;

/* Starts a CSV on `f` and writes the header row of `ncols` names. */
void dcs_csv_begin(dcs_csv_t *w, FILE *f, const char *const *columns,
                   size_t ncols);

/* Writes `s` as one field, quoted only when it must be. */
void dcs_csv_quote(FILE *f, const char *s);

/* Field writers: text, integer, number (%.10g: ten significant digits),
 * time in seconds (exact: the nanoseconds printed in decimal, trailing zeros
 * dropped), and an empty field (not applicable / not yet known). */
void dcs_csv_str(dcs_csv_t *w, const char *s);
void dcs_csv_i64(dcs_csv_t *w, int64_t v);
void dcs_csv_f64(dcs_csv_t *w, double v);
void dcs_csv_time_s(dcs_csv_t *w, dcs_time_t t_ns);
void dcs_csv_empty(dcs_csv_t *w);
/* Ends the row; the row must have exactly ncols fields. */
void dcs_csv_end_row(dcs_csv_t *w);

/* Formats `t_ns` as exact decimal seconds into buf ("1.5", "-0.000000001",
 * "3600"). Returns buf. */
char *dcs_format_time_s(dcs_time_t t_ns, char *buf, size_t size);

#endif
