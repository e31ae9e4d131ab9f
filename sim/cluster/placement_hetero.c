/* placement_hetero.c - pack, on the nodes of one GPU model.
 *
 * A mixed fleet gives each node a model index (alloc->node_model). Before
 * asking about a job that names a model, the scheduler sets
 * alloc->want_model; this placement then packs the job onto nodes of that
 * model only, exactly as pack would on a cluster of just those nodes. With
 * want_model -1 or one model for the whole fleet it is pack. O(nodes) per
 * fits() and O(nodes x nodes touched) per place(). */
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

/* Free GPUs on the nodes of the wanted model. */
static int model_free(const dcs_alloc_t *a)
{
    int free_gpus = 0;
    for (int n = 0; n < a->nodes; n++)
        if (dcs_alloc_node_has_model(a, n))
            free_gpus += a->node_free[n];
    return free_gpus;
}

static int any_model(const dcs_alloc_t *a)
{
    return a->want_model < 0 || !a->node_model;
}

static int hetero_place(const dcs_placement_t *placement, const dcs_alloc_t *a,
                        int gpus, int *out)
{
    (void)placement;
    if (any_model(a))
        return dcs_placement_pack.place(&dcs_placement_pack, a, gpus, out);
    if (gpus <= 0 || a->nodes <= 0 || gpus > model_free(a))
        return -1;
    /* Fits in one node: the node with the least room that still fits. */
    int best = -1;
    for (int n = 0; n < a->nodes; n++)
        if (dcs_alloc_node_has_model(a, n) && a->node_free[n] >= gpus &&
            (best < 0 || a->node_free[n] < a->node_free[best]))
            best = n;
    if (best >= 0) {
        take_from_node(a, best, gpus, out);
        return 0;
    }
    /* Spans nodes: the emptiest of the model first (lowest index on ties). */
    char *used = calloc((size_t)a->nodes, 1);
    if (!used)
        return -1;
    int got = 0;
    while (got < gpus) {
        int pick = -1;
        for (int n = 0; n < a->nodes; n++)
            if (!used[n] && dcs_alloc_node_has_model(a, n) &&
                a->node_free[n] > 0 &&
                (pick < 0 || a->node_free[n] > a->node_free[pick]))
                pick = n;
        DCS_ASSERT(pick >= 0); /* model_free >= gpus guarantees one */
        used[pick] = 1;
        got += take_from_node(a, pick, gpus - got, out + got);
    }
    free(used);
    return 0;
}

static int hetero_fits(const dcs_placement_t *placement, const dcs_alloc_t *a,
                       int gpus)
{
    (void)placement;
    if (any_model(a))
        return gpus > 0 && gpus <= a->free_gpus;
    return gpus > 0 && gpus <= a->free_gpus && gpus <= model_free(a);
}

const dcs_placement_t dcs_placement_hetero = {
    "hetero",
    "pack onto the nodes of the GPU model a job asks for",
    hetero_place,
    hetero_fits,
};
