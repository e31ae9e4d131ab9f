/* power.c - device power models. */
#include "hw/power.h"

#include <math.h>

static const char *const STATE_NAMES[DCS_DEV_NSTATES] = {
    "idle", "compute", "memory", "comm", "failed",
};

const char *dcs_dev_state_name(dcs_dev_state_t state)
{
    return state < DCS_DEV_NSTATES ? STATE_NAMES[state] : "unknown";
}

static double two_level_power_w(const dcs_power_model_t *model,
                                const dcs_device_spec_t *spec,
                                dcs_dev_state_t state)
{
    (void)model;
    switch (state) {
    case DCS_DEV_COMPUTE:
    case DCS_DEV_MEMORY:
    case DCS_DEV_COMM:
        return spec->busy_power_w;
    default:
        return spec->idle_power_w;
    }
}

static const dcs_power_model_t TWO_LEVEL = {"two_level", two_level_power_w};

const dcs_power_model_t *dcs_power_model_two_level(void)
{
    return &TWO_LEVEL;
}

void dcs_power_draw(const dcs_device_spec_t *spec, int dtype,
                    double flops_per_s, double hbm_bytes_per_s,
                    double link_bytes_per_s, double limit_w,
                    dcs_power_draw_t *out)
{
    const dcs_power_params_t *p = &spec->power;
    double limit = limit_w > 0 ? limit_w : spec->tdp_w;
    double base = spec->idle_power_w + p->active_w +
                  p->hbm_j_per_byte * hbm_bytes_per_s +
                  p->link_j_per_byte * link_bytes_per_s;
    double bf16 = spec->perf.peak_flops[DCS_BF16];
    double peak =
        dtype >= 0 && dtype < DCS_NDTYPES ? spec->perf.peak_flops[dtype] : 0;
    double e = p->flop_j * (bf16 > 0 && peak > 0 ? bf16 / peak : 1.0);
    double compute = e * flops_per_s; /* at the maximum clock */
    double beta = p->dvfs_exponent;
    /* The clock the model's rate ran at: the maximum, unless that draws
     * more than a burst may; then s with base + e R s^beta = burst_w
     * (R1 = R / s). */
    double s_ref = 1;
    out->burst_w = base + compute;
    if (out->burst_w > p->burst_w && compute > 0) {
        s_ref = p->burst_w > base ? pow((p->burst_w - base) / compute, 1 / beta)
                                  : 0.05;
        s_ref = fmax(s_ref, 0.05);
        out->burst_w = base + compute * pow(s_ref, beta);
    }
    out->sustained_w = out->burst_w;
    out->rate_factor = 1;
    if (out->burst_w <= limit || compute <= 0) {
        out->sustained_w = fmin(out->burst_w, fmax(limit, base));
        return;
    }
    /* Held at the limit: base + e R1 s^(1 + beta) = limit. */
    double r1 = compute / s_ref; /* e x R1 */
    double s = limit > base ? pow((limit - base) / r1, 1 / (1 + beta)) : 0.05;
    s = fmax(s, 0.05);
    out->rate_factor = fmin(1.0, s / s_ref);
    out->sustained_w = base + r1 * pow(s, 1 + beta);
}

void dcs_power_op(const dcs_device_spec_t *spec, const dcs_op_t *op,
                  double time_s, double link_bytes, double limit_w,
                  dcs_power_draw_t *out)
{
    if (op->kind == DCS_OP_IDLE || time_s <= 0) {
        out->burst_w = out->sustained_w = spec->idle_power_w;
        out->rate_factor = 1;
        return;
    }
    double flops = dcs_op_is_collective(op) ? 0 : dcs_op_flops(op);
    /* A collective moves its buffer through memory about twice per byte
     * sent (read what it sends, write what it receives). ASSUMPTION. */
    double hbm = dcs_op_is_collective(op) ? 2.0 * link_bytes : dcs_op_bytes(op);
    /* Memory-bound ops' nominal FLOPs run on the CUDA cores, not the
     * tensor cores: their power is the memory's. */
    if (op->kind >= DCS_OP_ELEMENTWISE_ADD && op->kind <= DCS_OP_ADAM)
        flops = 0;
    dcs_power_draw(spec, op->dtype, flops / time_s, hbm / time_s,
                   link_bytes / time_s, limit_w, out);
}
