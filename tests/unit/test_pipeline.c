/* test_pipeline.c - the 1F1B schedule simulated stage by stage against
 * the representative-stage closed form.
 *
 * Alike stages: (m + pp - 1)(f + b), the step model's formula, to 0.1 %
 * (exactly, in fact) for several shapes; with sends, between the fill
 * and drain crossing each boundary both ways and every slot paying a
 * round trip; with one slow
 * stage the steady state runs at its pace: at least m (f + b) of it. */
#include <check.h>
#include <math.h>

#include "workload/pipeline.h"

START_TEST(alike_stages_match_closed_form)
{
    const int64_t shapes[][2] = {{1, 1}, {2, 4},   {4, 4},   {4, 16},
                                 {8, 3}, {16, 16}, {35, 240}};
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        int64_t pp = shapes[k][0], m = shapes[k][1];
        double f[64], b[64];
        for (int64_t s = 0; s < pp; s++) {
            f[s] = 1.0;
            b[s] = 2.0;
        }
        double got = dcs_pipeline_1f1b(pp, m, f, b, 0);
        /* with fewer micro-batches than stages the fill is m-limited:
         * (m + pp - 1)(f + b) holds for m >= 1 all the same */
        double want = (double)(m + pp - 1) * 3.0;
        ck_assert_msg(fabs(got - want) <= 1e-3 * want,
                      "pp %lld m %lld: %g vs %g", (long long)pp, (long long)m,
                      got, want);
    }
}
END_TEST

START_TEST(sends_add_to_fill_and_drain)
{
    double f[4] = {1, 1, 1, 1}, b[4] = {2, 2, 2, 2};
    double got = dcs_pipeline_1f1b(4, 8, f, b, 0.1);
    /* the critical path crosses each boundary at least once forward and
     * once back; at most every slot pays a round trip (in steady state the
     * first stage waits for the gradient of the micro-batch it sent) */
    ck_assert_double_ge(got, (8 + 4 - 1) * 3.0 + 2 * 3 * 0.1 - 1e-9);
    ck_assert_double_le(got, (8 + 4 - 1) * (3.0 + 2 * 0.1) + 1e-9);
}
END_TEST

START_TEST(slow_stage_paces)
{
    double f[4] = {1, 1, 1, 1.5}, b[4] = {2, 2, 2, 3};
    double got = dcs_pipeline_1f1b(4, 16, f, b, 0);
    ck_assert_double_ge(got, 16 * 4.5);
    /* and no more than the representative form at the slowest stage */
    ck_assert_double_le(got, (16 + 3) * 4.5);
    /* more than with every stage fast */
    double fast[4] = {1, 1, 1, 1}, fb[4] = {2, 2, 2, 2};
    ck_assert_double_gt(got, dcs_pipeline_1f1b(4, 16, fast, fb, 0));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pipeline");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, alike_stages_match_closed_form);
    tcase_add_test(tc, sends_add_to_fill_and_drain);
    tcase_add_test(tc, slow_stage_paces);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
