/* trace_helios.c - SenseTime Helios cluster_log.csv
 * (github.com/S-Lab-System-Group/HeliosData).
 *
 * Header job_id,user,vc,gpu_num,cpu_num,node_num,state,submit_time,
 * start_time,end_time,duration,queue; times "2020-04-01 00:00:07" (UTC
 * assumed: only differences matter). The duration is end_time - start_time,
 * which is what the published duration column holds; the column itself is
 * not read. Jobs that ran and then failed, were cancelled, timed out or
 * lost a node are kept: they held their GPUs while they ran. */
#include <strings.h>

#include "workload/trace.h"

enum {
    COL_ID,
    COL_USER,
    COL_VC,
    COL_GPUS,
    COL_STATE,
    COL_SUBMIT,
    COL_START,
    COL_END,
    NCOLS
};

static const dcs_trace_col_t cols[NCOLS] = {
    [COL_ID] = {"job_id", 1},
    [COL_USER] = {"user", 0},
    [COL_VC] = {"vc", 0},
    [COL_GPUS] = {"gpu_num", 1},
    [COL_STATE] = {"state", 0},
    [COL_SUBMIT] = {"submit_time", 1},
    [COL_START] = {"start_time", 1},
    [COL_END] = {"end_time", 1},
};

typedef struct reader {
    const char *path; /* for messages */
    dcs_trace_t *t;   /* where kept jobs go */
    int idx[NCOLS];   /* field of each column; -1 absent */
    size_t ncols;     /* fields in the header row */
    int have_header;  /* the header row has been read */
} reader_t;

/* A row's three times, each with what parsing found. */
typedef struct times {
    double submit, start, end;
    int submit_rc, start_rc, end_rc;
} times_t;

static const char *field(const reader_t *r, const dcs_trace_row_t *row, int col)
{
    return dcs_trace_field(row, r->idx[col]);
}

/* Parses the times first, so that a dropped row still moves the trace's
 * end (a censored job runs until the latest time recorded anywhere). */
static void read_times(const reader_t *r, const dcs_trace_row_t *row,
                       times_t *tm)
{
    tm->submit_rc = dcs_trace_datetime(field(r, row, COL_SUBMIT), &tm->submit);
    tm->start_rc = dcs_trace_datetime(field(r, row, COL_START), &tm->start);
    tm->end_rc = dcs_trace_datetime(field(r, row, COL_END), &tm->end);
    if (tm->submit_rc == DCS_TRACE_OK)
        dcs_trace_saw_time(r->t, tm->submit);
    if (tm->start_rc == DCS_TRACE_OK)
        dcs_trace_saw_time(r->t, tm->start);
    if (tm->end_rc == DCS_TRACE_OK)
        dcs_trace_saw_time(r->t, tm->end);
}

static const char *read_job(const reader_t *r, const dcs_trace_row_t *row,
                            dcs_trace_job_t *j)
{
    times_t tm;
    read_times(r, row, &tm);
    if (tm.submit_rc != DCS_TRACE_OK)
        return DCS_DROP_SUBMIT;
    j->submit_s = tm.submit;
    if (dcs_trace_number(field(r, row, COL_GPUS), &j->gpus) != DCS_TRACE_OK ||
        j->gpus < 0 || j->gpus > DCS_TRACE_MAX_GPUS)
        return DCS_DROP_GPUS;
    if (j->gpus == 0)
        return DCS_DROP_NO_GPUS;
    if (tm.start_rc == DCS_TRACE_EMPTY)
        return DCS_DROP_NOT_START;
    if (tm.start_rc == DCS_TRACE_BAD)
        return DCS_DROP_START;
    j->start_s = tm.start;
    if (tm.end_rc == DCS_TRACE_BAD)
        return DCS_DROP_END;
    j->censored = tm.end_rc == DCS_TRACE_EMPTY ||
                  !strcasecmp(field(r, row, COL_STATE), "RUNNING");
    if (j->censored)
        return NULL;
    j->duration_s = tm.end - tm.start;
    return j->duration_s < 0 ? DCS_DROP_END_BEFORE : NULL;
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
    dcs_trace_copy(j.user, sizeof j.user, field(r, row, COL_USER));
    const char *vc = field(r, row, COL_VC);
    if (*vc)
        dcs_trace_copy(j.team, sizeof j.team, vc);
    const char *why = read_job(r, row, &j);
    if (why)
        return dcs_trace_skip(t, why);
    return dcs_trace_add(t, &j);
}

int dcs_trace_read_helios(const char *path, dcs_trace_t *t, dcs_err_t *err)
{
    reader_t r = {.path = path, .t = t};
    int rc = dcs_trace_csv_each(path, on_row, &r, err);
    if (rc == 0 && !r.have_header)
        rc = dcs_err_set(err, DCS_EINPUT,
                         "%s: empty file, expected a header row", path);
    return rc;
}
