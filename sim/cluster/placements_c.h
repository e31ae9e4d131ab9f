/* placements_c.h - placements beyond pack: spread, topology-aware and
 * model-aware (heterogeneous fleets). */
#ifndef DCS_PLACEMENTS_C_H
#define DCS_PLACEMENTS_C_H

#include "cluster/policy.h"

/* This group's placements, NULL-terminated (listed by policy.c). */
extern const dcs_placement_t *const dcs_placements_c[];

/* Spread: each GPU in turn from the node with the most free GPUs at that
 * moment (lowest index on ties), so a job lands on as many nodes as it
 * can: less contention inside a node, more traffic on the network. */
extern const dcs_placement_t dcs_placement_spread;

/* Topology-aware: fewest switch hops. A job that fits in one node is
 * placed as pack places it; one that fits in one group (alloc's
 * nodes_per_group) goes to the group with the least free GPUs that still
 * holds it, its emptiest nodes first; a larger job spans the fewest
 * groups, the emptiest first. Without groups (nodes_per_group 0) it is
 * pack. */
extern const dcs_placement_t dcs_placement_topo;

/* Heterogeneous: pack over the nodes of one GPU model, alloc->want_model
 * (with -1, the model with the most free GPUs that holds the job). Every
 * placement keeps a job on one model of a mixed fleet (policy.h), so this
 * places as pack does; the name is kept for scenarios. */
extern const dcs_placement_t dcs_placement_hetero;

/* How many distinct groups the GPUs `gpu_ids[0..n)` lie in (1 for any
 * n > 0 when alloc has no grouping; 0 when n == 0), or DCS_ENOMEM.
 * For tests and reports; O(n + groups). */
int dcs_placement_span_groups(const dcs_alloc_t *a, const int *gpu_ids, int n);

#endif
