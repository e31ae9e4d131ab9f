/* test_power.c - the board power model (hw/power.h) against hand
 * calculations: below the limit power is idle + active + J/byte x bytes/s +
 * J/FLOP x FLOP/s; above the burst power the model's rate ran at a lower
 * clock; held at the limit (or a cap) the clock falls until power equals
 * it, and the compute rate with it; fp8 FLOPs cost bf16's energy per
 * tensor cycle. Plus the fit on a synthetic power.csv whose parameters
 * are known. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hw/power.h"
#include "hw/powerfit.h"
#include "support.h"

/* idle 100 W, active 20 W, 100 pJ/B, 1 pJ per bf16 FLOP at the maximum
 * clock, DVFS exponent 1, bursts up to 900 W, limit 700 W; bf16 peak 1
 * PFLOP/s, fp8 2. */
static dcs_device_spec_t spec(void)
{
    dcs_device_spec_t d;
    memset(&d, 0, sizeof d);
    d.idle_power_w = 100;
    d.tdp_w = 700;
    d.boost_clock_mhz = 2000;
    d.perf.peak_flops[DCS_BF16] = 1e15;
    d.perf.peak_flops[DCS_FP8] = 2e15;
    d.perf.mem_bw_bytes_per_s = 4e12;
    d.power.active_w = 20;
    d.power.hbm_j_per_byte = 100e-12;
    d.power.link_j_per_byte = 200e-12;
    d.power.flop_j = 1e-12;
    d.power.dvfs_exponent = 1;
    d.power.burst_w = 900;
    return d;
}

START_TEST(below_the_limit_adds_up)
{
    dcs_device_spec_t d = spec();
    dcs_power_draw_t p;
    /* 1 TB/s of memory: 100 + 20 + 100 */
    dcs_power_draw(&d, -1, 0, 1e12, 0, 0, &p);
    ck_assert_double_eq_tol(p.sustained_w, 220, 1e-9);
    ck_assert_double_eq_tol(p.rate_factor, 1, 1e-12);
    /* 200 TFLOP/s bf16: 120 + 200 */
    dcs_power_draw(&d, DCS_BF16, 2e14, 0, 0, 0, &p);
    ck_assert_double_eq_tol(p.sustained_w, 320, 1e-9);
    /* links: 100 GB/s sent, 200 GB/s through memory: 120 + 20 + 20 */
    dcs_power_draw(&d, -1, 0, 2e11, 1e11, 0, &p);
    ck_assert_double_eq_tol(p.sustained_w, 160, 1e-9);
    /* 1 PFLOP/s of fp8 at half the energy per FLOP: 120 + 500 */
    dcs_power_draw(&d, DCS_FP8, 1e15, 0, 0, 0, &p);
    ck_assert_double_eq_tol(p.sustained_w, 620, 1e-9);
}
END_TEST

START_TEST(held_at_the_limit)
{
    /* 1 PFLOP/s bf16 would draw 120 + 1000 at the maximum clock, above
     * the 900 W of a burst: it ran at s_ref = 780 / 1000 = 0.78. Held at
     * 700 W: 120 + (1000 / 0.78) s^2 = 700, s = sqrt(580 x 0.78 / 1000) =
     * 0.672607, rate x s / s_ref = 0.862317. */
    dcs_device_spec_t d = spec();
    dcs_power_draw_t p;
    dcs_power_draw(&d, DCS_BF16, 1e15, 0, 0, 0, &p);
    ck_assert_double_eq_tol(p.burst_w, 900, 1e-9);
    ck_assert_double_eq_tol(p.sustained_w, 700, 1e-9);
    double s = sqrt(580.0 * 0.78 / 1000.0);
    ck_assert_double_eq_tol(p.rate_factor, s / 0.78, 1e-9);
    /* a 300 W cap on 200 TFLOP/s (320 W): 120 + 200 s^2 = 300 */
    dcs_power_draw(&d, DCS_BF16, 2e14, 0, 0, 300, &p);
    ck_assert_double_eq_tol(p.sustained_w, 300, 1e-9);
    ck_assert_double_eq_tol(p.rate_factor, sqrt(0.9), 1e-9);
    /* a cap above the draw changes nothing */
    dcs_power_draw(&d, DCS_BF16, 2e14, 0, 0, 500, &p);
    ck_assert_double_eq_tol(p.sustained_w, 320, 1e-9);
    ck_assert_double_eq_tol(p.rate_factor, 1, 1e-12);
}
END_TEST

START_TEST(idle_op_draws_idle_power)
{
    dcs_device_spec_t d = spec();
    dcs_op_t op;
    dcs_op_init(&op);
    op.kind = DCS_OP_IDLE;
    dcs_power_draw_t p;
    dcs_power_op(&d, &op, 1e-3, 0, 0, &p);
    ck_assert_double_eq(p.sustained_w, 100);
    /* a copy of 1e9 elements of bf16 (4e9 bytes read and written) in 4 ms:
     * 1 TB/s */
    op.kind = DCS_OP_COPY;
    op.dtype = DCS_BF16;
    op.m = 1000000000;
    dcs_power_op(&d, &op, 4e-3, 0, 0, &p);
    ck_assert_double_eq_tol(p.sustained_w, 220, 1e-6);
}
END_TEST

/* A synthetic power.csv from the model with known parameters: the fit
 * must find them again. */
START_TEST(fit_recovers_known_parameters)
{
    dcs_device_spec_t d = spec();
    char tmp[64], path[128];
    make_tmpdir(tmp, sizeof tmp);
    snprintf(path, sizeof path, "%s/power.csv", tmp);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("phase,t_s,warmup,power_w,sm_clock_mhz,mem_clock_mhz,temp_c,"
          "energy_j,phase_tflops,phase_gbps\n",
          f);
    /* idle 100; copies at 2 and 0.5 TB/s: 320 and 170; gemm_1024 at 300
     * TFLOP/s and the maximum clock: 420; gemm held at 700 W at clock
     * 0.6 running 600 TFLOP/s: 120 + e R s^beta = 120 + 600 x 0.6^beta =
     * 700 -> beta = ln(580 / 600) / ln(0.6); all-reduce at 100 GB/s
     * (2 GPUs: 100 GB/s sent, 200 GB/s through memory): 160. */
    const char *rows[] = {
        "idle,5,0,100,2000,1,1,0,0,0",
        "copy,5,0,320,2000,1,1,0,0,2000",
        "copy_q,5,0,170,2000,1,1,0,0,500",
        "gemm_1024,5,0,420,2000,1,1,0,300,0",
        "gemm,5,0,700,1200,1,1,0,600,0",
        "allreduce,5,0,160,2000,1,1,0,0,100",
        "copy_sm,5,0,220,2000,1,1,0,0,1000",
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        fprintf(f, "%s\n%s\n", rows[i], rows[i]);
    fclose(f);
    dcs_table_t t;
    dcs_err_t err = {""};
    ck_assert_int_eq(dcs_table_read(path, &t, &err), 0);
    dcs_power_fit_t fit;
    ck_assert_msg(dcs_power_fit(&t, &d, 2, &fit, &err) == 0, "%s", err.msg);
    dcs_table_free(&t);
    ck_assert_double_eq_tol(fit.idle_w, 100, 1e-9);
    ck_assert_double_eq_tol(fit.params.active_w, 20, 1e-9);
    ck_assert_double_eq_tol(fit.params.hbm_j_per_byte, 100e-12, 1e-20);
    ck_assert_double_eq_tol(fit.params.flop_j, 1e-12, 1e-20);
    ck_assert_double_eq_tol(fit.params.dvfs_exponent,
                            log(580.0 / 600.0) / log(0.6), 1e-9);
    ck_assert_double_eq_tol(fit.params.link_j_per_byte, 200e-12, 1e-20);
    ck_assert_int_eq(fit.has_link, 1);
    /* the kept-out copy at 1 TB/s: 220 W */
    for (int i = 0; i < fit.nphases; i++)
        if (!strcmp(fit.phase[i].name, "copy_sm")) {
            ck_assert_int_eq(fit.phase[i].fitted, 0);
            ck_assert_double_eq_tol(fit.phase[i].predicted_w, 220, 1e-6);
        }
    /* a missing phase is named */
    snprintf(path, sizeof path, "%s/short.csv", tmp);
    f = fopen(path, "w");
    fputs("phase,warmup,power_w,sm_clock_mhz,phase_tflops,phase_gbps\n"
          "idle,0,100,2000,0,0\n",
          f);
    fclose(f);
    ck_assert_int_eq(dcs_table_read(path, &t, &err), 0);
    ck_assert_int_eq(dcs_power_fit(&t, &d, 2, &fit, &err), DCS_EINPUT);
    char want[256];
    snprintf(want, sizeof want, "%s: no phase 'copy'", path);
    ck_assert_str_eq(err.msg, want);
    dcs_table_free(&t);
    remove_tree(tmp);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("power");
    TCase *tc = tcase_create("power");
    tcase_add_test(tc, below_the_limit_adds_up);
    tcase_add_test(tc, held_at_the_limit);
    tcase_add_test(tc, idle_op_draws_idle_power);
    tcase_add_test(tc, fit_recovers_known_parameters);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
