/* trace_alibaba.c - Alibaba GPU 2023 (github.com/alibaba/clusterdata,
 * cluster-trace-gpu-v2023): openb_pod_list_*.csv, and optionally the
 * openb_node_list_*.csv that describes the cluster.
 *
 * Pods header: name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,
 * pod_phase,creation_time,deletion_time,scheduled_time (times in integer
 * seconds). A pod is a job: submitted at creation, run from scheduling to
 * deletion. Pods that share a GPU ask for gpu_milli thousandths of one.
 *
 * Priority from the Kubernetes QoS class, most protected first: LS
 * (latency sensitive) and Guaranteed 2, Burstable 1, BE (best effort) and
 * anything else 0. */
#include <math.h>
#include <string.h>
#include <strings.h>

#include "workload/trace.h"

enum {
    COL_NAME,
    COL_NUM_GPU,
    COL_GPU_MILLI,
    COL_GPU_SPEC,
    COL_QOS,
    COL_PHASE,
    COL_CREATION,
    COL_DELETION,
    COL_SCHEDULED,
    NCOLS
};

static const dcs_trace_col_t cols[NCOLS] = {
    [COL_NAME] = {"name", 1},
    [COL_NUM_GPU] = {"num_gpu", 1},
    [COL_GPU_MILLI] = {"gpu_milli", 0},
    [COL_GPU_SPEC] = {"gpu_spec", 0},
    [COL_QOS] = {"qos", 0},
    [COL_PHASE] = {"pod_phase", 0},
    [COL_CREATION] = {"creation_time", 1},
    [COL_DELETION] = {"deletion_time", 1},
    [COL_SCHEDULED] = {"scheduled_time", 1},
};

typedef struct reader {
    const char *path; /* for messages */
    dcs_trace_t *t;   /* where kept jobs go */
    int idx[NCOLS];   /* field of each column; -1 absent */
    size_t ncols;     /* fields in the header row */
    int have_header;  /* the header row has been read */
} reader_t;

typedef struct times {
    double created, scheduled, deleted;
    int created_rc, scheduled_rc, deleted_rc;
} times_t;

static const char *field(const reader_t *r, const dcs_trace_row_t *row, int col)
{
    return dcs_trace_field(row, r->idx[col]);
}

static int qos_priority(const char *qos)
{
    if (!strcasecmp(qos, "LS") || !strcasecmp(qos, "Guaranteed"))
        return 2;
    if (!strcasecmp(qos, "Burstable"))
        return 1;
    return 0;
}

/* "V100M16|V100M32": the pod may run on either; keep the first. */
static void first_spec(const char *spec, char *dst, size_t size)
{
    if (dcs_trace_is_empty(spec)) {
        dst[0] = '\0';
        return;
    }
    size_t n = strcspn(spec, "|");
    if (n >= size)
        n = size - 1;
    memcpy(dst, spec, n);
    dst[n] = '\0';
}

static void read_times(const reader_t *r, const dcs_trace_row_t *row,
                       times_t *tm)
{
    tm->created_rc =
        dcs_trace_number(field(r, row, COL_CREATION), &tm->created);
    tm->scheduled_rc =
        dcs_trace_number(field(r, row, COL_SCHEDULED), &tm->scheduled);
    tm->deleted_rc =
        dcs_trace_number(field(r, row, COL_DELETION), &tm->deleted);
    if (tm->created_rc == DCS_TRACE_OK)
        dcs_trace_saw_time(r->t, tm->created);
    if (tm->scheduled_rc == DCS_TRACE_OK)
        dcs_trace_saw_time(r->t, tm->scheduled);
    if (tm->deleted_rc == DCS_TRACE_OK)
        dcs_trace_saw_time(r->t, tm->deleted);
}

/* GPUs: num_gpu whole GPUs, or a share of one (gpu_milli / 1000 each). */
static const char *read_gpus(const reader_t *r, const dcs_trace_row_t *row,
                             dcs_trace_job_t *j)
{
    double num, milli = 1000;
    if (dcs_trace_number(field(r, row, COL_NUM_GPU), &num) != DCS_TRACE_OK ||
        num < 0 || num != floor(num) || num > DCS_TRACE_MAX_GPUS)
        return DCS_DROP_GPUS;
    int rc = dcs_trace_number(field(r, row, COL_GPU_MILLI), &milli);
    if (rc == DCS_TRACE_BAD ||
        (rc == DCS_TRACE_OK && (milli < 0 || milli > 1000)))
        return DCS_DROP_GPUS;
    if (rc == DCS_TRACE_EMPTY)
        milli = 1000;
    j->gpus = milli == 1000 ? num : num * milli / 1000.0;
    return j->gpus == 0 ? DCS_DROP_NO_GPUS : NULL;
}

static const char *read_job(const reader_t *r, const dcs_trace_row_t *row,
                            dcs_trace_job_t *j)
{
    times_t tm;
    read_times(r, row, &tm);
    if (tm.created_rc != DCS_TRACE_OK)
        return DCS_DROP_SUBMIT;
    j->submit_s = tm.created;
    const char *why = read_gpus(r, row, j);
    if (why)
        return why;
    if (tm.scheduled_rc == DCS_TRACE_EMPTY ||
        !strcasecmp(field(r, row, COL_PHASE), "Pending"))
        return "never scheduled";
    if (tm.scheduled_rc == DCS_TRACE_BAD)
        return DCS_DROP_START;
    j->start_s = tm.scheduled;
    if (tm.deleted_rc == DCS_TRACE_BAD)
        return DCS_DROP_END;
    j->censored = tm.deleted_rc == DCS_TRACE_EMPTY;
    if (j->censored)
        return NULL;
    j->duration_s = tm.deleted - tm.scheduled;
    return j->duration_s < 0 ? DCS_DROP_END_BEFORE : NULL;
}

static int on_pod(void *ctx, const dcs_trace_row_t *row, dcs_err_t *err)
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
    dcs_trace_copy(j.name, sizeof j.name, field(r, row, COL_NAME));
    first_spec(field(r, row, COL_GPU_SPEC), j.gpu_type, sizeof j.gpu_type);
    j.priority = qos_priority(field(r, row, COL_QOS));
    const char *why = read_job(r, row, &j);
    if (why)
        return dcs_trace_skip(t, why);
    return dcs_trace_add(t, &j);
}

/* ---- the node list -------------------------------------------------- */

enum { NODE_GPU, NODE_MODEL, NODE_NCOLS };

static const dcs_trace_col_t node_cols[NODE_NCOLS] = {
    [NODE_GPU] = {"gpu", 1},
    [NODE_MODEL] = {"model", 1},
};

typedef struct node_reader {
    const char *path;    /* for messages */
    dcs_trace_t *t;      /* where kept jobs go */
    int idx[NODE_NCOLS]; /* field of each column; -1 absent */
    size_t ncols;        /* fields in the header row */
    int have_header;     /* the header row has been read */
} node_reader_t;

/* The summary line for `name`, added when new; past the last slot every
 * further model shares "other". */
static dcs_trace_model_t *model_slot(dcs_trace_t *t, const char *name)
{
    for (size_t i = 0; i < t->nmodels; i++)
        if (!strcmp(t->models[i].name, name))
            return &t->models[i];
    if (t->nmodels == DCS_TRACE_MAX_MODELS) {
        dcs_trace_model_t *last = &t->models[DCS_TRACE_MAX_MODELS - 1];
        dcs_trace_copy(last->name, sizeof last->name, "other");
        return last;
    }
    dcs_trace_model_t *m = &t->models[t->nmodels++];
    dcs_trace_copy(m->name, sizeof m->name, name);
    return m;
}

static int on_node(void *ctx, const dcs_trace_row_t *row, dcs_err_t *err)
{
    node_reader_t *r = ctx;
    if (!r->have_header) {
        r->have_header = 1;
        r->ncols = row->n;
        return dcs_trace_header(r->path, row, node_cols, NODE_NCOLS, 0, r->idx,
                                err);
    }
    dcs_trace_t *t = r->t;
    t->aux_records++;
    double gpus;
    if (row->n != r->ncols ||
        dcs_trace_number(dcs_trace_field(row, r->idx[NODE_GPU]), &gpus) !=
            DCS_TRACE_OK ||
        gpus < 0 || gpus != floor(gpus) || gpus > DCS_TRACE_MAX_GPUS) {
        t->aux_ignored++;
        return 0;
    }
    /* CPU nodes list model "nan" or nothing; a GPU node without a model is
     * still GPUs. */
    const char *model = dcs_trace_field(row, r->idx[NODE_MODEL]);
    if (gpus == 0)
        model = "";
    else if (dcs_trace_is_empty(model))
        model = "unknown";
    dcs_trace_model_t *m = model_slot(t, model);
    m->nodes++;
    m->gpus += (int64_t)gpus;
    return 0;
}

int dcs_trace_read_alibaba2023(const char *path, const char *aux,
                               dcs_trace_t *t, dcs_err_t *err)
{
    reader_t r = {.path = path, .t = t};
    int rc = dcs_trace_csv_each(path, on_pod, &r, err);
    if (rc == 0 && !r.have_header)
        rc = dcs_err_set(err, DCS_EINPUT,
                         "%s: empty file, expected a header row", path);
    if (rc < 0 || !aux)
        return rc;
    node_reader_t n = {.path = aux, .t = t};
    rc = dcs_trace_csv_each(aux, on_node, &n, err);
    if (rc == 0 && !n.have_header)
        rc = dcs_err_set(err, DCS_EINPUT,
                         "%s: empty file, expected a header row", aux);
    return rc;
}
