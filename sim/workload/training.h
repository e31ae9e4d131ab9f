/* training.h - training jobs in a scenario: a model, a parallel plan, how
 * long to train, checkpoints and failures.
 *
 *   workload:
 *     kind: training
 *     jobs:
 *       - name: gpt3-13b
 *         model: !include ../workloads/models/gpt3-13b.yaml
 *         submit_s: 0            # when it arrives (default 0)
 *         team: language         # cost attribution (default "default")
 *         plan: {tp: 8, pp: 1, dp: 4, micro_batch: 1, global_batch: 512,
 *                seq: 2048, sequence_parallel: true,
 *                recompute: none | selective | full, zero: 0..3,
 *                interleave: 1, fp8: false, grad_bytes: 4,
 *                reserve_gib: 2}
 *         iterations: 1000       # or tokens: 2.0e12
 *         gpu_type: H100         # a cluster of pools: the pool it runs on
 *                                # (default: any its plan fits)
 *         checkpoint: {interval_s: 3600, keep: 2}
 *         data_bytes_per_token: 4  # dataset read per token (default 4)
 *         failures: {per_gpu_per_h: 1e-5, per_node_per_h: 0, restart_s: 600}
 *         min_gpus: 8            # elastic bounds (both or neither; the
 *         max_gpus: 32           # plan's tp x cp x pp x dp within them)
 *
 * The job asks for tp x pp x dp GPUs. Its iteration time comes from the
 * step model (sim/workload/step.h) on the cluster's device, with groups
 * that span nodes on the cluster's fabric; its memory per rank must fit
 * the device (sim/workload/memory.h), else loading fails naming the rank,
 * the term and a hint. On a cluster of pools (a mixed fleet) it is priced
 * on every pool it may use, runs on one of those its plan fits (GPUs,
 * memory, dtype), and when it starts takes the iteration, power and
 * memory of the pool it landed on; loading fails only when no pool it
 * may use fits it. Checkpoints hold the weights and the optimizer
 * state (2 + 12 bytes per parameter) and are written to the cluster's
 * storage as flows from the job's nodes (storage/io.h), among the other
 * jobs' writes of the moment: each write takes as long as those flows,
 * and a failure during it undoes it. Each iteration's batch is read from
 * the storage (data_bytes_per_token per token) while the previous one
 * computes; where that read, among the other running jobs' reads, takes
 * longer than the iteration, the job waits on its data. At start the whole run
 * (iterations, checkpoints, failures, restarts) is planned by whole iterations
 * (sim/workload/trainrun.h); its wall time is the job's run time. With
 * `network: {collectives: flow}`, the data-parallel all-reduce runs as flows
 * among the other running training jobs' (sim/workload/trainnet.h); when a job
 * starts or ends the others are re-priced, and a job whose pace changed goes on
 * at the new pace from where its run stands, its end moved.
 *
 * Elastic training. A job with min_gpus and max_gpus may be resized by
 * policies that resize (cluster/policy.h "Resizing") and started at
 * another size: it keeps tp, cp, pp, ep, micro_batch and its global
 * batch, and its data-parallel degree follows its GPUs, dp = gpus / (tp x
 * cp x pp), its gradient accumulation global_batch / (micro_batch x dp).
 * The sizes it can run at (dcs_job_kind_t.can_run_at) are those in its
 * bounds where that dp is whole, divides the global batch in micro
 * batches, is a multiple of ep, and the plan fits the device's memory
 * (ZeRO shards by dp) and the cluster, on every pool its requested size
 * fits (ASSUMPTION: one set of sizes whatever pool it lands on). A resize
 * stops its run as a preemption does (every completed iteration kept),
 * pays the scheduler's resize_s instead of save and restore, and prices
 * the next run (iteration time, power, memory) at the new size. Policies
 * weigh a resize by the kind's left_at_ns (workload/job.h): the
 * iterations a stop now would keep left to do, x the iteration time at
 * the other size, priced as a run at that size starts (step model,
 * memory, power limit) on the pool it runs on, cached per size and pool.
 * ASSUMPTION: priced alone there: with `collectives: flow` or dataset
 * reads, the contention of the moment (which depends on a placement not
 * yet made) is left out, at every size alike.
 *
 * A policy may preempt a training job (dcs_sched_preempt): its run stops,
 * writing a checkpoint that keeps every iteration it completed (the
 * iteration under way is lost, and a checkpoint write under way is
 * dropped: the preemption's own checkpoint supersedes it); the next run
 * begins with the scheduler's save and restore (ASSUMPTION: the
 * preemption's checkpoint costs the scheduler's preempt_save_s, not a
 * write to the storage) and draws its failures anew. A node failure
 * (dcs_sched_evict) instead keeps only the iterations of its last
 * complete checkpoint, and the next run begins at once (its restarts
 * are its own restart_s). */
#ifndef DCS_TRAINING_H
#define DCS_TRAINING_H

#include <gsl/gsl_rng.h>

#include "config/cfg.h"
#include "engine/sim.h"
#include "hw/device.h"
#include "hw/fleet.h"
#include "net/topo.h"
#include "storage/io.h"
#include "workload/job.h"
#include "workload/memory.h"
#include "workload/step.h"
#include "workload/trainpower.h"
#include "workload/trainrun.h"

enum { DCS_TRAINING_MAX_POOLS = DCS_FLEET_MAX_POOLS };

/* What the cluster offers a training job. */
typedef struct dcs_training_env {
    const dcs_device_spec_t *device; /* one device (npools 0) */
    int gpus;                        /* in the cluster */
    int gpus_per_node;
    double nic_bw;          /* bytes/s per GPU on the fabric (0: none) */
    dcs_storage_t storage;  /* the cluster's (write_bw 0: none) */
    dcs_topo_t *fabric;     /* the scale-out network (NULL: none) */
    int flow;               /* 1: data-parallel traffic as flows on the
                               fabric (network.collectives: flow) */
    double gpu_power_cap_w; /* board limit, W (0: the device's TDP) */
    /* The cluster, for its pools (not owned; NULL or npools 0: of one
     * device, `device` throughout). A job runs on one pool: the one its
     * gpu_type names, or naming none, any pool its plan fits (GPUs,
     * memory, dtype), priced there when it starts. */
    const dcs_fleet_spec_t *fleet;
} dcs_training_env_t;

typedef struct dcs_training dcs_training_t;

typedef struct dcs_training_job {
    char name[64];
    char team[32];
    dcs_model_t model;
    dcs_train_plan_t plan;
    dcs_train_power_t power; /* its iteration's board power and limit */
    int gpus;
    double submit_s;
    int64_t iterations;
    double ckpt_interval_s; /* configured (0: none) */
    int64_t ckpt_keep;
    double restart_s;
    double fail_per_gpu_per_h, fail_per_node_per_h;
    double reserve_bytes;
    double data_bytes_per_token; /* dataset read per trained token */
    char gpu_type[16];           /* the pool it must run on ("" any) */
    int min_gpus, max_gpus;      /* elastic bounds (0: not elastic) */
    int64_t global_batch;        /* sequences per iteration, kept at every
                                    size (dp follows the GPUs) */
    /* derived at load */
    int *sizes, nsizes;       /* elastic: the sizes in [min_gpus, max_gpus] it
                                 can run at, ascending (owned; NULL: not
                                 elastic) */
    double *size_iteration_s; /* elastic: its iteration alone at sizes[i]
                                 on pool p, [i x DCS_TRAINING_MAX_POOLS +
                                 p], filled as policies ask (0: not yet;
                                 owned; NULL until the first) */
    unsigned pools; /* the pools its plan fits, bit p for env pool p (a
                       cluster of one device: bit 0) */
    double pool_iteration_s[DCS_TRAINING_MAX_POOLS]; /* alone, on each
                                                        pool it fits */
    int pool; /* the pool the figures below are priced on: the one it runs
                 on or ran on last, else the one it expects (the pool its
                 gpu_type names, else the fastest it fits) */
    const dcs_device_spec_t *device; /* that pool's device */
    dcs_step_time_t step;
    dcs_train_memory_t memory;
    double ckpt_bytes;   /* one checkpoint */
    double ckpt_write_s; /* at the storage's write bandwidth */
    double failure_rate_per_s;
    double young_daly_s; /* optimal interval for this job */
    double peak_flops;   /* per GPU, of the compute dtype */
    /* the run, once started */
    dcs_train_run_t run; /* as projected at the last change of pace */
    uint64_t seed;       /* of the run, for its failure draws */
    int64_t index;       /* in the workload, names its random stream */
    dcs_training_t *owner;
    dcs_job_t *job;            /* the scheduler's job; NULL until it starts */
    const int *gpu_ids;        /* its placement, once started */
    gsl_rng *rng;              /* its failure draws (owned) */
    dcs_train_runner_t runner; /* where its run stands */
    dcs_time_t owed_ns;        /* what its next run pays before its
                                  iterations: a preemption's save and
                                  restore (job->overhead_ns); 0 after an
                                  eviction */
    dcs_time_t begin_ns;       /* when this run's iterations begin: its
                                  start plus owed_ns */
    /* Runs ended early (a node failure evicted it, a policy preempted
     * it): what they kept. */
    int64_t done_before;  /* iterations kept: an eviction's of its last
                             complete checkpoint, a preemption's all */
    int64_t runs;         /* runs started */
    dcs_train_run_t past; /* their figures, summed */
    double end_s;         /* projected end */
    /* storage traffic, once started */
    int *nodes, nnodes;      /* the distinct nodes it runs on (owned) */
    double read_s;           /* one iteration's dataset read, s */
    double data_stall_s;     /* what the read adds to each iteration */
    dcs_storage_xfer_t ckpt; /* the checkpoint being written */
    double ckpt_at_s;        /* when the next is due, run time (s) */
    dcs_event_id_t ckpt_ev;  /* its start; 0: none pending */
    dcs_event_id_t fail_ev;  /* a failure striking during a write */
} dcs_training_job_t;

/* Called for each job as it arrives. */
typedef void (*dcs_training_sink_fn)(void *ctx, dcs_sim_t *sim, dcs_job_t *job);

struct dcs_training {
    dcs_training_env_t env;
    dcs_training_job_t *jobs;
    size_t njobs, cap;
    dcs_jobs_t *sink_jobs; /* where submitted jobs go (not owned) */
    dcs_training_sink_fn sink;
    void *sink_ctx;
    dcs_storage_io_t *io; /* checkpoint writes (NULL: no storage) */
    dcs_sim_t *sim;       /* the run's, once started */
};

/* A parallel plan as a user gives it (a job mapping's `plan`, a trace
 * row's columns), before it is checked against the model and cluster. */
typedef struct dcs_training_plan_in {
    int64_t tp, cp, pp, dp, ep; /* parallel degrees, each >= 1 */
    int64_t micro_batch;        /* sequences per micro-batch per replica */
    int64_t global_batch;       /* sequences per iteration (0: micro_batch
                                   x dp) */
    int64_t seq;                /* tokens per sequence */
    int64_t zero;               /* ZeRO stage 0-3 */
    int64_t interleave;         /* virtual stages per pipeline rank */
    int recompute;              /* DCS_RECOMPUTE_* */
    bool sp, fp8, tp_overlap;   /* sequence parallel, fp8 GEMMs, TP
                                   collectives overlapped */
    double grad_bytes;          /* B per gradient element reduced */
    double reserve_gib;         /* GiB per rank: context, workspaces */
    int has_order;              /* 1: `order` gives the rank layout */
    int order[4];               /* DCS_DIM_* fastest first (layout.h) */
} dcs_training_plan_in_t;

/* A job mapping's plan defaults for model `m`: every degree 1, micro_batch
 * 1, global_batch 0, seq the model's, ZeRO 0, no recompute, bf16,
 * grad_bytes 4, reserve_gib 2, the default layout. */
void dcs_training_plan_defaults(dcs_training_plan_in_t *p,
                                const dcs_model_t *m);

/* Why a job could not be priced on the cluster; on a cluster of pools,
 * on the pool that came closest (whose check failed last, in this order;
 * ties: the most memory, then the most GPUs, then the first). */
typedef enum dcs_training_fault {
    DCS_TRAINING_FAULT_NONE = 0,
    DCS_TRAINING_FAULT_PLAN,     /* the plan does not suit the model, or
                                    asks for more GPUs than the cluster
                                    (the pool) */
    DCS_TRAINING_FAULT_FABRIC,   /* it spans nodes, the cluster has no
                                    fabric */
    DCS_TRAINING_FAULT_MEMORY,   /* a rank needs more memory than the
                                    device has */
    DCS_TRAINING_FAULT_DEVICE,   /* the device cannot run its dtype */
    DCS_TRAINING_FAULT_STORAGE,  /* checkpoints without (enough) storage */
    DCS_TRAINING_FAULT_FAILURES, /* its own failures would never let it
                                    finish (DCS_JOB_GIVE_UP_S) */
    DCS_TRAINING_FAULT_ELASTIC,  /* elastic: no size in its bounds suits
                                    the plan and fits (dcs_training_add) */
} dcs_training_fault_t;

/* Reads a `workload` mapping with kind: training against `env`; prices
 * every job's iteration and memory (on a cluster of pools, on each pool
 * it may use). Returns 0, DCS_EINPUT naming file, line and field (a plan
 * that fits no pool it may use, GPUs the cluster lacks, no storage for
 * checkpoints, a gpu_type naming no pool or on a cluster of one device),
 * or DCS_ENOMEM. */
int dcs_training_read(dcs_cfg_node_t *map, const dcs_training_env_t *env,
                      dcs_training_t *t, dcs_err_t *err);
/* An empty set of training jobs on the cluster `env`, for
 * dcs_training_add. Needs dcs_training_destroy like a read one. */
void dcs_training_init(dcs_training_t *t, const dcs_training_env_t *env);
void dcs_training_destroy(dcs_training_t *t);

/* A training job given by its numbers rather than a mapping (a row of a
 * job trace). */
typedef struct dcs_training_spec {
    const char *name, *team;     /* cut short past 63 and 31 characters */
    const dcs_model_t *model;    /* copied */
    dcs_training_plan_in_t plan; /* dcs_training_plan_defaults, then the
                                    numbers given */
    int64_t iterations;          /* >= 1 */
    double submit_s;             /* when it arrives (where t submits it) */
    const char *gpu_type;        /* on a cluster of pools, the pool it must
                                    run on (NULL or "": any it fits);
                                    ignored on a cluster of one device */
    int min_gpus, max_gpus;      /* elastic bounds, 1 <= min <= max (both
                                    0: not elastic) */
    int gpus;                    /* elastic: the size it asks for (0: the
                                    plan's); it gets the size it can run
                                    at nearest to it (ties: the smaller) */
} dcs_training_spec_t;

/* Adds a job to `t` (before dcs_training_start or _attach), checked and
 * priced exactly as dcs_training_read checks and prices a job mapping
 * with the same model, plan, iterations and gpu_type and no checkpoint or
 * failures keys. An elastic spec (min_gpus, max_gpus) runs at the size
 * in its bounds nearest spec->gpus where the plan, dp following the
 * GPUs, suits the model and fits (none: DCS_EINPUT, fault
 * DCS_TRAINING_FAULT_ELASTIC, or the plan's own fault where it does not
 * suit the model at any size). Returns its index in t->jobs; DCS_EINPUT with
 * *fault saying why and `err` a message naming the job (t is then as before);
 * DCS_EINVAL for iterations below 1 or a gpu_type naming no pool of a
 * cluster of pools; or DCS_ENOMEM. Amortized O(1) plus the pricing of one
 * iteration per pool. */
int64_t dcs_training_add(dcs_training_t *t, const dcs_training_spec_t *spec,
                         dcs_training_fault_t *fault, dcs_err_t *err);

/* Schedules every job's arrival on `sim`; arrivals append to `jobs` and go
 * to `sink`. Returns 0 or DCS_ENOMEM. */
int dcs_training_start(dcs_training_t *t, dcs_sim_t *sim, uint64_t seed,
                       dcs_jobs_t *jobs, dcs_training_sink_fn sink,
                       void *sink_ctx);
/* As dcs_training_start, but schedules no arrivals: someone else submits
 * the jobs (a trace replay), each through dcs_training_as_job. */
int dcs_training_attach(dcs_training_t *t, dcs_sim_t *sim, uint64_t seed,
                        dcs_jobs_t *jobs, dcs_training_sink_fn sink,
                        void *sink_ctx);
/* Makes the scheduler's `job` (its id, name, team and submit time the
 * caller's) run job `k` of `t`: the training kind, its work, its GPUs
 * (tp x cp x pp x dp), its gpu_type and the pools it may use
 * (job->gpu_models: those its plan fits; 0 on a cluster of one device),
 * and the run time a policy may expect of it before it starts: iterations
 * x iteration time alone, without failures, on the pool it expects (the
 * one its gpu_type names, else the fastest it fits: a policy does not
 * know where it will land). */
void dcs_training_as_job(dcs_training_t *t, size_t k, dcs_job_t *job);

/* 1 once the job has started (its run and placement are known). */
static inline int dcs_training_started(const dcs_training_job_t *j)
{
    return j->job != NULL;
}

/* Derived per-job figures for reports. */
double dcs_training_tokens_per_s(const dcs_training_job_t *j);
double dcs_training_mfu(const dcs_training_job_t *j);
double dcs_training_hfu(const dcs_training_job_t *j);

/* Calls `each` for every op of job `j`'s iteration (see step.h). */
int dcs_training_breakdown(const dcs_training_job_t *j,
                           const dcs_device_spec_t *dev, dcs_step_op_fn each,
                           void *ctx);

#endif
