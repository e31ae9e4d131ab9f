/* training.c - training jobs: reading, pricing, running. */
#include "workload/training.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/rng.h"
#include "workload/layout.h"
#include "workload/trainnet.h"

#define GIB 1073741824.0

static const char *const recompute_names[] = {"none", "full", "selective",
                                              NULL};

void dcs_training_plan_defaults(dcs_training_plan_in_t *p, const dcs_model_t *m)
{
    *p = (dcs_training_plan_in_t){.tp = 1,
                                  .cp = 1,
                                  .pp = 1,
                                  .dp = 1,
                                  .ep = 1,
                                  .micro_batch = 1,
                                  .seq = m->seq_len,
                                  .interleave = 1,
                                  .grad_bytes = 4,
                                  .reserve_gib = 2};
}

/* Why a job was refused, and where in its mapping: a plan key, "plan",
 * "checkpoint", or NULL for the job itself. */
typedef struct fault {
    dcs_training_fault_t why;
    const char *at;
    char msg[1024];
} fault_t;

static int fail(fault_t *f, dcs_training_fault_t why, const char *at,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int fail(fault_t *f, dcs_training_fault_t why, const char *at,
                const char *fmt, ...)
{
    va_list ap;
    f->why = why;
    f->at = at;
    va_start(ap, fmt);
    vsnprintf(f->msg, sizeof f->msg, fmt, ap);
    va_end(ap);
    return DCS_EINPUT;
}

/* Checks the plan `in` against j's model and sets j's plan and GPUs from
 * it. Returns 0, or DCS_EINPUT with *f naming the plan key at fault. */
static int set_plan(dcs_training_job_t *j, const dcs_training_plan_in_t *in,
                    fault_t *f)
{
    int64_t tp = in->tp, pp = in->pp, dp = in->dp, cp = in->cp, ep = in->ep;
    int64_t mb = in->micro_batch, gbs = in->global_batch, seq = in->seq;
    int64_t inter = in->interleave;
    if (gbs == 0)
        gbs = mb * dp;
    if (gbs % (mb * dp))
        return fail(f, DCS_TRAINING_FAULT_PLAN, "global_batch",
                    "global_batch %lld is not a multiple of micro_batch x "
                    "dp = %lld",
                    (long long)gbs, (long long)(mb * dp));
    if (j->model.heads % tp || j->model.ffn_hidden % tp)
        return fail(f, DCS_TRAINING_FAULT_PLAN, "tp",
                    "tp %lld does not divide the model's %lld heads and FFN "
                    "width %lld",
                    (long long)tp, (long long)j->model.heads,
                    (long long)j->model.ffn_hidden);
    if (seq % cp)
        return fail(f, DCS_TRAINING_FAULT_PLAN, "cp",
                    "cp %lld does not divide the sequence of %lld",
                    (long long)cp, (long long)seq);
    if (ep > 1 && (!j->model.experts || j->model.experts % ep || dp % ep))
        return fail(f, DCS_TRAINING_FAULT_PLAN, "ep",
                    "ep %lld must divide the model's experts (%lld) and dp "
                    "(%lld)",
                    (long long)ep, (long long)j->model.experts, (long long)dp);
    if (pp > j->model.layers)
        return fail(f, DCS_TRAINING_FAULT_PLAN, "pp",
                    "%lld pipeline stages for %lld layers", (long long)pp,
                    (long long)j->model.layers);
    if (inter > 1 && (pp == 1 || j->model.layers < pp * inter))
        return fail(f, DCS_TRAINING_FAULT_PLAN, "interleave",
                    "interleave %lld needs pp > 1 and at least pp x "
                    "interleave layers (the model has %lld)",
                    (long long)inter, (long long)j->model.layers);
    dcs_train_plan_t *pl = &j->plan;
    pl->tp = tp;
    pl->pp = pp;
    pl->dp = dp;
    pl->micro_batch = mb;
    pl->grad_accum = gbs / (mb * dp);
    pl->seq = seq;
    pl->sp = in->sp && tp > 1;
    pl->recompute = in->recompute;
    pl->zero = (int)in->zero;
    pl->interleave = inter;
    pl->fp8 = in->fp8;
    pl->tp_overlap = in->tp_overlap;
    pl->cp = cp;
    pl->ep = ep;
    pl->grad_bytes = in->grad_bytes;
    pl->bucket_bytes = 25e6;
    pl->has_order = in->has_order;
    memcpy(pl->order, in->order, sizeof pl->order);
    j->reserve_bytes = in->reserve_gib * GIB;
    j->gpus = (int)(tp * cp * pp * dp);
    j->global_batch = gbs;
    return 0;
}

/* Sets j's plan (set by set_plan) to `gpus` GPUs: dp = gpus / (tp x cp x
 * pp), the global batch kept (gradient accumulation follows), the fabric
 * times of the last pricing forgotten. Returns 0, or -1 (j unchanged)
 * where dp is not whole, the global batch is not a multiple of
 * micro_batch x dp or ep does not divide dp. */
static int set_size(dcs_training_job_t *j, int64_t gpus)
{
    dcs_train_plan_t *pl = &j->plan;
    int64_t per = pl->tp * pl->cp * pl->pp;
    if (gpus < 1 || gpus % per)
        return -1;
    int64_t dp = gpus / per;
    if (j->global_batch % (pl->micro_batch * dp) || (pl->ep > 1 && dp % pl->ep))
        return -1;
    pl->dp = dp;
    pl->grad_accum = j->global_batch / (pl->micro_batch * dp);
    pl->dp_fabric_s = pl->pp_fabric_s = 0;
    j->gpus = (int)gpus;
    return 0;
}

static int read_plan(dcs_cfg_node_t *job, dcs_training_job_t *j, dcs_err_t *err)
{
    dcs_cfg_node_t *p = NULL;
    int rc;
    if ((rc = dcs_cfg_map(job, "plan", DCS_CFG_REQUIRED, &p, err)) < 0)
        return rc;
    dcs_training_plan_in_t in;
    dcs_training_plan_defaults(&in, &j->model);
    if ((rc = dcs_cfg_i64(p, "tp", DCS_CFG_OPTIONAL, 1, 1024, &in.tp, err)) <
            0 ||
        (rc = dcs_cfg_i64(p, "pp", DCS_CFG_OPTIONAL, 1, 1024, &in.pp, err)) <
            0 ||
        (rc = dcs_cfg_i64(p, "dp", DCS_CFG_OPTIONAL, 1, 1 << 24, &in.dp, err)) <
            0 ||
        (rc = dcs_cfg_i64(p, "cp", DCS_CFG_OPTIONAL, 1, 1024, &in.cp, err)) <
            0 ||
        (rc = dcs_cfg_i64(p, "ep", DCS_CFG_OPTIONAL, 1, 1 << 20, &in.ep, err)) <
            0 ||
        (rc = dcs_cfg_i64(p, "micro_batch", DCS_CFG_OPTIONAL, 1, 1 << 20,
                          &in.micro_batch, err)) < 0 ||
        (rc = dcs_cfg_i64(p, "global_batch", DCS_CFG_OPTIONAL, 1, 1LL << 40,
                          &in.global_batch, err)) < 0 ||
        (rc = dcs_cfg_i64(p, "seq", DCS_CFG_OPTIONAL, 1, 1 << 24, &in.seq,
                          err)) < 0 ||
        (rc = dcs_cfg_bool(p, "sequence_parallel", DCS_CFG_OPTIONAL, &in.sp,
                           err)) < 0 ||
        (rc = dcs_cfg_enum(p, "recompute", DCS_CFG_OPTIONAL, recompute_names,
                           &in.recompute, err)) < 0 ||
        (rc = dcs_cfg_i64(p, "zero", DCS_CFG_OPTIONAL, 0, 3, &in.zero, err)) <
            0 ||
        (rc = dcs_cfg_i64(p, "interleave", DCS_CFG_OPTIONAL, 1, 64,
                          &in.interleave, err)) < 0 ||
        (rc = dcs_cfg_bool(p, "fp8", DCS_CFG_OPTIONAL, &in.fp8, err)) < 0 ||
        (rc = dcs_cfg_bool(p, "tp_overlap", DCS_CFG_OPTIONAL, &in.tp_overlap,
                           err)) < 0 ||
        (rc = dcs_cfg_f64(p, "grad_bytes", DCS_CFG_OPTIONAL, 1, 8,
                          &in.grad_bytes, err)) < 0 ||
        (rc = dcs_cfg_f64(p, "reserve_gib", DCS_CFG_OPTIONAL, 0, 1024,
                          &in.reserve_gib, err)) < 0)
        return rc;
    dcs_cfg_node_t *order = NULL;
    if ((rc = dcs_cfg_node(p, "order", DCS_CFG_OPTIONAL, &order, err)) < 0)
        return rc;
    if (order) {
        if (dcs_cfg_kind(order) != DCS_CFG_SEQ || dcs_cfg_len(order) != 4)
            return dcs_cfg_error(order, err,
                                 "expected the four dimensions tp, cp, pp, "
                                 "dp in some order, fastest first");
        unsigned seen = 0;
        for (size_t i = 0; i < 4; i++) {
            const char *name = dcs_cfg_scalar(dcs_cfg_at(order, i));
            int d = -1;
            for (int k = 0; name && k < DCS_NDIMS; k++)
                if (strcmp(name, dcs_dim_names[k]) == 0)
                    d = k;
            if (d < 0 || (seen & (1u << d)))
                return dcs_cfg_error(dcs_cfg_at(order, i), err,
                                     "expected each of tp, cp, pp, dp once, "
                                     "found '%s'",
                                     name ? name : "");
            seen |= 1u << d;
            in.order[i] = d;
        }
        in.has_order = 1;
    }
    fault_t f;
    if (set_plan(j, &in, &f) < 0)
        return dcs_cfg_error(dcs_cfg_get(p, f.at), err, "%s", f.msg);
    return 0;
}

/* Prices j's iteration (step model) and holds it at the board's power
 * limit (trainpower.h): a limit below what the iteration draws stretches
 * its FLOP-bound ops, which the forward and backward times absorb. */
static int price(dcs_training_job_t *j, const dcs_training_env_t *env)
{
    return dcs_train_power(&j->model, &j->plan, j->device, env->gpu_power_cap_w,
                           &j->step, &j->power);
}

/* Pools of `env` as jobs see them: a cluster of one device is one pool. */
/* The pools of `env` (0: a cluster of one device). */
static int npools(const dcs_training_env_t *env)
{
    return env->fleet ? env->fleet->npools : 0;
}

static int env_pools(const dcs_training_env_t *env)
{
    return npools(env) > 0 ? npools(env) : 1;
}

static const dcs_device_spec_t *pool_device(const dcs_training_env_t *env,
                                            int p)
{
    return npools(env) > 0 ? &env->fleet->pools[p].device : env->device;
}

static int pool_gpus(const dcs_training_env_t *env, int p)
{
    return npools(env) > 0 ? env->fleet->pools[p].nodes * env->gpus_per_node
                           : env->gpus;
}

static const char *pool_name(const dcs_training_env_t *env, int p)
{
    return env->fleet->pools[p].name;
}

/* The pool of GPU `gpu`. */
static int pool_of_gpu(const dcs_training_env_t *env, int gpu)
{
    int node = gpu / env->gpus_per_node;
    for (int p = 0; p < npools(env); p++) {
        const dcs_fleet_pool_t *pool = &env->fleet->pools[p];
        if (node >= pool->first_node && node < pool->first_node + pool->nodes)
            return p;
    }
    return 0;
}

/* What a job has unless its mapping says otherwise. */
static void job_defaults(dcs_training_job_t *j)
{
    j->ckpt_keep = 1;
    j->restart_s = 600;
    j->data_bytes_per_token = 4; /* ASSUMPTION: token ids as 32-bit integers
                                    (vocabularies over 65,536) */
}

/* Iterations between j's checkpoints, the interval rounded to whole
 * iterations (0: no checkpoints). */
static int64_t ckpt_every(const dcs_training_job_t *j)
{
    if (j->ckpt_interval_s <= 0)
        return 0;
    return (int64_t)fmax(1.0,
                         floor(j->ckpt_interval_s / j->step.total_s + 0.5));
}

/* Run time (s) between the checkpoints that keep j's work, the write
 * included (0: none). */
static double saved_every_s(const dcs_training_job_t *j)
{
    int64_t every = ckpt_every(j);
    return every ? (double)every * j->step.total_s + j->ckpt_write_s : 0;
}

/* Prices j (its model, plan and iterations set) on pool `p` of the
 * cluster `env` (0 on a cluster of one device), which j->pool and
 * j->device become: its GPUs and fabric, memory per rank, the iteration,
 * checkpoints and the failure figures. Returns 0, or DCS_EINPUT with *f
 * saying why and where. */
static int derive(dcs_training_job_t *j, const dcs_training_env_t *env, int p,
                  fault_t *f)
{
    dcs_train_plan_t *pl = &j->plan;
    j->pool = p;
    j->device = pool_device(env, p);
    if (j->gpus > pool_gpus(env, p)) {
        if (npools(env) > 0)
            return fail(f, DCS_TRAINING_FAULT_PLAN, "plan",
                        "tp x cp x pp x dp = %d GPUs, pool '%s' has %d",
                        j->gpus, pool_name(env, p), pool_gpus(env, p));
        return fail(f, DCS_TRAINING_FAULT_PLAN, "plan",
                    "tp x cp x pp x dp = %d GPUs, the cluster has %d", j->gpus,
                    env->gpus);
    }
    /* Groups across nodes need a fabric. */
    pl->gpus_per_node = env->gpus_per_node;
    pl->nic_bw = env->nic_bw;
    pl->nic_latency_s = 5e-6; /* ASSUMPTION: per NCCL step across IB/RoCE */
    if (j->gpus > env->gpus_per_node && env->nic_bw <= 0)
        return fail(f, DCS_TRAINING_FAULT_FABRIC, "plan",
                    "%d GPUs span nodes, and the cluster has no 'fabric' to "
                    "join them",
                    j->gpus);
    /* Memory: the fullest rank must fit. */
    dcs_train_memory(&j->model, pl, j->reserve_bytes, &j->memory);
    double cap = (double)j->device->memory_bytes;
    if (j->memory.total > cap) {
        const char *hint = NULL;
        const char *term = dcs_train_memory_largest(&j->memory, &hint);
        return fail(
            f, DCS_TRAINING_FAULT_MEMORY, "plan",
            "does not fit: rank 0 of pipeline stage %lld needs %.1f GiB "
            "(weights %.1f, gradients %.1f, optimizer %.1f, activations %.1f, "
            "temporary %.1f), %.1f GiB over the %s's %.1f GiB; largest term "
            "%s: try %s",
            (long long)j->memory.stage, j->memory.total / GIB,
            j->memory.weights / GIB, j->memory.gradients / GIB,
            j->memory.optimizer / GIB, j->memory.activations / GIB,
            j->memory.temporary / GIB, (j->memory.total - cap) / GIB,
            j->device->name, cap / GIB, term, hint);
    }
    if (price(j, env) < 0)
        return fail(f, DCS_TRAINING_FAULT_DEVICE, "plan",
                    "device '%s' cannot run this plan (%s GEMMs)",
                    j->device->name, pl->fp8 ? "fp8" : "bf16");
    /* Checkpoints: bf16 weights and fp32 master weights and Adam moments. */
    j->ckpt_bytes = 14.0 * dcs_model_params(&j->model);
    if (j->ckpt_interval_s > 0) {
        if (env->storage.write_bw <= 0)
            return fail(f, DCS_TRAINING_FAULT_STORAGE, "checkpoint",
                        "checkpoints need the cluster's 'storage' "
                        "(write_gb_per_s)");
        double need = j->ckpt_bytes * (double)j->ckpt_keep;
        if (env->storage.capacity > 0 && need > env->storage.capacity)
            return fail(f, DCS_TRAINING_FAULT_STORAGE, "checkpoint",
                        "%lld checkpoints of %.1f TB need %.1f TB, the "
                        "storage holds %.1f TB",
                        (long long)j->ckpt_keep, j->ckpt_bytes / 1e12,
                        need / 1e12, env->storage.capacity / 1e12);
        /* alone: the tier's bandwidth, or its nodes' links if less */
        int nodes = (j->gpus + env->gpus_per_node - 1) / env->gpus_per_node;
        double bw = env->storage.write_bw;
        if (env->storage.node_bw > 0)
            bw = fmin(bw, (double)nodes * env->storage.node_bw);
        j->ckpt_write_s = j->ckpt_bytes / bw;
    }
    int nodes = (j->gpus + env->gpus_per_node - 1) / env->gpus_per_node;
    j->failure_rate_per_s = ((double)j->gpus * j->fail_per_gpu_per_h +
                             (double)nodes * j->fail_per_node_per_h) /
                            3600.0;
    int64_t every = ckpt_every(j);
    double alone_s =
        (double)j->iterations * j->step.total_s +
        (every ? (double)((j->iterations - 1) / every) : 0) * j->ckpt_write_s;
    double expect_s = dcs_expected_wall_s(
        alone_s, saved_every_s(j),
        j->failure_rate_per_s > 0 ? 1.0 / j->failure_rate_per_s : 0,
        j->restart_s);
    if (expect_s > DCS_JOB_GIVE_UP_S)
        return fail(f, DCS_TRAINING_FAULT_FAILURES, "failures",
                    "%.3g iterations of %.3g s between failures every %.3g "
                    "h are expected to take %.3g years, each failure losing "
                    "%s; the limit is %.0f years: add or shorten "
                    "'checkpoint: {interval_s}', or fewer iterations",
                    (double)j->iterations, j->step.total_s,
                    1.0 / j->failure_rate_per_s / 3600.0,
                    expect_s / (365.25 * 86400.0),
                    every ? "the work since its last checkpoint"
                          : "the whole run (no checkpoints)",
                    DCS_JOB_GIVE_UP_S / (365.25 * 86400.0));
    j->young_daly_s =
        j->failure_rate_per_s > 0 && j->ckpt_write_s > 0
            ? dcs_young_daly_s(j->ckpt_write_s, 1.0 / j->failure_rate_per_s)
            : 0;
    j->peak_flops = j->device->perf.peak_flops[pl->fp8 ? DCS_FP8 : DCS_BF16];
    return 0;
}

/* 1 when a fault `a` on pool `pa` came closer to fitting than `b` on
 * `pb`: its check failed later, or as late on more memory, or as much
 * memory and more GPUs. */
static int closer(const dcs_training_env_t *env, dcs_training_fault_t a, int pa,
                  dcs_training_fault_t b, int pb)
{
    if (a != b)
        return a > b;
    uint64_t ma = pool_device(env, pa)->memory_bytes;
    uint64_t mb = pool_device(env, pb)->memory_bytes;
    if (ma != mb)
        return ma > mb;
    return pool_gpus(env, pa) > pool_gpus(env, pb);
}

/* Prices j on each pool it may use (the one its gpu_type names, else
 * every one): j->pools gets those it fits, and j is left priced on the
 * one it expects, the named pool or the fastest it fits (the first of
 * equals). None: DCS_EINPUT with *f the fault of the closest pool
 * (closer()), named on a cluster of pools. O(pools) pricings. */
static int derive_pools(dcs_training_job_t *j, const dcs_training_env_t *env,
                        fault_t *f)
{
    int named = j->gpu_type[0] && npools(env) > 0
                    ? dcs_fleet_pool_find(env->fleet, j->gpu_type)
                    : -1;
    int best = -1, last = -1, expect = -1;
    fault_t pf;
    j->pools = 0;
    for (int p = 0; p < env_pools(env); p++) {
        if (named >= 0 && p != named)
            continue;
        if (derive(j, env, p, &pf) == 0) {
            j->pools |= 1u << p;
            j->pool_iteration_s[p] = j->step.total_s;
            if (expect < 0 ||
                j->pool_iteration_s[p] < j->pool_iteration_s[expect])
                expect = p;
            last = p;
        } else if (best < 0 || closer(env, pf.why, p, f->why, best)) {
            *f = pf;
            best = p;
        }
    }
    if (expect < 0) {
        if (npools(env) > 0) {
            char msg[sizeof f->msg];
            snprintf(msg, sizeof msg, "%s", f->msg);
            /* pool names are at most 15 characters (fleet.h) */
            snprintf(f->msg, sizeof f->msg, "%s pool '%.15s'%s: %.900s",
                     named >= 0 ? "on" : "fits no pool; on the closest,",
                     pool_name(env, best),
                     named >= 0 ? ", which gpu_type names" : "", msg);
        }
        return DCS_EINPUT;
    }
    if (expect != last) {
        int rc = derive(j, env, expect, &pf);
        DCS_ASSERT(rc == 0); /* it priced there a moment ago */
    }
    return 0;
}

/* The most GPUs of any pool of `env`. */
static int most_pool_gpus(const dcs_training_env_t *env)
{
    int most = 0;
    for (int p = 0; p < env_pools(env); p++)
        if (pool_gpus(env, p) > most)
            most = pool_gpus(env, p);
    return most;
}

/* Elastic j, priced at the size it asks for (derive_pools): j->sizes
 * become the sizes in its bounds it can run at on every pool that size
 * fits (set_size, then derive on each), its own among them; j is left
 * priced as it was. Returns 0 or DCS_ENOMEM. O(sizes x pools) pricings. */
static int elastic_sizes(dcs_training_job_t *j, const dcs_training_env_t *env)
{
    int own = j->gpus, hi = j->max_gpus, most = most_pool_gpus(env);
    unsigned pools = j->pools;
    int64_t per = j->plan.tp * j->plan.cp * j->plan.pp;
    if (hi > most)
        hi = most;                               /* larger sizes fit no pool */
    DCS_ASSERT(j->min_gpus <= own && own <= hi); /* the callers checked */
    free(j->sizes);
    free(j->size_iteration_s);
    j->size_iteration_s = NULL;
    j->nsizes = 0;
    j->sizes =
        malloc(sizeof *j->sizes * (size_t)((hi - j->min_gpus) / per + 2));
    if (!j->sizes)
        return DCS_ENOMEM;
    int64_t first = (j->min_gpus + per - 1) / per * per;
    for (int64_t n = first; n <= hi; n += per) {
        int ok = n == own;
        if (!ok && set_size(j, n) == 0) {
            ok = 1;
            for (int p = 0; ok && p < env_pools(env); p++) {
                fault_t f;
                if (pools >> p & 1)
                    ok = derive(j, env, p, &f) == 0;
            }
        }
        if (ok)
            j->sizes[j->nsizes++] = (int)n;
    }
    fault_t f;
    int rc = set_size(j, own);
    DCS_ASSERT(rc == 0);
    rc = derive_pools(j, env, &f);
    DCS_ASSERT(rc == 0 && j->pools == pools); /* it priced there before */
    return 0;
}

static int read_job(dcs_cfg_node_t *node, const dcs_training_env_t *env,
                    dcs_training_job_t *j, dcs_err_t *err)
{
    dcs_cfg_node_t *model = NULL, *ck = NULL, *fl = NULL;
    const char *name = NULL, *team = "default", *gpu_type = "";
    double tokens = 0;
    int64_t min_gpus = 0, max_gpus = 0;
    int rc;
    if ((rc = dcs_cfg_str(node, "name", DCS_CFG_REQUIRED, &name, err)) < 0 ||
        (rc = dcs_cfg_str(node, "team", DCS_CFG_OPTIONAL, &team, err)) < 0 ||
        (rc = dcs_cfg_str(node, "gpu_type", DCS_CFG_OPTIONAL, &gpu_type, err)) <
            0 ||
        (rc = dcs_cfg_map(node, "model", DCS_CFG_REQUIRED, &model, err)) < 0 ||
        (rc = dcs_model_read(model, &j->model, err)) < 0 ||
        (rc = dcs_cfg_f64(node, "submit_s", DCS_CFG_OPTIONAL, 0, 1e10,
                          &j->submit_s, err)) < 0 ||
        (rc = read_plan(node, j, err)) < 0 ||
        (rc = dcs_cfg_i64(node, "iterations", DCS_CFG_OPTIONAL, 1, 1LL << 50,
                          &j->iterations, err)) < 0 ||
        (rc = dcs_cfg_f64(node, "tokens", DCS_CFG_OPTIONAL, 1, 1e18, &tokens,
                          err)) < 0 ||
        (rc = dcs_cfg_f64(node, "data_bytes_per_token", DCS_CFG_OPTIONAL, 0,
                          1e9, &j->data_bytes_per_token, err)) < 0 ||
        (rc = dcs_cfg_map(node, "checkpoint", DCS_CFG_OPTIONAL, &ck, err)) <
            0 ||
        (ck && ((rc = dcs_cfg_f64(ck, "interval_s", DCS_CFG_REQUIRED, 1, 1e9,
                                  &j->ckpt_interval_s, err)) < 0 ||
                (rc = dcs_cfg_i64(ck, "keep", DCS_CFG_OPTIONAL, 1, 1000,
                                  &j->ckpt_keep, err)) < 0)) ||
        (rc = dcs_cfg_i64(node, "min_gpus", DCS_CFG_OPTIONAL, 1, 1 << 24,
                          &min_gpus, err)) < 0 ||
        (rc = dcs_cfg_i64(node, "max_gpus", DCS_CFG_OPTIONAL, 1, 1 << 24,
                          &max_gpus, err)) < 0 ||
        (rc = dcs_cfg_map(node, "failures", DCS_CFG_OPTIONAL, &fl, err)) < 0 ||
        (fl && ((rc = dcs_cfg_f64(fl, "per_gpu_per_h", DCS_CFG_OPTIONAL, 0, 1,
                                  &j->fail_per_gpu_per_h, err)) < 0 ||
                (rc = dcs_cfg_f64(fl, "per_node_per_h", DCS_CFG_OPTIONAL, 0, 1,
                                  &j->fail_per_node_per_h, err)) < 0 ||
                (rc = dcs_cfg_f64(fl, "restart_s", DCS_CFG_OPTIONAL, 0, 1e7,
                                  &j->restart_s, err)) < 0)))
        return rc;
    if (strlen(name) >= sizeof j->name || strlen(team) >= sizeof j->team)
        return dcs_cfg_error(node, err, "name or team longer than %zu",
                             sizeof j->team - 1);
    snprintf(j->name, sizeof j->name, "%s", name);
    snprintf(j->team, sizeof j->team, "%s", team);
    if (gpu_type[0]) {
        dcs_cfg_node_t *at = dcs_cfg_get(node, "gpu_type");
        if (npools(env) == 0)
            return dcs_cfg_error(at, err,
                                 "a job may name a pool on a cluster of "
                                 "pools; this cluster has one device");
        int p = dcs_fleet_pool_find(env->fleet, gpu_type);
        if (p < 0) {
            char known[256];
            dcs_fleet_pool_names(env->fleet, known, sizeof known);
            return dcs_cfg_error(at, err,
                                 "expected a pool of the cluster (%s), found "
                                 "'%s'",
                                 known, gpu_type);
        }
        snprintf(j->gpu_type, sizeof j->gpu_type, "%s", pool_name(env, p));
    }
    dcs_train_plan_t *pl = &j->plan;
    double tokens_per_iter =
        (double)(pl->micro_batch * pl->grad_accum * pl->dp * pl->seq);
    if ((j->iterations > 0) == (tokens > 0))
        return dcs_cfg_error(node, err,
                             "give exactly one of 'iterations' and 'tokens'");
    if (tokens > 0)
        j->iterations = (int64_t)ceil(tokens / tokens_per_iter);
    if ((min_gpus > 0) != (max_gpus > 0))
        return dcs_cfg_error(
            dcs_cfg_get(node, min_gpus ? "min_gpus" : "max_gpus"), err,
            "an elastic job gives both 'min_gpus' and "
            "'max_gpus'");
    if (min_gpus > 0 && (min_gpus > j->gpus || max_gpus < j->gpus))
        return dcs_cfg_error(
            dcs_cfg_get(node, min_gpus > j->gpus ? "min_gpus" : "max_gpus"),
            err,
            "expected min_gpus <= tp x cp x pp x dp = %d <= "
            "max_gpus, found %lld and %lld",
            j->gpus, (long long)min_gpus, (long long)max_gpus);
    j->min_gpus = (int)min_gpus;
    j->max_gpus = (int)max_gpus;
    fault_t f;
    if (derive_pools(j, env, &f) < 0)
        return dcs_cfg_error(f.at ? dcs_cfg_get(node, f.at) : node, err, "%s",
                             f.msg);
    if (j->max_gpus > 0 && elastic_sizes(j, env) < 0)
        return dcs_err_set(err, DCS_ENOMEM, "out of memory");
    return 0;
}

/* A new job at the end of t->jobs, zeroed but for its place and the
 * defaults; NULL when out of memory. */
static dcs_training_job_t *new_job(dcs_training_t *t)
{
    if (t->njobs == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 4;
        dcs_training_job_t *jobs = realloc(t->jobs, cap * sizeof *jobs);
        if (!jobs)
            return NULL;
        t->jobs = jobs;
        t->cap = cap;
    }
    dcs_training_job_t *j = &t->jobs[t->njobs];
    memset(j, 0, sizeof *j);
    j->index = (int64_t)t->njobs++;
    j->owner = t;
    job_defaults(j);
    return j;
}

void dcs_training_init(dcs_training_t *t, const dcs_training_env_t *env)
{
    memset(t, 0, sizeof *t);
    t->env = *env;
    DCS_ASSERT(npools(env) <= DCS_TRAINING_MAX_POOLS);
}

int dcs_training_read(dcs_cfg_node_t *map, const dcs_training_env_t *env,
                      dcs_training_t *t, dcs_err_t *err)
{
    dcs_training_init(t, env);
    dcs_cfg_node_t *jobs = NULL;
    int rc = dcs_cfg_node(map, "jobs", DCS_CFG_REQUIRED, &jobs, err);
    if (rc < 0)
        return rc;
    if (dcs_cfg_kind(jobs) != DCS_CFG_SEQ || dcs_cfg_len(jobs) == 0)
        return dcs_cfg_error(jobs, err,
                             "expected a non-empty sequence of jobs");
    for (size_t i = 0; i < dcs_cfg_len(jobs); i++) {
        dcs_training_job_t *j = new_job(t);
        if (!j)
            rc = DCS_ENOMEM;
        else
            rc = read_job(dcs_cfg_at(jobs, i), &t->env, j, err);
        if (rc < 0) {
            dcs_training_destroy(t);
            return rc;
        }
    }
    return 0;
}

/* Elastic j (its plan set): priced at the size in spec's bounds nearest
 * the one it asks for (ties: the smaller) where set_size and derive_pools
 * succeed. Returns 0, or DCS_EINPUT with *f DCS_TRAINING_FAULT_ELASTIC
 * where no size does. O(sizes x pools) pricings. */
static int nearest_size(dcs_training_job_t *j, const dcs_training_env_t *env,
                        const dcs_training_spec_t *spec, fault_t *f)
{
    int want = spec->gpus > 0 ? spec->gpus : j->gpus;
    int lo = spec->min_gpus, hi = spec->max_gpus, most = most_pool_gpus(env);
    j->min_gpus = lo;
    j->max_gpus = hi;
    if (hi > most)
        hi = most; /* larger sizes fit no pool */
    for (int d = 0; want - d >= lo || want + d <= hi; d++)
        for (int side = 0; side < 2; side++) {
            int n = side ? want + d : want - d;
            fault_t g;
            if ((side && d == 0) || n < lo || n > hi)
                continue;
            if (set_size(j, n) == 0 && derive_pools(j, env, &g) == 0)
                return 0;
        }
    return fail(f, DCS_TRAINING_FAULT_ELASTIC, "plan",
                "no size in [%d, %d] GPUs suits the plan and fits", lo,
                spec->max_gpus);
}

int64_t dcs_training_add(dcs_training_t *t, const dcs_training_spec_t *spec,
                         dcs_training_fault_t *fault, dcs_err_t *err)
{
    *fault = DCS_TRAINING_FAULT_NONE;
    if (spec->iterations < 1)
        return dcs_err_set(err, DCS_EINVAL,
                           "training job '%s': %lld iterations", spec->name,
                           (long long)spec->iterations);
    dcs_training_job_t *j = new_job(t);
    if (!j)
        return DCS_ENOMEM;
    snprintf(j->name, sizeof j->name, "%s", spec->name);
    snprintf(j->team, sizeof j->team, "%s", spec->team);
    j->model = *spec->model;
    j->submit_s = spec->submit_s;
    j->iterations = spec->iterations;
    if (spec->gpu_type && spec->gpu_type[0] && npools(&t->env) > 0) {
        int p = dcs_fleet_pool_find(t->env.fleet, spec->gpu_type);
        if (p < 0) {
            t->njobs--;
            return dcs_err_set(err, DCS_EINVAL,
                               "training job '%s': no pool '%s'", spec->name,
                               spec->gpu_type);
        }
        snprintf(j->gpu_type, sizeof j->gpu_type, "%s", pool_name(&t->env, p));
    }
    fault_t f;
    int rc = set_plan(j, &spec->plan, &f);
    if (rc == 0 && spec->max_gpus > 0)
        rc = nearest_size(j, &t->env, spec, &f);
    else if (rc == 0)
        rc = derive_pools(j, &t->env, &f);
    if (rc == 0 && spec->max_gpus > 0 && elastic_sizes(j, &t->env) < 0) {
        free(j->sizes);
        t->njobs--;
        return DCS_ENOMEM;
    }
    if (rc < 0) {
        t->njobs--; /* nothing of it to free yet */
        *fault = f.why;
        return dcs_err_set(err, DCS_EINPUT, "training job '%s': %s", spec->name,
                           f.msg);
    }
    return j->index;
}

void dcs_training_destroy(dcs_training_t *t)
{
    for (size_t i = 0; i < t->njobs; i++) {
        free(t->jobs[i].ckpt.parts); /* the network goes with io */
        gsl_rng_free(t->jobs[i].rng);
        free(t->jobs[i].nodes);
        free(t->jobs[i].sizes);
        free(t->jobs[i].size_iteration_s);
    }
    dcs_storage_io_free(t->io);
    t->io = NULL;
    free(t->jobs);
    t->jobs = NULL;
    t->njobs = t->cap = 0;
}

static dcs_train_flow_job_t flow_job(const dcs_training_job_t *j)
{
    dcs_train_flow_job_t f = {j->gpu_ids,
                              j->plan.tp > 1 ? j->plan.tp : 1,
                              j->plan.cp > 1 ? j->plan.cp : 1,
                              j->plan.pp > 1 ? j->plan.pp : 1,
                              j->plan.dp > 1 ? j->plan.dp : 1,
                              j->step.dp_bytes,
                              j->plan.gpus_per_node,
                              {0, 0, 0, 0},
                              j->step.pp_bytes};
    int64_t size[DCS_NDIMS] = {f.tp, f.cp, f.pp, f.dp};
    dcs_layout_strides(j->plan.has_order ? j->plan.order : NULL, size,
                       f.stride);
    return f;
}

/* Whether j holds its GPUs now (the scheduler marks it done before its
 * kind's `ended` hook runs). */
static int running(const dcs_training_job_t *j)
{
    return j->job && j->job->state == DCS_JOB_RUNNING;
}

/* Whether j's all-reduce crosses nodes as flows on the fabric. */
static int dp_on_fabric(const dcs_training_job_t *j)
{
    return j->step.dp_across && j->step.dp_ranks >= 2;
}

/* Whether j's data-parallel or pipeline traffic runs as flows on the
 * fabric. */
static int on_fabric(const dcs_training_job_t *j)
{
    const dcs_training_t *t = j->owner;
    return t->env.flow && t->env.fabric &&
           (dp_on_fabric(j) || j->step.pp_across);
}

/* Whether j reads its batches from the cluster's storage. */
static int reads_data(const dcs_training_job_t *j)
{
    return j->owner->io != NULL && j->data_bytes_per_token > 0;
}

/* Nodes of the cluster, as the storage network sees them. */
static int storage_nodes(const dcs_training_t *t)
{
    return (t->env.gpus + t->env.gpus_per_node - 1) / t->env.gpus_per_node;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* j's distinct nodes, from its placement, in order. */
static void set_nodes(dcs_training_job_t *j)
{
    int gpn = j->owner->env.gpus_per_node;
    free(j->nodes);
    j->nodes = malloc(sizeof *j->nodes * (size_t)j->gpus);
    DCS_ASSERT(j->nodes != NULL); /* out of memory mid-run */
    for (int i = 0; i < j->gpus; i++)
        j->nodes[i] = j->gpu_ids[i] / gpn;
    qsort(j->nodes, (size_t)j->gpus, sizeof *j->nodes, cmp_int);
    j->nnodes = 0;
    for (int i = 0; i < j->gpus; i++)
        if (j->nnodes == 0 || j->nodes[j->nnodes - 1] != j->nodes[i])
            j->nodes[j->nnodes++] = j->nodes[i];
}

/* Seconds j's all-reduce (dp) and one of its pipeline sends (pp) take
 * across nodes as flows, among all the traffic of every other running
 * training job on the fabric sent at once (trainnet.h); 0 where j's
 * traffic of a class stays in nodes. */
static void fabric_s(dcs_training_job_t *j, double *dp, double *pp)
{
    dcs_training_t *t = j->owner;
    dcs_train_flow_job_t *set = malloc(sizeof *set * t->njobs);
    DCS_ASSERT(set != NULL); /* out of memory mid-run: nothing sane to do */
    size_t n = 0;
    set[n++] = flow_job(j);
    for (size_t i = 0; i < t->njobs; i++) {
        const dcs_training_job_t *o = &t->jobs[i];
        if (o != j && running(o) && on_fabric(o))
            set[n++] = flow_job(o);
    }
    *dp = *pp = 0;
    if (dp_on_fabric(j)) {
        /* others whose rings stay in their nodes send nothing here */
        *dp =
            dcs_train_dp_flows_s(t->env.fabric, set, n, j->plan.nic_latency_s);
        DCS_ASSERT(*dp >= 0); /* routes exist on a healthy fabric */
        if (*dp == 0)
            *dp = 1e-12;
    }
    if (j->step.pp_across) {
        *pp =
            dcs_train_pp_flows_s(t->env.fabric, set, n, j->plan.nic_latency_s);
        DCS_ASSERT(*pp >= 0);
    }
    free(set);
}

/* Seconds one iteration's batch takes to read from the storage, every
 * other running job reading its own at the same moment (storage/io.h). */
static double read_s(dcs_training_job_t *j)
{
    dcs_training_t *t = j->owner;
    if (!t->io || j->data_bytes_per_token <= 0)
        return 0;
    dcs_storage_reader_t *set = malloc(sizeof *set * t->njobs);
    DCS_ASSERT(set != NULL); /* out of memory mid-run: nothing sane to do */
    size_t n = 0;
    for (size_t pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < t->njobs; i++) {
            dcs_training_job_t *o = &t->jobs[i];
            if ((pass == 0) != (o == j) || (o != j && !running(o)))
                continue;
            const dcs_train_plan_t *q = &o->plan;
            double tokens =
                (double)(q->micro_batch * q->grad_accum * q->dp * q->seq);
            set[n++] = (dcs_storage_reader_t){o->nodes, o->nnodes,
                                              tokens * o->data_bytes_per_token};
        }
    double s = dcs_storage_read_s(&t->env.storage, storage_nodes(t), set, n);
    DCS_ASSERT(s >= 0);
    free(set);
    return s;
}

/* Prices j's iteration again with its traffic's fabric times and its
 * dataset read: prefetched during the previous iteration, a read that
 * takes longer holds the iteration up by the difference, the GPUs idle. */
static void reprice(dcs_training_job_t *j, double dp, double pp, double rd)
{
    j->plan.dp_fabric_s = dp;
    j->plan.pp_fabric_s = pp;
    j->read_s = rd;
    int rc = price(j, &j->owner->env);
    DCS_ASSERT(rc == 0); /* it priced at load */
    double busy = j->step.total_s;
    j->data_stall_s = rd > busy ? rd - busy : 0;
    if (j->data_stall_s > 0) {
        double idle = j->device->idle_power_w;
        j->step.total_s = rd;
        j->power.iteration_s = rd;
        j->power.mean_w =
            (j->power.mean_w * busy + idle * j->data_stall_s) / rd;
    }
}

static void ckpt_begin(dcs_sim_t *sim, void *obj, int64_t arg);

/* The rest of j's run at its present pace, on a copy of its runner and
 * random stream (the real ones stay at now); j->run and end_s become the
 * projection, which prices checkpoints still to come at their write time
 * alone. Where checkpoints are written as flows, the next one's start is
 * scheduled (unless one is being written). */
static void project(dcs_training_job_t *j)
{
    dcs_sim_t *sim = j->owner->sim;
    dcs_train_runner_t copy = j->runner;
    copy.rng = gsl_rng_clone(j->rng);
    DCS_ASSERT(copy.rng != NULL);
    if (j->ckpt_ev) {
        dcs_sim_cancel(sim, j->ckpt_ev);
        j->ckpt_ev = 0;
    }
    if (copy.external && !dcs_storage_busy(&j->ckpt) &&
        dcs_train_runner_advance(&copy, INFINITY, 0) == 2) {
        j->ckpt_at_s = copy.s.t;
        dcs_time_t at = j->begin_ns + dcs_time_from_s(copy.s.t);
        dcs_time_t now = dcs_sim_now(sim);
        j->ckpt_ev = dcs_sim_at(sim, at > now ? at : now, ckpt_begin, j, 0);
        DCS_ASSERT(j->ckpt_ev != 0);
    }
    copy.external = 0;
    dcs_train_runner_advance(&copy, INFINITY, 0);
    gsl_rng_free(copy.rng);
    j->run = copy.out;
    j->end_s = dcs_time_to_s(j->begin_ns) + j->run.wall_s;
}

/* j's run changed course at now: its end moves to the new projection. */
static void replan(dcs_training_job_t *j)
{
    project(j);
    j->job->move_end(j->job, j->begin_ns + dcs_time_from_s(j->run.wall_s));
}

static void ckpt_written(dcs_sim_t *sim, void *ctx)
{
    dcs_training_job_t *j = ctx;
    if (j->fail_ev)
        dcs_sim_cancel(sim, j->fail_ev);
    j->fail_ev = 0;
    double took = dcs_time_to_s(dcs_sim_now(sim) - j->ckpt.start_ns);
    dcs_train_runner_ckpt_done(&j->runner, took);
    replan(j);
}

/* A failure strikes while j writes: the write stops, its work is lost. */
static void ckpt_struck(dcs_sim_t *sim, void *obj, int64_t arg)
{
    dcs_training_job_t *j = obj;
    (void)sim;
    (void)arg;
    j->fail_ev = 0;
    dcs_storage_cancel(&j->ckpt);
    dcs_train_runner_ckpt_failed(&j->runner);
    replan(j);
}

/* j's next checkpoint is due: its nodes start writing, among whatever
 * else is being written. */
static void ckpt_begin(dcs_sim_t *sim, void *obj, int64_t arg)
{
    dcs_training_job_t *j = obj;
    (void)arg;
    j->ckpt_ev = 0;
    /* The projection ran this same way, draws included, to here (the
     * runner may have paused on the way, a rounding apart). */
    int rc = dcs_train_runner_advance(&j->runner, INFINITY, 0);
    DCS_ASSERT(rc == 2 && fabs(j->runner.s.t - j->ckpt_at_s) <=
                              1e-9 * fmax(1.0, j->ckpt_at_s));
    rc = dcs_storage_write(j->owner->io, &j->ckpt, j->nodes, j->nnodes,
                           j->ckpt_bytes, ckpt_written, j);
    DCS_ASSERT(rc == 0);
    if (isfinite(j->runner.s.fail)) {
        dcs_time_t at = j->begin_ns + dcs_time_from_s(j->runner.s.fail);
        dcs_time_t now = dcs_sim_now(sim);
        j->fail_ev = dcs_sim_at(sim, at > now ? at : now, ckpt_struck, j, 0);
        DCS_ASSERT(j->fail_ev != 0);
    }
}

/* Something changed on the fabric at `now` (a training job started or
 * ended): every other running job on it learns its new all-reduce time;
 * where its pace changes, its run goes on at the new pace from its next
 * iteration and its end moves. */
static void rebalance(dcs_training_t *t, const dcs_training_job_t *except,
                      double now)
{
    for (size_t i = 0; i < t->njobs; i++) {
        dcs_training_job_t *o = &t->jobs[i];
        int fabric = on_fabric(o), reads = reads_data(o);
        if (o == except || !running(o) || (!fabric && !reads) ||
            o->end_s <= now)
            continue; /* ending at this instant too: nothing to move */
        double dp = o->plan.dp_fabric_s, pp = o->plan.pp_fabric_s;
        if (fabric)
            fabric_s(o, &dp, &pp);
        double rd = reads ? read_s(o) : 0;
        if (fabs(dp - o->plan.dp_fabric_s) <= 1e-9 * dp &&
            fabs(pp - o->plan.pp_fabric_s) <= 1e-9 * pp &&
            fabs(rd - o->read_s) <= 1e-9 * rd)
            continue;
        double busy = o->step.total_s;
        dcs_train_runner_advance(&o->runner, now - dcs_time_to_s(o->begin_ns),
                                 0);
        reprice(o, dp, pp, rd);
        if (fabs(o->step.total_s - busy) <= 1e-12 * busy)
            continue; /* the read still hides behind the iteration */
        dcs_train_runner_set_iteration(&o->runner, o->step.total_s);
        replan(o);
    }
}

/* At start: priced on the pool it landed on and at the size it got (an
 * elastic job started at another size or resized: dp follows its GPUs);
 * the whole run is planned at the present pace, after the save and
 * restore (or resize) it owes (its wall time is the job's run time); in
 * flow mode the others are re-priced. */
static dcs_time_t training_run_time_ns(const dcs_job_t *job, const int *gpu_ids)
{
    dcs_training_job_t *j = job->work;
    dcs_training_t *t = j->owner;
    j->job = (dcs_job_t *)job; /* the scheduler's, to move its end */
    j->gpu_ids = gpu_ids;
    int pool = pool_of_gpu(&t->env, gpu_ids[0]);
    DCS_ASSERT(j->pools >> pool & 1); /* the scheduler kept to its pools */
    int resized = job->gpus != j->gpus;
    if (resized) {
        int rc = set_size(j, job->gpus);
        DCS_ASSERT(rc == 0); /* a size it can run at (training_can_run_at) */
    }
    if (pool != j->pool || resized) {
        fault_t f;
        int rc = derive(j, &t->env, pool, &f);
        DCS_ASSERT(rc == 0); /* it priced there at load */
    }
    /* A preemption's save and restore come first, as a restart would. */
    j->begin_ns = job->start_ns + j->owed_ns;
    j->past.wall_s += dcs_time_to_s(j->owed_ns);
    j->past.restart_s += dcs_time_to_s(j->owed_ns);
    set_nodes(j);
    if (on_fabric(j) || reads_data(j)) {
        double dp = 0, pp = 0;
        if (on_fabric(j))
            fabric_s(j, &dp, &pp);
        reprice(j, dp, pp, reads_data(j) ? read_s(j) : 0);
    }
    j->job->power_w = j->power.mean_w; /* each GPU's, while it runs */
    dcs_train_run_spec_t spec = {
        .iteration_s = j->step.total_s,
        .iterations = j->iterations - j->done_before,
        .ckpt_every = 0,
        .ckpt_write_s = j->ckpt_write_s,
        .restart_s = j->restart_s,
        .failure_rate_per_s = j->failure_rate_per_s,
    };
    spec.ckpt_every = ckpt_every(j);
    /* a run after an eviction draws anew (the first run's draws as ever) */
    if (j->rng)
        gsl_rng_free(j->rng);
    j->rng = dcs_rng_new_id(j->seed, "failures",
                            (uint64_t)j->index + ((uint64_t)j->runs << 32));
    DCS_ASSERT(j->rng != NULL);
    j->runs++;
    dcs_train_runner_init(&j->runner, &spec, j->rng);
    j->runner.external = t->io != NULL && spec.ckpt_every > 0;
    project(j);
    rebalance(t, j, dcs_time_to_s(job->start_ns));
    if (resized) /* its work left, at its new pace */
        j->job->remaining_ns = dcs_time_from_s(
            (double)(j->iterations - j->done_before) * j->step.total_s);
    dcs_time_t ns = dcs_time_from_s(j->run.wall_s);
    return j->owed_ns + (ns > 0 ? ns : 1);
}

/* Nothing of j's run is left to come (a write the projection expected
 * to end sooner is cut short with it); the others' shares change. */
static void run_over(dcs_training_job_t *j, dcs_time_t now)
{
    dcs_sim_t *sim = j->owner->sim;
    if (j->ckpt_ev)
        dcs_sim_cancel(sim, j->ckpt_ev);
    if (j->fail_ev)
        dcs_sim_cancel(sim, j->fail_ev);
    j->ckpt_ev = j->fail_ev = 0;
    dcs_storage_cancel(&j->ckpt);
    rebalance(j->owner, j, dcs_time_to_s(now));
}

static void add_run(dcs_train_run_t *sum, const dcs_train_run_t *r)
{
    sum->wall_s += r->wall_s;
    sum->compute_s += r->compute_s;
    sum->ckpt_s += r->ckpt_s;
    sum->lost_s += r->lost_s;
    sum->restart_s += r->restart_s;
    sum->checkpoints += r->checkpoints;
    sum->failures += r->failures;
    sum->iterations_run += r->iterations_run;
}

static void training_ended(dcs_job_t *job, dcs_time_t now)
{
    dcs_training_job_t *j = job->work;
    run_over(j, now);
    add_run(&j->run, &j->past); /* the whole job, earlier runs included */
}

/* Running j's run as it stands at `now`: a copy of its runner advanced
 * there on a copy of its draws (the real ones stay where they are), as a
 * stop at `now` sees it (a checkpoint due and written by the storage
 * holds it where it is); the copy's rng is gone. */
static dcs_train_runner_t run_as_of(const dcs_training_job_t *j, dcs_time_t now)
{
    double t = now > j->begin_ns ? dcs_time_to_s(now - j->begin_ns) : 0;
    dcs_train_runner_t copy = j->runner;
    copy.rng = gsl_rng_clone(j->rng);
    DCS_ASSERT(copy.rng != NULL);
    if (!copy.s.ckpt_due || !copy.external)
        dcs_train_runner_advance(&copy, t, 0);
    gsl_rng_free(copy.rng);
    copy.rng = NULL;
    return copy;
}

/* Stopped at now: the run stops where it stands, on a copy of its runner
 * and draws as far as now. Evicted (a node failed): the iterations of its
 * last complete checkpoint are kept (a write under way is lost), the rest
 * of the run's work is lost, and its next run starts from there at once
 * (no restore: a training job's restarts are its own restart_s).
 * Preempted (a policy): the preemption writes a checkpoint, so every
 * iteration done is kept; only the iteration under way (or the part of a
 * write, or of a restart after a failure, under way) is lost, and its
 * next run pays the save and restore the scheduler set. A stop during the
 * save and restore it owed gives back the part not yet spent. */
static void training_stop(dcs_job_t *job, dcs_time_t now, dcs_job_stop_t why)
{
    dcs_training_job_t *j = job->work;
    if (now < j->begin_ns) { /* still saving and restoring */
        double unspent = dcs_time_to_s(j->begin_ns - now);
        j->past.wall_s -= unspent;
        j->past.restart_s -= unspent;
    }
    double t = now > j->begin_ns ? dcs_time_to_s(now - j->begin_ns) : 0;
    dcs_train_runner_t copy = run_as_of(j, now);
    dcs_train_run_t r = copy.out;
    int keep_all = why == DCS_JOB_PREEMPTED;
    double since = keep_all ? 0 : copy.s.since;
    double lost = since + (t > copy.s.t ? t - copy.s.t : 0);
    r.wall_s = t;
    r.compute_s -= copy.lost_compute_s + since;
    r.lost_s += lost;
    add_run(&j->past, &r);
    j->done_before += keep_all ? copy.s.done : copy.s.saved;
    run_over(j, now);
    job->remaining_ns = dcs_time_from_s(
        (double)(j->iterations - j->done_before) * j->step.total_s);
    j->owed_ns = keep_all ? job->overhead_ns : 0;
}

static double training_saved_every_s(const dcs_job_t *job)
{
    return saved_every_s(job->work);
}

static int training_can_run_at(const dcs_job_t *job, int gpus)
{
    const dcs_training_job_t *j = job->work;
    return j->sizes && bsearch(&gpus, j->sizes, (size_t)j->nsizes,
                               sizeof *j->sizes, cmp_int) != NULL;
}

/* Seconds of j's iteration on `gpus` GPUs of pool `pool`, priced as a
 * run at that size starts there (set_size, derive: the step model,
 * memory and the power limit, on a copy of j; the fabric's flows and the
 * dataset's reads of the moment left out), cached per size and pool; -1
 * where it cannot run at that size (not one of its sizes; not elastic:
 * any but its own). O(1) once cached, else one pricing. */
static double iteration_at(dcs_training_job_t *j, int gpus, int pool)
{
    double *slot = NULL;
    if (j->sizes) {
        const int *at = bsearch(&gpus, j->sizes, (size_t)j->nsizes,
                                sizeof *j->sizes, cmp_int);
        if (!at)
            return -1;
        if (!j->size_iteration_s) {
            j->size_iteration_s =
                calloc((size_t)j->nsizes * DCS_TRAINING_MAX_POOLS,
                       sizeof *j->size_iteration_s);
            DCS_ASSERT(j->size_iteration_s != NULL); /* out of memory */
        }
        slot = &j->size_iteration_s[(at - j->sizes) * DCS_TRAINING_MAX_POOLS +
                                    pool];
        if (*slot > 0)
            return *slot;
    } else if (gpus != j->gpus) {
        return -1;
    }
    dcs_training_job_t copy = *j; /* derive writes only its own figures */
    fault_t f;
    int rc = set_size(&copy, gpus);
    DCS_ASSERT(rc == 0); /* one of its sizes */
    rc = derive(&copy, &j->owner->env, pool, &f);
    DCS_ASSERT(rc == 0); /* it priced at this size and pool at load */
    if (slot)
        *slot = copy.step.total_s;
    return copy.step.total_s;
}

/* The iterations j has left as of `now` (those a preemption now would
 * not keep still to do) x its iteration time at `gpus` GPUs on the pool
 * it runs on, or would (j->pool), without failures or overheads. */
static dcs_time_t training_left_at_ns(const dcs_job_t *job, int gpus,
                                      dcs_time_t now)
{
    dcs_training_job_t *j = job->work;
    double iteration_s = iteration_at(j, gpus, j->pool);
    if (iteration_s < 0)
        return -1;
    int64_t done = j->done_before;
    if (running(j))
        done += run_as_of(j, now).s.done;
    int64_t left = j->iterations > done ? j->iterations - done : 0;
    return dcs_time_from_s((double)left * iteration_s);
}

static const dcs_job_kind_t kind_training = {
    .name = "training",
    .run_time_ns = training_run_time_ns,
    .ended = training_ended,
    .preemptible = 1,
    .prices_run = 1,
    .stop = training_stop,
    .saved_every_s = training_saved_every_s,
    .can_run_at = training_can_run_at,
    .left_at_ns = training_left_at_ns};

void dcs_training_as_job(dcs_training_t *t, size_t k, dcs_job_t *job)
{
    dcs_training_job_t *j = &t->jobs[k];
    job->kind = &kind_training;
    job->gpus = j->gpus;
    job->min_gpus = j->min_gpus; /* 0: never resized */
    job->max_gpus = j->max_gpus;
    /* alone, without failures, on the pool it expects (it is priced on it
     * until it starts): what a policy may expect of it */
    job->duration_ns = dcs_time_from_s((double)j->iterations * j->step.total_s);
    if (npools(&t->env) > 0) {
        snprintf(job->gpu_type, sizeof job->gpu_type, "%s", j->gpu_type);
        job->gpu_models = j->pools;
    }
    job->work = j;
}

static void arrive(dcs_sim_t *sim, void *obj, int64_t arg)
{
    dcs_training_t *t = obj;
    dcs_job_t *job = dcs_jobs_add(t->sink_jobs, arg);
    DCS_ASSERT(job != NULL); /* out of memory mid-run: nothing sane to do */
    dcs_training_as_job(t, (size_t)arg, job);
    snprintf(job->team, sizeof job->team, "%s", t->jobs[arg].team);
    job->submit_ns = dcs_sim_now(sim);
    t->sink(t->sink_ctx, sim, job);
}

int dcs_training_attach(dcs_training_t *t, dcs_sim_t *sim, uint64_t seed,
                        dcs_jobs_t *jobs, dcs_training_sink_fn sink,
                        void *sink_ctx)
{
    t->sink = sink;
    t->sink_ctx = sink_ctx;
    t->sink_jobs = jobs;
    t->sim = sim;
    if (t->env.storage.write_bw > 0 &&
        !(t->io = dcs_storage_io_new(sim, &t->env.storage, storage_nodes(t))))
        return DCS_ENOMEM;
    for (size_t i = 0; i < t->njobs; i++)
        t->jobs[i].seed = seed;
    return 0;
}

int dcs_training_start(dcs_training_t *t, dcs_sim_t *sim, uint64_t seed,
                       dcs_jobs_t *jobs, dcs_training_sink_fn sink,
                       void *sink_ctx)
{
    int rc = dcs_training_attach(t, sim, seed, jobs, sink, sink_ctx);
    for (size_t i = 0; rc == 0 && i < t->njobs; i++)
        if (dcs_sim_at(sim, dcs_time_from_s(t->jobs[i].submit_s), arrive, t,
                       (int64_t)i) == 0)
            rc = DCS_ENOMEM;
    return rc;
}

double dcs_training_tokens_per_s(const dcs_training_job_t *j)
{
    const dcs_train_plan_t *p = &j->plan;
    double tokens = (double)(p->micro_batch * p->grad_accum * p->dp * p->seq);
    return j->step.total_s > 0 ? tokens / j->step.total_s : 0;
}

double dcs_training_mfu(const dcs_training_job_t *j)
{
    double per_gpu = j->step.model_flops * (double)j->plan.dp /
                     ((double)j->gpus * j->step.total_s);
    return j->peak_flops > 0 ? per_gpu / j->peak_flops : 0;
}

double dcs_training_hfu(const dcs_training_job_t *j)
{
    /* Full recompute runs the forward twice: 8 N tokens instead of 6. */
    double mfu = dcs_training_mfu(j);
    return j->plan.recompute == DCS_RECOMPUTE_FULL ? mfu * 4.0 / 3.0 : mfu;
}

int dcs_training_breakdown(const dcs_training_job_t *j,
                           const dcs_device_spec_t *dev, dcs_step_op_fn each,
                           void *ctx)
{
    dcs_step_time_t st;
    return dcs_step_time(&j->model, &j->plan, dev, &st, each, ctx);
}
