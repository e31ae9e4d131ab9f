/* registry_c.c - placements beyond pack. */
#include "cluster/placements_c.h"

const dcs_placement_t *const dcs_placements_c[] = {
    &dcs_placement_spread, &dcs_placement_topo, &dcs_placement_hetero, NULL};
