/* table.c - CSV files into rows of text, through libcsv, fed line by line so
 * that each row knows the line it started on. */
#include "config/table.h"

#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct reader {
    dcs_table_t *t;
    char **fields; /* the record being read */
    size_t nfields, cap;
    int line;        /* line being fed */
    int record_line; /* line the current record started on */
    int started;     /* a field of the current record has been seen */
    int bad_line;    /* first row with a wrong field count, or 0 */
    size_t bad_count;
    size_t rows_cap;
    int oom;
} reader_t;

static void on_field(void *s, size_t len, void *data)
{
    reader_t *r = data;
    if (!r->started) {
        r->started = 1;
        r->record_line = r->line;
    }
    if (r->nfields == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        char **f = realloc(r->fields, cap * sizeof *f);
        if (!f) {
            r->oom = 1;
            return;
        }
        r->fields = f;
        r->cap = cap;
    }
    char *cell = malloc(len + 1);
    if (!cell) {
        r->oom = 1;
        return;
    }
    memcpy(cell, s ? s : "", len);
    cell[len] = '\0';
    r->fields[r->nfields++] = cell;
}

static void on_record(int c, void *data)
{
    reader_t *r = data;
    dcs_table_t *t = r->t;
    (void)c;
    char **fields = r->fields;
    size_t n = r->nfields;
    r->fields = NULL;
    r->nfields = r->cap = 0;
    int line = r->started ? r->record_line : r->line;
    r->started = 0;
    if (!t->header) {
        t->header = fields;
        t->ncols = n;
        return;
    }
    if (n != t->ncols && !r->bad_line) {
        r->bad_line = line;
        r->bad_count = n;
    }
    if (t->nrows == r->rows_cap) {
        size_t cap = r->rows_cap ? r->rows_cap * 2 : 256;
        char ***cells = realloc(t->cells, cap * sizeof *cells);
        int *lines = realloc(t->line, cap * sizeof *lines);
        if (cells)
            t->cells = cells;
        if (lines)
            t->line = lines;
        if (!cells || !lines) {
            r->oom = 1;
            for (size_t i = 0; i < n; i++)
                free(fields[i]);
            free(fields);
            return;
        }
        r->rows_cap = cap;
    }
    /* Rows keep ncols cells; short rows are padded so freeing is uniform. */
    if (n < t->ncols) {
        char **grown = realloc(fields, t->ncols * sizeof *grown);
        if (!grown) {
            r->oom = 1;
            return;
        }
        fields = grown;
        for (size_t i = n; i < t->ncols; i++)
            fields[i] = calloc(1, 1);
    }
    t->cells[t->nrows] = fields;
    t->line[t->nrows] = line;
    t->nrows++;
    for (size_t i = t->ncols; i < n; i++)
        free(fields[i]);
}

void dcs_table_free(dcs_table_t *t)
{
    if (!t)
        return;
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++)
            free(t->cells[r][c]);
        free(t->cells[r]);
    }
    for (size_t c = 0; c < t->ncols; c++)
        free(t->header[c]);
    free(t->header);
    free(t->cells);
    free(t->line);
    free(t->path);
    memset(t, 0, sizeof *t);
}

int dcs_table_read(const char *path, dcs_table_t *t, dcs_err_t *err)
{
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "rb");
    if (!f)
        return dcs_err_set(err, DCS_EINPUT, "cannot open '%s': %s", path,
                           strerror(errno));
    struct csv_parser p;
    if (csv_init(&p, CSV_APPEND_NULL) != 0) {
        fclose(f);
        return dcs_err_set(err, DCS_ENOMEM, "out of memory");
    }
    reader_t r = {0};
    r.t = t;
    char *buf = NULL;
    size_t cap = 0;
    ssize_t len;
    int rc = 0;
    while ((len = getline(&buf, &cap, f)) > 0) {
        r.line++;
        if (csv_parse(&p, buf, (size_t)len, on_field, on_record, &r) !=
            (size_t)len) {
            rc = dcs_err_set(err, DCS_EINPUT,
                             "%s:%d: malformed CSV (libcsv: %s)", path, r.line,
                             csv_strerror(csv_error(&p)));
            break;
        }
    }
    if (rc == 0)
        csv_fini(&p, on_field, on_record, &r);
    csv_free(&p);
    free(buf);
    fclose(f);
    for (size_t i = 0; i < r.nfields; i++)
        free(r.fields[i]);
    free(r.fields);
    if (rc == 0 && r.oom)
        rc = dcs_err_set(err, DCS_ENOMEM, "out of memory reading '%s'", path);
    if (rc == 0 && !t->header)
        rc = dcs_err_set(err, DCS_EINPUT,
                         "%s: empty file, expected a header row", path);
    if (rc == 0 && r.bad_line)
        rc = dcs_err_set(
            err, DCS_EINPUT,
            "%s:%d: expected %zu fields as in the header, found %zu", path,
            r.bad_line, t->ncols, r.bad_count);
    if (rc == 0 && !(t->path = strdup(path)))
        rc = dcs_err_set(err, DCS_ENOMEM, "out of memory");
    if (rc < 0)
        dcs_table_free(t);
    return rc;
}

int dcs_table_col(const dcs_table_t *t, const char *name)
{
    for (size_t c = 0; c < t->ncols; c++)
        if (!strcmp(t->header[c], name))
            return (int)c;
    return -1;
}
