/* trainnet.h - training jobs' data-parallel and pipeline traffic as flows
 * on the fabric (a scenario's `network: {collectives: flow}`).
 *
 * A job's gradient all-reduce is a ring over its dp x cp replicas for each
 * rank position (tp x pp rings side by side), on the GPUs the scheduler
 * gave it (GPU i is fabric host i), run hierarchically: the k members on a
 * node work over its links, the G nodes over the fabric, one ring per
 * rail. Every step of a ring has the same pattern (each node sends to the
 * next), so its 2 (G - 1) steps are carried as one flow per member of
 * 2 (G - 1) / G x N / k bytes, plus 2 (G - 1) latencies: under max-min
 * sharing each step would get the same rates. The
 * training jobs running when a job starts send theirs at the same moment,
 * so a job whose rings cross a shared, oversubscribed link learns how long
 * its all-reduce takes among the others. Its pipeline sends are priced the
 * same way. The other jobs send all their traffic, rings and pipeline
 * sends, at that moment: the most a job can meet, an upper bound on
 * contention (their all-reduces come in bursts, not all the time). */
#ifndef DCS_TRAINNET_H
#define DCS_TRAINNET_H

#include <stddef.h>
#include <stdint.h>

#include "net/topo.h"

typedef struct dcs_train_flow_job {
    const int *gpu_ids; /* rank r on GPU gpu_ids[r] */
    int64_t tp, cp, pp, dp;
    double bytes;          /* gradient bytes each rank all-reduces */
    int64_t gpus_per_node; /* GPU i sits on node i / gpus_per_node */
    int64_t stride[4];     /* ranks between neighbours of each DCS_DIM_*
                              (layout.h) */
    double pp_bytes;       /* bytes each rank sends to the next pipeline
                              stage per micro-batch (0: none) */
} dcs_train_flow_job_t;

/* Seconds until every ring flow of jobs[0] has arrived, with jobs[1..n-1]
 * sending all theirs at the same time, plus 2 (p - 1) x latency_s. Returns a
 * negative DCS_E* code when out of memory or a flow has no path. */
double dcs_train_dp_flows_s(dcs_topo_t *fabric,
                            const dcs_train_flow_job_t *jobs, size_t n,
                            double latency_s);

/* Seconds until every pipeline send of jobs[0] that crosses nodes has
 * arrived, each rank of every stage but the last sending one micro-batch's
 * activations to its peer in the next stage at once (1F1B's steady state:
 * every stage boundary busy in the same slot), with jobs[1..n-1] sending
 * all theirs at the same moment, plus one latency. 0 when none crosses nodes;
 * a negative DCS_E* code when out of memory or a flow has no path. */
double dcs_train_pp_flows_s(dcs_topo_t *fabric,
                            const dcs_train_flow_job_t *jobs, size_t n,
                            double latency_s);

#endif
