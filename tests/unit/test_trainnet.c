/* test_trainnet.c - training jobs' data-parallel rings as flows.
 *
 * On a dumbbell (8 hosts a side, 50 GB/s host links, 100 GB/s between the
 * switches, no latency), a job of 2 replicas of 4 GPUs, one replica a
 * side, all-reduces N = 1 GB per rank: k = 1 member per node... here a
 * "node" is 4 GPUs, so G = 2 nodes, and each of the 4 members sends
 * 2 (G - 1) / G N / k = N across the middle, both ways: 4 flows share
 * 100 GB/s, 25 GB/s each, N / 25 GB/s = 40 ms. A second such job on the
 * other hosts doubles the flows on the middle link: 80 ms. With 2 members
 * of a ring per node (tp 2, 4 replicas), each member carries N / 2:
 * 4 flows of 0.5 GB, 20 ms. */
#include <check.h>
#include <math.h>

#include "engine/sim.h"
#include "hw/op.h"
#include "net/coll_flow.h"
#include "net/flow.h"
#include "workload/trainnet.h"

static dcs_topo_t dumbbell(void)
{
    dcs_topo_t t;
    ck_assert_int_eq(dcs_topo_dumbbell(&t, 8, 50e9, 0, 100e9), 0);
    return t;
}

START_TEST(one_job_closed_form)
{
    dcs_topo_t t = dumbbell();
    int ids[8] = {0, 1, 2, 3, 8, 9, 10, 11};
    dcs_train_flow_job_t j = {ids, 4, 1, 1, 2, 1e9, 4, {1, 4, 4, 4}, 0};
    double s = dcs_train_dp_flows_s(&t, &j, 1, 0);
    ck_assert_double_le(fabs(s - 0.04), 1e-3 * 0.04);
    /* per-step latency: 2 (G - 1) steps of 5 us */
    double with_lat = dcs_train_dp_flows_s(&t, &j, 1, 5e-6);
    ck_assert_double_le(fabs(with_lat - (0.04 + 2 * 5e-6)), 1e-3 * 0.04);
    dcs_topo_destroy(&t);
}
END_TEST

START_TEST(contention_doubles)
{
    dcs_topo_t t = dumbbell();
    int a[8] = {0, 1, 2, 3, 8, 9, 10, 11};
    int b[8] = {4, 5, 6, 7, 12, 13, 14, 15};
    dcs_train_flow_job_t jobs[2] = {{a, 4, 1, 1, 2, 1e9, 4, {1, 4, 4, 4}, 0},
                                    {b, 4, 1, 1, 2, 1e9, 4, {1, 4, 4, 4}, 0}};
    double s = dcs_train_dp_flows_s(&t, jobs, 2, 0);
    ck_assert_double_le(fabs(s - 0.08), 1e-3 * 0.08);
    dcs_topo_destroy(&t);
}
END_TEST

START_TEST(members_per_node_split_the_bytes)
{
    /* tp 2, dp 4 on 8 GPUs, 4 per node: replicas 0, 1 on the left node,
     * 2, 3 on the right; k = 2 ring members per node, G = 2. */
    dcs_topo_t t = dumbbell();
    int ids[8] = {0, 1, 2, 3, 8, 9, 10, 11};
    dcs_train_flow_job_t j = {ids, 2, 1, 1, 4, 1e9, 4, {1, 2, 2, 2}, 0};
    double s = dcs_train_dp_flows_s(&t, &j, 1, 0);
    ck_assert_double_le(fabs(s - 0.02), 1e-3 * 0.02);
    /* one node holding the whole job: nothing crosses the fabric */
    int local[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    dcs_train_flow_job_t in = {local, 2, 1, 1, 4, 1e9, 8, {1, 2, 2, 2}, 0};
    ck_assert_double_eq(dcs_train_dp_flows_s(&t, &in, 1, 0), 0);
    /* replicas fastest (order dp, tp, cp, pp): both members of every ring
     * share a node, nothing crosses the fabric */
    dcs_train_flow_job_t dpfirst = {ids, 4, 1, 1, 2, 1e9, 4, {2, 8, 8, 1}, 0};
    ck_assert_double_eq(dcs_train_dp_flows_s(&t, &dpfirst, 1, 0), 0);
    dcs_topo_destroy(&t);
}
END_TEST

static void ring_done(dcs_sim_t *sim, void *ctx, dcs_coll_run_t *run)
{
    (void)sim;
    (void)run;
    (*(int *)ctx)++;
}

/* The full simulation: each job's ring all-reduce step by step as flows
 * (sim/net/coll_flow.c), all jobs at once; the time the first ends. */
static double full_rings(dcs_topo_t *t, int *const *ids, int njobs, int p,
                         double bytes)
{
    dcs_sim_t *sim = dcs_sim_new();
    dcs_net_t *net = dcs_net_new(sim, t);
    dcs_coll_run_t *runs[4];
    int done = 0;
    for (int j = 0; j < njobs; j++) {
        runs[j] = dcs_coll_flow_start(net, DCS_OP_ALL_REDUCE, ids[j], p,
                                      (uint64_t)bytes, ring_done, &done);
        ck_assert_ptr_nonnull(runs[j]);
    }
    dcs_sim_run(sim, DCS_TIME_NEVER);
    ck_assert_int_eq(done, njobs);
    double end = dcs_time_to_s(dcs_coll_run_end_ns(runs[0]));
    for (int j = 0; j < njobs; j++)
        dcs_coll_run_free(runs[j]);
    dcs_net_free(net);
    dcs_sim_free(sim);
    return end;
}

START_TEST(pipeline_sends_closed_form)
{
    /* tp 4, pp 2 on two nodes of 4 (dumbbell, 50 GB/s hosts, 100 GB/s
     * middle): stage 0's four ranks each send 1 GB to their peers in stage
     * 1 across the middle link: 4 GB / 100 GB/s = 0.04 s, plus one 5 us
     * latency. */
    dcs_topo_t t = dumbbell();
    int a[8] = {0, 1, 2, 3, 8, 9, 10, 11};
    int b[8] = {4, 5, 6, 7, 12, 13, 14, 15};
    dcs_train_flow_job_t ja = {a, 4, 1, 2, 1, 0, 4, {1, 4, 4, 8}, 1e9};
    double s = dcs_train_pp_flows_s(&t, &ja, 1, 5e-6);
    ck_assert_double_le(fabs(s - (0.04 + 5e-6)), 1e-3 * 0.04);
    /* a second such job halves the middle link: 0.08 s */
    dcs_train_flow_job_t jobs[2] = {ja,
                                    {b, 4, 1, 2, 1, 0, 4, {1, 4, 4, 8}, 1e9}};
    s = dcs_train_pp_flows_s(&t, jobs, 2, 0);
    ck_assert_double_le(fabs(s - 0.08), 1e-3 * 0.08);
    /* a second job without a pipeline: its ring sends 1 GB from each of
     * its four members each way, so the sends share the middle link's
     * left-to-right direction with four flows as large: 0.08 s; and its
     * all-reduce meets the first job's sends the same way: 0.08 s */
    dcs_train_flow_job_t dp_only = {b, 4, 1, 1, 2, 1e9, 4, {1, 4, 4, 4}, 0};
    dcs_train_flow_job_t mixed[2] = {ja, dp_only};
    s = dcs_train_pp_flows_s(&t, mixed, 2, 0);
    ck_assert_double_le(fabs(s - 0.08), 1e-3 * 0.08);
    dcs_train_flow_job_t rev[2] = {dp_only, ja};
    s = dcs_train_dp_flows_s(&t, rev, 2, 0);
    ck_assert_double_le(fabs(s - 0.08), 1e-3 * 0.08);
    /* stages on one node (8 GPUs per node): nothing crosses the fabric */
    int local[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    dcs_train_flow_job_t in = {local, 4, 1, 2, 1, 0, 8, {1, 4, 4, 8}, 1e9};
    ck_assert_double_eq(dcs_train_pp_flows_s(&t, &in, 1, 5e-6), 0);
    dcs_topo_destroy(&t);
}
END_TEST

START_TEST(shortcut_matches_full_ring)
{
    /* A leaf-spine with one spine link per leaf thinner than the hosts'
     * (so rings contend), no latency: 8 replicas, one per node of one GPU,
     * on hosts spread over the leaves. The shortcut (one flow per member
     * of 2 (p - 1) / p N) against the full ring of 2 (p - 1) steps of N / p
     * as flows: alone, and with a second job's ring on the same links;
     * within 0.1 %. */
    dcs_topo_t t;
    ck_assert_int_eq(dcs_topo_leaf_spine(&t, 4, 4, 1, 50e9, 60e9, 0), 0);
    int a[8] = {0, 4, 8, 12, 1, 5, 9, 13};
    int b[8] = {2, 6, 10, 14, 3, 7, 11, 15};
    dcs_train_flow_job_t ja = {a, 1, 1, 1, 8, 1e9, 1, {1, 1, 1, 1}, 0};
    dcs_train_flow_job_t jobs[2] = {ja,
                                    {b, 1, 1, 1, 8, 1e9, 1, {1, 1, 1, 1}, 0}};
    int *ids[2] = {a, b};
    double alone = dcs_train_dp_flows_s(&t, &ja, 1, 0);
    double full_alone = full_rings(&t, ids, 1, 8, 1e9);
    ck_assert_double_le(fabs(alone - full_alone), 1e-3 * full_alone);
    double both = dcs_train_dp_flows_s(&t, jobs, 2, 0);
    double full_both = full_rings(&t, ids, 2, 8, 1e9);
    ck_assert_double_le(fabs(both - full_both), 1e-3 * full_both);
    ck_assert_double_gt(both, alone * 1.2);
    dcs_topo_destroy(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("trainnet");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, one_job_closed_form);
    tcase_add_test(tc, contention_doubles);
    tcase_add_test(tc, members_per_node_split_the_bytes);
    tcase_add_test(tc, pipeline_sends_closed_form);
    tcase_add_test(tc, shortcut_matches_full_ring);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
