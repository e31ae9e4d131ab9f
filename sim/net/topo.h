/* topo.h - network topologies: hosts, switches and directed links, and the
 * route a flow takes.
 *
 * A topology is a graph of nodes (hosts first, then switches) joined by
 * directed links, each with a bandwidth and a latency; a physical cable is
 * two links, one per direction. Builders make the shapes a datacenter has;
 * routes are computed from the shape (up-down through a Clos with ECMP by
 * flow hash, the one path of a dumbbell), not searched, so a route costs
 * O(path length). */
#ifndef DCS_TOPO_H
#define DCS_TOPO_H

#include <stdint.h>

enum { DCS_MAX_HOPS = 48 }; /* tori up to 32 x 32 x 32 */

typedef struct dcs_link {
    int src, dst;          /* nodes */
    double bw_bytes_per_s; /* capacity in this direction */
    int64_t latency_ns;    /* propagation + switching */
    int failed;            /* 1: carries nothing */
} dcs_link_t;

typedef enum dcs_topo_kind {
    DCS_TOPO_DUMBBELL,   /* hosts on two switches joined by one link */
    DCS_TOPO_LEAF_SPINE, /* two-tier Clos */
    DCS_TOPO_FAT_TREE,   /* three-tier k-ary fat tree */
    DCS_TOPO_TORUS,      /* 1D to 3D torus of hosts, with wraparound */
    DCS_TOPO_DRAGONFLY,  /* groups of routers, all-to-all inside a group,
                            one global link between every two groups */
    DCS_TOPO_STAR,       /* clients and one server on a single switch */
} dcs_topo_kind_t;

typedef struct dcs_topo {
    dcs_topo_kind_t kind;
    int hosts; /* nodes 0 .. hosts-1 */
    int nodes; /* hosts + switches */
    dcs_link_t *links;
    int nlinks;
    /* shape */
    int a, b, c;         /* dumbbell: hosts per side; leaf-spine: hosts per
                            leaf, leaves, spines; fat tree: k */
    int rail;            /* leaf-spine: 1 when host h is on leaf h % leaves */
    double port_power_w; /* per port; a directed link has one transmitting
                            port, so a cable's two ends are two links */
    double chassis_power_w; /* per switch, besides its ports */
    int *up;                /* per host: its uplink (host -> first switch) */
    int *down;              /* per host: its downlink */
} dcs_topo_t;

/* Builders. Every link gets `bw_bytes_per_s` and `latency_ns`; a
 * leaf-spine's leaf-spine links are `uplinks_per_leaf / spines` cables
 * each... kept simple: one cable from every leaf to every spine, with
 * bandwidth `spine_bw` (full bisection when spines x spine_bw equals
 * hosts_per_leaf x bw). Return 0 or DCS_ENOMEM / DCS_EINVAL. */
int dcs_topo_dumbbell(dcs_topo_t *t, int hosts_per_side, double bw,
                      int64_t latency_ns, double middle_bw);
int dcs_topo_leaf_spine(dcs_topo_t *t, int hosts_per_leaf, int leaves,
                        int spines, double bw, double spine_bw,
                        int64_t latency_ns);
/* Rail-optimized leaf-spine: host h (GPU h % leaves of node h / leaves,
 * GPUs numbered node-major) is on leaf h % leaves, so GPU g of every node
 * shares leaf g (its rail). hosts = leaves x hosts_per_leaf. */
int dcs_topo_rail(dcs_topo_t *t, int hosts_per_leaf, int leaves, int spines,
                  double bw, double spine_bw, int64_t latency_ns);
/* Dragonfly: `groups` groups of `routers` routers with `per_router` hosts
 * each; routers of a group are all linked; every two groups share one
 * global link (groups <= routers x (groups - 1) is not required: a router
 * may hold several). Minimal routing: local hop to the router holding the
 * global link, the global link, local hop to the destination's router. */
int dcs_topo_dragonfly(dcs_topo_t *t, int groups, int routers, int per_router,
                       double bw, double global_bw, int64_t latency_ns);
/* Star: hosts 0 .. clients-1 on one switch with links of `bw` each way,
 * and a server, host `clients`, whose link from the switch carries
 * `in_bw` and whose link to it `out_bw` (a storage tier's write and read
 * bandwidth). */
int dcs_topo_star(dcs_topo_t *t, int clients, double bw, double in_bw,
                  double out_bw, int64_t latency_ns);
/* k-ary fat tree (k even): k pods of k/2 edge and k/2 aggregation
 * switches, (k/2)^2 cores, k^3/4 hosts; full bisection. */
int dcs_topo_fat_tree(dcs_topo_t *t, int k, double bw, int64_t latency_ns);
/* Torus of x x y x z hosts (use 1 for unused dimensions), each host linked
 * to its neighbors in every dimension of size > 1, with wraparound (a
 * dimension of size 2 has one neighbor). Routing is dimension order: x,
 * then y, then z, each the shorter way round (ties: the + direction). */
int dcs_topo_torus(dcs_topo_t *t, int x, int y, int z, double bw,
                   int64_t latency_ns);
void dcs_topo_destroy(dcs_topo_t *t);

/* How many consecutive nodes of `gpus_per_node` hosts each share a
 * first-level switch group (a leaf, a pod, a dragonfly group, a torus row
 * or plane), for topology-aware placement; 0 when nodes do not fall into
 * such groups evenly (and for rail-optimized leaf-spines whose rails are
 * not the node's GPUs). */
int dcs_topo_nodes_per_group(const dcs_topo_t *t, int gpus_per_node);

/* The route of a flow from host `src` to host `dst` (src != dst), with
 * ECMP choices made by `hash`: its links, in order, into `links`. Failed
 * links are avoided where the shape offers another choice. Returns the
 * number of links, or -1 when every path crosses a failed link. */
int dcs_topo_route(const dcs_topo_t *t, int src, int dst, uint64_t hash,
                   int links[DCS_MAX_HOPS]);

#endif
