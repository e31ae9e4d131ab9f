/* coll_flow.h - collectives as flows, step by step (flow mode).
 *
 * A collective over p hosts runs its algorithm's steps one after another;
 * in each step every participant starts its transfers as flows, which
 * contend with every other flow on the network (other jobs included); a
 * step ends when all its flows have arrived.
 *   all_reduce      ring: 2(p-1) steps, each host sends N/p to the next
 *   all_gather,
 *   reduce_scatter  ring: p-1 steps of N/p (N: gathered output / input)
 *   all_to_all      one step: every host sends N/p to every other
 *   send_recv       one step: every host sends N to the next (ring shift)
 *   broadcast       ring: p-1 steps, each host passes N to the next
 * Contrast: collective.h prices the same collectives analytically, for runs
 * where contention does not matter. */
#ifndef DCS_COLL_FLOW_H
#define DCS_COLL_FLOW_H

#include "hw/device.h"
#include "hw/op.h"
#include "net/flow.h"

typedef struct dcs_coll_run dcs_coll_run_t;

/* Called once when the collective's last step has finished. */
typedef void (*dcs_coll_done_fn)(dcs_sim_t *sim, void *ctx,
                                 dcs_coll_run_t *run);

/* Starts collective `kind` (a collective dcs_op_kind_t) of `bytes` per host
 * (as in the op vocabulary) over hosts[0..p-1] (copied) on `net`, now.
 * Returns the run (owned by the caller: dcs_coll_run_free after `done`), or
 * NULL when out of memory or the arguments are invalid (p < 2, bytes 0,
 * not a collective, a host out of range or listed twice). */
dcs_coll_run_t *dcs_coll_flow_start(dcs_net_t *net, dcs_op_kind_t kind,
                                    const int *hosts, int p, uint64_t bytes,
                                    dcs_coll_done_fn done, void *ctx);
void dcs_coll_run_free(dcs_coll_run_t *run);

/* A tree all-reduce over hosts[0..p-1], as flows: a reduce up a binary
 * tree (in step k, each host whose index has bit k set, and no lower bit,
 * sends the whole buffer to the host 2^k below it), then a broadcast down
 * the same steps in reverse: 2 ceil(log2 p) steps of N bytes. Cheaper than
 * the ring for small messages on many hosts (fewer steps), dearer for
 * large ones (N per step instead of N/p). Same ownership and NULL cases as
 * dcs_coll_flow_start. */
dcs_coll_run_t *dcs_coll_flow_tree_all_reduce(dcs_net_t *net, const int *hosts,
                                              int p, uint64_t bytes,
                                              dcs_coll_done_fn done, void *ctx);

/* A hierarchical all-reduce across `nodes` nodes of `gpus_per_node` GPUs
 * (fabric hosts numbered node-major, host = node x gpus_per_node + local),
 * as NCCL runs it: a reduce-scatter inside each node over the device's
 * node-local links (priced by collective.h with `params`), then one ring
 * all-reduce per rail across the nodes through the fabric as flows (GPU r
 * of every node, the rails in parallel, each ring 1/gpus_per_node of the
 * bytes), then an all-gather inside each node. nodes >= 2,
 * gpus_per_node >= 1. Same ownership and NULL cases as dcs_coll_flow_start. */
dcs_coll_run_t *dcs_coll_hier_all_reduce(dcs_net_t *net,
                                         const dcs_device_spec_t *dev,
                                         const dcs_opcost_params_t *params,
                                         int nodes, int gpus_per_node,
                                         uint64_t bytes, dcs_coll_done_fn done,
                                         void *ctx);

/* When it started and finished (end: -1 while running). */
dcs_time_t dcs_coll_run_start_ns(const dcs_coll_run_t *run);
dcs_time_t dcs_coll_run_end_ns(const dcs_coll_run_t *run);

#endif
