/* alloc.h - which GPUs are free, per GPU and per node.
 *
 * The scheduler's own view of the cluster: placement reads it, the scheduler
 * changes it when jobs start and end. GPUs are numbered node-major. */
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
} dcs_alloc_t;

/* All GPUs free. Returns 0 or DCS_ENOMEM. */
int dcs_alloc_init(dcs_alloc_t *a, int nodes, int gpus_per_node);
void dcs_alloc_destroy(dcs_alloc_t *a);

/* Marks `n` GPUs taken (each must be free) or released (each must be taken). */
void dcs_alloc_take(dcs_alloc_t *a, const int *gpu_ids, int n);
void dcs_alloc_release(dcs_alloc_t *a, const int *gpu_ids, int n);

/* The most free GPUs any one node has, in O(gpus_per_node). */
int dcs_alloc_max_node_free(const dcs_alloc_t *a);

#endif
