/* facility.h - turning IT power into facility power.
 *
 * This first model is proportional: cooling draws `cooling_overhead_frac`
 * watts per watt of IT power, and power delivery (UPS, transformers,
 * distribution) loses `electrical_loss_frac` of everything it delivers (IT
 * plus cooling). So PUE = (1 + cooling) x (1 + losses), the same at every
 * load. The weather-driven cooling model replaces it behind this interface. */
#ifndef DCS_FACILITY_H
#define DCS_FACILITY_H

#include "config/cfg.h"

typedef struct dcs_facility {
    double cooling_overhead_frac; /* cooling W per IT W */
    double electrical_loss_frac;  /* loss W per delivered W (IT + cooling) */
    double outside_temp_c;        /* constant outside air temperature, deg C */
} dcs_facility_t;

/* Reads the `facility` mapping. Returns 0 or DCS_EINPUT. */
int dcs_facility_read(dcs_cfg_node_t *map, dcs_facility_t *facility,
                      dcs_err_t *err);

/* Cooling and loss energy (or power) for `it` joules (or watts) of IT. */
void dcs_facility_overheads(const dcs_facility_t *facility, double it,
                            double *cooling, double *losses);

/* Power usage effectiveness: facility power / IT power. */
double dcs_facility_pue(const dcs_facility_t *facility);

#endif
