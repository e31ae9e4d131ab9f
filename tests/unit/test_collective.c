/* test_collective.c - the analytical cost of collectives.
 *
 * Invariants, from closed forms: with no fixed costs, full efficiency and
 * no ramp, a ring all-reduce of N bytes on p GPUs takes
 * 2(p-1)/p x N / B + 2(p-1) x alpha; all_gather, reduce_scatter and
 * all_to_all move (p-1)/p x N in p-1 steps; send_recv moves N in one step;
 * the per-GPU launch term grows with p; the size ramp slows small messages
 * and not large ones. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "net/collective.h"

static dcs_device_spec_t device(double link_bw)
{
    dcs_device_spec_t d;
    memset(&d, 0, sizeof d);
    strcpy(d.name, "test");
    d.link_bw_bytes_per_s = link_bw;
    return d;
}

/* Ideal parameters: only alpha and the bandwidth term remain. */
static dcs_opcost_params_t ideal(double alpha)
{
    dcs_opcost_params_t p;
    dcs_opcost_defaults(&p);
    p.v[DCS_P_coll_t0_s] = 0;
    p.v[DCS_P_coll_launch_s] = 0;
    p.v[DCS_P_coll_alpha_s] = alpha;
    for (int i = 0; i < 6; i++) {
        p.v[DCS_P_coll_eff_all_reduce + i] = 1.0;
        p.v[DCS_P_coll_half_all_reduce + i] = 0.0;
    }
    return p;
}

static dcs_op_t coll(dcs_op_kind_t kind, int64_t gpus, int64_t bytes)
{
    dcs_op_t op;
    dcs_op_init(&op);
    op.kind = kind;
    op.gpus = gpus;
    op.bytes = bytes;
    return op;
}

START_TEST(test_ring_all_reduce_closed_form)
{
    double bw = 400e9, alpha = 3e-6;
    dcs_device_spec_t d = device(bw);
    dcs_opcost_params_t p = ideal(alpha);
    int64_t n = INT64_C(1) << 30;
    for (int64_t gpus = 2; gpus <= 16; gpus *= 2) {
        dcs_op_t op = coll(DCS_OP_ALL_REDUCE, gpus, n);
        double want =
            2.0 * (gpus - 1) / gpus * (double)n / bw + 2.0 * (gpus - 1) * alpha;
        ck_assert_double_eq_tol(dcs_coll_time_s(&d, &p, &op), want,
                                want * 1e-12);
    }
}
END_TEST

START_TEST(test_volumes)
{
    double bw = 100e9, alpha = 1e-6;
    dcs_device_spec_t d = device(bw);
    dcs_opcost_params_t p = ideal(alpha);
    int64_t n = 800000000;
    /* p = 4: (p-1)/p = 3/4 of N in 3 steps. */
    dcs_op_kind_t quarter[] = {DCS_OP_ALL_GATHER, DCS_OP_REDUCE_SCATTER,
                               DCS_OP_ALL_TO_ALL};
    for (int i = 0; i < 3; i++) {
        dcs_op_t op = coll(quarter[i], 4, n);
        double want = 0.75 * 8e8 / bw + 3 * alpha;
        ck_assert_double_eq_tol(dcs_coll_time_s(&d, &p, &op), want,
                                want * 1e-12);
    }
    dcs_op_t sr = coll(DCS_OP_SEND_RECV, 4, n);
    ck_assert_double_eq_tol(dcs_coll_time_s(&d, &p, &sr), 8e8 / bw + alpha,
                            1e-15);
    dcs_op_t bc = coll(DCS_OP_BROADCAST, 4, n);
    ck_assert_double_eq_tol(dcs_coll_time_s(&d, &p, &bc), 8e8 / bw + 3 * alpha,
                            1e-15);
}
END_TEST

START_TEST(test_launch_and_ramp)
{
    dcs_device_spec_t d = device(100e9);
    dcs_opcost_params_t p = ideal(0);
    /* Launch: 5 us per GPU; 4 GPUs cost 10 us more than 2. */
    p.v[DCS_P_coll_launch_s] = 5e-6;
    dcs_op_t two = coll(DCS_OP_SEND_RECV, 2, 1000),
             four = coll(DCS_OP_SEND_RECV, 4, 1000);
    ck_assert_double_eq_tol(dcs_coll_time_s(&d, &p, &four) -
                                dcs_coll_time_s(&d, &p, &two),
                            10e-6, 1e-15);
    /* Ramp: N_half = 1 MB at p = 2: a 1 MB message moves at half the
     * bandwidth (twice the ideal time); a 1 GB one at 1000/1001 of it. */
    p.v[DCS_P_coll_launch_s] = 0;
    p.v[DCS_P_coll_half_send_recv] = 1e6;
    dcs_op_t small = coll(DCS_OP_SEND_RECV, 2, 1000000);
    ck_assert_double_eq_tol(dcs_coll_time_s(&d, &p, &small), 2 * 1e6 / 100e9,
                            1e-15);
    dcs_op_t large = coll(DCS_OP_SEND_RECV, 2, 1000000000);
    ck_assert_double_eq_tol(dcs_coll_time_s(&d, &p, &large),
                            1e9 / 100e9 * 1001.0 / 1000.0, 1e-12);
    /* No links: no price. */
    dcs_device_spec_t none = device(0);
    ck_assert_double_eq(dcs_coll_time_s(&none, &p, &large), 0.0);
}
END_TEST

START_TEST(test_checks)
{
    char msg[256];
    dcs_op_t one = coll(DCS_OP_ALL_REDUCE, 1, 1024);
    ck_assert_int_eq(dcs_op_check(&one, msg, sizeof msg), -1);
    ck_assert_str_eq(msg, "op all_reduce needs gpus >= 2, found 1");
    dcs_op_t empty = coll(DCS_OP_ALL_GATHER, 4, 0);
    ck_assert_int_eq(dcs_op_check(&empty, msg, sizeof msg), -1);
    ck_assert_str_eq(msg, "op all_gather needs bytes >= 1, found 0");
    ck_assert(dcs_op_is_collective(&one));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("collective");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_ring_all_reduce_closed_form);
    tcase_add_test(tc, test_volumes);
    tcase_add_test(tc, test_launch_and_ramp);
    tcase_add_test(tc, test_checks);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
