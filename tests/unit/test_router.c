/* test_router.c - request routing among serving replicas.
 *
 * Invariants, on hand-made loads:
 * - no policy ever picks a replica that is not accepting, and every policy
 *   returns -1 when none is;
 * - round robin visits the accepting replicas in index order, skipping the
 *   others, and keeps its place across a pick that found none;
 * - least_outstanding and least_kv pick the minimum with the documented
 *   tie rules;
 * - power_of_two picks the less loaded of its two draws (ties: the first),
 *   checked against draws redone here with a second generator seeded the
 *   same; with two accepting replicas both are always drawn, so the idle
 *   one always wins; with loads {0, 5, 10} the shares are 2/3, 1/3 and 0;
 *   with one accepting replica it draws nothing;
 * - policies are found by name, and an unknown name is refused. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/error.h"
#include "engine/rng.h"
#include "workload/router.h"

static dcs_router_t make(int policy, uint64_t seed)
{
    dcs_router_t r;
    ck_assert_int_eq(dcs_router_init(&r, policy, seed), 0);
    return r;
}

START_TEST(test_find_names)
{
    const char *names[] = {"round_robin", "least_outstanding", "least_kv",
                           "power_of_two"};
    for (int i = 0; i < 4; i++) {
        int p = dcs_router_find(names[i]);
        ck_assert_int_ge(p, 0);
        ck_assert_str_eq(dcs_router_name(p), names[i]);
        ck_assert_ptr_nonnull(strstr(dcs_router_names(), names[i]));
    }
    ck_assert_ptr_null(dcs_router_name(DCS_ROUTER_NPOLICIES));
    ck_assert_ptr_null(dcs_router_name(-1));
    ck_assert_int_eq(dcs_router_find("random"), DCS_ENOTFOUND);
    ck_assert_int_eq(dcs_router_find("Round_Robin"), DCS_ENOTFOUND);
    ck_assert_int_eq(dcs_router_find(NULL), DCS_ENOTFOUND);
    dcs_router_t r;
    ck_assert_int_eq(dcs_router_init(&r, 17, 1), DCS_EINVAL);
    dcs_router_destroy(&r);
}
END_TEST

START_TEST(test_round_robin)
{
    /* 4 replicas, #2 draining: 0, 1, 3, 0, 1, 3. Then none accepts: -1,
     * and the place (after 3: next is 0) is kept. Then #2 is back:
     * 0, 1, 2. */
    dcs_replica_load_t l[4] = {{1, 0, 0}, {1, 0, 0}, {0, 0, 0}, {1, 0, 0}};
    dcs_router_t r = make(DCS_ROUTER_ROUND_ROBIN, 1);
    int want[6] = {0, 1, 3, 0, 1, 3};
    for (int k = 0; k < 6; k++)
        ck_assert_int_eq(dcs_router_pick(&r, l, 4), want[k]);
    dcs_replica_load_t none[4] = {0};
    ck_assert_int_eq(dcs_router_pick(&r, none, 4), -1);
    l[2].accepting = 1;
    for (int k = 0; k < 3; k++)
        ck_assert_int_eq(dcs_router_pick(&r, l, 4), k);
    /* Its place is now #3; a pick over 2 replicas (the others removed)
     * restarts at 0: 0, 1, 0. */
    ck_assert_int_eq(dcs_router_pick(&r, l, 2), 0);
    ck_assert_int_eq(dcs_router_pick(&r, l, 2), 1);
    ck_assert_int_eq(dcs_router_pick(&r, l, 2), 0);
    dcs_router_destroy(&r);
}
END_TEST

START_TEST(test_least_outstanding)
{
    /* Outstanding 5, 2, 2, 1 with #3 failed: #1 and #2 tie at 2 -> #1. */
    dcs_replica_load_t l[4] = {
        {1, 5, 0.1}, {1, 2, 0.9}, {1, 2, 0.1}, {0, 1, 0.0}};
    dcs_router_t r = make(DCS_ROUTER_LEAST_OUTSTANDING, 1);
    ck_assert_int_eq(dcs_router_pick(&r, l, 4), 1);
    /* #1 gets a request: 5, 3, 2 -> #2. */
    l[1].outstanding++;
    ck_assert_int_eq(dcs_router_pick(&r, l, 4), 2);
    dcs_replica_load_t none[3] = {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}};
    ck_assert_int_eq(dcs_router_pick(&r, none, 3), -1);
    ck_assert_int_eq(dcs_router_pick(&r, l, 0), -1);
    dcs_router_destroy(&r);
}
END_TEST

START_TEST(test_least_kv)
{
    /* kv 0.5, 0.2, 0.2, 0.2 and a failed #4 at 0.1: #1..#3 tie on KV; of
     * them #2 and #3 have 1 outstanding (#1 has 4) -> #2, the lower. */
    dcs_replica_load_t l[5] = {
        {1, 3, 0.5}, {1, 4, 0.2}, {1, 1, 0.2}, {1, 1, 0.2}, {0, 0, 0.1}};
    dcs_router_t r = make(DCS_ROUTER_LEAST_KV, 1);
    ck_assert_int_eq(dcs_router_pick(&r, l, 5), 2);
    /* #3's KV drops below: it wins though busier than none. */
    l[3].kv_used = 0.15;
    l[3].outstanding = 9;
    ck_assert_int_eq(dcs_router_pick(&r, l, 5), 3);
    l[4].accepting = 1;
    ck_assert_int_eq(dcs_router_pick(&r, l, 5), 4);
    dcs_router_destroy(&r);
}
END_TEST

/* The two draws power_of_two makes, redone as router.h documents them:
 * the a-th and b-th accepting replicas (b != a); the pick is the less
 * loaded, ties to the first. */
static int shadow_pick(gsl_rng *g, const dcs_replica_load_t *l, int n)
{
    int acc[64], m = 0;
    for (int i = 0; i < n; i++)
        if (l[i].accepting)
            acc[m++] = i;
    if (m == 0)
        return -1;
    if (m == 1)
        return acc[0];
    unsigned long a = gsl_rng_uniform_int(g, (unsigned long)m);
    unsigned long b = gsl_rng_uniform_int(g, (unsigned long)m - 1);
    if (b >= a)
        b++;
    ck_assert_uint_ne(a, b);
    int first = acc[a], second = acc[b];
    return l[second].outstanding < l[first].outstanding ? second : first;
}

START_TEST(test_power_of_two_draws)
{
    /* 8 replicas, #1 and #6 failed, loads changing as requests arrive and
     * some finish; 5,000 picks agree with the shadow draws. */
    dcs_replica_load_t l[8];
    for (int i = 0; i < 8; i++)
        l[i] = (dcs_replica_load_t){i != 1 && i != 6, (i * 7) % 5, 0};
    dcs_router_t r = make(DCS_ROUTER_POWER_OF_TWO, 11);
    gsl_rng *g = dcs_rng_new(11, "router");
    for (int k = 0; k < 5000; k++) {
        int want = shadow_pick(g, l, 8);
        int got = dcs_router_pick(&r, l, 8);
        ck_assert_int_eq(got, want);
        ck_assert_int_ne(got, 1);
        ck_assert_int_ne(got, 6);
        l[got].outstanding++;
        if (k % 3 == 0 && l[k % 8].outstanding > 0)
            l[k % 8].outstanding--;
    }
    gsl_rng_free(g);
    dcs_router_destroy(&r);
}
END_TEST

START_TEST(test_power_of_two_shares)
{
    /* Two accepting replicas, outstanding 0 and 100: both are drawn every
     * time, so #0 always wins. */
    dcs_router_t r = make(DCS_ROUTER_POWER_OF_TWO, 5);
    dcs_replica_load_t two[2] = {{1, 0, 0}, {1, 100, 0}};
    for (int k = 0; k < 10000; k++)
        ck_assert_int_eq(dcs_router_pick(&r, two, 2), 0);

    /* Three, outstanding 0, 5, 10: the unordered pairs {0,1}, {0,2}, {1,2}
     * are equally likely; #0 wins 2 of 3, #1 1 of 3, #2 never. Over 10,000
     * picks the counts lie within 3 standard deviations,
     * sqrt(10000 x 2/3 x 1/3) = 47.1, of 6,666.7 and 3,333.3. */
    dcs_replica_load_t three[3] = {{1, 0, 0}, {1, 5, 0}, {1, 10, 0}};
    int count[3] = {0};
    for (int k = 0; k < 10000; k++)
        count[dcs_router_pick(&r, three, 3)]++;
    double sd = sqrt(10000.0 * (2.0 / 3) * (1.0 / 3));
    ck_assert_double_eq_tol(count[0], 10000.0 * 2 / 3, 3 * sd);
    ck_assert_double_eq_tol(count[1], 10000.0 / 3, 3 * sd);
    ck_assert_int_eq(count[2], 0);
    dcs_router_destroy(&r);
}
END_TEST

START_TEST(test_power_of_two_single)
{
    /* One accepting replica of four: always it, with no draw (the
     * generator's next number is still its first); none: -1. */
    dcs_router_t r = make(DCS_ROUTER_POWER_OF_TWO, 9);
    dcs_replica_load_t l[4] = {{0, 0, 0}, {0, 0, 0}, {1, 50, 0.9}, {0, 0, 0}};
    for (int k = 0; k < 100; k++)
        ck_assert_int_eq(dcs_router_pick(&r, l, 4), 2);
    l[2].accepting = 0;
    ck_assert_int_eq(dcs_router_pick(&r, l, 4), -1);
    gsl_rng *g = dcs_rng_new(9, "router");
    ck_assert_uint_eq(gsl_rng_get(r.rng), gsl_rng_get(g));
    gsl_rng_free(g);
    dcs_router_destroy(&r);
}
END_TEST

START_TEST(test_none_accepting)
{
    dcs_replica_load_t l[3] = {{0, 0, 0}, {0, 1, 0.5}, {0, 2, 0.1}};
    for (int p = 0; p < DCS_ROUTER_NPOLICIES; p++) {
        dcs_router_t r = make(p, 2);
        ck_assert_int_eq(dcs_router_pick(&r, l, 3), -1);
        dcs_router_destroy(&r);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("router");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_find_names);
    tcase_add_test(tc, test_round_robin);
    tcase_add_test(tc, test_least_outstanding);
    tcase_add_test(tc, test_least_kv);
    tcase_add_test(tc, test_power_of_two_draws);
    tcase_add_test(tc, test_power_of_two_shares);
    tcase_add_test(tc, test_power_of_two_single);
    tcase_add_test(tc, test_none_accepting);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
