/* powerfit.c - the board power model fitted to NVML phases. */
#include "hw/powerfit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/cfg.h"
#include "hw/opcost.h"
#include "hw/power.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Gathers each phase's medians and rates, in file order. */
static int read_phases(const dcs_table_t *t, dcs_power_fit_t *fit,
                       dcs_err_t *err)
{
    static const char *const need[] = {"phase",        "warmup",
                                       "power_w",      "sm_clock_mhz",
                                       "phase_tflops", "phase_gbps"};
    int c[6];
    for (int i = 0; i < 6; i++)
        if ((c[i] = dcs_table_col(t, need[i])) < 0)
            return dcs_err_set(err, DCS_EINPUT, "%s: no column '%s'", t->path,
                               need[i]);
    double *pw = malloc(sizeof *pw * (t->nrows + 1));
    double *clk = malloc(sizeof *clk * (t->nrows + 1));
    if (!pw || !clk) {
        free(pw);
        free(clk);
        return DCS_ENOMEM;
    }
    fit->nphases = 0;
    for (size_t r = 0; r < t->nrows;) {
        const char *name = t->cells[r][c[0]];
        size_t n = 0, end = r;
        dcs_power_phase_t *ph = &fit->phase[fit->nphases];
        memset(ph, 0, sizeof *ph);
        while (end < t->nrows && !strcmp(t->cells[end][c[0]], name)) {
            if (atoi(t->cells[end][c[1]]) == 0) {
                pw[n] = atof(t->cells[end][c[2]]);
                clk[n++] = atof(t->cells[end][c[3]]);
            }
            ph->tflops = atof(t->cells[end][c[4]]);
            ph->gbps = atof(t->cells[end][c[5]]);
            end++;
        }
        if (n > 0 && fit->nphases < DCS_POWERFIT_MAX_PHASES) {
            snprintf(ph->name, sizeof ph->name, "%s", name);
            ph->measured_w = median(pw, n);
            ph->clock_mhz = median(clk, n);
            fit->nphases++;
        }
        r = end;
    }
    free(pw);
    free(clk);
    return 0;
}

static dcs_power_phase_t *find(dcs_power_fit_t *fit, const char *name)
{
    for (int i = 0; i < fit->nphases; i++)
        if (!strcmp(fit->phase[i].name, name))
            return &fit->phase[i];
    return NULL;
}

/* The op cost model's FLOP rate for a square GEMM of n in `dtype`. */
static double gemm_rate(const dcs_device_spec_t *spec, int64_t n, int dtype)
{
    dcs_op_t op;
    dcs_op_init(&op);
    op.kind = DCS_OP_GEMM;
    op.dtype = (dcs_dtype_t)dtype;
    op.m = op.n = op.k = n;
    return dcs_op_flops(&op) /
           dcs_opcost_time_s(&spec->perf, &spec->params, &op);
}

/* Bytes each GPU sends per second in a ring all-reduce whose algorithm
 * rate (bytes all-reduced per second) is `gbps`. */
static double link_rate(double gbps, int gpus)
{
    int p = gpus > 1 ? gpus : 2;
    return 2.0 * (p - 1) / p * gbps * 1e9;
}

void dcs_power_predict(dcs_power_fit_t *fit, const dcs_device_spec_t *spec)
{
    int gpus = fit->gpus;
    const dcs_power_params_t *p = &spec->power;
    double active = spec->idle_power_w + p->active_w;
    for (int i = 0; i < fit->nphases; i++) {
        dcs_power_phase_t *ph = &fit->phase[i];
        dcs_power_draw_t d;
        ph->predicted_tflops = 0;
        if (!strcmp(ph->name, "idle")) {
            ph->predicted_w = spec->idle_power_w;
        } else if (!strncmp(ph->name, "copy", 4)) {
            dcs_power_draw(spec, -1, 0, ph->gbps * 1e9, 0, 0, &d);
            ph->predicted_w = d.sustained_w;
        } else if (!strncmp(ph->name, "allreduce", 9)) {
            double l = link_rate(ph->gbps, gpus);
            dcs_power_draw(spec, -1, 0, 2.0 * l, l, 0, &d);
            ph->predicted_w = d.sustained_w;
        } else if (!strncmp(ph->name, "gemm", 4)) {
            int64_t n = 8192;
            int dtype = DCS_BF16;
            if (!strcmp(ph->name, "gemm_4096"))
                n = 4096;
            else if (!strcmp(ph->name, "gemm_1024"))
                n = 1024;
            else if (!strcmp(ph->name, "gemm_fp8"))
                dtype = DCS_FP8;
            double rate = gemm_rate(spec, n, dtype);
            dcs_power_draw(spec, dtype, rate, 0, 0, 0, &d);
            ph->predicted_tflops = rate * d.rate_factor / 1e12;
            if (!strcmp(ph->name, "gemm_duty")) {
                /* bursts at the model's rate for the share of time the
                 * measured mean rate implies, active idle between */
                double share = fmin(1.0, ph->tflops * 1e12 / rate);
                ph->predicted_w = share * d.burst_w + (1 - share) * active;
                ph->predicted_tflops = 0;
            } else {
                /* the power of the rate it ran at (the op cost model's
                 * own error is the tflops columns') */
                dcs_power_draw(spec, dtype, ph->tflops * 1e12, 0, 0, 0, &d);
                ph->predicted_w = d.sustained_w;
            }
        } else {
            ph->predicted_w = NAN;
        }
    }
}

int dcs_power_fit(const dcs_table_t *t, const dcs_device_spec_t *spec, int gpus,
                  dcs_power_fit_t *fit, dcs_err_t *err)
{
    memset(fit, 0, sizeof *fit);
    fit->gpus = gpus;
    int rc = read_phases(t, fit, err);
    if (rc < 0)
        return rc;
    static const char *const need[] = {"idle", "copy", "copy_q", "gemm",
                                       "gemm_1024"};
    dcs_power_phase_t *ph[5];
    for (int i = 0; i < 5; i++)
        if (!(ph[i] = find(fit, need[i])))
            return dcs_err_set(err, DCS_EINPUT, "%s: no phase '%s'", t->path,
                               need[i]);
    dcs_power_params_t *p = &fit->params;
    *p = spec->power;
    fit->idle_w = ph[0]->measured_w;
    double idle = spec->idle_power_w;
    /* The copies: a line in the HBM rate. */
    double r_hi = ph[1]->gbps * 1e9, r_lo = ph[2]->gbps * 1e9;
    if (r_hi <= r_lo)
        return dcs_err_set(err, DCS_EINPUT,
                           "%s: phase copy must move more bytes per second "
                           "than copy_q",
                           t->path);
    p->hbm_j_per_byte = (ph[1]->measured_w - ph[2]->measured_w) / (r_hi - r_lo);
    p->active_w = ph[2]->measured_w - idle - p->hbm_j_per_byte * r_lo;
    double base = idle + p->active_w;
    /* gemm_1024 at the maximum clock: J per FLOP there. */
    if (ph[4]->tflops <= 0 || ph[3]->tflops <= 0)
        return dcs_err_set(err, DCS_EINPUT, "%s: GEMM phases without a rate",
                           t->path);
    p->flop_j = (ph[4]->measured_w - base) / (ph[4]->tflops * 1e12);
    /* gemm at the limit, at clock fraction s: e R s^beta = P - base. */
    double s = ph[3]->clock_mhz / spec->boost_clock_mhz;
    double e_r = p->flop_j * ph[3]->tflops * 1e12;
    if (s > 0 && s < 0.995 && ph[3]->measured_w > base)
        p->dvfs_exponent = log((ph[3]->measured_w - base) / e_r) / log(s);
    /* Bursts: the op cost model's rate for that GEMM runs at s_ref =
     * rate / R1 (R1 = R / s, its rate at the maximum clock). */
    double r1 = ph[3]->tflops * 1e12 / (s > 0 ? s : 1);
    double rate = gemm_rate(spec, 8192, DCS_BF16);
    double s_ref = fmin(1.0, rate / r1);
    p->burst_w = fmax(spec->tdp_w,
                      base + p->flop_j * rate * pow(s_ref, p->dvfs_exponent));
    /* The links, when an all-reduce was measured. */
    dcs_power_phase_t *ar = find(fit, "allreduce");
    if (ar && ar->gbps > 0) {
        double l = link_rate(ar->gbps, gpus);
        p->link_j_per_byte =
            (ar->measured_w - base - p->hbm_j_per_byte * 2.0 * l) / l;
        if (p->link_j_per_byte < 0)
            p->link_j_per_byte = 0;
        ar->fitted = 1;
        fit->has_link = 1;
    }
    p->fitted = 1;
    for (int i = 0; i < 5; i++)
        ph[i]->fitted = 1;
    dcs_device_spec_t with = *spec;
    with.power = *p;
    dcs_power_predict(fit, &with);
    return 0;
}

int dcs_power_fit_dir(const char *dir, const dcs_device_spec_t *spec,
                      dcs_power_fit_t *fit, dcs_err_t *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/power_meta.yaml", dir);
    int64_t gpus = 2;
    dcs_err_t ignored;
    dcs_cfg_t *cfg =
        access(path, R_OK) == 0 ? dcs_cfg_load(path, &ignored) : NULL;
    if (cfg) {
        dcs_cfg_i64(dcs_cfg_root(cfg), "gpus_on_host", DCS_CFG_OPTIONAL, 1, 64,
                    &gpus, &ignored);
        dcs_cfg_free(cfg);
    }
    snprintf(path, sizeof path, "%s/power.csv", dir);
    if (access(path, R_OK) != 0)
        return 0;
    dcs_table_t t;
    int rc = dcs_table_read(path, &t, err);
    if (rc < 0)
        return rc;
    rc = dcs_power_fit(&t, spec, (int)gpus, fit, err);
    dcs_table_free(&t);
    return rc < 0 ? rc : 1;
}
