/* trainnet.c - the data-parallel rings and pipeline sends of training
 * jobs as flows. */
#include "workload/trainnet.h"

#include "engine/error.h"
#include "engine/sim.h"
#include "net/flow.h"
#include "workload/layout.h"

typedef struct wait {
    int64_t left;  /* flows of the job in question still moving */
    dcs_time_t at; /* when the last of them arrived */
} wait_t;

static void arrived(dcs_sim_t *sim, void *ctx, int64_t flow)
{
    wait_t *w = ctx;
    (void)flow;
    w->at = dcs_sim_now(sim);
    if (--w->left == 0)
        dcs_sim_stop(sim);
}

/* A job's rings: k members on each of `nodes` nodes. */
static void ring_shape(const dcs_train_flow_job_t *j, int64_t *k,
                       int64_t *nodes)
{
    int64_t size[DCS_NDIMS] = {j->tp, j->cp, j->pp, j->dp};
    *k = dcs_layout_replicas_on_node(size, j->stride, j->gpus_per_node);
    *nodes = (j->dp * j->cp + *k - 1) / *k;
}

/* The rank offset of ring member i: `inner` members of the faster of cp
 * and dp, then the slower. */
static int64_t member_rank(int64_t i, int64_t inner, int cp_first,
                           const int64_t *sd)
{
    int64_t a = i % inner, b = i / inner;
    return cp_first ? a * sd[DCS_DIM_CP] + b * sd[DCS_DIM_DP]
                    : a * sd[DCS_DIM_DP] + b * sd[DCS_DIM_CP];
}

/* Starts one job's rings; counts them in `w` when w is not NULL. For each
 * rank position, the group's members in ring order are gathered by node:
 * k on each of G nodes. Each node sends 2 (G - 1) / G x N / k from each of
 * its k members to the matching member of the next node (one ring per
 * rail, as NCCL's hierarchical all-reduce); the work inside a node stays
 * on its links (priced by the step model). */
static int start_rings(dcs_net_t *net, const dcs_train_flow_job_t *j, wait_t *w)
{
    const int64_t *sd = j->stride;
    int64_t p = j->dp * j->cp, k, nodes;
    ring_shape(j, &k, &nodes);
    /* members in rank order: the dimension with the smaller stride first */
    int cp_first = sd[DCS_DIM_CP] < sd[DCS_DIM_DP];
    int64_t inner = cp_first ? j->cp : j->dp;
    if (nodes < 2 || j->bytes <= 0)
        return 0;
    double share =
        2.0 * (double)(nodes - 1) / (double)nodes * j->bytes / (double)k;
    uint64_t bytes = share >= 1 ? (uint64_t)share : 1;
    for (int64_t pi = 0; pi < j->pp; pi++) {
        for (int64_t ti = 0; ti < j->tp; ti++) {
            for (int64_t i = 0; i < p; i++) {
                /* member i sends to the member k places on: the same rail
                 * of the next node */
                int64_t base = ti * sd[DCS_DIM_TP] + pi * sd[DCS_DIM_PP];
                int64_t ra = base + member_rank(i, inner, cp_first, sd);
                int64_t rb =
                    base + member_rank((i + k) % p, inner, cp_first, sd);
                int src = j->gpu_ids[ra], dst = j->gpu_ids[rb];
                if (src == dst)
                    continue;
                int64_t f =
                    dcs_flow_start(net, src, dst, bytes, w ? arrived : NULL, w);
                if (f < 0)
                    return (int)f;
                if (w)
                    w->left++;
            }
        }
    }
    return 0;
}

/* Sends of ranks to their next pipeline stage that cross nodes; counts
 * them in `w` when w is not NULL. */
static int start_sends(dcs_net_t *net, const dcs_train_flow_job_t *j, wait_t *w)
{
    if (j->pp < 2 || j->pp_bytes <= 0)
        return 0;
    uint64_t bytes = j->pp_bytes >= 1 ? (uint64_t)j->pp_bytes : 1;
    int64_t ranks = j->tp * j->cp * j->pp * j->dp;
    int64_t gpn = j->gpus_per_node > 0 ? j->gpus_per_node : ranks;
    int64_t sp = j->stride[DCS_DIM_PP];
    for (int64_t r = 0; r < ranks; r++) {
        if ((r / sp) % j->pp == j->pp - 1)
            continue; /* the last stage sends to no one */
        int src = j->gpu_ids[r], dst = j->gpu_ids[r + sp];
        if (src / gpn == dst / gpn)
            continue; /* on the node's links */
        int64_t f = dcs_flow_start(net, src, dst, bytes, w ? arrived : NULL, w);
        if (f < 0)
            return (int)f;
        if (w)
            w->left++;
    }
    return 0;
}

typedef int (*starter_fn)(dcs_net_t *net, const dcs_train_flow_job_t *j,
                          wait_t *w);

/* Seconds until jobs[0]'s flows of one class have arrived, the other
 * jobs' flows of both classes started at the same moment. */
static double run_flows(dcs_topo_t *fabric, const dcs_train_flow_job_t *jobs,
                        size_t n, starter_fn start)
{
    if (n == 0)
        return 0;
    dcs_sim_t *sim = dcs_sim_new();
    dcs_net_t *net = sim ? dcs_net_new(sim, fabric) : NULL;
    wait_t w = {0, 0};
    int rc = net ? 0 : DCS_ENOMEM;
    rc = rc ? rc : start(net, &jobs[0], &w);
    for (size_t k = 1; k < n && rc == 0; k++) {
        rc = start_rings(net, &jobs[k], NULL);
        rc = rc ? rc : start_sends(net, &jobs[k], NULL);
    }
    if (rc == 0 && w.left > 0)
        dcs_sim_run(sim, DCS_TIME_NEVER);
    dcs_net_free(net);
    dcs_sim_free(sim);
    return rc < 0 ? rc : dcs_time_to_s(w.at);
}

double dcs_train_dp_flows_s(dcs_topo_t *fabric,
                            const dcs_train_flow_job_t *jobs, size_t n,
                            double latency_s)
{
    double s = run_flows(fabric, jobs, n, start_rings);
    if (n == 0 || s < 0)
        return s;
    int64_t k, nodes;
    ring_shape(&jobs[0], &k, &nodes);
    return s + 2.0 * (double)(nodes - 1) * latency_s;
}

double dcs_train_pp_flows_s(dcs_topo_t *fabric,
                            const dcs_train_flow_job_t *jobs, size_t n,
                            double latency_s)
{
    double s = run_flows(fabric, jobs, n, start_sends);
    return s > 0 ? s + latency_s : s;
}
