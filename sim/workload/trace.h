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
 * is an error (DCS_EINPUT naming the file, line and column). After a read,
 * records == len + the sum of the drop counts, always.
 *
 * Times are seconds from the trace's first kept submission (which becomes
 * 0). A job still running when the trace ends (censored) runs until the
 * latest time the trace records anywhere. */
#ifndef DCS_TRACE_H
#define DCS_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/error.h"
#include "engine/sim.h"
#include "workload/job.h"

typedef struct dcs_trace_job {
    char name[48];          /* the trace's job id */
    char user[32];          /* "" unknown */
    char team[32];          /* virtual cluster, group or queue; "default" */
    double submit_s;        /* from the first submission */
    double duration_s;      /* run time once started, on ceil(gpus) GPUs
                               (at least 1) (> 0 once read; a training row
                               0 until priced, then iterations x its
                               iteration time alone) */
    double gpu_seconds;     /* the work in GPU-seconds, whatever the size,
                               where the trace gives it so (dcsim's CSV):
                               duration_s is then gpu_seconds / ceil(gpus)
                               (at least 1 GPU); -1: the trace gives a run
                               time */
    double gpus;            /* requested; fractions of a GPU where the trace
                               has them (PAI, Alibaba 2023) */
    char gpu_type[16];      /* "" any */
    int priority;           /* 0 unless the trace ranks jobs */
    int32_t train;          /* a training row (dcsim's CSV: a model and
                               iterations): its index in the trace's
                               `train`; -1: a job of a fixed length */
    double deadline_s;      /* -1: none; else on the submit_s clock */
    int min_gpus, max_gpus; /* elastic bounds (0: not elastic) */
    int censored;           /* 1: still running when the trace ends (duration
                               is up to the trace's end, a lower bound) */
    double estimate_s;      /* the user's run-time estimate (-1: none) */
    double start_s;         /* when the traced cluster started it, on the
                               submit_s clock (NAN: the trace does not say) */
    int64_t line;           /* where it was read: the CSV line it starts on, or
                               its 1-based position in Philly's JSON array */
} dcs_trace_job_t;

/* What a training row of dcsim's CSV gives instead of a length: a model
 * and iterations, and the plan numbers it names (0: by the default rule,
 * applied where the cluster is known; workloads/README.md). */
typedef struct dcs_trace_train {
    char model[64];       /* the model's name: <models dir>/<model>.yaml */
    int64_t iterations;   /* count, >= 1 */
    int64_t tp, pp;       /* tensor, pipeline degrees (0: default) */
    int64_t micro_batch;  /* sequences (0: default) */
    int64_t global_batch; /* sequences per iteration (0: default) */
    int64_t seq;          /* tokens per sequence (0: the model's) */
    int64_t job;          /* once priced, its job in the training set the
                             replay is given (-1: not priced) */
} dcs_trace_train_t;

enum { DCS_TRACE_MAX_REASONS = 24 };

typedef struct dcs_trace_drop {
    char reason[64]; /* e.g. "no GPUs requested", "never scheduled" */
    int64_t count;
} dcs_trace_drop_t;

enum { DCS_TRACE_MAX_MODELS = 16 };

/* One GPU model of the cluster a trace describes (Alibaba 2023's node
 * list). */
typedef struct dcs_trace_model {
    char name[16]; /* as the node list names it; "" nodes without GPUs */
    int64_t nodes; /* count */
    int64_t gpus;  /* count, over those nodes */
} dcs_trace_model_t;

typedef struct dcs_trace {
    dcs_trace_job_t *jobs; /* kept, sorted by submit time (stable) */
    size_t len, cap;
    int64_t records;    /* rows or objects read */
    int64_t censored;   /* kept, still running at the trace's end */
    int64_t fractional; /* kept, asking for a fraction of a GPU */
    dcs_trace_drop_t drops[DCS_TRACE_MAX_REASONS];
    size_t ndrops;
    double end_s;        /* the latest time the trace records, on the
                            submit_s clock: censored jobs end here
                            (training rows count by their submission:
                            their run time is not known when read) */
    int64_t aux_records; /* rows of the second file (PAI tasks, Alibaba
                            2023 nodes) */
    int64_t aux_ignored; /* of those, unusable or matching no job */
    dcs_trace_model_t models[DCS_TRACE_MAX_MODELS]; /* the cluster, by
                              GPU model, in order first seen (Alibaba
                              2023 with a node list); a last "other"
                              holds any beyond */
    size_t nmodels;
    dcs_trace_train_t *train; /* training rows' models, iterations and
                                 plans, indexed by their jobs' `train`
                                 (dropped rows' may remain) */
    size_t ntrain, train_cap;
    int model_column; /* 1: the file has a `model` column (dcsim) */
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
 * (NULL: none; PAI needs it; the other formats take none). Returns 0,
 * DCS_EINPUT or DCS_ENOMEM, with `err` set to one of:
 *   cannot open 'PATH': No such file or directory
 *   PATH: empty file, expected a header row
 *   PATH:1: missing required column 'NAME'
 *   PATH:1: unknown column 'NAME' (field F); expected ... (dcsim only)
 *   PATH:LINE:COL: malformed JSON: ... (philly)
 * On error `t` holds nothing and needs no destroy. Holds every kept job in
 * memory; PAI also holds one small record per job of its job table while
 * joining the task table. */
int dcs_trace_read(const char *path, const char *aux, dcs_trace_format_t f,
                   dcs_trace_t *t, dcs_err_t *err);
void dcs_trace_destroy(dcs_trace_t *t);

/* Counts a dropped record under `reason` (reasons are kept in the order
 * first seen; past DCS_TRACE_MAX_REASONS they share a last "other"). */
void dcs_trace_drop(dcs_trace_t *t, const char *reason);
/* Records dropped under `reason` (0 when none), and under all reasons. */
int64_t dcs_trace_dropped(const dcs_trace_t *t, const char *reason);
int64_t dcs_trace_dropped_total(const dcs_trace_t *t);
/* Appends a kept job (counting it as censored or fractional); returns 0 or
 * DCS_ENOMEM. */
int dcs_trace_add(dcs_trace_t *t, const dcs_trace_job_t *j);
/* Appends a kept training row: `j` with `train` (its job -1, not priced);
 * returns 0 or DCS_ENOMEM. */
int dcs_trace_add_train(dcs_trace_t *t, dcs_trace_job_t *j,
                        const dcs_trace_train_t *train);

/* Prints "LABEL: N records, K jobs kept, C censored, F fractional;
 * dropped: R1 n1, R2 n2" on `out`, one line (with "; aux rows: A, I
 * unused" when there was a second file), and, when the trace describes its
 * cluster, a second line "LABEL: cluster: MODEL n nodes g GPUs, ...". */
void dcs_trace_print_counts(const dcs_trace_t *t, const char *label, FILE *out);

/* Replays the trace: each job arrives at its submit time (scaled by
 * `time_scale`, 1 = as recorded, 0.5 = arrivals twice as dense), counted
 * from the clock when dcs_trace_start is called, as a fixed-duration job of
 * ceil(gpus) GPUs (at least 1), appended to `jobs` with id = its index in
 * the trace and handed to `sink`. Durations are not scaled, and a deadline
 * keeps its distance from the (scaled) submission. A training row arrives
 * the same way as a training job: job `train[j.train].job` of `training`
 * (dcs_training_as_job), which must have been attached to `sim`. One
 * event is pending at a time. `t` and `training` must outlive the replay.
 * Returns 0, DCS_EINVAL when time_scale is not above 0 or a training row
 * is not priced in `training` (or `training` is NULL), or DCS_ENOMEM. */
typedef void (*dcs_trace_sink_fn)(void *ctx, dcs_sim_t *sim, dcs_job_t *job);
typedef struct dcs_training dcs_training_t;
typedef struct dcs_trace_replay {
    const dcs_trace_t *trace;
    dcs_training_t *training; /* the training rows' jobs (NULL: none) */
    dcs_jobs_t *jobs;
    dcs_trace_sink_fn sink;
    void *sink_ctx;
    double time_scale;
    size_t next;          /* the next job to arrive */
    dcs_time_t origin_ns; /* the clock at start: submit_s 0 */
} dcs_trace_replay_t;
int dcs_trace_start(dcs_trace_replay_t *r, const dcs_trace_t *t,
                    dcs_training_t *training, dcs_sim_t *sim, double time_scale,
                    dcs_jobs_t *jobs, dcs_trace_sink_fn sink, void *sink_ctx);

/* ---- For the readers (trace_*.c); callers need none of this ----------
 *
 * A reader fills `t` with times on the trace's own clock (epoch seconds,
 * say): every time it parses goes to dcs_trace_saw_time, dropped records'
 * too, and a censored job carries its start in start_s. dcs_trace_read
 * then finishes the trace: censored durations, zero durations dropped
 * (not training rows', whose run time is known once priced),
 * the clock moved to the first kept submission, the stable sort. */

/* Drop reasons more than one reader uses. */
#define DCS_DROP_FIELDS     "wrong field count"
#define DCS_DROP_SUBMIT     "bad submit time"
#define DCS_DROP_GPUS       "bad GPU count"
#define DCS_DROP_NO_GPUS    "no GPUs requested"
#define DCS_DROP_DURATION   "bad duration"
#define DCS_DROP_ZERO       "zero duration"
#define DCS_DROP_NOT_START  "never started"
#define DCS_DROP_START      "bad start time"
#define DCS_DROP_END        "bad end time"
#define DCS_DROP_END_BEFORE "end before start"
#define DCS_DROP_PRIORITY   "bad priority"

/* GPU counts above this are malformed (they would not fit an int). */
#define DCS_TRACE_MAX_GPUS 10000000.0

/* One CSV record: its fields (NUL-terminated, valid during the call) and
 * the line it starts on. */
typedef struct dcs_trace_row {
    char **field;
    size_t n;
    int64_t line;
} dcs_trace_row_t;

/* Called per record; returns 0 to go on, or a negative DCS_E* (with `err`
 * set) to stop the stream. */
typedef int (*dcs_trace_row_fn)(void *ctx, const dcs_trace_row_t *row,
                                dcs_err_t *err);

/* Streams `path` through libcsv (RFC 4180 quoting, CRLF or LF, unquoted
 * fields trimmed, a UTF-8 byte-order mark dropped), one record at a time,
 * so memory stays one record whatever the file's size. Blank lines are no
 * records. Returns 0, DCS_EINPUT ("cannot open 'PATH': reason"),
 * DCS_ENOMEM, or what `fn` returned. */
int dcs_trace_csv_each(const char *path, dcs_trace_row_fn fn, void *ctx,
                       dcs_err_t *err);

/* A column a header-row format reads. */
typedef struct dcs_trace_col {
    const char *name;
    int required;
} dcs_trace_col_t;

/* Finds each of `cols` in the header row `hdr`: idx[i] = its field or -1.
 * A missing required column is DCS_EINPUT ("PATH:LINE: missing required
 * column 'NAME'"); with `strict`, so is a column not in `cols` ("PATH:LINE:
 * unknown column 'NAME' (field F); expected ...") or one named twice.
 * Otherwise other columns are ignored and the first of a repeated name
 * wins. */
int dcs_trace_header(const char *path, const dcs_trace_row_t *hdr,
                     const dcs_trace_col_t *cols, size_t ncols, int strict,
                     int *idx, dcs_err_t *err);
/* Field `idx` of `row`, or "" when idx < 0 (an optional column absent). */
const char *dcs_trace_field(const dcs_trace_row_t *row, int idx);

/* What parsing a field found. */
enum { DCS_TRACE_OK = 0, DCS_TRACE_EMPTY = 1, DCS_TRACE_BAD = -1 };
/* A finite decimal number into *v. Empty, or "nan", "none", "null" (any
 * case: what pandas and Python write for nothing) is DCS_TRACE_EMPTY;
 * anything else that is not a number is DCS_TRACE_BAD. */
int dcs_trace_number(const char *s, double *v);
/* "YYYY-MM-DD HH:MM:SS" (or a T between; optional fraction of a second
 * and Z), as UTC, into seconds since 1970 in *v. Empty words as above. */
int dcs_trace_datetime(const char *s, double *v);
/* 1 when `s` is empty or one of the empty words above. */
int dcs_trace_is_empty(const char *s);

/* A job with the defaults: team "default", deadline, estimate and
 * gpu_seconds -1, train -1, start NAN, the rest 0 or "". */
void dcs_trace_job_init(dcs_trace_job_t *j);
/* Copies `src` into `dst` (size bytes), cut short when too long. */
void dcs_trace_copy(char *dst, size_t size, const char *src);
/* Notes a time the trace records: censored jobs run until the latest. */
void dcs_trace_saw_time(dcs_trace_t *t, double s);
/* dcs_trace_drop, returning 0: `return dcs_trace_skip(t, reason);` in a
 * row handler. */
int dcs_trace_skip(dcs_trace_t *t, const char *reason);

/* The readers, one per format (trace_<format>.c), each into a zeroed `t`
 * whose end_s is -INFINITY; `aux` as for dcs_trace_read. */
int dcs_trace_read_dcsim(const char *path, dcs_trace_t *t, dcs_err_t *err);
int dcs_trace_read_philly(const char *path, dcs_trace_t *t, dcs_err_t *err);
int dcs_trace_read_helios(const char *path, dcs_trace_t *t, dcs_err_t *err);
int dcs_trace_read_pai(const char *path, const char *aux, dcs_trace_t *t,
                       dcs_err_t *err);
int dcs_trace_read_alibaba2023(const char *path, const char *aux,
                               dcs_trace_t *t, dcs_err_t *err);
int dcs_trace_read_tiresias(const char *path, dcs_trace_t *t, dcs_err_t *err);

#endif
