/* request.h - LLM inference requests: read from a published request trace
 * or drawn from a synthetic arrival process, into one list in arrival
 * order, for the serving model.
 *
 * A request is a prompt of `input_tokens` arriving at `arrival_ns` that
 * asks for `output_tokens` to be generated. Two sources give the list:
 *
 *   trace      a published trace (format azure: the Azure LLM inference
 *              trace 2023, header TIMESTAMP,ContextTokens,GeneratedTokens)
 *   synthetic  a Poisson or gamma renewal arrival process, optionally
 *              modulated by a sinusoidal (diurnal) rate, with input and
 *              output lengths drawn from fixed, uniform, Zipf or log-normal
 *              distributions
 *
 * Scenario section (YAML; read by dcs_requests_read):
 *
 *   requests:
 *     kind: synthetic           # or trace (below)
 *     count: 2000               # requests; and/or
 *     duration_s: 3600          # arrivals in [0, duration_s); at least one
 *                               # of the two, the first reached stops
 *     arrival:
 *       process: gamma          # poisson | gamma
 *       rate_per_s: 8           # mean arrivals per second, > 0
 *       cv: 2                   # gamma only (required there): coefficient
 *                               # of variation of the gaps, in [0.01, 100];
 *                               # > 1 bursty, < 1 regular, 1 Poisson-like
 *       diurnal:                # optional: rate x (1 + amplitude x
 *         amplitude: 0.5        #   cos(2 pi (t - peak_s) / period_s)),
 *         period_s: 86400       #   amplitude in [0, 1] (required),
 *         peak_s: 50400         #   period_s default 86400, peak_s
 *                               #   (required) in [0, period_s]
 *     input:  {dist: lognormal, median: 1024, sigma: 1.0, max: 8192}
 *     output: {dist: uniform, min: 16, max: 512}
 *
 *   Length distributions (tokens, whole numbers in [1, 10000000]):
 *     {dist: fixed, value: N}
 *     {dist: uniform, min: A, max: B}           A <= B, each equally likely
 *     {dist: zipf, s: S, max: M}                P(k) ~ 1/k^S on 1..M,
 *                                               S in [0, 10], M <= 1000000
 *     {dist: lognormal, median: X, sigma: G, max: M}
 *                                               round(exp(N(ln X, G^2))),
 *                                               clipped to [1, M]; X <= M,
 *                                               G in [0, 10]
 *
 *   requests:
 *     kind: trace
 *     format: azure
 *     path: ../workloads/traces/azure-llm-code-2023.csv
 *     time_scale: 1             # optional, in (0, 1e6]: 0.5 = arrivals
 *                               # twice as dense
 *     limit: 0                  # optional: keep the first N requests by
 *                               # arrival (0: all)
 *
 * Unknown keys are errors (FILE:LINE:COL, with the closest known key).
 *
 * Traces are read like job traces (trace.h): a row the reader can use
 * becomes a request, any other is dropped and counted under a reason,
 * never silently, so records == len + the sum of the drop counts after a
 * read; only an unreadable file or a missing required column is an error.
 *
 * Synthetic draws come from named random streams of the run seed
 * (requests.arrivals, requests.input, requests.output), so the same seed
 * gives the same requests, and changing one distribution leaves the
 * others' draws alone. */
#ifndef DCS_REQUEST_H
#define DCS_REQUEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config/cfg.h"
#include "engine/error.h"
#include "engine/time.h"
#include "workload/trace.h"

typedef struct dcs_request {
    int64_t id;            /* in arrival order, from 0 */
    dcs_time_t arrival_ns; /* from time 0: a trace's first kept timestamp,
                              or the start of a synthetic stream */
    int32_t input_tokens;  /* prompt, >= 1 */
    int32_t output_tokens; /* to generate, >= 1 */
} dcs_request_t;

typedef struct dcs_requests {
    dcs_request_t *items; /* sorted by arrival_ns, ties in source order */
    size_t len, cap;
    /* How a trace read went (synthetic: records == len, no drops). */
    int64_t records;                               /* data rows read */
    dcs_trace_drop_t drops[DCS_TRACE_MAX_REASONS]; /* by reason, in the
                                                      order first seen */
    size_t ndrops;
} dcs_requests_t;

/* Limits: more requests than this in one list are refused (24 bytes
 * each); token counts above DCS_REQUEST_MAX_TOKENS are malformed in a
 * synthetic spec; a Zipf support is at most DCS_REQUEST_MAX_ZIPF. */
#define DCS_REQUESTS_MAX       INT64_C(100000000)
#define DCS_REQUEST_MAX_TOKENS 10000000
#define DCS_REQUEST_MAX_ZIPF   1000000

/* Frees the list and zeroes it; on a zeroed or destroyed list, a no-op. */
void dcs_requests_destroy(dcs_requests_t *r);
/* Appends a request (id and fields as given); returns 0 or DCS_ENOMEM. */
int dcs_requests_add(dcs_requests_t *r, const dcs_request_t *q);
/* Counts a dropped record under `reason` (reasons kept in the order first
 * seen; past DCS_TRACE_MAX_REASONS they share a last "other"). */
void dcs_requests_drop(dcs_requests_t *r, const char *reason);
/* Records dropped under `reason` (0 when none), and under all reasons. */
int64_t dcs_requests_dropped(const dcs_requests_t *r, const char *reason);
int64_t dcs_requests_dropped_total(const dcs_requests_t *r);

/* Summary figures, each pointer optional (NULL: not wanted): the arrival
 * rate as (len - 1) / (last - first arrival) in requests per second (the
 * inverse of the mean gap; 0 with fewer than two requests or no time
 * between them), and the mean input and output tokens (0 when empty). */
void dcs_requests_stats(const dcs_requests_t *r, double *rate_per_s,
                        double *mean_in, double *mean_out);
/* Prints "LABEL: N records, K requests kept over T s (R/s), mean input I,
 * mean output O tokens; dropped: R1 n1, R2 n2" (or "dropped: none") on
 * `out`, one line. */
void dcs_requests_print_counts(const dcs_requests_t *r, const char *label,
                               FILE *out);

/* ---- traces ---------------------------------------------------------- */

typedef enum dcs_request_format {
    DCS_REQUEST_AZURE, /* Azure LLM inference trace 2023 */
} dcs_request_format_t;

/* "azure"; and back (-1: unknown). */
const char *dcs_request_format_name(dcs_request_format_t f);
int dcs_request_format_find(const char *name);

/* Drop reasons of the trace readers. */
#define DCS_DROP_TIMESTAMP  "bad timestamp"
#define DCS_DROP_INPUT      "bad input token count"
#define DCS_DROP_NO_INPUT   "no input tokens"
#define DCS_DROP_OUTPUT     "bad output token count"
#define DCS_DROP_NO_OUTPUT  "no output tokens"
#define DCS_DROP_LIMIT      "past the limit"
#define DCS_DROP_TIME_RANGE "time out of range"

/* Reads `path` in format `f` into `r` (zeroed first). Arrivals are
 * nanoseconds from the earliest kept timestamp, times `time_scale` (> 0;
 * 1: exact integer differences, else rounded to the nearest ns); rows out
 * of time order are sorted (stable: ties in file order) and then numbered
 * from 0. With `limit` > 0 only the first `limit` requests by arrival are
 * kept, the rest counted under "past the limit". Returns 0, DCS_EINVAL
 * (time_scale not above 0 or not finite, limit < 0), DCS_EINPUT or
 * DCS_ENOMEM, with `err` set to one of:
 *   cannot open 'PATH': No such file or directory
 *   PATH: empty file, expected a header row
 *   PATH:1: missing required column 'NAME'
 *   PATH:LINE: unreadable CSV (libcsv: ...)
 * On error `r` holds nothing and needs no destroy. Memory: the kept
 * requests (24 bytes each) and one CSV record. */
int dcs_requests_read_trace(const char *path, dcs_request_format_t f,
                            double time_scale, int64_t limit, dcs_requests_t *r,
                            dcs_err_t *err);

/* "YYYY-MM-DD HH:MM:SS" (or a T between), an optional fraction of a
 * second of any number of digits (the first 9 kept exactly, the rest
 * truncated), an optional Z, read as UTC into integer nanoseconds since
 * 1970 in *ns, with no floating-point rounding. Years 1970 to 2199.
 * Returns DCS_TRACE_OK, DCS_TRACE_EMPTY (empty or nan/none/null) or
 * DCS_TRACE_BAD (*ns untouched). */
int dcs_request_timestamp(const char *s, int64_t *ns);

/* The reader of each format (request_<format>.c): fills `r` (zeroed) with
 * arrival_ns holding the row's absolute timestamp in ns and id its CSV
 * line; dcs_requests_read_trace then sorts, shifts, scales and numbers. */
int dcs_requests_read_azure(const char *path, dcs_requests_t *r,
                            dcs_err_t *err);

/* ---- synthetic ------------------------------------------------------- */

typedef enum dcs_request_process {
    DCS_ARRIVAL_POISSON, /* exponential gaps */
    DCS_ARRIVAL_GAMMA,   /* gamma gaps, shape 1/cv^2 */
} dcs_request_process_t;

typedef enum dcs_token_dist_kind {
    DCS_TOKENS_FIXED,
    DCS_TOKENS_UNIFORM,
    DCS_TOKENS_ZIPF,
    DCS_TOKENS_LOGNORMAL,
} dcs_token_dist_kind_t;

typedef struct dcs_token_dist {
    dcs_token_dist_kind_t kind;
    int32_t value;    /* fixed: tokens */
    int32_t min, max; /* uniform: inclusive bounds; zipf, lognormal: the
                         largest length (min 1) */
    double zipf_s;    /* zipf: exponent, P(k) ~ 1/k^s */
    double median;    /* lognormal: median length, tokens */
    double sigma;     /* lognormal: sigma of ln(length) */
} dcs_token_dist_t;

typedef struct dcs_request_spec {
    int64_t count;     /* stop after this many (0: no count limit) */
    double duration_s; /* stop at the first arrival >= this (0: none);
                          at least one of count and duration_s is set */
    dcs_request_process_t process;
    double rate_per_s;        /* mean arrivals per second (over whole
                                 periods when diurnal) */
    double cv;                /* gamma: coefficient of variation of gaps */
    double diurnal_amplitude; /* 0: a flat rate; up to 1 */
    double diurnal_period_s;  /* period of the rate's cycle */
    double diurnal_peak_s;    /* time of the maximum within the period */
    dcs_token_dist_t input, output; /* prompt and generated lengths */
} dcs_request_spec_t;

/* Reads the keys of a synthetic `requests` mapping (all but `kind`, which
 * is the caller's) into `spec`. Returns 0 or DCS_EINPUT (FILE:LINE:COL:
 * field '...': ...); nothing to free either way. */
int dcs_request_spec_read(dcs_cfg_node_t *map, dcs_request_spec_t *spec,
                          dcs_err_t *err);

/* Draws the requests of `spec` from the streams of run seed `seed` into
 * `r` (zeroed first), in arrival order from time 0, the first arriving
 * after one gap. With a diurnal cycle, candidates come from the process at
 * the peak rate (1 + amplitude) x rate_per_s and are kept with probability
 * rate(t) / peak (Lewis-Shedler thinning): exact for Poisson; for gamma
 * the rate follows the cycle exactly but thinning makes gaps less bursty
 * (for a kept fraction p, squared cv about p cv^2 + 1 - p). Returns 0,
 * DCS_EINVAL (a spec out of the ranges above, or more than
 * DCS_REQUESTS_MAX requests) or DCS_ENOMEM, with `err` set; on error `r`
 * holds nothing. O(requests x (1 + amplitude)) draws, plus a table of
 * max entries per Zipf distribution. */
int dcs_requests_generate(const dcs_request_spec_t *spec, uint64_t seed,
                          dcs_requests_t *r, dcs_err_t *err);

/* ---- from a scenario ------------------------------------------------- */

/* Reads the `requests` mapping `map` (the keys above, `kind` included,
 * then unknown keys checked) and builds its requests into `r` (zeroed
 * first): a trace's `path` is relative to `base_dir` (the scenario's
 * folder) unless absolute; with base_dir NULL, relative to the file the
 * value was written in, as job-trace paths are. A synthetic spec draws
 * from run seed `seed`; a trace ignores it. Returns 0, DCS_EINPUT (a
 * FILE:LINE:COL message; a trace that cannot be read is reported at its
 * `path` key with the reader's message after it) or DCS_ENOMEM; on error
 * `r` holds nothing. */
int dcs_requests_read(dcs_cfg_node_t *map, const char *base_dir, uint64_t seed,
                      dcs_requests_t *r, dcs_err_t *err);

#endif
