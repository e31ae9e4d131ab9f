/* world.c - loading a scenario, building the world, running it, reporting. */
#include "cli/world.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/gate.h"
#include "cluster/failures.h"
#include "cluster/params.h"
#include "cluster/sched.h"
#include "config/cfg.h"
#include "cost/budget.h"
#include "cost/cost.h"
#include "engine/sim.h"
#include "facility/facility.h"
#include "hw/fleet.h"
#include "net/fabric.h"
#include "report/reports.h"
#include "storage/storage.h"
#include "workload/request.h"
#include "workload/serving.h"
#include "workload/synth.h"
#include "workload/trace.h"
#include "workload/training.h"

/* Everything a scenario file says, read and checked. */
typedef struct scenario {
    char name[128];
    uint64_t seed;
    dcs_time_t horizon_ns; /* DCS_TIME_NEVER: until all work is done */
    dcs_time_t interval_ns;
    dcs_fleet_spec_t fleet;
    int has_jobs;      /* 1: a part of kind synthetic, training or trace */
    int training_kind; /* 1: that part is of kind training */
    int trace_kind;    /* 1: that part is of kind trace (else synthetic) */
    dcs_trace_t trace;
    double trace_time_scale;
    int flow; /* network.collectives: 1 flow, 0 analytical */
    dcs_synth_spec_t synth;
    dcs_training_t training;
    int serving_kind; /* 1: a part of kind serving */
    dcs_serving_spec_t serving;
    dcs_requests_t requests;
    dcs_storage_t storage; /* the cluster's; zeros when it has none */
    const dcs_policy_t *policy;
    const dcs_placement_t *placement;
    dcs_policy_params_t sched_params;
    dcs_time_t save_ns, restore_ns; /* preemption costs */
    dcs_failure_spec_t failures;    /* node failures and repairs */
    dcs_facility_t facility;
    dcs_cost_spec_t cost;
    dcs_budget_t budget; /* `budgets`; empty when the scenario has none */
    int has_budget;
    dcs_cfg_node_t *power_cap; /* facility.power_cap_w, for errors (NULL:
                                  no cap) */
    dcs_topo_t fabric; /* scale-out network; no hosts when the file has none
                          (jobs do not use it yet: training plans will) */
} scenario_t;

/* Default name: the file's base name without its extension. */
static void name_from_path(const char *path, char *name, size_t size)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    snprintf(name, size, "%s", base);
    char *dot = strrchr(name, '.');
    if (dot && dot != name)
        *dot = '\0';
}

static int read_fabric(dcs_cfg_node_t *cluster, scenario_t *sc, dcs_err_t *err)
{
    dcs_cfg_node_t *fabric = NULL;
    int rc = dcs_cfg_map(cluster, "fabric", DCS_CFG_OPTIONAL, &fabric, err);
    if (rc < 0 || !fabric)
        return rc;
    return dcs_fabric_read(fabric, sc->fleet.nodes * sc->fleet.gpus_per_node,
                           &sc->fabric, err);
}

static int read_storage(dcs_cfg_node_t *cluster, scenario_t *sc, dcs_err_t *err)
{
    dcs_cfg_node_t *st = NULL;
    int rc = dcs_cfg_map(cluster, "storage", DCS_CFG_OPTIONAL, &st, err);
    if (rc < 0 || !st)
        return rc;
    return dcs_storage_read(st, &sc->storage, err);
}

/* GPUs of pool `p` of a cluster with pools. */
static int pool_gpus(const dcs_fleet_spec_t *fs, int p)
{
    return fs->pools[p].nodes * fs->gpus_per_node;
}

/* Training jobs see the device (on a cluster of pools, each pool's, its
 * GPUs numbered pool after pool as the fleet's nodes), the node size, the
 * fabric's per-GPU bandwidth (every host's uplink is alike) and the
 * storage. */
static dcs_training_env_t training_env(scenario_t *sc)
{
    const dcs_fleet_spec_t *fs = &sc->fleet;
    dcs_training_env_t env = {
        .device = &sc->fleet.device,
        .gpus = fs->nodes * fs->gpus_per_node,
        .gpus_per_node = fs->gpus_per_node,
        .nic_bw = sc->fabric.hosts > 0
                      ? sc->fabric.links[sc->fabric.up[0]].bw_bytes_per_s
                      : 0,
        .gpu_power_cap_w = fs->gpu_power_cap_w,
        .storage = sc->storage,
        .fabric = sc->fabric.hosts > 0 ? &sc->fabric : NULL,
        .flow = sc->flow,
        .fleet = fs,
    };
    return env;
}

static int read_training(dcs_cfg_node_t *w, scenario_t *sc, dcs_err_t *err)
{
    dcs_training_env_t env = training_env(sc);
    return dcs_training_read(w, &env, &sc->training, err);
}

/* How collectives are carried: analytically (alpha-beta, fitted to NCCL)
 * or as flows on the fabric, sharing links with every other job's. */
static int read_network(dcs_cfg_node_t *root, scenario_t *sc, dcs_err_t *err)
{
    static const char *const modes[] = {"analytical", "flow", NULL};
    dcs_cfg_node_t *n = NULL;
    int mode = 0, rc;
    if ((rc = dcs_cfg_map(root, "network", DCS_CFG_OPTIONAL, &n, err)) < 0 ||
        !n ||
        (rc = dcs_cfg_enum(n, "collectives", DCS_CFG_OPTIONAL, modes, &mode,
                           err)) < 0)
        return rc;
    if (mode == 1 && sc->fabric.hosts == 0)
        return dcs_cfg_error(dcs_cfg_get(n, "collectives"), err,
                             "flow needs a cluster with a 'fabric'; cluster "
                             "'%s' has none",
                             sc->fleet.name);
    sc->flow = mode == 1;
    return 0;
}

/* The pool with the most GPUs (the first of those), or -1 without pools. */
static int largest_pool(const dcs_fleet_spec_t *fs)
{
    int best = fs->npools > 0 ? 0 : -1;
    for (int p = 1; p < fs->npools; p++)
        if (pool_gpus(fs, p) > pool_gpus(fs, best))
            best = p;
    return best;
}

/* Jobs that can never run are dropped and counted like the trace's own
 * drops: those that ask for more GPUs than the cluster has; on a cluster
 * with pools, those whose gpu_type names no pool, and those larger than
 * the pool they name, or than the largest pool (a job runs on one). */
static void drop_unrunnable(dcs_trace_t *t, const dcs_fleet_spec_t *fs)
{
    size_t kept = 0;
    int largest = largest_pool(fs);
    for (size_t i = 0; i < t->len; i++) {
        const dcs_trace_job_t *j = &t->jobs[i];
        double gpus = ceil(j->gpus);
        if (fs->npools == 0) {
            if (gpus > fs->nodes * fs->gpus_per_node) {
                dcs_trace_drop(t, "more GPUs than the cluster");
                continue;
            }
        } else if (j->gpu_type[0]) {
            int p = dcs_fleet_pool_find(fs, j->gpu_type);
            if (p < 0) {
                dcs_trace_drop(t, "GPU model not in the cluster");
                continue;
            }
            if (gpus > pool_gpus(fs, p)) {
                dcs_trace_drop(t, "more GPUs than its GPU model has");
                continue;
            }
        } else if (gpus > pool_gpus(fs, largest)) {
            dcs_trace_drop(t, fs->npools == 1 ? "more GPUs than the cluster"
                                              : "more GPUs than any pool");
            continue;
        }
        t->jobs[kept++] = t->jobs[i];
    }
    t->len = kept;
}

/* The models a trace's training rows name, each file loaded once. */
typedef struct model_file {
    char name[64];     /* as the trace names it */
    int found;         /* 0: no such file in the folder */
    dcs_model_t model; /* when found */
} model_file_t;

typedef struct model_files {
    const char *dir;     /* the folder, as resolved from the scenario */
    model_file_t *files; /* room for one per training row */
    size_t n;
} model_files_t;

/* Loads `f->name` from the folder: found, or not (no such file); a file
 * that is there but no model is bad input (its own file:line:col). */
static int load_model(const model_files_t *mf, model_file_t *f, dcs_err_t *err)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s.yaml", mf->dir, f->name);
    f->found = stat(path, &st) == 0 && S_ISREG(st.st_mode);
    if (!f->found)
        return 0;
    dcs_cfg_t *cfg = dcs_cfg_load(path, err);
    if (!cfg)
        return DCS_EINPUT;
    dcs_cfg_node_t *root = dcs_cfg_root(cfg);
    int rc = dcs_model_read(root, &f->model, err);
    if (rc == 0)
        rc = dcs_cfg_check_unknown(root, err);
    dcs_cfg_free(cfg);
    return rc;
}

/* The model `name`, loaded on first use: *out is NULL when the folder has
 * no such file. Returns 0 or DCS_EINPUT. O(distinct names) per call. */
static int find_model(model_files_t *mf, const char *name,
                      const dcs_model_t **out, dcs_err_t *err)
{
    *out = NULL;
    size_t i = 0;
    while (i < mf->n && strcmp(mf->files[i].name, name))
        i++;
    if (i == mf->n) {
        model_file_t *f = &mf->files[mf->n++];
        snprintf(f->name, sizeof f->name, "%s", name);
        int rc = load_model(mf, f, err);
        if (rc < 0)
            return rc;
    }
    if (mf->files[i].found)
        *out = &mf->files[i].model;
    return 0;
}

/* The drop reason of a training row the cluster cannot take. */
static const char *fault_reason(dcs_training_fault_t fault)
{
    switch (fault) {
    case DCS_TRAINING_FAULT_MEMORY:
        return "plan does not fit";
    case DCS_TRAINING_FAULT_FABRIC:
        return "plan spans nodes without a fabric";
    case DCS_TRAINING_FAULT_ELASTIC:
        return "no elastic size fits";
    default: /* the plan, or a dtype the device lacks (never bf16) */
        return "bad plan";
    }
}

/* Prices training row `j` as a training job of sc->training, its plan by
 * the default rule where the row names none: tp = min(gpus, GPUs per
 * node), pp 1, dp = gpus / (tp x pp) (whole), micro_batch 1, global_batch
 * micro_batch x dp, seq the model's; on a cluster of pools, on the pool
 * its gpu_type names, else on each (a row naming no pool of the cluster
 * was dropped before). A row with elastic bounds keeps tp, pp and that
 * global batch (dp = gpus / (tp x pp) rounded down, at least 1, where
 * the row gives none) and runs at the size in its bounds nearest `gpus`
 * where dp = size / (tp x pp) suits the plan and it fits
 * (dcs_training_add). Returns the drop reason (on pools, the closest
 * pool's), or NULL with *rc 0 (added) or an error. */
static const char *add_training_row(scenario_t *sc, dcs_trace_job_t *j,
                                    dcs_trace_train_t *row,
                                    const dcs_model_t *m, int *rc,
                                    dcs_err_t *err)
{
    int64_t gpus = (int64_t)j->gpus, gpn = sc->fleet.gpus_per_node;
    *rc = 0;
    dcs_training_spec_t spec = {.name = j->name,
                                .team = j->team,
                                .model = m,
                                .iterations = row->iterations,
                                .submit_s = j->submit_s,
                                .gpu_type = j->gpu_type};
    dcs_training_plan_in_t *p = &spec.plan;
    dcs_training_plan_defaults(p, m);
    p->tp = row->tp ? row->tp : (gpus < gpn ? gpus : gpn);
    p->pp = row->pp ? row->pp : 1;
    p->micro_batch = row->micro_batch ? row->micro_batch : 1;
    p->global_batch = row->global_batch; /* 0: micro_batch x dp */
    if (j->max_gpus > 0) {
        int64_t dp = gpus / (p->tp * p->pp);
        spec.min_gpus = j->min_gpus;
        spec.max_gpus = j->max_gpus;
        spec.gpus = (int)gpus;
        if (!p->global_batch)
            p->global_batch = p->micro_batch * (dp > 1 ? dp : 1);
    } else if (gpus % (p->tp * p->pp))
        return "bad plan";
    else
        p->dp = gpus / (p->tp * p->pp);
    if (row->seq)
        p->seq = row->seq;
    dcs_training_fault_t fault;
    dcs_err_t why = {""}; /* a drop is counted, not explained */
    int64_t k = dcs_training_add(&sc->training, &spec, &fault, &why);
    if (k == DCS_EINPUT)
        return fault_reason(fault);
    if (k < 0) {
        *rc = dcs_err_set(err, (int)k, "training row '%s': %s", j->name,
                          why.msg[0] ? why.msg : dcs_strerror((int)k));
        return NULL;
    }
    row->job = k;
    j->gpus = sc->training.jobs[k].gpus; /* an elastic row's size */
    /* on the pool it expects (dcs_training_as_job) */
    j->duration_s = (double)row->iterations * sc->training.jobs[k].step.total_s;
    return NULL;
}

/* Training rows become training jobs of sc->training, priced on the
 * cluster (on a cluster of pools, on each pool they may use), or are
 * dropped and counted: naming no file of the folder (`unknown model`), or
 * with a plan the model or cluster (every pool it may use) cannot take. A
 * model file that is there but not a model is bad input. */
static int price_training_rows(scenario_t *sc, const char *dir, dcs_err_t *err)
{
    dcs_trace_t *t = &sc->trace;
    dcs_training_env_t env = training_env(sc);
    dcs_training_init(&sc->training, &env);
    model_files_t mf = {dir, calloc(t->ntrain, sizeof *mf.files), 0};
    if (!mf.files)
        return dcs_err_set(err, DCS_ENOMEM, "out of memory reading models");
    size_t kept = 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < t->len; i++) {
        dcs_trace_job_t *j = &t->jobs[i];
        const char *why = NULL;
        if (j->train >= 0) {
            dcs_trace_train_t *row = &t->train[j->train];
            const dcs_model_t *m = NULL;
            if ((rc = find_model(&mf, row->model, &m, err)) < 0)
                break;
            else if (!m)
                why = "unknown model";
            else
                why = add_training_row(sc, j, row, m, &rc, err);
        }
        if (why)
            dcs_trace_drop(t, why);
        else
            t->jobs[kept++] = *j;
    }
    free(mf.files);
    if (rc == 0)
        t->len = kept;
    return rc;
}

/* Where a trace's training rows find their models: `models`, a folder
 * (NULL when absent). A trace with a model column needs it; only dcsim's
 * format has one. */
static int read_models_dir(dcs_cfg_node_t *w, int format, const dcs_trace_t *t,
                           char **dir, dcs_err_t *err)
{
    int rc = dcs_cfg_file_path(w, "models", DCS_CFG_OPTIONAL, dir, err);
    if (rc < 0)
        return rc;
    if (*dir && format != DCS_TRACE_DCSIM)
        return dcs_cfg_error(dcs_cfg_get(w, "models"), err,
                             "only the dcsim format has training rows; "
                             "format %s has none",
                             dcs_trace_format_name((dcs_trace_format_t)format));
    struct stat st;
    int missing = *dir && stat(*dir, &st) != 0 ? errno : 0;
    if (*dir && (missing || !S_ISDIR(st.st_mode)))
        return dcs_cfg_error(dcs_cfg_get(w, "models"), err,
                             "expected a folder of model files (NAME.yaml), "
                             "found '%s': %s",
                             *dir,
                             missing ? strerror(missing) : "not a folder");
    if (!*dir && t->model_column)
        return dcs_cfg_error(dcs_cfg_get(w, "path"), err,
                             "the trace has a 'model' column: say where its "
                             "models are with 'models: DIR' (a folder of "
                             "NAME.yaml, e.g. ../workloads/models)");
    return 0;
}

/*   workload: {kind: trace, format: helios, path: x.csv, aux: y.csv,
 *              time_scale: 1, models: DIR} */
static int read_trace(dcs_cfg_node_t *w, scenario_t *sc, dcs_err_t *err)
{
    static const char *const formats[] = {
        "dcsim", "philly", "helios", "pai", "alibaba2023", "tiresias", NULL};
    char *path = NULL, *aux = NULL, *models = NULL;
    int format = 0, rc;
    sc->trace_time_scale = 1;
    if ((rc = dcs_cfg_enum(w, "format", DCS_CFG_REQUIRED, formats, &format,
                           err)) < 0 ||
        (rc = dcs_cfg_f64(w, "time_scale", DCS_CFG_OPTIONAL, 1e-6, 1e6,
                          &sc->trace_time_scale, err)) < 0 ||
        (rc = dcs_cfg_file_path(w, "path", DCS_CFG_REQUIRED, &path, err)) < 0 ||
        (rc = dcs_cfg_file_path(w, "aux", DCS_CFG_OPTIONAL, &aux, err)) < 0) {
        free(path);
        return rc;
    }
    int f = dcs_trace_format_find(formats[format]);
    DCS_ASSERT(f >= 0); /* the two lists name the same formats */
    rc = dcs_trace_read(path, aux, (dcs_trace_format_t)f, &sc->trace, err);
    free(path);
    free(aux);
    if (rc < 0)
        return rc;
    if ((rc = read_models_dir(w, f, &sc->trace, &models, err)) == 0) {
        drop_unrunnable(&sc->trace, &sc->fleet);
        if (sc->trace.ntrain > 0)
            rc = price_training_rows(sc, models, err);
    }
    free(models);
    sc->trace_kind = 1;
    return rc;
}

/*   workload: {kind: serving, model, replicas, tp, ...} with a top-level
 *   requests: section (serving.h, request.h) */
static int read_serving(dcs_cfg_node_t *root, dcs_cfg_node_t *w, scenario_t *sc,
                        dcs_err_t *err)
{
    dcs_cfg_node_t *req = NULL;
    const dcs_fleet_spec_t *fs = &sc->fleet;
    const char *type = NULL;
    int rc, p = -1;
    if ((rc = dcs_cfg_str(w, "gpu_type", DCS_CFG_OPTIONAL, &type, err)) < 0)
        return rc;
    if (type && fs->npools == 0)
        return dcs_cfg_error(dcs_cfg_get(w, "gpu_type"), err,
                             "replicas may name a pool on a cluster with "
                             "pools; cluster '%s' has one device",
                             fs->name);
    if (fs->npools > 0) { /* the replicas' pool */
        char known[256];
        dcs_fleet_pool_names(fs, known, sizeof known);
        p = type ? dcs_fleet_pool_find(fs, type) : fs->npools == 1 ? 0 : -1;
        if (!type && p < 0)
            return dcs_cfg_error(dcs_cfg_get(w, "kind"), err,
                                 "on cluster '%s' of pools (%s) the replicas "
                                 "run on one: name it with gpu_type",
                                 fs->name, known);
        if (p < 0)
            return dcs_cfg_error(dcs_cfg_get(w, "gpu_type"), err,
                                 "expected a pool of cluster '%s' (%s), found "
                                 "'%s'",
                                 fs->name, known, type);
    }
    const dcs_device_spec_t *dev = p >= 0 ? &fs->pools[p].device : &fs->device;
    double nic = sc->fabric.hosts > 0
                     ? sc->fabric.links[sc->fabric.up[0]].bw_bytes_per_s
                     : 0;
    if ((rc = dcs_serving_read(w, dev, fs->gpus_per_node, nic, &sc->serving,
                               err)) < 0 ||
        (rc = dcs_cfg_map(root, "requests", DCS_CFG_REQUIRED, &req, err)) < 0 ||
        (rc = dcs_requests_read(req, NULL, sc->seed, &sc->requests, err)) < 0)
        return rc;
    if (p >= 0)
        snprintf(sc->serving.gpu_type, sizeof sc->serving.gpu_type, "%s",
                 fs->pools[p].name);
    int ngpus = p >= 0 ? pool_gpus(fs, p) : fs->nodes * fs->gpus_per_node;
    if (sc->serving.replicas * sc->serving.price.tp > ngpus)
        return dcs_cfg_error(w, err,
                             "%d replicas of %lld GPUs do not fit %s '%s' of "
                             "%d GPUs",
                             sc->serving.replicas,
                             (long long)sc->serving.price.tp,
                             p >= 0 ? "pool" : "cluster",
                             p >= 0 ? fs->pools[p].name : fs->name, ngpus);
    sc->serving_kind = 1;
    return 0;
}

/* The synthetic stream's gpu_types against the cluster: each names a pool
 * (or is "", any), and every GPU count of weight above 0 fits each pool of
 * weight above 0 it may be drawn with. */
static int check_gpu_types(dcs_cfg_node_t *w, const scenario_t *sc,
                           dcs_err_t *err)
{
    const dcs_synth_spec_t *sp = &sc->synth;
    const dcs_fleet_spec_t *fs = &sc->fleet;
    if (sp->ngpu_types == 0)
        return 0;
    dcs_cfg_node_t *values = dcs_cfg_get(dcs_cfg_get(w, "gpu_types"), "values");
    if (fs->npools == 0)
        return dcs_cfg_error(dcs_cfg_get(w, "gpu_types"), err,
                             "jobs may name GPU models on a cluster with "
                             "pools; cluster '%s' has one device",
                             fs->name);
    char known[256];
    dcs_fleet_pool_names(fs, known, sizeof known);
    for (size_t i = 0; i < sp->ngpu_types; i++) {
        const char *type = sp->gpu_types[i];
        if (!type[0]) /* any: the largest pool, checked below */
            continue;
        int p = dcs_fleet_pool_find(fs, type);
        if (p < 0)
            return dcs_cfg_error(dcs_cfg_at(values, i), err,
                                 "expected a pool of cluster '%s' (%s) or "
                                 "\"\" for any, found '%s'",
                                 fs->name, known, type);
        dcs_cfg_node_t *counts = dcs_cfg_get(w, "gpu_counts");
        for (size_t c = 0; sp->gpu_type_weights[i] > 0 && c < sp->nchoices; c++)
            if (sp->gpu_weights[c] > 0 && sp->gpu_counts[c] > pool_gpus(fs, p))
                return dcs_cfg_error(
                    counts ? dcs_cfg_at(counts, c) : dcs_cfg_at(values, i), err,
                    "a job of %d GPUs can never run on pool '%s' of %d "
                    "GPUs, which gpu_types names",
                    sp->gpu_counts[c], fs->pools[p].name, pool_gpus(fs, p));
    }
    return 0;
}

/* One workload mapping `w`: serving replicas and their requests, or jobs
 * (synthetic, training or trace). A list holds at most one of each. */
static int read_part(dcs_cfg_node_t *root, dcs_cfg_node_t *w, scenario_t *sc,
                     dcs_err_t *err)
{
    static const char *const kinds[] = {"synthetic", "training", "trace",
                                        "serving", NULL};
    int kind = 0, rc;
    if ((rc = dcs_cfg_enum(w, "kind", DCS_CFG_REQUIRED, kinds, &kind, err)) < 0)
        return rc;
    if ((kind == 3 && sc->serving_kind) || (kind != 3 && sc->has_jobs))
        return dcs_cfg_error(dcs_cfg_get(w, "kind"), err,
                             "a workload list holds one part of kind serving "
                             "and one of jobs (synthetic, training or "
                             "trace); this is a second %s",
                             kind == 3 ? "serving" : "part of jobs");
    if (kind == 3)
        return read_serving(root, w, sc, err);
    sc->has_jobs = 1;
    if (kind == 1) {
        sc->training_kind = 1;
        return read_training(w, sc, err);
    }
    if (kind == 2)
        return read_trace(w, sc, err);
    if ((rc = dcs_synth_read(w, &sc->synth, err)) < 0)
        return rc;
    const dcs_fleet_spec_t *fs = &sc->fleet;
    if ((rc = check_gpu_types(w, sc, err)) < 0)
        return rc;
    /* A job larger than the cluster (or than its largest pool: a job runs
     * on one) could never start. */
    int largest = largest_pool(fs);
    int ngpus =
        largest >= 0 ? pool_gpus(fs, largest) : fs->nodes * fs->gpus_per_node;
    for (size_t i = 0; i < sc->synth.nchoices; i++) {
        if (sc->synth.gpu_counts[i] <= ngpus)
            continue;
        dcs_cfg_node_t *at = dcs_cfg_at(dcs_cfg_get(w, "gpu_counts"), i);
        if (fs->npools > 1)
            return dcs_cfg_error(at, err,
                                 "a job of %d GPUs can never run on cluster "
                                 "'%s': a job runs on one pool, and the "
                                 "largest, '%s', has %d GPUs",
                                 sc->synth.gpu_counts[i], fs->name,
                                 fs->pools[largest].name, ngpus);
        return dcs_cfg_error(
            at, err,
            "a job of %d GPUs can never run on cluster '%s' of %d GPUs",
            sc->synth.gpu_counts[i], fs->name, ngpus);
    }
    return 0;
}

/*   workload: {kind: ...}, or a list of two: serving replicas and jobs
 *   (synthetic, training or trace) sharing the cluster through the
 *   scheduler. */
static int read_workload(dcs_cfg_node_t *root, scenario_t *sc, dcs_err_t *err)
{
    dcs_cfg_node_t *w = NULL;
    int rc = dcs_cfg_node(root, "workload", DCS_CFG_REQUIRED, &w, err);
    if (rc < 0)
        return rc;
    if (dcs_cfg_kind(w) != DCS_CFG_SEQ) {
        if ((rc = dcs_cfg_map(root, "workload", DCS_CFG_REQUIRED, &w, err)) < 0)
            return rc;
        return read_part(root, w, sc, err);
    }
    size_t n = dcs_cfg_len(w);
    if (n < 1 || n > 2)
        return dcs_cfg_error(w, err,
                             "expected a workload mapping, or a list of two "
                             "(one of kind serving, one of jobs), found a "
                             "list of %zu",
                             n);
    for (size_t i = 0; i < n && rc == 0; i++) {
        dcs_cfg_node_t *part = dcs_cfg_at(w, i);
        rc = dcs_cfg_kind(part) != DCS_CFG_MAP
                 ? dcs_cfg_error(part, err,
                                 "expected a workload mapping "
                                 "{kind: ...}")
                 : read_part(root, part, sc, err);
    }
    return rc;
}

static int read_scheduler(dcs_cfg_node_t *root, scenario_t *sc, dcs_err_t *err)
{
    const char *policy = "fifo", *placement = "pack";
    dcs_cfg_node_t *s = NULL;
    int rc;
    if ((rc = dcs_cfg_map(root, "scheduler", DCS_CFG_OPTIONAL, &s, err)) < 0)
        return rc;
    if (s &&
        ((rc = dcs_cfg_str(s, "policy", DCS_CFG_OPTIONAL, &policy, err)) < 0 ||
         (rc = dcs_cfg_str(s, "placement", DCS_CFG_OPTIONAL, &placement, err)) <
             0))
        return rc;
    int gpus = sc->fleet.nodes * sc->fleet.gpus_per_node;
    if ((rc = dcs_sched_params_read(s, gpus, &sc->sched_params, &sc->save_ns,
                                    &sc->restore_ns, err)) < 0 ||
        (rc = dcs_failures_read(s, &sc->failures, err)) < 0)
        return rc;
    sc->policy = dcs_policy_find(policy);
    sc->placement = dcs_placement_find(placement);
    if (!sc->policy) {
        char known[256] = "";
        for (size_t i = 0; dcs_policy_at(i); i++)
            snprintf(known + strlen(known), sizeof known - strlen(known),
                     "%s%s", *known ? ", " : "", dcs_policy_at(i)->name);
        return dcs_cfg_error(dcs_cfg_get(s, "policy"), err,
                             "expected one of %s, found '%s'", known, policy);
    }
    if (!sc->placement) {
        char known[256] = "";
        for (size_t i = 0; dcs_placement_at(i); i++)
            snprintf(known + strlen(known), sizeof known - strlen(known),
                     "%s%s", *known ? ", " : "", dcs_placement_at(i)->name);
        return dcs_cfg_error(dcs_cfg_get(s, "placement"), err,
                             "expected one of %s, found '%s'", known,
                             placement);
    }
    return 0;
}

static int read_scenario(dcs_cfg_t *cfg, const char *path, scenario_t *sc,
                         dcs_err_t *err)
{
    dcs_cfg_node_t *root = dcs_cfg_root(cfg);
    dcs_cfg_node_t *cluster = NULL, *facility = NULL, *cost = NULL,
                   *budgets = NULL, *report = NULL;
    const char *name = NULL, *description = NULL;
    int64_t seed = 1;
    double horizon_s = 0, interval_s = 3600;
    int rc;
    if ((rc = dcs_cfg_str(root, "name", DCS_CFG_OPTIONAL, &name, err)) < 0 ||
        (rc = dcs_cfg_str(root, "description", DCS_CFG_OPTIONAL, &description,
                          err)) < 0 ||
        (rc = dcs_cfg_i64(root, "seed", DCS_CFG_OPTIONAL, 0, INT64_MAX, &seed,
                          err)) < 0 ||
        (rc = dcs_cfg_f64(root, "horizon_s", DCS_CFG_OPTIONAL, 1e-9, 9e9,
                          &horizon_s, err)) < 0 ||
        (rc = dcs_cfg_map(root, "cluster", DCS_CFG_REQUIRED, &cluster, err)) <
            0 ||
        (rc = dcs_fleet_read(cluster, &sc->fleet, err)) < 0 ||
        (rc = read_fabric(cluster, sc, err)) < 0 ||
        (rc = read_storage(cluster, sc, err)) < 0 ||
        (rc = read_network(root, sc, err)) < 0 ||
        (rc = read_workload(root, sc, err)) < 0 ||
        (rc = read_scheduler(root, sc, err)) < 0 ||
        (rc = dcs_cfg_map(root, "facility", DCS_CFG_REQUIRED, &facility, err)) <
            0 ||
        (rc = dcs_facility_read(facility, &sc->facility, err)) < 0 ||
        (rc = dcs_cfg_map(root, "cost", DCS_CFG_REQUIRED, &cost, err)) < 0 ||
        (rc = dcs_cost_read(cost, &sc->cost, err)) < 0 ||
        (rc = dcs_cfg_map(root, "budgets", DCS_CFG_OPTIONAL, &budgets, err)) <
            0 ||
        (budgets && (rc = dcs_budget_read(budgets, &sc->budget, err)) < 0) ||
        (rc = dcs_cfg_map(root, "report", DCS_CFG_OPTIONAL, &report, err)) <
            0 ||
        (report && (rc = dcs_cfg_f64(report, "interval_s", DCS_CFG_OPTIONAL,
                                     1e-3, 1e9, &interval_s, err)) < 0) ||
        (rc = dcs_cfg_check_unknown(root, err)) < 0)
        return rc;
    sc->has_budget = budgets != NULL;
    sc->power_cap = dcs_cfg_get(facility, "power_cap_w");
    if (name)
        snprintf(sc->name, sizeof sc->name, "%s", name);
    else
        name_from_path(path, sc->name, sizeof sc->name);
    sc->seed = (uint64_t)seed;
    sc->horizon_ns =
        horizon_s > 0 ? dcs_time_from_s(horizon_s) : DCS_TIME_NEVER;
    sc->interval_ns = dcs_time_from_s(interval_s);
    return 0;
}

/* Starts the scenario's jobs part: its jobs arrive on `sim` and go to the
 * scheduler. *have_synth is set once the synthetic stream needs
 * destroying. Returns 0 or an error. */
static int start_jobs(scenario_t *sc, dcs_sim_t *sim, dcs_jobs_t *jobs,
                      dcs_sched_t *sched, dcs_trace_replay_t *replay,
                      dcs_synth_t *synth, int *have_synth)
{
    int rc = 0;
    if (sc->training_kind)
        return dcs_training_start(&sc->training, sim, sc->seed, jobs,
                                  dcs_sched_submit, sched);
    if (sc->trace_kind) {
        dcs_training_t *training = sc->training.njobs ? &sc->training : NULL;
        if (training)
            rc = dcs_training_attach(training, sim, sc->seed, jobs,
                                     dcs_sched_submit, sched);
        if (rc == 0)
            rc = dcs_trace_start(replay, &sc->trace, training, sim,
                                 sc->trace_time_scale, jobs, dcs_sched_submit,
                                 sched);
        return rc;
    }
    if ((rc = dcs_synth_start(synth, &sc->synth, sim, sc->seed, jobs,
                              dcs_sched_submit, sched)) == 0)
        *have_synth = 1;
    return rc;
}

/* The run proper: build, simulate, report. */
static int simulate(const dcs_run_opts_t *opts, scenario_t *sc,
                    const char *resolved, uint64_t hash, FILE *table,
                    dcs_err_t *err)
{
    dcs_fleet_t fleet;
    dcs_sched_t sched;
    dcs_synth_t synth;
    dcs_jobs_t jobs = {0};
    dcs_outdir_t *o = NULL;
    dcs_sim_t *sim = dcs_sim_new();
    int rc = sim ? 0 : DCS_ENOMEM;
    int have_fleet = 0, have_sched = 0, have_synth = 0;
    if (rc == 0 &&
        (rc = dcs_fleet_init(&fleet, &sc->fleet, dcs_power_model_two_level(),
                             sc->interval_ns)) == 0)
        have_fleet = 1;
    if (rc == 0 &&
        (rc = dcs_sched_init(&sched, &fleet, sc->policy, sc->placement)) == 0) {
        have_sched = 1;
        sched.params = sc->sched_params;
        if (sc->fabric.hosts > 0)
            rc = dcs_alloc_set_groups(
                &sched.alloc,
                dcs_topo_nodes_per_group(&sc->fabric, sc->fleet.gpus_per_node));
        sched.save_ns = sc->save_ns;
        sched.restore_ns = sc->restore_ns;
    }
    dcs_gate_t gate;
    int bad_input = 0; /* rc is an input error already in err */
    if (rc == 0 && (sc->has_budget || isfinite(sc->facility.power_cap_w))) {
        rc = dcs_gate_init(&gate, &fleet, sc->has_budget ? &sc->budget : NULL,
                           &sc->facility, &sc->cost,
                           sc->fabric.port_power_w * sc->fabric.nlinks +
                               sc->storage.power_w,
                           sc->power_cap, err);
        bad_input = rc < 0;
        sched.hooks = dcs_gate_hooks(&gate);
    }
    dcs_trace_replay_t replay;
    dcs_serving_t serving = {0};
    /* Jobs first (ids from 0), then the replicas (ids after the jobs). */
    int64_t expected = !sc->has_jobs       ? 0
                       : sc->training_kind ? (int64_t)sc->training.njobs
                       : sc->trace_kind    ? (int64_t)sc->trace.len
                                           : sc->synth.jobs;
    if (rc == 0 && sc->has_jobs)
        rc = start_jobs(sc, sim, &jobs, &sched, &replay, &synth, &have_synth);
    if (rc == 0 && sc->serving_kind)
        rc = dcs_serving_start(&serving, &sc->serving, &sc->requests, sim,
                               &fleet, sc->seed, &jobs, expected,
                               dcs_sched_submit, &sched);
    /* Nodes fail until every job the workload submits is done (with
     * serving: to the horizon). */
    if (sc->serving_kind)
        expected = -1;
    dcs_failures_t failures = {0};
    if (rc == 0)
        rc = dcs_failures_start(&failures, &sc->failures, &sched, sim, sc->seed,
                                expected);
    if (rc < 0) {
        if (!bad_input)
            dcs_err_set(err, rc, "out of memory building the world");
        goto out;
    }

    /* The output folder is made (or found unusable) before the run, so a
     * long simulation never fails at its end for want of a place to write. */
    char out_dir[4096];
    if (opts->out_dir)
        snprintf(out_dir, sizeof out_dir, "%s", opts->out_dir);
    else
        snprintf(out_dir, sizeof out_dir, "results/%s", sc->name);
    o = dcs_outdir_begin(out_dir, err);
    if (!o) {
        rc = DCS_EIO;
        goto out;
    }

    if (opts->progress)
        dcs_sim_progress(sim, opts->progress, sc->horizon_ns);
    dcs_sim_run(sim, sc->horizon_ns);
    dcs_time_t end = dcs_sim_now(sim);
    dcs_failures_finish(&failures, end);
    if (dcs_fleet_finish(&fleet, end) < 0 ||
        dcs_sched_finish(&sched, end) < 0) {
        rc = dcs_err_set(err, DCS_ENOMEM, "out of memory");
        goto out;
    }

    /* What capex and embodied carbon count: the fabric's switches and
     * ports (a port per directed link: each cable has two ends), the
     * storage, and the facility's critical capacity (its design IT load,
     * or the cluster flat out: every GPU at its TDP, hosts, network). */
    const dcs_fleet_spec_t *fs = &sc->fleet;
    double switches =
        sc->fabric.hosts > 0 ? sc->fabric.nodes - sc->fabric.hosts : 0;
    double network_w = sc->fabric.port_power_w * sc->fabric.nlinks +
                       sc->fabric.chassis_power_w * switches;
    double flat_out_w = 0; /* every GPU at its TDP, and the hosts */
    for (int p = 0; p < fleet.npools; p++) {
        const dcs_fleet_pool_t *pool = &fleet.spec.pools[p];
        flat_out_w += pool->nodes * (fs->gpus_per_node * pool->device.tdp_w +
                                     pool->host_power_w);
    }
    /* Pools with their own prices: every GPU and server at its pool's. */
    double gpus_usd = 0, nodes_usd = 0;
    int priced = 0;
    for (int p = 0; p < fleet.npools; p++) {
        const dcs_fleet_pool_t *pool = &fleet.spec.pools[p];
        const dcs_capex_spec_t *c = &sc->cost.capex;
        priced |= pool->gpu_capex_usd >= 0 || pool->node_capex_usd >= 0;
        gpus_usd +=
            (double)pool->nodes * fs->gpus_per_node *
            (pool->gpu_capex_usd >= 0 ? pool->gpu_capex_usd : c->gpu_usd);
        nodes_usd +=
            (double)pool->nodes *
            (pool->node_capex_usd >= 0 ? pool->node_capex_usd : c->node_usd);
    }
    dcs_assets_t assets = {
        .priced = priced,
        .gpus_usd = gpus_usd,
        .nodes_usd = nodes_usd,
        .gpus = (double)fs->nodes * fs->gpus_per_node,
        .nodes = fs->nodes,
        .switches = switches,
        .ports = sc->fabric.nlinks,
        .storage_tb = sc->storage.capacity / 1e12,
        .storage_devices = (double)sc->storage.devices,
        .critical_w = sc->facility.design_it_w > 0 ? sc->facility.design_it_w
                                                   : flat_out_w + network_w,
    };
    dcs_run_data_t run = {
        .scenario_name = sc->name,
        .scenario_file = opts->scenario_path,
        .scenario_hash = hash,
        .seed = sc->seed,
        .end_ns = end,
        .fleet = &fleet,
        .sched = &sched,
        .jobs = &jobs,
        .facility = &sc->facility,
        .cost = &sc->cost,
        /* every directed link has one transmitting port */
        .network_power_w = network_w,
        .storage_power_w = sc->storage.power_w,
        .assets = assets,
        .budget = sc->has_budget ? &sc->budget : NULL,
        .jobs_held = sched.held,
        .training =
            sc->training_kind || sc->training.njobs > 0 ? &sc->training : NULL,
        .serving = sc->serving_kind ? &serving : NULL,
        .jobs_part = sc->serving_kind && sc->has_jobs,
        .breakdown = opts->breakdown,
    };
    dcs_summary_t sum;
    dcs_summary_compute(&run, &sum);
    if ((rc = dcs_reports_write(o, &run, &sum, err)) < 0 ||
        (rc = dcs_report_run_yaml(o, &run, resolved, err)) < 0)
        goto out;
    rc = dcs_outdir_commit(o, err);
    o = NULL; /* commit frees it, whatever it returns */
    if (rc < 0)
        goto out;
    if (table) {
        fprintf(table, "reports written to %s/\n\n", out_dir);
        dcs_summary_print(table, &run, &sum);
    }
out:
    dcs_serving_destroy(&serving);
    dcs_failures_destroy(&failures);
    dcs_outdir_abort(o);
    if (have_synth)
        dcs_synth_destroy(&synth);
    if (have_sched)
        dcs_sched_destroy(&sched);
    if (have_fleet)
        dcs_fleet_destroy(&fleet);
    dcs_jobs_destroy(&jobs);
    dcs_sim_free(sim);
    return rc;
}

/* Names each device of the cluster that runs from its datasheet alone
 * (once, though pools share it). */
static void note_unvalidated(const dcs_fleet_spec_t *fs, FILE *notes)
{
    int n = fs->npools > 0 ? fs->npools : 1;
    for (int p = 0; p < n; p++) {
        const dcs_device_spec_t *d =
            fs->npools > 0 ? &fs->pools[p].device : &fs->device;
        int seen = 0;
        for (int k = 0; k < p; k++)
            seen |= !strcmp(fs->pools[k].device.name, d->name);
        if (!d->calibrated && !seen)
            fprintf(notes,
                    "dcsim: note: device '%s' is unvalidated: no kernel "
                    "measurements are bundled for it, so its op times come "
                    "from its datasheet and default efficiencies\n",
                    d->name);
    }
}

int dcs_world_run(const dcs_run_opts_t *opts, FILE *table, dcs_err_t *err)
{
    scenario_t sc;
    memset(&sc, 0, sizeof sc);
    char *resolved = NULL;
    size_t resolved_len = 0;
    int rc = 0;
    dcs_cfg_t *cfg = dcs_cfg_load(opts->scenario_path, err);
    if (!cfg)
        return DCS_EINPUT;
    for (size_t i = 0; i < opts->nsets && rc == 0; i++)
        rc = dcs_cfg_set(cfg, opts->sets[i], err);
    if (rc == 0 && opts->has_seed) {
        char set[64];
        snprintf(set, sizeof set, "seed=%" PRIu64, opts->seed);
        rc = dcs_cfg_set(cfg, set, err);
    }
    if (rc == 0)
        rc = read_scenario(cfg, opts->scenario_path, &sc, err);
    if (rc == 0 && opts->notes && sc.trace_kind)
        dcs_trace_print_counts(&sc.trace, "dcsim: trace", opts->notes);
    if (rc == 0 && opts->notes)
        note_unvalidated(&sc.fleet, opts->notes);
    if (rc == 0)
        rc = dcs_cfg_emit(cfg, &resolved, &resolved_len, err);
    if (rc == 0)
        rc = simulate(opts, &sc, resolved, dcs_cfg_hash(resolved, resolved_len),
                      table, err);
    free(resolved);
    dcs_synth_spec_destroy(&sc.synth);
    dcs_trace_destroy(&sc.trace);
    dcs_training_destroy(&sc.training);
    dcs_requests_destroy(&sc.requests);
    dcs_topo_destroy(&sc.fabric);
    dcs_facility_free(&sc.facility);
    dcs_cost_destroy(&sc.cost);
    dcs_budget_destroy(&sc.budget);
    dcs_cfg_free(cfg);
    return rc;
}
