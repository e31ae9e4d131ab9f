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
    a->with_free = calloc((size_t)gpus_per_node + 1, sizeof *a->with_free);
    a->taken = calloc((size_t)a->free_gpus, 1);
    if (!a->node_free || !a->with_free || !a->taken) {
        dcs_alloc_destroy(a);
        return DCS_ENOMEM;
    }
    for (int i = 0; i < nodes; i++)
        a->node_free[i] = gpus_per_node;
    a->with_free[gpus_per_node] = nodes;
    return 0;
}

void dcs_alloc_destroy(dcs_alloc_t *a)
{
    free(a->node_free);
    free(a->with_free);
    free(a->taken);
    a->node_free = NULL;
    a->with_free = NULL;
    a->taken = NULL;
}

void dcs_alloc_take(dcs_alloc_t *a, const int *gpu_ids, int n)
{
    for (int i = 0; i < n; i++) {
        DCS_ASSERT(!a->taken[gpu_ids[i]]);
        a->taken[gpu_ids[i]] = 1;
        int *f = &a->node_free[gpu_ids[i] / a->gpus_per_node];
        a->with_free[*f]--;
        a->with_free[--*f]++;
    }
    a->free_gpus -= n;
}

void dcs_alloc_release(dcs_alloc_t *a, const int *gpu_ids, int n)
{
    for (int i = 0; i < n; i++) {
        DCS_ASSERT(a->taken[gpu_ids[i]]);
        a->taken[gpu_ids[i]] = 0;
        int *f = &a->node_free[gpu_ids[i] / a->gpus_per_node];
        a->with_free[*f]--;
        a->with_free[++*f]++;
    }
    a->free_gpus += n;
}

int dcs_alloc_max_node_free(const dcs_alloc_t *a)
{
    for (int k = a->gpus_per_node; k > 0; k--)
        if (a->with_free[k] > 0)
            return k;
    return 0;
}
