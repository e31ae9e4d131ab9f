/* trace.h - job traces: published cluster logs and dcsim's own CSV, read
 * into one list of job records, and replayed as arrivals.
 *
 * Formats (see workloads/README.md for each one's columns):
 *   dcsim      dcsim's own job-trace CSV
 *   philly     Microsoft Philly cluster_job_log (JSON)
 *   helios     SenseTime Helios cluster_log.csv
 *   pai        Alibaba PAI 2020 pai_job_table.csv + pai_task_table.csv
 *   alibaba2023  Alibaba GPU 2023 openb_pod_list_*.csv (+ node list)
 *   tiresias   Tiresias / Gavel style CSV
 *
 * Real traces are messy. A reader keeps every job it can use, drops the
 * rest, and counts each drop by reason (never silently); it never crashes
 * on malformed input. Only an unreadable file or a missing required column
 * is an error (DCS_EINPUT naming the file, line and column).
 *
 * Times are seconds from the trace's first submission (which becomes 0). */
#ifndef DCS_TRACE_H
#define DCS_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "engine/error.h"
#include "engine/sim.h"
#include "workload/job.h"

typedef struct dcs_trace_job {
    char name[48];     /* the trace's job id */
    char user[32];     /* "" unknown */
    char team[32];     /* virtual cluster, group or queue; "default" */
    double submit_s;   /* from the first submission */
    double duration_s; /* run time once started (>= 0) */
    double gpus;       /* requested; fractions of a GPU where the trace
                          has them (PAI, Alibaba 2023) */
    char gpu_type[16]; /* "" any */
    int priority;      /* 0 unless the trace ranks jobs */
    double deadline_s; /* -1: none */
    int min_gpus, max_gpus; /* elastic bounds (0: not elastic) */
    int censored;      /* 1: still running when the trace ends (duration
                          is up to the trace's end, a lower bound) */
} dcs_trace_job_t;

enum { DCS_TRACE_MAX_REASONS = 24 };

typedef struct dcs_trace_drop {
    char reason[64]; /* e.g. "no GPUs requested", "never scheduled" */
    int64_t count;
} dcs_trace_drop_t;

typedef struct dcs_trace {
    dcs_trace_job_t *jobs; /* kept, sorted by submit time (stable) */
    size_t len, cap;
    int64_t records;       /* rows or objects read */
    int64_t censored;      /* kept, still running at the trace's end */
    int64_t fractional;    /* kept, asking for a fraction of a GPU */
    dcs_trace_drop_t drops[DCS_TRACE_MAX_REASONS];
    size_t ndrops;
} dcs_trace_t;

typedef enum dcs_trace_format {
    DCS_TRACE_DCSIM,
    DCS_TRACE_PHILLY,
    DCS_TRACE_HELIOS,
    DCS_TRACE_PAI,
    DCS_TRACE_ALIBABA2023,
    DCS_TRACE_TIRESIAS,
} dcs_trace_format_t;

/* "dcsim", "philly", ... ; and back (-1: unknown). */
const char *dcs_trace_format_name(dcs_trace_format_t f);
int dcs_trace_format_find(const char *name);

/* Reads `path` in format `f` into `t` (zeroed first). `aux` is the second
 * file some formats have: PAI's task table, Alibaba 2023's node list
 * (NULL: none; PAI needs it). Returns 0, DCS_EINPUT or DCS_ENOMEM. */
int dcs_trace_read(const char *path, const char *aux, dcs_trace_format_t f,
                   dcs_trace_t *t, dcs_err_t *err);
void dcs_trace_destroy(dcs_trace_t *t);

/* Counts a dropped record under `reason` (reasons are kept in the order
 * first seen). */
void dcs_trace_drop(dcs_trace_t *t, const char *reason);
/* Appends a kept job; returns 0 or DCS_ENOMEM. */
int dcs_trace_add(dcs_trace_t *t, const dcs_trace_job_t *j);

/* Prints "N records, K jobs kept, C censored, F fractional; dropped: R1 n1,
 * R2 n2" on `out`, one line. */
void dcs_trace_print_counts(const dcs_trace_t *t, const char *label,
                            FILE *out);

/* Replays the trace: each job arrives at its submit time (scaled by
 * `time_scale`, 1 = as recorded) as a fixed-duration job of
 * ceil(gpus) GPUs, appended to `jobs` and handed to `sink`. */
typedef void (*dcs_trace_sink_fn)(void *ctx, dcs_sim_t *sim, dcs_job_t *job);
typedef struct dcs_trace_replay {
    const dcs_trace_t *trace;
    dcs_jobs_t *jobs;
    dcs_trace_sink_fn sink;
    void *sink_ctx;
    double time_scale;
    size_t next;
} dcs_trace_replay_t;
int dcs_trace_start(dcs_trace_replay_t *r, const dcs_trace_t *t,
                    dcs_sim_t *sim, double time_scale, dcs_jobs_t *jobs,
                    dcs_trace_sink_fn sink, void *sink_ctx);

#endif
