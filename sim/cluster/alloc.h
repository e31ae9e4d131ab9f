/* alloc.h - which GPUs are free, per GPU, per node and per network group.
 *
 * The scheduler's own view of the cluster: placement reads it, the scheduler
 * changes it when jobs start and end. GPUs are numbered node-major.
 *
 * Two optional layers, off after dcs_alloc_init():
 * - groups: runs of `nodes_per_group` consecutive nodes that share a
 *   first-level switch (a leaf, a pod, a torus ring), with their free GPUs
 *   kept up to date by take and release (dcs_alloc_set_groups);
 * - models: a GPU model index per node, for mixed fleets
 *   (dcs_alloc_set_models), and `want_model`, which the scheduler sets
 *   before asking a model-aware placement about a job that names one. */
#ifndef DCS_ALLOC_H
#define DCS_ALLOC_H

typedef struct dcs_alloc {
    int nodes;            /* node count */
    int gpus_per_node;    /* devices per node */
    int free_gpus;        /* free GPUs in the cluster */
    int *node_free;       /* per node: free GPUs */
    int *with_free;       /* [k], k = 0 .. gpus_per_node: nodes with
                             exactly k free GPUs */
    unsigned char *taken; /* per GPU: 1 when allocated */
    /* Groups (see dcs_alloc_set_groups); 0 / NULL when not known. */
    int nodes_per_group; /* consecutive nodes per group (0: no grouping) */
    int groups;          /* group count, ceil(nodes / nodes_per_group); the
                            last group may hold fewer nodes */
    int *group_free;     /* per group: free GPUs */
    /* Models (see dcs_alloc_set_models). */
    unsigned char *node_model; /* per node: GPU model index (NULL: one
                                  model for the whole cluster) */
    int want_model;            /* model index the next place()/fits() must use
                                  (-1: any); read by model-aware placements only */
} dcs_alloc_t;

/* All GPUs free; no groups, one model, want_model -1. Returns 0 or
 * DCS_ENOMEM. */
int dcs_alloc_init(dcs_alloc_t *a, int nodes, int gpus_per_node);
/* Frees what `a` owns (group and model arrays included). */
void dcs_alloc_destroy(dcs_alloc_t *a);

/* Marks `n` GPUs taken (each must be free) or released (each must be taken),
 * updating the per-node, histogram and per-group counts. O(n). */
void dcs_alloc_take(dcs_alloc_t *a, const int *gpu_ids, int n);
void dcs_alloc_release(dcs_alloc_t *a, const int *gpu_ids, int n);

/* The most free GPUs any one node has, in O(gpus_per_node). */
int dcs_alloc_max_node_free(const dcs_alloc_t *a);

/* Groups nodes in runs of `nodes_per_group` (node n is in group
 * n / nodes_per_group) and counts each group's free GPUs from the present
 * state, so it may be called with jobs running. 0 removes the grouping.
 * Returns 0, DCS_EINVAL when nodes_per_group < 0, or DCS_ENOMEM (the
 * grouping is then removed). O(nodes). */
int dcs_alloc_set_groups(dcs_alloc_t *a, int nodes_per_group);

/* The group of node `node` (0 when there is no grouping). */
static inline int dcs_alloc_group_of(const dcs_alloc_t *a, int node)
{
    return a->nodes_per_group > 0 ? node / a->nodes_per_group : 0;
}

/* Copies `models` (one GPU model index per node) into `a`; NULL removes
 * them (one model). Returns 0 or DCS_ENOMEM (the old models are kept). */
int dcs_alloc_set_models(dcs_alloc_t *a, const unsigned char *models);

/* 1 when node `node` has the GPU model `a->want_model` asks for (always,
 * when want_model < 0 or the cluster has one model). */
static inline int dcs_alloc_node_has_model(const dcs_alloc_t *a, int node)
{
    return a->want_model < 0 || !a->node_model ||
           a->node_model[node] == a->want_model;
}

#endif
