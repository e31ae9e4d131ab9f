/* power.h - device power models: board power as a function of what the
 * device is doing.
 *
 * A power model maps a device state to board power in watts. The state set
 * is fixed (the accounting layer integrates time and energy per state); the
 * model behind it is replaceable: this first one has two levels, idle and
 * busy, from the device file; a calibrated curve fitted to measured board
 * power replaces it without touching its callers. */
#ifndef DCS_POWER_H
#define DCS_POWER_H

#include "hw/device.h"
#include "hw/op.h"

typedef enum dcs_dev_state {
    DCS_DEV_IDLE,    /* powered, nothing running */
    DCS_DEV_COMPUTE, /* running compute-bound work */
    DCS_DEV_MEMORY,  /* running memory-bound work */
    DCS_DEV_COMM,    /* waiting on communication */
    DCS_DEV_FAILED,  /* out of service */
    DCS_DEV_NSTATES
} dcs_dev_state_t;

/* Lower-case state names, for report columns: "idle", "compute", ... */
const char *dcs_dev_state_name(dcs_dev_state_t state);

typedef struct dcs_power_model dcs_power_model_t;
struct dcs_power_model {
    const char *name; /* as named in scenario files */
    /* Board power in W of a device of `spec` in `state`. Pure. */
    double (*power_w)(const dcs_power_model_t *model,
                      const dcs_device_spec_t *spec, dcs_dev_state_t state);
};

/* Two levels: idle_power_w when idle or failed (a failed board still sits in
 * its powered node), busy_power_w in every working state. */
const dcs_power_model_t *dcs_power_model_two_level(void);

/* ---- the activity model: board power from what the device does ----
 *
 * A device doing work at `flops_per_s` (of `dtype`), moving
 * `hbm_bytes_per_s` through its memory and `link_bytes_per_s` over its
 * node's links draws
 *   base = idle + active + hbm_j x hbm + link_j x link
 *   P(s) = base + flop_j(dtype) x R1 x s^(1 + dvfs_exponent)
 * at clock fraction s (1: the maximum clock), where R1 is its FLOP rate at
 * the maximum clock (the rate scales with the clock; energy per FLOP as
 * clock^dvfs_exponent: voltage falls with the clock). flop_j(dtype) =
 * flop_j x peak(bf16) / peak(dtype): the same energy per tensor-core cycle.
 * The op cost model's rates are those of short bursts (its
 * microbenchmarks), which may draw up to burst_w; work held for longer
 * (training, the sustained phases of power.csv) is held at the board
 * limit, tdp_w or a lower cap: the clock falls until P = limit, and the
 * compute rate with it. Fitted and checked in `dcsim validate`. */

/* A device's draw for one kind of work. */
typedef struct dcs_power_draw {
    double burst_w;     /* at the op cost model's rate (short bursts) */
    double sustained_w; /* held at `limit_w` */
    double rate_factor; /* sustained compute rate / the model's rate (<= 1) */
} dcs_power_draw_t;

/* Board power of `spec` doing the work above at the op cost model's
 * rates, under a sustained limit of `limit_w` (<= 0: the TDP). Pure. */
void dcs_power_draw(const dcs_device_spec_t *spec, int dtype,
                    double flops_per_s, double hbm_bytes_per_s,
                    double link_bytes_per_s, double limit_w,
                    dcs_power_draw_t *out);

/* The same for one op of the `dcs_op` vocabulary that takes `time_s` (its
 * op cost model time): its FLOPs, device-memory bytes and, for
 * collectives, the bytes each GPU sends over the links (`link_bytes`, 0
 * otherwise), spread over that time. `idle` draws idle power. */
void dcs_power_op(const dcs_device_spec_t *spec, const dcs_op_t *op,
                  double time_s, double link_bytes, double limit_w,
                  dcs_power_draw_t *out);

#endif
