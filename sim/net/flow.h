/* flow.h - flow-level bandwidth sharing.
 *
 * Transfers are flows along their route. Concurrent flows share links by
 * max-min fairness (progressive filling: the most constrained link fixes
 * the rate of its flows, whose bandwidth is then taken off the other links
 * they cross, and so on). A change (a flow starts or drains, a link fails)
 * marks the links it touches; at the end of that instant the rates are
 * solved again only for the connected component of links and flows the
 * marked links belong to, so cost grows with contention, not with the size
 * of the network, and many changes at one instant (flows that finish
 * together) cost one solve. A flow's last byte arrives its route's latency
 * after it has drained.
 *
 * Flows from different jobs share the same links; each flow's owner is told
 * of its arrival through a callback. */
#ifndef DCS_FLOW_H
#define DCS_FLOW_H

#include <stdint.h>

#include "engine/sim.h"
#include "net/topo.h"

typedef struct dcs_net dcs_net_t;

/* Called once per flow when its last byte has arrived. */
typedef void (*dcs_flow_done_fn)(dcs_sim_t *sim, void *ctx, int64_t flow);
/* Called when a link failure leaves a flow with no path: it stalls (rate
 * 0, no arrival) until the program decides what to do. */
typedef void (*dcs_flow_stall_fn)(dcs_sim_t *sim, void *ctx, int64_t flow,
                                  int link);

/* A network over `topo` (not owned, must outlive it) driving events on
 * `sim`. NULL when out of memory. */
dcs_net_t *dcs_net_new(dcs_sim_t *sim, dcs_topo_t *topo);
void dcs_net_free(dcs_net_t *net);

/* Starts a transfer of `bytes` from host `src` to host `dst` now. Returns
 * the flow id (>= 0), or DCS_EINVAL if src == dst, bytes == 0 or a host is
 * out of range, DCS_ENOTFOUND if no path avoids failed links, DCS_ENOMEM. */
int64_t dcs_flow_start(dcs_net_t *net, int src, int dst, uint64_t bytes,
                       dcs_flow_done_fn on_done, void *ctx);

/* Stops a flow now: it leaves its links (the others' rates are solved
 * again) and never arrives. Returns 0, or DCS_ENOTFOUND when it has
 * already arrived or been cancelled. */
int dcs_flow_cancel(dcs_net_t *net, int64_t flow);

/* From now on, the id of a flow that has arrived or been cancelled may be
 * given to a later flow (before its arrival callback runs), so a network
 * that carries flows for months holds only those in flight. Do not ask
 * after a flow once it is done. */
void dcs_net_reuse_ids(dcs_net_t *net);

/* Current rate of a flow in bytes/s (0 once drained or stalled), and bytes
 * still to send as of now. */
double dcs_flow_rate(const dcs_net_t *net, int64_t flow);
double dcs_flow_remaining(const dcs_net_t *net, int64_t flow);
/* Number of links on a flow's route, and its i-th link. */
int dcs_flow_hops(const dcs_net_t *net, int64_t flow);
int dcs_flow_link(const dcs_net_t *net, int64_t flow, int i);

/* Rates are solved at the end of each instant; call this to solve now (for
 * tests that read rates right after starting flows). */
void dcs_net_solve_now(dcs_net_t *net);

/* Fails link `link`: flows on it are rerouted where the topology offers
 * another path (Clos), else stall and `on_stall` is called for each. */
void dcs_net_fail_link(dcs_net_t *net, int link, dcs_flow_stall_fn on_stall,
                       void *ctx);

/* The simulation the network runs on, and its number of hosts. */
dcs_sim_t *dcs_net_sim(const dcs_net_t *net);
int dcs_net_hosts(const dcs_net_t *net);

/* Counters: solves done, flows that arrived, bytes delivered. */
typedef struct dcs_net_stats {
    uint64_t solves;
    uint64_t flows_done;
    double bytes_done;
    uint64_t max_component_flows; /* largest component solved */
} dcs_net_stats_t;
dcs_net_stats_t dcs_net_stats(const dcs_net_t *net);

#endif
