/* trace_tiresias.c - the CSV traces of the Tiresias simulator
 * (github.com/SymbioticLab/Tiresias), with Gavel-style extras.
 *
 * Header job_id,num_gpu,submit_time,iterations,model_name,duration,interval
 * (by name, any order). Times are seconds. Gavel-style traces may add
 * priority_weight (rounded to the priority) and SLO (a deadline factor:
 * the job should be done by submit + SLO x duration). Other columns are
 * ignored: the published files carry model details dcsim does not use. */
#include <limits.h>
#include <math.h>

#include "workload/trace.h"

enum { COL_ID, COL_GPUS, COL_SUBMIT, COL_DURATION, COL_WEIGHT, COL_SLO, NCOLS };

static const dcs_trace_col_t cols[NCOLS] = {
    [COL_ID] = {"job_id", 1},
    [COL_GPUS] = {"num_gpu", 1},
    [COL_SUBMIT] = {"submit_time", 1},
    [COL_DURATION] = {"duration", 1},
    [COL_WEIGHT] = {"priority_weight", 0},
    [COL_SLO] = {"SLO", 0},
};

typedef struct reader {
    const char *path; /* for messages */
    dcs_trace_t *t;   /* where kept jobs go */
    int idx[NCOLS];   /* field of each column; -1 absent */
    size_t ncols;     /* fields in the header row */
    int have_header;  /* the header row has been read */
} reader_t;

static const char *field(const reader_t *r, const dcs_trace_row_t *row, int col)
{
    return dcs_trace_field(row, r->idx[col]);
}

/* Priority and deadline, from the Gavel columns; the drop reason or NULL. */
static const char *read_gavel(const reader_t *r, const dcs_trace_row_t *row,
                              dcs_trace_job_t *j)
{
    double x;
    int rc = dcs_trace_number(field(r, row, COL_WEIGHT), &x);
    if (rc == DCS_TRACE_BAD ||
        (rc == DCS_TRACE_OK && fabs(x) > (double)(INT_MAX / 2)))
        return DCS_DROP_PRIORITY;
    if (rc == DCS_TRACE_OK)
        j->priority = (int)lround(x);
    rc = dcs_trace_number(field(r, row, COL_SLO), &x);
    if (rc == DCS_TRACE_BAD || (rc == DCS_TRACE_OK && !(x > 0)))
        return "bad SLO";
    if (rc == DCS_TRACE_OK)
        j->deadline_s = j->submit_s + x * j->duration_s;
    return NULL;
}

static const char *read_job(const reader_t *r, const dcs_trace_row_t *row,
                            dcs_trace_job_t *j)
{
    if (dcs_trace_number(field(r, row, COL_SUBMIT), &j->submit_s) !=
            DCS_TRACE_OK ||
        j->submit_s < 0)
        return DCS_DROP_SUBMIT;
    if (dcs_trace_number(field(r, row, COL_GPUS), &j->gpus) != DCS_TRACE_OK ||
        j->gpus < 0 || j->gpus > DCS_TRACE_MAX_GPUS)
        return DCS_DROP_GPUS;
    if (j->gpus == 0)
        return DCS_DROP_NO_GPUS;
    if (dcs_trace_number(field(r, row, COL_DURATION), &j->duration_s) !=
            DCS_TRACE_OK ||
        j->duration_s < 0)
        return DCS_DROP_DURATION;
    return read_gavel(r, row, j);
}

static int on_row(void *ctx, const dcs_trace_row_t *row, dcs_err_t *err)
{
    reader_t *r = ctx;
    if (!r->have_header) {
        r->have_header = 1;
        r->ncols = row->n;
        return dcs_trace_header(r->path, row, cols, NCOLS, 0, r->idx, err);
    }
    dcs_trace_t *t = r->t;
    t->records++;
    if (row->n != r->ncols)
        return dcs_trace_skip(t, DCS_DROP_FIELDS);
    dcs_trace_job_t j;
    dcs_trace_job_init(&j);
    j.line = row->line;
    dcs_trace_copy(j.name, sizeof j.name, field(r, row, COL_ID));
    const char *why = read_job(r, row, &j);
    if (why)
        return dcs_trace_skip(t, why);
    return dcs_trace_add(t, &j);
}

int dcs_trace_read_tiresias(const char *path, dcs_trace_t *t, dcs_err_t *err)
{
    reader_t r = {.path = path, .t = t};
    int rc = dcs_trace_csv_each(path, on_row, &r, err);
    if (rc == 0 && !r.have_header)
        rc = dcs_err_set(err, DCS_EINPUT,
                         "%s: empty file, expected a header row", path);
    return rc;
}
