/* alloc.h - which GPUs are free, per GPU, per node and per network group.
 *
 * The scheduler's own view of the cluster: placement reads it, the scheduler
 * changes it when jobs start and end. GPUs are numbered node-major.
 *
 * Two optional layers, off after dcs_alloc_init():
 * - groups: runs of `nodes_per_group` consecutive nodes that share a
 *   first-level switch (a leaf, a pod, a torus ring), with their free GPUs
 *   kept up to date by take and release (dcs_alloc_set_groups);
 * - models: a GPU model index per node, for mixed fleets, each model's
 *   nodes one run of consecutive nodes (dcs_alloc_set_models), with each
 *   model's free GPUs and histogram kept up to date by take and release,
 *   and `want_model`, which the scheduler sets before asking a placement
 *   about a job that names one. Placements work on one model at a time
 *   through dcs_alloc_model_view. */
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
    /* Models (see dcs_alloc_set_models); NULL / 0 with one model. */
    unsigned char *node_model; /* per node: GPU model index (NULL: one
                                  model for the whole cluster) */
    int want_model;            /* model index the next place()/fits() must use
                                  (-1: any one model) */
    unsigned want_models;      /* with want_model -1, the models the next
                                  place()/fits() may use, bit m for model
                                  m (0: any) */
    int nmodels;               /* 1 + the largest model index */
    int *model_first;          /* per model: its first node */
    int *model_nodes;          /* per model: its node count (0: none) */
    int *model_free;           /* per model: free GPUs */
    int *model_with_free;      /* [m * (gpus_per_node + 1) + k]: nodes of
                                  model m with exactly k free GPUs */
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

/* Copies `models` (one GPU model index per node) into `a` and counts each
 * model's free GPUs from the present state; NULL removes them (one model).
 * The nodes of one model must be consecutive (a fleet numbers its nodes
 * pool after pool); a model index may have no nodes. Returns 0, DCS_EINVAL
 * when a model's nodes are not one run, or DCS_ENOMEM (the old models are
 * kept on error). O(nodes + models x gpus_per_node). */
int dcs_alloc_set_models(dcs_alloc_t *a, const unsigned char *models);

/* 1 when node `node` has the GPU model `a->want_model` asks for (always,
 * when want_model < 0 or the cluster has one model). */
static inline int dcs_alloc_node_has_model(const dcs_alloc_t *a, int node)
{
    return a->want_model < 0 || !a->node_model ||
           a->node_model[node] == a->want_model;
}

/* A read-only view of the nodes of model `model` (0 <= model < nmodels;
 * `a` must have models) as an alloc of its own, sharing `a`'s arrays: its
 * node n is node model_first[model] + n of `a`, its GPU g is GPU
 * model_first[model] x gpus_per_node + g. It has one model and keeps
 * `a`'s groups when the model's nodes begin and end on group boundaries
 * (the last group may be short only at the end of the cluster), else none.
 * Never take, release or destroy through a view; it is valid until `a`'s
 * models or groups change. Returns the id of the view's GPU 0 in `a`.
 * O(1). */
int dcs_alloc_model_view(const dcs_alloc_t *a, int model, dcs_alloc_t *view);

#endif
