/* test_schedmetrics.c - schedule metrics against a hand-worked case.
 *
 * Jobs (times in s; run alone = duration):
 *   A team x user a: submit 0, start 0,  end 10, duration 10 -> JCT 10,
 * slowdown 1 B team x user b: submit 0, start 20, end 30, duration 10 -> JCT
 * 30, slowdown 3 C team y user c: submit 5, start 20, end 25, duration 5,
 * deadline 20
 *                    -> JCT 20, slowdown 4, deadline missed
 *   D team y: submit 10, first start 12, running since 30 on 2 GPUs at the
 *             end (40), deadline 35 (missed), preempted once, 6 GPU-s before
 *   E: never submitted (pending): ignored.
 * JCT sorted 10, 20, 30: mean 20; quantiles interpolate at q (n - 1):
 * p50 20, p95 20 + 0.9 x 10 = 29, p99 20 + 0.98 x 10 = 29.8. Slowdown 1, 3,
 * 4: mean 8/3, p95 3.9. Queue delays 0, 20, 15, 2 -> sorted 0, 2, 15, 20:
 * p95 at 2.85: 15 + 0.85 x 5 = 19.25. Jain over teams (x: 2, y: 4):
 * 36 / (2 x 20) = 0.9; over users (1, 3, 4): 64 / (3 x 26). GPU-seconds
 * 10 + 10 + 5 + 6 + 2 x 10 = 51. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "report/schedmetrics.h"

#define S(x) ((dcs_time_t)((x) * (double)DCS_NS_PER_S))

static dcs_job_t job(const char *team, const char *user, double submit,
                     double first, double start, double end, double dur)
{
    dcs_job_t j;
    memset(&j, 0, sizeof j);
    strcpy(j.team, team);
    strcpy(j.user, user);
    j.state = end >= 0 ? DCS_JOB_DONE : DCS_JOB_RUNNING;
    j.submit_ns = S(submit);
    j.first_start_ns = S(first);
    j.start_ns = S(start);
    j.end_ns = end >= 0 ? S(end) : -1;
    j.duration_ns = S(dur);
    j.deadline_ns = -1;
    j.gpus = 1;
    j.attained_gpu_s = end >= 0 ? dur : 0;
    return j;
}

START_TEST(test_hand_case)
{
    dcs_job_t a = job("x", "a", 0, 0, 0, 10, 10);
    dcs_job_t b = job("x", "b", 0, 20, 20, 30, 10);
    dcs_job_t c = job("y", "c", 5, 20, 20, 25, 5);
    c.deadline_ns = S(20);
    dcs_job_t d = job("y", "", 10, 12, 30, -1, 100);
    d.gpus = 2;
    d.deadline_ns = S(35);
    d.preemptions = 1;
    d.attained_gpu_s = 6;
    dcs_job_t e = job("z", "e", 0, 0, 0, 1, 1);
    e.state = DCS_JOB_PENDING;
    const dcs_job_t *jobs[] = {&a, &b, &c, &d, &e};
    dcs_sched_metrics_t m;
    ck_assert_int_eq(dcs_sched_metrics(jobs, 5, S(40), &m), 0);
    ck_assert_int_eq(m.finished, 3);
    ck_assert_double_eq_tol(m.jct_mean_s, 20, 1e-9);
    ck_assert_double_eq_tol(m.jct_p50_s, 20, 1e-9);
    ck_assert_double_eq_tol(m.jct_p95_s, 29, 1e-9);
    ck_assert_double_eq_tol(m.jct_p99_s, 29.8, 1e-9);
    ck_assert_double_eq_tol(m.slowdown_mean, 8.0 / 3, 1e-9);
    ck_assert_double_eq_tol(m.slowdown_p95, 3.9, 1e-9);
    ck_assert_double_eq_tol(m.queue_delay_p95_s, 19.25, 1e-9);
    ck_assert_double_eq_tol(m.jain_teams, 0.9, 1e-12);
    ck_assert_double_eq_tol(m.jain_users, 64.0 / 78, 1e-12);
    ck_assert_int_eq(m.teams, 2);
    ck_assert_int_eq(m.users, 3);
    ck_assert_int_eq(m.deadlines, 2);
    ck_assert_int_eq(m.deadline_misses, 2);
    ck_assert_int_eq(m.preemptions, 1);
    ck_assert_double_eq_tol(m.gpu_hours, 51.0 / 3600, 1e-12);
    ck_assert_double_eq_tol(dcs_job_slowdown(&c), 4, 1e-12);
    ck_assert_double_eq(dcs_job_slowdown(&d), 0);
    /* no jobs: neutral figures */
    ck_assert_int_eq(dcs_sched_metrics(jobs, 0, S(40), &m), 0);
    ck_assert_double_eq(m.jain_teams, 1);
    ck_assert_double_eq(m.jct_p99_s, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("schedmetrics");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_hand_case);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
