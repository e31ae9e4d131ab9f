/* placement_spread.c - spreading a job over as many nodes as it can.
 *
 * Each GPU comes from the node with the most free GPUs at that moment
 * (lowest index on ties). Taking them one at a time is the same as taking
 * level by level: for k = the most free any node has, down to 1, one GPU
 * from every node (in index order) that had at least k free at the start,
 * because just before level k every such node has exactly k left and every
 * other node fewer. That costs O(gpus_per_node x (nodes + gpus)) at worst,
 * not O(gpus x nodes). */
#include "cluster/placements_c.h"

/* The id of the `j`-th (from 0) free GPU of `node`, lowest ids first. */
static int nth_free(const dcs_alloc_t *a, int node, int j)
{
    int first = node * a->gpus_per_node;
    for (int g = first; g < first + a->gpus_per_node; g++)
        if (!a->taken[g] && j-- == 0)
            return g;
    return -1;
}

static int spread_place(const dcs_placement_t *placement, const dcs_alloc_t *a,
                        int gpus, int *out)
{
    if (a->node_model) /* a mixed fleet: one model's nodes */
        return dcs_placement_model_place(placement, a, gpus, out);
    if (gpus <= 0 || gpus > a->free_gpus || a->nodes <= 0)
        return -1;
    int got = 0;
    for (int k = dcs_alloc_max_node_free(a); k > 0 && got < gpus; k--)
        for (int n = 0; n < a->nodes && got < gpus; n++)
            if (a->node_free[n] >= k)
                out[got++] = nth_free(a, n, a->node_free[n] - k);
    return got == gpus ? 0 : -1;
}

/* Spread places any job there are free GPUs for. */
static int spread_fits(const dcs_placement_t *placement, const dcs_alloc_t *a,
                       int gpus)
{
    if (a->node_model)
        return dcs_placement_model_fits(placement, a, gpus);
    return gpus > 0 && gpus <= a->free_gpus;
}

const dcs_placement_t dcs_placement_spread = {
    "spread",
    "each GPU from the node with the most free GPUs: as many nodes as it can",
    spread_place,
    spread_fits,
};
