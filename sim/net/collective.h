/* collective.h - the analytical (alpha-beta) cost of collectives on a
 * device's node-local interconnect.
 *
 * A collective over p GPUs moves, per GPU, the bytes its ring algorithm
 * sends, in a number of steps:
 *   all_reduce      2(p-1)/p x N in 2(p-1) steps (reduce-scatter + all-gather)
 *   all_gather      (p-1)/p x N in p-1 steps     (N: the gathered output)
 *   reduce_scatter  (p-1)/p x N in p-1 steps     (N: the input)
 *   all_to_all      (p-1)/p x N in p-1 steps     (N: the send buffer)
 *   send_recv       N in 1 step
 *   broadcast       N in p-1 steps (pipelined ring)
 * Time = t0 + p x launch + steps x alpha + bytes / (link bandwidth x
 * efficiency(N)), where the efficiency of each collective rises with the
 * message size, eff / (1 + (N_half x (p / 2)^c / N)^q), as NCCL moves
 * from its low-latency protocols to its bandwidth ones (q sets how sharp the
 * knee is) and more GPUs need more bytes in flight (c and q fitted). The launch
 * term is per GPU: the measurements drive all GPUs from one process, whose
 * launches are serial (as in nccl-tests -g). Link bandwidth is the device's
 * node-local interconnect, per direction (NVLink through NVSwitch gives every
 * GPU its whole bandwidth). The parameters (coll_* in hw/opcost.h) are fitted
 * to NCCL measurements by `dcsim calibrate`.
 */
#ifndef DCS_COLLECTIVE_H
#define DCS_COLLECTIVE_H

#include "hw/device.h"

/* Bytes one GPU sends and the sequential steps of collective `op`. */
void dcs_coll_volume(const dcs_op_t *op, double *bytes, double *steps);

/* Predicted time in seconds of collective `op` (dcs_op_is_collective) on
 * the node-local interconnect of `dev`, with parameters `p`. 0 when the
 * device has no interconnect bandwidth. */
double dcs_coll_time_s(const dcs_device_spec_t *dev,
                       const dcs_opcost_params_t *p, const dcs_op_t *op);

#endif
