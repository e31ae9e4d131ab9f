/* alloc.c - free-GPU bookkeeping. */
#include "cluster/alloc.h"

#include <stdlib.h>

#include "engine/error.h"

int dcs_alloc_init(dcs_alloc_t *a, int nodes, int gpus_per_node)
{
    a->nodes = nodes;
    a->gpus_per_node = gpus_per_node;
    a->free_gpus = nodes * gpus_per_node;
    a->node_free = malloc((size_t)nodes * sizeof *a->node_free);
    a->taken = calloc((size_t)a->free_gpus, 1);
    if (!a->node_free || !a->taken) {
        dcs_alloc_destroy(a);
        return DCS_ENOMEM;
    }
    for (int i = 0; i < nodes; i++)
        a->node_free[i] = gpus_per_node;
    return 0;
}

void dcs_alloc_destroy(dcs_alloc_t *a)
{
    free(a->node_free);
    free(a->taken);
    a->node_free = NULL;
    a->taken = NULL;
}

void dcs_alloc_take(dcs_alloc_t *a, const int *gpu_ids, int n)
{
    for (int i = 0; i < n; i++) {
        DCS_ASSERT(!a->taken[gpu_ids[i]]);
        a->taken[gpu_ids[i]] = 1;
        a->node_free[gpu_ids[i] / a->gpus_per_node]--;
    }
    a->free_gpus -= n;
}

void dcs_alloc_release(dcs_alloc_t *a, const int *gpu_ids, int n)
{
    for (int i = 0; i < n; i++) {
        DCS_ASSERT(a->taken[gpu_ids[i]]);
        a->taken[gpu_ids[i]] = 0;
        a->node_free[gpu_ids[i] / a->gpus_per_node]++;
    }
    a->free_gpus += n;
}
