/* test_tally.c - time integrals of piecewise-constant signals.
 *
 * Invariant: energy = integral of power. On a hand-computed power profile
 * the total and each interval's integral equal the sums worked out below,
 * segments that cross interval boundaries are split exactly, and the bins
 * sum to the total. */
#include <check.h>
#include <stdlib.h>

#include "engine/tally.h"

#define S(x) ((dcs_time_t)((x)*DCS_NS_PER_S))

START_TEST(test_energy_hand_case)
{
    /* Power: 100 W on [0, 30 s), 700 W on [30, 75 s), 250 W on [75, 100 s).
     * Intervals of 40 s: [0,40) [40,80) [80,100).
     *   bin 0: 100*30 + 700*10          = 10,000 J
     *   bin 1: 700*35 + 250*5           = 25,750 J
     *   bin 2: 250*20                   =  5,000 J
     *   total:                            40,750 J */
    dcs_tally_t p;
    dcs_tally_init(&p, 100.0, S(40));
    ck_assert_int_eq(dcs_tally_set(&p, S(30), 700.0), 0);
    ck_assert_int_eq(dcs_tally_set(&p, S(75), 250.0), 0);
    ck_assert_int_eq(dcs_tally_flush(&p, S(100)), 0);
    ck_assert_uint_eq(p.nbins, 3);
    ck_assert_double_eq_tol(dcs_tally_bin(&p, 0), 10000.0, 1e-9);
    ck_assert_double_eq_tol(dcs_tally_bin(&p, 1), 25750.0, 1e-9);
    ck_assert_double_eq_tol(dcs_tally_bin(&p, 2), 5000.0, 1e-9);
    ck_assert_double_eq(dcs_tally_bin(&p, 3), 0.0);
    ck_assert_double_eq_tol(p.total, 40750.0, 1e-9);
    dcs_tally_destroy(&p);
}
END_TEST

START_TEST(test_add_and_many_boundaries)
{
    /* Two GPUs start at 1.5 s and 2.5 s, one stops at 7.25 s; counted with
     * deltas. Intervals of 1 s, run to 10 s. Busy GPU-seconds:
     *   GPU a: [1.5, 10) = 8.5; GPU b: [2.5, 7.25) = 4.75; total 13.25.
     * Interval [3,4): both busy = 2; interval [7,8): 1 + 0.25 = 1.25. */
    dcs_tally_t busy;
    dcs_tally_init(&busy, 0.0, S(1));
    dcs_tally_add(&busy, S(1.5), 1);
    dcs_tally_add(&busy, S(2.5), 1);
    dcs_tally_add(&busy, S(7.25), -1);
    dcs_tally_flush(&busy, S(10));
    ck_assert_double_eq_tol(busy.total, 13.25, 1e-12);
    ck_assert_double_eq_tol(dcs_tally_bin(&busy, 1), 0.5, 1e-12);
    ck_assert_double_eq_tol(dcs_tally_bin(&busy, 2), 1.5, 1e-12);
    ck_assert_double_eq_tol(dcs_tally_bin(&busy, 3), 2.0, 1e-12);
    ck_assert_double_eq_tol(dcs_tally_bin(&busy, 7), 1.25, 1e-12);
    double sum = 0;
    for (size_t i = 0; i < busy.nbins; i++)
        sum += dcs_tally_bin(&busy, i);
    ck_assert_double_eq_tol(sum, busy.total, 1e-9);
    dcs_tally_destroy(&busy);
}
END_TEST

START_TEST(test_totals_only)
{
    dcs_tally_t t;
    dcs_tally_init(&t, 2.0, 0);
    dcs_tally_set(&t, S(3), 5.0);
    dcs_tally_flush(&t, S(4));
    ck_assert_double_eq_tol(t.total, 2.0 * 3 + 5.0 * 1, 1e-12);
    ck_assert_uint_eq(t.nbins, 0);
    dcs_tally_destroy(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tally");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_energy_hand_case);
    tcase_add_test(tc, test_add_and_many_boundaries);
    tcase_add_test(tc, test_totals_only);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
