/* alloc.c - free-GPU bookkeeping, per GPU, node, count, group and model. */
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
    a->want_models = 0;
    a->nmodels = 0;
    a->model_first = NULL;
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
    free(a->model_first); /* one block with the other model arrays */
    a->node_free = NULL;
    a->with_free = NULL;
    a->taken = NULL;
    a->group_free = NULL;
    a->node_model = NULL;
    a->model_first = a->model_nodes = a->model_free = NULL;
    a->model_with_free = NULL;
    a->nmodels = 0;
    a->nodes_per_group = 0;
    a->groups = 0;
}

/* A node's free count moves from `from` to `to` in its model's counts. */
static inline void model_moved(dcs_alloc_t *a, int node, int from, int to)
{
    int m = a->node_model[node];
    int *with = a->model_with_free + (size_t)m * (a->gpus_per_node + 1);
    with[from]--;
    with[to]++;
    a->model_free[m] += to - from;
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
        if (a->node_model)
            model_moved(a, node, *f + 1, *f);
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
        if (a->node_model)
            model_moved(a, node, *f - 1, *f);
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
        free(a->model_first);
        a->node_model = NULL;
        a->model_first = a->model_nodes = a->model_free = NULL;
        a->model_with_free = NULL;
        a->nmodels = 0;
        return 0;
    }
    int nmodels = 0;
    for (int n = 0; n < a->nodes; n++) {
        if (models[n] >= nmodels)
            nmodels = models[n] + 1;
        /* A model seen before, but not on the node just before: two runs. */
        if (n > 0 && models[n] != models[n - 1])
            for (int k = 0; k < n - 1; k++)
                if (models[k] == models[n])
                    return DCS_EINVAL;
    }
    if (nmodels == 0)
        nmodels = 1;
    size_t gpn1 = (size_t)a->gpus_per_node + 1;
    unsigned char *copy = malloc(a->nodes > 0 ? (size_t)a->nodes : 1);
    int *block = calloc((size_t)nmodels * (3 + gpn1), sizeof *block);
    if (!copy || !block) {
        free(copy);
        free(block);
        return DCS_ENOMEM;
    }
    if (a->nodes > 0)
        memcpy(copy, models, (size_t)a->nodes);
    free(a->node_model);
    free(a->model_first);
    a->node_model = copy;
    a->nmodels = nmodels;
    a->model_first = block;
    a->model_nodes = block + nmodels;
    a->model_free = block + 2 * nmodels;
    a->model_with_free = block + 3 * nmodels;
    for (int n = a->nodes - 1; n >= 0; n--) {
        int m = copy[n];
        a->model_first[m] = n;
        a->model_nodes[m]++;
        a->model_free[m] += a->node_free[n];
        a->model_with_free[(size_t)m * gpn1 + (size_t)a->node_free[n]]++;
    }
    return 0;
}

int dcs_alloc_model_view(const dcs_alloc_t *a, int model, dcs_alloc_t *view)
{
    DCS_ASSERT(a->node_model && model >= 0 && model < a->nmodels);
    int first = a->model_first[model], nodes = a->model_nodes[model];
    int gpn = a->gpus_per_node, npg = a->nodes_per_group;
    memset(view, 0, sizeof *view);
    view->nodes = nodes;
    view->gpus_per_node = gpn;
    view->free_gpus = a->model_free[model];
    /* Shared, read only (the view's contract). */
    view->node_free = a->node_free + first;
    view->with_free = a->model_with_free + (size_t)model * ((size_t)gpn + 1);
    view->taken = a->taken + (size_t)first * (size_t)gpn;
    view->want_model = -1;
    if (a->group_free && first % npg == 0 &&
        (nodes % npg == 0 || first + nodes == a->nodes)) {
        view->nodes_per_group = npg;
        view->groups = (nodes + npg - 1) / npg;
        view->group_free = a->group_free + first / npg;
    }
    return first * gpn;
}
