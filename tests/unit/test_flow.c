/* test_flow.c - flow-level bandwidth sharing and routing.
 *
 * Invariants, from closed forms:
 * - max-min fairness: three flows on a dumbbell get the shares progressive
 *   filling gives by hand, and a flow speeds up when its rival drains;
 * - bytes are conserved: every flow delivers exactly its bytes, and arrives
 *   its route's latency after draining;
 * - two jobs whose rings cross one link each get half of it;
 * - a ring all-reduce of N bytes on p GPUs, run as flows step by step, takes
 *   2(p-1)/p x N/B + 2(p-1) x alpha; the other collectives move the bytes
 *   their algorithms say;
 * - a failed link reroutes flows through a Clos, and stalls them (with a
 *   callback naming the link) where there is a single path. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "engine/error.h"
#include "net/coll_flow.h"
#include "net/flow.h"

#define GB 1e9

typedef struct arrivals {
    int n;
    dcs_time_t at[16];
    int64_t flow[16];
} arrivals_t;

static void on_done(dcs_sim_t *sim, void *ctx, int64_t flow)
{
    arrivals_t *a = ctx;
    a->at[a->n] = dcs_sim_now(sim);
    a->flow[a->n] = flow;
    a->n++;
}

START_TEST(test_dumbbell_max_min)
{
    /* Hosts 0,1 left, 2,3 right; host links 10 GB/s, middle 6 GB/s, 1 us
     * latency per link. A: 0->2, B: 1->3 cross the middle; C: 0->1 shares
     * host 0's uplink with A. Filling: the middle's share 6/2 = 3 is the
     * smallest, so A = B = 3; host 0's uplink has 10 - 3 = 7 left for C. */
    dcs_sim_t *sim = dcs_sim_new();
    dcs_topo_t t;
    ck_assert_int_eq(dcs_topo_dumbbell(&t, 2, 10 * GB, 1000, 6 * GB), 0);
    dcs_net_t *net = dcs_net_new(sim, &t);
    arrivals_t arr = {0};
    int64_t a = dcs_flow_start(net, 0, 2, (uint64_t)(3 * GB), on_done, &arr);
    int64_t b = dcs_flow_start(net, 1, 3, (uint64_t)(3 * GB), on_done, &arr);
    int64_t c = dcs_flow_start(net, 0, 1, (uint64_t)(14 * GB), on_done, &arr);
    dcs_net_solve_now(net);
    ck_assert_double_eq_tol(dcs_flow_rate(net, a), 3 * GB, 1);
    ck_assert_double_eq_tol(dcs_flow_rate(net, b), 3 * GB, 1);
    ck_assert_double_eq_tol(dcs_flow_rate(net, c), 7 * GB, 1);
    dcs_sim_run(sim, DCS_TIME_NEVER);
    /* A and B drain at 1 s and arrive after their 3 links (3 us). C has
     * sent 7 GB by then, and the remaining 7 GB at 10 GB/s take 0.7 s
     * more; its 2 links add 2 us. */
    ck_assert_int_eq(arr.n, 3);
    ck_assert_int_eq(arr.flow[0], a);
    ck_assert_int_eq(arr.at[0], 1000000000 + 3000);
    ck_assert_int_eq(arr.flow[1], b);
    ck_assert_int_eq(arr.at[1], 1000000000 + 3000);
    ck_assert_int_eq(arr.flow[2], c);
    ck_assert(llabs(arr.at[2] - (1700000000 + 2000)) <= 2);
    /* Bytes conserved. */
    dcs_net_stats_t st = dcs_net_stats(net);
    ck_assert_double_eq_tol(st.bytes_done, 20 * GB, 1e-3);
    ck_assert_double_eq_tol(dcs_flow_remaining(net, c), 0, 1e-3);
    dcs_net_free(net);
    dcs_topo_destroy(&t);
    dcs_sim_free(sim);
}
END_TEST

START_TEST(test_two_rings_share_a_link)
{
    /* Job 1's ring: 0 -> 2 -> 0; job 2's: 1 -> 3 -> 1. Each direction of
     * the middle (10 GB/s; host links 100) carries one flow of each job:
     * each gets half, 5 GB/s. */
    dcs_sim_t *sim = dcs_sim_new();
    dcs_topo_t t;
    ck_assert_int_eq(dcs_topo_dumbbell(&t, 2, 100 * GB, 0, 10 * GB), 0);
    dcs_net_t *net = dcs_net_new(sim, &t);
    int64_t f[4] = {
        dcs_flow_start(net, 0, 2, 1000000, NULL, NULL),
        dcs_flow_start(net, 2, 0, 1000000, NULL, NULL),
        dcs_flow_start(net, 1, 3, 1000000, NULL, NULL),
        dcs_flow_start(net, 3, 1, 1000000, NULL, NULL),
    };
    dcs_net_solve_now(net);
    for (int i = 0; i < 4; i++)
        ck_assert_double_eq_tol(dcs_flow_rate(net, f[i]), 5 * GB, 1);
    dcs_sim_run(sim, DCS_TIME_NEVER);
    dcs_net_free(net);
    dcs_topo_destroy(&t);
    dcs_sim_free(sim);
}
END_TEST

START_TEST(test_ring_all_reduce)
{
    /* p GPUs under one leaf: each hop is host -> leaf -> host, 2 links of
     * B = 50 GB/s and 2 us each, so alpha = 4 us per step. A ring
     * all-reduce of N bytes takes 2(p-1)/p x N/B + 2(p-1) x alpha. */
    for (int p = 2; p <= 8; p *= 2) {
        dcs_sim_t *sim = dcs_sim_new();
        dcs_topo_t t;
        ck_assert_int_eq(
            dcs_topo_leaf_spine(&t, 8, 1, 1, 50 * GB, 50 * GB, 2000), 0);
        dcs_net_t *net = dcs_net_new(sim, &t);
        double n = 8e9, bw = 50 * GB, alpha = 4e-6;
        int hosts[8] = {0, 1, 2, 3, 4, 5, 6, 7};
        dcs_coll_run_t *r = dcs_coll_flow_start(net, DCS_OP_ALL_REDUCE, hosts,
                                                p, (uint64_t)n, NULL, NULL);
        ck_assert_ptr_nonnull(r);
        dcs_sim_run(sim, DCS_TIME_NEVER);
        double want = 2.0 * (p - 1) / p * n / bw + 2.0 * (p - 1) * alpha;
        ck_assert_double_eq_tol(dcs_time_to_s(dcs_coll_run_end_ns(r)), want,
                                2.0 * (p - 1) * 1e-9);
        dcs_coll_run_free(r);
        dcs_net_free(net);
        dcs_topo_destroy(&t);
        dcs_sim_free(sim);
    }
}
END_TEST

START_TEST(test_other_collectives)
{
    /* p = 4 under one leaf, B = 10 GB/s per link direction, no latency.
     * all_gather: 3 steps of N/4 = 0.75 N / B. all_to_all: each host sends
     * N/4 to each of 3 others at once; its uplink carries 3 flows: 0.75 N /
     * B. send_recv: N / B. broadcast (pipelined ring, whole buffer per
     * step): 3 N / B. */
    struct {
        dcs_op_kind_t kind;
        double factor;
    } cases[] = {{DCS_OP_ALL_GATHER, 0.75},
                 {DCS_OP_REDUCE_SCATTER, 0.75},
                 {DCS_OP_ALL_TO_ALL, 0.75},
                 {DCS_OP_SEND_RECV, 1.0},
                 {DCS_OP_BROADCAST, 3.0}};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        dcs_sim_t *sim = dcs_sim_new();
        dcs_topo_t t;
        ck_assert_int_eq(dcs_topo_leaf_spine(&t, 4, 1, 1, 10 * GB, 10 * GB, 0),
                         0);
        dcs_net_t *net = dcs_net_new(sim, &t);
        int hosts[4] = {0, 1, 2, 3};
        dcs_coll_run_t *r = dcs_coll_flow_start(net, cases[c].kind, hosts, 4,
                                                4000000000u, NULL, NULL);
        ck_assert_ptr_nonnull(r);
        dcs_sim_run(sim, DCS_TIME_NEVER);
        ck_assert_double_eq_tol(dcs_time_to_s(dcs_coll_run_end_ns(r)),
                                cases[c].factor * 4e9 / (10 * GB), 1e-8);
        dcs_coll_run_free(r);
        dcs_net_free(net);
        dcs_topo_destroy(&t);
        dcs_sim_free(sim);
    }
    /* Invalid: a host twice, p < 2, not a collective. */
    dcs_sim_t *sim = dcs_sim_new();
    dcs_topo_t t;
    ck_assert_int_eq(dcs_topo_leaf_spine(&t, 4, 1, 1, GB, GB, 0), 0);
    dcs_net_t *net = dcs_net_new(sim, &t);
    int twice[2] = {1, 1}, one[1] = {0};
    ck_assert_ptr_null(
        dcs_coll_flow_start(net, DCS_OP_ALL_REDUCE, twice, 2, 100, NULL, NULL));
    ck_assert_ptr_null(
        dcs_coll_flow_start(net, DCS_OP_ALL_REDUCE, one, 1, 100, NULL, NULL));
    ck_assert_ptr_null(
        dcs_coll_flow_start(net, DCS_OP_GEMM, twice, 2, 100, NULL, NULL));
    dcs_net_free(net);
    dcs_topo_destroy(&t);
    dcs_sim_free(sim);
}
END_TEST

START_TEST(test_tree_all_reduce)
{
    /* p hosts under one leaf (non-blocking), B = 50 GB/s, alpha = 4 us per
     * hop (2 links of 2 us). A tree all-reduce is 2 ceil(log2 p) steps of
     * the whole buffer: 2 ceil(log2 p) x (N/B + alpha); in each step the
     * pairs use disjoint links. p = 5 needs 3 levels, like 8. */
    int ps[] = {2, 4, 5, 8};
    int levels[] = {1, 2, 3, 3};
    for (int c = 0; c < 4; c++) {
        dcs_sim_t *sim = dcs_sim_new();
        dcs_topo_t t;
        ck_assert_int_eq(
            dcs_topo_leaf_spine(&t, 8, 1, 1, 50 * GB, 50 * GB, 2000), 0);
        dcs_net_t *net = dcs_net_new(sim, &t);
        int hosts[8] = {0, 1, 2, 3, 4, 5, 6, 7};
        double n = 1e9;
        dcs_coll_run_t *r = dcs_coll_flow_tree_all_reduce(
            net, hosts, ps[c], (uint64_t)n, NULL, NULL);
        ck_assert_ptr_nonnull(r);
        dcs_sim_run(sim, DCS_TIME_NEVER);
        double want = 2.0 * levels[c] * (n / (50 * GB) + 4e-6);
        ck_assert_double_eq_tol(dcs_time_to_s(dcs_coll_run_end_ns(r)), want,
                                1e-8);
        dcs_coll_run_free(r);
        dcs_net_free(net);
        dcs_topo_destroy(&t);
        dcs_sim_free(sim);
    }
}
END_TEST

START_TEST(test_hierarchical_all_reduce)
{
    /* 2 nodes x 4 GPUs on a rail-optimized fabric (4 rail leaves of 2
     * hosts, 25 GB/s links, 1 us each: alpha = 2 us per hop host -> leaf ->
     * host). NVLink inside a node: 400 GB/s, ideal (no fixed costs, full
     * efficiency). All-reduce of N bytes:
     *   reduce-scatter in the node: 3/4 N / 400 GB/s
     *   each rail's 2-host ring on N/4: 2(2-1)/2 x N/4 / 25 GB/s + 2 x alpha
     *   (rails on separate leaves: no sharing)
     *   all-gather in the node: 3/4 N / 400 GB/s */
    dcs_sim_t *sim = dcs_sim_new();
    dcs_topo_t t;
    ck_assert_int_eq(dcs_topo_rail(&t, 2, 4, 1, 25 * GB, 25 * GB, 1000), 0);
    dcs_net_t *net = dcs_net_new(sim, &t);
    dcs_device_spec_t dev;
    memset(&dev, 0, sizeof dev);
    dev.link_bw_bytes_per_s = 400 * GB;
    dcs_opcost_params_t p;
    dcs_opcost_defaults(&p);
    p.v[DCS_P_coll_t0_s] = p.v[DCS_P_coll_launch_s] = 0;
    p.v[DCS_P_coll_alpha_s] = 0;
    p.v[DCS_P_coll_eff_reduce_scatter] = 1;
    p.v[DCS_P_coll_half_reduce_scatter] = 0;
    double n = 8e9;
    dcs_coll_run_t *r =
        dcs_coll_hier_all_reduce(net, &dev, &p, 2, 4, (uint64_t)n, NULL, NULL);
    ck_assert_ptr_nonnull(r);
    dcs_sim_run(sim, DCS_TIME_NEVER);
    double want = 2 * 0.75 * n / (400 * GB) + (n / 4) / (25 * GB) + 2 * 2e-6;
    ck_assert_double_eq_tol(dcs_time_to_s(dcs_coll_run_end_ns(r)), want, 1e-8);
    dcs_coll_run_free(r);
    dcs_net_free(net);
    dcs_topo_destroy(&t);
    dcs_sim_free(sim);
}
END_TEST

typedef struct stalls {
    int n;
    int link;
} stalls_t;

static void on_stall(dcs_sim_t *sim, void *ctx, int64_t flow, int link)
{
    stalls_t *s = ctx;
    (void)sim;
    (void)flow;
    s->n++;
    s->link = link;
}

START_TEST(test_failed_link)
{
    /* Clos: 2 leaves of 2 hosts, 2 spines. A flow from leaf 0 to leaf 1
     * goes through one spine; failing that leaf-spine link moves it to the
     * other spine, and it still arrives with all its bytes. */
    dcs_sim_t *sim = dcs_sim_new();
    dcs_topo_t t;
    ck_assert_int_eq(dcs_topo_leaf_spine(&t, 2, 2, 2, 10 * GB, 10 * GB, 0), 0);
    dcs_net_t *net = dcs_net_new(sim, &t);
    arrivals_t arr = {0};
    stalls_t st = {0, -1};
    int64_t f = dcs_flow_start(net, 0, 3, (uint64_t)(10 * GB), on_done, &arr);
    dcs_net_solve_now(net);
    int spine_link = dcs_flow_link(net, f, 1);
    dcs_sim_run(sim, 500000000); /* half way */
    dcs_net_fail_link(net, spine_link, on_stall, &st);
    ck_assert_int_eq(st.n, 0);
    ck_assert_int_ne(dcs_flow_link(net, f, 1), spine_link);
    dcs_sim_run(sim, DCS_TIME_NEVER);
    ck_assert_int_eq(arr.n, 1);
    ck_assert_int_eq(arr.at[0], 1000000000);
    dcs_net_free(net);
    dcs_topo_destroy(&t);

    /* Dumbbell: one path. Failing the middle stalls the flow: the stall
     * callback names the link, and the flow never arrives. */
    ck_assert_int_eq(dcs_topo_dumbbell(&t, 1, 10 * GB, 0, 10 * GB), 0);
    net = dcs_net_new(sim, &t);
    arr.n = 0;
    f = dcs_flow_start(net, 0, 1, (uint64_t)(10 * GB), on_done, &arr);
    dcs_net_solve_now(net);
    int middle = 2 * t.hosts;
    dcs_net_fail_link(net, middle, on_stall, &st);
    ck_assert_int_eq(st.n, 1);
    ck_assert_int_eq(st.link, middle);
    dcs_sim_run(sim, DCS_TIME_NEVER);
    ck_assert_int_eq(arr.n, 0);
    ck_assert_double_eq(dcs_flow_rate(net, f), 0.0);
    /* A new flow finds no path. */
    ck_assert_int_eq(dcs_flow_start(net, 0, 1, 100, NULL, NULL), DCS_ENOTFOUND);
    dcs_net_free(net);
    dcs_topo_destroy(&t);
    dcs_sim_free(sim);
}
END_TEST

START_TEST(test_cancel_and_reuse)
{
    /* Star of 2 clients at 10 GB/s and a server taking 4 GB/s: A and B of
     * 4 GB each share the server's link at 2 GB/s. A is cancelled at 1 s
     * (2 GB sent): B's last 2 GB go at 4 GB/s, so B drains at 1.5 s and A
     * never arrives. With ids reused, a flow started after B arrived takes
     * a freed id; cancelling a done flow is refused. */
    dcs_sim_t *sim = dcs_sim_new();
    dcs_topo_t t;
    ck_assert_int_eq(dcs_topo_star(&t, 2, 10 * GB, 4 * GB, 1 * GB, 0), 0);
    ck_assert_int_eq(t.hosts, 3);
    dcs_net_t *net = dcs_net_new(sim, &t);
    dcs_net_reuse_ids(net);
    arrivals_t arr = {0};
    int64_t a = dcs_flow_start(net, 0, 2, (uint64_t)(4 * GB), on_done, &arr);
    int64_t b = dcs_flow_start(net, 1, 2, (uint64_t)(4 * GB), on_done, &arr);
    dcs_net_solve_now(net);
    ck_assert_double_eq_tol(dcs_flow_rate(net, a), 2 * GB, 1);
    dcs_sim_run(sim, DCS_NS_PER_S);
    ck_assert_int_eq(dcs_flow_cancel(net, a), 0);
    ck_assert_int_eq(dcs_flow_cancel(net, a), DCS_ENOTFOUND);
    dcs_sim_run(sim, DCS_TIME_NEVER);
    ck_assert_int_eq(arr.n, 1);
    ck_assert_int_eq(arr.flow[0], b);
    ck_assert_int_eq(arr.at[0], 1500000000);
    ck_assert_int_eq(dcs_flow_cancel(net, b), DCS_ENOTFOUND);
    /* the server sends at 1 GB/s: reads are slower than writes */
    int64_t c = dcs_flow_start(net, 2, 0, (uint64_t)(1 * GB), on_done, &arr);
    ck_assert(c == a || c == b);
    dcs_sim_run(sim, DCS_TIME_NEVER);
    ck_assert_int_eq(arr.n, 2);
    ck_assert_int_eq(arr.at[1], 2500000000);
    dcs_net_free(net);
    dcs_topo_destroy(&t);
    dcs_sim_free(sim);
}
END_TEST

START_TEST(test_nodes_per_group)
{
    /* nodes of 8 GPUs: a leaf of 16 hosts holds 2 nodes; a k=8 fat tree's
     * pod 16 hosts, 2 nodes; a 16 x 2 torus row 16 hosts, 2 nodes; a 4-host
     * leaf is half a node (each node its own group); rails: one group of
     * every node; 12 hosts per leaf do not divide into nodes of 8. */
    dcs_topo_t t;
    ck_assert_int_eq(dcs_topo_leaf_spine(&t, 16, 4, 2, GB, GB, 0), 0);
    ck_assert_int_eq(dcs_topo_nodes_per_group(&t, 8), 2);
    dcs_topo_destroy(&t);
    ck_assert_int_eq(dcs_topo_fat_tree(&t, 8, GB, 0), 0);
    ck_assert_int_eq(dcs_topo_nodes_per_group(&t, 8), 2);
    dcs_topo_destroy(&t);
    ck_assert_int_eq(dcs_topo_torus(&t, 16, 2, 1, GB, 0), 0);
    ck_assert_int_eq(dcs_topo_nodes_per_group(&t, 8), 2);
    dcs_topo_destroy(&t);
    ck_assert_int_eq(dcs_topo_leaf_spine(&t, 4, 8, 2, GB, GB, 0), 0);
    ck_assert_int_eq(dcs_topo_nodes_per_group(&t, 8), 1);
    dcs_topo_destroy(&t);
    ck_assert_int_eq(dcs_topo_rail(&t, 4, 8, 2, GB, GB, 0), 0);
    ck_assert_int_eq(dcs_topo_nodes_per_group(&t, 8), 4);
    dcs_topo_destroy(&t);
    ck_assert_int_eq(dcs_topo_leaf_spine(&t, 12, 2, 1, GB, GB, 0), 0);
    ck_assert_int_eq(dcs_topo_nodes_per_group(&t, 8), 0);
    dcs_topo_destroy(&t);
}
END_TEST

START_TEST(test_fat_tree_routes)
{
    /* k = 4: 16 hosts, 4 per pod, 2 per edge. Same edge: 2 links; same pod:
     * 4; across pods: 6; every route starts at the source's uplink and ends
     * at the destination's downlink, and consecutive links meet. */
    dcs_topo_t t;
    ck_assert_int_eq(dcs_topo_fat_tree(&t, 4, 1 * GB, 0), 0);
    ck_assert_int_eq(t.hosts, 16);
    int links[DCS_MAX_HOPS];
    for (int s = 0; s < 16; s++)
        for (int d = 0; d < 16; d++) {
            if (s == d)
                continue;
            for (uint64_t h = 0; h < 4; h++) {
                int n = dcs_topo_route(&t, s, d, h, links);
                int want = s / 2 == d / 2 ? 2 : s / 4 == d / 4 ? 4 : 6;
                ck_assert_int_eq(n, want);
                ck_assert_int_eq(t.links[links[0]].src, s);
                ck_assert_int_eq(t.links[links[n - 1]].dst, d);
                for (int i = 1; i < n; i++)
                    ck_assert_int_eq(t.links[links[i - 1]].dst,
                                     t.links[links[i]].src);
            }
        }
    dcs_topo_destroy(&t);
}
END_TEST

START_TEST(test_torus_routes)
{
    /* 4 x 4 x 4 torus: a route's length is the sum over dimensions of the
     * shorter way round, min(|d|, 4 - |d|); consecutive links meet; it
     * starts at the source and ends at the destination. */
    dcs_topo_t t;
    ck_assert_int_eq(dcs_topo_torus(&t, 4, 4, 4, 1 * GB, 0), 0);
    int links[DCS_MAX_HOPS];
    for (int s = 0; s < 64; s++)
        for (int d = 0; d < 64; d++) {
            if (s == d)
                continue;
            int want = 0;
            int sc[3] = {s % 4, s / 4 % 4, s / 16},
                dc[3] = {d % 4, d / 4 % 4, d / 16};
            for (int i = 0; i < 3; i++) {
                int diff = abs(sc[i] - dc[i]);
                want += diff < 4 - diff ? diff : 4 - diff;
            }
            int n = dcs_topo_route(&t, s, d, 0, links);
            ck_assert_int_eq(n, want);
            ck_assert_int_eq(t.links[links[0]].src, s);
            ck_assert_int_eq(t.links[links[n - 1]].dst, d);
            for (int i = 1; i < n; i++)
                ck_assert_int_eq(t.links[links[i - 1]].dst,
                                 t.links[links[i]].src);
        }
    dcs_topo_destroy(&t);
    /* A 2 x 2 torus: one neighbor per dimension. */
    ck_assert_int_eq(dcs_topo_torus(&t, 2, 2, 1, 1 * GB, 0), 0);
    ck_assert_int_eq(dcs_topo_route(&t, 0, 3, 0, links), 2);
    dcs_topo_destroy(&t);
}
END_TEST

START_TEST(test_torus_ring_no_sharing)
{
    /* A ring shift on an 8-host 1D torus: each flow uses its own link, so
     * every flow gets the whole link (25 GB/s). */
    dcs_sim_t *sim = dcs_sim_new();
    dcs_topo_t t;
    ck_assert_int_eq(dcs_topo_torus(&t, 8, 1, 1, 25 * GB, 0), 0);
    dcs_net_t *net = dcs_net_new(sim, &t);
    int64_t f[8];
    for (int h = 0; h < 8; h++)
        f[h] = dcs_flow_start(net, h, (h + 1) % 8, 1000, NULL, NULL);
    dcs_net_solve_now(net);
    for (int h = 0; h < 8; h++)
        ck_assert_double_eq_tol(dcs_flow_rate(net, f[h]), 25 * GB, 1);
    dcs_sim_run(sim, DCS_TIME_NEVER);
    dcs_net_free(net);
    dcs_topo_destroy(&t);
    dcs_sim_free(sim);
}
END_TEST

START_TEST(test_rail_and_dragonfly_routes)
{
    /* Rail-optimized: 4 nodes x 4 GPUs, leaf g holds GPU g of every node.
     * GPU 0 of nodes 0 and 1 (hosts 0 and 4) share leaf 0: 2 links; GPUs 0
     * and 1 of node 0 (hosts 0 and 1) are on leaves 0 and 1: 4 links. */
    dcs_topo_t t;
    int links[DCS_MAX_HOPS];
    ck_assert_int_eq(dcs_topo_rail(&t, 4, 4, 2, GB, GB, 0), 0);
    ck_assert_int_eq(dcs_topo_route(&t, 0, 4, 0, links), 2);
    ck_assert_int_eq(dcs_topo_route(&t, 0, 1, 0, links), 4);
    ck_assert_int_eq(t.links[t.up[5]].dst, t.links[t.up[1]].dst);
    dcs_topo_destroy(&t);
    /* Dragonfly: 5 groups of 4 routers of 2 hosts (40 hosts). Minimal
     * routes: 2 links on one router, 3 within a group, at most 5 across
     * groups; connected from source to destination. */
    ck_assert_int_eq(dcs_topo_dragonfly(&t, 5, 4, 2, GB, GB, 0), 0);
    ck_assert_int_eq(t.hosts, 40);
    for (int s = 0; s < 40; s++)
        for (int d = 0; d < 40; d++) {
            if (s == d)
                continue;
            int n = dcs_topo_route(&t, s, d, 0, links);
            int same_router = s / 2 == d / 2, same_group = s / 8 == d / 8;
            if (same_router)
                ck_assert_int_eq(n, 2);
            else if (same_group)
                ck_assert_int_eq(n, 3);
            else
                ck_assert(n >= 3 && n <= 5);
            ck_assert_int_eq(t.links[links[0]].src, s);
            ck_assert_int_eq(t.links[links[n - 1]].dst, d);
            for (int i = 1; i < n; i++)
                ck_assert_int_eq(t.links[links[i - 1]].dst,
                                 t.links[links[i]].src);
        }
    dcs_topo_destroy(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("flow");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_dumbbell_max_min);
    tcase_add_test(tc, test_two_rings_share_a_link);
    tcase_add_test(tc, test_ring_all_reduce);
    tcase_add_test(tc, test_other_collectives);
    tcase_add_test(tc, test_failed_link);
    tcase_add_test(tc, test_cancel_and_reuse);
    tcase_add_test(tc, test_nodes_per_group);
    tcase_add_test(tc, test_fat_tree_routes);
    tcase_add_test(tc, test_torus_routes);
    tcase_add_test(tc, test_torus_ring_no_sharing);
    tcase_add_test(tc, test_rail_and_dragonfly_routes);
    tcase_add_test(tc, test_tree_all_reduce);
    tcase_add_test(tc, test_hierarchical_all_reduce);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
