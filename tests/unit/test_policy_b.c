/* test_policy_b.c - the preemptive sharing policies: Tiresias, Gandiva and
 * Themis.
 *
 * Invariant: each policy stops and resumes jobs exactly when its rule says,
 * and the scheduler keeps the work done and charges the checkpoint save and
 * restore to the next run. Every schedule below is worked out by hand in
 * the comment above its asserts (times in seconds, on one node); a stopped
 * job that ran r s since a start that owed c s of checkpoint keeps r - c s
 * of work and owes save + restore on its next run. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/policies_b.h"
#include "sched_world.h"

#define TOL 1e-9

/* The policies' settings: one Tiresias threshold (`threshold_gpu_s`), a
 * quantum, a starvation limit, and what a preemption costs. */
static void set_params(sched_world_t *w, double quantum_s,
                       double threshold_gpu_s, double starve_s, double save_s,
                       double restore_s)
{
    memset(&w->sched.params, 0, sizeof w->sched.params);
    w->sched.params.quantum_ns = SW_S(quantum_s);
    w->sched.params.thresholds_gpu_s[0] = threshold_gpu_s;
    w->sched.params.nthresholds = 1;
    w->sched.params.starve_ns = SW_S(starve_s);
    w->sched.save_ns = SW_S(save_s);
    w->sched.restore_ns = SW_S(restore_s);
}

static double last_start_s(const sched_world_t *w, size_t i)
{
    return dcs_time_to_s(w->jobs.items[i]->start_ns);
}

static double attained_s(const sched_world_t *w, size_t i)
{
    return dcs_time_to_s(w->jobs.items[i]->attained_ns);
}

START_TEST(test_tiresias_demotes_and_resumes)
{
    /* 2 GPUs; one threshold at 100 GPU-s (two queues); save 1 s, restore
     * 2 s; no starvation limit.
     *   A at 0 s: 2 GPUs, 200 s. Starts at 0 in queue 0.
     *   B at 20 s: 2 GPUs, 30 s. Waits: A has 40 GPU-s, still queue 0,
     *     and jobs of one queue do not preempt each other.
     *   At 50 s A reaches 2 x 50 = 100 GPU-s: queue 1. The policy asked to
     *     be woken then; B (queue 0) cannot fit, A is stopped: 50 s of work
     *     kept, 150 s left, 1 + 2 = 3 s owed. B runs [50, 80).
     *   At 80 s A resumes: 3 + 150 = 153 s, ends at 233 s.
     * A held its GPUs 50 + 153 = 203 s: 406 GPU-s. */
    sched_world_t w;
    ck_assert_int_eq(
        sw_init(&w, 1, 2, &dcs_policy_tiresias, &dcs_placement_pack), 0);
    set_params(&w, 60, 100, 0, 1, 2);
    sw_add(&w, 0, 2, 200);
    sw_add(&w, 20, 2, 30);
    sw_run(&w);
    ck_assert_double_eq_tol(sw_start_s(&w, 0), 0, TOL);
    ck_assert_double_eq_tol(last_start_s(&w, 0), 80, TOL);
    ck_assert_double_eq_tol(sw_end_s(&w, 0), 233, TOL);
    ck_assert_double_eq_tol(sw_start_s(&w, 1), 50, TOL);
    ck_assert_double_eq_tol(sw_end_s(&w, 1), 80, TOL);
    ck_assert_int_eq(w.jobs.items[0]->preemptions, 1);
    ck_assert_int_eq(w.jobs.items[1]->preemptions, 0);
    ck_assert_double_eq_tol(w.jobs.items[0]->attained_gpu_s, 406, TOL);
    ck_assert_int_eq(w.sched.preemptions, 1);
    sw_free(&w);
}
END_TEST

START_TEST(test_tiresias_starvation_promotes)
{
    /* 2 GPUs; threshold 100 GPU-s; save 1 s, restore 1 s; a job that has
     * waited 100 s since it last ran goes back to queue 0.
     *   A at 0 s: 2 GPUs, 200 s.  B at 10 s: 2 GPUs, 120 s.
     *   50 s: A reaches 100 GPU-s (queue 1), stopped for B (queue 0): 150 s
     *     left, 2 s owed. B runs from 50.
     *   100 s: B reaches 100 GPU-s: queue 1 like A; nothing moves.
     *   150 s: A has waited 100 s since it stopped at 50: queue 0. B
     *     (queue 1) is stopped: it did 100 s, 20 s left, 2 s owed. A
     *     resumes: 2 + 150 = 152 s, would end at 302.
     *   250 s: B has waited 100 s since 150: queue 0. But A's turn, 100 s
     *     of work after its 2 s restore, runs to 252.
     *   252 s: A (queue 1) is stopped: 100 s of work done, 50 s left, 2 s
     *     owed. B resumes: 2 + 20 = 22 s, ends at 274. (A's last stop is
     *     estimated as its last start plus its mean run, 150 + (50 + 102)
     *     / 2 = 226, so it would starve at 326: B's end comes first.)
     *   274 s: A resumes: 2 + 50 = 52 s, ends at 326.
     * Without the starvation limit, B runs [50, 170) and A resumes at 170
     * for 152 s, to 322. */
    double starve[2] = {100, 0};
    double a_end[2] = {326, 322}, b_end[2] = {274, 170};
    double a_attained[2] = {50 + 102 + 52, 50 + 152};
    int a_stops[2] = {2, 1}, b_stops[2] = {1, 0};
    for (int k = 0; k < 2; k++) {
        sched_world_t w;
        ck_assert_int_eq(
            sw_init(&w, 1, 2, &dcs_policy_tiresias, &dcs_placement_pack), 0);
        set_params(&w, 60, 100, starve[k], 1, 1);
        sw_add(&w, 0, 2, 200);
        sw_add(&w, 10, 2, 120);
        sw_run(&w);
        ck_assert_double_eq_tol(sw_start_s(&w, 0), 0, TOL);
        ck_assert_double_eq_tol(sw_end_s(&w, 0), a_end[k], TOL);
        ck_assert_double_eq_tol(sw_start_s(&w, 1), 50, TOL);
        ck_assert_double_eq_tol(sw_end_s(&w, 1), b_end[k], TOL);
        ck_assert_int_eq(w.jobs.items[0]->preemptions, a_stops[k]);
        ck_assert_int_eq(w.jobs.items[1]->preemptions, b_stops[k]);
        ck_assert_double_eq_tol(attained_s(&w, 0), a_attained[k], TOL);
        sw_free(&w);
    }
}
END_TEST

START_TEST(test_tiresias_skips_what_does_not_fit)
{
    /* 4 GPUs; the default threshold, 3,200 GPU-s, is never reached.
     *   A at 0 s: 3 GPUs, 100 s -> [0, 100).
     *   B at 1 s: 2 GPUs, 10 s  -> does not fit next to A: waits.
     *   C at 2 s: 1 GPU, 5 s    -> fits: starts at once, ahead of B (no
     *                              head-of-line blocking): [2, 7).
     *   B starts when A ends: [100, 110). Nothing is preempted. */
    sched_world_t w;
    ck_assert_int_eq(
        sw_init(&w, 1, 4, &dcs_policy_tiresias, &dcs_placement_pack), 0);
    set_params(&w, 60, 3200, 0, 1, 1);
    sw_add(&w, 0, 3, 100);
    sw_add(&w, 1, 2, 10);
    sw_add(&w, 2, 1, 5);
    sw_run(&w);
    ck_assert_double_eq_tol(sw_end_s(&w, 0), 100, TOL);
    ck_assert_double_eq_tol(sw_start_s(&w, 1), 100, TOL);
    ck_assert_double_eq_tol(sw_end_s(&w, 1), 110, TOL);
    ck_assert_double_eq_tol(sw_start_s(&w, 2), 2, TOL);
    ck_assert_double_eq_tol(sw_end_s(&w, 2), 7, TOL);
    ck_assert_int_eq(w.sched.preemptions, 0);
    sw_free(&w);
}
END_TEST

START_TEST(test_gandiva_alternates_quanta)
{
    /* 2 GPUs; quantum 60 s of work (counted after a run's restore); save
     * 1 s, restore 2 s (3 s owed per stop).
     *   A at 0 s: 2 GPUs, 150 s.  B at 10 s: 2 GPUs, 100 s.
     *   10 s: B waits; A has not run a quantum yet.
     *   60 s: A's quantum ends, B is waiting: A stopped (60 s done, 90
     *     left). B, waiting since 10, goes before A, waiting since 60:
     *     B runs from 60.
     *   120 s: B stopped (60 done, 40 left); A (since 60) resumes: 3 + 90
     *     = 93 s; its work resumes at 123.
     *   183 s: A's quantum ends: stopped, 60 done, 30 left. B (since 120)
     *     goes before A (since 183; estimated as its last start plus its
     *     mean run, 120 + (60 + 63) / 2 = 181.5): resumes for 3 + 40 =
     *     43 s, ends at 226.
     *   226 s: A resumes: 3 + 30 = 33 s, ends at 259.
     * A ran 60 + 63 + 33 = 156 s, B 60 + 43 = 103 s; the node never
     * idles: 2 x 259 busy GPU-seconds. */
    sched_world_t w;
    ck_assert_int_eq(
        sw_init(&w, 1, 2, &dcs_policy_gandiva, &dcs_placement_pack), 0);
    set_params(&w, 60, 3200, 0, 1, 2);
    sw_add(&w, 0, 2, 150);
    sw_add(&w, 10, 2, 100);
    sw_run(&w);
    ck_assert_double_eq_tol(sw_start_s(&w, 0), 0, TOL);
    ck_assert_double_eq_tol(last_start_s(&w, 0), 226, TOL);
    ck_assert_double_eq_tol(sw_end_s(&w, 0), 259, TOL);
    ck_assert_double_eq_tol(sw_start_s(&w, 1), 60, TOL);
    ck_assert_double_eq_tol(last_start_s(&w, 1), 183, TOL);
    ck_assert_double_eq_tol(sw_end_s(&w, 1), 226, TOL);
    ck_assert_int_eq(w.jobs.items[0]->preemptions, 2);
    ck_assert_int_eq(w.jobs.items[1]->preemptions, 1);
    ck_assert_double_eq_tol(attained_s(&w, 0), 156, TOL);
    ck_assert_double_eq_tol(attained_s(&w, 1), 103, TOL);
    ck_assert_double_eq_tol(w.sched.busy_gpus_tally.total, 2 * 259.0, TOL);
    sw_free(&w);
}
END_TEST

START_TEST(test_gandiva_stops_only_for_who_can_start)
{
    /* 2 GPUs; quantum 10 s.
     *   A at 0 s: 1 GPU, 100 s.  B at 5 s: 1 GPU, 50 s: fits, [5, 55).
     *   C at 20 s: 4 GPUs: more than the node has, so it never starts, and
     *     stopping A or B could not help it: neither is ever stopped,
     *     though C waits through many quanta. */
    sched_world_t w;
    ck_assert_int_eq(
        sw_init(&w, 1, 2, &dcs_policy_gandiva, &dcs_placement_pack), 0);
    set_params(&w, 10, 3200, 0, 1, 1);
    sw_add(&w, 0, 1, 100);
    sw_add(&w, 5, 1, 50);
    sw_add(&w, 20, 4, 10);
    sw_run(&w);
    ck_assert_double_eq_tol(sw_end_s(&w, 0), 100, TOL);
    ck_assert_double_eq_tol(sw_start_s(&w, 1), 5, TOL);
    ck_assert_double_eq_tol(sw_end_s(&w, 1), 55, TOL);
    ck_assert_int_eq(w.jobs.items[2]->state, DCS_JOB_QUEUED);
    ck_assert_int_eq(w.sched.preemptions, 0);
    sw_free(&w);
}
END_TEST

START_TEST(test_gandiva_quantum_counts_work)
{
    /* 2 GPUs; quantum 10 s; save 10 s, restore 10 s (20 s owed per stop,
     * longer than a quantum: counting the quantum from the run's start
     * would stop every resumed job before it did any work).
     *   A at 0 s: 2 GPUs, 25 s.  B at 1 s: 2 GPUs, 15 s.
     *   10 s: A stopped (10 done, 15 left); B starts (owes nothing).
     *   20 s: B stopped (10 done, 5 left); A (since 10) resumes for
     *     20 + 15 s; its work resumes at 40, its quantum ends at 50.
     *   50 s: A stopped: 30 s run, 10 of them work, 5 left. B (since 20)
     *     resumes for 20 + 5 s: its quantum would end at 80, it ends at 75.
     *   75 s: A resumes for 20 + 5 s, ends at 100.
     * 40 s of work and three restarts of 20 s: the node is busy 100 s. */
    sched_world_t w;
    ck_assert_int_eq(
        sw_init(&w, 1, 2, &dcs_policy_gandiva, &dcs_placement_pack), 0);
    set_params(&w, 10, 3200, 0, 10, 10);
    sw_add(&w, 0, 2, 25);
    sw_add(&w, 1, 2, 15);
    sw_run(&w);
    ck_assert_double_eq_tol(last_start_s(&w, 0), 75, TOL);
    ck_assert_double_eq_tol(sw_end_s(&w, 0), 100, TOL);
    ck_assert_double_eq_tol(sw_start_s(&w, 1), 10, TOL);
    ck_assert_double_eq_tol(last_start_s(&w, 1), 50, TOL);
    ck_assert_double_eq_tol(sw_end_s(&w, 1), 75, TOL);
    ck_assert_int_eq(w.jobs.items[0]->preemptions, 2);
    ck_assert_int_eq(w.jobs.items[1]->preemptions, 1);
    ck_assert_double_eq_tol(attained_s(&w, 0), 10 + 30 + 25, TOL);
    ck_assert_double_eq_tol(attained_s(&w, 1), 10 + 25, TOL);
    sw_free(&w);
}
END_TEST

START_TEST(test_themis_takes_over_at_lease_end)
{
    /* 2 GPUs; leases of 10 s; save 1 s, restore 1 s.
     * rho = (projected finish - submit) / run time alone.
     *   A at 0 s: 2 GPUs, 100 s: starts; rho = (100 - 0) / 100 = 1.
     *   B at 5 s: 2 GPUs, 10 s: waits; A's lease runs to 10.
     *   10 s: B's rho = (10 + 10 - 5) / 10 = 1.5 > 1.1 x A's 1, and A once
     *     stopped would have (100 + 0) / 100 = 1 < 1.5: A is stopped (10 s
     *     done, 90 left, 2 owed) and B runs [10, 20).
     *   20 s: A resumes: 2 + 90 = 92 s, ends at 112. */
    sched_world_t w;
    ck_assert_int_eq(sw_init(&w, 1, 2, &dcs_policy_themis, &dcs_placement_pack),
                     0);
    set_params(&w, 10, 3200, 0, 1, 1);
    sw_add(&w, 0, 2, 100);
    sw_add(&w, 5, 2, 10);
    sw_run(&w);
    ck_assert_double_eq_tol(sw_start_s(&w, 0), 0, TOL);
    ck_assert_double_eq_tol(last_start_s(&w, 0), 20, TOL);
    ck_assert_double_eq_tol(sw_end_s(&w, 0), 112, TOL);
    ck_assert_double_eq_tol(sw_start_s(&w, 1), 10, TOL);
    ck_assert_double_eq_tol(sw_end_s(&w, 1), 20, TOL);
    ck_assert_int_eq(w.jobs.items[0]->preemptions, 1);
    ck_assert_int_eq(w.jobs.items[1]->preemptions, 0);
    sw_free(&w);
}
END_TEST

START_TEST(test_themis_margin_between_equals)
{
    /* 2 GPUs; leases of 10 s of work (counted after a run's restore); save
     * 1 s, restore 1 s (2 s owed per stop). Two equal jobs of 2 GPUs and
     * 100 s: A at 0 s, B at 5 s. A waiting job takes over at a running
     * job's lease end when its rho exceeds 1.1 x the running job's (and
     * the rho that one would have, stopped).
     *   [0, 20) A; rho_A = 1. B waits: rho_B = (t + 100 - 5) / 100:
     *     1.05 at 10 (< 1.1), 1.15 at 20: A stopped (20 done, 80 left).
     *   [20, 50) B, to end at 120: rho_B = 1.15. A waits with 2 + 80 to
     *     run: rho_A = (t + 82) / 100 must pass 1.265: 1.22 at 40, 1.32
     *     at 50: B stopped (30 done, 70 left).
     *   [50, 82) A, to end at 132, leases end at 62, 72, 82: rho_A = 1.32.
     *     B: (t + 72 - 5) / 100 must pass 1.452: 1.39 at 72, 1.49 at 82
     *     (A stopped would have (132 + 2) / 100 = 1.34): A stopped, 32 - 2
     *     = 30 done, 50 left.
     *   [82, 114) B, to end at 154: rho_B = 1.49. A: (t + 52) / 100 must
     *     pass 1.639: 1.56 at 104, 1.66 at 114: B stopped, 30 done, 40
     *     left.
     *   [114, 146) A, to end at 166: rho_A = 1.66. B: (t + 42 - 5) / 100
     *     must pass 1.826: 1.73 at 136, 1.83 at 146: A stopped, 30 done,
     *     20 left.
     *   [146, 188) B, 2 + 40 s to its end: rho_B = 1.83. A: (t + 22) / 100
     *     must pass 2.013: 2.00 at 178, not yet; B ends at 188.
     *   [188, 210) A, 2 + 20 s, to its end. */
    sched_world_t w;
    ck_assert_int_eq(sw_init(&w, 1, 2, &dcs_policy_themis, &dcs_placement_pack),
                     0);
    set_params(&w, 10, 3200, 0, 1, 1);
    sw_add(&w, 0, 2, 100);
    sw_add(&w, 5, 2, 100);
    sw_run(&w);
    ck_assert_double_eq_tol(sw_start_s(&w, 0), 0, TOL);
    ck_assert_double_eq_tol(last_start_s(&w, 0), 188, TOL);
    ck_assert_double_eq_tol(sw_end_s(&w, 0), 210, TOL);
    ck_assert_double_eq_tol(sw_start_s(&w, 1), 20, TOL);
    ck_assert_double_eq_tol(last_start_s(&w, 1), 146, TOL);
    ck_assert_double_eq_tol(sw_end_s(&w, 1), 188, TOL);
    ck_assert_int_eq(w.jobs.items[0]->preemptions, 3);
    ck_assert_int_eq(w.jobs.items[1]->preemptions, 2);
    /* A ran 20 + 32 + 32 + 22 = 106 s, B 30 + 32 + 42 = 104 s. */
    ck_assert_double_eq_tol(attained_s(&w, 0), 106, TOL);
    ck_assert_double_eq_tol(attained_s(&w, 1), 104, TOL);
    sw_free(&w);
}
END_TEST

START_TEST(test_registry_b)
{
    const dcs_policy_t *mine[] = {&dcs_policy_tiresias, &dcs_policy_gandiva,
                                  &dcs_policy_themis};
    const char *names[] = {"tiresias", "gandiva", "themis"};
    for (int i = 0; i < 3; i++) {
        ck_assert_ptr_eq(dcs_policy_find(names[i]), mine[i]);
        ck_assert_str_eq(mine[i]->name, names[i]);
        ck_assert_ptr_nonnull(mine[i]->preempt);
        ck_assert_ptr_nonnull(mine[i]->next_ns);
        int listed = 0;
        const dcs_policy_t *p;
        for (size_t k = 0; (p = dcs_policy_at(k)); k++)
            listed += p == mine[i];
        ck_assert_int_eq(listed, 1);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("policy_b");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_tiresias_demotes_and_resumes);
    tcase_add_test(tc, test_tiresias_starvation_promotes);
    tcase_add_test(tc, test_tiresias_skips_what_does_not_fit);
    tcase_add_test(tc, test_gandiva_alternates_quanta);
    tcase_add_test(tc, test_gandiva_stops_only_for_who_can_start);
    tcase_add_test(tc, test_gandiva_quantum_counts_work);
    tcase_add_test(tc, test_themis_takes_over_at_lease_end);
    tcase_add_test(tc, test_themis_margin_between_equals);
    tcase_add_test(tc, test_registry_b);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
