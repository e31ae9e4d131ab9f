/* coll_flow.c - collectives run as flows, one algorithm step at a time. */
#include "net/coll_flow.h"

#include <stdlib.h>
#include <string.h>

#include "engine/error.h"
#include "net/collective.h"

struct dcs_coll_run {
    dcs_net_t *net;
    /* hierarchical runs: phases 0 intra reduce-scatter, 1 the rails' rings,
     * 2 intra all-gather; 0 when not hierarchical */
    int hier;
    int tree;   /* 1: binary tree all-reduce */
    int levels; /* tree: ceil(log2 p) */
    int phase;
    int rails_pending;
    dcs_time_t intra_ns;    /* each intra-node phase */
    dcs_coll_run_t **rails; /* the per-rail rings */
    int nrails;
    dcs_op_kind_t kind;
    int *hosts;
    int p;
    uint64_t bytes;
    int step, steps; /* current step, steps in all */
    int pending;     /* flows of this step still in flight */
    dcs_time_t start_ns, end_ns;
    dcs_coll_done_fn done;
    void *ctx;
};

static void start_step(dcs_sim_t *sim, dcs_coll_run_t *r);

static void flow_arrived(dcs_sim_t *sim, void *ctx, int64_t flow)
{
    dcs_coll_run_t *r = ctx;
    (void)flow;
    if (--r->pending > 0)
        return;
    r->step++;
    if (r->step < r->steps) {
        start_step(sim, r);
        return;
    }
    r->end_ns = dcs_sim_now(sim);
    if (r->done)
        r->done(sim, r->ctx, r);
}

static void send(dcs_coll_run_t *r, int from, int to, uint64_t bytes)
{
    int64_t f = dcs_flow_start(r->net, r->hosts[from], r->hosts[to],
                               bytes ? bytes : 1, flow_arrived, r);
    DCS_ASSERT(f >= 0); /* hosts were checked at start */
    r->pending++;
}

/* Tree step: steps 0 .. levels-1 reduce up (level k), then levels ..
 * 2 levels-1 broadcast down (level 2 levels-1-step). */
static void tree_step(dcs_coll_run_t *r)
{
    int up = r->step < r->levels;
    int k = up ? r->step : 2 * r->levels - 1 - r->step;
    int span = 1 << k;
    r->pending = 0;
    for (int i = 0; i < r->p; i++) {
        /* i pairs with i - span when bit k is its lowest set bit. */
        if (i % (2 * span) != span)
            continue;
        if (up)
            send(r, i, i - span, r->bytes);
        else
            send(r, i - span, i, r->bytes);
    }
}

static void start_step(dcs_sim_t *sim, dcs_coll_run_t *r)
{
    (void)sim;
    if (r->tree) {
        tree_step(r);
        return;
    }
    uint64_t chunk = r->bytes / (uint64_t)r->p;
    r->pending = 0;
    for (int i = 0; i < r->p; i++) {
        int next = (i + 1) % r->p;
        switch (r->kind) {
        case DCS_OP_ALL_TO_ALL:
            for (int j = 0; j < r->p; j++)
                if (j != i)
                    send(r, i, j, chunk);
            break;
        case DCS_OP_SEND_RECV:
        case DCS_OP_BROADCAST:
            send(r, i, next, r->bytes);
            break;
        default: /* ring steps of N/p */
            send(r, i, next, chunk);
            break;
        }
    }
}

dcs_coll_run_t *dcs_coll_flow_start(dcs_net_t *net, dcs_op_kind_t kind,
                                    const int *hosts, int p, uint64_t bytes,
                                    dcs_coll_done_fn done, void *ctx)
{
    dcs_op_t op;
    dcs_op_init(&op);
    op.kind = kind;
    if (!dcs_op_is_collective(&op) || p < 2 || bytes == 0)
        return NULL;
    for (int i = 0; i < p; i++) {
        if (hosts[i] < 0 || hosts[i] >= dcs_net_hosts(net))
            return NULL;
        for (int j = 0; j < i; j++)
            if (hosts[j] == hosts[i])
                return NULL; /* each host once */
    }
    dcs_coll_run_t *r = calloc(1, sizeof *r);
    if (!r || !(r->hosts = malloc((size_t)p * sizeof *r->hosts))) {
        free(r);
        return NULL;
    }
    memcpy(r->hosts, hosts, (size_t)p * sizeof *hosts);
    r->net = net;
    r->kind = kind;
    r->p = p;
    r->bytes = bytes;
    r->done = done;
    r->ctx = ctx;
    r->end_ns = -1;
    switch (kind) {
    case DCS_OP_ALL_REDUCE:
        r->steps = 2 * (p - 1);
        break;
    case DCS_OP_ALL_TO_ALL:
    case DCS_OP_SEND_RECV:
        r->steps = 1;
        break;
    default:
        r->steps = p - 1;
        break;
    }
    dcs_sim_t *sim = dcs_net_sim(net);
    r->start_ns = dcs_sim_now(sim);
    start_step(sim, r);
    return r;
}

void dcs_coll_run_free(dcs_coll_run_t *r)
{
    if (!r)
        return;
    for (int g = 0; r->rails && g < r->nrails; g++)
        dcs_coll_run_free(r->rails[g]);
    free(r->rails);
    free(r->hosts);
    free(r);
}

dcs_time_t dcs_coll_run_start_ns(const dcs_coll_run_t *r)
{
    return r->start_ns;
}

dcs_time_t dcs_coll_run_end_ns(const dcs_coll_run_t *r)
{
    return r->end_ns;
}

/* ---- hierarchical all-reduce ----------------------------------------- */

static void hier_next(dcs_sim_t *sim, void *obj, int64_t arg);

static void rail_done(dcs_sim_t *sim, void *ctx, dcs_coll_run_t *rail)
{
    dcs_coll_run_t *r = ctx;
    (void)rail;
    if (--r->rails_pending == 0)
        hier_next(sim, r, 0);
}

/* Advances the phases: intra reduce-scatter (a delay), the rails' rings
 * (flows), intra all-gather (a delay), done. */
static void hier_next(dcs_sim_t *sim, void *obj, int64_t arg)
{
    dcs_coll_run_t *r = obj;
    (void)arg;
    r->phase++;
    if (r->phase == 1) {
        int nodes = r->p, gpn = r->nrails;
        int *hosts = malloc((size_t)nodes * sizeof *hosts);
        DCS_ASSERT(hosts != NULL);
        r->rails_pending = gpn;
        for (int g = 0; g < gpn; g++) {
            for (int n = 0; n < nodes; n++)
                hosts[n] = n * gpn + g;
            r->rails[g] =
                dcs_coll_flow_start(r->net, DCS_OP_ALL_REDUCE, hosts, nodes,
                                    r->bytes / (uint64_t)gpn, rail_done, r);
            DCS_ASSERT(r->rails[g] != NULL);
        }
        free(hosts);
    } else if (r->phase == 2) {
        dcs_sim_after(sim, r->intra_ns, hier_next, r, 0);
    } else {
        r->end_ns = dcs_sim_now(sim);
        if (r->done)
            r->done(sim, r->ctx, r);
    }
}

dcs_coll_run_t *dcs_coll_hier_all_reduce(dcs_net_t *net,
                                         const dcs_device_spec_t *dev,
                                         const dcs_opcost_params_t *params,
                                         int nodes, int gpus_per_node,
                                         uint64_t bytes, dcs_coll_done_fn done,
                                         void *ctx)
{
    if (nodes < 2 || gpus_per_node < 1 || bytes == 0 ||
        nodes * gpus_per_node > dcs_net_hosts(net))
        return NULL;
    dcs_coll_run_t *r = calloc(1, sizeof *r);
    if (!r || !(r->rails = calloc((size_t)gpus_per_node, sizeof *r->rails))) {
        free(r);
        return NULL;
    }
    r->net = net;
    r->hier = 1;
    r->kind = DCS_OP_ALL_REDUCE;
    r->p = nodes;
    r->nrails = gpus_per_node;
    r->bytes = bytes;
    r->done = done;
    r->ctx = ctx;
    r->end_ns = -1;
    /* Intra-node phases: reduce-scatter, later all-gather, of the buffer
     * among the node's GPUs (none with one GPU per node). */
    if (gpus_per_node > 1) {
        dcs_op_t op;
        dcs_op_init(&op);
        op.kind = DCS_OP_REDUCE_SCATTER;
        op.gpus = gpus_per_node;
        op.bytes = (int64_t)bytes;
        r->intra_ns = dcs_time_from_s(dcs_coll_time_s(dev, params, &op));
    }
    dcs_sim_t *sim = dcs_net_sim(net);
    r->start_ns = dcs_sim_now(sim);
    dcs_sim_after(sim, r->intra_ns, hier_next, r, 0);
    return r;
}

dcs_coll_run_t *dcs_coll_flow_tree_all_reduce(dcs_net_t *net, const int *hosts,
                                              int p, uint64_t bytes,
                                              dcs_coll_done_fn done, void *ctx)
{
    if (p < 2 || bytes == 0)
        return NULL;
    for (int i = 0; i < p; i++) {
        if (hosts[i] < 0 || hosts[i] >= dcs_net_hosts(net))
            return NULL;
        for (int j = 0; j < i; j++)
            if (hosts[j] == hosts[i])
                return NULL;
    }
    dcs_coll_run_t *r = calloc(1, sizeof *r);
    if (!r || !(r->hosts = malloc((size_t)p * sizeof *r->hosts))) {
        free(r);
        return NULL;
    }
    memcpy(r->hosts, hosts, (size_t)p * sizeof *hosts);
    r->net = net;
    r->kind = DCS_OP_ALL_REDUCE;
    r->tree = 1;
    r->p = p;
    r->bytes = bytes;
    r->done = done;
    r->ctx = ctx;
    r->end_ns = -1;
    while ((1 << r->levels) < p)
        r->levels++;
    r->steps = 2 * r->levels;
    dcs_sim_t *sim = dcs_net_sim(net);
    r->start_ns = dcs_sim_now(sim);
    start_step(sim, r);
    return r;
}
