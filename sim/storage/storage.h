/* storage.h - the cluster's shared storage tier: bandwidth, capacity,
 * the nodes' links to it, and its power.
 *
 *   storage:
 *     write_gb_per_s: 100   # aggregate write bandwidth, GB/s (1e9 B/s)
 *     read_gb_per_s: 200    # aggregate read bandwidth (default = write)
 *     capacity_tb: 1000     # usable capacity, TB (1e12 B; 0: unlimited)
 *     node_gb_per_s: 50     # each node's link to the storage network
 *                           # (default: no limit short of the tier's)
 *
 * Checkpoint writes and dataset reads move as flows through that network
 * (storage/io.h): jobs writing at once share the tier. */
#ifndef DCS_STORAGE_H
#define DCS_STORAGE_H

#include "config/cfg.h"

typedef struct dcs_storage {
    double write_bw; /* bytes/s, aggregate (0: no storage) */
    double read_bw;  /* bytes/s, aggregate */
    double capacity; /* bytes (0: unlimited) */
    double node_bw;  /* bytes/s each node's link to the tier (0: no limit
                        short of the tier's) */
    int64_t devices; /* storage servers or enclosures */
    double power_w;  /* the tier's draw: devices x device_power_w, W */
} dcs_storage_t;

/* Reads a `storage` mapping: write_gb_per_s, read_gb_per_s, capacity_tb,
 * devices and device_power_w (both optional). Returns 0 or DCS_EINPUT. */
int dcs_storage_read(dcs_cfg_node_t *map, dcs_storage_t *s, dcs_err_t *err);

#endif
