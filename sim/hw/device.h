/* device.h - an accelerator's specification, read from
 * topologies/devices/<name>.yaml.
 *
 * This first version carries what the power and cost of a whole job need;
 * peak rates per dtype and the calibrated op cost model come with the op
 * cost model. */
#ifndef DCS_DEVICE_H
#define DCS_DEVICE_H

#include <stdint.h>

#include "config/cfg.h"

typedef struct dcs_device_spec {
    char name[64];         /* e.g. "h100-sxm" */
    uint64_t memory_bytes; /* HBM capacity */
    double tdp_w;          /* board power limit */
    double idle_power_w;   /* board power with nothing running */
    double busy_power_w;   /* mean board power while a job runs on it */
} dcs_device_spec_t;

/* Reads a device mapping (name, description, memory_gib, tdp_w,
 * idle_power_w, busy_power_w). Checks idle <= busy <= tdp. Returns 0 or
 * DCS_EINPUT with `err` naming the file, line and field. */
int dcs_device_read(dcs_cfg_node_t *map, dcs_device_spec_t *spec,
                    dcs_err_t *err);

#endif
