/* fabric.h - a cluster file's `fabric` section: the scale-out network that
 * joins the cluster's GPUs (one fabric host per GPU, as with one NIC per
 * GPU), built into a topology.
 *
 *   fabric:
 *     kind: leaf_spine | fat_tree | torus | dragonfly
 *     link_gbps: 400          # per direction, every link
 *     latency_ns: 1000        # per link
 *     protocol_efficiency: 0.96  # payload / wire rate (default 1)
 *     port_power_w: 20        # per port, switch and NIC ends (default 0)
 *     # leaf_spine: hosts_per_leaf, spines, spine_link_gbps (default
 *     #   link_gbps; less makes the fabric oversubscribed), rails (true:
 *     #   rail-optimized, GPU g of every node on leaf g)
 *     # dragonfly: groups, routers, hosts_per_router, global_link_gbps
 *     # fat_tree: k (k^3/4 hosts, at least the cluster's GPUs)
 *     # torus: dims [x, y, z] (x*y*z must equal the cluster's GPUs)
 *
 * GPUs are numbered node-major; fabric host i is GPU i. */
#ifndef DCS_FABRIC_H
#define DCS_FABRIC_H

#include "config/cfg.h"
#include "net/topo.h"

/* Reads `map` (a fabric section) for a cluster of `gpus` GPUs and builds
 * its topology into `t`. Returns 0, DCS_EINPUT with `err` naming the file,
 * line and field, or DCS_ENOMEM. */
int dcs_fabric_read(dcs_cfg_node_t *map, int gpus, dcs_topo_t *t,
                    dcs_err_t *err);

#endif
