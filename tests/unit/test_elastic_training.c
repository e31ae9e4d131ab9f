/* test_elastic_training.c - elastic training jobs: resized by the elastic
 * policy and priced by the training model at each size.
 *
 * Invariants, on cases worked out by hand:
 * - an elastic training job keeps tp, pp and its global batch, and its dp
 *   follows its GPUs: at each size its iteration time, GPU power and
 *   memory are those of the same plan run alone at that dp as a job that
 *   is not elastic (its own scenario);
 * - a resize keeps every iteration completed (the one under way is lost,
 *   as in a preemption) and costs resize_s: a job grown at t ends at t +
 *   resize_s + (iterations - floor(t / T_A)) x T_B, and a job shrunk and
 *   grown again likewise, size by size;
 * - the sizes it can run at are those in its bounds where dp is whole,
 *   divides the global batch and the plan fits memory: exactly the sizes
 *   at which the same plan, not elastic, can be priced; the policy never
 *   starts, grows or shrinks it to another (the global batch of 8 keeps a
 *   job of tp 8 off 24 GPUs, one of 24 grows to them);
 * - a trace row with elastic bounds runs at the size in its bounds
 *   nearest its GPUs that its plan takes;
 * - the kind's left_at_ns is the iterations left (those a stop now would
 *   keep done) x the iteration time of the same plan priced at that size
 *   alone, not elastic; the elastic policy grows a training job only when
 *   that time at the new size + resize_s beats it at the present size,
 *   where a fixed job with the same numbers grows by linear scaling;
 * - bad elastic bounds on a training job are bad input naming
 *   FILE:LINE:COL and the field (exit 2, nothing written). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/world.h"
#include "config/table.h"
#include "sched_world.h"
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

/* `nodes` nodes of 8 H100s on a leaf-spine fabric of `gbps` links. */
static void cluster_at(char *buf, size_t size, int nodes, int gbps)
{
    snprintf(buf, size,
             "cluster:\n"
             "  name: h100s\n"
             "  device: !include " DEV "h100-sxm.yaml\n"
             "  nodes: %d\n"
             "  gpus_per_node: 8\n"
             "  host_power_w: 2500\n"
             "  fabric: {kind: leaf_spine, link_gbps: %d, latency_ns: 600,\n"
             "           hosts_per_leaf: 8, spines: 1}\n",
             nodes, gbps);
}

/* The same, of 400 Gb/s links. */
static void cluster(char *buf, size_t size, int nodes)
{
    cluster_at(buf, size, nodes, 400);
}

/* Appends a job of gpt3-1.3b on tp 8, micro_batch 1: `plan` adds plan
 * keys, `extra` job keys. */
static void job(char *buf, size_t size, const char *name, const char *plan,
                long iterations, const char *extra)
{
    size_t n = strlen(buf);
    snprintf(buf + n, size - n,
             "    - name: %s\n"
             "      model: !include " MODEL "gpt3-1.3b.yaml\n"
             "      plan: {tp: 8, micro_batch: 1, %s}\n"
             "      iterations: %ld\n"
             "%s",
             name, plan, iterations, extra ? extra : "");
}

static void write_scenario(char *path, size_t size, const char *dir,
                           const char *name, const char *clu,
                           const char *workload, const char *scheduler)
{
    snprintf(path, size, "%s/%s.yaml", dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "name: %s\nseed: 1\n%sworkload:\n%sscheduler:\n%s%s", name, clu,
            workload, scheduler ? scheduler : "  policy: fifo\n", TAIL);
    fclose(f);
}

static void run_ok(const char *scenario, const char *out)
{
    dcs_run_opts_t o = {scenario, out, 0, 0, NULL, 0, NULL, NULL, 0};
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

static size_t row_where(const dcs_table_t *t, const char *col,
                        const char *value)
{
    for (size_t r = 0; r < t->nrows; r++)
        if (!strcmp(text(t, r, col), value))
            return r;
    ck_abort_msg("no row with %s %s", col, value);
    return 0;
}

/* Times in reports are whole nanoseconds, summed over a few runs. */
static void assert_near(double got, double want, double tol)
{
    ck_assert_msg(fabs(got - want) <= tol, "got %.12g, want %.12g", got, want);
}

/* A job's figures at one size, from a run of it alone, not elastic. */
typedef struct alone {
    double iteration_s, gpu_power_w, memory_gib;
} alone_t;

static alone_t run_alone_at(const char *dir, const char *name, const char *plan,
                            int gbps)
{
    char clu[512], work[1024] = "  kind: training\n  jobs:\n", path[512],
                   out[512];
    cluster_at(clu, sizeof clu, 2, gbps);
    job(work, sizeof work, name, plan, 10, NULL);
    write_scenario(path, sizeof path, dir, name, clu, work, NULL);
    snprintf(out, sizeof out, "%s/%s-out", dir, name);
    run_ok(path, out);
    dcs_table_t t = table(out, "training.csv");
    alone_t a = {num(&t, 0, "iteration_s"), num(&t, 0, "gpu_power_w"),
                 num(&t, 0, "memory_gib")};
    dcs_table_free(&t);
    return a;
}

/* On two nodes of 400 Gb/s links. */
static alone_t run_alone(const char *dir, const char *name, const char *plan)
{
    return run_alone_at(dir, name, plan, 400);
}

START_TEST(test_grown_priced_at_each_size)
{
    /* Two nodes of 8 H100s, the elastic policy, resize_s 5. `first` (tp 8,
     * dp 1, seq 1024, 300 iterations) starts on node 0 at 0; `el` (tp 8,
     * global batch 8, 2,000 iterations, elastic in [8, 16]) waits alone:
     * it starts on the 8 free GPUs, dp 1, at T_A a iteration. When
     * `first` ends at t1, nothing waits and 8 GPUs are free: `el` grows to
     * 16 (dp 2, gradient accumulation 4), keeping k = floor(t1 / T_A)
     * iterations, and after 5 s runs the other 2,000 - k at T_B. T_A and
     * T_B come from the same plan run alone at dp 1 and dp 2. */
    char tmp[64], clu[512], path[512], out[512],
        work[2048] = "  kind: training\n  jobs:\n";
    make_tmpdir(tmp, sizeof tmp);
    alone_t a = run_alone(tmp, "dp1", "dp: 1, global_batch: 8");
    alone_t b = run_alone(tmp, "dp2", "dp: 2, global_batch: 8");
    ck_assert(b.iteration_s < a.iteration_s);

    cluster(clu, sizeof clu, 2);
    job(work, sizeof work, "first", "dp: 1, global_batch: 8, seq: 1024", 300,
        NULL);
    job(work, sizeof work, "el", "dp: 1, global_batch: 8", 2000,
        "      min_gpus: 8\n      max_gpus: 16\n");
    write_scenario(path, sizeof path, tmp, "grow", clu, work,
                   "  policy: elastic\n  resize_s: 5\n");
    snprintf(out, sizeof out, "%s/grow-out", tmp);
    run_ok(path, out);
    dcs_table_t jobs = table(out, "jobs.csv"), tr = table(out, "training.csv");
    size_t f = row_where(&tr, "name", "first"),
           e = row_where(&tr, "name", "el");
    size_t je = row_where(&jobs, "job_id", text(&tr, e, "job_id"));
    size_t jf = row_where(&jobs, "job_id", text(&tr, f, "job_id"));
    double t1 = num(&jobs, jf, "end_time_s");
    double k = floor(t1 / a.iteration_s);
    ck_assert(k >= 1 && k * a.iteration_s < t1 - 1e-6); /* cut mid-way */
    double end = t1 + 5 + (2000 - k) * b.iteration_s;
    assert_near(num(&jobs, je, "start_time_s"), 0, 0);
    assert_near(num(&jobs, je, "end_time_s"), end, 1e-6);
    ck_assert_double_eq(num(&jobs, je, "resizes"), 1);
    ck_assert_double_eq(num(&jobs, je, "preemptions"), 0);
    ck_assert_double_eq(num(&jobs, je, "gpus"), 16);
    assert_near(num(&jobs, je, "gpu_hours"), (8 * t1 + 16 * (end - t1)) / 3600,
                1e-8);
    /* training.csv: the last size's plan and figures, the whole run's
     * totals; every iteration once, the cut one lost */
    ck_assert_double_eq(num(&tr, e, "gpus"), 16);
    ck_assert_double_eq(num(&tr, e, "dp"), 2);
    ck_assert_double_eq(num(&tr, e, "global_batch"), 8);
    ck_assert_double_eq(num(&tr, e, "iterations"), 2000);
    assert_near(num(&tr, e, "iteration_s"), b.iteration_s,
                1e-9 * b.iteration_s);
    assert_near(num(&tr, e, "gpu_power_w"), b.gpu_power_w,
                1e-9 * b.gpu_power_w);
    assert_near(num(&tr, e, "memory_gib"), b.memory_gib, 1e-9 * b.memory_gib);
    assert_near(num(&tr, e, "mean_iteration_s"),
                (k * a.iteration_s + (2000 - k) * b.iteration_s) / 2000, 1e-9);
    assert_near(num(&tr, e, "restart_s"), 5, 1e-6);
    assert_near(num(&tr, e, "lost_s"), t1 - k * a.iteration_s, 1e-6);
    assert_near(num(&tr, e, "wall_time_s"), end, 1e-6);
    dcs_table_free(&jobs);
    dcs_table_free(&tr);
    remove_tree(tmp);
}
END_TEST

START_TEST(test_shrunk_then_grown)
{
    /* As above, `el` alone at 0 with 4,000 iterations: it waits alone and
     * starts on all 16 GPUs (its max), T_B. `late` (tp 8, seq 1024, 200
     * iterations, not elastic) arrives at 10 s: it cannot start, `el`'s
     * surplus (16 - 8) can make room: `el` shrinks to 8, keeping k1 =
     * floor(10 / T_B) iterations, and `late` starts at 10. `el` resumes at
     * 15 at T_A; when `late` ends at t2 it has done k2 = floor((t2 - 15) /
     * T_A) more, grows back to 16, and after 5 s runs the rest at T_B. */
    char tmp[64], clu[512], path[512], out[512],
        work[2048] = "  kind: training\n  jobs:\n";
    make_tmpdir(tmp, sizeof tmp);
    alone_t a = run_alone(tmp, "dp1", "dp: 1, global_batch: 8");
    alone_t b = run_alone(tmp, "dp2", "dp: 2, global_batch: 8");
    cluster(clu, sizeof clu, 2);
    job(work, sizeof work, "el", "dp: 1, global_batch: 8", 4000,
        "      min_gpus: 8\n      max_gpus: 16\n");
    job(work, sizeof work, "late", "dp: 1, global_batch: 8, seq: 1024", 200,
        "      submit_s: 10\n");
    write_scenario(path, sizeof path, tmp, "shrink", clu, work,
                   "  policy: elastic\n  resize_s: 5\n");
    snprintf(out, sizeof out, "%s/shrink-out", tmp);
    run_ok(path, out);
    dcs_table_t jobs = table(out, "jobs.csv"), tr = table(out, "training.csv");
    size_t e = row_where(&jobs, "job_id",
                         text(&tr, row_where(&tr, "name", "el"), "job_id"));
    size_t l = row_where(&jobs, "job_id",
                         text(&tr, row_where(&tr, "name", "late"), "job_id"));
    assert_near(num(&jobs, l, "start_time_s"), 10, 1e-9);
    double t2 = num(&jobs, l, "end_time_s");
    double k1 = floor(10 / b.iteration_s);
    double k2 = floor((t2 - 15) / a.iteration_s);
    ck_assert(k1 * b.iteration_s < 10 - 1e-6);
    ck_assert(k2 >= 1);
    double end = t2 + 5 + (4000 - k1 - k2) * b.iteration_s;
    assert_near(num(&jobs, e, "end_time_s"), end, 1e-6);
    ck_assert_double_eq(num(&jobs, e, "resizes"), 2);
    ck_assert_double_eq(num(&jobs, e, "gpus"), 16);
    size_t te = row_where(&tr, "name", "el");
    ck_assert_double_eq(num(&tr, te, "iterations"), 4000);
    assert_near(num(&tr, te, "restart_s"), 10, 1e-6);
    assert_near(num(&tr, te, "mean_iteration_s"),
                ((4000 - k2) * b.iteration_s + k2 * a.iteration_s) / 4000,
                1e-9);
    assert_near(num(&tr, te, "lost_s"),
                (10 - k1 * b.iteration_s) + (t2 - 15 - k2 * a.iteration_s),
                1e-6);
    dcs_table_free(&jobs);
    dcs_table_free(&tr);
    remove_tree(tmp);
}
END_TEST

/* Runs `el` (tp 8, elastic in [8, 24], the global batch `gbs`) beside
 * `first` (8 GPUs, 300 iterations) on 3 nodes under the elastic policy;
 * returns el's jobs.csv gpus and resizes through the pointers. */
static void run_three_nodes(const char *dir, int gbs, int *gpus, int *resizes,
                            int *dp)
{
    char clu[512], path[512], out[512], plan[64], name[32],
        work[2048] = "  kind: training\n  jobs:\n";
    cluster(clu, sizeof clu, 3);
    job(work, sizeof work, "first", "dp: 1, global_batch: 8, seq: 1024", 300,
        NULL);
    snprintf(plan, sizeof plan, "dp: 1, global_batch: %d", gbs);
    job(work, sizeof work, "el", plan, 3000,
        "      min_gpus: 8\n      max_gpus: 24\n");
    snprintf(name, sizeof name, "three-%d", gbs);
    write_scenario(path, sizeof path, dir, name, clu, work,
                   "  policy: elastic\n");
    snprintf(out, sizeof out, "%s/%s-out", dir, name);
    run_ok(path, out);
    dcs_table_t jobs = table(out, "jobs.csv"), tr = table(out, "training.csv");
    size_t e = row_where(&tr, "name", "el");
    size_t je = row_where(&jobs, "job_id", text(&tr, e, "job_id"));
    ck_assert_str_eq(text(&jobs, je, "state"), "done");
    *gpus = (int)num(&jobs, je, "gpus");
    *resizes = (int)num(&jobs, je, "resizes");
    *dp = (int)num(&tr, e, "dp");
    ck_assert_double_eq(num(&tr, e, "iterations"), 3000);
    dcs_table_free(&jobs);
    dcs_table_free(&tr);
}

START_TEST(test_size_the_plan_cannot_take_never_chosen)
{
    /* Three nodes of 8: `first` takes 8 GPUs; `el` waits alone and starts
     * on the 16 free (dp 2). When `first` ends, 8 more are free: with a
     * global batch of 8, dp 3 (24 GPUs) does not divide it, and 17-23 GPUs
     * are no whole dp of tp 8: it stays on 16, never resized. With a
     * global batch of 24 it grows to 24 (dp 3). */
    char tmp[64];
    make_tmpdir(tmp, sizeof tmp);
    int gpus, resizes, dp;
    run_three_nodes(tmp, 8, &gpus, &resizes, &dp);
    ck_assert_int_eq(gpus, 16);
    ck_assert_int_eq(resizes, 0);
    ck_assert_int_eq(dp, 2);
    run_three_nodes(tmp, 24, &gpus, &resizes, &dp);
    ck_assert_int_eq(gpus, 24);
    ck_assert_int_eq(resizes, 1);
    ck_assert_int_eq(dp, 3);
    remove_tree(tmp);
}
END_TEST

static dcs_model_t load_model(const char *file)
{
    dcs_err_t err = {""};
    dcs_cfg_t *cfg = dcs_cfg_load(file, &err);
    ck_assert_msg(cfg != NULL, "%s", err.msg);
    dcs_model_t m;
    ck_assert_int_eq(dcs_model_read(dcs_cfg_root(cfg), &m, &err), 0);
    dcs_cfg_free(cfg);
    return m;
}

START_TEST(test_sizes_are_those_the_plan_takes)
{
    /* gpt3-13b, tp 2, ZeRO 1, global batch 64, on 8 nodes of 8 H100s with
     * a fabric, elastic in [2, 64]: each size n is one it can run at
     * exactly when the same plan with dp = n / 2, not elastic, can be
     * priced (dcs_training_add): n even, dp dividing 64, and the rank's
     * memory (the optimizer sharded over dp) fitting 80 GiB. Some sizes
     * fail on memory alone, so the check is not only arithmetic. */
    dcs_device_spec_t dev;
    dcs_err_t err = {""};
    ck_assert_msg(dcs_device_load(TOP, "h100-sxm", &dev, &err) == 0, "%s",
                  err.msg);
    dcs_model_t m = load_model(MODEL "gpt3-13b.yaml");
    dcs_training_env_t env = {
        .device = &dev, .gpus = 64, .gpus_per_node = 8, .nic_bw = 50e9};
    dcs_training_t t;
    dcs_training_init(&t, &env);
    dcs_training_spec_t s = {.name = "el",
                             .team = "t",
                             .model = &m,
                             .iterations = 10,
                             .min_gpus = 2,
                             .max_gpus = 64,
                             .gpus = 64};
    dcs_training_plan_defaults(&s.plan, &m);
    s.plan.tp = 2;
    s.plan.zero = 1;
    s.plan.global_batch = 64;
    s.plan.dp = 32;
    dcs_training_fault_t fault;
    int64_t k = dcs_training_add(&t, &s, &fault, &err);
    ck_assert_msg(k >= 0, "%s", err.msg);
    dcs_job_t job;
    memset(&job, 0, sizeof job);
    dcs_training_as_job(&t, (size_t)k, &job);
    ck_assert_int_eq(job.gpus, 64);
    ck_assert_int_eq(job.min_gpus, 2);
    ck_assert_int_eq(job.max_gpus, 64);
    ck_assert_ptr_nonnull(job.kind->can_run_at);
    int yes = 0, memory = 0;
    for (int n = 2; n <= 64; n++) {
        int oracle = 0;
        if (n % 2 == 0) {
            dcs_training_t u;
            dcs_training_init(&u, &env);
            dcs_training_spec_t f = s;
            f.min_gpus = f.max_gpus = f.gpus = 0;
            f.plan.dp = n / 2;
            dcs_training_fault_t why;
            oracle = dcs_training_add(&u, &f, &why, &err) >= 0;
            memory += why == DCS_TRAINING_FAULT_MEMORY;
            dcs_training_destroy(&u);
        }
        yes += oracle;
        ck_assert_msg(job.kind->can_run_at(&job, n) == oracle,
                      "size %d: can_run_at %d, priced alone %d", n,
                      job.kind->can_run_at(&job, n), oracle);
    }
    ck_assert_int_ge(yes, 2);
    ck_assert_int_ge(memory, 1);
    dcs_training_destroy(&t);
}
END_TEST

START_TEST(test_elastic_trace_rows)
{
    /* Two nodes of 8 with a fabric. Rows (tp 8 by the default rule):
     *   g12: 12 GPUs in [8, 16], global_batch 16: 8 (dp 1) and 16 (dp 2)
     *        both take it, 4 away each: the smaller, 8;
     *   g16: 16 GPUs in [8, 16], no global_batch: micro_batch x dp = 2;
     *        runs at 16;
     *   none: 12 GPUs in [9, 15]: no multiple of 8: dropped, "no elastic
     *        size fits".
     * Under fifo, g12 [0, ...) on 8, g16 waits for all 16. */
    char tmp[64], clu[512], csv[512], path[512], out[512], work[1024];
    make_tmpdir(tmp, sizeof tmp);
    snprintf(csv, sizeof csv, "%s/rows.csv", tmp);
    FILE *f = fopen(csv, "w");
    ck_assert_ptr_nonnull(f);
    fputs("name,submit_s,gpus,model,iterations,global_batch,min_gpus,"
          "max_gpus\n"
          "g12,0,12,gpt3-1.3b,20,16,8,16\n"
          "g16,1,16,gpt3-1.3b,20,,8,16\n"
          "none,2,12,gpt3-1.3b,20,,9,15\n",
          f);
    fclose(f);
    snprintf(work, sizeof work,
             "  kind: trace\n"
             "  format: dcsim\n"
             "  path: %s\n"
             "  models: " TOP "/workloads/models\n",
             csv);
    cluster(clu, sizeof clu, 2);
    write_scenario(path, sizeof path, tmp, "rows", clu, work, NULL);
    snprintf(out, sizeof out, "%s/rows-out", tmp);
    const char *args[] = {"run", path, "--out", out, NULL};
    char *so, *se;
    ck_assert_int_eq(run_dcsim(args, &so, &se), 0);
    ck_assert_msg(strstr(se, "dropped: no elastic size fits 1"), "%s", se);
    free(so);
    free(se);
    dcs_table_t tr = table(out, "training.csv");
    ck_assert_int_eq(tr.nrows, 2);
    size_t a = row_where(&tr, "name", "g12"), b = row_where(&tr, "name", "g16");
    ck_assert_double_eq(num(&tr, a, "gpus"), 8);
    ck_assert_double_eq(num(&tr, a, "dp"), 1);
    ck_assert_double_eq(num(&tr, a, "global_batch"), 16);
    ck_assert_double_eq(num(&tr, b, "gpus"), 16);
    ck_assert_double_eq(num(&tr, b, "dp"), 2);
    ck_assert_double_eq(num(&tr, b, "global_batch"), 2);
    dcs_table_free(&tr);
    remove_tree(tmp);
}
END_TEST

/* One of the growth cases below: on two nodes of 8 H100s with 100 Gb/s
 * links, the elastic policy with `resize_s`, `first` (8 GPUs, node 0) and
 * `el` (`el_row` in a trace of fixed jobs when `fixed_trace` names the
 * file, else a training job of 2,000 iterations, tp 8, global batch 4,
 * elastic in [8, 16]), both at 0. Returns el's and first's jobs.csv rows
 * through the pointers (el's end, resizes, gpus; first's end). */
typedef struct grown {
    double el_end_s, first_end_s;
    int resizes, gpus;
} grown_t;

static grown_t run_growth(const char *dir, const char *name, double resize_s,
                          const char *fixed_trace)
{
    char clu[512], path[512], out[512], sched[128],
        work[2048] = "  kind: training\n  jobs:\n";
    cluster_at(clu, sizeof clu, 2, 100);
    if (fixed_trace) {
        snprintf(work, sizeof work,
                 "  kind: trace\n  format: dcsim\n  path: %s\n", fixed_trace);
    } else {
        job(work, sizeof work, "first", "dp: 1, global_batch: 8, seq: 1024",
            300, NULL);
        job(work, sizeof work, "el", "dp: 1, global_batch: 4", 2000,
            "      min_gpus: 8\n      max_gpus: 16\n");
    }
    snprintf(sched, sizeof sched, "  policy: elastic\n  resize_s: %g\n",
             resize_s);
    write_scenario(path, sizeof path, dir, name, clu, work, sched);
    snprintf(out, sizeof out, "%s/%s-out", dir, name);
    run_ok(path, out);
    dcs_table_t jobs = table(out, "jobs.csv");
    size_t e, f;
    if (fixed_trace) {
        e = row_where(&jobs, "name", "el");
        f = row_where(&jobs, "name", "first");
    } else {
        dcs_table_t tr = table(out, "training.csv");
        e = row_where(&jobs, "job_id",
                      text(&tr, row_where(&tr, "name", "el"), "job_id"));
        f = row_where(&jobs, "job_id",
                      text(&tr, row_where(&tr, "name", "first"), "job_id"));
        dcs_table_free(&tr);
    }
    ck_assert_str_eq(text(&jobs, e, "state"), "done");
    assert_near(num(&jobs, e, "start_time_s"), 0, 0);
    grown_t g = {num(&jobs, e, "end_time_s"), num(&jobs, f, "end_time_s"),
                 (int)num(&jobs, e, "resizes"), (int)num(&jobs, e, "gpus")};
    dcs_table_free(&jobs);
    return g;
}

START_TEST(test_growth_judged_by_the_training_model)
{
    /* gpt3-1.3b, tp 8, global batch 4 on links of 100 Gb/s: at dp 2 the
     * all-reduce crosses the slow fabric and eats most of what halving
     * the micro-batches per replica saves, so T_B (dp 2, 16 GPUs) is
     * barely below T_A (dp 1, 8 GPUs); both from runs of the plan alone,
     * not elastic. `el` starts on 8 GPUs at 0 beside `first`; when
     * `first` ends at t1 it has n = 2,000 - floor(t1 / T_A) iterations
     * left and 8 GPUs are free. Linear scaling says growing pays when
     * n T_A / 2 + resize_s < n T_A; the training model, when n T_B +
     * resize_s < n T_A. With resize_s 30 (between n (T_A - T_B) and
     * n T_A / 2) the training job stays on 8 and ends at 2,000 T_A, while
     * a fixed job of the same numbers (run time 2,000 T_A on 8 GPUs,
     * elastic in [8, 16], beside a fixed `first` of t1) grows at t1 and
     * ends at t1 + 30 + (2,000 T_A - t1) / 2. With resize_s 5 (below
     * n (T_A - T_B)) the training job grows too, and ends at t1 + 5 +
     * n T_B. */
    char tmp[64], csv[512];
    make_tmpdir(tmp, sizeof tmp);
    alone_t a = run_alone_at(tmp, "dp1", "dp: 1, global_batch: 4", 100);
    alone_t b = run_alone_at(tmp, "dp2", "dp: 2, global_batch: 4", 100);
    ck_assert(b.iteration_s < a.iteration_s);
    ck_assert(b.iteration_s > 0.9 * a.iteration_s); /* barely faster */

    grown_t stay = run_growth(tmp, "stay", 30, NULL);
    double t1 = stay.first_end_s;
    double n = 2000 - floor(t1 / a.iteration_s);
    ck_assert(n < 2000 && n > 1000);
    /* the case is the one meant: linear says grow, the model says stay */
    ck_assert(n * a.iteration_s / 2 + 30 < n * a.iteration_s);
    ck_assert(n * b.iteration_s + 30 > n * a.iteration_s);
    ck_assert_int_eq(stay.resizes, 0);
    ck_assert_int_eq(stay.gpus, 8);
    assert_near(stay.el_end_s, 2000 * a.iteration_s, 1e-6);

    /* the same numbers as fixed jobs: linear scaling, it grows */
    snprintf(csv, sizeof csv, "%s/fixed.csv", tmp);
    FILE *f = fopen(csv, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f,
            "name,submit_s,gpus,duration_s,min_gpus,max_gpus\n"
            "first,0,8,%.9f,,\n"
            "el,0,8,%.9f,8,16\n",
            t1, 2000 * a.iteration_s);
    fclose(f);
    grown_t fixed = run_growth(tmp, "fixed", 30, csv);
    assert_near(fixed.first_end_s, t1, 1e-9);
    ck_assert_int_eq(fixed.resizes, 1);
    ck_assert_int_eq(fixed.gpus, 16);
    assert_near(fixed.el_end_s, t1 + 30 + (2000 * a.iteration_s - t1) / 2,
                1e-6);

    /* a resize cheap enough for the model: the training job grows */
    ck_assert(n * b.iteration_s + 5 < n * a.iteration_s);
    grown_t grow = run_growth(tmp, "grow", 5, NULL);
    assert_near(grow.first_end_s, t1, 1e-9);
    ck_assert_int_eq(grow.resizes, 1);
    ck_assert_int_eq(grow.gpus, 16);
    assert_near(grow.el_end_s, t1 + 5 + n * b.iteration_s, 1e-6);
    remove_tree(tmp);
}
END_TEST

/* Iteration time (s) of gpt3-1.3b, tp 8, global batch 4 at data-parallel
 * degree `dp`, priced alone as a job that is not elastic on `env`. */
static double priced_alone(const dcs_training_env_t *env, const dcs_model_t *m,
                           int dp)
{
    dcs_training_t u;
    dcs_training_init(&u, env);
    dcs_training_spec_t s = {
        .name = "alone", .team = "t", .model = m, .iterations = 10};
    dcs_training_plan_defaults(&s.plan, m);
    s.plan.tp = 8;
    s.plan.dp = dp;
    s.plan.global_batch = 4;
    dcs_training_fault_t fault;
    dcs_err_t err = {""};
    int64_t k = dcs_training_add(&u, &s, &fault, &err);
    ck_assert_msg(k >= 0, "%s", err.msg);
    double it = u.jobs[k].step.total_s;
    dcs_training_destroy(&u);
    return it;
}

START_TEST(test_left_at_is_iterations_left_times_iteration)
{
    /* Two nodes of 8 H100s, 12.5 GB/s per GPU on the fabric. An elastic
     * job (tp 8, global batch 4, [8, 16], 2,000 iterations) can run at 8
     * (dp 1) and 16 (dp 2), at T1 and T2 each, priced apart as jobs that
     * are not elastic. Before it starts its work left at n GPUs is 2,000
     * T_n; 12 GPUs is no size of it (negative). Started at 0 on 8 GPUs
     * (fifo) and looked at k + 1/2 iterations in (k = 700), it has done k:
     * 1,300 T1 at 8, 1,300 T2 at 16 (asked twice: the second from the
     * cache). It then runs to 2,000 T1, unchanged by the asking. */
    dcs_device_spec_t dev;
    dcs_err_t err = {""};
    ck_assert_msg(dcs_device_load(TOP, "h100-sxm", &dev, &err) == 0, "%s",
                  err.msg);
    dcs_model_t m = load_model(MODEL "gpt3-1.3b.yaml");
    dcs_training_env_t env = {
        .device = &dev, .gpus = 16, .gpus_per_node = 8, .nic_bw = 12.5e9};
    double t1 = priced_alone(&env, &m, 1), t2 = priced_alone(&env, &m, 2);
    ck_assert(t1 > 0 && t2 > 0 && t2 != t1);

    sched_world_t w;
    ck_assert_int_eq(sw_init(&w, 2, 8, &dcs_policy_fifo, &dcs_placement_pack),
                     0);
    dcs_training_t t;
    dcs_training_init(&t, &env);
    dcs_training_spec_t s = {.name = "el",
                             .team = "t",
                             .model = &m,
                             .iterations = 2000,
                             .min_gpus = 8,
                             .max_gpus = 16,
                             .gpus = 8};
    dcs_training_plan_defaults(&s.plan, &m);
    s.plan.tp = 8;
    s.plan.global_batch = 4;
    dcs_training_fault_t fault;
    int64_t k = dcs_training_add(&t, &s, &fault, &err);
    ck_assert_msg(k >= 0, "%s", err.msg);

    dcs_job_t before;
    memset(&before, 0, sizeof before);
    dcs_training_as_job(&t, (size_t)k, &before);
    ck_assert_ptr_nonnull(before.kind->left_at_ns);
    ck_assert_int_eq(before.kind->left_at_ns(&before, 8, 0),
                     dcs_time_from_s(2000 * t1));
    ck_assert_int_eq(before.kind->left_at_ns(&before, 16, 0),
                     dcs_time_from_s(2000 * t2));
    ck_assert_int_lt(before.kind->left_at_ns(&before, 12, 0), 0);

    ck_assert_int_eq(
        dcs_training_start(&t, w.sim, 1, &w.jobs, dcs_sched_submit, &w.sched),
        0);
    dcs_time_t now = dcs_time_from_s(700.5 * t1);
    dcs_sim_run(w.sim, now);
    ck_assert_int_eq(w.jobs.len, 1);
    dcs_job_t *job = w.jobs.items[0];
    ck_assert_int_eq(job->state, DCS_JOB_RUNNING);
    ck_assert_int_eq(job->gpus, 8);
    for (int again = 0; again < 2; again++) {
        ck_assert_int_eq(job->kind->left_at_ns(job, 8, now),
                         dcs_time_from_s(1300 * t1));
        ck_assert_int_eq(job->kind->left_at_ns(job, 16, now),
                         dcs_time_from_s(1300 * t2));
    }
    sw_run(&w);
    ck_assert_int_eq(job->state, DCS_JOB_DONE);
    assert_near(dcs_time_to_s(job->end_ns), 2000 * t1, 1e-6);
    dcs_training_destroy(&t);
    sw_free(&w);
}
END_TEST

/* Writes a scenario whose one job has the elastic keys `keys` (each on
 * its own line, indented as job keys), runs it through the command: exit
 * 2, nothing written, and stderr holds FILE:LINE:COL of `field`'s value
 * (its line found in the file) and `want`. */
static void expect_bad(const char *dir, const char *name, const char *keys,
                       const char *field, const char *want)
{
    char clu[512], path[512], out[512],
        work[1024] = "  kind: training\n"
                     "  jobs:\n";
    cluster(clu, sizeof clu, 2);
    job(work, sizeof work, "el", "dp: 1, global_batch: 8", 10, keys);
    write_scenario(path, sizeof path, dir, name, clu, work, NULL);
    /* where the field's value is: FILE:LINE:COL */
    size_t len;
    char *text_ = slurp(path, &len), key[64], at[600];
    snprintf(key, sizeof key, "      %s: ", field);
    char *hit = strstr(text_, key);
    ck_assert_ptr_nonnull(hit);
    int line = 1;
    for (const char *p = text_; p < hit; p++)
        line += *p == '\n';
    snprintf(at, sizeof at, "%s:%d:%zu: field 'workload.jobs[0].%s'", path,
             line, strlen(key) + 1, field);
    free(text_);
    snprintf(out, sizeof out, "%s/%s-out", dir, name);
    const char *args[] = {"run", path, "--out", out, NULL};
    char *so, *se;
    ck_assert_int_eq(run_dcsim(args, &so, &se), 2);
    ck_assert_msg(strstr(se, at), "'%s' not in: %s", at, se);
    ck_assert_msg(strstr(se, want), "'%s' not in: %s", want, se);
    ck_assert_msg(!exists(out), "%s was created", out);
    free(so);
    free(se);
}

START_TEST(test_bad_elastic_bounds)
{
    /* The plan asks for tp 8 x dp 1 = 8 GPUs. */
    char tmp[64];
    make_tmpdir(tmp, sizeof tmp);
    expect_bad(tmp, "min-only", "      min_gpus: 8\n", "min_gpus",
               "an elastic job gives both 'min_gpus' and 'max_gpus'");
    expect_bad(tmp, "max-only", "      max_gpus: 16\n", "max_gpus",
               "an elastic job gives both 'min_gpus' and 'max_gpus'");
    expect_bad(tmp, "min-above", "      min_gpus: 16\n      max_gpus: 16\n",
               "min_gpus",
               "expected min_gpus <= tp x cp x pp x dp = 8 <= max_gpus, "
               "found 16 and 16");
    expect_bad(tmp, "max-below", "      min_gpus: 4\n      max_gpus: 4\n",
               "max_gpus",
               "expected min_gpus <= tp x cp x pp x dp = 8 <= max_gpus, "
               "found 4 and 4");
    expect_bad(tmp, "zero", "      min_gpus: 0\n      max_gpus: 16\n",
               "min_gpus", "expected an integer in [1, 16777216], found '0'");
    expect_bad(tmp, "word", "      min_gpus: 8\n      max_gpus: many\n",
               "max_gpus",
               "expected an integer in [1, 16777216], found 'many'");
    expect_bad(tmp, "half", "      min_gpus: 8\n      max_gpus: 12.5\n",
               "max_gpus",
               "expected an integer in [1, 16777216], found '12.5'");
    remove_tree(tmp);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("elastic_training");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_grown_priced_at_each_size);
    tcase_add_test(tc, test_shrunk_then_grown);
    tcase_add_test(tc, test_size_the_plan_cannot_take_never_chosen);
    tcase_add_test(tc, test_sizes_are_those_the_plan_takes);
    tcase_add_test(tc, test_elastic_trace_rows);
    tcase_add_test(tc, test_bad_elastic_bounds);
    tcase_add_test(tc, test_growth_judged_by_the_training_model);
    tcase_add_test(tc, test_left_at_is_iterations_left_times_iteration);
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
