/* electrical.c - UPS (no-load, proportional, square-law), PDU and
 * transformer losses. */
#include "facility/electrical.h"

int dcs_electrical_read(dcs_cfg_node_t *map, dcs_electrical_t *e,
                        dcs_err_t *err)
{
    int rc;
    if ((rc = dcs_cfg_f64(map, "ups_capacity_ratio", DCS_CFG_REQUIRED, 0.1, 10,
                          &e->ups_capacity_ratio, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "ups_noload_loss_frac", DCS_CFG_REQUIRED, 0, 0.5,
                          &e->ups_noload_loss_frac, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "ups_proportional_loss_frac", DCS_CFG_REQUIRED,
                          0, 0.5, &e->ups_proportional_loss_frac, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "ups_square_loss_frac", DCS_CFG_REQUIRED, 0, 0.5,
                          &e->ups_square_loss_frac, err)) < 0 ||
        (rc = dcs_cfg_bool(map, "ups_feeds_cooling_distribution",
                           DCS_CFG_REQUIRED, &e->ups_feeds_cooling_distribution,
                           err)) < 0 ||
        (rc = dcs_cfg_f64(map, "pdu_loss_frac", DCS_CFG_REQUIRED, 0, 0.5,
                          &e->pdu_loss_frac, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "transformer_loss_frac", DCS_CFG_REQUIRED, 0,
                          0.5, &e->transformer_loss_frac, err)) < 0)
        return rc;
    return 0;
}

void dcs_electrical_losses(const dcs_electrical_t *e, double ups_capacity_w,
                           double it_w, double cooling_w, double ups_cooling_w,
                           dcs_electrical_losses_t *out)
{
    double r = ups_capacity_w;
    out->pdu_w = e->pdu_loss_frac * it_w;
    double u = it_w + out->pdu_w + ups_cooling_w;
    out->ups_w = e->ups_noload_loss_frac * r +
                 e->ups_proportional_loss_frac * u +
                 e->ups_square_loss_frac * u * u / r;
    out->transformer_w =
        e->transformer_loss_frac * (it_w + cooling_w + out->pdu_w + out->ups_w);
    out->total_w = out->pdu_w + out->ups_w + out->transformer_w;
}
