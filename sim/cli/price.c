/* price.c - which layer prices which op. */
#include "cli/price.h"

#include "net/collective.h"

double dcs_price_op(const dcs_device_spec_t *dev, const dcs_opcost_params_t *p,
                    const dcs_op_t *op)
{
    if (dcs_op_is_collective(op))
        return dcs_coll_time_s(dev, p, op);
    return dcs_opcost_time_s(&dev->perf, p, op);
}

int dcs_price_supported(const dcs_device_spec_t *dev, const dcs_op_t *op)
{
    if (dcs_op_is_collective(op))
        return dev->link_bw_bytes_per_s > 0;
    return dcs_opcost_supported(&dev->perf, op);
}
