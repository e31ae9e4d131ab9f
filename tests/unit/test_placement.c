/* test_placement.c - the placements beyond pack, and alloc's group and
 * model bookkeeping.
 *
 * Invariants, on cases worked out by hand (GPUs numbered node-major):
 * - spread takes each GPU from the node with the most free GPUs at that
 *   moment (lowest index on ties), the same GPUs, in the same order, as a
 *   one-at-a-time greedy written here;
 * - topo keeps a job inside one node, else inside the best-fit group, else
 *   across the fewest groups, where pack may cross more switches;
 * - on a mixed fleet every placement keeps a job on one GPU model: the
 *   wanted one, or for a job that names none the model with the most free
 *   GPUs that holds it; within the model it places as on a cluster of just
 *   those nodes (hetero as pack);
 * - alloc's per-group and per-model free counts and its histograms of
 *   nodes by free GPUs match a recount from the per-GPU taken flags after
 *   any sequence of takes and releases. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/alloc.h"
#include "cluster/placements_c.h"
#include "engine/error.h"

static void expect_ids(const int *ids, const int *expect, int n)
{
    for (int i = 0; i < n; i++)
        ck_assert_msg(ids[i] == expect[i], "ids[%d] = %d, expected %d", i,
                      ids[i], expect[i]);
}

static void place_ok(const dcs_placement_t *p, const dcs_alloc_t *a, int gpus,
                     int *out)
{
    ck_assert_int_eq(p->place(p, a, gpus, out), 0);
}

/* Recounts everything alloc keeps from its per-GPU taken flags. */
static void check_counts(const dcs_alloc_t *a)
{
    int free_gpus = 0;
    int *with = calloc((size_t)a->gpus_per_node + 1, sizeof *with);
    ck_assert_ptr_nonnull(with);
    for (int n = 0; n < a->nodes; n++) {
        int f = 0;
        for (int g = 0; g < a->gpus_per_node; g++)
            f += !a->taken[n * a->gpus_per_node + g];
        ck_assert_int_eq(a->node_free[n], f);
        with[f]++;
        free_gpus += f;
    }
    ck_assert_int_eq(a->free_gpus, free_gpus);
    for (int k = 0; k <= a->gpus_per_node; k++)
        ck_assert_int_eq(a->with_free[k], with[k]);
    free(with);
    if (!a->group_free)
        return;
    for (int grp = 0; grp < a->groups; grp++) {
        int f = 0;
        for (int n = grp * a->nodes_per_group;
             n < (grp + 1) * a->nodes_per_group && n < a->nodes; n++)
            for (int g = 0; g < a->gpus_per_node; g++)
                f += !a->taken[n * a->gpus_per_node + g];
        ck_assert_int_eq(a->group_free[grp], f);
    }
}

/* Recounts alloc's per-model free GPUs and histograms. */
static void check_model_counts(const dcs_alloc_t *a)
{
    int gpn = a->gpus_per_node;
    for (int m = 0; m < a->nmodels; m++) {
        int f = 0;
        for (int k = 0; k <= gpn; k++) {
            int nodes = 0;
            for (int n = 0; n < a->nodes; n++)
                nodes += a->node_model[n] == m && a->node_free[n] == k;
            ck_assert_int_eq(a->model_with_free[m * (gpn + 1) + k], nodes);
            f += k * nodes;
        }
        ck_assert_int_eq(a->model_free[m], f);
    }
}

START_TEST(test_spread_by_hand)
{
    dcs_alloc_t a;
    int ids[12];
    ck_assert_int_eq(dcs_alloc_init(&a, 3, 4), 0);
    /* Empty 3 x 4: 4 GPUs, one per node, then node 0 again: 0, 4, 8, 1. */
    place_ok(&dcs_placement_spread, &a, 4, ids);
    expect_ids(ids, (int[]){0, 4, 8, 1}, 4);
    /* Node 0 keeps GPUs 2, 3 free (2), node 1 keeps 5, 6, 7 (3), node 2
     * all (4). Six GPUs, greedily: node 2 (4 free) -> 8; nodes 1, 2 tie at
     * 3 -> 5, then 9; all three at 2 -> 2, 6, 10. */
    dcs_alloc_take(&a, (int[]){0, 1, 4}, 3);
    place_ok(&dcs_placement_spread, &a, 6, ids);
    expect_ids(ids, (int[]){8, 5, 9, 2, 6, 10}, 6);
    /* All nine free GPUs: then 3, 7, 11 at level 1. */
    place_ok(&dcs_placement_spread, &a, 9, ids);
    expect_ids(ids, (int[]){8, 5, 9, 2, 6, 10, 3, 7, 11}, 9);
    ck_assert_int_eq(
        dcs_placement_spread.place(&dcs_placement_spread, &a, 10, ids), -1);
    ck_assert(dcs_placement_spread.fits(&dcs_placement_spread, &a, 9));
    ck_assert(!dcs_placement_spread.fits(&dcs_placement_spread, &a, 10));
    ck_assert(!dcs_placement_spread.fits(&dcs_placement_spread, &a, 0));
    dcs_alloc_destroy(&a);
}
END_TEST

/* The definition of spread, one GPU at a time: the node with the most free
 * (lowest index on ties), its lowest free GPU not yet chosen. */
static void greedy_spread(const dcs_alloc_t *a, int gpus, int *out)
{
    int ngpus = a->nodes * a->gpus_per_node;
    unsigned char *taken = malloc((size_t)ngpus);
    ck_assert_ptr_nonnull(taken);
    memcpy(taken, a->taken, (size_t)ngpus);
    for (int i = 0; i < gpus; i++) {
        int best = -1, best_free = 0;
        for (int n = 0; n < a->nodes; n++) {
            int f = 0;
            for (int g = 0; g < a->gpus_per_node; g++)
                f += !taken[n * a->gpus_per_node + g];
            if (f > best_free) {
                best = n;
                best_free = f;
            }
        }
        ck_assert_int_ge(best, 0);
        int g = best * a->gpus_per_node;
        while (taken[g])
            g++;
        taken[g] = 1;
        out[i] = g;
    }
    free(taken);
}

START_TEST(test_spread_matches_greedy)
{
    /* 7 nodes of 3 GPUs, GPUs taken and released pseudo-randomly; every
     * size that fits is placed both ways. */
    dcs_alloc_t a;
    int ids[21], ref[21];
    unsigned state = 12345;
    ck_assert_int_eq(dcs_alloc_init(&a, 7, 3), 0);
    for (int round = 0; round < 200; round++) {
        state = state * 1103515245u + 12345u;
        int g = (int)((state >> 16) % 21);
        if (a.taken[g])
            dcs_alloc_release(&a, &g, 1);
        else
            dcs_alloc_take(&a, &g, 1);
        for (int n = 1; n <= a.free_gpus; n++) {
            place_ok(&dcs_placement_spread, &a, n, ids);
            greedy_spread(&a, n, ref);
            expect_ids(ids, ref, n);
        }
    }
    dcs_alloc_destroy(&a);
}
END_TEST

START_TEST(test_topo_one_group)
{
    /* 4 nodes of 4 GPUs in 2 groups of 2 nodes: group 0 is GPUs 0-7,
     * group 1 is GPUs 8-15. */
    dcs_alloc_t a;
    int ids[16];
    ck_assert_int_eq(dcs_alloc_init(&a, 4, 4), 0);
    ck_assert_int_eq(dcs_alloc_set_groups(&a, 2), 0);
    ck_assert_int_eq(a.groups, 2);
    /* 6 GPUs on an empty cluster: fits no node; both groups hold it (tie:
     * group 0); node 0 whole, then 2 on node 1. */
    place_ok(&dcs_placement_topo, &a, 6, ids);
    expect_ids(ids, (int[]){0, 1, 2, 3, 4, 5}, 6);
    ck_assert_int_eq(dcs_placement_span_groups(&a, ids, 6), 1);
    /* A job that fits one node goes where pack puts it. */
    place_ok(&dcs_placement_topo, &a, 3, ids);
    expect_ids(ids, (int[]){0, 1, 2}, 3);

    /* Group 0 partly used (GPUs 0, 1): it has 6 free, group 1 has 8; the
     * 6-GPU job best-fits group 0: node 1 whole (4 free), then node 0's
     * two free GPUs. */
    dcs_alloc_take(&a, (int[]){0, 1}, 2);
    place_ok(&dcs_placement_topo, &a, 6, ids);
    expect_ids(ids, (int[]){4, 5, 6, 7, 2, 3}, 6);
    ck_assert_int_eq(dcs_placement_span_groups(&a, ids, 6), 1);
    /* Pack takes the emptiest nodes (1, then 2) and crosses groups. */
    place_ok(&dcs_placement_pack, &a, 6, ids);
    expect_ids(ids, (int[]){4, 5, 6, 7, 8, 9}, 6);
    ck_assert_int_eq(dcs_placement_span_groups(&a, ids, 6), 2);

    /* One more GPU taken: group 0 has 5, too few; group 1 it is. */
    dcs_alloc_take(&a, (int[]){2}, 1);
    place_ok(&dcs_placement_topo, &a, 6, ids);
    expect_ids(ids, (int[]){8, 9, 10, 11, 12, 13}, 6);
    dcs_alloc_destroy(&a);
}
END_TEST

START_TEST(test_topo_spans_fewest_groups)
{
    dcs_alloc_t a;
    int ids[24];
    /* 12 GPUs on the empty 4 x 4 in groups of 2 nodes: no group holds
     * them; group 0 whole (0-7), then node 2 of group 1. */
    ck_assert_int_eq(dcs_alloc_init(&a, 4, 4), 0);
    ck_assert_int_eq(dcs_alloc_set_groups(&a, 2), 0);
    place_ok(&dcs_placement_topo, &a, 12, ids);
    expect_ids(ids, (int[]){0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 12);
    ck_assert_int_eq(dcs_placement_span_groups(&a, ids, 12), 2);
    ck_assert_int_eq(dcs_placement_topo.place(&dcs_placement_topo, &a, 17, ids),
                     -1);
    ck_assert(dcs_placement_topo.fits(&dcs_placement_topo, &a, 16));
    ck_assert(!dcs_placement_topo.fits(&dcs_placement_topo, &a, 17));
    dcs_alloc_destroy(&a);

    /* 6 nodes of 4 in 3 groups: {0,1} {2,3} {4,5}. Taken: GPUs 0-2
     * (group 0 has 5 free: node 0 one, node 1 four) and 8 (group 1 has 7).
     * 12 GPUs: group 2 (8 free) whole, 16-23; the 4 left best-fit group 0
     * (5 >= 4, fewer than group 1's 7), where node 1 holds them: 4-7. */
    ck_assert_int_eq(dcs_alloc_init(&a, 6, 4), 0);
    ck_assert_int_eq(dcs_alloc_set_groups(&a, 2), 0);
    dcs_alloc_take(&a, (int[]){0, 1, 2, 8}, 4);
    place_ok(&dcs_placement_topo, &a, 12, ids);
    expect_ids(ids, (int[]){16, 17, 18, 19, 20, 21, 22, 23, 4, 5, 6, 7}, 12);
    ck_assert_int_eq(dcs_placement_span_groups(&a, ids, 12), 2);
    /* Pack: emptiest nodes 1, 3, 4 (four free each, lowest index first):
     * three groups. */
    place_ok(&dcs_placement_pack, &a, 12, ids);
    expect_ids(ids, (int[]){4, 5, 6, 7, 12, 13, 14, 15, 16, 17, 18, 19}, 12);
    ck_assert_int_eq(dcs_placement_span_groups(&a, ids, 12), 3);
    dcs_alloc_destroy(&a);
}
END_TEST

START_TEST(test_topo_without_groups_is_pack)
{
    dcs_alloc_t a;
    int ids[8], ref[8];
    ck_assert_int_eq(dcs_alloc_init(&a, 2, 4), 0);
    dcs_alloc_take(&a, (int[]){0, 1, 2}, 3);
    for (int n = 1; n <= 5; n++) {
        place_ok(&dcs_placement_topo, &a, n, ids);
        place_ok(&dcs_placement_pack, &a, n, ref);
        expect_ids(ids, ref, n);
    }
    /* No grouping: everything is one group. */
    ck_assert_int_eq(dcs_placement_span_groups(&a, (int[]){3, 4}, 2), 1);
    ck_assert_int_eq(dcs_placement_span_groups(&a, ids, 0), 0);
    dcs_alloc_destroy(&a);
}
END_TEST

START_TEST(test_hetero_model_filter)
{
    /* 4 nodes of 2 GPUs; nodes 0, 1 (GPUs 0-3) have model 0, nodes 2, 3
     * (GPUs 4-7) model 1. */
    dcs_alloc_t a;
    int ids[8];
    const dcs_placement_t *p = &dcs_placement_hetero;
    unsigned char models[4] = {0, 1, 0, 1};
    ck_assert_int_eq(dcs_alloc_init(&a, 4, 2), 0);
    ck_assert_int_eq(a.want_model, -1);
    /* A model in two runs is refused; nothing changes. */
    ck_assert_int_eq(dcs_alloc_set_models(&a, models), DCS_EINVAL);
    ck_assert_ptr_null(a.node_model);
    memcpy(models, (unsigned char[]){0, 0, 1, 1}, 4);
    ck_assert_int_eq(dcs_alloc_set_models(&a, models), 0);
    models[1] = 1; /* alloc keeps its own copy */
    ck_assert_int_eq(a.node_model[1], 0);
    ck_assert_int_eq(a.nmodels, 2);
    ck_assert_int_eq(a.model_first[1], 2);
    ck_assert_int_eq(a.model_nodes[1], 2);
    ck_assert_int_eq(a.model_free[0], 4);
    ck_assert_int_eq(a.model_free[1], 4);
    /* Any model, 4 free each: the lower index, model 0; pack -> node 0. */
    place_ok(p, &a, 2, ids);
    expect_ids(ids, (int[]){0, 1}, 2);
    dcs_alloc_take(&a, ids, 2);
    /* Model 1: nodes 2 and 3 tie, node 2 -> 4, 5. */
    a.want_model = 1;
    place_ok(p, &a, 2, ids);
    expect_ids(ids, (int[]){4, 5}, 2);
    dcs_alloc_take(&a, ids, 2);
    /* Model 1, one GPU: node 3 is the only one left -> 6. */
    place_ok(p, &a, 1, ids);
    expect_ids(ids, (int[]){6}, 1);
    dcs_alloc_take(&a, ids, 1);
    check_counts(&a);
    check_model_counts(&a);
    /* Model 1 has one GPU free (7): 2 do not fit, though 3 are free. */
    ck_assert_int_eq(a.free_gpus, 3);
    ck_assert(p->fits(p, &a, 1));
    ck_assert(!p->fits(p, &a, 2));
    ck_assert_int_eq(p->place(p, &a, 2, ids), -1);
    /* Model 0: its 2 free GPUs (node 1), not 3. */
    a.want_model = 0;
    ck_assert(p->fits(p, &a, 2));
    ck_assert(!p->fits(p, &a, 3));
    place_ok(p, &a, 2, ids);
    expect_ids(ids, (int[]){2, 3}, 2);
    /* A model no node has: nothing fits. */
    a.want_model = 7;
    ck_assert(!p->fits(p, &a, 1));
    ck_assert_int_eq(p->place(p, &a, 1, ids), -1);
    /* Any model: 3 GPUs are free but no model has 3 (2 + 1): a job that
     * names none never spans two. One GPU: model 0 has the most free. */
    a.want_model = -1;
    ck_assert(!p->fits(p, &a, 3));
    ck_assert_int_eq(p->place(p, &a, 3, ids), -1);
    place_ok(p, &a, 1, ids);
    expect_ids(ids, (int[]){2}, 1);
    /* All free again: 4 GPUs go to model 0 (a tie), across its two nodes;
     * 6 fit no model. */
    dcs_alloc_release(&a, (int[]){0, 1, 4, 5, 6}, 5);
    check_model_counts(&a);
    place_ok(p, &a, 4, ids);
    expect_ids(ids, (int[]){0, 1, 2, 3}, 4);
    ck_assert(!p->fits(p, &a, 6));
    /* pack itself places alike. */
    place_ok(&dcs_placement_pack, &a, 4, ids);
    expect_ids(ids, (int[]){0, 1, 2, 3}, 4);
    ck_assert_int_eq(dcs_alloc_set_models(&a, NULL), 0);
    ck_assert_ptr_null(a.node_model);
    ck_assert_int_eq(a.nmodels, 0);
    /* One model again: 6 GPUs span the nodes as pack spans them. */
    ck_assert(p->fits(p, &a, 6));
    dcs_alloc_destroy(&a);
}
END_TEST

START_TEST(test_placements_keep_to_one_model)
{
    dcs_alloc_t a;
    int ids[16];
    /* spread, 4 nodes of 2, models {0, 0, 1, 1}: model 1's two GPUs one
     * per node -> 4, 6; any model (a tie) -> model 0 -> 0, 2. */
    ck_assert_int_eq(dcs_alloc_init(&a, 4, 2), 0);
    ck_assert_int_eq(dcs_alloc_set_models(&a, (unsigned char[]){0, 0, 1, 1}),
                     0);
    a.want_model = 1;
    place_ok(&dcs_placement_spread, &a, 2, ids);
    expect_ids(ids, (int[]){4, 6}, 2);
    ck_assert(!dcs_placement_spread.fits(&dcs_placement_spread, &a, 5));
    a.want_model = -1;
    place_ok(&dcs_placement_spread, &a, 2, ids);
    expect_ids(ids, (int[]){0, 2}, 2);
    dcs_alloc_destroy(&a);

    /* topo, 8 nodes of 2 in groups of 2 nodes, model 1 on nodes 4-7 (its
     * own groups 2 and 3): 4 GPUs of model 1 fill one group, the first of
     * the best fits: nodes 4, 5 -> 8..11. */
    dcs_alloc_t v;
    ck_assert_int_eq(dcs_alloc_init(&a, 8, 2), 0);
    ck_assert_int_eq(dcs_alloc_set_groups(&a, 2), 0);
    ck_assert_int_eq(
        dcs_alloc_set_models(&a, (unsigned char[]){0, 0, 0, 0, 1, 1, 1, 1}), 0);
    ck_assert_int_eq(dcs_alloc_model_view(&a, 1, &v), 8);
    ck_assert_int_eq(v.nodes, 4);
    ck_assert_int_eq(v.groups, 2);
    ck_assert_int_eq(v.group_free[0], 4);
    a.want_model = 1;
    place_ok(&dcs_placement_topo, &a, 4, ids);
    expect_ids(ids, (int[]){8, 9, 10, 11}, 4);
    /* Model 1 from node 3 (not a group boundary): the view has no groups,
     * so topo packs within the model: nodes 3 and 4, the emptiest, lowest
     * first -> 6, 7, 8, 9. */
    ck_assert_int_eq(
        dcs_alloc_set_models(&a, (unsigned char[]){0, 0, 0, 1, 1, 1, 1, 1}), 0);
    ck_assert_int_eq(dcs_alloc_model_view(&a, 1, &v), 6);
    ck_assert_int_eq(v.groups, 0);
    ck_assert_ptr_null(v.group_free);
    place_ok(&dcs_placement_topo, &a, 4, ids);
    expect_ids(ids, (int[]){6, 7, 8, 9}, 4);
    dcs_alloc_destroy(&a);
}
END_TEST

START_TEST(test_alloc_groups_by_hand)
{
    /* 5 nodes of 2 GPUs in groups of 2 nodes: {0,1} {2,3} {4}, the last
     * group short. */
    dcs_alloc_t a;
    ck_assert_int_eq(dcs_alloc_init(&a, 5, 2), 0);
    ck_assert_ptr_null(a.group_free);
    ck_assert_int_eq(a.nodes_per_group, 0);
    ck_assert_int_eq(dcs_alloc_set_groups(&a, -1), DCS_EINVAL);
    ck_assert_int_eq(dcs_alloc_set_groups(&a, 2), 0);
    ck_assert_int_eq(a.groups, 3);
    ck_assert_int_eq(a.group_free[0], 4);
    ck_assert_int_eq(a.group_free[1], 4);
    ck_assert_int_eq(a.group_free[2], 2);
    /* Take 0 (node 0), 3 (node 1), 9 (node 4): nodes free 1 1 2 2 1. */
    dcs_alloc_take(&a, (int[]){0, 3, 9}, 3);
    ck_assert_int_eq(a.group_free[0], 2);
    ck_assert_int_eq(a.group_free[1], 4);
    ck_assert_int_eq(a.group_free[2], 1);
    ck_assert_int_eq(a.with_free[0], 0);
    ck_assert_int_eq(a.with_free[1], 3);
    ck_assert_int_eq(a.with_free[2], 2);
    /* Take 1, 2, 8: nodes free 0 0 2 2 0. */
    dcs_alloc_take(&a, (int[]){1, 2, 8}, 3);
    ck_assert_int_eq(a.group_free[0], 0);
    ck_assert_int_eq(a.group_free[2], 0);
    ck_assert_int_eq(a.with_free[0], 3);
    ck_assert_int_eq(a.with_free[2], 2);
    ck_assert_int_eq(dcs_alloc_max_node_free(&a), 2);
    /* Release 3, 8: nodes free 0 1 2 2 1. */
    dcs_alloc_release(&a, (int[]){3, 8}, 2);
    ck_assert_int_eq(a.group_free[0], 1);
    ck_assert_int_eq(a.group_free[1], 4);
    ck_assert_int_eq(a.group_free[2], 1);
    ck_assert_int_eq(a.with_free[0], 1);
    ck_assert_int_eq(a.with_free[1], 2);
    ck_assert_int_eq(a.with_free[2], 2);
    ck_assert_int_eq(a.free_gpus, 6);
    /* Regrouped with jobs running, by 3: {0,1,2} has 0+1+2, {3,4} 2+1. */
    ck_assert_int_eq(dcs_alloc_set_groups(&a, 3), 0);
    ck_assert_int_eq(a.groups, 2);
    ck_assert_int_eq(a.group_free[0], 3);
    ck_assert_int_eq(a.group_free[1], 3);
    dcs_alloc_take(&a, (int[]){5}, 1); /* node 2, group 0 */
    ck_assert_int_eq(a.group_free[0], 2);
    /* Ungrouped: take and release still keep the rest. */
    ck_assert_int_eq(dcs_alloc_set_groups(&a, 0), 0);
    ck_assert_ptr_null(a.group_free);
    ck_assert_int_eq(a.groups, 0);
    dcs_alloc_release(&a, (int[]){5}, 1);
    check_counts(&a);
    dcs_alloc_destroy(&a);
}
END_TEST

START_TEST(test_alloc_counts_random)
{
    /* 9 nodes of 4 in groups of 4 ({0-3} {4-7} {8}): pseudo-random takes
     * and releases, recounted after each. */
    dcs_alloc_t a;
    unsigned state = 777;
    ck_assert_int_eq(dcs_alloc_init(&a, 9, 4), 0);
    ck_assert_int_eq(dcs_alloc_set_groups(&a, 4), 0);
    for (int round = 0; round < 500; round++) {
        state = state * 1103515245u + 12345u;
        int g = (int)((state >> 16) % 36);
        if (a.taken[g])
            dcs_alloc_release(&a, &g, 1);
        else
            dcs_alloc_take(&a, &g, 1);
        check_counts(&a);
        /* Topo places whatever fits, each id free and distinct. */
        int ids[36];
        if (a.free_gpus > 0) {
            int n = 1 + (int)((state >> 8) % (unsigned)a.free_gpus);
            place_ok(&dcs_placement_topo, &a, n, ids);
            unsigned char seen[36] = {0};
            for (int i = 0; i < n; i++) {
                ck_assert(!a.taken[ids[i]]);
                ck_assert(!seen[ids[i]]);
                seen[ids[i]] = 1;
            }
        }
    }
    dcs_alloc_destroy(&a);
}
END_TEST

START_TEST(test_alloc_model_counts_random)
{
    /* 9 nodes of 4, models {0 0 0 0 1 1 1 2 2}, groups of 4: pseudo-random
     * takes and releases, recounted after each; every placement puts a job
     * that fits on the nodes of one model, the wanted one if any. */
    static const dcs_placement_t *const placements[] = {
        &dcs_placement_pack, &dcs_placement_spread, &dcs_placement_topo,
        &dcs_placement_hetero};
    static const unsigned char models[9] = {0, 0, 0, 0, 1, 1, 1, 2, 2};
    dcs_alloc_t a;
    unsigned state = 4242;
    ck_assert_int_eq(dcs_alloc_init(&a, 9, 4), 0);
    ck_assert_int_eq(dcs_alloc_set_groups(&a, 4), 0);
    dcs_alloc_take(&a, (int[]){1, 17, 30}, 3); /* before the models */
    ck_assert_int_eq(dcs_alloc_set_models(&a, models), 0);
    check_model_counts(&a);
    for (int round = 0; round < 400; round++) {
        state = state * 1103515245u + 12345u;
        int g = (int)((state >> 16) % 36);
        if (a.taken[g])
            dcs_alloc_release(&a, &g, 1);
        else
            dcs_alloc_take(&a, &g, 1);
        check_counts(&a);
        check_model_counts(&a);
        const dcs_placement_t *p = placements[(state >> 4) % 4];
        a.want_model = (int)((state >> 12) % 4) - 1;
        int n = 1 + (int)((state >> 8) % 16), ids[16];
        int fits = p->fits(p, &a, n);
        ck_assert_int_eq(p->place(p, &a, n, ids), fits ? 0 : -1);
        /* It fits exactly when some allowed model has n free. */
        int room = 0;
        for (int m = 0; m < 3; m++)
            if ((a.want_model < 0 || a.want_model == m) && a.model_free[m] >= n)
                room = 1;
        ck_assert_int_eq(fits, room);
        if (!fits)
            continue;
        int m0 = models[ids[0] / 4];
        ck_assert(a.want_model < 0 || m0 == a.want_model);
        for (int i = 0; i < n; i++) {
            ck_assert(!a.taken[ids[i]]);
            ck_assert_int_eq(models[ids[i] / 4], m0);
            for (int k = 0; k < i; k++)
                ck_assert_int_ne(ids[k], ids[i]);
        }
    }
    a.want_model = -1;
    dcs_alloc_destroy(&a);
}
END_TEST

START_TEST(test_registry)
{
    ck_assert_ptr_eq(dcs_placement_find("spread"), &dcs_placement_spread);
    ck_assert_ptr_eq(dcs_placement_find("topo"), &dcs_placement_topo);
    ck_assert_ptr_eq(dcs_placement_find("hetero"), &dcs_placement_hetero);
    ck_assert_ptr_eq(dcs_placement_find("pack"), &dcs_placement_pack);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("placement");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_spread_by_hand);
    tcase_add_test(tc, test_spread_matches_greedy);
    tcase_add_test(tc, test_topo_one_group);
    tcase_add_test(tc, test_topo_spans_fewest_groups);
    tcase_add_test(tc, test_topo_without_groups_is_pack);
    tcase_add_test(tc, test_hetero_model_filter);
    tcase_add_test(tc, test_placements_keep_to_one_model);
    tcase_add_test(tc, test_alloc_groups_by_hand);
    tcase_add_test(tc, test_alloc_counts_random);
    tcase_add_test(tc, test_alloc_model_counts_random);
    tcase_add_test(tc, test_registry);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
