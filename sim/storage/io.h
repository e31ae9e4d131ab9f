/* io.h - checkpoint writes and dataset reads as flows through the storage
 * network to the storage tier.
 *
 * The storage network is a star (net/topo.h): every node of the cluster
 * has a link of `node_gb_per_s` each way to the storage switch (its
 * storage or front-end NICs), and the tier one link of `write_gb_per_s`
 * in and one of `read_gb_per_s` out. A job's transfer is spread evenly
 * over its nodes, one flow per node, so alone it moves at most
 * nodes x node_gb_per_s and at most the tier's bandwidth; jobs writing at
 * the same time share the tier max-min fairly (net/flow.h), so a
 * checkpoint storm of many jobs slows every one of them. */
#ifndef DCS_STORAGE_IO_H
#define DCS_STORAGE_IO_H

#include <stddef.h>
#include <stdint.h>

#include "engine/sim.h"
#include "net/flow.h"
#include "storage/storage.h"

typedef struct dcs_storage_io dcs_storage_io_t;

/* Called once when every flow of a transfer has arrived. */
typedef void (*dcs_storage_done_fn)(dcs_sim_t *sim, void *ctx);

/* A transfer in flight; the caller owns it and keeps it in place until it
 * is done or cancelled. */
typedef struct dcs_storage_xfer dcs_storage_xfer_t;
typedef struct dcs_storage_part {
    dcs_storage_xfer_t *x;
    int64_t flow; /* -1 once it has arrived */
} dcs_storage_part_t;
struct dcs_storage_xfer {
    dcs_storage_io_t *io;
    dcs_storage_part_t *parts; /* one flow per node (owned) */
    int nparts;
    double bytes;
    int left; /* flows still moving */
    dcs_time_t start_ns;
    dcs_storage_done_fn done;
    void *ctx;
};

/* The storage network of a cluster of `nodes` nodes, driving its flows on
 * `sim`. NULL when out of memory or the storage has no bandwidth. */
dcs_storage_io_t *dcs_storage_io_new(dcs_sim_t *sim, const dcs_storage_t *s,
                                     int nodes);
void dcs_storage_io_free(dcs_storage_io_t *io);

/* Starts writing `bytes` from `n` distinct nodes (bytes / n each) to the
 * tier; `done` is called when the last byte has arrived. Returns 0,
 * DCS_EINVAL (no nodes, a node out of range) or DCS_ENOMEM. */
int dcs_storage_write(dcs_storage_io_t *io, dcs_storage_xfer_t *x,
                      const int *nodes, int n, double bytes,
                      dcs_storage_done_fn done, void *ctx);
/* Stops a transfer under way (its flows leave the network, `done` is never
 * called); a no-op on one that is done or was never started. */
void dcs_storage_cancel(dcs_storage_xfer_t *x);
/* 1 while a transfer is under way. */
static inline int dcs_storage_busy(const dcs_storage_xfer_t *x)
{
    return x->left > 0;
}

/* Totals: bytes written by completed transfers, transfers completed and
 * the most under way at once. */
typedef struct dcs_storage_io_stats {
    double bytes_written;
    int64_t writes;
    int64_t max_concurrent;
} dcs_storage_io_stats_t;
dcs_storage_io_stats_t dcs_storage_io_stats(const dcs_storage_io_t *io);

/* A job's reads in one moment: `bytes` spread over its `n` distinct nodes. */
typedef struct dcs_storage_reader {
    const int *nodes;
    int n;
    double bytes;
} dcs_storage_reader_t;

/* Seconds until every read of readers[0] has arrived, readers[1..n-1]
 * reading theirs at the same moment (the most it can meet), on a storage
 * network of `nodes` nodes of its own. 0 when readers[0] reads nothing;
 * DCS_ENOMEM or DCS_EINVAL (negative) on failure. */
double dcs_storage_read_s(const dcs_storage_t *s, int nodes,
                          const dcs_storage_reader_t *readers, size_t n);

#endif
