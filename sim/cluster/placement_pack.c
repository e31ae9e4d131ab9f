/* placement_pack.c - best-fit packing of jobs onto nodes. */
#include "cluster/policy.h"

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

static int pack_place(const dcs_placement_t *placement, const dcs_alloc_t *a,
                      int gpus, int *out)
{
    if (a->node_model) /* a mixed fleet: one model's nodes */
        return dcs_placement_model_place(placement, a, gpus, out);
    if (gpus > a->free_gpus || gpus <= 0 || a->nodes <= 0)
        return -1;
    /* Fits in one node: the node with the least room that still fits. */
    int best = -1;
    for (int n = 0; n < a->nodes; n++)
        if (a->node_free[n] >= gpus &&
            (best < 0 || a->node_free[n] < a->node_free[best]))
            best = n;
    if (best >= 0) {
        take_from_node(a, best, gpus, out);
        return 0;
    }
    /* Spans nodes: repeatedly the node with the most free GPUs (lowest
     * index on ties), so the job touches as few nodes as it can. */
    char *used = calloc((size_t)a->nodes, 1);
    if (!used)
        return -1;
    int got = 0;
    while (got < gpus) {
        int pick = -1;
        for (int n = 0; n < a->nodes; n++)
            if (!used[n] && a->node_free[n] > 0 &&
                (pick < 0 || a->node_free[n] > a->node_free[pick]))
                pick = n;
        DCS_ASSERT(pick >= 0); /* free_gpus >= gpus guarantees one */
        used[pick] = 1;
        got += take_from_node(a, pick, gpus - got, out + got);
    }
    free(used);
    return 0;
}

/* Pack places any job there are free GPUs for: one that fits no single
 * node spans the emptiest ones. */
static int pack_fits(const dcs_placement_t *placement, const dcs_alloc_t *a,
                     int gpus)
{
    if (a->node_model)
        return dcs_placement_model_fits(placement, a, gpus);
    return gpus > 0 && gpus <= a->free_gpus;
}

const dcs_placement_t dcs_placement_pack = {
    "pack",
    "best fit within a node; across nodes, the emptiest nodes first",
    pack_place,
    pack_fits,
};
