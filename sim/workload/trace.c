/* trace.c - what the trace readers share: format names, dispatch, drop
 * counting, the finishing pass, streaming CSV through libcsv, field
 * parsing, and replay as arrivals.
 *
 * The finishing pass is here, not in each reader, so that every format
 * agrees on what a censored job's duration is, which jobs are too short to
 * keep, where the clock starts and how ties are ordered. */
#include "workload/trace.h"

#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "workload/training.h"

/* ---- formats and dispatch ------------------------------------------- */

static const char *const format_names[] = {
    [DCS_TRACE_DCSIM] = "dcsim",
    [DCS_TRACE_PHILLY] = "philly",
    [DCS_TRACE_HELIOS] = "helios",
    [DCS_TRACE_PAI] = "pai",
    [DCS_TRACE_ALIBABA2023] = "alibaba2023",
    [DCS_TRACE_TIRESIAS] = "tiresias",
};
enum { NFORMATS = sizeof format_names / sizeof *format_names };

const char *dcs_trace_format_name(dcs_trace_format_t f)
{
    return (unsigned)f < NFORMATS ? format_names[f] : "unknown";
}

int dcs_trace_format_find(const char *name)
{
    for (int f = 0; f < NFORMATS; f++)
        if (name && !strcmp(name, format_names[f]))
            return f;
    return -1;
}

static void finish(dcs_trace_t *t);

static int dispatch(const char *path, const char *aux, dcs_trace_format_t f,
                    dcs_trace_t *t, dcs_err_t *err)
{
    /* A second file a format does not read would be ignored silently. */
    if (aux && f != DCS_TRACE_PAI && f != DCS_TRACE_ALIBABA2023)
        return dcs_err_set(err, DCS_EINPUT,
                           "%s: the %s format reads one file; '%s' would "
                           "be ignored",
                           path, dcs_trace_format_name(f), aux);
    switch (f) {
    case DCS_TRACE_DCSIM:
        return dcs_trace_read_dcsim(path, t, err);
    case DCS_TRACE_PHILLY:
        return dcs_trace_read_philly(path, t, err);
    case DCS_TRACE_HELIOS:
        return dcs_trace_read_helios(path, t, err);
    case DCS_TRACE_PAI:
        return dcs_trace_read_pai(path, aux, t, err);
    case DCS_TRACE_ALIBABA2023:
        return dcs_trace_read_alibaba2023(path, aux, t, err);
    case DCS_TRACE_TIRESIAS:
        return dcs_trace_read_tiresias(path, t, err);
    }
    return dcs_err_set(err, DCS_EINVAL, "%s: unknown trace format %d", path,
                       (int)f);
}

int dcs_trace_read(const char *path, const char *aux, dcs_trace_format_t f,
                   dcs_trace_t *t, dcs_err_t *err)
{
    memset(t, 0, sizeof *t);
    t->end_s = -INFINITY;
    int rc = dispatch(path, aux, f, t, err);
    if (rc < 0) {
        if (rc == DCS_ENOMEM && err && !err->msg[0])
            dcs_err_set(err, rc, "out of memory reading '%s'", path);
        dcs_trace_destroy(t);
        return rc;
    }
    finish(t);
    return 0;
}

void dcs_trace_destroy(dcs_trace_t *t)
{
    if (!t)
        return;
    free(t->jobs);
    free(t->train);
    memset(t, 0, sizeof *t);
}

/* ---- counting ------------------------------------------------------- */

void dcs_trace_drop(dcs_trace_t *t, const char *reason)
{
    for (size_t i = 0; i < t->ndrops; i++)
        if (!strcmp(t->drops[i].reason, reason)) {
            t->drops[i].count++;
            return;
        }
    if (t->ndrops == DCS_TRACE_MAX_REASONS) {
        /* Reasons are the readers' literals, so this is not expected; if
         * it happens the count still adds up. */
        dcs_trace_drop_t *last = &t->drops[DCS_TRACE_MAX_REASONS - 1];
        dcs_trace_copy(last->reason, sizeof last->reason, "other");
        last->count++;
        return;
    }
    dcs_trace_drop_t *d = &t->drops[t->ndrops++];
    dcs_trace_copy(d->reason, sizeof d->reason, reason);
    d->count = 1;
}

int dcs_trace_skip(dcs_trace_t *t, const char *reason)
{
    dcs_trace_drop(t, reason);
    return 0;
}

int64_t dcs_trace_dropped(const dcs_trace_t *t, const char *reason)
{
    for (size_t i = 0; i < t->ndrops; i++)
        if (!strcmp(t->drops[i].reason, reason))
            return t->drops[i].count;
    return 0;
}

int64_t dcs_trace_dropped_total(const dcs_trace_t *t)
{
    int64_t sum = 0;
    for (size_t i = 0; i < t->ndrops; i++)
        sum += t->drops[i].count;
    return sum;
}

static int is_fractional(double gpus)
{
    return gpus != floor(gpus);
}

int dcs_trace_add(dcs_trace_t *t, const dcs_trace_job_t *j)
{
    if (t->len == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        dcs_trace_job_t *jobs = realloc(t->jobs, cap * sizeof *jobs);
        if (!jobs)
            return DCS_ENOMEM;
        t->jobs = jobs;
        t->cap = cap;
    }
    t->jobs[t->len++] = *j;
    t->censored += j->censored != 0;
    t->fractional += is_fractional(j->gpus);
    return 0;
}

int dcs_trace_add_train(dcs_trace_t *t, dcs_trace_job_t *j,
                        const dcs_trace_train_t *train)
{
    if (t->ntrain >= INT32_MAX)
        return DCS_ENOMEM; /* past what a job's index holds */
    if (t->ntrain == t->train_cap) {
        size_t cap = t->train_cap ? t->train_cap * 2 : 16;
        dcs_trace_train_t *rows = realloc(t->train, cap * sizeof *rows);
        if (!rows)
            return DCS_ENOMEM;
        t->train = rows;
        t->train_cap = cap;
    }
    j->train = (int32_t)t->ntrain;
    t->train[t->ntrain] = *train;
    t->train[t->ntrain].job = -1;
    int rc = dcs_trace_add(t, j);
    if (rc == 0)
        t->ntrain++;
    return rc;
}

void dcs_trace_print_counts(const dcs_trace_t *t, const char *label, FILE *out)
{
    if (label)
        fprintf(out, "%s: ", label);
    fprintf(out,
            "%lld records, %zu jobs kept, %lld censored, %lld fractional; "
            "dropped: ",
            (long long)t->records, t->len, (long long)t->censored,
            (long long)t->fractional);
    if (t->ndrops == 0)
        fputs("none", out);
    for (size_t i = 0; i < t->ndrops; i++)
        fprintf(out, "%s%s %lld", i ? ", " : "", t->drops[i].reason,
                (long long)t->drops[i].count);
    if (t->aux_records)
        fprintf(out, "; aux rows: %lld, %lld unused", (long long)t->aux_records,
                (long long)t->aux_ignored);
    fputc('\n', out);
    if (t->nmodels == 0)
        return;
    if (label)
        fprintf(out, "%s: ", label);
    fputs("cluster:", out);
    for (size_t i = 0; i < t->nmodels; i++) {
        const dcs_trace_model_t *m = &t->models[i];
        fprintf(out, "%s %s %lld node%s %lld GPUs", i ? "," : "",
                m->name[0] ? m->name : "no-GPU", (long long)m->nodes,
                m->nodes == 1 ? "" : "s", (long long)m->gpus);
    }
    fputc('\n', out);
}

/* ---- the finishing pass --------------------------------------------- */

/* Censored jobs run to the trace's end; what then lasts no time at all is
 * dropped (a job that ran 0 s cannot be scheduled meaningfully). */
static void settle_durations(dcs_trace_t *t)
{
    size_t kept = 0;
    for (size_t i = 0; i < t->len; i++) {
        dcs_trace_job_t *j = &t->jobs[i];
        if (j->censored)
            j->duration_s = t->end_s - j->start_s;
        if (!(j->duration_s > 0) && j->train < 0) {
            t->censored -= j->censored != 0;
            t->fractional -= is_fractional(j->gpus);
            dcs_trace_drop(t, DCS_DROP_ZERO);
            continue;
        }
        t->jobs[kept++] = *j;
    }
    t->len = kept;
}

static void shift_clock(dcs_trace_t *t)
{
    double origin = INFINITY, end = t->end_s;
    for (size_t i = 0; i < t->len; i++) {
        const dcs_trace_job_t *j = &t->jobs[i];
        origin = fmin(origin, j->submit_s);
        double began = isnan(j->start_s) ? j->submit_s : j->start_s;
        end = fmax(end, began + j->duration_s);
    }
    if (t->len == 0) {
        t->end_s = 0;
        return;
    }
    for (size_t i = 0; i < t->len; i++) {
        dcs_trace_job_t *j = &t->jobs[i];
        j->submit_s -= origin;
        j->start_s -= origin; /* NAN stays NAN */
        if (j->deadline_s >= 0)
            j->deadline_s = fmax(0, j->deadline_s - origin);
    }
    t->end_s = end - origin;
}

/* Readers add jobs in file order, so `line` breaks ties as the file did. */
static int by_submit(const void *a, const void *b)
{
    const dcs_trace_job_t *x = a, *y = b;
    if (x->submit_s != y->submit_s)
        return x->submit_s < y->submit_s ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

static void finish(dcs_trace_t *t)
{
    settle_durations(t);
    shift_clock(t);
    if (t->len > 1)
        qsort(t->jobs, t->len, sizeof *t->jobs, by_submit);
}

/* ---- streaming CSV -------------------------------------------------- */

typedef struct csv_stream {
    char *bytes; /* the current record's fields, each NUL-terminated */
    size_t nbytes, bytes_cap;
    size_t *start; /* where each field begins in bytes */
    size_t nfields, start_cap;
    char **field; /* handed to the callback */
    size_t field_cap;
    int64_t line;        /* line being fed */
    int64_t record_line; /* line the current record started on */
    int started;         /* a field of the current record was seen */
    int64_t nrecords;    /* records handed over so far */
    dcs_trace_row_fn fn;
    void *ctx;
    dcs_err_t *err;
    int rc; /* first failure; stops the stream */
} csv_stream_t;

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t cap2 = *cap ? *cap : 64;
    while (cap2 < need)
        cap2 *= 2;
    void *q = realloc(*p, cap2 * size);
    if (!q)
        return DCS_ENOMEM;
    *p = q;
    *cap = cap2;
    return 0;
}

static void on_field(void *s, size_t len, void *data)
{
    csv_stream_t *c = data;
    if (c->rc)
        return;
    if (!c->started) {
        c->started = 1;
        c->record_line = c->line;
    }
    if (grow((void **)&c->bytes, &c->bytes_cap, c->nbytes + len + 1, 1) ||
        grow((void **)&c->start, &c->start_cap, c->nfields + 1,
             sizeof *c->start)) {
        c->rc = DCS_ENOMEM;
        return;
    }
    c->start[c->nfields++] = c->nbytes;
    if (len)
        memcpy(c->bytes + c->nbytes, s, len);
    c->nbytes += len;
    c->bytes[c->nbytes++] = '\0';
}

/* A UTF-8 byte-order mark (spreadsheets write one) is not part of the
 * first column's name. */
static void drop_bom(char *s)
{
    if ((unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB &&
        (unsigned char)s[2] == 0xBF)
        memmove(s, s + 3, strlen(s + 3) + 1);
}

static void on_record(int term, void *data)
{
    csv_stream_t *c = data;
    (void)term;
    size_t n = c->nfields;
    c->nfields = 0;
    c->nbytes = 0;
    c->started = 0;
    /* A line of nothing but a comma-less empty field is a blank line. */
    if (c->rc || n == 0)
        return;
    if (grow((void **)&c->field, &c->field_cap, n, sizeof *c->field)) {
        c->rc = DCS_ENOMEM;
        return;
    }
    for (size_t i = 0; i < n; i++)
        c->field[i] = c->bytes + c->start[i];
    if (n == 1 && c->field[0][0] == '\0')
        return;
    if (c->nrecords++ == 0)
        drop_bom(c->field[0]);
    dcs_trace_row_t row = {c->field, n, c->record_line};
    c->rc = c->fn(c->ctx, &row, c->err);
}

static int feed(struct csv_parser *p, FILE *f, csv_stream_t *c,
                const char *path)
{
    char *buf = NULL;
    size_t cap = 0;
    ssize_t len;
    while (!c->rc && (len = getline(&buf, &cap, f)) > 0) {
        c->line++;
        if (csv_parse(p, buf, (size_t)len, on_field, on_record, c) !=
            (size_t)len) {
            int e = csv_error(p);
            c->rc =
                dcs_err_set(c->err, e == CSV_ENOMEM ? DCS_ENOMEM : DCS_EINPUT,
                            "%s:%lld: unreadable CSV (libcsv: %s)", path,
                            (long long)c->line, csv_strerror(e));
        }
    }
    if (!c->rc && ferror(f))
        c->rc = dcs_err_set(c->err, DCS_EINPUT, "cannot read '%s': %s", path,
                            strerror(errno));
    free(buf);
    if (!c->rc)
        csv_fini(p, on_field, on_record, c);
    return c->rc;
}

int dcs_trace_csv_each(const char *path, dcs_trace_row_fn fn, void *ctx,
                       dcs_err_t *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return dcs_err_set(err, DCS_EINPUT, "cannot open '%s': %s", path,
                           strerror(errno));
    struct csv_parser p;
    if (csv_init(&p, CSV_APPEND_NULL) != 0) {
        fclose(f);
        return DCS_ENOMEM;
    }
    csv_stream_t c = {0};
    c.fn = fn;
    c.ctx = ctx;
    c.err = err;
    int rc = feed(&p, f, &c, path);
    csv_free(&p);
    fclose(f);
    free(c.bytes);
    free(c.start);
    free(c.field);
    return rc;
}

/* ---- columns and fields --------------------------------------------- */

static int find_col(const dcs_trace_row_t *hdr, const char *name, int *idx,
                    int *twice)
{
    *idx = -1;
    *twice = 0;
    for (size_t i = 0; i < hdr->n; i++)
        if (!strcmp(hdr->field[i], name)) {
            if (*idx >= 0)
                *twice = 1;
            else
                *idx = (int)i;
        }
    return *idx;
}

static int unknown_column(const char *path, const dcs_trace_row_t *hdr,
                          size_t field, const dcs_trace_col_t *cols,
                          size_t ncols, dcs_err_t *err)
{
    char known[512] = "";
    size_t used = 0;
    for (size_t i = 0; i < ncols && used < sizeof known; i++)
        used += (size_t)snprintf(known + used, sizeof known - used, "%s%s",
                                 i ? ", " : "", cols[i].name);
    return dcs_err_set(err, DCS_EINPUT,
                       "%s:%lld: unknown column '%s' (field %zu); expected "
                       "some of: %s",
                       path, (long long)hdr->line, hdr->field[field], field + 1,
                       known);
}

int dcs_trace_header(const char *path, const dcs_trace_row_t *hdr,
                     const dcs_trace_col_t *cols, size_t ncols, int strict,
                     int *idx, dcs_err_t *err)
{
    for (size_t i = 0; i < ncols; i++) {
        int twice;
        find_col(hdr, cols[i].name, &idx[i], &twice);
        if (idx[i] < 0 && cols[i].required)
            return dcs_err_set(err, DCS_EINPUT,
                               "%s:%lld: missing required column '%s'", path,
                               (long long)hdr->line, cols[i].name);
        if (twice && strict)
            return dcs_err_set(err, DCS_EINPUT,
                               "%s:%lld: column '%s' appears twice", path,
                               (long long)hdr->line, cols[i].name);
    }
    for (size_t f = 0; strict && f < hdr->n; f++) {
        int known = 0;
        for (size_t i = 0; i < ncols; i++)
            known |= idx[i] == (int)f;
        if (!known)
            return unknown_column(path, hdr, f, cols, ncols, err);
    }
    return 0;
}

const char *dcs_trace_field(const dcs_trace_row_t *row, int idx)
{
    return idx >= 0 && (size_t)idx < row->n ? row->field[idx] : "";
}

/* ---- parsing fields ------------------------------------------------- */

static const char *skip_space(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    return s;
}

int dcs_trace_is_empty(const char *s)
{
    s = skip_space(s);
    if (!*s)
        return 1;
    static const char *const words[] = {"nan", "none", "null"};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        size_t n = strlen(words[i]);
        if (!strncasecmp(s, words[i], n) && !*skip_space(s + n))
            return 1;
    }
    return 0;
}

int dcs_trace_number(const char *s, double *v)
{
    if (dcs_trace_is_empty(s))
        return DCS_TRACE_EMPTY;
    s = skip_space(s);
    char *end;
    double x = strtod(s, &end);
    if (end == s || *skip_space(end) || !isfinite(x))
        return DCS_TRACE_BAD;
    *v = x;
    return DCS_TRACE_OK;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil): no locale, no time zone. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return days[m - 1] + (m == 2 && leap);
}

/* n decimal digits at s into *out; 0 if they are not all digits. */
static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

int dcs_trace_datetime(const char *s, double *v)
{
    if (dcs_trace_is_empty(s))
        return DCS_TRACE_EMPTY;
    s = skip_space(s);
    int y, mo, d, h, mi, sec;
    if (strlen(s) < 19 || !digits(s, 4, &y) || s[4] != '-' ||
        !digits(s + 5, 2, &mo) || s[7] != '-' || !digits(s + 8, 2, &d) ||
        (s[10] != ' ' && s[10] != 'T') || !digits(s + 11, 2, &h) ||
        s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
        !digits(s + 17, 2, &sec))
        return DCS_TRACE_BAD;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 ||
        mi > 59 || sec > 60)
        return DCS_TRACE_BAD;
    const char *rest = s + 19;
    double frac = 0;
    if (*rest == '.') {
        double scale = 0.1;
        for (rest++; isdigit((unsigned char)*rest); rest++, scale /= 10)
            frac += (*rest - '0') * scale;
    }
    if (*rest == 'Z')
        rest++;
    if (*skip_space(rest))
        return DCS_TRACE_BAD;
    *v = (double)days_from_civil(y, mo, d) * 86400.0 + h * 3600.0 + mi * 60.0 +
         sec + frac;
    return DCS_TRACE_OK;
}

/* ---- building jobs -------------------------------------------------- */

void dcs_trace_copy(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size)
        n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

void dcs_trace_job_init(dcs_trace_job_t *j)
{
    memset(j, 0, sizeof *j);
    dcs_trace_copy(j->team, sizeof j->team, "default");
    j->deadline_s = -1;
    j->estimate_s = -1;
    j->gpu_seconds = -1;
    j->train = -1;
    j->start_s = NAN;
}

void dcs_trace_saw_time(dcs_trace_t *t, double s)
{
    if (isfinite(s) && s > t->end_s)
        t->end_s = s;
}

/* ---- replay --------------------------------------------------------- */

static void arrival(dcs_sim_t *sim, void *obj, int64_t arg);

static dcs_event_id_t schedule_next(dcs_trace_replay_t *r, dcs_sim_t *sim)
{
    const dcs_trace_job_t *j = &r->trace->jobs[r->next];
    dcs_time_t at = r->origin_ns + dcs_time_from_s(j->submit_s * r->time_scale);
    /* Sorted submissions never go back; this only guards rounding. */
    dcs_time_t now = dcs_sim_now(sim);
    return dcs_sim_at(sim, at < now ? now : at, arrival, r, 0);
}

static void fill_job(dcs_job_t *job, const dcs_trace_job_t *j, dcs_time_t now)
{
    job->kind = &dcs_job_kind_fixed;
    dcs_trace_copy(job->name, sizeof job->name, j->name);
    dcs_trace_copy(job->user, sizeof job->user, j->user);
    dcs_trace_copy(job->team, sizeof job->team, j->team);
    dcs_trace_copy(job->gpu_type, sizeof job->gpu_type, j->gpu_type);
    double gpus = ceil(j->gpus);
    job->gpus = gpus < 1 ? 1 : (int)gpus;
    job->duration_ns = dcs_time_from_s(j->duration_s);
    if (job->duration_ns < 1)
        job->duration_ns = 1;
    job->estimate_ns = j->estimate_s >= 0 ? dcs_time_from_s(j->estimate_s) : 0;
    job->priority = j->priority;
    job->deadline_ns =
        j->deadline_s >= 0
            ? now + dcs_time_from_s(fmax(0, j->deadline_s - j->submit_s))
            : -1;
    job->min_gpus = j->min_gpus;
    job->max_gpus = j->max_gpus;
    job->submit_ns = now;
    job->state = DCS_JOB_QUEUED;
}

static void arrival(dcs_sim_t *sim, void *obj, int64_t arg)
{
    dcs_trace_replay_t *r = obj;
    (void)arg;
    size_t i = r->next++;
    dcs_job_t *job = dcs_jobs_add(r->jobs, (int64_t)i);
    DCS_ASSERT(job != NULL); /* out of memory mid-run: nothing sane to do */
    const dcs_trace_job_t *j = &r->trace->jobs[i];
    fill_job(job, j, dcs_sim_now(sim));
    if (j->train >= 0) /* priced: checked at start */
        dcs_training_as_job(r->training, (size_t)r->trace->train[j->train].job,
                            job);
    if (r->next < r->trace->len) {
        dcs_event_id_t next = schedule_next(r, sim);
        DCS_ASSERT(next != 0);
    }
    r->sink(r->sink_ctx, sim, job);
}

int dcs_trace_start(dcs_trace_replay_t *r, const dcs_trace_t *t,
                    dcs_training_t *training, dcs_sim_t *sim, double time_scale,
                    dcs_jobs_t *jobs, dcs_trace_sink_fn sink, void *sink_ctx)
{
    memset(r, 0, sizeof *r);
    if (!(time_scale > 0) || !isfinite(time_scale))
        return DCS_EINVAL;
    for (size_t i = 0; i < t->len; i++) {
        int32_t k = t->jobs[i].train;
        if (k >= 0 && (!training || t->train[k].job < 0 ||
                       (size_t)t->train[k].job >= training->njobs))
            return DCS_EINVAL;
    }
    r->trace = t;
    r->training = training;
    r->jobs = jobs;
    r->sink = sink;
    r->sink_ctx = sink_ctx;
    r->time_scale = time_scale;
    r->origin_ns = dcs_sim_now(sim);
    if (t->len > 0 && schedule_next(r, sim) == 0)
        return DCS_ENOMEM;
    return 0;
}
