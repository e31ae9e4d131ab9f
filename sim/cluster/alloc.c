/* alloc.c - free-GPU bookkeeping, per GPU, node, count and group. */
#include "cluster/alloc.h"

#include <stdlib.h>
#include <string.h>

#include "engine/error.h"

int dcs_alloc_init(dcs_alloc_t *a, int nodes, int gpus_per_node)
{
    a->nodes = nodes;
    a->gpus_per_node = gpus_per_node;
    a->free_gpus = nodes * gpus_per_node;
    a->nodes_per_group = 0;
    a->groups = 0;
    a->group_free = NULL;
    a->node_model = NULL;
    a->want_model = -1;
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
    free(a->group_free);
    free(a->node_model);
    a->node_free = NULL;
    a->with_free = NULL;
    a->taken = NULL;
    a->group_free = NULL;
    a->node_model = NULL;
    a->nodes_per_group = 0;
    a->groups = 0;
}

void dcs_alloc_take(dcs_alloc_t *a, const int *gpu_ids, int n)
{
    for (int i = 0; i < n; i++) {
        DCS_ASSERT(!a->taken[gpu_ids[i]]);
        a->taken[gpu_ids[i]] = 1;
        int node = gpu_ids[i] / a->gpus_per_node;
        int *f = &a->node_free[node];
        a->with_free[*f]--;
        a->with_free[--*f]++;
        if (a->group_free)
            a->group_free[node / a->nodes_per_group]--;
    }
    a->free_gpus -= n;
}

void dcs_alloc_release(dcs_alloc_t *a, const int *gpu_ids, int n)
{
    for (int i = 0; i < n; i++) {
        DCS_ASSERT(a->taken[gpu_ids[i]]);
        a->taken[gpu_ids[i]] = 0;
        int node = gpu_ids[i] / a->gpus_per_node;
        int *f = &a->node_free[node];
        a->with_free[*f]--;
        a->with_free[++*f]++;
        if (a->group_free)
            a->group_free[node / a->nodes_per_group]++;
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

int dcs_alloc_set_groups(dcs_alloc_t *a, int nodes_per_group)
{
    if (nodes_per_group < 0)
        return DCS_EINVAL;
    free(a->group_free);
    a->group_free = NULL;
    a->nodes_per_group = 0;
    a->groups = 0;
    if (nodes_per_group == 0 || a->nodes <= 0)
        return 0;
    int groups = (a->nodes + nodes_per_group - 1) / nodes_per_group;
    int *group_free = calloc((size_t)groups, sizeof *group_free);
    if (!group_free)
        return DCS_ENOMEM;
    for (int n = 0; n < a->nodes; n++)
        group_free[n / nodes_per_group] += a->node_free[n];
    a->group_free = group_free;
    a->nodes_per_group = nodes_per_group;
    a->groups = groups;
    return 0;
}

int dcs_alloc_set_models(dcs_alloc_t *a, const unsigned char *models)
{
    if (!models) {
        free(a->node_model);
        a->node_model = NULL;
        return 0;
    }
    unsigned char *copy = malloc(a->nodes > 0 ? (size_t)a->nodes : 1);
    if (!copy)
        return DCS_ENOMEM;
    if (a->nodes > 0)
        memcpy(copy, models, (size_t)a->nodes);
    free(a->node_model);
    a->node_model = copy;
    return 0;
}
