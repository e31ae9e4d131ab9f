/* test_policy_a.c - SJF, SRTF, EASY backfilling and priority classes.
 *
 * Invariants, each on a small trace whose schedule is worked out by hand in
 * the test's comment:
 * - SJF starts the shortest expected run that fits, ties to the job
 *   submitted first, and plans with the estimates only when told to (a bad
 *   estimate then changes the order);
 * - SRTF stops the longest-remaining jobs, one at a time, only when that
 *   makes room for a strictly shorter job, and the stopped job resumes with
 *   its work kept, paying the checkpoint save and restore;
 * - EASY backfills a job that ends by the head's reservation or fits in the
 *   extra GPUs, never one that would delay the head, and the head starts at
 *   its reservation;
 * - priority holds a team to its quota, keeps another team's reservation
 *   free, lets no class block a lower one that can start, and preempts the
 *   lowest, most recent preemptible job of a lower class for a higher one;
 * - SRTF and priority, which count GPUs, never stop and restart the same
 *   job for ever when the placement refuses what the count promised;
 * - the registry finds each policy by name. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/policies_a.h"
#include "sched_world.h"

#define TOL 1e-9

static void expect_run(const sched_world_t *w, size_t i, double start_s,
                       double end_s)
{
    ck_assert_msg(fabs(sw_start_s(w, i) - start_s) < TOL,
                  "job %zu: first start %g s, expected %g s", i,
                  sw_start_s(w, i), start_s);
    ck_assert_msg(fabs(sw_end_s(w, i) - end_s) < TOL,
                  "job %zu: end %g s, expected %g s", i, sw_end_s(w, i), end_s);
    ck_assert_int_eq(w->jobs.items[i]->state, DCS_JOB_DONE);
}

/* Preemptions in the order they happen, from the scheduler's end hook
 * (which a stopped job reaches queued again). */
typedef struct stops {
    int64_t id[8];
    double at_s[8];
    int n;
} stops_t;

static void record_stop(void *ctx, const dcs_job_t *job, dcs_time_t now)
{
    stops_t *s = ctx;
    if (job->state == DCS_JOB_QUEUED && s->n < 8) {
        s->id[s->n] = job->id;
        s->at_s[s->n++] = dcs_time_to_s(now);
    }
}

/* A placement for the tests: a job goes on one node only, the fullest
 * that has room (lowest index on ties), so GPUs free on two nodes may not
 * be enough for it. */
static int one_node_place(const dcs_placement_t *placement,
                          const dcs_alloc_t *a, int gpus, int *out)
{
    (void)placement;
    int best = -1;
    for (int n = 0; n < a->nodes; n++)
        if (a->node_free[n] >= gpus &&
            (best < 0 || a->node_free[n] < a->node_free[best]))
            best = n;
    if (best < 0 || gpus <= 0)
        return -1;
    int got = 0;
    for (int g = best * a->gpus_per_node; got < gpus; g++)
        if (!a->taken[g])
            out[got++] = g;
    return 0;
}

static int one_node_fits(const dcs_placement_t *placement, const dcs_alloc_t *a,
                         int gpus)
{
    (void)placement;
    return gpus > 0 && dcs_alloc_max_node_free(a) >= gpus;
}

static const dcs_placement_t one_node = {"one-node", "test", one_node_place,
                                         one_node_fits};

/* ---- SJF ----------------------------------------------------------- */

/* One node of 4 GPUs; J3 carries an estimate of 20 s (truly 1 s).
 *   J0 at 0: 4 GPUs 10 s; J1 at 1: 2 GPUs 8 s; J2 at 2: 2 GPUs 3 s;
 *   J3 at 3: 4 GPUs 1 s; J4 at 4: 4 GPUs 3 s. */
static void add_sjf_trace(sched_world_t *w)
{
    sw_add(w, 0, 4, 10);
    sw_add(w, 1, 2, 8);
    sw_add(w, 2, 2, 3);
    sw_add(w, 3, 4, 1)->estimate_ns = SW_S(20);
    sw_add(w, 4, 4, 3);
}

START_TEST(test_sjf_oracle)
{
    /* Without use_estimates the estimate is ignored.
     *   0: J0 runs [0, 10); the others queue behind it.
     *  10: queued J1 8 s, J2 3 s, J3 1 s, J4 3 s: J3 is shortest and fits
     *      (4 free) -> [10, 11).
     *  11: J2 and J4 tie at 3 s: J2, submitted first -> [11, 14); J4 needs
     *      4 GPUs, 2 are free; J1 fits -> [11, 19) (a longer job overtakes
     *      J4: no head-of-line blocking).
     *  14: 2 free, J4 still waits.  19: J4 -> [19, 22). */
    sched_world_t w;
    ck_assert_int_eq(sw_init(&w, 1, 4, &dcs_policy_sjf, &dcs_placement_pack),
                     0);
    add_sjf_trace(&w);
    sw_run(&w);
    expect_run(&w, 0, 0, 10);
    expect_run(&w, 1, 11, 19);
    expect_run(&w, 2, 11, 14);
    expect_run(&w, 3, 10, 11);
    expect_run(&w, 4, 19, 22);
    ck_assert_int_eq(w.sched.preemptions, 0);
    sw_free(&w);
}
END_TEST

START_TEST(test_sjf_bad_estimate)
{
    /* With use_estimates J3 looks 20 s long (no other job gives one, so
     * theirs are their durations).
     *  10: J1 8, J2 3, J3 20, J4 3: J2 (tie with J4, submitted first)
     *      -> [10, 13); J4 does not fit in 2; J1 does -> [10, 18).
     *  13: 2 free; J4 and J3 need 4.
     *  18: 4 free: J4 (3) before J3 (20) -> [18, 21).
     *  21: J3 -> [21, 22): first under the oracle, last here. */
    sched_world_t w;
    ck_assert_int_eq(sw_init(&w, 1, 4, &dcs_policy_sjf, &dcs_placement_pack),
                     0);
    w.sched.params.use_estimates = 1;
    add_sjf_trace(&w);
    sw_run(&w);
    expect_run(&w, 0, 0, 10);
    expect_run(&w, 1, 10, 18);
    expect_run(&w, 2, 10, 13);
    expect_run(&w, 3, 21, 22);
    expect_run(&w, 4, 18, 21);
    sw_free(&w);
}
END_TEST

/* ---- SRTF ---------------------------------------------------------- */

START_TEST(test_srtf_preempt_and_resume)
{
    /* One node of 2 GPUs; a stop costs a 1 s save and a 2 s restore.
     *   J0 at 0: 2 GPUs 10 s; J1 at 4: 2 GPUs 3 s; J2 at 5: 2 GPUs 5 s;
     *   J3 at 13: 2 GPUs 8 s.
     *   0: J0 runs, expected end 10.
     *   4: J1 (3 s) < J0's 6 s left: J0 is stopped (6 s of work kept,
     *      3 s of save + restore to pay: its expected run is now 9 s);
     *      J1 -> [4, 7).
     *   5: J2 (5 s) is not shorter than J1's 2 s left: it waits.
     *   7: queued J0 9 s, J2 5 s: J2 -> [7, 12).
     *  12: J0 resumes: 3 s overhead + 6 s of work -> ends 21.
     *  13: J3 (8 s) is not strictly shorter than J0's 21 - 13 = 8 s left:
     *      no preemption; J3 -> [21, 29).
     * J0 ran 4 + 9 = 13 s. */
    sched_world_t w;
    ck_assert_int_eq(sw_init(&w, 1, 2, &dcs_policy_srtf, &dcs_placement_pack),
                     0);
    w.sched.save_ns = SW_S(1);
    w.sched.restore_ns = SW_S(2);
    sw_add(&w, 0, 2, 10);
    sw_add(&w, 4, 2, 3);
    sw_add(&w, 5, 2, 5);
    sw_add(&w, 13, 2, 8);
    sw_run(&w);
    expect_run(&w, 0, 0, 21);
    expect_run(&w, 1, 4, 7);
    expect_run(&w, 2, 7, 12);
    expect_run(&w, 3, 21, 29);
    ck_assert_int_eq(w.jobs.items[0]->preemptions, 1);
    ck_assert_int_eq(w.jobs.items[0]->attained_ns, SW_S(13));
    ck_assert_int_eq(w.jobs.items[0]->start_ns, SW_S(12));
    ck_assert_int_eq(w.sched.preemptions, 1);
    sw_free(&w);
}
END_TEST

START_TEST(test_srtf_only_when_room)
{
    /* One node of 4 GPUs, no save or restore cost.
     *   J0 at 0: 1 GPU 20 s; J1 at 0: 1 GPU 30 s; J2 at 0: 2 GPUs 2 s;
     *   J3 at 1: 4 GPUs 4 s.
     *   0: all three start (4 GPUs).
     *   1: J3 needs 4; jobs with more than 4 s left: J1 (29) and J0 (19),
     *      2 GPUs; J2 (1 s left) is shorter: 0 free + 2 < 4, nothing is
     *      stopped.
     *   2: J2 ends, 2 free: stopping J1 and J0 makes 4: J1 (longest) is
     *      stopped, then J0; J3 -> [2, 6).
     *   6: J0 (18 s left) -> [6, 24); J1 (28 s left) -> [6, 34). */
    sched_world_t w;
    stops_t stops = {0};
    ck_assert_int_eq(sw_init(&w, 1, 4, &dcs_policy_srtf, &dcs_placement_pack),
                     0);
    w.sched.hooks.ctx = &stops;
    w.sched.hooks.ended = record_stop;
    sw_add(&w, 0, 1, 20);
    sw_add(&w, 0, 1, 30);
    sw_add(&w, 0, 2, 2);
    sw_add(&w, 1, 4, 4);
    sw_run(&w);
    expect_run(&w, 0, 0, 24);
    expect_run(&w, 1, 0, 34);
    expect_run(&w, 2, 0, 2);
    expect_run(&w, 3, 2, 6);
    ck_assert_int_eq(stops.n, 2);
    ck_assert_int_eq(stops.id[0], 1);
    ck_assert_int_eq(stops.id[1], 0);
    ck_assert_double_eq_tol(stops.at_s[0], 2, TOL);
    ck_assert_double_eq_tol(stops.at_s[1], 2, TOL);
    sw_free(&w);
}
END_TEST

START_TEST(test_srtf_placement_refuses)
{
    /* SRTF counts GPUs; here the placement wants one node. Two nodes of
     * 2 GPUs, no save or restore cost.
     *   A at 0: 1 GPU 100 s -> node 0;  X at 0: 1 GPU 3 s -> node 0;
     *   C at 0: 1 GPU 100 s -> node 1;  Y at 0: 1 GPU 3 s -> node 1;
     *   J at 1: 2 GPUs 5 s.
     *   1: stopping C and A (99 s left) counts 2 GPUs for J: both stop,
     *      but their GPUs lie on two nodes and J does not fit. A and C
     *      start again at once (99 s left), and having just resumed are
     *      not stopped again at 1 (else: stopped and restarted for ever).
     *   3: X ends (node 0: A): C (97 s left) is stopped, then A; node 0 is
     *      empty: J -> [3, 8) there; A resumes on node 1 beside Y; Y ends
     *      and C resumes there: A and C end at 3 + 97 = 100. */
    sched_world_t w;
    ck_assert_int_eq(sw_init(&w, 2, 2, &dcs_policy_srtf, &one_node), 0);
    sw_add(&w, 0, 1, 100); /* A */
    sw_add(&w, 0, 1, 3);   /* X */
    sw_add(&w, 0, 1, 100); /* C */
    sw_add(&w, 0, 1, 3);   /* Y */
    sw_add(&w, 1, 2, 5);   /* J */
    sw_run(&w);
    expect_run(&w, 0, 0, 100);
    expect_run(&w, 1, 0, 3);
    expect_run(&w, 2, 0, 100);
    expect_run(&w, 3, 0, 3);
    expect_run(&w, 4, 3, 8);
    ck_assert_int_eq(w.jobs.items[0]->preemptions, 2);
    ck_assert_int_eq(w.jobs.items[2]->preemptions, 2);
    ck_assert_int_eq(w.sched.preemptions, 4);
    sw_free(&w);
}
END_TEST

/* ---- EASY ---------------------------------------------------------- */

START_TEST(test_easy_backfill)
{
    /* Two nodes of 4 GPUs (8).
     *   J0 at 0: 4 GPUs 10 s; J1 at 0: 2 GPUs 4 s; J2 at 1: 6 GPUs 5 s;
     *   J3 at 2: 2 GPUs 12 s; J4 at 3: 2 GPUs 7 s; J5 at 5: 1 GPU 5 s.
     *   0: J0 [0, 10), J1 [0, 4); 2 free.
     *   1: J2, the head, needs 6: 2 free + J1's 2 at 4 = 4, + J0's 4 at 10
     *      = 8: shadow 10, extra 8 - 6 = 2.
     *   2: J3 ends at 14 > 10 but takes 2 <= 2 extra: starts -> [2, 14);
     *      extra 0, 0 free.
     *   3: J4: nothing free.
     *   4: J1 ends, 2 free: 2 + J0's 4 at 10 = 6: shadow 10, extra 0 (J3
     *      holds its 2 past 10). J4 would end at 11 > 10 and needs 2 > 0:
     *      it would delay the head, and waits.
     *   5: J5 ends at 5 + 5 = 10 <= 10: backfills -> [5, 10); 1 free.
     *  10: J0 and J5 end: J2 starts at its reservation -> [10, 15).
     *  14: J3 ends: J4 -> [14, 21). */
    sched_world_t w;
    ck_assert_int_eq(sw_init(&w, 2, 4, &dcs_policy_easy, &dcs_placement_pack),
                     0);
    sw_add(&w, 0, 4, 10);
    sw_add(&w, 0, 2, 4);
    sw_add(&w, 1, 6, 5);
    sw_add(&w, 2, 2, 12);
    sw_add(&w, 3, 2, 7);
    sw_add(&w, 5, 1, 5);
    sw_run(&w);
    expect_run(&w, 0, 0, 10);
    expect_run(&w, 1, 0, 4);
    expect_run(&w, 2, 10, 15);
    expect_run(&w, 3, 2, 14);
    expect_run(&w, 4, 14, 21);
    expect_run(&w, 5, 5, 10);
    ck_assert_int_eq(w.sched.preemptions, 0);
    sw_free(&w);
}
END_TEST

START_TEST(test_easy_estimate_overrun)
{
    /* With use_estimates a job backfilled on a short estimate that runs
     * longer delays the head: the reservation holds only as far as the
     * estimates do. One node of 4 GPUs.
     *   J0 at 0: 2 GPUs 10 s (estimate 10 s) -> [0, 10).
     *   J1 at 1: 4 GPUs 5 s, the head: shadow 10, extra 0.
     *   J2 at 2: 2 GPUs 12 s, estimate 8 s: 2 + 8 = 10 <= 10, backfills
     *      -> [2, 14).
     *  10: J0 ends; J2, expected to end at 10, overruns: 2 free, J1 waits.
     *  14: J2 ends: J1 -> [14, 19), 4 s after its reservation.
     * Under the oracle J2 (12 s, ends 14 > 10, 2 > 0 extra) waits for J1:
     *   J1 [10, 15), J2 [15, 27). */
    sched_world_t w;
    for (int est = 0; est <= 1; est++) {
        ck_assert_int_eq(
            sw_init(&w, 1, 4, &dcs_policy_easy, &dcs_placement_pack), 0);
        w.sched.params.use_estimates = est;
        sw_add(&w, 0, 2, 10)->estimate_ns = SW_S(10);
        sw_add(&w, 1, 4, 5);
        sw_add(&w, 2, 2, 12)->estimate_ns = SW_S(8);
        sw_run(&w);
        expect_run(&w, 0, 0, 10);
        if (est) {
            expect_run(&w, 1, 14, 19);
            expect_run(&w, 2, 2, 14);
        } else {
            expect_run(&w, 1, 10, 15);
            expect_run(&w, 2, 15, 27);
        }
        sw_free(&w);
    }
}
END_TEST

/* ---- priority ------------------------------------------------------ */

static dcs_job_t *add_team_job(sched_world_t *w, double at_s, const char *team,
                               int priority, int gpus, double run_s)
{
    dcs_job_t *job = sw_add(w, at_s, gpus, run_s);
    snprintf(job->team, sizeof job->team, "%s", team);
    job->priority = priority;
    return job;
}

START_TEST(test_priority_quota_reservation_preemption)
{
    /* Two nodes of 4 GPUs (8). Team A may hold 4 GPUs at most; team B has
     * 2 reserved; team C is not listed (no quota, no reservation).
     *   J0 at 0: A, class 0, 2 GPUs 10 s;  J1 at 0: A, 0, 4 GPUs 5 s;
     *   J2 at 1: C, 0, 4 GPUs 6 s;         J3 at 2: C, 0, 1 GPU 3 s;
     *   J4 at 3: B, 0, 2 GPUs 4 s;         J5 at 4: C, 5, 4 GPUs 2 s.
     *   0: J0 -> [0, 10). J1 would bring A to 6 > 4: held by the quota,
     *      with 6 GPUs free.
     *   1: J2: 6 free - 4 = 2 >= B's 2 unused reserved GPUs: starts.
     *   2: J3: 2 free - 1 = 1 < 2 reserved for B: waits.
     *   3: J4 is B's: it may use B's reservation -> [3, 7); 0 free.
     *   4: J5 (class 5) needs 4: victims of class 0, most recent first:
     *      J4 (started 3) is B's and within B's reservation (its GPUs would
     *      stay reserved): passed over; J2 (started 1) frees 4: stopped,
     *      3 s done, 3 s left. J5 -> [4, 6).
     *   6: 4 free: J1 still over A's quota; J2 -> [6, 9).
     *   7: J4 ends: B's 2 are reserved again; J3: 2 free - 1 < 2: waits.
     *   9: J2 ends: 6 free; J1 over quota; J3 -> [9, 12).
     *  10: J0 ends, A holds 0: J1 -> [10, 15). */
    sched_world_t w;
    ck_assert_int_eq(
        sw_init(&w, 2, 4, &dcs_policy_priority, &dcs_placement_pack), 0);
    dcs_policy_params_t *p = &w.sched.params;
    snprintf(p->teams[0].team, sizeof p->teams[0].team, "A");
    p->teams[0].quota_gpus = 4;
    snprintf(p->teams[1].team, sizeof p->teams[1].team, "B");
    p->teams[1].reserved_gpus = 2;
    p->nteams = 2;
    add_team_job(&w, 0, "A", 0, 2, 10);
    add_team_job(&w, 0, "A", 0, 4, 5);
    add_team_job(&w, 1, "C", 0, 4, 6);
    add_team_job(&w, 2, "C", 0, 1, 3);
    add_team_job(&w, 3, "B", 0, 2, 4);
    add_team_job(&w, 4, "C", 5, 4, 2);
    sw_run(&w);
    expect_run(&w, 0, 0, 10);
    expect_run(&w, 1, 10, 15);
    expect_run(&w, 2, 1, 9);
    expect_run(&w, 3, 9, 12);
    expect_run(&w, 4, 3, 7);
    expect_run(&w, 5, 4, 6);
    ck_assert_int_eq(w.jobs.items[2]->preemptions, 1);
    ck_assert_int_eq(w.jobs.items[2]->attained_ns, SW_S(6));
    ck_assert_int_eq(w.sched.preemptions, 1);
    sw_free(&w);
}
END_TEST

/* A kind that cannot be stopped: fixed duration, not preemptible. */
static dcs_time_t pinned_run_ns(const dcs_job_t *job, const int *gpu_ids)
{
    (void)gpu_ids;
    return job->remaining_ns + job->overhead_ns;
}

static const dcs_job_kind_t pinned = {.name = "pinned",
                                      .run_time_ns = pinned_run_ns};

START_TEST(test_priority_no_blocking_across_classes)
{
    /* One node of 4 GPUs, no teams.
     *   J0 at 0: class 0, 2 GPUs 10 s, not preemptible;
     *   J1 at 0: class 0, 2 GPUs 10 s;
     *   J2 at 1: class 5, 4 GPUs 2 s;  J3 at 2: class 1, 2 GPUs 3 s.
     *   0: J0 and J1 start.
     *   1: J2 needs 4; only J1 (2) may be stopped: 0 + 2 < 4, nothing is.
     *   2: J2 still cannot be given room and holds no one back: J3 (class
     *      1) can, by stopping J1 (class 0; 2 s done, 8 left): J3 [2, 5).
     *   5: 2 free: J2 does not fit; J1 does -> [5, 13).
     *  10: J0 ends, 2 free + J1's 2 = 4: J1 is stopped (3 s left); J2
     *      -> [10, 12).
     *  12: J1 -> [12, 15). */
    sched_world_t w;
    stops_t stops = {0};
    ck_assert_int_eq(
        sw_init(&w, 1, 4, &dcs_policy_priority, &dcs_placement_pack), 0);
    w.sched.hooks.ctx = &stops;
    w.sched.hooks.ended = record_stop;
    add_team_job(&w, 0, "default", 0, 2, 10)->kind = &pinned;
    add_team_job(&w, 0, "default", 0, 2, 10);
    add_team_job(&w, 1, "default", 5, 4, 2);
    add_team_job(&w, 2, "default", 1, 2, 3);
    sw_run(&w);
    expect_run(&w, 0, 0, 10);
    expect_run(&w, 1, 0, 15);
    expect_run(&w, 2, 10, 12);
    expect_run(&w, 3, 2, 5);
    ck_assert_int_eq(stops.n, 2);
    ck_assert_int_eq(stops.id[0], 1);
    ck_assert_double_eq_tol(stops.at_s[0], 2, TOL);
    ck_assert_int_eq(stops.id[1], 1);
    ck_assert_double_eq_tol(stops.at_s[1], 10, TOL);
    ck_assert_int_eq(w.jobs.items[0]->preemptions, 0);
    sw_free(&w);
}
END_TEST

START_TEST(test_priority_placement_refuses)
{
    /* Priority counts GPUs; here the placement wants one node. Two nodes
     * of 2 GPUs; P0 and P1 cannot be stopped.
     *   P0 at 0: 1 GPU 10 s -> node 0;  L at 0: 1 GPU 100 s -> node 0;
     *   P1 at 0: 1 GPU 10 s -> node 1;  L2 at 0: 1 GPU 100 s -> node 1;
     *   J at 1: class 5, 2 GPUs 2 s (the others class 0).
     *   1: stopping L2 then L (same start; higher id first) counts 2 GPUs
     *      for J: both stop, but one is free on each node and J does not
     *      fit. L and L2 start again (99 s left) and, having just resumed,
     *      are not stopped again at 1.
     *  10: P0 ends: L2 then L stop again (90 s left); node 0 is empty: J
     *      -> [10, 12); L resumes on node 1 beside P1; P1 ends and L2
     *      resumes there: both end at 10 + 90 = 100. */
    sched_world_t w;
    ck_assert_int_eq(sw_init(&w, 2, 2, &dcs_policy_priority, &one_node), 0);
    add_team_job(&w, 0, "default", 0, 1, 10)->kind = &pinned;
    add_team_job(&w, 0, "default", 0, 1, 100);
    add_team_job(&w, 0, "default", 0, 1, 10)->kind = &pinned;
    add_team_job(&w, 0, "default", 0, 1, 100);
    add_team_job(&w, 1, "default", 5, 2, 2);
    sw_run(&w);
    expect_run(&w, 0, 0, 10);
    expect_run(&w, 1, 0, 100);
    expect_run(&w, 2, 0, 10);
    expect_run(&w, 3, 0, 100);
    expect_run(&w, 4, 10, 12);
    ck_assert_int_eq(w.jobs.items[1]->preemptions, 2);
    ck_assert_int_eq(w.jobs.items[3]->preemptions, 2);
    ck_assert_int_eq(w.sched.preemptions, 4);
    sw_free(&w);
}
END_TEST

/* ---- registry ------------------------------------------------------ */

START_TEST(test_registry_a)
{
    ck_assert_ptr_eq(dcs_policy_find("sjf"), &dcs_policy_sjf);
    ck_assert_ptr_eq(dcs_policy_find("srtf"), &dcs_policy_srtf);
    ck_assert_ptr_eq(dcs_policy_find("easy"), &dcs_policy_easy);
    ck_assert_ptr_eq(dcs_policy_find("priority"), &dcs_policy_priority);
    ck_assert_ptr_null(dcs_policy_find("SJF"));
    for (size_t i = 0; dcs_policies_a[i]; i++) {
        ck_assert_ptr_nonnull(dcs_policies_a[i]->pick);
        ck_assert(strlen(dcs_policies_a[i]->summary) > 0);
    }
    ck_assert_ptr_null(dcs_policy_sjf.preempt);
    ck_assert_ptr_null(dcs_policy_easy.preempt);
    ck_assert_ptr_nonnull(dcs_policy_srtf.preempt);
    ck_assert_ptr_nonnull(dcs_policy_priority.preempt);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("policy_a");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_sjf_oracle);
    tcase_add_test(tc, test_sjf_bad_estimate);
    tcase_add_test(tc, test_srtf_preempt_and_resume);
    tcase_add_test(tc, test_srtf_only_when_room);
    tcase_add_test(tc, test_srtf_placement_refuses);
    tcase_add_test(tc, test_easy_backfill);
    tcase_add_test(tc, test_easy_estimate_overrun);
    tcase_add_test(tc, test_priority_quota_reservation_preemption);
    tcase_add_test(tc, test_priority_no_blocking_across_classes);
    tcase_add_test(tc, test_priority_placement_refuses);
    tcase_add_test(tc, test_registry_a);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
