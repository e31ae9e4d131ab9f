/* test_sched.c - the scheduler, FIFO, pack placement and job energy.
 *
 * Invariants, on cases worked out by hand:
 * - FIFO starts the oldest job as soon as it fits and lets nothing overtake
 *   it, even a job that would fit now (head-of-line blocking);
 * - a job's energy is its GPUs' busy power x its run time; the fleet's GPU
 *   energy is the integral of the piecewise-constant total power;
 * - pack placement puts a job on the fullest node that fits, and spreads a
 *   larger job over the emptiest nodes first;
 * - on a fleet of two pools, a job whose gpu_type names a pool runs on
 *   that pool's GPUs only, and a job that names none on one pool, never
 *   across two, even when enough GPUs are free across them;
 * - a fixed job's run takes its duration / the speed of the pool it lands
 *   on, a preempted job keeps the work it did at that pace, and its energy
 *   is each run's time x its pool's busy power. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/placements_c.h"
#include "cluster/sched.h"
#include "engine/sim.h"
#include "sched_world.h"

#define S(x) ((dcs_time_t)((x)*DCS_NS_PER_S))

static dcs_fleet_spec_t small_spec(int nodes, int gpus_per_node)
{
    dcs_fleet_spec_t spec;
    memset(&spec, 0, sizeof spec);
    strcpy(spec.name, "test");
    strcpy(spec.device.name, "dev");
    spec.device.tdp_w = 500;
    spec.device.idle_power_w = 100;
    spec.device.busy_power_w = 400;
    spec.nodes = nodes;
    spec.gpus_per_node = gpus_per_node;
    spec.host_power_w = 0;
    return spec;
}

typedef struct world {
    dcs_sim_t *sim;
    dcs_fleet_t fleet;
    dcs_sched_t sched;
    dcs_jobs_t jobs;
} world_t;

static void submit_event(dcs_sim_t *sim, void *obj, int64_t arg)
{
    world_t *w = obj;
    dcs_job_t *job = w->jobs.items[arg];
    job->state = DCS_JOB_QUEUED;
    job->submit_ns = dcs_sim_now(sim);
    dcs_sched_submit(&w->sched, sim, job);
}

static void add_job(world_t *w, double submit_s, int gpus, double run_s)
{
    dcs_job_t *job = dcs_jobs_add(&w->jobs, (int64_t)w->jobs.len);
    job->gpus = gpus;
    job->duration_ns = S(run_s);
    dcs_sim_at(w->sim, S(submit_s), submit_event, w, job->id);
}

START_TEST(test_fifo_blocking_and_energy)
{
    /* One node of 4 GPUs; idle 100 W, busy 400 W.
     *   J0 at 0 s: 2 GPUs for 10 s -> runs [0, 10)
     *   J1 at 1 s: 4 GPUs for 5 s  -> waits for J0: runs [10, 15)
     *   J2 at 2 s: 1 GPU for 3 s   -> fits at 2 s, but FIFO keeps it behind
     *                                 J1: runs [15, 18)
     * GPU power: [0,10) 2x400+2x100 = 1000 W; [10,15) 4x400 = 1600 W;
     *            [15,18) 400+3x100 = 700 W.
     * Energy 10 s x 1000 + 5 x 1600 + 3 x 700 = 20,100 J. */
    world_t w = {0};
    w.sim = dcs_sim_new();
    dcs_fleet_spec_t spec = small_spec(1, 4);
    ck_assert_int_eq(
        dcs_fleet_init(&w.fleet, &spec, dcs_power_model_two_level(), S(5)), 0);
    ck_assert_int_eq(dcs_sched_init(&w.sched, &w.fleet, &dcs_policy_fifo,
                                    &dcs_placement_pack),
                     0);
    add_job(&w, 0, 2, 10);
    add_job(&w, 1, 4, 5);
    add_job(&w, 2, 1, 3);
    dcs_sim_run(w.sim, DCS_TIME_NEVER);
    dcs_time_t end = dcs_sim_now(w.sim);
    ck_assert_int_eq(end, S(18));
    dcs_fleet_finish(&w.fleet, end);
    dcs_sched_finish(&w.sched, end);

    dcs_time_t start[3] = {S(0), S(10), S(15)}, stop[3] = {S(10), S(15), S(18)};
    double energy[3] = {2 * 400.0 * 10, 4 * 400.0 * 5, 1 * 400.0 * 3};
    for (int i = 0; i < 3; i++) {
        dcs_job_t *job = w.jobs.items[i];
        ck_assert_int_eq(job->state, DCS_JOB_DONE);
        ck_assert_int_eq(job->start_ns, start[i]);
        ck_assert_int_eq(job->end_ns, stop[i]);
        ck_assert_double_eq_tol(job->energy_j, energy[i], 1e-6);
    }
    ck_assert_double_eq_tol(w.fleet.node_gpu_power_w[0].total, 20100.0, 1e-6);
    /* Per 5 s interval: [0,5) 5000 J, [5,10) 5000, [10,15) 8000, [15,18) 2100.
     */
    ck_assert_double_eq_tol(dcs_tally_bin(&w.fleet.node_gpu_power_w[0], 0),
                            5000.0, 1e-6);
    ck_assert_double_eq_tol(dcs_tally_bin(&w.fleet.node_gpu_power_w[0], 2),
                            8000.0, 1e-6);
    ck_assert_double_eq_tol(dcs_tally_bin(&w.fleet.node_gpu_power_w[0], 3),
                            2100.0, 1e-6);
    /* Busy GPU-seconds: 2x10 + 4x5 + 1x3 = 43; queue: J1 waits [1,10), J2
     * waits [2,15): 9 + 13 = 22 job-seconds. */
    ck_assert_double_eq_tol(w.sched.busy_gpus_tally.total, 43.0, 1e-9);
    ck_assert_double_eq_tol(w.sched.queue_tally.total, 22.0, 1e-9);
    /* Device-seconds by state add up to GPUs x time: 4 x 18 = 72. */
    double idle_s = w.fleet.node_states[DCS_DEV_IDLE].total;
    double compute_s = w.fleet.node_states[DCS_DEV_COMPUTE].total;
    ck_assert_double_eq_tol(compute_s, 43.0, 1e-9);
    ck_assert_double_eq_tol(idle_s + compute_s, 72.0, 1e-9);

    dcs_sched_destroy(&w.sched);
    dcs_fleet_destroy(&w.fleet);
    dcs_jobs_destroy(&w.jobs);
    dcs_sim_free(w.sim);
}
END_TEST

static void place(const dcs_alloc_t *a, int gpus, int *out)
{
    ck_assert_int_eq(
        dcs_placement_pack.place(&dcs_placement_pack, a, gpus, out), 0);
}

START_TEST(test_pack_placement)
{
    dcs_alloc_t a;
    int ids[8];
    ck_assert_int_eq(dcs_alloc_init(&a, 2, 4), 0);
    /* 3 GPUs: both nodes have 4 free; tie -> node 0, GPUs 0,1,2. */
    place(&a, 3, ids);
    ck_assert_int_eq(ids[0], 0);
    ck_assert_int_eq(ids[2], 2);
    dcs_alloc_take(&a, ids, 3);
    /* 1 GPU: node 0 (1 free) is fuller than node 1 (4 free) -> GPU 3. */
    place(&a, 1, ids);
    ck_assert_int_eq(ids[0], 3);
    /* 2 GPUs: only node 1 fits -> 4, 5. */
    place(&a, 2, ids);
    ck_assert_int_eq(ids[0], 4);
    ck_assert_int_eq(ids[1], 5);
    /* 5 GPUs: no node fits; spread over node 1 (4 free) then node 0 (1). */
    place(&a, 5, ids);
    int expect[5] = {4, 5, 6, 7, 3};
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(ids[i], expect[i]);
    /* 6 GPUs with 5 free: impossible. */
    ck_assert_int_eq(dcs_placement_pack.place(&dcs_placement_pack, &a, 6, ids),
                     -1);
    dcs_alloc_release(&a, (int[]){0, 1, 2}, 3);
    ck_assert_int_eq(a.free_gpus, 8);
    ck_assert_int_eq(a.node_free[0], 4);
    dcs_alloc_destroy(&a);
}
END_TEST

/* A policy for the test: the newest queued job first; when it does not
 * fit, the oldest running job is stopped to make room. */
static long newest_pick(const dcs_policy_t *p, const dcs_sched_view_t *v,
                        int *gpus)
{
    (void)p;
    (void)gpus;
    if (v->queue_len == 0)
        return -1;
    long i = (long)v->queue_len - 1;
    return v->fits(v, v->queue[i], 0) ? i : -1;
}

static long newest_preempt(const dcs_policy_t *p, const dcs_sched_view_t *v)
{
    (void)p;
    if (v->queue_len == 0 || v->fits(v, v->queue[v->queue_len - 1], 0))
        return -1;
    long oldest = -1;
    for (size_t i = 0; i < v->running_len; i++)
        if (v->running[i]->id < v->queue[v->queue_len - 1]->id &&
            (oldest < 0 || v->running[i]->id < v->running[oldest]->id))
            oldest = (long)i;
    return oldest;
}

static const dcs_policy_t newest = {"newest",       "test", newest_pick,
                                    newest_preempt, NULL,   NULL};

START_TEST(test_preemption_keeps_work)
{
    /* One node of 2 GPUs; stopping costs a 1 s save and a 2 s restore.
     *   J0 at 0 s: 2 GPUs for 10 s -> runs [0, 4), stopped for J1;
     *   J1 at 4 s: 2 GPUs for 3 s  -> runs [4, 7);
     *   J0 again at 7 s: 1 + 2 s to resume, then its last 6 s -> ends 16.
     * J0 held its GPUs 4 + 9 = 13 s: 2 x 400 W x 13 s = 10,400 J. */
    sched_world_t w;
    ck_assert_int_eq(sw_init(&w, 1, 2, &newest, &dcs_placement_pack), 0);
    w.sched.save_ns = SW_S(1);
    w.sched.restore_ns = SW_S(2);
    sw_add(&w, 0, 2, 10);
    sw_add(&w, 4, 2, 3);
    sw_run(&w);
    dcs_job_t *j0 = w.jobs.items[0], *j1 = w.jobs.items[1];
    ck_assert_double_eq_tol(sw_start_s(&w, 0), 0, 1e-9);
    ck_assert_double_eq_tol(sw_end_s(&w, 0), 16, 1e-9);
    ck_assert_double_eq_tol(sw_start_s(&w, 1), 4, 1e-9);
    ck_assert_double_eq_tol(sw_end_s(&w, 1), 7, 1e-9);
    ck_assert_int_eq(j0->preemptions, 1);
    ck_assert_int_eq(j1->preemptions, 0);
    ck_assert_int_eq(w.sched.preemptions, 1);
    ck_assert_int_eq(j0->attained_ns, SW_S(13));
    ck_assert_double_eq_tol(j0->attained_gpu_s, 26, 1e-9);
    ck_assert_double_eq_tol(j0->energy_j, 2 * 400.0 * 13, 1e-6);
    /* busy GPU-seconds 26 + 6; J0 queued [4, 7) */
    ck_assert_double_eq_tol(w.sched.busy_gpus_tally.total, 32, 1e-9);
    ck_assert_double_eq_tol(w.sched.queue_tally.total, 3, 1e-9);
    sw_free(&w);
}
END_TEST

/* Asserts that `job`'s GPUs all lie in [lo, hi]. */
static void expect_gpus_in(const dcs_job_t *job, int lo, int hi)
{
    for (int i = 0; i < job->gpus; i++)
        ck_assert_msg(job->gpu_ids[i] >= lo && job->gpu_ids[i] <= hi,
                      "job %lld has GPU %d, expected %d..%d",
                      (long long)job->id, job->gpu_ids[i], lo, hi);
}

START_TEST(test_typed_job_lands_on_its_pool)
{
    /* Pool A: nodes 0, 1 (GPUs 0-3); pool B: node 2 (GPUs 4, 5). FIFO,
     * all at 0 s, 10 s each:
     *   J0 "A", 2 GPUs -> node 0, 0, 1;  J1 "B", 2 GPUs -> 4, 5;
     *   J2 "b" (case does not matter), 1 GPU: B is full; 2 GPUs of A are
     *   free but not its model: it waits for J1, starts at 10 on 4;
     *   J3 (none), 2 GPUs: behind J2 (FIFO); at 10 A has 4 free, B 1:
     *   A, node 0 (pack's best fit, lowest index) -> 0, 1. */
    sched_world_t w;
    ck_assert_int_eq(
        sw_init_mixed(&w, 2, 1, 2, 1, &dcs_policy_fifo, &dcs_placement_pack),
        0);
    strcpy(sw_add(&w, 0, 2, 10)->gpu_type, "A");
    strcpy(sw_add(&w, 0, 2, 10)->gpu_type, "B");
    strcpy(sw_add(&w, 0, 1, 10)->gpu_type, "b");
    sw_add(&w, 0, 2, 10);
    sw_run(&w);
    dcs_job_t **j = w.jobs.items;
    ck_assert_int_eq(j[0]->gpu_model, 0);
    ck_assert_int_eq(j[2]->gpu_model, 1);
    ck_assert_int_eq(j[3]->gpu_model, -1);
    expect_gpus_in(j[0], 0, 3);
    expect_gpus_in(j[1], 4, 5);
    ck_assert_double_eq_tol(sw_start_s(&w, 2), 10, 1e-9);
    ck_assert_int_eq(j[2]->gpu_ids[0], 4);
    ck_assert_double_eq_tol(sw_start_s(&w, 3), 10, 1e-9);
    ck_assert_int_eq(j[3]->gpu_ids[0], 0);
    ck_assert_int_eq(j[3]->gpu_ids[1], 1);
    /* Energy at each pool's busy power: 2 x 400 W x 10 s on A, 1 x 200 W
     * x 10 s on B. */
    ck_assert_double_eq_tol(j[0]->energy_j, 8000, 1e-6);
    ck_assert_double_eq_tol(j[2]->energy_j, 2000, 1e-6);
    sw_free(&w);
}
END_TEST

START_TEST(test_untyped_job_never_spans_pools)
{
    /* Pools A and B of one node of 2 GPUs each. J0 "A" holds GPU 0 for
     * 100 s, J1 "B" GPU 2 for 50 s. J2 (no type) asks for 2 GPUs at 1 s:
     * two are free (1 and 3) but on two models, so it waits for J1's end
     * and starts at 50 s on B: 2, 3. (One model of 2 nodes would start it
     * at 1 s across both.) */
    sched_world_t w;
    ck_assert_int_eq(
        sw_init_mixed(&w, 1, 1, 2, 1, &dcs_policy_fifo, &dcs_placement_spread),
        0);
    strcpy(sw_add(&w, 0, 1, 100)->gpu_type, "A");
    strcpy(sw_add(&w, 0, 1, 50)->gpu_type, "B");
    sw_add(&w, 1, 2, 10);
    sw_run(&w);
    ck_assert_double_eq_tol(sw_start_s(&w, 2), 50, 1e-9);
    ck_assert_double_eq_tol(sw_end_s(&w, 2), 60, 1e-9);
    expect_gpus_in(w.jobs.items[2], 2, 3);
    sw_free(&w);
}
END_TEST

START_TEST(test_speed_sets_run_time)
{
    /* Pools A (speed 1) and B (speed 0.8), one node of 2 GPUs each. Two
     * 100 s jobs of 2 GPUs at 0 s: on A it ends at 100 s; on B at 100 /
     * 0.8 = 125 s, drawing 2 x 200 W x 125 s = 50,000 J. */
    sched_world_t w;
    ck_assert_int_eq(
        sw_init_mixed(&w, 1, 1, 2, 0.8, &dcs_policy_fifo, &dcs_placement_pack),
        0);
    strcpy(sw_add(&w, 0, 2, 100)->gpu_type, "B");
    strcpy(sw_add(&w, 0, 2, 100)->gpu_type, "A");
    sw_run(&w);
    ck_assert_double_eq_tol(sw_end_s(&w, 0), 125, 1e-9);
    ck_assert_double_eq_tol(sw_end_s(&w, 1), 100, 1e-9);
    ck_assert_double_eq(w.jobs.items[0]->speed, 0.8);
    ck_assert_double_eq_tol(w.jobs.items[0]->energy_j, 50000, 1e-6);
    sw_free(&w);
}
END_TEST

static void preempt_first(dcs_sim_t *sim, void *obj, int64_t arg)
{
    sched_world_t *w = obj;
    (void)arg;
    dcs_sched_preempt(&w->sched, sim, w->jobs.items[0]);
    dcs_sched_kick(&w->sched, sim);
}

START_TEST(test_preempted_job_keeps_work_at_its_speed)
{
    /* Pool A: node 0 (GPUs 0, 1), speed 1; pool B: nodes 1, 2 (GPUs 2-5),
     * speed 2. FIFO, no save or restore cost.
     *   J0 (no type), 2 GPUs, 100 s of work, at 0 s: B has the most free
     *   (4 vs 2) -> node 1, GPUs 2, 3, at speed 2.
     *   J1 "B", 2 GPUs, 10 s, at 20 s -> node 2, GPUs 4, 5: 5 s, ends 25.
     *   J0 stopped at 20 s: it did 20 s x 2 = 40 s of work, 60 s left.
     *   It resumes at once; A and B have 2 free each: A (lower index), at
     *   speed 1: 60 s -> ends at 80 s.
     * J0's energy: 20 s x 2 x 200 W on B + 60 s x 2 x 400 W on A =
     * 8,000 + 48,000 J. */
    sched_world_t w;
    ck_assert_int_eq(
        sw_init_mixed(&w, 1, 2, 2, 2, &dcs_policy_fifo, &dcs_placement_pack),
        0);
    sw_add(&w, 0, 2, 100);
    strcpy(sw_add(&w, 20, 2, 10)->gpu_type, "B");
    dcs_sim_at(w.sim, SW_S(20), preempt_first, &w, 0); /* after J1 arrives */
    sw_run(&w);
    dcs_job_t *j0 = w.jobs.items[0];
    ck_assert_double_eq_tol(sw_end_s(&w, 1), 25, 1e-9);
    expect_gpus_in(w.jobs.items[1], 4, 5);
    ck_assert_int_eq(j0->preemptions, 1);
    ck_assert_double_eq_tol(sw_end_s(&w, 0), 80, 1e-9);
    expect_gpus_in(j0, 0, 1);
    ck_assert_double_eq(j0->speed, 1);
    ck_assert_double_eq_tol(j0->energy_j, 56000, 1e-6);
    sw_free(&w);
}
END_TEST

START_TEST(test_registries)
{
    ck_assert_ptr_eq(dcs_policy_find("fifo"), &dcs_policy_fifo);
    ck_assert_ptr_null(dcs_policy_find("lifo"));
    ck_assert_ptr_eq(dcs_placement_find("pack"), &dcs_placement_pack);
    ck_assert_ptr_null(dcs_placement_find("random"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sched");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_fifo_blocking_and_energy);
    tcase_add_test(tc, test_pack_placement);
    tcase_add_test(tc, test_registries);
    tcase_add_test(tc, test_preemption_keeps_work);
    tcase_add_test(tc, test_typed_job_lands_on_its_pool);
    tcase_add_test(tc, test_untyped_job_never_spans_pools);
    tcase_add_test(tc, test_speed_sets_run_time);
    tcase_add_test(tc, test_preempted_job_keeps_work_at_its_speed);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
