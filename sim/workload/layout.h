/* layout.h - where a training job's ranks sit: the order of its parallel
 * dimensions from fastest to slowest varying. With the default tp, cp,
 * pp, dp, tensor-parallel peers are neighbours (inside a node's NVLink
 * domain first), then context, then pipeline stages, then replicas; expert
 * parallel groups are consecutive replicas. GPU g of the job's placement
 * is rank g; node boundaries fall every gpus_per_node ranks. */
#ifndef DCS_LAYOUT_H
#define DCS_LAYOUT_H

#include <stdint.h>

enum { DCS_DIM_TP, DCS_DIM_CP, DCS_DIM_PP, DCS_DIM_DP, DCS_NDIMS };

/* "tp", "cp", "pp", "dp". */
extern const char *const dcs_dim_names[DCS_NDIMS + 1];

/* Strides (ranks between neighbours) of each dimension, for `order` (a
 * permutation of the dims, fastest first; NULL: tp, cp, pp, dp). */
void dcs_layout_strides(const int *order, const int64_t size[DCS_NDIMS],
                        int64_t stride[DCS_NDIMS]);

/* Of a group of `size` members `stride` ranks apart starting at rank 0,
 * how many sit on rank 0's node (gpn ranks per node). */
int64_t dcs_layout_on_node(int64_t size, int64_t stride, int64_t gpn);

/* Of the group of replicas holding the same weights (dp x cp ranks, the
 * data-parallel all-reduce's group) around rank 0, how many share its
 * node: at least 1, at most dp x cp. */
int64_t dcs_layout_replicas_on_node(const int64_t size[DCS_NDIMS],
                                    const int64_t stride[DCS_NDIMS],
                                    int64_t gpn);

#endif
