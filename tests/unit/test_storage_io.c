/* test_storage_io.c - checkpoint writes and dataset reads as flows to the
 * storage tier, against closed forms:
 * - one job alone writes at the tier's bandwidth, or at its nodes' links
 *   when they are slower: bytes / min(B, n b);
 * - k jobs writing at once share the tier: each takes k bytes / B;
 * - a write cancelled mid-way frees the tier for the others;
 * - reads: max-min shares of the tier's read bandwidth, a short read
 *   leaving its share to a long one when it is done (shares are per
 *   flow, one per node, as a parallel file system serves its clients). */
#include <check.h>
#include <stdlib.h>

#include "engine/error.h"
#include "storage/io.h"

#define GB 1e9

typedef struct seen {
    int n;
    dcs_time_t at[8];
} seen_t;

static void done(dcs_sim_t *sim, void *ctx)
{
    seen_t *s = ctx;
    s->at[s->n++] = dcs_sim_now(sim);
}

static dcs_storage_t tier(double write, double read, double node)
{
    dcs_storage_t s = {0};
    s.write_bw = write * GB;
    s.read_bw = read * GB;
    s.node_bw = node * GB;
    return s;
}

START_TEST(test_write_alone_and_node_bound)
{
    /* 8 GB from 2 nodes: at 10 GB/s 0.8 s; with 2 GB/s node links the
     * nodes move 4 GB/s together, 2 s. */
    for (int k = 0; k < 2; k++) {
        dcs_storage_t st = tier(10, 10, k ? 2 : 0);
        dcs_sim_t *sim = dcs_sim_new();
        dcs_storage_io_t *io = dcs_storage_io_new(sim, &st, 4);
        ck_assert_ptr_nonnull(io);
        dcs_storage_xfer_t x = {0};
        seen_t s = {0};
        int nodes[] = {1, 3};
        ck_assert_int_eq(dcs_storage_write(io, &x, nodes, 2, 8 * GB, done, &s),
                         0);
        ck_assert(dcs_storage_busy(&x));
        dcs_sim_run(sim, DCS_TIME_NEVER);
        ck_assert_int_eq(s.n, 1);
        ck_assert_int_eq(s.at[0], k ? 2000000000 : 800000000);
        ck_assert(!dcs_storage_busy(&x));
        dcs_storage_io_stats_t stats = dcs_storage_io_stats(io);
        ck_assert_int_eq(stats.writes, 1);
        ck_assert_double_eq_tol(stats.bytes_written, 8 * GB, 1);
        dcs_storage_io_free(io);
        dcs_sim_free(sim);
    }
}
END_TEST

START_TEST(test_storm_and_cancel)
{
    /* Three jobs of one node each write 10 GB at once to a 10 GB/s tier:
     * 10/3 GB/s each, all done at 3 s. Again, with the first cancelled at
     * 1.5 s (5 GB each sent): the other two share 10 GB/s for their last
     * 5 GB each, done at 1.5 + 1 = 2.5 s. */
    for (int cancel = 0; cancel < 2; cancel++) {
        dcs_storage_t st = tier(10, 10, 0);
        dcs_sim_t *sim = dcs_sim_new();
        dcs_storage_io_t *io = dcs_storage_io_new(sim, &st, 3);
        dcs_storage_xfer_t x[3] = {{0}};
        seen_t s = {0};
        for (int j = 0; j < 3; j++)
            ck_assert_int_eq(
                dcs_storage_write(io, &x[j], &j, 1, 10 * GB, done, &s), 0);
        if (cancel) {
            dcs_sim_run(sim, 1500000000);
            dcs_storage_cancel(&x[0]);
            ck_assert(!dcs_storage_busy(&x[0]));
        }
        dcs_sim_run(sim, DCS_TIME_NEVER);
        ck_assert_int_eq(s.n, cancel ? 2 : 3);
        for (int k = 0; k < s.n; k++)
            ck_assert_int_le(
                llabs(s.at[k] - (cancel ? 2500000000 : 3000000000)), 2);
        ck_assert_int_eq(dcs_storage_io_stats(io).max_concurrent, 3);
        dcs_storage_io_free(io);
        dcs_sim_free(sim);
    }
}
END_TEST

START_TEST(test_reads_share)
{
    /* Tier reads 5 GB/s, shared max-min among flows (one per node).
     * Job 0 reads 10 GB over 2 nodes: alone 2 s. With job 1 reading 10 GB
     * on 1 node, three flows get 5/3 GB/s: job 0's 5 GB per node take 3 s.
     * With job 1 reading 2 GB, it is done at 1.2 s; job 0's nodes have
     * 3 GB left each, at 2.5 GB/s: 2.4 s. Node links of 1 GB/s hold job 0
     * to 2 GB/s: 5 s. */
    dcs_storage_t st = tier(10, 5, 0);
    int n0[] = {0, 1}, n1[] = {2};
    dcs_storage_reader_t r[2] = {{n0, 2, 10 * GB}, {n1, 1, 10 * GB}};
    ck_assert_double_eq_tol(dcs_storage_read_s(&st, 3, r, 1), 2.0, 1e-9);
    ck_assert_double_eq_tol(dcs_storage_read_s(&st, 3, r, 2), 3.0, 1e-9);
    r[1].bytes = 2 * GB;
    ck_assert_double_eq_tol(dcs_storage_read_s(&st, 3, r, 2), 2.4, 1e-9);
    st.node_bw = 1 * GB;
    ck_assert_double_eq_tol(dcs_storage_read_s(&st, 3, r, 1), 5.0, 1e-9);
    /* nothing to read, and a node out of range */
    r[0].bytes = 0;
    ck_assert_double_eq(dcs_storage_read_s(&st, 3, r, 2), 0);
    r[0].bytes = 1;
    n0[1] = 7;
    ck_assert_double_eq(dcs_storage_read_s(&st, 3, r, 1), DCS_EINVAL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("storage_io");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_write_alone_and_node_bound);
    tcase_add_test(tc, test_storm_and_cancel);
    tcase_add_test(tc, test_reads_share);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
