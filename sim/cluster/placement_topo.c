/* placement_topo.c - topology-aware placement: fewest switch hops.
 *
 * Nodes come in groups that share a first-level switch (alloc's
 * nodes_per_group: a leaf, a pod, a torus ring). Traffic inside a node
 * crosses no switch, inside a group one, between groups three or more, so
 * a job goes to one node if it fits one (as pack places it), else to one
 * group if it fits one, else to as few groups as it can.
 *
 * Choosing from a set (the groups, or a group's nodes): while what is left
 * of the job fits in one member, the member with the least free room that
 * holds it (best fit, lowest index on ties); otherwise the member with the
 * most free (lowest index on ties), taken whole. This touches as few
 * members as taking the emptiest first would, and leaves the big holes
 * for the jobs that need them. O(groups^2 + nodes_per_group^2 x groups)
 * at worst, for a job spanning every group. */
#include "cluster/placements_c.h"

#include <stdlib.h>

#include "engine/error.h"

/* Takes up to `want` free GPUs of `node`, lowest ids first, into out. */
static int take_from_node(const dcs_alloc_t *a, int node, int want, int *out)
{
    int got = 0;
    int first = node * a->gpus_per_node;
    for (int g = first; g < first + a->gpus_per_node && got < want; g++)
        if (!a->taken[g])
            out[got++] = g;
    return got;
}

/* Takes `want` (<= the group's free GPUs) GPUs from group `group`'s nodes
 * not yet in `used`, marking the nodes it touches. */
static void take_from_group(const dcs_alloc_t *a, int group, int want,
                            char *used, int *out)
{
    int first = group * a->nodes_per_group;
    int end = first + a->nodes_per_group;
    if (end > a->nodes)
        end = a->nodes;
    int got = 0;
    while (got < want) {
        int rest = want - got, fit = -1, most = -1;
        for (int n = first; n < end; n++) {
            int f = a->node_free[n];
            if (used[n] || f == 0)
                continue;
            if (f >= rest && (fit < 0 || f < a->node_free[fit]))
                fit = n;
            if (most < 0 || f > a->node_free[most])
                most = n;
        }
        int pick = fit >= 0 ? fit : most;
        DCS_ASSERT(pick >= 0); /* the group's free count guarantees one */
        used[pick] = 1;
        got += take_from_node(a, pick, rest, out + got);
    }
}

static int topo_place(const dcs_placement_t *placement, const dcs_alloc_t *a,
                      int gpus, int *out)
{
    if (a->node_model) /* a mixed fleet: one model's nodes */
        return dcs_placement_model_place(placement, a, gpus, out);
    if (gpus <= 0 || gpus > a->free_gpus || a->nodes <= 0)
        return -1;
    if (!a->group_free || gpus <= dcs_alloc_max_node_free(a))
        return dcs_placement_pack.place(&dcs_placement_pack, a, gpus, out);
    /* used[0 .. nodes): nodes touched; then [nodes .. nodes + groups). */
    char *used = calloc((size_t)a->nodes + (size_t)a->groups, 1);
    if (!used)
        return -1;
    char *group_used = used + a->nodes;
    int got = 0;
    while (got < gpus) {
        int rest = gpus - got, fit = -1, most = -1;
        for (int g = 0; g < a->groups; g++) {
            int f = a->group_free[g];
            if (group_used[g] || f == 0)
                continue;
            if (f >= rest && (fit < 0 || f < a->group_free[fit]))
                fit = g;
            if (most < 0 || f > a->group_free[most])
                most = g;
        }
        int pick = fit >= 0 ? fit : most;
        DCS_ASSERT(pick >= 0); /* free_gpus >= gpus guarantees one */
        group_used[pick] = 1;
        int want = rest < a->group_free[pick] ? rest : a->group_free[pick];
        take_from_group(a, pick, want, used, out + got);
        got += want;
    }
    free(used);
    return 0;
}

/* Topo places any job there are free GPUs for: at worst it spans groups. */
static int topo_fits(const dcs_placement_t *placement, const dcs_alloc_t *a,
                     int gpus)
{
    if (a->node_model)
        return dcs_placement_model_fits(placement, a, gpus);
    return gpus > 0 && gpus <= a->free_gpus;
}

int dcs_placement_span_groups(const dcs_alloc_t *a, const int *gpu_ids, int n)
{
    if (n <= 0)
        return 0;
    if (!a->group_free)
        return 1;
    char *seen = calloc((size_t)a->groups, 1);
    if (!seen)
        return DCS_ENOMEM;
    int groups = 0;
    for (int i = 0; i < n; i++) {
        int g = dcs_alloc_group_of(a, gpu_ids[i] / a->gpus_per_node);
        if (!seen[g]) {
            seen[g] = 1;
            groups++;
        }
    }
    free(seen);
    return groups;
}

const dcs_placement_t dcs_placement_topo = {
    "topo",
    "fewest switch hops: one node, else the best-fit group, else fewest groups",
    topo_place,
    topo_fits,
};
