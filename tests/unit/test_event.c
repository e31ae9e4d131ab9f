/* test_event.c - the event queue and run loop.
 *
 * Invariants: events pop in (time, insertion) order, so ties run in the
 * order they were scheduled; 10^6 random events pop sorted; a cancelled
 * event never runs and cancelling twice, or a handle that already ran, is
 * reported as not found; the run loop stops at `until`, when empty, and
 * when a handler asks it to. */
#include <check.h>
#include <gsl/gsl_rng.h>
#include <stdlib.h>

#include "engine/error.h"
#include "engine/queue.h"
#include "engine/sim.h"

typedef struct log {
    int64_t args[64];
    dcs_time_t times[64];
    int n;
} log_t;

static void record(dcs_sim_t *sim, void *obj, int64_t arg)
{
    log_t *l = obj;
    l->args[l->n] = arg;
    l->times[l->n] = dcs_sim_now(sim);
    l->n++;
}

START_TEST(test_ties_in_insertion_order)
{
    dcs_sim_t *sim = dcs_sim_new();
    log_t l = {0};
    /* Interleave two times; within each time, insertion order must hold. */
    for (int i = 0; i < 10; i++)
        dcs_sim_at(sim, (i % 2) ? 500 : 100, record, &l, i);
    ck_assert_int_eq(dcs_sim_run(sim, DCS_TIME_NEVER), DCS_RUN_EMPTY);
    int64_t expect[10] = {0, 2, 4, 6, 8, 1, 3, 5, 7, 9};
    ck_assert_int_eq(l.n, 10);
    for (int i = 0; i < 10; i++) {
        ck_assert_int_eq(l.args[i], expect[i]);
        ck_assert_int_eq(l.times[i], i < 5 ? 100 : 500);
    }
    dcs_sim_free(sim);
}
END_TEST

START_TEST(test_million_random_pop_sorted)
{
    dcs_queue_t q;
    dcs_queue_init(&q);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 12345);
    const int n = 1000000;
    for (int i = 0; i < n; i++) {
        /* Few distinct times, so many ties; arg records insertion order. */
        dcs_time_t t = (dcs_time_t)gsl_rng_uniform_int(r, 50000);
        ck_assert_uint_ne(dcs_queue_push(&q, t, NULL, NULL, i), 0);
    }
    dcs_event_t ev, prev = {-1, NULL, NULL, -1};
    int popped = 0;
    while (dcs_queue_pop(&q, &ev)) {
        ck_assert(ev.time_ns > prev.time_ns ||
                  (ev.time_ns == prev.time_ns && ev.arg > prev.arg));
        prev = ev;
        popped++;
    }
    ck_assert_int_eq(popped, n);
    gsl_rng_free(r);
    dcs_queue_destroy(&q);
}
END_TEST

START_TEST(test_cancel)
{
    dcs_sim_t *sim = dcs_sim_new();
    log_t l = {0};
    dcs_event_id_t ids[20];
    for (int i = 0; i < 20; i++)
        ids[i] = dcs_sim_at(sim, 1000 - 10 * i, record, &l, i);
    /* Cancel every third event, including the earliest and the latest. */
    for (int i = 0; i < 20; i += 3)
        ck_assert_int_eq(dcs_sim_cancel(sim, ids[i]), 0);
    ck_assert_int_eq(dcs_sim_cancel(sim, ids[0]), DCS_ENOTFOUND);
    ck_assert_int_eq(dcs_sim_cancel(sim, 0), DCS_ENOTFOUND);
    ck_assert_uint_eq(dcs_sim_pending(sim), 13);
    dcs_sim_run(sim, DCS_TIME_NEVER);
    ck_assert_int_eq(l.n, 13);
    /* Remaining events ran latest-scheduled first (they were earlier). */
    int k = 0;
    for (int i = 19; i >= 0; i--) {
        if (i % 3 == 0)
            continue;
        ck_assert_int_eq(l.args[k], i);
        ck_assert_int_eq(l.times[k], 1000 - 10 * i);
        k++;
    }
    /* A handle of an event that already ran is not pending any more, even
     * though its slot has been reused by a new event since. */
    dcs_event_id_t fresh = dcs_sim_at(sim, dcs_sim_now(sim), record, &l, 99);
    ck_assert_int_eq(dcs_sim_cancel(sim, ids[1]), DCS_ENOTFOUND);
    ck_assert_int_eq(dcs_sim_cancel(sim, fresh), 0);
    dcs_sim_free(sim);
}
END_TEST

START_TEST(test_cancel_random_against_reference)
{
    /* Random pushes and cancels; the survivors must pop sorted and be
     * exactly the events not cancelled. */
    dcs_queue_t q;
    dcs_queue_init(&q);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 7);
    enum { N = 20000 };
    static dcs_event_id_t ids[N];
    static char cancelled[N];
    for (int i = 0; i < N; i++)
        ids[i] = dcs_queue_push(&q, (dcs_time_t)gsl_rng_uniform_int(r, 1000),
                                NULL, NULL, i);
    int ncancel = 0;
    for (int i = 0; i < N / 2; i++) {
        int j = (int)gsl_rng_uniform_int(r, N);
        int rc = dcs_queue_cancel(&q, ids[j]);
        ck_assert_int_eq(rc, cancelled[j] ? DCS_ENOTFOUND : 0);
        if (!cancelled[j])
            ncancel++;
        cancelled[j] = 1;
    }
    dcs_event_t ev, prev = {-1, NULL, NULL, -1};
    int popped = 0;
    while (dcs_queue_pop(&q, &ev)) {
        ck_assert(!cancelled[ev.arg]);
        ck_assert(ev.time_ns > prev.time_ns ||
                  (ev.time_ns == prev.time_ns && ev.arg > prev.arg));
        prev = ev;
        popped++;
    }
    ck_assert_int_eq(popped, N - ncancel);
    gsl_rng_free(r);
    dcs_queue_destroy(&q);
}
END_TEST

static void stopper(dcs_sim_t *sim, void *obj, int64_t arg)
{
    record(sim, obj, arg);
    if (arg == 2)
        dcs_sim_stop(sim);
}

START_TEST(test_run_until_and_stop)
{
    dcs_sim_t *sim = dcs_sim_new();
    log_t l = {0};
    for (int i = 0; i < 5; i++)
        dcs_sim_at(sim, 100 * (i + 1), stopper, &l, i);
    /* until is inclusive: the event at 200 runs, the clock ends at 250. */
    ck_assert_int_eq(dcs_sim_run(sim, 250), DCS_RUN_UNTIL);
    ck_assert_int_eq(l.n, 2);
    ck_assert_int_eq(dcs_sim_now(sim), 250);
    ck_assert_int_eq(dcs_sim_run(sim, DCS_TIME_NEVER), DCS_RUN_STOPPED);
    ck_assert_int_eq(l.n, 3);
    ck_assert_int_eq(dcs_sim_now(sim), 300);
    ck_assert_int_eq(dcs_sim_run(sim, DCS_TIME_NEVER), DCS_RUN_EMPTY);
    ck_assert_int_eq(l.n, 5);
    ck_assert_int_eq(dcs_sim_now(sim), 500);
    ck_assert_uint_eq(dcs_sim_events_run(sim), 5);
    dcs_sim_free(sim);
}
END_TEST

static void chain(dcs_sim_t *sim, void *obj, int64_t arg)
{
    record(sim, obj, arg);
    if (arg < 9)
        dcs_sim_after(sim, 7, chain, obj, arg + 1);
}

START_TEST(test_handlers_schedule_more)
{
    dcs_sim_t *sim = dcs_sim_new();
    log_t l = {0};
    dcs_sim_at(sim, 3, chain, &l, 0);
    dcs_sim_run(sim, DCS_TIME_NEVER);
    ck_assert_int_eq(l.n, 10);
    ck_assert_int_eq(dcs_sim_now(sim), 3 + 9 * 7);
    dcs_sim_free(NULL); /* a no-op */
    dcs_sim_free(sim);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("event");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_ties_in_insertion_order);
    tcase_add_test(tc, test_million_random_pop_sorted);
    tcase_add_test(tc, test_cancel);
    tcase_add_test(tc, test_cancel_random_against_reference);
    tcase_add_test(tc, test_run_until_and_stop);
    tcase_add_test(tc, test_handlers_schedule_more);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
