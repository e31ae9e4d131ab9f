/* trace_philly.c - Microsoft Philly cluster_job_log
 * (github.com/msr-fiddle/philly-traces), a JSON array of jobs:
 *
 *   {"status": "Pass", "vc": "...", "jobid": "application_...",
 *    "submitted_time": "2017-10-03 02:54:54", "user": "...",
 *    "attempts": [{"start_time": "...", "end_time": "..." or null,
 *                  "detail": [{"ip": "m12", "gpus": ["gpu0", "gpu1"]}]}]}
 *
 * A job runs from its first attempt's start to its last attempt's end
 * (the retries and the gaps between them count: the job held its place
 * all along), on the GPUs its first attempt held. A last attempt with no
 * end (null or "None") was still running when the trace ended: censored.
 * Read whole with jansson; the published file is about 100 MB. */
#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "workload/trace.h"

/* A time field: a string to parse, or null / missing for none. */
static int json_time(json_t *obj, const char *key, double *v)
{
    json_t *x = json_object_get(obj, key);
    if (!x || json_is_null(x))
        return DCS_TRACE_EMPTY;
    if (!json_is_string(x))
        return DCS_TRACE_BAD;
    return dcs_trace_datetime(json_string_value(x), v);
}

static const char *json_text(json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "";
}

/* Every time the job records moves the trace's end, kept or not. */
static void see_times(dcs_trace_t *t, json_t *job, json_t *attempts)
{
    double v;
    if (json_time(job, "submitted_time", &v) == DCS_TRACE_OK)
        dcs_trace_saw_time(t, v);
    size_t i;
    json_t *a;
    json_array_foreach(attempts, i, a)
    {
        if (json_time(a, "start_time", &v) == DCS_TRACE_OK)
            dcs_trace_saw_time(t, v);
        if (json_time(a, "end_time", &v) == DCS_TRACE_OK)
            dcs_trace_saw_time(t, v);
    }
}

/* GPU names summed over the machines of one attempt. */
static double attempt_gpus(json_t *attempt)
{
    double gpus = 0;
    size_t i;
    json_t *machine;
    json_array_foreach(json_object_get(attempt, "detail"), i, machine) gpus +=
        (double)json_array_size(json_object_get(machine, "gpus"));
    return gpus;
}

static const char *read_job(dcs_trace_t *t, json_t *job, dcs_trace_job_t *j)
{
    if (!json_is_object(job))
        return "not an object";
    json_t *attempts = json_object_get(job, "attempts");
    see_times(t, job, attempts);
    if (json_time(job, "submitted_time", &j->submit_s) != DCS_TRACE_OK)
        return DCS_DROP_SUBMIT;
    size_t n = json_array_size(attempts); /* 0 when not an array */
    if (n == 0)
        return DCS_DROP_NOT_START;
    json_t *first = json_array_get(attempts, 0);
    json_t *last = json_array_get(attempts, n - 1);
    int rc = json_time(first, "start_time", &j->start_s);
    if (rc == DCS_TRACE_EMPTY)
        return DCS_DROP_NOT_START;
    if (rc == DCS_TRACE_BAD)
        return DCS_DROP_START;
    j->gpus = attempt_gpus(first);
    if (j->gpus == 0)
        return DCS_DROP_NO_GPUS;
    double end;
    rc = json_time(last, "end_time", &end);
    if (rc == DCS_TRACE_BAD)
        return DCS_DROP_END;
    j->censored = rc == DCS_TRACE_EMPTY;
    if (j->censored)
        return NULL;
    j->duration_s = end - j->start_s;
    return j->duration_s < 0 ? DCS_DROP_END_BEFORE : NULL;
}

static int read_jobs(dcs_trace_t *t, json_t *root)
{
    size_t i;
    json_t *job;
    json_array_foreach(root, i, job)
    {
        t->records++;
        dcs_trace_job_t j;
        dcs_trace_job_init(&j);
        j.line = (int64_t)i + 1;
        dcs_trace_copy(j.name, sizeof j.name, json_text(job, "jobid"));
        dcs_trace_copy(j.user, sizeof j.user, json_text(job, "user"));
        const char *vc = json_text(job, "vc");
        if (*vc)
            dcs_trace_copy(j.team, sizeof j.team, vc);
        const char *why = read_job(t, job, &j);
        if (why)
            dcs_trace_drop(t, why);
        else if (dcs_trace_add(t, &j) < 0)
            return DCS_ENOMEM;
    }
    return 0;
}

static const char *json_kind(const json_t *x)
{
    switch (json_typeof(x)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "something else";
}

int dcs_trace_read_philly(const char *path, dcs_trace_t *t, dcs_err_t *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return dcs_err_set(err, DCS_EINPUT, "cannot open '%s': %s", path,
                           strerror(errno));
    json_error_t je;
    json_t *root = json_loadf(f, JSON_DECODE_ANY, &je);
    fclose(f);
    if (!root)
        return dcs_err_set(err, DCS_EINPUT, "%s:%d:%d: malformed JSON: %s",
                           path, je.line, je.column, je.text);
    int rc;
    if (!json_is_array(root))
        rc = dcs_err_set(err, DCS_EINPUT,
                         "%s:1: expected a JSON array of jobs, found %s", path,
                         json_kind(root));
    else
        rc = read_jobs(t, root);
    json_decref(root);
    return rc;
}
