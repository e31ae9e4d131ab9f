/* device.c - reading an accelerator's specification. */
#include "hw/device.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int dcs_device_read(dcs_cfg_node_t *map, dcs_device_spec_t *spec,
                    dcs_err_t *err)
{
    const char *name = NULL, *description = NULL;
    double memory_gib = 0;
    int rc;
    memset(spec, 0, sizeof *spec);
    if ((rc = dcs_cfg_str(map, "name", DCS_CFG_REQUIRED, &name, err)) < 0 ||
        (rc = dcs_cfg_str(map, "description", DCS_CFG_OPTIONAL, &description,
                          err)) < 0 ||
        (rc = dcs_cfg_f64(map, "memory_gib", DCS_CFG_REQUIRED, 1, 1e6,
                          &memory_gib, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "tdp_w", DCS_CFG_REQUIRED, 1, 1e5, &spec->tdp_w,
                          err)) < 0 ||
        (rc = dcs_cfg_f64(map, "idle_power_w", DCS_CFG_REQUIRED, 0, 1e5,
                          &spec->idle_power_w, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "busy_power_w", DCS_CFG_REQUIRED, 0, 1e5,
                          &spec->busy_power_w, err)) < 0)
        return rc;
    if (strlen(name) >= sizeof spec->name)
        return dcs_cfg_error(dcs_cfg_get(map, "name"), err,
                             "expected a name shorter than %zu characters",
                             sizeof spec->name);
    snprintf(spec->name, sizeof spec->name, "%s", name);
    spec->memory_bytes = (uint64_t)llround(memory_gib * 1073741824.0);
    if (spec->idle_power_w > spec->busy_power_w)
        return dcs_cfg_error(dcs_cfg_get(map, "idle_power_w"), err,
                             "idle power %g W is above busy power %g W",
                             spec->idle_power_w, spec->busy_power_w);
    if (spec->busy_power_w > spec->tdp_w)
        return dcs_cfg_error(dcs_cfg_get(map, "busy_power_w"), err,
                             "busy power %g W is above the TDP of %g W",
                             spec->busy_power_w, spec->tdp_w);
    return 0;
}
