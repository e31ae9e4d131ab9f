/* price.h - the time of any op on a device: compute and memory ops by the
 * op cost model (sim/hw), collectives by the network layer's analytical
 * model (sim/net). The one place that knows which layer prices what. */
#ifndef DCS_PRICE_H
#define DCS_PRICE_H

#include "hw/device.h"

/* Predicted seconds of `op` on `dev` with parameters `p` (the device's own
 * `dev->params`, or others when fitting or transferring). */
double dcs_price_op(const dcs_device_spec_t *dev, const dcs_opcost_params_t *p,
                    const dcs_op_t *op);

/* 1 when `dev` can run `op`: a peak for its dtype (matrix ops), node-local
 * links (collectives). */
int dcs_price_supported(const dcs_device_spec_t *dev, const dcs_op_t *op);

#endif
