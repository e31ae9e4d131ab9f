/* test_trainpool.c - training jobs on mixed fleets, and training jobs
 * preempted by policies, through dcs_world_run() and the dcsim command.
 *
 * Invariants, on cases worked out by hand:
 * - a training job on a cluster of pools runs on one pool its plan fits
 *   (the one its gpu_type names, compared without case), and is priced
 *   there: its iteration time, GPU power and memory are those of the same
 *   job on a cluster of that one device (run as its own scenario), and it
 *   ends after iterations x that iteration time, whatever the pool's
 *   `speed` (which scales fixed-duration jobs only);
 * - a job that names no pool never lands on a pool its plan does not fit
 *   (an fp8 plan waits for the H100s while A100s are free);
 * - before it starts, a policy expects of it iterations x the iteration
 *   time on the pool it names, else on the fastest pool it fits;
 * - a job no allowed pool fits is bad input naming FILE:LINE:COL and the
 *   closest pool (exit 2, nothing written), and so is a gpu_type naming no
 *   pool or given on a cluster of one device; a trace row no pool fits is
 *   dropped with its reason;
 * - a training job preempted by a policy keeps every iteration it
 *   completed and ends at (preemption) + (the preemptor's run) + save +
 *   restore + (iterations left) x (iteration time); runs with checkpoints
 *   written to storage, failures and time slicing give the same bytes for
 *   the same seed. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/world.h"
#include "config/table.h"
#include "support.h"
#include "workload/training.h"

#define TOP   DCSIM_TEST_DATA "/../../.."
#define DEV   TOP "/topologies/devices/"
#define MODEL TOP "/workloads/models/"

static const char *const TAIL = "facility:\n"
                                "  cooling_overhead_frac: 0.3\n"
                                "  electrical_loss_frac: 0.05\n"
                                "cost:\n"
                                "  energy_usd_per_kwh: 0.1\n"
                                "  gpu_capex_usd: 20000\n"
                                "  node_capex_usd: 100000\n"
                                "  lifetime_years: 4\n";

/* One H100 node and two A100 nodes of 2 GPUs each, the A100s at speed
 * 0.5 (fixed jobs only). */
static const char *const MIXED =
    "cluster:\n"
    "  name: mixed\n"
    "  pools:\n"
    "    - name: H100\n"
    "      device: !include " DEV "h100-sxm.yaml\n"
    "      nodes: 1\n"
    "      gpus_per_node: 2\n"
    "      host_power_w: 1000\n"
    "    - name: A100\n"
    "      device: !include " DEV "a100-sxm-80gb.yaml\n"
    "      nodes: 2\n"
    "      gpus_per_node: 2\n"
    "      host_power_w: 500\n"
    "      speed: 0.5\n";

/* A training job of gpt3-1.3b on 2 GPUs (tp 2): `extra` adds keys. */
static void job(char *buf, size_t size, const char *name, int fp8,
                const char *extra)
{
    size_t n = strlen(buf);
    snprintf(buf + n, size - n,
             "    - name: %s\n"
             "      model: !include " MODEL "gpt3-1.3b.yaml\n"
             "      plan: {tp: 2%s}\n"
             "      iterations: 50\n"
             "%s",
             name, fp8 ? ", fp8: true" : "", extra ? extra : "");
}

/* Writes dir/name.yaml: a scenario of `cluster` with `workload` and
 * `scheduler`; returns its path in `path`. */
static void write_scenario(char *path, size_t size, const char *dir,
                           const char *name, const char *cluster,
                           const char *workload, const char *scheduler)
{
    snprintf(path, size, "%s/%s.yaml", dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "name: %s\nseed: 1\n%sworkload:\n%sscheduler:\n%s%s", name,
            cluster, workload, scheduler ? scheduler : "  policy: fifo\n",
            TAIL);
    fclose(f);
}

/* A cluster of one device: one node of 2 GPUs of `device`. */
static void one_device(char *buf, size_t size, const char *device)
{
    snprintf(buf, size,
             "cluster:\n"
             "  name: one\n"
             "  device: !include " DEV "%s.yaml\n"
             "  nodes: 1\n"
             "  gpus_per_node: 2\n"
             "  host_power_w: 1000\n",
             device);
}

static void run_ok(const char *scenario, const char *out,
                   const char *const *sets, size_t nsets)
{
    dcs_run_opts_t o = {scenario, out, 0, 0, sets, nsets, NULL, NULL, 0};
    dcs_err_t err = {""};
    ck_assert_msg(dcs_world_run(&o, NULL, &err) == 0, "%s", err.msg);
}

static dcs_table_t table(const char *out, const char *file)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", out, file);
    dcs_table_t t;
    dcs_err_t err = {""};
    ck_assert_msg(dcs_table_read(path, &t, &err) == 0, "%s", err.msg);
    return t;
}

static const char *text(const dcs_table_t *t, size_t row, const char *col)
{
    int c = dcs_table_col(t, col);
    ck_assert_msg(c >= 0, "no column %s", col);
    return t->cells[row][c];
}

static double num(const dcs_table_t *t, size_t row, const char *col)
{
    return atof(text(t, row, col));
}

/* The row of t whose `col` is `value`. */
static size_t row_where(const dcs_table_t *t, const char *col,
                        const char *value)
{
    for (size_t r = 0; r < t->nrows; r++)
        if (!strcmp(text(t, r, col), value))
            return r;
    ck_abort_msg("no row with %s %s", col, value);
    return 0;
}

static size_t row_of(const dcs_table_t *t, const char *name)
{
    return row_where(t, "name", name);
}

/* jobs.csv's row of the training job `name` (kind: training jobs have no
 * name in jobs.csv: found by training.csv's job_id). */
static size_t job_row(const dcs_table_t *jobs, const dcs_table_t *training,
                      const char *name)
{
    return row_where(jobs, "job_id",
                     text(training, row_of(training, name), "job_id"));
}

static void assert_close(double got, double want)
{
    ck_assert_msg(fabs(got - want) <= 1e-9 * fmax(1.0, fabs(want)),
                  "got %.12g, want %.12g", got, want);
}

/* Figures of one job on a cluster of one device, from its own run. */
typedef struct alone {
    double iteration_s, gpu_power_w, memory_gib;
} alone_t;

static alone_t run_alone(const char *dir, const char *device, int fp8)
{
    char cluster[512], work[1024] = "  kind: training\n  jobs:\n", path[512],
                       out[512];
    one_device(cluster, sizeof cluster, device);
    job(work, sizeof work, "alone", fp8, NULL);
    char name[64];
    snprintf(name, sizeof name, "alone-%s-%d", device, fp8);
    write_scenario(path, sizeof path, dir, name, cluster, work, NULL);
    snprintf(out, sizeof out, "%s/%s-out", dir, name);
    run_ok(path, out, NULL, 0);
    dcs_table_t t = table(out, "training.csv");
    alone_t a = {num(&t, 0, "iteration_s"), num(&t, 0, "gpu_power_w"),
                 num(&t, 0, "memory_gib")};
    dcs_table_free(&t);
    return a;
}

START_TEST(test_priced_on_the_pool_it_lands_on)
{
    /* Submitted together, in order: `typed` names h100 (any case): the
     * H100 node. `any` names none: the pool with the most free GPUs, the
     * A100s. `fp8` names none but only the H100s run fp8 GEMMs: it waits
     * for `typed` to end though two A100s are free. Each is priced as the
     * same job on a cluster of its pool's one device. */
    char tmp[64], path[512], out[512],
        work[2048] = "  kind: training\n"
                     "  jobs:\n";
    make_tmpdir(tmp, sizeof tmp);
    alone_t h = run_alone(tmp, "h100-sxm", 0),
            h8 = run_alone(tmp, "h100-sxm", 1),
            a = run_alone(tmp, "a100-sxm-80gb", 0);
    ck_assert(h.iteration_s < a.iteration_s); /* the pools differ */
    job(work, sizeof work, "typed", 0, "      gpu_type: h100\n");
    job(work, sizeof work, "any", 0, NULL);
    job(work, sizeof work, "fp8", 1, NULL);
    write_scenario(path, sizeof path, tmp, "mixed", MIXED, work, NULL);
    snprintf(out, sizeof out, "%s/mixed-out", tmp);
    run_ok(path, out, NULL, 0);

    dcs_table_t tr = table(out, "training.csv"), jobs = table(out, "jobs.csv");
    ck_assert_uint_eq(tr.nrows, 3);
    const struct {
        const char *name, *pool;
        alone_t ref;
        double start_s;
    } want[] = {
        {"typed", "H100", h, 0},
        {"any", "A100", a, 0},
        {"fp8", "H100", h8, 50 * h.iteration_s},
    };
    for (size_t i = 0; i < 3; i++) {
        size_t r = row_of(&tr, want[i].name),
               q = job_row(&jobs, &tr, want[i].name);
        ck_assert_str_eq(text(&jobs, q, "pool"), want[i].pool);
        /* the same computation as the one-device run: exact */
        ck_assert_double_eq(num(&tr, r, "iteration_s"),
                            want[i].ref.iteration_s);
        ck_assert_double_eq(num(&tr, r, "gpu_power_w"),
                            want[i].ref.gpu_power_w);
        ck_assert_double_eq(num(&tr, r, "memory_gib"), want[i].ref.memory_gib);
        assert_close(num(&jobs, q, "start_time_s"), want[i].start_s);
        /* the A100s' speed 0.5 does not stretch a priced job */
        assert_close(num(&jobs, q, "end_time_s"),
                     want[i].start_s + 50 * want[i].ref.iteration_s);
    }
    dcs_table_free(&tr);
    dcs_table_free(&jobs);
    remove_tree(tmp);
}
END_TEST

static dcs_device_spec_t device(const char *name)
{
    dcs_device_spec_t d;
    dcs_err_t err = {""};
    int rc = dcs_device_load(TOP, name, &d, &err);
    ck_assert_msg(rc == 0, "%s", err.msg);
    return d;
}

static dcs_model_t gpt3_1b3(void)
{
    dcs_err_t err = {""};
    dcs_cfg_t *cfg = dcs_cfg_load(MODEL "gpt3-1.3b.yaml", &err);
    ck_assert_msg(cfg != NULL, "%s", err.msg);
    dcs_model_t m;
    ck_assert_int_eq(dcs_model_read(dcs_cfg_root(cfg), &m, &err), 0);
    dcs_cfg_free(cfg);
    return m;
}

/* Adds gpt3-1.3b on 2 GPUs (tp 2), 50 iterations, to `t`; its index. */
static int64_t add(dcs_training_t *t, const dcs_model_t *m, int fp8,
                   const char *gpu_type)
{
    dcs_training_spec_t s = {.name = "j",
                             .team = "t",
                             .model = m,
                             .iterations = 50,
                             .gpu_type = gpu_type};
    dcs_training_plan_defaults(&s.plan, m);
    s.plan.tp = 2;
    s.plan.fp8 = fp8;
    dcs_training_fault_t fault;
    dcs_err_t err = {""};
    int64_t k = dcs_training_add(t, &s, &fault, &err);
    ck_assert_msg(k >= 0, "%s", err.msg);
    return k;
}

/* The iteration time of that job on a cluster of `dev` alone. */
static double alone_s(const dcs_device_spec_t *dev, const dcs_model_t *m,
                      int fp8)
{
    dcs_training_env_t env = {.device = dev, .gpus = 2, .gpus_per_node = 2};
    dcs_training_t t;
    dcs_training_init(&t, &env);
    int64_t k = add(&t, m, fp8, NULL);
    double s = t.jobs[k].step.total_s;
    dcs_training_destroy(&t);
    return s;
}

START_TEST(test_policies_expect_the_fastest_pool)
{
    /* A100 first in the list, H100 second: a job naming no pool is
     * expected at the H100's pace (the faster), may use both for bf16 and
     * only the H100s for fp8; one naming the A100s at theirs. */
    dcs_device_spec_t h100 = device("h100-sxm"), a100 = device("a100-sxm-80gb");
    dcs_model_t m = gpt3_1b3();
    dcs_fleet_spec_t fs = {.nodes = 4, .gpus_per_node = 2, .npools = 2};
    fs.pools[0] = (dcs_fleet_pool_t){
        .name = "A100", .device = a100, .nodes = 2, .first_node = 0};
    fs.pools[1] = (dcs_fleet_pool_t){
        .name = "H100", .device = h100, .nodes = 2, .first_node = 2};
    dcs_training_env_t env = {
        .device = &a100, .gpus = 8, .gpus_per_node = 2, .fleet = &fs};
    dcs_training_t t;
    dcs_training_init(&t, &env);
    int64_t any = add(&t, &m, 0, NULL), fp8 = add(&t, &m, 1, ""),
            typed = add(&t, &m, 0, "a100");
    const struct {
        int64_t k;
        double iteration_s;
        unsigned pools;
        const char *gpu_type;
    } want[] = {
        {any, alone_s(&h100, &m, 0), 3, ""},
        {fp8, alone_s(&h100, &m, 1), 2, ""},
        {typed, alone_s(&a100, &m, 0), 1, "A100"},
    };
    for (size_t i = 0; i < 3; i++) {
        dcs_job_t job = {.gpu_model = -1, .speed = 1};
        dcs_training_as_job(&t, (size_t)want[i].k, &job);
        ck_assert_int_eq(job.duration_ns,
                         dcs_time_from_s(50 * want[i].iteration_s));
        ck_assert_uint_eq(job.gpu_models, want[i].pools);
        ck_assert_str_eq(job.gpu_type, want[i].gpu_type);
        ck_assert_int_eq(job.gpus, 2);
    }
    /* a name no pool has is the caller's bug */
    dcs_training_spec_t s = {.name = "x",
                             .team = "t",
                             .model = &m,
                             .iterations = 1,
                             .gpu_type = "B200"};
    dcs_training_plan_defaults(&s.plan, &m);
    dcs_training_fault_t fault;
    dcs_err_t err = {""};
    ck_assert_int_eq(dcs_training_add(&t, &s, &fault, &err), DCS_EINVAL);
    ck_assert_uint_eq(t.njobs, 3);
    dcs_training_destroy(&t);
}
END_TEST

/* Runs `scenario` with one --set through the command: exit 2, the message
 * on stderr, nothing written. */
static void expect_cli_error(const char *scenario, const char *set,
                             const char *const *wants)
{
    char tmp[64], out[128];
    make_tmpdir(tmp, sizeof tmp);
    snprintf(out, sizeof out, "%s/run", tmp);
    const char *args[] = {"run", scenario, "--out", out, "--set", set, NULL};
    char *so, *se;
    ck_assert_int_eq(run_dcsim(args, &so, &se), 2);
    for (const char *const *w = wants; *w; w++)
        ck_assert_msg(strstr(se, *w), "'%s' not in: %s", *w, se);
    ck_assert_msg(!exists(out), "%s was created", out);
    free(so);
    free(se);
    remove_tree(tmp);
}

START_TEST(test_no_pool_fits_is_bad_input)
{
    /* Line 22 of each scenario is its job's `plan`. */
    char tmp[64], path[512], cluster[512];
    char work[1024] = "  kind: training\n  jobs:\n";
    make_tmpdir(tmp, sizeof tmp);
    /* fp8 on the A100s it names */
    job(work, sizeof work, "j", 1, "      gpu_type: A100\n");
    write_scenario(path, sizeof path, tmp, "fp8", MIXED, work, NULL);
    const char *fp8[] = {"fp8.yaml:22:13: field 'workload.jobs[0].plan': on "
                         "pool 'A100', which gpu_type names: device "
                         "'a100-sxm-80gb' cannot run this plan (fp8 GEMMs)",
                         NULL};
    expect_cli_error(path, "seed=2", fp8);
    /* 6 GPUs: more than either pool (the A100s, 4 GPUs, came closest) */
    snprintf(work, sizeof work, "  kind: training\n  jobs:\n");
    job(work, sizeof work, "j", 0, NULL);
    write_scenario(path, sizeof path, tmp, "mixed", MIXED, work, NULL);
    const char *big[] = {"mixed.yaml:22:13: field 'workload.jobs[0].plan': "
                         "fits no pool; on the closest, pool 'A100': tp x cp "
                         "x pp x dp = 6 GPUs, pool 'A100' has 4",
                         NULL};
    expect_cli_error(path, "workload.jobs.0.plan.dp=3", big);
    const char *unknown[] = {"--set:1:26: field 'workload.jobs[0].gpu_type': "
                             "expected a pool of the cluster (H100, A100), "
                             "found 'B200'",
                             NULL};
    expect_cli_error(path, "workload.jobs.0.gpu_type=B200", unknown);
    /* 13B parameters on tp 2, about 97 GiB a rank: neither 80 GiB device
     * holds them (equal memory: the pool of more GPUs is named) */
    snprintf(work, sizeof work,
             "  kind: training\n"
             "  jobs:\n"
             "    - name: big\n"
             "      model: !include " MODEL "gpt3-13b.yaml\n"
             "      plan: {tp: 2}\n"
             "      iterations: 5\n");
    write_scenario(path, sizeof path, tmp, "mem", MIXED, work, NULL);
    const char *mem[] = {"mem.yaml:22:13: field 'workload.jobs[0].plan': fits "
                         "no pool; on the closest, pool 'A100': does not "
                         "fit: rank 0 of pipeline stage 0 needs",
                         "over the a100-sxm-80gb's 80.0 GiB", NULL};
    expect_cli_error(path, "seed=2", mem);
    /* gpu_type on a cluster of one device */
    snprintf(work, sizeof work, "  kind: training\n  jobs:\n");
    job(work, sizeof work, "j", 0, NULL);
    one_device(cluster, sizeof cluster, "h100-sxm");
    write_scenario(path, sizeof path, tmp, "one", cluster, work, NULL);
    const char *single[] = {"--set:1:26: field 'workload.jobs[0].gpu_type': "
                            "a job may name a pool on a cluster of pools; "
                            "this cluster has one device",
                            NULL};
    expect_cli_error(path, "workload.jobs.0.gpu_type=H100", single);
    remove_tree(tmp);
}
END_TEST

START_TEST(test_trace_rows_on_pools)
{
    /* mixed_trace.yaml (one H100 node, one A100 node at speed 0.5, 2 GPUs
     * each) replays dcsim_train_pools.csv: `typed` names a100 and runs
     * there, `any` names none and takes the H100s (the A100s are taken),
     * `huge` (13B on tp 2) fits no pool's 80 GiB and is dropped, `fixed`
     * arrives at 1 s, both pools free: the first, H100, 10 s. */
    char tmp[64], out[256], notes[1024], dir[128];
    make_tmpdir(tmp, sizeof tmp);
    alone_t h = run_alone(tmp, "h100-sxm", 0),
            a = run_alone(tmp, "a100-sxm-80gb", 0);
    snprintf(out, sizeof out, "%s/run", tmp);
    snprintf(dir, sizeof dir, "workload.models=%s", TOP "/workloads/models");
    const char *sets[] = {
        "workload.path=tests/unit/data/traces/dcsim_train_pools.csv", dir};
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    dcs_run_opts_t o = {DCSIM_TEST_DATA "/scenario/mixed_trace.yaml",
                        out,
                        0,
                        0,
                        sets,
                        2,
                        NULL,
                        f,
                        0};
    dcs_err_t err = {""};
    ck_assert_msg(dcs_world_run(&o, NULL, &err) == 0, "%s", err.msg);
    rewind(f);
    size_t n = fread(notes, 1, sizeof notes - 1, f);
    notes[n] = '\0';
    fclose(f);
    ck_assert_msg(starts_with(notes, "dcsim: trace: 4 records, 3 jobs kept, 0 "
                                     "censored, 0 fractional; dropped: plan "
                                     "does not fit 1\n"),
                  "%s", notes);
    dcs_table_t tr = table(out, "training.csv"), jobs = table(out, "jobs.csv");
    ck_assert_uint_eq(tr.nrows, 2);
    ck_assert_uint_eq(jobs.nrows, 3);
    size_t ty = row_of(&jobs, "typed"), an = row_of(&jobs, "any"),
           fx = row_of(&jobs, "fixed");
    ck_assert_str_eq(text(&jobs, ty, "pool"), "A100");
    ck_assert_str_eq(text(&jobs, an, "pool"), "H100");
    ck_assert_str_eq(text(&jobs, fx, "pool"), "H100");
    ck_assert_double_eq(num(&tr, row_of(&tr, "typed"), "iteration_s"),
                        a.iteration_s);
    ck_assert_double_eq(num(&tr, row_of(&tr, "any"), "iteration_s"),
                        h.iteration_s);
    assert_close(num(&jobs, ty, "end_time_s"), 10 * a.iteration_s);
    assert_close(num(&jobs, an, "end_time_s"), 10 * h.iteration_s);
    assert_close(num(&jobs, fx, "start_time_s"), 1);
    assert_close(num(&jobs, fx, "end_time_s"), 11);
    dcs_table_free(&tr);
    dcs_table_free(&jobs);
    remove_tree(tmp);
}
END_TEST

/* A dcsim trace at `dir`/name.csv. */
static void write_trace(char *path, size_t size, const char *dir,
                        const char *name, const char *rows)
{
    snprintf(path, size, "%s/%s.csv", dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(rows, f);
    fclose(f);
}

/* A trace workload of `csv`, models from the repository. */
static void trace_workload(char *buf, size_t size, const char *csv)
{
    snprintf(buf, size,
             "  kind: trace\n"
             "  format: dcsim\n"
             "  path: %s\n"
             "  models: " TOP "/workloads/models\n",
             csv);
}

START_TEST(test_preempted_keeps_every_iteration)
{
    /* One H100 node of 2 GPUs under `priority`, preemption saving in 3 s
     * and restoring in 4 s. `train` (200 iterations of T s, priority 0)
     * starts at 0; `hi` (priority 1, 10 s, both GPUs) arrives at 1 s and
     * stops it: the k = floor(1 / T) iterations it completed are kept, the
     * one under way is lost. `hi` runs 1..11; `train` resumes at 11 and
     * first pays 3 + 4 s, then its 200 - k iterations. T comes from the
     * same job alone under fifo: it ends at 200 T. */
    char tmp[64], csv[512], path[512], out[512], cluster[512], work[1024];
    make_tmpdir(tmp, sizeof tmp);
    one_device(cluster, sizeof cluster, "h100-sxm");

    write_trace(csv, sizeof csv, tmp, "alone",
                "name,submit_s,gpus,duration_s,model,iterations,priority\n"
                "train,0,2,,gpt3-1.3b,200,0\n");
    trace_workload(work, sizeof work, csv);
    write_scenario(path, sizeof path, tmp, "alone", cluster, work, NULL);
    snprintf(out, sizeof out, "%s/alone-out", tmp);
    run_ok(path, out, NULL, 0);
    dcs_table_t jobs = table(out, "jobs.csv");
    double T = num(&jobs, 0, "end_time_s") / 200;
    dcs_table_free(&jobs);

    write_trace(csv, sizeof csv, tmp, "pre",
                "name,submit_s,gpus,duration_s,model,iterations,priority\n"
                "train,0,2,,gpt3-1.3b,200,0\n"
                "hi,1,2,10,,,1\n");
    trace_workload(work, sizeof work, csv);
    write_scenario(path, sizeof path, tmp, "pre", cluster, work,
                   "  policy: priority\n"
                   "  preempt_save_s: 3\n"
                   "  preempt_restore_s: 4\n");
    snprintf(out, sizeof out, "%s/pre-out", tmp);
    run_ok(path, out, NULL, 0);
    double k = floor(1 / T);
    ck_assert(k >= 1 && k * T < 1); /* cut inside an iteration */
    jobs = table(out, "jobs.csv");
    dcs_table_t tr = table(out, "training.csv");
    size_t t = row_of(&jobs, "train"), h = row_of(&jobs, "hi");
    assert_close(num(&jobs, h, "start_time_s"), 1);
    assert_close(num(&jobs, h, "end_time_s"), 11);
    ck_assert_double_eq(num(&jobs, t, "preemptions"), 1);
    ck_assert_double_eq(num(&jobs, t, "evictions"), 0);
    assert_close(num(&jobs, t, "end_time_s"), 11 + 3 + 4 + (200 - k) * T);
    /* its run: 1 s, then 7 s of save and restore, then the rest; the part
     * of the iteration cut at 1 s is lost, no iteration twice */
    assert_close(num(&tr, 0, "wall_time_s"), 1 + 7 + (200 - k) * T);
    assert_close(num(&tr, 0, "restart_s"), 7);
    assert_close(num(&tr, 0, "lost_s"), 1 - k * T);
    assert_close(num(&tr, 0, "mean_iteration_s"), T);
    ck_assert_double_eq(num(&tr, 0, "iterations"), 200);
    dcs_table_free(&jobs);
    dcs_table_free(&tr);
    remove_tree(tmp);
}
END_TEST

START_TEST(test_time_sliced_same_seed_same_bytes)
{
    /* Two 30,000-iteration jobs time-sliced by gandiva (200 s quanta) on
     * one node, checkpointing to storage every 60 s and failing on their
     * own: each is preempted several times, and both finish all their
     * iterations; two runs of one seed give the same reports. */
    char tmp[64], path[512], out[2][512], cluster[512], work[2048];
    make_tmpdir(tmp, sizeof tmp);
    one_device(cluster, sizeof cluster, "h100-sxm");
    size_t n = strlen(cluster);
    snprintf(cluster + n, sizeof cluster - n,
             "  storage: {write_gb_per_s: 100, read_gb_per_s: 100}\n");
    snprintf(work, sizeof work, "  kind: training\n  jobs:\n");
    for (int i = 0; i < 2; i++) {
        n = strlen(work);
        snprintf(work + n, sizeof work - n,
                 "    - name: j%d\n"
                 "      model: !include " MODEL "gpt3-1.3b.yaml\n"
                 "      plan: {tp: 2}\n"
                 "      iterations: 30000\n"
                 "      submit_s: %g\n"
                 "      checkpoint: {interval_s: 60}\n"
                 "      failures: {per_gpu_per_h: 1, per_node_per_h: 1,\n"
                 "                 restart_s: 0.5}\n",
                 i, 0.5 * i);
    }
    write_scenario(path, sizeof path, tmp, "slice", cluster, work,
                   "  policy: gandiva\n"
                   "  quantum_s: 200\n"
                   "  preempt_save_s: 0.25\n"
                   "  preempt_restore_s: 0.5\n");
    for (int r = 0; r < 2; r++) {
        snprintf(out[r], sizeof out[r], "%s/out%d", tmp, r);
        run_ok(path, out[r], NULL, 0);
    }
    static const char *const files[] = {"jobs.csv",       "training.csv",
                                        "summary.csv",    "energy.csv",
                                        "timeseries.csv", "utilization.csv"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char p0[600], p1[600];
        snprintf(p0, sizeof p0, "%s/%s", out[0], files[i]);
        snprintf(p1, sizeof p1, "%s/%s", out[1], files[i]);
        size_t l0, l1;
        char *a = slurp(p0, &l0), *b = slurp(p1, &l1);
        ck_assert_msg(l0 == l1 && !memcmp(a, b, l0), "%s differs", files[i]);
        free(a);
        free(b);
    }
    dcs_table_t jobs = table(out[0], "jobs.csv"),
                tr = table(out[0], "training.csv");
    for (size_t r = 0; r < 2; r++) {
        ck_assert_str_eq(text(&jobs, r, "state"), "done");
        ck_assert(num(&jobs, r, "preemptions") >= 2);
        ck_assert_double_eq(num(&tr, r, "iterations"), 30000);
        /* every iteration counted once: compute is 30,000 iterations */
        assert_close(num(&tr, r, "mean_iteration_s"),
                     num(&tr, r, "iteration_s"));
        /* the saves and restores it paid: 0.75 s per preemption */
        ck_assert(num(&tr, r, "restart_s") >=
                  0.75 * num(&jobs, r, "preemptions") - 1e-9);
    }
    dcs_table_free(&jobs);
    dcs_table_free(&tr);
    remove_tree(tmp);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("trainpool");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_priced_on_the_pool_it_lands_on);
    tcase_add_test(tc, test_policies_expect_the_fastest_pool);
    tcase_add_test(tc, test_no_pool_fits_is_bad_input);
    tcase_add_test(tc, test_trace_rows_on_pools);
    tcase_add_test(tc, test_preempted_keeps_every_iteration);
    tcase_add_test(tc, test_time_sliced_same_seed_same_bytes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
