/* trace_dcsim.c - dcsim's own job-trace CSV.
 *
 * One header row naming the columns, in any order. This is our own format,
 * so it is strict on columns (an unknown or repeated column is an error:
 * it is more likely a typo than data to ignore) and lenient on rows, like
 * every other reader: a row it cannot use is dropped and counted.
 *
 * A job's length is its run time (`duration_s`), its work (`gpu_seconds`,
 * GPU-seconds whatever the size), or iterations of a training plan
 * (`model` and `iterations`, with optional plan columns `tp`, `pp`,
 * `micro_batch`, `global_batch`, `seq`): one of these must be there, and
 * each row gives exactly one. Work becomes the run time on the GPUs the
 * job asks for (ceil(gpus), at least 1), from which the scheduler scales
 * it linearly to the size the job gets (elastic jobs). A training row is
 * only read here (its model by name, its numbers checked for form); it is
 * priced where the cluster is known (sim/cli/world.c), which applies the
 * default plan rule and may drop it still. A training row with elastic
 * bounds is an elastic training job: its data-parallel degree follows the
 * GPUs it gets (sim/workload/training.h). */
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <string.h>

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
    COL_MODEL,
    COL_ITERATIONS,
    COL_TP,
    COL_PP,
    COL_MICRO_BATCH,
    COL_GLOBAL_BATCH,
    COL_SEQ,
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
    [COL_MODEL] = {"model", 0},
    [COL_ITERATIONS] = {"iterations", 0},
    [COL_TP] = {"tp", 0},
    [COL_PP] = {"pp", 0},
    [COL_MICRO_BATCH] = {"micro_batch", 0},
    [COL_GLOBAL_BATCH] = {"global_batch", 0},
    [COL_SEQ] = {"seq", 0},
};

/* Drop reasons of training rows (workloads/README.md). */
#define DROP_MODEL      "unknown model"
#define DROP_ITERATIONS "bad iterations"
#define DROP_BOTH       "both duration and model"
#define DROP_PLAN       "bad plan"

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

/* An optional count in [1, hi] (empty: 0); 0 or -1 (bad). */
static int count(const char *s, double hi, int64_t *v)
{
    double x;
    int rc = dcs_trace_number(s, &x);
    if (rc == DCS_TRACE_EMPTY) {
        *v = 0;
        return 0;
    }
    if (rc != DCS_TRACE_OK || x != floor(x) || x < 1 || x > hi)
        return -1;
    *v = (int64_t)x;
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

/* A model's name: a file name in the models folder, no path. */
static int model_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof((dcs_trace_train_t *)0)->model || s[0] == '.')
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("._-+", *s))
            return 0;
    return 1;
}

/* A training row's model, iterations and plan numbers (their form only:
 * whether they suit the model and cluster is known where the row is
 * priced); returns the drop reason or NULL. */
static const char *read_training(const reader_t *r, const dcs_trace_row_t *row,
                                 const dcs_trace_job_t *j,
                                 dcs_trace_train_t *train)
{
    if (!dcs_trace_is_empty(field(r, row, COL_DURATION)) ||
        !dcs_trace_is_empty(field(r, row, COL_GPU_SECONDS)))
        return DROP_BOTH;
    const char *model = field(r, row, COL_MODEL);
    if (!model_name_ok(model))
        return DROP_MODEL;
    dcs_trace_copy(train->model, sizeof train->model, model);
    if (count(field(r, row, COL_ITERATIONS), 0x1p50, &train->iterations) ||
        train->iterations == 0)
        return DROP_ITERATIONS;
    if (j->gpus != floor(j->gpus) ||
        count(field(r, row, COL_TP), 1024, &train->tp) ||
        count(field(r, row, COL_PP), 1024, &train->pp) ||
        count(field(r, row, COL_MICRO_BATCH), 0x1p20, &train->micro_batch) ||
        count(field(r, row, COL_GLOBAL_BATCH), 0x1p40, &train->global_batch) ||
        count(field(r, row, COL_SEQ), 0x1p24, &train->seq))
        return DROP_PLAN;
    return NULL;
}

/* A row of a fixed length names no iterations and no plan. */
static const char *no_training(const reader_t *r, const dcs_trace_row_t *row)
{
    if (!dcs_trace_is_empty(field(r, row, COL_ITERATIONS)))
        return DROP_ITERATIONS;
    for (int c = COL_TP; c <= COL_SEQ; c++)
        if (!dcs_trace_is_empty(field(r, row, c)))
            return DROP_PLAN;
    return NULL;
}

/* The run time, or the work it follows from, or the training it is;
 * returns the drop reason or NULL. */
static const char *read_length(const reader_t *r, const dcs_trace_row_t *row,
                               dcs_trace_job_t *j, dcs_trace_train_t *train)
{
    if (!dcs_trace_is_empty(field(r, row, COL_MODEL)))
        return read_training(r, row, j, train);
    const char *why = no_training(r, row);
    if (why)
        return why;
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
                                 dcs_trace_job_t *j, dcs_trace_train_t *train)
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
    return read_length(r, row, j, train);
}

/* The header names the columns a length needs. */
static int length_columns(const reader_t *r, const dcs_trace_row_t *hdr,
                          dcs_err_t *err)
{
    int model = r->idx[COL_MODEL] >= 0, iters = r->idx[COL_ITERATIONS] >= 0;
    if (model != iters)
        return dcs_err_set(err, DCS_EINPUT,
                           "%s:%lld: missing required column '%s' (beside "
                           "'%s')",
                           r->path, (long long)hdr->line,
                           model ? "iterations" : "model",
                           model ? "model" : "iterations");
    if (!model && r->idx[COL_DURATION] < 0 && r->idx[COL_GPU_SECONDS] < 0)
        return dcs_err_set(err, DCS_EINPUT,
                           "%s:%lld: missing required column 'duration_s' "
                           "(or 'gpu_seconds', or 'model' and 'iterations')",
                           r->path, (long long)hdr->line);
    return 0;
}

static int on_row(void *ctx, const dcs_trace_row_t *row, dcs_err_t *err)
{
    reader_t *r = ctx;
    if (!r->have_header) {
        r->have_header = 1;
        r->ncols = row->n;
        int rc = dcs_trace_header(r->path, row, cols, NCOLS, 1, r->idx, err);
        if (rc == 0)
            rc = length_columns(r, row, err);
        r->t->model_column = r->idx[COL_MODEL] >= 0;
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
    dcs_trace_train_t train = {.model = ""};
    const char *why = read_required(r, row, &j, &train);
    if (!why)
        why = read_optional(r, row, &j);
    if (why)
        return dcs_trace_skip(t, why);
    if (train.iterations > 0)
        return dcs_trace_add_train(t, &j, &train);
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
