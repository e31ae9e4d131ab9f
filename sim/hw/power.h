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

#endif
