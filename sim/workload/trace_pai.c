/* trace_pai.c - Alibaba PAI 2020 (github.com/alibaba/clusterdata,
 * cluster-trace-gpu-v2020): pai_job_table.csv joined with
 * pai_task_table.csv. Neither file has a header row (a first row that
 * starts with "job_name" is taken for one and skipped).
 *
 *   jobs:  job_name,inst_id,user,status,start_time,end_time
 *   tasks: job_name,task_name,inst_num,status,start_time,end_time,
 *          plan_cpu,plan_mem,plan_gpu,gpu_type
 *
 * Times are Unix seconds (floats, or empty). A job's start_time is its
 * submission; it runs from its first task's start to its last task's end,
 * on the sum over its tasks of inst_num x plan_gpu / 100 GPUs (plan_gpu is
 * percent of one GPU). The trace has 1.2 million jobs, so tasks find their
 * job through a hash table on the job name: one pass over each file. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "workload/trace.h"

enum { JOB_NAME, JOB_INST, JOB_USER, JOB_STATUS, JOB_START, JOB_END, JOB_N };
enum {
    TASK_JOB,
    TASK_NAME,
    TASK_INST_NUM,
    TASK_STATUS,
    TASK_START,
    TASK_END,
    TASK_CPU,
    TASK_MEM,
    TASK_GPU,
    TASK_GPU_TYPE,
    TASK_N
};

/* A job of the job table while its tasks are gathered. */
typedef struct pai_job {
    char name[48];
    char user[32];
    char gpu_type[16];     /* from its first task naming one */
    double submit_s;       /* Unix seconds */
    double gpu_pct;        /* sum of inst_num x plan_gpu, in % of a GPU */
    double first_start_s;  /* earliest task start (INFINITY: none) */
    double last_end_s;     /* latest task end (-INFINITY: none) */
    int64_t line;          /* in the job table */
    int64_t tasks;         /* task rows that name it */
    unsigned char running; /* status Running or no end time */
    unsigned char open;    /* a task started and has no end */
    unsigned char bad;     /* a task row of it is malformed */
    unsigned char typed;   /* gpu_type has been taken */
    const char *drop;      /* set when dropped before the join */
} pai_job_t;

typedef struct pai {
    dcs_trace_t *t;  /* where kept jobs go */
    pai_job_t *jobs; /* the job table, in file order */
    size_t len, cap;
    size_t *slot;  /* hash table: job index + 1, 0 empty */
    size_t nslots; /* a power of two, at least twice len */
    int64_t rows;  /* rows seen in the file being read */
} pai_t;

/* ---- the job table -------------------------------------------------- */

/* The published tables have no header, but copies with one circulate. */
static int is_header(pai_t *p, const dcs_trace_row_t *row)
{
    return p->rows++ == 0 && !strcmp(row->field[0], "job_name");
}

static int push_job(pai_t *p, const pai_job_t *j)
{
    if (p->len == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 1024;
        pai_job_t *jobs = realloc(p->jobs, cap * sizeof *jobs);
        if (!jobs)
            return DCS_ENOMEM;
        p->jobs = jobs;
        p->cap = cap;
    }
    p->jobs[p->len++] = *j;
    return 0;
}

static int on_job(void *ctx, const dcs_trace_row_t *row, dcs_err_t *err)
{
    pai_t *p = ctx;
    dcs_trace_t *t = p->t;
    (void)err;
    if (is_header(p, row))
        return 0;
    t->records++;
    if (row->n != JOB_N)
        return dcs_trace_skip(t, DCS_DROP_FIELDS);
    double submit, end;
    int submit_rc = dcs_trace_number(row->field[JOB_START], &submit);
    int end_rc = dcs_trace_number(row->field[JOB_END], &end);
    if (submit_rc == DCS_TRACE_OK)
        dcs_trace_saw_time(t, submit);
    if (end_rc == DCS_TRACE_OK)
        dcs_trace_saw_time(t, end);
    if (!row->field[JOB_NAME][0])
        return dcs_trace_skip(t, "no job name");
    if (submit_rc != DCS_TRACE_OK)
        return dcs_trace_skip(t, DCS_DROP_SUBMIT);
    if (end_rc == DCS_TRACE_BAD)
        return dcs_trace_skip(t, DCS_DROP_END);
    pai_job_t j = {0};
    dcs_trace_copy(j.name, sizeof j.name, row->field[JOB_NAME]);
    dcs_trace_copy(j.user, sizeof j.user, row->field[JOB_USER]);
    j.submit_s = submit;
    j.first_start_s = INFINITY;
    j.last_end_s = -INFINITY;
    j.line = row->line;
    j.running = end_rc == DCS_TRACE_EMPTY ||
                !strcasecmp(row->field[JOB_STATUS], "Running");
    return push_job(p, &j);
}

/* ---- the join ------------------------------------------------------- */

static uint64_t hash_name(const char *s)
{
    uint64_t h = 14695981039346656037ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* The slot holding `name`, or the empty slot where it would go. */
static size_t *find_slot(const pai_t *p, const char *name)
{
    size_t mask = p->nslots - 1;
    for (size_t i = hash_name(name) & mask;; i = (i + 1) & mask) {
        size_t *s = &p->slot[i];
        if (!*s || !strcmp(p->jobs[*s - 1].name, name))
            return s;
    }
}

/* Indexes the jobs by name; a name seen before is dropped (its tasks
 * could not be told apart from the first one's). */
static int build_index(pai_t *p)
{
    p->nslots = 16;
    while (p->nslots < 2 * p->len)
        p->nslots *= 2;
    p->slot = calloc(p->nslots, sizeof *p->slot);
    if (!p->slot)
        return DCS_ENOMEM;
    for (size_t i = 0; i < p->len; i++) {
        size_t *s = find_slot(p, p->jobs[i].name);
        if (*s)
            p->jobs[i].drop = "duplicate job name";
        else
            *s = i + 1;
    }
    return 0;
}

/* ---- the task table ------------------------------------------------- */

/* Adds one task row to its job; 0, or -1 when the row is malformed. */
static int add_task(pai_job_t *j, char **f)
{
    double inst, pct = 0, start, end;
    int start_rc = dcs_trace_number(f[TASK_START], &start);
    int end_rc = dcs_trace_number(f[TASK_END], &end);
    int pct_rc = dcs_trace_number(f[TASK_GPU], &pct);
    if (dcs_trace_number(f[TASK_INST_NUM], &inst) != DCS_TRACE_OK || inst < 0 ||
        pct_rc == DCS_TRACE_BAD || pct < 0 || start_rc == DCS_TRACE_BAD ||
        end_rc == DCS_TRACE_BAD)
        return -1;
    if (pct_rc == DCS_TRACE_OK) /* empty: a CPU task */
        j->gpu_pct += inst * pct;
    if (start_rc == DCS_TRACE_OK) {
        j->first_start_s = fmin(j->first_start_s, start);
        if (end_rc == DCS_TRACE_EMPTY)
            j->open = 1;
    }
    if (end_rc == DCS_TRACE_OK)
        j->last_end_s = fmax(j->last_end_s, end);
    const char *type = f[TASK_GPU_TYPE];
    if (!j->typed && !dcs_trace_is_empty(type)) {
        j->typed = 1; /* MISC: any model will do */
        dcs_trace_copy(j->gpu_type, sizeof j->gpu_type,
                       strcmp(type, "MISC") ? type : "");
    }
    return 0;
}

static int on_task(void *ctx, const dcs_trace_row_t *row, dcs_err_t *err)
{
    pai_t *p = ctx;
    dcs_trace_t *t = p->t;
    (void)err;
    if (is_header(p, row))
        return 0;
    t->aux_records++;
    if (row->n != TASK_N) {
        t->aux_ignored++;
        return 0;
    }
    /* Any task's times bound the trace, matched to a job or not. */
    double v;
    if (dcs_trace_number(row->field[TASK_START], &v) == DCS_TRACE_OK)
        dcs_trace_saw_time(t, v);
    if (dcs_trace_number(row->field[TASK_END], &v) == DCS_TRACE_OK)
        dcs_trace_saw_time(t, v);
    size_t *s = find_slot(p, row->field[TASK_JOB]);
    if (!*s) {
        t->aux_ignored++; /* its job was dropped or never listed */
        return 0;
    }
    pai_job_t *j = &p->jobs[*s - 1];
    j->tasks++;
    if (add_task(j, row->field) < 0)
        j->bad = 1;
    return 0;
}

/* ---- the jobs ------------------------------------------------------- */

static const char *judge(const pai_job_t *pj, dcs_trace_job_t *j)
{
    if (pj->drop)
        return pj->drop;
    if (pj->tasks == 0)
        return "no tasks";
    if (pj->bad)
        return "bad task row";
    j->gpus = pj->gpu_pct / 100.0;
    if (j->gpus > DCS_TRACE_MAX_GPUS)
        return DCS_DROP_GPUS;
    if (j->gpus == 0)
        return DCS_DROP_NO_GPUS;
    if (isinf(pj->first_start_s))
        return DCS_DROP_NOT_START;
    j->start_s = pj->first_start_s;
    j->censored = pj->running || pj->open;
    if (j->censored)
        return NULL;
    j->duration_s = pj->last_end_s - pj->first_start_s;
    return j->duration_s < 0 ? DCS_DROP_END_BEFORE : NULL;
}

static int keep_jobs(pai_t *p)
{
    for (size_t i = 0; i < p->len; i++) {
        const pai_job_t *pj = &p->jobs[i];
        dcs_trace_job_t j;
        dcs_trace_job_init(&j);
        j.line = pj->line;
        j.submit_s = pj->submit_s;
        dcs_trace_copy(j.name, sizeof j.name, pj->name);
        dcs_trace_copy(j.user, sizeof j.user, pj->user);
        dcs_trace_copy(j.gpu_type, sizeof j.gpu_type, pj->gpu_type);
        const char *why = judge(pj, &j);
        if (why)
            dcs_trace_drop(p->t, why);
        else if (dcs_trace_add(p->t, &j) < 0)
            return DCS_ENOMEM;
    }
    return 0;
}

int dcs_trace_read_pai(const char *path, const char *aux, dcs_trace_t *t,
                       dcs_err_t *err)
{
    if (!aux)
        return dcs_err_set(err, DCS_EINPUT,
                           "%s: the pai format needs the task table "
                           "(pai_task_table.csv) as its second file",
                           path);
    pai_t p = {.t = t};
    int rc = dcs_trace_csv_each(path, on_job, &p, err);
    if (rc == 0)
        rc = build_index(&p);
    p.rows = 0;
    if (rc == 0)
        rc = dcs_trace_csv_each(aux, on_task, &p, err);
    if (rc == 0)
        rc = keep_jobs(&p);
    free(p.jobs);
    free(p.slot);
    return rc;
}
