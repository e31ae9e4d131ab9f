/* serving.h - LLM inference serving: replicas that batch requests step by
 * step, a router in front of them, autoscaling, and prefill/decode
 * disaggregation.
 *
 * A replica is the model on `tp` GPUs of one node (a scheduler job of kind
 * "serving" that holds its GPUs until the serving ends or it is scaled
 * down). It runs one scheduler step at a time: a batch of prefill chunks
 * and decode tokens, priced op by op (servestep.h). Its KV cache is paged
 * (kvcache.h): a request is admitted when its prompt's blocks fit, grows a
 * block every `block_tokens` tokens, and when a decode finds no free block
 * the newest running request is preempted (recompute: it re-prefills its
 * prompt and what it generated so far; swap: its blocks go to host memory
 * over PCIe and come back before new requests are admitted). A request's
 * first token comes at the end of the step that completes its prompt;
 * each later step that decodes it adds one.
 *
 * Batching policies, one file each (batch_*.c):
 *   static      a batch is admitted when the replica is empty and runs
 *               until all of its requests are done (no new admissions)
 *   continuous  Orca/vLLM: requests join and leave at every step; a step
 *               prefills newly admitted prompts (up to max_batch_tokens)
 *               when there are any, else decodes every running request
 *   chunked     Sarathi-Serve / vLLM's chunked prefill: each step has a
 *               budget of max_batch_tokens; every running decode takes one,
 *               the rest goes to prompt chunks (unfinished ones first)
 *
 * Scenario section (with a `requests:` section, request.h):
 *   workload:
 *     kind: serving
 *     model: !include ../models/llama3-8b.yaml
 *     replicas: 4            # at the start
 *     tp: 1                  # GPUs per replica (within a node)
 *     weights: bf16          # bf16 | fp8
 *     kv_cache: bf16         # bf16 | fp8
 *     batching: continuous   # static | continuous | chunked
 *     max_batch_tokens: 8192 # prompt tokens per step (chunked: all tokens)
 *     max_seqs: 256          # running requests per replica
 *     block_tokens: 16
 *     gpu_memory_util: 0.9   # share of GPU memory for weights + KV cache
 *     preemption: recompute  # recompute | swap
 *     swap_gb_per_s: 25      # per GPU, host link (ASSUMPTION: PCIe 5 x16
 *                            # at about half its 64 GB/s peak)
 *     startup_s: 0           # from a replica's start until it serves
 *     gpu_type: H100         # on a cluster of pools: the replicas' pool
 *                            # (its device prices the steps); required
 *                            # with two pools or more
 *     priority: 0            # its replicas' jobs', for the scheduler's
 *                            # policy (priority: above jobs sharing the
 *                            # cluster, they start first and may preempt)
 *     router: least_outstanding   # router.h
 *     slo: {ttft_s: 2, tpot_s: 0.1}
 *     disaggregation: {prefill: 2, decode: 2}   # optional: replicas by
 *                            # role; KV caches go prefill -> decode at
 *                            # kv_gb_per_s per GPU (default: the node's
 *                            # fabric share, else its NVLink)
 *     autoscale: {min: 1, max: 8, interval_s: 30, metric: queue,
 *                 up_queue: 8, down_queue: 1}   # or metric: slo with
 *                            # up_attainment: 0.9 (fraction meeting the SLO
 *                            # over the last interval)
 *
 * With both disaggregation and autoscale, each role scales on its own,
 * between min and max replicas of that role (the starting counts must lie
 * there): prefill replicas on the requests waiting for a prompt (queue)
 * or the share meeting the TTFT target (slo), decode replicas on those
 * waiting at decode replicas or the share meeting the TPOT target. A
 * drained decode replica first serves the requests whose KV cache it
 * already holds. ASSUMPTION: one replica more or less per role and
 * interval, as without disaggregation (DistServe sizes the two pools
 * offline; Splitwise and later systems rebalance them online).
 */
#ifndef DCS_SERVING_H
#define DCS_SERVING_H

#include <gsl/gsl_rng.h>

#include "config/cfg.h"
#include "engine/sim.h"
#include "hw/fleet.h"
#include "workload/job.h"
#include "workload/kvcache.h"
#include "workload/model.h"
#include "workload/request.h"
#include "workload/router.h"
#include "workload/servestep.h"

typedef struct dcs_serving dcs_serving_t;
typedef struct dcs_replica dcs_replica_t;

/* A batching policy: fills the replica's next step (see batch_*.c and the
 * helpers below). */
typedef struct dcs_batcher {
    const char *name;
    void (*form)(dcs_serving_t *sv, dcs_replica_t *r);
} dcs_batcher_t;

extern const dcs_batcher_t dcs_batcher_static;
extern const dcs_batcher_t dcs_batcher_continuous;
extern const dcs_batcher_t dcs_batcher_chunked;

typedef enum dcs_sreq_state {
    DCS_SREQ_PENDING, /* not arrived, or waiting for any replica */
    DCS_SREQ_WAITING, /* in a replica's queue */
    DCS_SREQ_PREFILL, /* admitted, prompt (or recompute) under way */
    DCS_SREQ_DECODE,
    DCS_SREQ_SWAPPED,  /* its KV cache in host memory */
    DCS_SREQ_TRANSFER, /* disaggregated: KV on its way to a decode replica */
    DCS_SREQ_DONE,
} dcs_sreq_state_t;

/* A request as it is served. */
typedef struct dcs_sreq {
    const dcs_request_t *req;
    dcs_sreq_state_t state;
    int replica;         /* where it is (prefill replica when
                            disaggregated), -1 none yet */
    int first_replica;   /* its first (prefill) replica */
    int slot;            /* its KV slot there, -1 none */
    int64_t goal;        /* prompt tokens to prefill (+ generated, when
                            recomputing after a preemption) */
    int64_t prefilled;   /* of goal */
    int64_t generated;   /* output tokens so far */
    dcs_time_t first_ns; /* first token, -1 before */
    dcs_time_t end_ns;   /* last token, -1 before */
    int preemptions;
} dcs_sreq_t;

/* One entry of a step: a prefill chunk of `tokens` (> 0), or a decode
 * (tokens 0). */
typedef struct dcs_step_entry {
    int64_t req;
    int64_t tokens;
} dcs_step_entry_t;

typedef enum dcs_replica_role {
    DCS_ROLE_BOTH,
    DCS_ROLE_PREFILL,
    DCS_ROLE_DECODE
} dcs_replica_role_t;

/* An int64 FIFO (request indices). */
typedef struct dcs_iq {
    int64_t *buf;
    size_t head, len, cap;
} dcs_iq_t;

struct dcs_replica {
    int index;
    dcs_replica_role_t role;
    int started;   /* its GPUs are held */
    int accepting; /* the router may send it requests */
    int draining;  /* scaled down: ends when empty */
    dcs_job_t *job;
    dcs_kv_cache_t kv;
    int *free_slots;
    int nfree_slots;
    dcs_iq_t waiting; /* routed here, not admitted */
    int64_t *running; /* admitted, in admission order */
    size_t nrunning;
    dcs_iq_t swapped;    /* preempted to host memory, oldest first */
    int64_t outstanding; /* routed here and not finished (or handed on) */
    /* the step under way */
    dcs_step_entry_t *plan;
    size_t nplan;
    int busy;
    int drawing;       /* 1: its GPUs draw busy power (stepping) */
    double swap_bytes; /* moved over the host link this step */
    dcs_time_t busy_ns, started_ns, ended_ns;
    int64_t steps;
};

typedef struct dcs_serving_spec {
    dcs_model_t model;
    dcs_serve_replica_t price; /* model, device, tp, dtypes */
    int replicas;
    const dcs_batcher_t *batcher;
    int64_t max_batch_tokens, max_seqs, block_tokens;
    double gpu_memory_util;
    int swap; /* preemption mode: 1 swap, 0 recompute */
    double swap_bytes_per_s;
    double startup_s;
    int priority;      /* its replicas' jobs' (default 0) */
    char gpu_type[16]; /* its replicas' pool on a mixed fleet ("": any) */
    int router;
    double slo_ttft_s, slo_tpot_s;
    int prefill_replicas, decode_replicas; /* disaggregated when > 0 */
    double kv_bytes_per_s;                 /* KV transfer, per GPU */
    int autoscale;
    int as_min, as_max;
    double as_interval_s;
    int as_slo; /* metric: 1 slo attainment, 0 queue */
    double as_up_queue, as_down_queue, as_up_attainment;
    int64_t kv_tokens; /* KV capacity per replica, derived */
} dcs_serving_spec_t;

/* Reads a `workload` mapping of kind serving against the cluster's device
 * (`dev`, its node size `gpus_per_node`, and `fabric_bw`, bytes/s per GPU
 * to the scale-out network, 0 none). Returns 0 or DCS_EINPUT naming file,
 * line and field (a model that does not fit the replica's GPUs, tp larger
 * than a node, unknown names). */
int dcs_serving_read(dcs_cfg_node_t *map, const dcs_device_spec_t *dev,
                     int gpus_per_node, double fabric_bw,
                     dcs_serving_spec_t *spec, dcs_err_t *err);

typedef void (*dcs_serving_sink_fn)(void *ctx, dcs_sim_t *sim, dcs_job_t *job);

struct dcs_serving {
    dcs_serving_spec_t spec;
    const dcs_requests_t *requests; /* not owned */
    dcs_sreq_t *reqs;               /* one per request */
    dcs_replica_t **replicas;
    int nreplicas, cap_replicas;
    dcs_router_t router, decode_router;
    dcs_iq_t pending; /* arrived while no replica accepted */
    dcs_sim_t *sim;
    dcs_fleet_t *fleet; /* for GPU power while stepping */
    dcs_jobs_t *jobs;
    dcs_serving_sink_fn sink;
    void *sink_ctx;
    int64_t done, next_arrival;
    int64_t rejected;          /* longer than one replica's KV cache: refused */
    dcs_serve_chunk_t *chunks; /* scratch for pricing */
    size_t chunks_cap;
    dcs_replica_load_t *loads; /* scratch for routing */
    int64_t job_ids;           /* next job id for replicas */
    /* autoscaling: requests finished, and those meeting the SLO, since the
     * last look */
    int64_t win_done, win_ok;
    int64_t win_ttft_ok, win_tpot_ok; /* meeting each part of the SLO */
    int64_t scale_ups, scale_downs;
    int peak_replicas;
    double kv_bytes_moved; /* disaggregation hand-offs */
};

/* Starts serving `requests` (they must outlive the run): the initial
 * replicas are submitted to the scheduler through `sink` as jobs appended
 * to `jobs` (ids from `first_job_id`), requests arrive on `sim`. Returns 0
 * or DCS_ENOMEM. */
int dcs_serving_start(dcs_serving_t *sv, const dcs_serving_spec_t *spec,
                      const dcs_requests_t *requests, dcs_sim_t *sim,
                      dcs_fleet_t *fleet, uint64_t seed, dcs_jobs_t *jobs,
                      int64_t first_job_id, dcs_serving_sink_fn sink,
                      void *sink_ctx);
void dcs_serving_destroy(dcs_serving_t *sv);

/* 1 when `job` is a serving replica's. */
int dcs_serving_is_replica(const dcs_job_t *job);

/* A served request's time to first token and per later token (0 for one
 * token), s, and whether both are within the SLO. */
double dcs_sreq_ttft_s(const dcs_sreq_t *x);
double dcs_sreq_tpot_s(const dcs_sreq_t *x);
int dcs_serving_meets_slo(const dcs_serving_t *sv, const dcs_sreq_t *x);

/* ---- for batching policies (batch_*.c) -------------------------------- */

/* Admits the request at the head of r's queue if a slot and its blocks
 * are free (goal tokens); returns 1, or 0 (nothing changed). */
int dcs_serving_admit_head(dcs_serving_t *sv, dcs_replica_t *r);
/* Plans a decode for every running request in the decode state, oldest
 * first, up to `max` of them, growing each one's KV cache by its next
 * token and preempting the newest running requests when blocks run out.
 * Returns how many were planned. */
int64_t dcs_serving_plan_decodes(dcs_serving_t *sv, dcs_replica_t *r,
                                 int64_t max);
/* Plans a prefill chunk of `tokens` for running request `q`. */
void dcs_serving_plan_chunk(dcs_serving_t *sv, dcs_replica_t *r, int64_t q,
                            int64_t tokens);

#endif
