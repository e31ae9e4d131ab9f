/* collective.c - alpha-beta cost of collectives on node-local links. */
#include "net/collective.h"

#include <math.h>

void dcs_coll_volume(const dcs_op_t *op, double *bytes, double *steps)
{
    double p = (double)op->gpus, n = (double)op->bytes;
    switch (op->kind) {
    case DCS_OP_ALL_REDUCE:
        *bytes = 2.0 * (p - 1) / p * n;
        *steps = 2.0 * (p - 1);
        break;
    case DCS_OP_SEND_RECV:
        *bytes = n;
        *steps = 1;
        break;
    case DCS_OP_BROADCAST:
        *bytes = n;
        *steps = p - 1;
        break;
    default: /* all_gather, reduce_scatter, all_to_all */
        *bytes = (p - 1) / p * n;
        *steps = p - 1;
        break;
    }
}

double dcs_coll_time_s(const dcs_device_spec_t *dev,
                       const dcs_opcost_params_t *p, const dcs_op_t *op)
{
    if (dev->link_bw_bytes_per_s <= 0)
        return 0;
    double bytes, steps;
    dcs_coll_volume(op, &bytes, &steps);
    int which = (int)(op->kind - DCS_OP_ALL_REDUCE);
    double n = (double)op->bytes, gpus = (double)op->gpus;
    /* More GPUs need more bytes in flight to fill every link (NCCL gives
     * each peer fewer channels as the communicator grows). */
    double half = p->v[DCS_P_coll_half_all_reduce + which] *
                  pow(gpus / 2.0, p->v[DCS_P_coll_half_exp]);
    /* A Hill ramp: NCCL switches protocols (LL, LL128, Simple) as
     * messages grow, a sharper knee than n / (n + half). */
    double q = p->v[DCS_P_coll_ramp_exp];
    double ramp = half > 0 ? 1.0 / (1.0 + pow(half / n, q)) : 1.0;
    /* Rings of more GPUs keep more links busy at once: the plateau moves
     * as (p / 2)^kappa, kappa = coll_eff_p_exp - 1 (fitted, may be < 0). */
    double kappa = p->v[DCS_P_coll_eff_p_exp] - 1.0;
    double eff =
        p->v[DCS_P_coll_eff_all_reduce + which] * ramp * pow(gpus / 2.0, kappa);
    return p->v[DCS_P_coll_t0_s] + gpus * p->v[DCS_P_coll_launch_s] +
           steps * p->v[DCS_P_coll_alpha_s] +
           bytes / (dev->link_bw_bytes_per_s * eff);
}
