/* test_policy_elastic.c - resizing running elastic jobs
 * (dcs_sched_resize) and the elastic policy.
 *
 * Invariants, each on a small trace whose schedule is worked out by hand in
 * the test's comment (GPUs draw 400 W busy and 100 W idle, sched_world.h):
 * - a resize keeps the work done, pays resize_s, and scales the work left
 *   by old / new GPUs: a job's GPU-seconds are its work plus the resize
 *   costs, and its energy is its GPU-seconds x 400 W;
 * - a resize during an unpaid overhead carries that overhead over;
 * - shrinking gives back GPUs from the node where the job holds the
 *   fewest; growing places the extra GPUs and keeps the old ones; the free
 *   GPU counts, the hooks and the tallies follow;
 * - a resize the scheduler cannot make changes nothing, and so does one
 *   to a size the job's kind cannot take (dcs_job_kind_t.can_run_at),
 *   which the elastic policy never starts, grows or shrinks a job to;
 * - on a mixed fleet a job grows on the pool it runs on and its work is
 *   kept and scaled at that pool's speed;
 * - the elastic policy starts the oldest job (at up to max_gpus when it
 *   waits alone), shrinks running jobs (largest surplus first, by what the
 *   head lacks) to start it, grows them (oldest first) into idle GPUs when
 *   nothing waits or the head cannot start anyway, and only when growing
 *   ends the job sooner;
 * - a policy that resizes the same job back and forth is stopped by the
 *   scheduler's budget;
 * - the registry finds the policy. */
#include <check.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/params.h"
#include "cluster/policies_d.h"
#include "sched_world.h"

#define TOL 1e-9

static void expect_run(const sched_world_t *w, size_t i, double start_s,
                       double end_s)
{
    ck_assert_msg(fabs(sw_start_s(w, i) - start_s) < TOL,
                  "job %zu: first start %.9f s, expected %g s", i,
                  sw_start_s(w, i), start_s);
    ck_assert_msg(fabs(sw_end_s(w, i) - end_s) < TOL,
                  "job %zu: end %.9f s, expected %g s", i, sw_end_s(w, i),
                  end_s);
    ck_assert_int_eq(w->jobs.items[i]->state, DCS_JOB_DONE);
}

/* An elastic job: `gpus` requested within [min, max], `run_s` at `gpus`. */
static dcs_job_t *add_elastic(sched_world_t *w, double submit_s, int gpus,
                              int min, int max, double run_s)
{
    dcs_job_t *job = sw_add(w, submit_s, gpus, run_s);
    job->min_gpus = min;
    job->max_gpus = max;
    return job;
}

/* Every GPU's energy from 0 to the end of the run. */
static double fleet_energy_j(const sched_world_t *w)
{
    double e = 0;
    dcs_time_t end = dcs_sim_now(w->sim);
    for (int g = 0; g < w->fleet.ngpus; g++)
        e += dcs_fleet_gpu_energy_j(&w->fleet, g, end);
    return e;
}

static void expect_job(const sched_world_t *w, size_t i, int gpus, int resizes,
                       double gpu_s)
{
    const dcs_job_t *j = w->jobs.items[i];
    ck_assert_int_eq(j->gpus, gpus);
    ck_assert_int_eq(j->resizes, resizes);
    ck_assert_msg(fabs(j->attained_gpu_s - gpu_s) < 1e-6,
                  "job %zu: %.9f GPU-s, expected %g", i, j->attained_gpu_s,
                  gpu_s);
    ck_assert_msg(fabs(j->energy_j - gpu_s * 400) < 1e-3,
                  "job %zu: %.6f J, expected %g", i, j->energy_j, gpu_s * 400);
}

/* ---- dcs_sched_resize by hand --------------------------------------- */

/* Resizes asked for at given times, what each returned, and the state
 * right after it. */
typedef struct resize_plan {
    sched_world_t *w;
    size_t job;
    int to[8];
    int rc[8];
    int ids[8][8]; /* the job's GPUs after the call */
    int node_free[8][2];
    int held[8]; /* GPUs the hooks think are held */
    int held_now;
} resize_plan_t;

static void on_resize(dcs_sim_t *sim, void *obj, int64_t k)
{
    resize_plan_t *p = obj;
    dcs_job_t *job = p->w->jobs.items[p->job];
    p->rc[k] = dcs_sched_resize(&p->w->sched, sim, job, p->to[k]);
    for (int i = 0; i < job->gpus && i < 8; i++)
        p->ids[k][i] = job->gpu_ids[i];
    for (int n = 0; n < p->w->sched.alloc.nodes && n < 2; n++)
        p->node_free[k][n] = p->w->sched.alloc.node_free[n];
    p->held[k] = p->held_now;
    dcs_sched_kick(&p->w->sched, sim);
}

static void hook_started(void *ctx, const dcs_job_t *job, dcs_time_t now)
{
    (void)now;
    ((resize_plan_t *)ctx)->held_now += job->gpus;
}

static void hook_ended(void *ctx, const dcs_job_t *job, dcs_time_t now)
{
    (void)now;
    ((resize_plan_t *)ctx)->held_now -= job->gpus;
}

static void plan_at(resize_plan_t *p, double at_s, int k, int to)
{
    p->to[k] = to;
    dcs_sim_at(p->w->sim, SW_S(at_s), on_resize, p, k);
}

START_TEST(test_resize_by_hand)
{
    /* Two nodes of 4 GPUs, FIFO, pack, no resize cost.
     *   J0 at 0: 3 GPUs 1 s -> node 0, GPUs 0 1 2.
     *   J1 at 0: elastic [1, 8], 4 GPUs for 11 s (44 GPU-s) -> node 1
     *       (the fullest with room for 4), GPUs 4 5 6 7.
     * 0.5: J1 -> 6: only 1 GPU free: DCS_ESTATE, nothing changes.
     * 1:   J0 ends.
     * 2:   J1 -> 6: 8 GPU-s done, 36 left = 6 s at 6; the 2 extra GPUs go
     *      to the fullest node with room, node 0: GPUs 0 1.
     * 3:   J1 -> 5: 6 GPU-s done, 30 left = 6 s at 5; the GPU given back
     *      is on node 0, where it holds 2 (node 1: 4): the higher, GPU 1.
     * 5:   J1 -> 4: 10 GPU-s done, 20 left = 5 s at 4; GPU 0 goes back.
     * 10:  J1 ends: 8 + 6 + 10 + 20 = 44 GPU-s, 3 resizes.
     * Energy: J0 3 x 1 x 400 = 1,200 J; J1 44 x 400 = 17,600 J; the
     * fleet: 8 GPUs x 10 s = 80 GPU-s, 47 busy, 33 idle x 100 W: 22,100 J.
     * Invalid calls (same size, outside the bounds, a rigid job) return
     * DCS_EINVAL. */
    sched_world_t w;
    ck_assert_int_eq(sw_init(&w, 2, 4, &dcs_policy_fifo, &dcs_placement_pack),
                     0);
    resize_plan_t p = {.w = &w, .job = 1};
    w.sched.hooks =
        (dcs_sched_hooks_t){&p, NULL, NULL, hook_started, hook_ended, NULL};
    sw_add(&w, 0, 3, 1);
    add_elastic(&w, 0, 4, 1, 8, 11);
    plan_at(&p, 0.5, 0, 6);
    plan_at(&p, 2, 1, 6);
    plan_at(&p, 3, 2, 5);
    plan_at(&p, 5, 3, 4);
    plan_at(&p, 6, 4, 4); /* its own size */
    plan_at(&p, 6, 5, 9); /* above max_gpus */
    sw_run(&w);
    ck_assert_int_eq(p.rc[0], DCS_ESTATE);
    ck_assert_int_eq(p.ids[0][0], 4);
    ck_assert_int_eq(p.node_free[0][0], 1);
    ck_assert_int_eq(p.node_free[0][1], 0);
    ck_assert_int_eq(p.held[0], 7);
    ck_assert_int_eq(p.rc[1], 0);
    int after_grow[6] = {4, 5, 6, 7, 0, 1};
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(p.ids[1][i], after_grow[i]);
    ck_assert_int_eq(p.node_free[1][0], 2);
    ck_assert_int_eq(p.held[1], 6);
    ck_assert_int_eq(p.rc[2], 0);
    int after_shrink[5] = {4, 5, 6, 7, 0};
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(p.ids[2][i], after_shrink[i]);
    ck_assert_int_eq(p.node_free[2][0], 3);
    ck_assert_int_eq(p.held[2], 5);
    ck_assert_int_eq(p.rc[3], 0);
    ck_assert_int_eq(p.node_free[3][0], 4);
    ck_assert_int_eq(p.node_free[3][1], 0);
    ck_assert_int_eq(p.held[3], 4);
    ck_assert_int_eq(p.rc[4], DCS_EINVAL);
    ck_assert_int_eq(p.rc[5], DCS_EINVAL);
    expect_run(&w, 0, 0, 1);
    expect_run(&w, 1, 0, 10);
    expect_job(&w, 0, 3, 0, 3);
    expect_job(&w, 1, 4, 3, 44);
    ck_assert_int_eq(w.jobs.items[1]->attained_ns, SW_S(10));
    ck_assert_int_eq(w.sched.resizes, 3);
    ck_assert_int_eq(p.held_now, 0);
    ck_assert_int_eq(w.sched.alloc.free_gpus, 8);
    ck_assert_double_eq_tol(fleet_energy_j(&w), 22100, 1e-3);
    /* The busy-GPU tally: 47 GPU-s over the run. */
    ck_assert_double_eq_tol(w.sched.busy_gpus_tally.total, 47, 1e-6);
    sw_free(&w);
}
END_TEST

/* Resizes on a mixed fleet, and what each saw right after it. */
typedef struct mixed_plan {
    sched_world_t *w;
    int to[2], rc[2];
    dcs_time_t expect_end[2];
    int ids[2][4];
} mixed_plan_t;

static void on_mixed_resize(dcs_sim_t *sim, void *obj, int64_t k)
{
    mixed_plan_t *p = obj;
    dcs_job_t *job = p->w->jobs.items[0];
    p->rc[k] = dcs_sched_resize(&p->w->sched, sim, job, p->to[k]);
    p->expect_end[k] = job->expect_end_ns;
    for (int i = 0; i < job->gpus && i < 4; i++)
        p->ids[k][i] = job->gpu_ids[i];
}

START_TEST(test_resize_on_its_pool_at_its_speed)
{
    /* Pool A: node 0 (GPUs 0, 1), speed 1; pool B: nodes 1, 2 (GPUs 2-5),
     * speed 2. FIFO, pack, no resize cost.
     *   J0 (no type), elastic [1, 6], 2 GPUs, 100 s of work at 2: B has
     *   the most free (4 vs 2) -> node 1, GPUs 2, 3, at speed 2.
     * 10 s: J0 -> 4. It did 10 s x 2 = 20 s of work at 2 GPUs; 80 s left
     *   at 2 = 40 s at 4 = 20 s at speed 2: it ends at 30 s, and expects
     *   to. The 2 extra GPUs stay on B: node 2, GPUs 4, 5 (pack alone
     *   would take node 0's, the lower node, on A).
     * 15 s: J0 -> 6: A has 2 free, B none: DCS_ESTATE, nothing changes.
     * GPU-seconds: 20 + 80 = 100; energy 10 s x 2 x 200 W + 20 s x 4 x
     * 200 W = 20,000 J. */
    sched_world_t w;
    ck_assert_int_eq(
        sw_init_mixed(&w, 1, 2, 2, 2, &dcs_policy_fifo, &dcs_placement_pack),
        0);
    mixed_plan_t p = {.w = &w, .to = {4, 6}};
    add_elastic(&w, 0, 2, 1, 6, 100);
    dcs_sim_at(w.sim, SW_S(10), on_mixed_resize, &p, 0);
    dcs_sim_at(w.sim, SW_S(15), on_mixed_resize, &p, 1);
    sw_run(&w);
    dcs_job_t *j0 = w.jobs.items[0];
    ck_assert_int_eq(p.rc[0], 0);
    int ids[4] = {2, 3, 4, 5};
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(p.ids[0][i], ids[i]);
    ck_assert_int_eq(p.expect_end[0], SW_S(30));
    ck_assert_int_eq(p.rc[1], DCS_ESTATE);
    ck_assert_int_eq(p.expect_end[1], SW_S(30));
    ck_assert_double_eq_tol(sw_end_s(&w, 0), 30, 1e-9);
    ck_assert_double_eq(j0->speed, 2);
    ck_assert_int_eq(j0->resizes, 1);
    ck_assert_double_eq_tol(j0->attained_gpu_s, 100, 1e-6);
    ck_assert_double_eq_tol(j0->energy_j, 20000, 1e-3);
    sw_free(&w);
}
END_TEST

START_TEST(test_resize_rigid_refused)
{
    /* A rigid job cannot be resized: DCS_EINVAL, and it runs as it was. */
    sched_world_t w;
    ck_assert_int_eq(sw_init(&w, 1, 8, &dcs_policy_fifo, &dcs_placement_pack),
                     0);
    resize_plan_t p = {.w = &w, .job = 0};
    sw_add(&w, 0, 4, 10);
    plan_at(&p, 2, 0, 8);
    sw_run(&w);
    ck_assert_int_eq(p.rc[0], DCS_EINVAL);
    expect_run(&w, 0, 0, 10);
    expect_job(&w, 0, 4, 0, 40);
    sw_free(&w);
}
END_TEST

START_TEST(test_resize_cost_carried_over)
{
    /* One node of 8 GPUs, FIFO, resize_s 2.
     *   J0 at 0: elastic [2, 8], 4 GPUs for 10 s (40 GPU-s): [0, ...).
     * 1: -> 8: 4 GPU-s done, 36 left = 4.5 s at 8, after 2 s of resizing:
     *    expected end 7.5.
     * 2: -> 4 while still resizing (1 s of it owed): no work done; 36 GPU-s
     *    = 9 s at 4, after 2 + 1 = 3 s: ends at 14.
     * GPU-s: 4 x 1 + 8 x 1 + 4 x 12 = 60 = 40 of work + 8 + 12 of
     * resizing. */
    sched_world_t w;
    ck_assert_int_eq(sw_init(&w, 1, 8, &dcs_policy_fifo, &dcs_placement_pack),
                     0);
    w.sched.params.resize_ns = SW_S(2);
    resize_plan_t p = {.w = &w, .job = 0};
    add_elastic(&w, 0, 4, 2, 8, 10);
    plan_at(&p, 1, 0, 8);
    plan_at(&p, 2, 1, 4);
    sw_run(&w);
    ck_assert_int_eq(p.rc[0], 0);
    ck_assert_int_eq(p.rc[1], 0);
    expect_run(&w, 0, 0, 14);
    expect_job(&w, 0, 4, 2, 60);
    sw_free(&w);
}
END_TEST

/* ---- sizes a job's kind cannot take --------------------------------- */

/* Fixed jobs that run only on multiples of 4 GPUs (as a training plan
 * whose tp x pp is 4 would). */
static int multiple_of_4(const dcs_job_t *job, int gpus)
{
    (void)job;
    return gpus % 4 == 0;
}

static dcs_job_kind_t kind_by_4(void)
{
    dcs_job_kind_t k = dcs_job_kind_fixed;
    k.name = "by4";
    k.can_run_at = multiple_of_4;
    return k;
}

START_TEST(test_resize_to_size_kind_refuses)
{
    /* One node of 8 GPUs, FIFO. J0: elastic [2, 8], 4 GPUs for 10 s (40
     * GPU-s), of a kind that takes multiples of 4 only.
     * 2: -> 6 (in its bounds, free GPUs enough): DCS_EINVAL, nothing
     *    changes: still 4 GPUs, 4 free.
     * 3: -> 8: 12 GPU-s done, 28 left = 3.5 s at 8: ends at 6.5. */
    static dcs_job_kind_t by4;
    by4 = kind_by_4();
    sched_world_t w;
    ck_assert_int_eq(sw_init(&w, 1, 8, &dcs_policy_fifo, &dcs_placement_pack),
                     0);
    resize_plan_t p = {.w = &w, .job = 0};
    add_elastic(&w, 0, 4, 2, 8, 10)->kind = &by4;
    plan_at(&p, 2, 0, 6);
    plan_at(&p, 3, 1, 8);
    sw_run(&w);
    ck_assert_int_eq(p.rc[0], DCS_EINVAL);
    ck_assert_int_eq(p.node_free[0][0], 4);
    ck_assert_int_eq(p.rc[1], 0);
    expect_run(&w, 0, 0, 6.5);
    expect_job(&w, 0, 8, 1, 40);
    sw_free(&w);
}
END_TEST

/* Every size a job started or was resized to. */
typedef struct sizes_seen {
    int n, gpus[16];
} sizes_seen_t;

static void saw_start(void *ctx, const dcs_job_t *job, dcs_time_t now)
{
    sizes_seen_t *s = ctx;
    (void)now;
    if (job->id == 1 && s->n < 16)
        s->gpus[s->n++] = job->gpus;
}

START_TEST(test_elastic_only_sizes_kind_takes)
{
    /* One node of 8 GPUs, the elastic policy, no resize cost. J1 is
     * elastic [2, 8], 4 GPUs, 80 GPU-s, of a kind taking multiples of 4.
     *   J0 at 0: rigid 2 GPUs for 10 s.
     *   J1 at 0: waits alone; 6 free, but 6 and 5 it cannot take: 4
     *       (20 s at 4, expected end 20).
     *   10: J0 ends, 4 free: J1 (40 GPU-s left) grows to 8, ends at 15.
     *   J2 at 12: rigid 3 GPUs for 2 s: none free, J1's surplus (8 - 4)
     *       makes room: a shrink by 3 to 5 it cannot take, so to 4 (56
     *       GPU-s done, 24 left = 6 s at 4, expected end 18); J2 [12, 14).
     *   14: J2 ends, 4 free: J1 (8 left at 4 = 2 s at 8) grows to 8, ends
     *       at 16.
     * J1's sizes: 4, 8, 4, 8; GPU-s 4 x 10 + 8 x 2 + 4 x 2 + 8 x 2 = 80. */
    static dcs_job_kind_t by4;
    by4 = kind_by_4();
    sched_world_t w;
    ck_assert_int_eq(
        sw_init(&w, 1, 8, &dcs_policy_elastic, &dcs_placement_pack), 0);
    sizes_seen_t seen = {0};
    w.sched.hooks =
        (dcs_sched_hooks_t){&seen, NULL, NULL, saw_start, NULL, NULL};
    sw_add(&w, 0, 2, 10);
    add_elastic(&w, 0, 4, 2, 8, 20)->kind = &by4;
    sw_add(&w, 12, 3, 2);
    sw_run(&w);
    expect_run(&w, 0, 0, 10);
    expect_run(&w, 1, 0, 16);
    expect_run(&w, 2, 12, 14);
    expect_job(&w, 1, 8, 3, 80);
    int want[4] = {4, 8, 4, 8};
    ck_assert_int_eq(seen.n, 4);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(seen.gpus[i], want[i]);
    sw_free(&w);
}
END_TEST

/* ---- the elastic policy --------------------------------------------- */

START_TEST(test_elastic_shrink_for_head_then_grow)
{
    /* One node of 8 GPUs, resize_s 1.
     *   J0 at 0: elastic [2, 8], 4 GPUs for 20 s (80 GPU-s).
     *   J1 at 2: rigid 4 GPUs for 5 s.
     * 0: J0 waits alone: starts on all 8 (its max): 10 s, expected end 10.
     * 2: J1 needs 4, none free; J0's surplus is 6: J0 shrinks by 4 to 4
     *    (16 GPU-s done, 64 left = 16 s at 4, + 1 s: ends 19). J1: [2, 7).
     * 7: nothing waits, 4 free: J0 has 12 s left at 4 = 6 s at 8, + 1 s =
     *    7 s < 12: it grows to 8 and ends at 14.
     * J0: 8 x 2 + 4 x 5 + 8 x 7 = 92 GPU-s (80 of work, 4 + 8 of
     * resizing), 2 resizes; J1 20 GPU-s. All 8 GPUs busy over [0, 14]:
     * 112 GPU-s x 400 W = 44,800 J, J0's 36,800 J plus J1's 8,000 J. */
    sched_world_t w;
    ck_assert_int_eq(
        sw_init(&w, 1, 8, &dcs_policy_elastic, &dcs_placement_pack), 0);
    w.sched.params.resize_ns = SW_S(1);
    add_elastic(&w, 0, 4, 2, 8, 20);
    sw_add(&w, 2, 4, 5);
    sw_run(&w);
    expect_run(&w, 0, 0, 14);
    expect_run(&w, 1, 2, 7);
    expect_job(&w, 0, 8, 2, 92);
    expect_job(&w, 1, 4, 0, 20);
    ck_assert_int_eq(w.sched.resizes, 2);
    ck_assert_int_eq(w.sched.preemptions, 0);
    ck_assert_double_eq_tol(fleet_energy_j(&w), 44800, 1e-3);
    sw_free(&w);
}
END_TEST

/* J0 at 0: rigid 4 GPUs 10 s; J1 at 0: elastic [2, 8], 2 GPUs for 40 s. */
static void add_grow_trace(sched_world_t *w)
{
    sw_add(w, 0, 4, 10);
    add_elastic(w, 0, 2, 2, 8, 40);
}

START_TEST(test_elastic_grows_when_free)
{
    /* One node of 8 GPUs, no resize cost.
     * 0: J0 [0, 10); J1 waits alone: the 4 free GPUs (below its max):
     *    80 GPU-s = 20 s at 4, expected end 20.
     * 10: J0 ends; nothing waits: J1 (10 s left at 4 = 5 s at 8) grows to
     *     8 and ends at 15.
     * J1: 4 x 10 + 8 x 5 = 80 GPU-s; all GPUs busy over [0, 15]: 120 GPU-s
     * x 400 W = 48,000 J. */
    sched_world_t w;
    ck_assert_int_eq(
        sw_init(&w, 1, 8, &dcs_policy_elastic, &dcs_placement_pack), 0);
    add_grow_trace(&w);
    sw_run(&w);
    expect_run(&w, 0, 0, 10);
    expect_run(&w, 1, 0, 15);
    expect_job(&w, 1, 8, 1, 80);
    ck_assert_double_eq_tol(fleet_energy_j(&w), 48000, 1e-3);
    sw_free(&w);
}
END_TEST

START_TEST(test_elastic_growth_must_pay)
{
    /* As above with resize_s 100: at 10, J1 would need 5 + 100 s instead
     * of its 10: it stays on 4 and ends at 20. 120 GPU-s busy, 8 x 20 -
     * 120 = 40 idle: 48,000 + 4,000 = 52,000 J. */
    sched_world_t w;
    ck_assert_int_eq(
        sw_init(&w, 1, 8, &dcs_policy_elastic, &dcs_placement_pack), 0);
    w.sched.params.resize_ns = SW_S(100);
    add_grow_trace(&w);
    sw_run(&w);
    expect_run(&w, 1, 0, 20);
    expect_job(&w, 1, 4, 0, 80);
    ck_assert_int_eq(w.sched.resizes, 0);
    ck_assert_double_eq_tol(fleet_energy_j(&w), 52000, 1e-3);
    sw_free(&w);
}
END_TEST

START_TEST(test_elastic_grows_when_head_cannot_start)
{
    /* One node of 8 GPUs, no resize cost.
     *   J0 at 0: rigid 6 GPUs 10 s; J1 at 0: elastic [1, 4], 2 GPUs 20 s
     *   (40 GPU-s); J2 at 1: rigid 8 GPUs 1 s; J3 at 2: rigid 1 GPU 1 s.
     * 0: J0 [0, 10); J1 alone: the 2 free GPUs: 20 s, expected end 20.
     * 1: J2 needs 8: 0 free + J1's surplus 1 < 8: nothing to do.
     * 2: J3 waits behind J2 (FIFO: it fits, but is not the head).
     * 10: J0 ends: 6 free + 1 < 8, so J2 cannot start anyway: J1 grows by
     *     min(4 - 2, 6) = 2 to 4: 10 s left at 2 = 5 s at 4, ends 15.
     * 15: J2 [15, 16).  16: J3 [16, 17).
     * (Without growth J2 would start at 20.) */
    sched_world_t w;
    ck_assert_int_eq(
        sw_init(&w, 1, 8, &dcs_policy_elastic, &dcs_placement_pack), 0);
    sw_add(&w, 0, 6, 10);
    add_elastic(&w, 0, 2, 1, 4, 20);
    sw_add(&w, 1, 8, 1);
    sw_add(&w, 2, 1, 1);
    sw_run(&w);
    expect_run(&w, 0, 0, 10);
    expect_run(&w, 1, 0, 15);
    expect_run(&w, 2, 15, 16);
    expect_run(&w, 3, 16, 17);
    expect_job(&w, 1, 4, 1, 40);
    sw_free(&w);
}
END_TEST

START_TEST(test_elastic_largest_surplus_first)
{
    /* One node of 8 GPUs, no resize cost.
     *   J0 at 0: elastic [2, 6], 4 GPUs 24 s (96 GPU-s);
     *   J1 at 0: elastic [1, 2], 2 GPUs 10 s (20 GPU-s);
     *   J2 at 1: rigid 5 GPUs 3 s.
     * 0: J0 alone: 6 (its max): 16 s. J1 alone: the 2 left: 10 s.
     * 1: J2 needs 5, 0 free; surplus J0 4 + J1 1 = 5: J0 (the largest)
     *    shrinks by 4 to 2 (6 GPU-s done, 90 left = 45 s: end 46); then J1
     *    by 1 to 1 (2 done, 18 left = 18 s: end 19). J2: [1, 4).
     * 4: nothing waits, 5 free. The oldest first: J0 grows by 4 to 6 (84
     *    GPU-s left = 14 s < 42: ends 18); then J1 by 1 to 2 (15 GPU-s
     *    left = 7.5 s < 15: ends 11.5).
     * J0: 6 + 2 x 3 + 6 x 14 = 96 GPU-s; J1: 2 + 1 x 3 + 2 x 7.5 = 20.
     * Busy GPU-s 96 + 20 + 15 = 131, idle 2 x 6.5 = 13 over [11.5, 18]:
     * 131 x 400 + 13 x 100 = 53,700 J. */
    sched_world_t w;
    ck_assert_int_eq(
        sw_init(&w, 1, 8, &dcs_policy_elastic, &dcs_placement_pack), 0);
    add_elastic(&w, 0, 4, 2, 6, 24);
    add_elastic(&w, 0, 2, 1, 2, 10);
    sw_add(&w, 1, 5, 3);
    sw_run(&w);
    expect_run(&w, 0, 0, 18);
    expect_run(&w, 1, 0, 11.5);
    expect_run(&w, 2, 1, 4);
    expect_job(&w, 0, 6, 2, 96);
    expect_job(&w, 1, 2, 2, 20);
    expect_job(&w, 2, 5, 0, 15);
    ck_assert_double_eq_tol(fleet_energy_j(&w), 53700, 1e-3);
    sw_free(&w);
}
END_TEST

START_TEST(test_elastic_head_at_its_min)
{
    /* One node of 8 GPUs, no resize cost.
     *   J0 at 0: elastic [4, 8], 8 GPUs 10 s (80 GPU-s);
     *   J1 at 1: elastic [2, 6], 6 GPUs 4 s (24 GPU-s); J2 at 1: rigid 1
     *   GPU 1 s.
     * 0: J0 alone: 8, 10 s.
     * 1: J1 (head; J2 behind it) wants 6, at least 2; free 0, surplus 4:
     *    not enough for 6, enough for 2: J0 shrinks by 2 to 6 (8 GPU-s
     *    done, 72 left = 12 s: end 13); J1 starts on the 2 free: 24 GPU-s
     *    = 12 s, end 13. Then J2 arrives: J0 and J1 may not be resized
     *    again at this instant, nothing is free: J2 waits.
     * 13: J0 ends: J2 [13, 14); J1 would gain nothing by growing (it ends
     *     now too).
     */
    sched_world_t w;
    ck_assert_int_eq(
        sw_init(&w, 1, 8, &dcs_policy_elastic, &dcs_placement_pack), 0);
    add_elastic(&w, 0, 8, 4, 8, 10);
    add_elastic(&w, 1, 6, 2, 6, 4);
    sw_add(&w, 1, 1, 1);
    sw_run(&w);
    expect_run(&w, 0, 0, 13);
    expect_run(&w, 1, 1, 13);
    expect_run(&w, 2, 13, 14);
    expect_job(&w, 0, 6, 1, 80);
    expect_job(&w, 1, 2, 0, 24);
    sw_free(&w);
}
END_TEST

/* ---- thrashing -------------------------------------------------------- */

/* A broken policy: FIFO that resizes the first running job to the other
 * end of its bounds every time it is asked. */
static long flip_pick(const dcs_policy_t *p, const dcs_sched_view_t *v,
                      int *gpus)
{
    (void)p;
    (void)gpus;
    return v->queue_len > 0 && v->fits(v, v->queue[0], 0) ? 0 : -1;
}

static long flip_resize(const dcs_policy_t *p, const dcs_sched_view_t *v,
                        int *gpus)
{
    (void)p;
    if (v->running_len == 0)
        return -1;
    const dcs_job_t *j = v->running[0];
    *gpus = j->gpus == j->min_gpus ? j->max_gpus : j->min_gpus;
    return 0;
}

static const dcs_policy_t flip = {"flip", "test", flip_pick,
                                  NULL,   NULL,   flip_resize};

START_TEST(test_thrashing_policy_aborts)
{
    sched_world_t w;
    ck_assert_int_eq(sw_init(&w, 1, 8, &flip, &dcs_placement_pack), 0);
    add_elastic(&w, 0, 4, 2, 8, 10);
    sw_run(&w); /* aborts: the decision's budget runs out */
    sw_free(&w);
}
END_TEST

/* ---- the scheduler key ---------------------------------------------- */

static int read_params(const char *text, dcs_policy_params_t *p, dcs_err_t *err)
{
    dcs_cfg_t *cfg = dcs_cfg_load_string("s.yaml", text, err);
    ck_assert_ptr_nonnull(cfg);
    dcs_time_t save, restore;
    int rc =
        dcs_sched_params_read(dcs_cfg_root(cfg), 8, p, &save, &restore, err);
    dcs_cfg_free(cfg);
    return rc;
}

START_TEST(test_resize_key)
{
    dcs_policy_params_t p;
    dcs_err_t err;
    ck_assert_int_eq(read_params("policy: elastic\n", &p, &err), 0);
    ck_assert_int_eq(p.resize_ns, 0);
    ck_assert_int_eq(read_params("resize_s: 45.5\n", &p, &err), 0);
    ck_assert_int_eq(p.resize_ns, SW_S(45.5));
    /* `resize_s: -1`: the value at column 11. */
    ck_assert_int_eq(read_params("resize_s: -1\n", &p, &err), DCS_EINPUT);
    ck_assert_str_eq(err.msg, "s.yaml:1:11: field 'resize_s': expected a "
                              "number in [0, 1e+06], found '-1'");
}
END_TEST

START_TEST(test_registry_elastic)
{
    ck_assert_ptr_eq(dcs_policy_find("elastic"), &dcs_policy_elastic);
    ck_assert_ptr_nonnull(dcs_policy_elastic.resize);
    ck_assert_ptr_null(dcs_policy_elastic.preempt);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("policy_elastic");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_resize_by_hand);
    tcase_add_test(tc, test_resize_on_its_pool_at_its_speed);
    tcase_add_test(tc, test_resize_rigid_refused);
    tcase_add_test(tc, test_resize_cost_carried_over);
    tcase_add_test(tc, test_resize_to_size_kind_refuses);
    tcase_add_test(tc, test_elastic_only_sizes_kind_takes);
    tcase_add_test(tc, test_elastic_shrink_for_head_then_grow);
    tcase_add_test(tc, test_elastic_grows_when_free);
    tcase_add_test(tc, test_elastic_growth_must_pay);
    tcase_add_test(tc, test_elastic_grows_when_head_cannot_start);
    tcase_add_test(tc, test_elastic_largest_surplus_first);
    tcase_add_test(tc, test_elastic_head_at_its_min);
    tcase_add_test_raise_signal(tc, test_thrashing_policy_aborts, SIGABRT);
    tcase_add_test(tc, test_resize_key);
    tcase_add_test(tc, test_registry_elastic);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
