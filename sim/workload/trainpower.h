/* trainpower.h - a training iteration's board power, and what the board's
 * power limit does to it.
 *
 * Every op of the iteration (dcs_step_time's ops, each with its count and
 * time, as one micro-batch's mix spread over the iteration's forward,
 * backward and optimizer time) draws its burst power (hw/power.h) while it
 * runs; the rest of the
 * iteration (exposed communication, pipeline bubble) draws idle + active.
 * The board holds the iteration's mean at its limit (the TDP, or a lower
 * cap): when the mean would be above it, the clock falls for the
 * FLOP-bound ops (GEMMs, attention) until the mean meets the limit, their
 * time grows as 1 / x and their dynamic energy falls as x^dvfs_exponent
 * (x: the clock's factor). The iteration then takes longer: that is how
 * a power cap slows training. */
#ifndef DCS_TRAINPOWER_H
#define DCS_TRAINPOWER_H

#include "hw/device.h"
#include "workload/model.h"
#include "workload/step.h"

typedef struct dcs_train_power {
    double mean_w;       /* mean board power over the iteration, W */
    double demand_w;     /* what it would draw without a limit, W */
    double iteration_s;  /* the iteration under the limit, s */
    double clock_factor; /* the FLOP-bound ops' clock, 1: unthrottled */
} dcs_train_power_t;

/* Prices one iteration of m on dev under `plan` (dcs_step_time, into
 * `step`) and holds it at a board limit of `limit_w` (<= 0: the TDP):
 * `step` comes back stretched when the limit binds (forward and backward
 * take the extra time). Returns 0 or a negative DCS_E* code from
 * pricing. */
int dcs_train_power(const dcs_model_t *m, const dcs_train_plan_t *plan,
                    const dcs_device_spec_t *dev, double limit_w,
                    dcs_step_time_t *step, dcs_train_power_t *out);

#endif
