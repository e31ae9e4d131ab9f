/* io.c - transfers between nodes and the storage tier as flows. */
#include "storage/io.h"

#include <math.h>
#include <stdlib.h>

#include "engine/error.h"

struct dcs_storage_io {
    dcs_sim_t *sim;
    dcs_topo_t topo; /* nodes 0 .. nodes-1, the tier is host `nodes` */
    dcs_net_t *net;
    int nodes;
    int64_t under_way;
    dcs_storage_io_stats_t stats;
};

/* The star of `nodes` nodes and the tier. */
static int build(dcs_topo_t *t, const dcs_storage_t *s, int nodes)
{
    double node_bw =
        s->node_bw > 0 ? s->node_bw : fmax(s->write_bw, s->read_bw);
    return dcs_topo_star(t, nodes, node_bw, s->write_bw, s->read_bw, 0);
}

dcs_storage_io_t *dcs_storage_io_new(dcs_sim_t *sim, const dcs_storage_t *s,
                                     int nodes)
{
    if (s->write_bw <= 0 || nodes < 1)
        return NULL;
    dcs_storage_io_t *io = calloc(1, sizeof *io);
    if (!io)
        return NULL;
    io->sim = sim;
    io->nodes = nodes;
    if (build(&io->topo, s, nodes) < 0 ||
        !(io->net = dcs_net_new(sim, &io->topo))) {
        dcs_storage_io_free(io);
        return NULL;
    }
    dcs_net_reuse_ids(io->net); /* months of checkpoints, few in flight */
    return io;
}

void dcs_storage_io_free(dcs_storage_io_t *io)
{
    if (!io)
        return;
    dcs_net_free(io->net);
    dcs_topo_destroy(&io->topo);
    free(io);
}

static void release(dcs_storage_xfer_t *x)
{
    x->io->under_way--;
    free(x->parts);
    x->parts = NULL;
    x->nparts = 0;
    x->left = 0;
}

static void flow_done(dcs_sim_t *sim, void *ctx, int64_t flow)
{
    dcs_storage_part_t *p = ctx;
    dcs_storage_xfer_t *x = p->x;
    (void)flow;
    p->flow = -1; /* its id may go to another flow now */
    if (--x->left > 0)
        return;
    x->io->stats.writes++;
    x->io->stats.bytes_written += x->bytes;
    release(x);
    x->done(sim, x->ctx);
}

int dcs_storage_write(dcs_storage_io_t *io, dcs_storage_xfer_t *x,
                      const int *nodes, int n, double bytes,
                      dcs_storage_done_fn done, void *ctx)
{
    if (n < 1 || !(bytes > 0))
        return DCS_EINVAL;
    for (int i = 0; i < n; i++)
        if (nodes[i] < 0 || nodes[i] >= io->nodes)
            return DCS_EINVAL;
    x->parts = malloc((size_t)n * sizeof *x->parts);
    if (!x->parts)
        return DCS_ENOMEM;
    x->io = io;
    x->nparts = n;
    x->left = 0;
    x->start_ns = dcs_sim_now(io->sim);
    x->done = done;
    x->ctx = ctx;
    double each = bytes / (double)n;
    uint64_t b = each >= 1 ? (uint64_t)llround(each) : 1;
    x->bytes = (double)b * (double)n;
    for (int i = 0; i < n; i++) {
        x->parts[i].x = x;
        int64_t f = dcs_flow_start(io->net, nodes[i], io->nodes, b, flow_done,
                                   &x->parts[i]);
        DCS_ASSERT(f >= 0); /* a star always has a route */
        x->parts[i].flow = f;
        x->left++;
    }
    if (++io->under_way > io->stats.max_concurrent)
        io->stats.max_concurrent = io->under_way;
    return 0;
}

void dcs_storage_cancel(dcs_storage_xfer_t *x)
{
    if (x->left <= 0)
        return;
    for (int i = 0; i < x->nparts; i++)
        if (x->parts[i].flow >= 0)
            DCS_ASSERT(dcs_flow_cancel(x->io->net, x->parts[i].flow) == 0);
    release(x);
}

dcs_storage_io_stats_t dcs_storage_io_stats(const dcs_storage_io_t *io)
{
    return io->stats;
}

typedef struct wait {
    int left;
    dcs_time_t at;
} wait_t;

static void read_done(dcs_sim_t *sim, void *ctx, int64_t flow)
{
    wait_t *w = ctx;
    (void)flow;
    w->at = dcs_sim_now(sim);
    if (--w->left == 0)
        dcs_sim_stop(sim);
}

double dcs_storage_read_s(const dcs_storage_t *s, int nodes,
                          const dcs_storage_reader_t *readers, size_t n)
{
    if (n == 0 || !(readers[0].bytes > 0) || readers[0].n < 1)
        return 0;
    dcs_topo_t topo;
    if (build(&topo, s, nodes) < 0)
        return DCS_ENOMEM;
    dcs_sim_t *sim = dcs_sim_new();
    dcs_net_t *net = sim ? dcs_net_new(sim, &topo) : NULL;
    int rc = net ? 0 : DCS_ENOMEM;
    wait_t w = {0, 0};
    for (size_t k = 0; k < n && rc == 0; k++) {
        const dcs_storage_reader_t *r = &readers[k];
        if (!(r->bytes > 0) || r->n < 1)
            continue;
        double each = r->bytes / (double)r->n;
        uint64_t b = each >= 1 ? (uint64_t)llround(each) : 1;
        for (int i = 0; i < r->n && rc == 0; i++) {
            if (r->nodes[i] < 0 || r->nodes[i] >= nodes) {
                rc = DCS_EINVAL;
                break;
            }
            int64_t f = dcs_flow_start(net, nodes, r->nodes[i], b,
                                       k == 0 ? read_done : NULL, &w);
            if (f < 0)
                rc = (int)f;
            else if (k == 0)
                w.left++;
        }
    }
    if (rc == 0)
        dcs_sim_run(sim, DCS_TIME_NEVER);
    dcs_net_free(net);
    dcs_sim_free(sim);
    dcs_topo_destroy(&topo);
    return rc < 0 ? rc : dcs_time_to_s(w.at);
}
