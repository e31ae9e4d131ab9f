/* trainpower.c - a training iteration's board power under its limit. */
#include "workload/trainpower.h"

#include <math.h>

#include "hw/power.h"

typedef struct energy {
    const dcs_device_spec_t *dev;
    double ops_s;     /* time in ops */
    double ops_j;     /* their energy at burst power */
    double flop_s;    /* time in FLOP-bound ops */
    double dynamic_j; /* of ops_j, what the FLOPs draw above the rest */
} energy_t;

static int flop_bound(const dcs_op_t *op)
{
    return op->kind == DCS_OP_GEMM || op->kind == DCS_OP_BMM ||
           op->kind == DCS_OP_ATTENTION;
}

static void each_op(void *ctx, const char *phase, const dcs_op_t *op,
                    double count, double s)
{
    energy_t *e = ctx;
    (void)phase;
    if (s <= 0 || count <= 0)
        return;
    dcs_power_draw_t d;
    dcs_power_op(e->dev, op, s, 0, 0, &d);
    e->ops_s += count * s;
    e->ops_j += count * s * d.burst_w;
    if (flop_bound(op)) {
        /* the same op without its FLOPs: memory and active power only */
        dcs_power_draw_t rest;
        dcs_power_draw(e->dev, -1, 0, dcs_op_bytes(op) / s, 0, 0, &rest);
        e->flop_s += count * s;
        e->dynamic_j += count * s * fmax(d.burst_w - rest.burst_w, 0);
    }
}

int dcs_train_power(const dcs_model_t *m, const dcs_train_plan_t *plan,
                    const dcs_device_spec_t *dev, double limit_w,
                    dcs_step_time_t *step, dcs_train_power_t *out)
{
    energy_t e = {dev, 0, 0, 0, 0};
    int rc = dcs_step_time(m, plan, dev, step, each_op, &e);
    if (rc < 0)
        return rc;
    /* The callback lists one micro-batch's ops (and the optimizer's);
     * the iteration runs the mix for its whole compute time. */
    double busy = step->forward_s + step->backward_s + step->optimizer_s;
    if (e.ops_s > 0 && busy > 0) {
        double k = busy / e.ops_s;
        e.ops_s *= k;
        e.ops_j *= k;
        e.flop_s *= k;
        e.dynamic_j *= k;
    }
    double limit = limit_w > 0 ? limit_w : dev->tdp_w;
    double wait_w = dev->idle_power_w + dev->power.active_w;
    double t = step->total_s;
    double rest_s = fmax(t - e.ops_s, 0);
    double energy = e.ops_j + rest_s * wait_w;
    out->demand_w = t > 0 ? energy / t : wait_w;
    out->mean_w = out->demand_w;
    out->iteration_s = t;
    out->clock_factor = 1;
    if (out->demand_w <= limit || e.flop_s <= 0 || t <= 0)
        return 0;
    /* Clock factor x for the FLOP-bound ops: they take flop_s / x and
     * their dynamic energy falls to dynamic_j x^beta; the extra time draws
     * wait_w. The mean falls as x does: bisect for mean = limit. */
    double beta = dev->power.dvfs_exponent, lo = 0.05, hi = 1;
    for (int i = 0; i < 60; i++) {
        double x = 0.5 * (lo + hi);
        double tx = t + e.flop_s * (1 / x - 1);
        double ex = energy - e.dynamic_j + e.dynamic_j * pow(x, beta) +
                    (tx - t) * wait_w;
        if (ex / tx > limit)
            hi = x;
        else
            lo = x;
    }
    out->clock_factor = lo;
    out->iteration_s = t + e.flop_s * (1 / lo - 1);
    out->mean_w = limit;
    /* the forward and backward passes absorb the stretch */
    double extra = out->iteration_s - t;
    double fb = step->forward_s + step->backward_s;
    if (fb > 0) {
        step->forward_s += extra * step->forward_s / fb;
        step->backward_s += extra * step->backward_s / fb;
    }
    step->total_s = out->iteration_s;
    return 0;
}
