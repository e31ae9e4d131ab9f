/* trace_dcsim.c - dcsim's own job-trace CSV.
 *
 * One header row naming the columns, in any order. This is our own format,
 * so it is strict on columns (an unknown or repeated column is an error:
 * it is more likely a typo than data to ignore) and lenient on rows, like
 * every other reader: a row it cannot use is dropped and counted.
 *
 * A job's length is its run time (`duration_s`) or its work (`gpu_seconds`,
 * GPU-seconds whatever the size): one of the two columns must be there,
 * and each row gives exactly one. Work becomes the run time on the GPUs
 * the job asks for (ceil(gpus), at least 1), from which the scheduler
 * scales it linearly to the size the job gets (elastic jobs). */
#include <limits.h>
#include <math.h>

#include "workload/trace.h"

enum {
    COL_NAME,
    COL_SUBMIT,
    COL_GPUS,
    COL_DURATION,
    COL_USER,
    COL_TEAM,
    COL_PRIORITY,
    COL_DEADLINE,
    COL_MIN_GPUS,
    COL_MAX_GPUS,
    COL_GPU_TYPE,
    COL_ESTIMATE,
    COL_GPU_SECONDS,
    NCOLS
};

static const dcs_trace_col_t cols[NCOLS] = {
    [COL_NAME] = {"name", 1},
    [COL_SUBMIT] = {"submit_s", 1},
    [COL_GPUS] = {"gpus", 1},
    [COL_DURATION] = {"duration_s", 0},
    [COL_USER] = {"user", 0},
    [COL_TEAM] = {"team", 0},
    [COL_PRIORITY] = {"priority", 0},
    [COL_DEADLINE] = {"deadline_s", 0},
    [COL_MIN_GPUS] = {"min_gpus", 0},
    [COL_MAX_GPUS] = {"max_gpus", 0},
    [COL_GPU_TYPE] = {"gpu_type", 0},
    [COL_ESTIMATE] = {"estimate_s", 0},
    [COL_GPU_SECONDS] = {"gpu_seconds", 0},
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

/* An optional whole number in [lo, hi] (empty: `dflt`); 0 or -1 (bad). */
static int whole(const char *s, int lo, int hi, int dflt, int *v)
{
    double x;
    int rc = dcs_trace_number(s, &x);
    if (rc == DCS_TRACE_EMPTY) {
        *v = dflt;
        return 0;
    }
    if (rc != DCS_TRACE_OK || x != floor(x) || x < lo || x > hi)
        return -1;
    *v = (int)x;
    return 0;
}

/* Elastic bounds: none (both 0), or 1 <= min <= the request <= max. */
static int elastic_ok(const dcs_trace_job_t *j)
{
    if (j->min_gpus == 0 && j->max_gpus == 0)
        return 1;
    return j->min_gpus >= 1 && j->min_gpus <= ceil(j->gpus) &&
           ceil(j->gpus) <= j->max_gpus;
}

/* The optional columns; returns the drop reason or NULL. */
static const char *read_optional(const reader_t *r, const dcs_trace_row_t *row,
                                 dcs_trace_job_t *j)
{
    double x;
    if (whole(field(r, row, COL_PRIORITY), INT_MIN / 2, INT_MAX / 2, 0,
              &j->priority))
        return DCS_DROP_PRIORITY;
    int rc = dcs_trace_number(field(r, row, COL_DEADLINE), &x);
    if (rc == DCS_TRACE_BAD || (rc == DCS_TRACE_OK && x < j->submit_s))
        return "bad deadline";
    if (rc == DCS_TRACE_OK)
        j->deadline_s = x;
    int max = (int)DCS_TRACE_MAX_GPUS;
    if (whole(field(r, row, COL_MIN_GPUS), 0, max, 0, &j->min_gpus) ||
        whole(field(r, row, COL_MAX_GPUS), 0, max, 0, &j->max_gpus) ||
        !elastic_ok(j))
        return "bad elastic bounds";
    rc = dcs_trace_number(field(r, row, COL_ESTIMATE), &x);
    if (rc == DCS_TRACE_BAD || (rc == DCS_TRACE_OK && x < 0))
        return "bad estimate";
    if (rc == DCS_TRACE_OK)
        j->estimate_s = x;
    return NULL;
}

/* The run time, or the work it follows from; returns the drop reason or
 * NULL. */
static const char *read_length(const reader_t *r, const dcs_trace_row_t *row,
                               dcs_trace_job_t *j)
{
    double work;
    int rc = dcs_trace_number(field(r, row, COL_GPU_SECONDS), &work);
    if (rc == DCS_TRACE_BAD || (rc == DCS_TRACE_OK && work < 0))
        return "bad gpu_seconds";
    const char *duration = field(r, row, COL_DURATION);
    if (rc == DCS_TRACE_OK) {
        if (!dcs_trace_is_empty(duration))
            return "both duration and gpu_seconds";
        j->gpu_seconds = work;
        j->duration_s = work / fmax(1, ceil(j->gpus));
        return NULL;
    }
    if (dcs_trace_number(duration, &j->duration_s) != DCS_TRACE_OK ||
        j->duration_s < 0)
        return DCS_DROP_DURATION;
    return NULL;
}

/* The required columns; returns the drop reason or NULL. */
static const char *read_required(const reader_t *r, const dcs_trace_row_t *row,
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
    return read_length(r, row, j);
}

static int on_row(void *ctx, const dcs_trace_row_t *row, dcs_err_t *err)
{
    reader_t *r = ctx;
    if (!r->have_header) {
        r->have_header = 1;
        r->ncols = row->n;
        int rc = dcs_trace_header(r->path, row, cols, NCOLS, 1, r->idx, err);
        if (rc == 0 && r->idx[COL_DURATION] < 0 && r->idx[COL_GPU_SECONDS] < 0)
            rc = dcs_err_set(err, DCS_EINPUT,
                             "%s:%lld: missing required column 'duration_s' "
                             "(or 'gpu_seconds')",
                             r->path, (long long)row->line);
        return rc;
    }
    dcs_trace_t *t = r->t;
    t->records++;
    if (row->n != r->ncols)
        return dcs_trace_skip(t, DCS_DROP_FIELDS);
    dcs_trace_job_t j;
    dcs_trace_job_init(&j);
    j.line = row->line;
    dcs_trace_copy(j.name, sizeof j.name, field(r, row, COL_NAME));
    dcs_trace_copy(j.user, sizeof j.user, field(r, row, COL_USER));
    const char *team = field(r, row, COL_TEAM);
    if (*team)
        dcs_trace_copy(j.team, sizeof j.team, team);
    dcs_trace_copy(j.gpu_type, sizeof j.gpu_type, field(r, row, COL_GPU_TYPE));
    const char *why = read_required(r, row, &j);
    if (!why)
        why = read_optional(r, row, &j);
    if (why)
        return dcs_trace_skip(t, why);
    return dcs_trace_add(t, &j);
}

int dcs_trace_read_dcsim(const char *path, dcs_trace_t *t, dcs_err_t *err)
{
    reader_t r = {.path = path, .t = t};
    int rc = dcs_trace_csv_each(path, on_row, &r, err);
    if (rc == 0 && !r.have_header)
        rc = dcs_err_set(err, DCS_EINPUT,
                         "%s: empty file, expected a header row", path);
    return rc;
}
