/* power.c - device power models. */
#include "hw/power.h"

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
