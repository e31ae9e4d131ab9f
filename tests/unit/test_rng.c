/* test_rng.c - named random streams.
 *
 * Invariants: the same (seed, name, id) always gives the same draws; other
 * names, ids or seeds give other draws; and creating or drawing from one
 * stream never changes another's sequence (adding an entity shifts nothing). */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "engine/rng.h"

static void draws(gsl_rng *r, unsigned long *out, int n)
{
    for (int i = 0; i < n; i++)
        out[i] = gsl_rng_get(r);
}

START_TEST(test_reproducible)
{
    unsigned long a[100], b[100];
    gsl_rng *r1 = dcs_rng_new(42, "arrivals");
    gsl_rng *r2 = dcs_rng_new(42, "arrivals");
    draws(r1, a, 100);
    draws(r2, b, 100);
    for (int i = 0; i < 100; i++)
        ck_assert_uint_eq(a[i], b[i]);
    gsl_rng_free(r1);
    gsl_rng_free(r2);
}
END_TEST

START_TEST(test_streams_differ)
{
    /* Seeds must differ across names, ids and run seeds, including the
     * adjacent values a careless hash would map close together. */
    uint32_t s[6] = {
        dcs_rng_seed(42, "arrivals", 0), dcs_rng_seed(42, "durations", 0),
        dcs_rng_seed(42, "arrivals", 1), dcs_rng_seed(43, "arrivals", 0),
        dcs_rng_seed(42, "gpu", 7),      dcs_rng_seed(42, "gpu", 8),
    };
    for (int i = 0; i < 6; i++)
        for (int j = i + 1; j < 6; j++)
            ck_assert_uint_ne(s[i], s[j]);
}
END_TEST

START_TEST(test_independent_of_other_streams)
{
    /* Draw stream A alone; then again with stream B created and drawn from
     * in between; and with extra per-entity streams added first. */
    unsigned long alone[50], mixed[50], more[50];
    gsl_rng *a = dcs_rng_new(9, "A");
    draws(a, alone, 50);
    gsl_rng_free(a);

    a = dcs_rng_new(9, "A");
    gsl_rng *b = dcs_rng_new(9, "B");
    for (int i = 0; i < 50; i++) {
        mixed[i] = gsl_rng_get(a);
        gsl_rng_get(b);
        gsl_rng_get(b);
    }
    gsl_rng_free(a);
    gsl_rng_free(b);

    gsl_rng *extra[10];
    for (int i = 0; i < 10; i++) {
        extra[i] = dcs_rng_new_id(9, "gpu", (uint64_t)i);
        gsl_rng_get(extra[i]);
    }
    a = dcs_rng_new(9, "A");
    draws(a, more, 50);
    gsl_rng_free(a);
    for (int i = 0; i < 10; i++)
        gsl_rng_free(extra[i]);

    for (int i = 0; i < 50; i++) {
        ck_assert_uint_eq(alone[i], mixed[i]);
        ck_assert_uint_eq(alone[i], more[i]);
    }
}
END_TEST

START_TEST(test_uniform_mean)
{
    /* A sanity check that the generator is used as seeded: the mean of
     * 100,000 uniforms is 0.5 within 5 standard errors (1/sqrt(12n)). */
    gsl_rng *r = dcs_rng_new_id(1, "x", 3);
    double sum = 0;
    int n = 100000;
    for (int i = 0; i < n; i++)
        sum += gsl_rng_uniform(r);
    double se = 1.0 / sqrt(12.0 * n);
    ck_assert_double_eq_tol(sum / n, 0.5, 5 * se);
    gsl_rng_free(r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rng");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_reproducible);
    tcase_add_test(tc, test_streams_differ);
    tcase_add_test(tc, test_independent_of_other_streams);
    tcase_add_test(tc, test_uniform_mean);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
