/* facility.c - proportional cooling and electrical losses. */
#include "facility/facility.h"

int dcs_facility_read(dcs_cfg_node_t *map, dcs_facility_t *facility,
                      dcs_err_t *err)
{
    int rc;
    if ((rc = dcs_cfg_f64(map, "cooling_overhead_frac", DCS_CFG_REQUIRED, 0, 5,
                          &facility->cooling_overhead_frac, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "electrical_loss_frac", DCS_CFG_REQUIRED, 0, 0.5,
                          &facility->electrical_loss_frac, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "outside_temp_c", DCS_CFG_OPTIONAL, -90, 70,
                          &facility->outside_temp_c, err)) < 0)
        return rc;
    return 0;
}

void dcs_facility_overheads(const dcs_facility_t *facility, double it,
                            double *cooling, double *losses)
{
    *cooling = it * facility->cooling_overhead_frac;
    *losses = (it + *cooling) * facility->electrical_loss_frac;
}

double dcs_facility_pue(const dcs_facility_t *facility)
{
    return (1.0 + facility->cooling_overhead_frac) *
           (1.0 + facility->electrical_loss_frac);
}
