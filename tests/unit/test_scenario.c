/* test_scenario.c - whole scenarios of bad input, through dcs_world_run()
 * (sim/cli/world.c) and through the dcsim command.
 *
 * Invariants checked:
 *  - every kind of bad scenario (YAML syntax, unknown fields, wrong types,
 *    out-of-range values, inconsistent workload tables, a job larger than the
 *    cluster, missing sections and includes, unknown policies, a device whose
 *    numbers contradict each other, a cluster's pools that differ in GPUs
 *    per node, are empty, repeat a name or sit beside the one-device keys,
 *    bad --set and --seed) is refused with
 *    DCS_EINPUT and one exact message naming FILE:LINE:COL, and the output
 *    folder is never created: bad input is found before anything is written;
 *  - the command prints that message on stderr after "dcsim run: " and exits
 *    2; usage errors exit 2; --version, --help and `list policies` exit 0;
 *  - a good run writes all seven reports, leaves no temporary behind, and
 *    jobs.csv has one row per job asked for;
 *  - a job trace's training rows run exactly as the same jobs written as
 *    `kind: training` (the default plan rule applied), and those the
 *    cluster cannot take are dropped and counted.
 * The fixtures are tests/unit/data/scenario/; each bad_ fixture differs
 * from good.yaml (or from good.yaml with the cluster written inline) in the
 * one place its first line names. Every LINE:COL below is counted by hand in
 * that file: LINE counts the comment lines at the top, COL is 1-based. */
#include <check.h>
#include <csv.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/world.h"
#include "config/table.h"
#include "support.h"

#define SC DCSIM_TEST_DATA "/scenario/"

/* Runs `scenario` with `sets` (and `seed` when has_seed) into a folder that
 * does not exist yet, and checks that it fails on input with exactly `want`
 * and leaves that folder (and its parent) uncreated. */
static void expect_world_error(const char *scenario, const char *const *sets,
                               size_t nsets, int has_seed, uint64_t seed,
                               const char *want)
{
    char tmp[64], out[128], parent[128];
    make_tmpdir(tmp, sizeof tmp);
    snprintf(parent, sizeof parent, "%s/results", tmp);
    snprintf(out, sizeof out, "%s/results/run", tmp);
    dcs_run_opts_t o = {scenario, out,  has_seed, seed, sets,
                        nsets,    NULL, NULL,     0};
    dcs_err_t err = {""};
    int rc = dcs_world_run(&o, NULL, &err);
    int made = exists(parent);
    remove_tree(tmp); /* before the checks, so a failure leaves nothing */
    ck_assert_int_eq(rc, DCS_EINPUT);
    ck_assert_str_eq(err.msg, want);
    ck_assert_msg(!made, "%s was created", parent);
}

static void expect_file_error(const char *file, const char *want)
{
    expect_world_error(file, NULL, 0, 0, 0, want);
}

static void expect_set_error(const char *set, const char *want)
{
    const char *sets[] = {set};
    expect_world_error(SC "good.yaml", sets, 1, 0, 0, want);
}

/* ---- bad scenario files ---------------------------------------------- */

START_TEST(test_yaml_syntax)
{
    /* Line 11 opens `[1, 2, 4` and never closes it. In a flow sequence the
     * next line's `gpu_weights` still continues the plain scalar `4`, so
     * libyaml stops at the first character that cannot: the `:` after
     * `  gpu_weights` on line 12, column 2 + 11 + 1 = 14. */
    expect_file_error(SC "bad_syntax.yaml",
                      SC "bad_syntax.yaml:12:14: YAML syntax error: did not "
                         "find expected ',' or ']' (while parsing a flow "
                         "sequence)");
}
END_TEST

START_TEST(test_unknown_top_level_field)
{
    /* `reports:` on line 21, column 1; `report` is one edit away. */
    expect_file_error(SC "bad_unknown_top.yaml",
                      SC "bad_unknown_top.yaml:21:1: unknown field 'reports'; "
                         "did you mean 'report'?");
}
END_TEST

START_TEST(test_misspelt_required_section)
{
    /* `workloads:` for the required `workload:` (line 5): the user hears
     * about the typo where it was written, with the name that was wanted. */
    expect_file_error(SC "bad_workloads.yaml",
                      SC "bad_workloads.yaml:5:1: unknown field 'workloads'; "
                         "did you mean 'workload'?");
}
END_TEST

START_TEST(test_unknown_field_deep)
{
    /* `  outside_temp: 20` on line 16 inside facility: the key at column 3;
     * `outside_temp_c` is two edits away (limit max(2, 12/3) = 4). */
    expect_file_error(SC "bad_unknown_deep.yaml",
                      SC "bad_unknown_deep.yaml:16:3: unknown field "
                         "'facility.outside_temp'; did you mean "
                         "'outside_temp_c'?");
}
END_TEST

START_TEST(test_unknown_field_no_suggestion)
{
    /* `rack_layout` (line 10, column 3) is far from every cluster field, so
     * the message lists them, in the order the reader asks for them. */
    expect_file_error(SC "bad_unknown_no_match.yaml",
                      SC "bad_unknown_no_match.yaml:10:3: unknown field "
                         "'cluster.rack_layout'; known fields: name, "
                         "description, pools, device, nodes, gpus_per_node, "
                         "host, host_power_w, gpu_power_cap_w, fabric, "
                         "storage");
}
END_TEST

START_TEST(test_misspelt_required_cluster_field)
{
    /* `gpu_per_node` for the required `gpus_per_node`: reported where the
     * typo was written (line 8, column 3), with the required name. */
    expect_file_error(SC "bad_gpu_per_node.yaml",
                      SC "bad_gpu_per_node.yaml:8:3: unknown field "
                         "'cluster.gpu_per_node'; did you mean "
                         "'gpus_per_node'?");
}
END_TEST

START_TEST(test_wrong_type)
{
    /* `  nodes: two`, line 7: the value at column 2 + 6 + 1 + 1 = 10; nodes
     * is an integer in [1, 1000000] (fleet.c). */
    expect_file_error(SC "bad_nodes_word.yaml",
                      SC "bad_nodes_word.yaml:7:10: field 'cluster.nodes': "
                         "expected an integer in [1, 1000000], found 'two'");
}
END_TEST

START_TEST(test_negative_count)
{
    expect_file_error(SC "bad_nodes_negative.yaml",
                      SC "bad_nodes_negative.yaml:7:10: field "
                         "'cluster.nodes': expected an integer in [1, "
                         "1000000], found '-2'");
}
END_TEST

START_TEST(test_fractional_gpu_count)
{
    /* `  gpu_counts: [1, 2.5, 4]`, line 16: `[` at column 15, `2.5` at 19. */
    expect_file_error(SC "bad_gpu_count_fraction.yaml",
                      SC "bad_gpu_count_fraction.yaml:16:19: field "
                         "'workload.gpu_counts[1]': expected an integer in "
                         "[1, 10000000], found '2.5'");
}
END_TEST

START_TEST(test_gpu_count_quotes_what_was_written)
{
    /* "found" must quote the text the user wrote. In
     * `workload.gpu_counts=[1,1234567.5]` the second item starts after 19
     * characters of name, `=`, `[`, `1` and `,`: column 24. */
    expect_set_error("workload.gpu_counts=[1,1234567.5]",
                     "--set:1:24: field 'workload.gpu_counts[1]': expected "
                     "an integer in [1, 10000000], found '1234567.5'");
}
END_TEST

START_TEST(test_zero_gpu_count)
{
    /* A count below 1: the same integer message as 2.5 gets.
     * `workload.gpu_counts=[0,1]`: `0` at column 22. */
    expect_set_error("workload.gpu_counts=[0,1]",
                     "--set:1:22: field 'workload.gpu_counts[0]': expected an "
                     "integer in [1, 10000000], found '0'");
}
END_TEST

START_TEST(test_weights_length)
{
    /* `  gpu_weights: [0.5, 0.5]`, line 17: `[` at column 2 + 12 + 1 + 1 =
     * 16. Three counts, two weights. */
    expect_file_error(SC "bad_weights_length.yaml",
                      SC "bad_weights_length.yaml:17:16: field "
                         "'workload.gpu_weights': expected 3 weights, one per "
                         "entry of gpu_counts, found 2");
}
END_TEST

START_TEST(test_weights_all_zero)
{
    expect_file_error(SC "bad_weights_zero.yaml",
                      SC "bad_weights_zero.yaml:17:16: field "
                         "'workload.gpu_weights': expected at least one "
                         "weight above 0");
}
END_TEST

START_TEST(test_job_larger_than_cluster)
{
    /* 2 nodes x 8 GPUs = 16 < 64. `  gpu_counts: [1, 2, 64]`, line 16:
     * `64` at column 22. */
    expect_file_error(SC "bad_job_too_big.yaml",
                      SC "bad_job_too_big.yaml:16:22: field "
                         "'workload.gpu_counts[2]': a job of 64 GPUs can "
                         "never run on cluster 'tiny-cluster' of 16 GPUs");
}
END_TEST

START_TEST(test_missing_section)
{
    /* No `cost:`; reported at the root mapping, whose first key `name:` is
     * on line 2. */
    expect_file_error(SC "bad_no_cost.yaml",
                      SC "bad_no_cost.yaml:2:1: field 'cost': missing "
                         "(required)");
}
END_TEST

START_TEST(test_missing_include)
{
    /* `  device: !include no-such-device.yaml`, line 6: the tag at column
     * 2 + 7 + 1 + 1 = 11; the path is relative to the including file. */
    expect_file_error(SC "bad_missing_include.yaml",
                      SC "bad_missing_include.yaml:6:11: include "
                         "'no-such-device.yaml': cannot open '" SC
                         "no-such-device.yaml': No such file or directory");
}
END_TEST

START_TEST(test_unknown_policy)
{
    /* `  policy: lifo`, line 19: the value at column 2 + 7 + 1 + 1 = 11. */
    expect_file_error(SC "bad_policy.yaml",
                      SC "bad_policy.yaml:19:11: field 'scheduler.policy': "
                         "expected one of fifo, sjf, srtf, easy, priority, "
                         "tiresias, gandiva, themis, elastic, found 'lifo'");
}
END_TEST

START_TEST(test_idle_above_busy)
{
    /* `    idle_power_w: 650`, line 14: the value at column 4 + 13 + 1 + 1 =
     * 19. */
    expect_file_error(SC "bad_idle_above_busy.yaml",
                      SC "bad_idle_above_busy.yaml:14:19: field "
                         "'cluster.device.idle_power_w': idle power 650 W is "
                         "above busy power 600 W");
}
END_TEST

START_TEST(test_scenario_file_missing)
{
    char tmp[64], path[128], want[256];
    make_tmpdir(tmp, sizeof tmp);
    snprintf(path, sizeof path, "%s/absent.yaml", tmp);
    snprintf(want, sizeof want, "cannot open '%s': No such file or directory",
             path);
    expect_file_error(path, want);
    ck_assert_int_eq(rmdir(tmp), 0);
}
END_TEST

/* ---- clusters with pools (bad_pools_*.yaml, the cluster inline) ------ */

START_TEST(test_pools_gpus_per_node_differ)
{
    /* `      gpus_per_node: 4`, line 15: the value at column 6 + 14 + 1 + 1
     * = 22; the first pool has 8. */
    expect_file_error(SC "bad_pools_gpn.yaml",
                      SC "bad_pools_gpn.yaml:15:22: field "
                         "'cluster.pools[1].gpus_per_node': expected 8, as "
                         "in pool 'H100': the pools of a cluster have the "
                         "same GPUs per node in this version, found 4");
}
END_TEST

START_TEST(test_pools_empty)
{
    /* `  pools: []`, line 6: the value at column 2 + 6 + 1 + 1 = 10. */
    expect_file_error(SC "bad_pools_empty.yaml",
                      SC "bad_pools_empty.yaml:6:10: field 'cluster.pools': "
                         "expected a non-empty sequence of pools");
}
END_TEST

START_TEST(test_pools_unknown_device_key)
{
    /* `        boost_clock_mhzz: 1980`, line 18, the key at column 9, inside
     * the second pool's inline device. */
    expect_file_error(SC "bad_pools_device_key.yaml",
                      SC "bad_pools_device_key.yaml:18:9: unknown field "
                         "'cluster.pools[1].device.boost_clock_mhzz'; did "
                         "you mean 'boost_clock_mhz'?");
}
END_TEST

START_TEST(test_pools_beside_one_device)
{
    /* `device:` (line 6) is !included, so its value lies in the device
     * file: the error points at the pools, whose first item's `-` is on
     * line 8, column 5. */
    expect_file_error(SC "bad_pools_with_device.yaml",
                      SC "bad_pools_with_device.yaml:8:5: field "
                         "'cluster.pools': 'device' beside pools: a cluster "
                         "with pools gives the device, nodes, gpus_per_node "
                         "and host power in each pool (and no "
                         "gpu_power_cap_w)");
    /* --set cluster.nodes=2 adds a plain value: the error is at it. */
    const char *sets[] = {"cluster.nodes=2"};
    expect_world_error(SC "bad_pools_name_twice.yaml", sets, 0, 0, 0,
                       SC "bad_pools_name_twice.yaml:12:13: field "
                          "'cluster.pools[1].name': pool 'h100' is named "
                          "twice (pools[0] has that name; names are compared "
                          "without case)");
    expect_world_error(SC "bad_pools_gpn.yaml", sets, 1, 0, 0,
                       "--set:1:15: field 'cluster.nodes': 'nodes' beside "
                       "pools: a cluster with pools gives the device, nodes, "
                       "gpus_per_node and host power in each pool (and no "
                       "gpu_power_cap_w)");
}
END_TEST

START_TEST(test_cli_bad_pools)
{
    char tmp[64], out[128];
    make_tmpdir(tmp, sizeof tmp);
    snprintf(out, sizeof out, "%s/out", tmp);
    const char *args[] = {"run", SC "bad_pools_gpn.yaml", "--out", out, NULL};
    char *so, *se;
    ck_assert_int_eq(run_dcsim(args, &so, &se), 2);
    ck_assert_ptr_nonnull(strstr(se, "bad_pools_gpn.yaml:15:22: "));
    ck_assert_str_eq(so, "");
    ck_assert(!exists(out));
    free(so);
    free(se);
    ck_assert_int_eq(rmdir(tmp), 0);
}
END_TEST

/* ---- bad overrides --------------------------------------------------- */

START_TEST(test_set_without_equals)
{
    expect_set_error("cluster.nodes", "--set 'cluster.nodes': expected "
                                      "key=value");
}
END_TEST

START_TEST(test_set_unknown_key)
{
    /* `cluster.nodez=3`: the new key starts after `cluster.`, column 9. */
    expect_set_error("cluster.nodez=3", "--set:1:9: unknown field "
                                        "'cluster.nodez'; did you mean "
                                        "'nodes'?");
}
END_TEST

START_TEST(test_set_bad_value)
{
    /* `cluster.nodes=0`: the value at column 15. */
    expect_set_error("cluster.nodes=0",
                     "--set:1:15: field 'cluster.nodes': expected an integer "
                     "in [1, 1000000], found '0'");
}
END_TEST

START_TEST(test_seed_above_int64)
{
    /* --seed becomes the override `seed=N`, so its errors are reported as
     * --set at the value's column, 6. The scenario's seed is an integer in
     * [0, INT64_MAX]; INT64_MAX + 1 = 9223372036854775808 and UINT64_MAX =
     * 18446744073709551615 are refused. */
    expect_world_error(SC "good.yaml", NULL, 0, 1, (uint64_t)INT64_MAX + 1,
                       "--set:1:6: field 'seed': expected an integer >= 0, "
                       "found '9223372036854775808'");
    expect_world_error(SC "good.yaml", NULL, 0, 1, UINT64_MAX,
                       "--set:1:6: field 'seed': expected an integer >= 0, "
                       "found '18446744073709551615'");
}
END_TEST

START_TEST(test_seed_int64_max_runs)
{
    /* The largest seed accepted: the run succeeds and run.yaml records it. */
    char tmp[64], out[128], path[192];
    make_tmpdir(tmp, sizeof tmp);
    snprintf(out, sizeof out, "%s/out", tmp);
    dcs_run_opts_t o = {SC "good.yaml", out,  1, (uint64_t)INT64_MAX, NULL, 0,
                        NULL,           NULL, 0};
    dcs_err_t err = {""};
    ck_assert_msg(dcs_world_run(&o, NULL, &err) == 0, "%s", err.msg);
    snprintf(path, sizeof path, "%s/run.yaml", out);
    char *run = slurp(path, NULL);
    ck_assert_ptr_nonnull(strstr(run, "\nseed: 9223372036854775807\n"));
    free(run);
    remove_tree(tmp);
}
END_TEST

/* ---- the dcsim command ----------------------------------------------- */

START_TEST(test_cli_bad_scenario)
{
    char tmp[64], out[128];
    make_tmpdir(tmp, sizeof tmp);
    snprintf(out, sizeof out, "%s/out", tmp);
    const char *args[] = {"run", SC "bad_policy.yaml", "--out", out, NULL};
    char *so, *se;
    ck_assert_int_eq(run_dcsim(args, &so, &se), 2);
    ck_assert_str_eq(
        se, "dcsim run: " SC "bad_policy.yaml:19:11: field "
            "'scheduler.policy': expected one of fifo, sjf, srtf, "
            "easy, priority, tiresias, gandiva, themis, elastic, found "
            "'lifo'\n");
    ck_assert_str_eq(so, "");
    ck_assert(!exists(out));
    free(so);
    free(se);
    ck_assert_int_eq(rmdir(tmp), 0);
}
END_TEST

START_TEST(test_cli_missing_file)
{
    char tmp[64], path[128], want[256];
    make_tmpdir(tmp, sizeof tmp);
    snprintf(path, sizeof path, "%s/absent.yaml", tmp);
    snprintf(want, sizeof want,
             "dcsim run: cannot open '%s': No such file or directory\n", path);
    const char *args[] = {"run", path, NULL};
    char *so, *se;
    ck_assert_int_eq(run_dcsim(args, &so, &se), 2);
    ck_assert_str_eq(se, want);
    ck_assert_str_eq(so, "");
    free(so);
    free(se);
    ck_assert_int_eq(rmdir(tmp), 0);
}
END_TEST

START_TEST(test_cli_bad_set_and_seed)
{
    char *so, *se;
    const char *no_eq[] = {"run", SC "good.yaml", "--set", "cluster.nodes",
                           NULL};
    ck_assert_int_eq(run_dcsim(no_eq, &so, &se), 2);
    ck_assert_str_eq(se,
                     "dcsim run: --set 'cluster.nodes': expected key=value\n");
    free(so);
    free(se);

    const char *word[] = {"run", SC "good.yaml", "--seed", "abc", NULL};
    ck_assert_int_eq(run_dcsim(word, &so, &se), 2);
    ck_assert_str_eq(se, "dcsim run: --seed: expected an integer in [0, "
                         "9223372036854775807], found 'abc'\n");
    free(so);
    free(se);

    const char *negative[] = {"run", SC "good.yaml", "--seed", "-3", NULL};
    ck_assert_int_eq(run_dcsim(negative, &so, &se), 2);
    ck_assert_str_eq(se, "dcsim run: --seed: expected an integer in [0, "
                         "9223372036854775807], found '-3'\n");
    free(so);
    free(se);
}
END_TEST

START_TEST(test_cli_seed_overflow_quotes_input)
{
    /* A seed past 2^64 - 1 must be refused with the digits the user typed,
     * not the value strtoull saturates to. */
    const char *args[] = {"run", SC "good.yaml", "--seed",
                          "99999999999999999999999", NULL};
    char *so, *se;
    ck_assert_int_eq(run_dcsim(args, &so, &se), 2);
    ck_assert_msg(strstr(se, "'99999999999999999999999'") != NULL,
                  "message does not quote the seed given: %s", se);
    free(so);
    free(se);
}
END_TEST

START_TEST(test_cli_usage_errors)
{
    char *so, *se;
    const char *unknown[] = {"frobnicate", NULL};
    ck_assert_int_eq(run_dcsim(unknown, &so, &se), 2);
    ck_assert(starts_with(se, "dcsim: unknown command 'frobnicate'\n\n"
                              "usage: dcsim <command> [options]\n"));
    ck_assert_str_eq(so, "");
    free(so);
    free(se);

    const char *no_file[] = {"run", NULL};
    ck_assert_int_eq(run_dcsim(no_file, &so, &se), 2);
    ck_assert(starts_with(se, "dcsim run: expected one scenario file\n\n"
                              "usage: dcsim run SCENARIO.yaml"));
    ck_assert_str_eq(so, "");
    free(so);
    free(se);

    const char *two_files[] = {"run", SC "good.yaml", SC "good.yaml", NULL};
    ck_assert_int_eq(run_dcsim(two_files, &so, &se), 2);
    ck_assert(starts_with(se, "dcsim run: expected one scenario file\n"));
    free(so);
    free(se);

    const char *nothing[] = {NULL};
    ck_assert_int_eq(run_dcsim(nothing, &so, &se), 2);
    ck_assert(starts_with(se, "usage: dcsim <command> [options]\n"));
    free(so);
    free(se);

    const char *bad_kind[] = {"list", "gpus", NULL};
    ck_assert_int_eq(run_dcsim(bad_kind, &so, &se), 2);
    ck_assert(starts_with(se, "dcsim list: unknown kind 'gpus'\n"));
    free(so);
    free(se);
}
END_TEST

START_TEST(test_cli_version_help_list)
{
    char *so, *se;
    const char *version[] = {"--version", NULL};
    ck_assert_int_eq(run_dcsim(version, &so, &se), 0);
    ck_assert_str_eq(so, "dcsim 0.1.0\n");
    ck_assert_str_eq(se, "");
    free(so);
    free(se);

    static const struct {
        const char *cmd, *usage;
    } helps[] = {
        {"run", "usage: dcsim run SCENARIO.yaml"},
        {"list", "usage: dcsim list devices|clusters|models|scenarios|"
                 "policies\n"},
        {"bench", "usage: dcsim bench"},
    };
    for (size_t i = 0; i < sizeof helps / sizeof helps[0]; i++) {
        const char *args[] = {helps[i].cmd, "--help", NULL};
        ck_assert_int_eq(run_dcsim(args, &so, &se), 0);
        ck_assert_msg(starts_with(so, helps[i].usage), "%s --help: %s",
                      helps[i].cmd, so);
        ck_assert_str_eq(se, "");
        free(so);
        free(se);
    }

    const char *policies[] = {"list", "policies", NULL};
    ck_assert_int_eq(run_dcsim(policies, &so, &se), 0);
    ck_assert(starts_with(so, "scheduling policies (scheduler.policy):\n"));
    ck_assert_ptr_nonnull(strstr(so, "\n  fifo "));
    ck_assert_str_eq(se, "");
    free(so);
    free(se);
}
END_TEST

/* ---- a good run ------------------------------------------------------ */

/* Counts rows and checks every one has `ncols` fields. */
typedef struct rows {
    size_t ncols;      /* fields every row must have */
    size_t nrows;      /* rows ended, the header included */
    size_t fields;     /* fields seen in the current row */
    long ids[8];       /* job_id of data rows 1..8 */
    char state[8][16]; /* state of data rows 1..8 */
} rows_t;

static void count_field(void *s, size_t len, void *data)
{
    rows_t *r = data;
    if (r->nrows >= 1 && r->nrows <= 8) {
        char text[32] = "";
        snprintf(text, sizeof text, "%.*s", (int)len, s ? (char *)s : "");
        if (r->fields == 0)
            r->ids[r->nrows - 1] = strtol(text, NULL, 10);
        if (r->fields == 2)
            snprintf(r->state[r->nrows - 1], sizeof r->state[0], "%.15s", text);
    }
    r->fields++;
}

static void count_row(int c, void *data)
{
    rows_t *r = data;
    (void)c;
    ck_assert_msg(r->fields == r->ncols, "row %zu has %zu fields, not %zu",
                  r->nrows, r->fields, r->ncols);
    r->nrows++;
    r->fields = 0;
}

START_TEST(test_quickstart_five_jobs)
{
    static const char *const reports[] = {
        "summary.csv", "jobs.csv",       "utilization.csv", "energy.csv",
        "cost.csv",    "timeseries.csv", "run.yaml",
    };
    char tmp[64], out[128], path[256], want[256];
    make_tmpdir(tmp, sizeof tmp);
    snprintf(out, sizeof out, "%s/nested/out", tmp); /* parents made too */
    const char *args[] = {"run",   "scenarios/quickstart.yaml",
                          "--set", "workload.jobs=5",
                          "--out", out,
                          NULL};
    char *so, *se;
    ck_assert_int_eq(run_dcsim(args, &so, &se), 0);
    snprintf(want, sizeof want, "reports written to %s/\n\n", out);
    ck_assert(starts_with(so, want));
    ck_assert_str_eq(se, "");
    free(so);
    free(se);

    /* The seven reports and nothing else: no hidden temporary is left. */
    size_t seen = 0;
    DIR *d = opendir(out);
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        ck_assert_msg(e->d_name[0] != '.', "leftover %s", e->d_name);
        seen++;
    }
    closedir(d);
    ck_assert_uint_eq(seen, 7);
    for (size_t i = 0; i < 7; i++) {
        snprintf(path, sizeof path, "%s/%s", out, reports[i]);
        ck_assert_msg(exists(path), "%s missing", reports[i]);
    }

    /* jobs.csv: the header (24 columns: job_id, team, state, submit, start
     * and end times, gpus, queue delay, run time, iterations, tokens,
     * energy, cost, user, name, jct, slowdown, preemptions, gpu_hours,
     * deadline, deadline_met, evictions, resizes, pool) and one row per job,
     * ids 0..4, every job done since the run goes on until all work is
     * done. */
    snprintf(path, sizeof path, "%s/jobs.csv", out);
    size_t len;
    char *csv = slurp(path, &len);
    ck_assert(starts_with(csv, "job_id,team,state,"));
    rows_t r = {.ncols = 24};
    struct csv_parser p;
    ck_assert_int_eq(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI), 0);
    ck_assert_uint_eq(csv_parse(&p, csv, len, count_field, count_row, &r), len);
    ck_assert_int_eq(csv_fini(&p, count_field, count_row, &r), 0);
    csv_free(&p);
    free(csv);
    ck_assert_uint_eq(r.nrows, 1 + 5);
    for (long i = 0; i < 5; i++) {
        ck_assert_int_eq(r.ids[i], i);
        ck_assert_str_eq(r.state[i], "done");
    }
    remove_tree(tmp);
}
END_TEST

/* ---- training jobs ---------------------------------------------------- */

#define L405   "scenarios/llama3-405b-54days.yaml"
#define WHATIF "scenarios/train-whatif-h100.yaml"

/* As expect_world_error, with the message checked for each of `wants`. */
static void expect_training_error(const char *scenario, const char *set,
                                  const char *const *wants)
{
    char tmp[64], out[128];
    make_tmpdir(tmp, sizeof tmp);
    snprintf(out, sizeof out, "%s/run", tmp);
    const char *sets[] = {set};
    dcs_run_opts_t o = {scenario, out, 0, 0, sets, set ? 1 : 0, NULL, NULL, 0};
    dcs_err_t err = {""};
    int rc = dcs_world_run(&o, NULL, &err);
    int made = exists(out);
    remove_tree(tmp);
    ck_assert_int_eq(rc, DCS_EINPUT);
    for (const char *const *w = wants; *w; w++)
        ck_assert_msg(strstr(err.msg, *w), "'%s' not in: %s", *w, err.msg);
    ck_assert_msg(!made, "%s was created", out);
}

START_TEST(test_training_does_not_fit)
{
    /* Without recompute the first stage holds 16 micro-batches of 8
     * blocks: 16 x 8 x 34 s b h / tp = 69 GiB of activations alone. */
    const char *wants[] = {"llama3-405b-54days.yaml:",
                           "field 'workload.jobs[0].plan'",
                           "does not fit: rank 0 of pipeline stage 0",
                           "largest term activations",
                           "activation recompute",
                           NULL};
    expect_training_error(L405, "workload.jobs.0.plan.recompute=none", wants);
}
END_TEST

START_TEST(test_training_bad_plans)
{
    const char *too_big[] = {
        "tp x cp x pp x dp = 32768 GPUs, the cluster has 16384", NULL};
    expect_training_error(L405, "workload.jobs.0.plan.dp=256", too_big);
    const char *both[] = {"give exactly one of 'iterations' and 'tokens'",
                          NULL};
    expect_training_error(L405, "workload.jobs.0.tokens=1e12", both);
    const char *tp[] = {"field 'workload.jobs[0].plan.tp'",
                        "tp 3 does not divide the model's 32 heads", NULL};
    expect_training_error(WHATIF, "workload.jobs.0.plan.tp=3", tp);
    const char *cp[] = {"field 'workload.jobs[0].plan.cp'",
                        "cp 3 does not divide the sequence of 8192", NULL};
    expect_training_error(WHATIF, "workload.jobs.0.plan.cp=3", cp);
    const char *ep[] = {"field 'workload.jobs[0].plan.ep'",
                        "ep 2 must divide the model's experts (0) and dp "
                        "(128)",
                        NULL};
    expect_training_error(WHATIF, "workload.jobs.0.plan.ep=2", ep);
    const char *il[] = {"field 'workload.jobs[0].plan.interleave'",
                        "interleave 2 needs pp > 1", NULL};
    expect_training_error(WHATIF, "workload.jobs.0.plan.interleave=2", il);
    const char *ord[] = {"field 'workload.jobs[0].plan.order[1]': expected "
                         "each of tp, cp, pp, dp once, found 'tp'",
                         NULL};
    expect_training_error(WHATIF, "workload.jobs.0.plan.order=[tp, tp, pp, dp]",
                          ord);
    const char *rec[] = {"expected one of none, full, selective, found 'some'",
                         NULL};
    expect_training_error(WHATIF, "workload.jobs.0.plan.recompute=some", rec);
    const char *batch[] = {"global_batch 500 is not a multiple of micro_batch "
                           "x dp = 128",
                           NULL};
    expect_training_error(WHATIF, "workload.jobs.0.plan.global_batch=500",
                          batch);
    const char *storage[] = {"bad_train_no_storage.yaml:12:",
                             "checkpoints need the cluster's 'storage'", NULL};
    expect_training_error(SC "bad_train_no_storage.yaml", NULL, storage);
    const char *cap[] = {"2 checkpoints of 5.7 TB need 11.4 TB, the storage "
                         "holds 10.0 TB",
                         NULL};
    expect_training_error(L405, "cluster.storage.capacity_tb=10", cap);
}
END_TEST

static double cell(const dcs_table_t *t, size_t row, const char *col)
{
    int c = dcs_table_col(t, col);
    ck_assert_msg(c >= 0, "no column %s", col);
    return atof(t->cells[row][c]);
}

START_TEST(test_training_reports)
{
    /* The 54-day run with its breakdown: the reports agree with each
     * other, and a second run is byte-identical. */
    char tmp[64], a[128], b[128], path[256];
    make_tmpdir(tmp, sizeof tmp);
    snprintf(a, sizeof a, "%s/a", tmp);
    snprintf(b, sizeof b, "%s/b", tmp);
    dcs_err_t err = {""};
    dcs_run_opts_t o = {L405, a, 0, 0, NULL, 0, NULL, NULL, 1};
    ck_assert_int_eq(dcs_world_run(&o, NULL, &err), 0);
    o.out_dir = b;
    ck_assert_int_eq(dcs_world_run(&o, NULL, &err), 0);
    const char *files[] = {"training.csv", "breakdown.csv", "jobs.csv"};
    for (size_t i = 0; i < 3; i++) {
        char pa[256], pb[256];
        size_t la, lb;
        snprintf(pa, sizeof pa, "%s/%s", a, files[i]);
        snprintf(pb, sizeof pb, "%s/%s", b, files[i]);
        char *x = slurp(pa, &la), *y = slurp(pb, &lb);
        ck_assert_msg(la == lb && memcmp(x, y, la) == 0, "%s differs",
                      files[i]);
        free(x);
        free(y);
    }
    dcs_table_t t;
    snprintf(path, sizeof path, "%s/training.csv", a);
    ck_assert_int_eq(dcs_table_read(path, &t, &err), 0);
    ck_assert_int_eq(t.nrows, 1);
    double it = cell(&t, 0, "iteration_s");
    /* 2,048 sequences of 8,192 tokens per iteration */
    ck_assert_double_eq_tol(cell(&t, 0, "tokens_per_s") * it, 2048.0 * 8192,
                            1e-6 * 2048 * 8192);
    /* the wall time splits into its parts */
    double wall = cell(&t, 0, "wall_time_s");
    double parts = 350000 * it + cell(&t, 0, "checkpoint_time_s") +
                   cell(&t, 0, "lost_s") + cell(&t, 0, "restart_s");
    ck_assert_double_le(fabs(wall - parts), 1e-6 * wall);
    /* 16,384 GPUs at 1.973e-5 per GPU-hour: 0.323 failures per hour; a
     * Poisson count over ~1,300 h is within 4 sigma of its mean */
    double expect = 16384 * 1.973e-5 * wall / 3600;
    ck_assert_double_le(fabs(cell(&t, 0, "failures") - expect),
                        4 * sqrt(expect));
    /* checkpoints: 5.68 TB (14 B x 405.9 B parameters) at 2 TB/s */
    ck_assert_double_le(fabs(cell(&t, 0, "checkpoint_write_s") -
                             14 * cell(&t, 0, "checkpoint_bytes") / 14 / 2e12),
                        1e-9);
    /* Young/Daly first order: sqrt(2 x write x MTBF) within 10 % */
    double mtbf = 3600 / (16384 * 1.973e-5);
    double yd = sqrt(2 * cell(&t, 0, "checkpoint_write_s") * mtbf);
    ck_assert_double_le(fabs(cell(&t, 0, "young_daly_interval_s") - yd),
                        0.1 * yd);
    /* MFU: 6 N tokens + attention over GPUs x peak x time, by hand */
    double n = 405.85e9, tokens = 2048.0 * 8192;
    double flops = 6 * n * tokens + 12.0 * 126 * 8192.0 * 8192 * 16384 * 2048;
    double mfu = flops / (16384 * 989.4e12 * it);
    ck_assert_double_le(fabs(cell(&t, 0, "mfu_frac") - mfu), 0.02 * mfu);
    dcs_table_free(&t);
    /* breakdown: the op rows and the iteration terms add up to the total */
    snprintf(path, sizeof path, "%s/breakdown.csv", a);
    ck_assert_int_eq(dcs_table_read(path, &t, &err), 0);
    double sum = 0, total = 0;
    int op_col = dcs_table_col(&t, "op");
    for (size_t r = 0; r < t.nrows; r++) {
        if (!strcmp(t.cells[r][op_col], "iteration_total"))
            total = cell(&t, r, "total_s");
        else
            sum += cell(&t, r, "total_s");
    }
    ck_assert_double_eq_tol(total, it, 1e-6 * it);
    ck_assert_double_le(fabs(sum - total), 1e-6 * total);
    dcs_table_free(&t);
    remove_tree(tmp);
}
END_TEST

/* Runs the two-job flow scenario with `sets`; the jobs' mean iteration. */
static void two_jobs(const char *const *sets, size_t nsets, double it[2])
{
    char tmp[64], out[128], path[256];
    make_tmpdir(tmp, sizeof tmp);
    snprintf(out, sizeof out, "%s/run", tmp);
    dcs_run_opts_t o = {
        SC "train_flow_two_jobs.yaml", out, 0, 0, sets, nsets, NULL, NULL, 0};
    dcs_err_t err = {""};
    ck_assert_msg(dcs_world_run(&o, NULL, &err) == 0, "%s", err.msg);
    snprintf(path, sizeof path, "%s/training.csv", out);
    dcs_table_t t;
    ck_assert_int_eq(dcs_table_read(path, &t, &err), 0);
    ck_assert_int_eq(t.nrows, 2);
    it[0] = cell(&t, 0, "mean_iteration_s");
    it[1] = cell(&t, 1, "mean_iteration_s");
    dcs_table_free(&t);
    remove_tree(tmp);
}

START_TEST(test_training_flow_contention)
{
    /* Analytical collectives price both jobs alike. As flows, a job alone
     * meets the oversubscribed uplink (several times slower); run
     * together, each shares it with the other: the first is slowed when
     * the second starts, and both are slower than alone. */
    const char *analytical[] = {"network.collectives=analytical"};
    const char *apart[] = {"workload.jobs.1.submit_s=100000"};
    double a[2], alone[2], together[2];
    two_jobs(analytical, 1, a);
    two_jobs(apart, 1, alone);
    two_jobs(NULL, 0, together);
    ck_assert_double_eq_tol(a[0], a[1], 1e-12);
    ck_assert_double_gt(alone[0], 2 * a[0]);
    ck_assert_double_eq_tol(alone[0], alone[1], 1e-9);
    ck_assert_double_gt(together[0], 1.5 * alone[0]);
    ck_assert_double_gt(together[1], 1.5 * alone[1]);
}
END_TEST

START_TEST(test_training_flow_pipeline)
{
    /* The first job as a pipeline (pp 3, one stage per node): its sends
     * from node 1 to node 2 cross the thin spine link, so as flows it is
     * slower than with the analytical model; with the second job's rings
     * on the same link at the same time it is slower still. */
    const char *analytical[] = {"workload.jobs.0.plan.dp=1",
                                "workload.jobs.0.plan.pp=3",
                                "network.collectives=analytical"};
    const char *apart[] = {"workload.jobs.0.plan.dp=1",
                           "workload.jobs.0.plan.pp=3",
                           "workload.jobs.1.submit_s=100000"};
    double a[2], alone[2], together[2];
    two_jobs(analytical, 3, a);
    two_jobs(apart, 3, alone);
    two_jobs(apart, 2, together);
    ck_assert_double_gt(alone[0], 1.5 * a[0]);
    ck_assert_double_gt(together[0], 1.2 * alone[0]);
}
END_TEST

START_TEST(test_training_power_cap)
{
    /* Without a cap the GPT-1.3B iteration (tp 8, small GEMMs) draws
     * about 370 W of the H100's 700 W; capped at 250 W every board is held
     * at exactly 250 W and the iteration is slower (its GEMMs and attention
     * run at a lower clock). */
    const char *free_run[] = {"network.collectives=analytical"};
    const char *capped[] = {"network.collectives=analytical",
                            "cluster.gpu_power_cap_w=250"};
    double a[2], c[2];
    two_jobs(free_run, 1, a);
    two_jobs(capped, 2, c);
    ck_assert_double_gt(c[0], 1.05 * a[0]);
    char tmp[64], out[128], path[256];
    make_tmpdir(tmp, sizeof tmp);
    snprintf(out, sizeof out, "%s/run", tmp);
    dcs_run_opts_t o = {
        SC "train_flow_two_jobs.yaml", out, 0, 0, capped, 2, NULL, NULL, 0};
    dcs_err_t err = {""};
    ck_assert_msg(dcs_world_run(&o, NULL, &err) == 0, "%s", err.msg);
    snprintf(path, sizeof path, "%s/training.csv", out);
    dcs_table_t t;
    ck_assert_int_eq(dcs_table_read(path, &t, &err), 0);
    ck_assert_double_eq_tol(cell(&t, 0, "gpu_power_w"), 250, 1e-6);
    ck_assert_double_gt(cell(&t, 0, "power_demand_w"), 250);
    ck_assert_double_lt(cell(&t, 0, "clock_factor"), 1);
    dcs_table_free(&t);
    remove_tree(tmp);
}
END_TEST

/* Runs the two-job scenario with `sets`; returns jobs.csv (caller frees)
 * and, when `budget` is not NULL, budget.csv. */
static void two_jobs_tables(const char *const *sets, size_t nsets,
                            dcs_table_t *jobs, dcs_table_t *budget)
{
    char tmp[64], out[128], path[256];
    make_tmpdir(tmp, sizeof tmp);
    snprintf(out, sizeof out, "%s/run", tmp);
    dcs_run_opts_t o = {
        SC "train_flow_two_jobs.yaml", out, 0, 0, sets, nsets, NULL, NULL, 0};
    dcs_err_t err = {""};
    ck_assert_msg(dcs_world_run(&o, NULL, &err) == 0, "%s", err.msg);
    snprintf(path, sizeof path, "%s/jobs.csv", out);
    ck_assert_int_eq(dcs_table_read(path, jobs, &err), 0);
    snprintf(path, sizeof path, "%s/budget.csv", out);
    if (budget)
        ck_assert_msg(dcs_table_read(path, budget, &err) == 0, "%s", err.msg);
    else
        ck_assert(!exists(path));
    remove_tree(tmp);
}

START_TEST(test_budget_hold)
{
    /* One team with $0.001 per 100 s period: the first job (0 to 6.32 s)
     * overspends it at once; the second, submitted at 10 s, is held to
     * the next period and starts at exactly 100 s (queue delay 90 s).
     * Without hold_over_budget it starts on arrival; without budgets no
     * budget.csv is written. */
    const char *hold[] = {
        "network.collectives=analytical", "workload.jobs.1.submit_s=10",
        "budgets={period_s: 100, hold_over_budget: true, teams: [{name: "
        "default, usd_per_period: 0.001}]}"};
    const char *watch[] = {"network.collectives=analytical",
                           "workload.jobs.1.submit_s=10",
                           "budgets={period_s: 100, teams: [{name: default, "
                           "usd_per_period: 0.001}]}"};
    dcs_table_t jobs, budget;
    two_jobs_tables(hold, 3, &jobs, &budget);
    ck_assert_double_eq_tol(cell(&jobs, 1, "start_time_s"), 100, 1e-9);
    ck_assert_double_eq_tol(cell(&jobs, 1, "queue_delay_s"), 90, 1e-9);
    ck_assert_uint_eq(budget.nrows, 2);
    int alert = dcs_table_col(&budget, "alert");
    ck_assert_str_eq(budget.cells[0][alert], "over_actual");
    ck_assert_double_eq(cell(&budget, 0, "alert_at_s"), 0);
    ck_assert_double_gt(cell(&budget, 0, "actual_usd"), 0.001);
    dcs_table_free(&jobs);
    dcs_table_free(&budget);
    two_jobs_tables(watch, 3, &jobs, &budget);
    ck_assert_double_eq_tol(cell(&jobs, 1, "start_time_s"), 10, 1e-9);
    ck_assert_str_eq(budget.cells[0][alert], "over_actual");
    dcs_table_free(&jobs);
    dcs_table_free(&budget);
    two_jobs_tables(watch, 2, &jobs, NULL);
    dcs_table_free(&jobs);
}
END_TEST

START_TEST(test_facility_power_cap)
{
    /* Proportional facility: facility = IT x 1.3 x 1.05 = 1.365 IT. Idle,
     * the cluster's IT is 48 x 121.6 (H100 idle) + 6 x 2500 (hosts) =
     * 20836.8 W; a job is admitted when IT now + 24 x (700 - 121.6) =
     * 13881.6 W stays within cap / 1.365. A cap of 36000 x 1.365 W admits
     * the first job (34718.4 W) but not the second while the first runs
     * (its boards above idle): the second starts when the first ends.
     * Without the cap both start at 0. */
    const char *capped[] = {"network.collectives=analytical",
                            "facility.power_cap_w=49140"};
    const char *free_run[] = {"network.collectives=analytical"};
    dcs_table_t jobs;
    two_jobs_tables(capped, 2, &jobs, NULL);
    ck_assert_double_eq(cell(&jobs, 0, "start_time_s"), 0);
    ck_assert_double_eq_tol(cell(&jobs, 1, "start_time_s"),
                            cell(&jobs, 0, "end_time_s"), 1e-9);
    dcs_table_free(&jobs);
    two_jobs_tables(free_run, 1, &jobs, NULL);
    ck_assert_double_eq(cell(&jobs, 1, "start_time_s"), 0);
    dcs_table_free(&jobs);
}
END_TEST

START_TEST(test_power_cap_refuses_what_never_fits)
{
    /* As above (IT limit = cap / 1.365, idle IT 20,836.8 W, a GPU at its
     * limit 578.4 W over idle), with a cap of 30,000 x 1.365 W and job 1
     * shrunk to one node (tp 8, dp 1): job 0 needs 20,836.8 + 24 x 578.4 =
     * 34,718.4 W > 30,000 W even on the idle cluster, at any hour: it is
     * refused at submit (never queued, never retried) and counted; job 1
     * needs 20,836.8 + 8 x 578.4 = 25,464 W and runs from 0. The run ends.
     * A cap of 21,000 x 1.365 W leaves no room for even one GPU over the
     * idle 20,836.8 W: bad input at the key, nothing written. */
    const char *sets[] = {
        "network.collectives=analytical", "facility.power_cap_w=40950",
        "workload.jobs.1.plan={tp: 8, dp: 1, micro_batch: 4, global_batch: "
        "4, seq: 2048}"};
    char tmp[64], out[128], path[256];
    make_tmpdir(tmp, sizeof tmp);
    snprintf(out, sizeof out, "%s/run", tmp);
    dcs_run_opts_t o = {
        SC "train_flow_two_jobs.yaml", out, 0, 0, sets, 3, NULL, NULL, 0};
    dcs_err_t err = {""};
    ck_assert_msg(dcs_world_run(&o, NULL, &err) == 0, "%s", err.msg);
    dcs_table_t jobs, sum;
    snprintf(path, sizeof path, "%s/jobs.csv", out);
    ck_assert_int_eq(dcs_table_read(path, &jobs, &err), 0);
    snprintf(path, sizeof path, "%s/summary.csv", out);
    ck_assert_int_eq(dcs_table_read(path, &sum, &err), 0);
    int state = dcs_table_col(&jobs, "state");
    ck_assert_str_eq(jobs.cells[0][state], "refused");
    ck_assert_str_eq(jobs.cells[0][dcs_table_col(&jobs, "start_time_s")], "");
    ck_assert_str_eq(jobs.cells[1][state], "done");
    ck_assert_double_eq(cell(&jobs, 1, "start_time_s"), 0);
    ck_assert_double_eq(cell(&sum, 0, "jobs_refused"), 1);
    ck_assert_double_eq(cell(&sum, 0, "jobs_done"), 1);
    ck_assert_double_eq(cell(&sum, 0, "jobs_submitted"), 2);
    dcs_table_free(&jobs);
    dcs_table_free(&sum);
    remove_tree(tmp);

    make_tmpdir(tmp, sizeof tmp);
    snprintf(out, sizeof out, "%s/run", tmp);
    sets[1] = "facility.power_cap_w=28665";
    o.out_dir = out;
    int rc = dcs_world_run(&o, NULL, &err);
    int made = exists(out);
    remove_tree(tmp);
    ck_assert_int_eq(rc, DCS_EINPUT);
    ck_assert_msg(strstr(err.msg, "--set:1:") &&
                      strstr(err.msg, "'facility.power_cap_w'") &&
                      strstr(err.msg, "no job could ever start"),
                  "%s", err.msg);
    ck_assert(!made);
}
END_TEST

START_TEST(test_checkpoint_storm)
{
    /* ckpt_storm.yaml: four identical one-node jobs checkpoint together on
     * a 10 GB/s tier, so each write takes 4 x bytes / 10 GB/s (alone it
     * would take a quarter of that); with 1 GB/s node links each job's
     * node holds it to bytes / 1 GB/s and the others do not matter. With
     * 1e6 bytes per token each job reads 8,192 x 1e6 bytes per iteration,
     * all four at once from the 10 GB/s tier: 4 x 8.192 GB / 10 GB/s =
     * 3.2768 s, far longer than the computation, which waits on it. */
    const char *node[] = {"cluster.storage.node_gb_per_s=1"};
    const char *reads[] = {"workload.jobs.0.data_bytes_per_token=1e6",
                           "workload.jobs.1.data_bytes_per_token=1e6",
                           "workload.jobs.2.data_bytes_per_token=1e6",
                           "workload.jobs.3.data_bytes_per_token=1e6",
                           "workload.jobs.0.checkpoint.interval_s=1e9",
                           "workload.jobs.1.checkpoint.interval_s=1e9",
                           "workload.jobs.2.checkpoint.interval_s=1e9",
                           "workload.jobs.3.checkpoint.interval_s=1e9"};
    for (int k = 0; k < 3; k++) {
        char tmp[64], out[128], path[256];
        make_tmpdir(tmp, sizeof tmp);
        snprintf(out, sizeof out, "%s/run", tmp);
        dcs_run_opts_t o = {
            SC "ckpt_storm.yaml", out, 0, 0, NULL, 0, NULL, NULL, 0};
        if (k == 1) {
            o.sets = node;
            o.nsets = 1;
        } else if (k == 2) {
            o.sets = reads;
            o.nsets = 8;
        }
        dcs_err_t err = {""};
        ck_assert_msg(dcs_world_run(&o, NULL, &err) == 0, "%s", err.msg);
        dcs_table_t t;
        snprintf(path, sizeof path, "%s/training.csv", out);
        ck_assert_int_eq(dcs_table_read(path, &t, &err), 0);
        ck_assert_int_eq(t.nrows, 4);
        for (size_t r = 0; r < 4; r++) {
            double bytes = cell(&t, r, "checkpoint_bytes");
            double n = cell(&t, r, "checkpoints");
            double each = k == 1 ? bytes / 1e9 : 4 * bytes / 1e10;
            if (k == 2) {
                /* (checkpoints off: each job would set its period in
                 * iterations at its start, when fewer others read, and the
                 * jobs would no longer end together) */
                ck_assert_double_eq_tol(cell(&t, r, "iteration_s"), 3.2768,
                                        1e-6);
                ck_assert_double_eq_tol(cell(&t, r, "mean_iteration_s"), 3.2768,
                                        1e-6);
                ck_assert_double_gt(cell(&t, r, "data_stall_s"), 3.0);
                continue;
            }
            ck_assert_double_ge(n, 2);
            ck_assert_double_eq(cell(&t, r, "data_stall_s"), 0);
            ck_assert_double_eq_tol(cell(&t, r, "checkpoint_write_mean_s"),
                                    each, 1e-6 * each);
            ck_assert_double_eq_tol(cell(&t, r, "checkpoint_time_s"), n * each,
                                    1e-6 * n * each);
            /* alone, as the job was priced at load */
            ck_assert_double_eq_tol(cell(&t, r, "checkpoint_write_s"),
                                    k == 1 ? bytes / 1e9 : bytes / 1e10,
                                    1e-9 * bytes);
        }
        dcs_table_free(&t);
        remove_tree(tmp);
    }
}
END_TEST

START_TEST(test_trace_compare)
{
    /* The Helios sample (14 records, 5 kept: the reader's own test counts
     * them) under three policies with dcsim compare: every policy finishes
     * the same 5 jobs and, with no checkpoint costs, holds GPUs for the
     * same GPU-hours; EASY never ends later than FIFO; the counts go to
     * stderr once. */
    char tmp[64], out[128], path[256];
    make_tmpdir(tmp, sizeof tmp);
    snprintf(out, sizeof out, "%s/cmp", tmp);
    const char *args[] = {"compare",    SC "trace_helios.yaml",
                          "--policies", "fifo,easy,tiresias",
                          "--out",      out,
                          NULL};
    char *so, *se;
    ck_assert_int_eq(run_dcsim(args, &so, &se), 0);
    ck_assert_msg(strstr(se, "14 records, 5 jobs kept") != NULL, "%s", se);
    ck_assert_ptr_null(strstr(strstr(se, "records") + 1, "records"));
    free(so);
    free(se);
    dcs_table_t t;
    dcs_err_t err = {""};
    snprintf(path, sizeof path, "%s/compare.csv", out);
    ck_assert_int_eq(dcs_table_read(path, &t, &err), 0);
    ck_assert_int_eq(t.nrows, 3);
    for (size_t r = 0; r < 3; r++) {
        ck_assert_double_eq(cell(&t, r, "jobs_done"), 5);
        ck_assert_double_eq_tol(cell(&t, r, "gpu_hours"),
                                cell(&t, 0, "gpu_hours"), 1e-9);
    }
    ck_assert_double_le(cell(&t, 1, "makespan_s"), cell(&t, 0, "makespan_s"));
    ck_assert_int_lt(dcs_table_col(&t, "slo_attainment"), 0); /* no serving */
    dcs_table_free(&t);
    snprintf(path, sizeof path, "%s/easy/jobs.csv", out);
    ck_assert(exists(path));
    /* no policies: bad input */
    const char *bad[] = {"compare", SC "trace_helios.yaml", NULL};
    ck_assert_int_eq(run_dcsim(bad, &so, &se), 2);
    free(so);
    free(se);
    remove_tree(tmp);
}
END_TEST

START_TEST(test_trace_elastic)
{
    /* trace_elastic.yaml: dcsim_elastic.csv's two jobs given by their work
     * on one node of 8 GPUs, resize_s 1, under fifo and elastic.
     *   A at 0: 80 GPU-s, asks 4 GPUs, elastic [2, 8]: 20 s on 4;
     *   B at 2: 20 GPU-s on 4 GPUs: 5 s.
     * fifo: A [0, 20) on 4, B [2, 7): 100 GPU-s, no resizes.
     * elastic: A waits alone and starts on 8 (10 s); at 2 it shrinks to 4
     * for B (16 GPU-s done, 64 left: 16 s + 1 s, end 19); B [2, 7); at 7
     * A (12 s left on 4) grows to 8: 6 s + 1 s, ends 14. A held 8 x 2 +
     * 4 x 5 + 8 x 7 = 92 GPU-s; 2 resizes. Both jobs draw busy power on
     * every GPU they hold, and a host share per GPU: the same IT energy
     * per GPU-hour. */
    char tmp[64], out[128], path[256];
    make_tmpdir(tmp, sizeof tmp);
    snprintf(out, sizeof out, "%s/cmp", tmp);
    const char *args[] = {"compare",    SC "trace_elastic.yaml",
                          "--policies", "fifo,elastic",
                          "--out",      out,
                          NULL};
    char *so, *se;
    ck_assert_int_eq(run_dcsim(args, &so, &se), 0);
    free(so);
    free(se);
    dcs_table_t t;
    dcs_err_t err = {""};
    snprintf(path, sizeof path, "%s/compare.csv", out);
    ck_assert_int_eq(dcs_table_read(path, &t, &err), 0);
    ck_assert_int_eq(t.nrows, 2);
    ck_assert_double_eq_tol(cell(&t, 0, "makespan_s"), 20, 1e-9);
    ck_assert_double_eq_tol(cell(&t, 1, "makespan_s"), 14, 1e-9);
    ck_assert_double_eq_tol(cell(&t, 0, "gpu_hours"), 100 / 3600.0, 1e-9);
    ck_assert_double_eq_tol(cell(&t, 1, "gpu_hours"), 112 / 3600.0, 1e-9);
    ck_assert_double_eq(cell(&t, 0, "resizes"), 0);
    ck_assert_double_eq(cell(&t, 1, "resizes"), 2);
    dcs_table_free(&t);

    snprintf(path, sizeof path, "%s/elastic/jobs.csv", out);
    ck_assert_int_eq(dcs_table_read(path, &t, &err), 0);
    ck_assert_int_eq(t.nrows, 2);
    const double start[2] = {0, 2}, end[2] = {14, 7}, gpus[2] = {8, 4};
    const double resizes[2] = {2, 0}, gpu_s[2] = {92, 20};
    for (size_t r = 0; r < 2; r++) {
        ck_assert_double_eq_tol(cell(&t, r, "start_time_s"), start[r], 1e-9);
        ck_assert_double_eq_tol(cell(&t, r, "end_time_s"), end[r], 1e-9);
        ck_assert_double_eq(cell(&t, r, "gpus"), gpus[r]);
        ck_assert_double_eq(cell(&t, r, "resizes"), resizes[r]);
        ck_assert_double_eq_tol(cell(&t, r, "gpu_hours"), gpu_s[r] / 3600,
                                1e-9);
    }
    double per_a = cell(&t, 0, "energy_kwh") / cell(&t, 0, "gpu_hours");
    double per_b = cell(&t, 1, "energy_kwh") / cell(&t, 1, "gpu_hours");
    ck_assert_double_eq_tol(per_a, per_b, 1e-8 * per_b);
    dcs_table_free(&t);
    snprintf(path, sizeof path, "%s/elastic/summary.csv", out);
    ck_assert_int_eq(dcs_table_read(path, &t, &err), 0);
    ck_assert_double_eq(cell(&t, 0, "resizes"), 2);
    dcs_table_free(&t);
    remove_tree(tmp);
}
END_TEST

/* Runs `scenario` with `sets` into `out` (a folder not there yet); the
 * notes it prints (the trace's counts) into `notes`. */
static void run_with_notes(const char *scenario, const char *const *sets,
                           size_t nsets, const char *out, char *notes,
                           size_t size)
{
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    dcs_run_opts_t o = {scenario, out, 0, 0, sets, nsets, NULL, f, 0};
    dcs_err_t err = {""};
    ck_assert_msg(dcs_world_run(&o, NULL, &err) == 0, "%s", err.msg);
    rewind(f);
    size_t n = fread(notes, 1, size - 1, f);
    notes[n] = '\0';
    fclose(f);
}

START_TEST(test_trace_training_equiv)
{
    /* trace_training.yaml replays two training rows of dcsim's CSV on 2
     * nodes of 8 H100s; train_equiv.yaml is the same two jobs written as
     * `kind: training`. `big` (16 GPUs, no plan columns) gets the default
     * plan: tp = min(16, 8 GPUs per node) = 8, pp 1, dp = 16 / (8 x 1) =
     * 2, micro_batch 1, global_batch 1 x 2 = 2, seq 2048 (gpt3-1.3b.yaml's
     * seq_len); `small` its own (tp 4, pp 2, dp 8 / 8 = 1, micro_batch 2,
     * global_batch 8, seq 1024). Both runs price, place and run the jobs
     * alike: training.csv is the same bytes, and in jobs.csv the two agree
     * on everything but the name (a `kind: training` job has none there).
     * With no failures, checkpoints or storage, a job runs exactly its
     * iterations x its iteration time: big from 0 to 200 x iteration_s,
     * small from 1000 (the cluster is free by then) to 1000 + 100 x
     * its iteration_s. */
    char tmp[64], a[128], b[128], pa[256], pb[256], notes[1024];
    make_tmpdir(tmp, sizeof tmp);
    snprintf(a, sizeof a, "%s/trace", tmp);
    snprintf(b, sizeof b, "%s/yaml", tmp);
    run_with_notes(SC "trace_training.yaml", NULL, 0, a, notes, sizeof notes);
    ck_assert_str_eq(notes, "dcsim: trace: 2 records, 2 jobs kept, 0 "
                            "censored, 0 fractional; dropped: none\n");
    dcs_run_opts_t o = {SC "train_equiv.yaml", b, 0, 0, NULL, 0, NULL, NULL, 0};
    dcs_err_t err = {""};
    ck_assert_msg(dcs_world_run(&o, NULL, &err) == 0, "%s", err.msg);
    size_t la, lb;
    snprintf(pa, sizeof pa, "%s/training.csv", a);
    snprintf(pb, sizeof pb, "%s/training.csv", b);
    char *x = slurp(pa, &la), *y = slurp(pb, &lb);
    ck_assert_msg(la == lb && memcmp(x, y, la) == 0, "training.csv differs");
    free(x);
    free(y);

    dcs_table_t t;
    ck_assert_int_eq(dcs_table_read(pa, &t, &err), 0);
    ck_assert_int_eq(t.nrows, 2);
    const double plan[2][6] = {{8, 1, 2, 1, 2, 2048}, {4, 2, 1, 2, 8, 1024}};
    const char *cols[6] = {"tp",          "pp",           "dp",
                           "micro_batch", "global_batch", "seq"};
    for (size_t r = 0; r < 2; r++)
        for (size_t c = 0; c < 6; c++)
            ck_assert_double_eq(cell(&t, r, cols[c]), plan[r][c]);
    ck_assert_str_eq(t.cells[0][dcs_table_col(&t, "model")], "gpt3-1.3b");
    double it[2] = {cell(&t, 0, "iteration_s"), cell(&t, 1, "iteration_s")};
    ck_assert_double_gt(it[0], 0);
    ck_assert_double_gt(it[1], 0);
    dcs_table_free(&t);

    dcs_table_t ja, jb;
    snprintf(pa, sizeof pa, "%s/jobs.csv", a);
    snprintf(pb, sizeof pb, "%s/jobs.csv", b);
    ck_assert_int_eq(dcs_table_read(pa, &ja, &err), 0);
    ck_assert_int_eq(dcs_table_read(pb, &jb, &err), 0);
    ck_assert_int_eq(ja.nrows, 2);
    ck_assert_int_eq(jb.nrows, 2);
    const double start[2] = {0, 1000}, iters[2] = {200, 100}, gpus[2] = {16, 8};
    const char *same[] = {"start_time_s", "end_time_s", "gpus",
                          "iterations",   "energy_kwh", "cost_usd",
                          "gpu_hours"};
    for (size_t r = 0; r < 2; r++) {
        for (size_t c = 0; c < sizeof same / sizeof *same; c++)
            ck_assert_str_eq(ja.cells[r][dcs_table_col(&ja, same[c])],
                             jb.cells[r][dcs_table_col(&jb, same[c])]);
        ck_assert_double_eq(cell(&ja, r, "start_time_s"), start[r]);
        ck_assert_double_eq(cell(&ja, r, "iterations"), iters[r]);
        ck_assert_double_eq(cell(&ja, r, "gpus"), gpus[r]);
        ck_assert_double_eq_tol(cell(&ja, r, "end_time_s"),
                                start[r] + iters[r] * it[r], 1e-6);
    }
    ck_assert_str_eq(ja.cells[0][dcs_table_col(&ja, "name")], "big");
    dcs_table_free(&ja);
    dcs_table_free(&jb);
    remove_tree(tmp);
}
END_TEST

START_TEST(test_trace_training_drops)
{
    /* trace_training_drops.yaml replays the reader's sample
     * (dcsim_training.csv: 20 records, 9 kept by the reader, 11 dropped;
     * test_trace.c counts them) on 2 nodes of 8 H100s without a fabric.
     * Of the 9 the cluster takes 2: `fixed` (4 GPUs, 30 s) and `t8`
     * (gpt3-1.3b on 8 GPUs, tp 4, pp 2, dp 1). It drops, in the order
     * they are first seen (the reader's, then unrunnable sizes, then
     * pricing in submission order):
     *   big: 24 GPUs, more GPUs than the cluster (16);
     *   t16: 16 GPUs span 2 nodes, and no fabric joins them;
     *   elastic: 12 GPUs within [9, 15], tp = min(12, 8) = 8: no size in
     *     its bounds is a multiple of 8: no elastic size fits;
     *   ghost: no workloads/models/no-such-model.yaml: unknown model;
     *   nodp: 12 GPUs, tp = min(12, 8) = 8, 12 / 8 not whole: bad plan;
     *   batch: global_batch 3 not a multiple of micro_batch 2 x dp 1: bad
     *     plan;
     *   huge: llama3-70b on tp 8 holds 70.6e9 / 8 parameters per rank,
     *     12 B each of optimizer state alone = 106 GB over the H100's 80
     *     GiB: the plan does not fit.
     * 2 + 11 + 7 = 20. */
    char tmp[64], out[128], path[256], notes[1024];
    make_tmpdir(tmp, sizeof tmp);
    snprintf(out, sizeof out, "%s/run", tmp);
    run_with_notes(SC "trace_training_drops.yaml", NULL, 0, out, notes,
                   sizeof notes);
    ck_assert_str_eq(notes,
                     "dcsim: trace: 20 records, 2 jobs kept, 0 censored, 0 "
                     "fractional; dropped: both duration and model 2, unknown "
                     "model 2, bad iterations 4, bad plan 6, more GPUs than "
                     "the cluster 1, plan spans nodes without a fabric 1, no "
                     "elastic size fits 1, plan does not fit 1\n");
    dcs_table_t t;
    dcs_err_t err = {""};
    snprintf(path, sizeof path, "%s/training.csv", out);
    ck_assert_int_eq(dcs_table_read(path, &t, &err), 0);
    ck_assert_int_eq(t.nrows, 1);
    ck_assert_str_eq(t.cells[0][dcs_table_col(&t, "name")], "t8");
    ck_assert_double_eq(cell(&t, 0, "job_id"), 1); /* fixed (at 5) is 0 */
    ck_assert_double_eq(cell(&t, 0, "tp"), 4);
    ck_assert_double_eq(cell(&t, 0, "pp"), 2);
    ck_assert_double_eq(cell(&t, 0, "dp"), 1);
    ck_assert_double_eq(cell(&t, 0, "global_batch"), 8);
    ck_assert_double_eq(cell(&t, 0, "seq"), 1024);
    ck_assert_double_eq(cell(&t, 0, "iterations"), 100);
    dcs_table_free(&t);
    snprintf(path, sizeof path, "%s/jobs.csv", out);
    ck_assert_int_eq(dcs_table_read(path, &t, &err), 0);
    ck_assert_int_eq(t.nrows, 2);
    int iters = dcs_table_col(&t, "iterations");
    ck_assert_str_eq(t.cells[0][iters], ""); /* a job of a fixed length */
    ck_assert_str_eq(t.cells[1][iters], "100");
    ck_assert_double_eq(cell(&t, 0, "end_time_s"), 35);
    ck_assert_double_eq(cell(&t, 1, "start_time_s"), 10);
    dcs_table_free(&t);
    remove_tree(tmp);
}
END_TEST

START_TEST(test_trace_training_hopeless)
{
    /* trace_training_failing.yaml: `endless` runs 2,000,000 iterations of
     * about 0.033 s (18 h) on both nodes, each failing every 2 h on
     * average (one failure an hour for the job), with no checkpoints: Daly
     * expects e^18 hours, far over 10 years, so it is refused at submit;
     * `short` (200 iterations on one node) runs from 10 s. The run ends. */
    char tmp[64], out[128], path[256], notes[1024];
    make_tmpdir(tmp, sizeof tmp);
    snprintf(out, sizeof out, "%s/run", tmp);
    run_with_notes(SC "trace_training_failing.yaml", NULL, 0, out, notes,
                   sizeof notes);
    dcs_table_t t;
    dcs_err_t err = {""};
    snprintf(path, sizeof path, "%s/jobs.csv", out);
    ck_assert_int_eq(dcs_table_read(path, &t, &err), 0);
    ck_assert_int_eq(t.nrows, 2);
    int state = dcs_table_col(&t, "state");
    ck_assert_str_eq(t.cells[0][state], "refused");
    ck_assert_str_eq(t.cells[1][state], "done");
    ck_assert_double_eq(cell(&t, 1, "start_time_s"), 10);
    dcs_table_free(&t);
    snprintf(path, sizeof path, "%s/summary.csv", out);
    ck_assert_int_eq(dcs_table_read(path, &t, &err), 0);
    ck_assert_double_eq(cell(&t, 0, "jobs_refused"), 1);
    dcs_table_free(&t);
    remove_tree(tmp);
}
END_TEST

START_TEST(test_training_own_failures_hopeless)
{
    /* Llama 3's 16,384 GPUs failing 0.01 times an hour each: a failure
     * every 22 s against hourly checkpoints, so every segment is expected
     * to take e^(3600 / 22) x 22 s: bad input at the job's failures. */
    const char *wants[] = {
        "llama3-405b-54days.yaml:", "field 'workload.jobs[0].failures'",
        "are expected to take",     "the work since its last checkpoint",
        "the limit is 10 years",    NULL};
    expect_training_error(L405, "workload.jobs.0.failures.per_gpu_per_h=0.01",
                          wants);
}
END_TEST

START_TEST(test_serving_shares_the_cluster)
{
    /* serve_and_jobs.yaml: one replica and two trace jobs on one 8-GPU
     * node, FIFO. The replica is submitted as the run starts (job id 2,
     * after the trace's 0 and 1) and takes a GPU; `seven` (7 GPUs, 10 s)
     * starts at 0 beside it; `eight` (8 GPUs, submitted at 1 s) starts
     * when the replica leaves, i.e. at the replica's own end time, and
     * runs 10 s. The jobs never touch the replica's GPU, so its requests
     * are served exactly as by the replica alone (serve_alone.yaml):
     * requests.csv is the same bytes. The summary's job figures leave the
     * replica out. */
    char tmp[64], a[128], b[128], path[256], pb[256];
    make_tmpdir(tmp, sizeof tmp);
    snprintf(a, sizeof a, "%s/shared", tmp);
    snprintf(b, sizeof b, "%s/alone", tmp);
    char notes[512];
    run_with_notes(SC "serve_and_jobs.yaml", NULL, 0, a, notes, sizeof notes);
    run_with_notes(SC "serve_alone.yaml", NULL, 0, b, notes, sizeof notes);
    dcs_table_t t;
    dcs_err_t err = {""};
    snprintf(path, sizeof path, "%s/jobs.csv", a);
    ck_assert_int_eq(dcs_table_read(path, &t, &err), 0);
    ck_assert_int_eq(t.nrows, 3);
    int team = dcs_table_col(&t, "team");
    ck_assert_str_eq(t.cells[0][team], "serving");
    ck_assert_double_eq(cell(&t, 0, "job_id"), 2);
    double served_until = cell(&t, 0, "end_time_s");
    ck_assert(served_until > 1);
    ck_assert_double_eq(cell(&t, 1, "job_id"), 0);
    ck_assert_double_eq(cell(&t, 1, "start_time_s"), 0);
    ck_assert_double_eq(cell(&t, 1, "end_time_s"), 10);
    ck_assert_double_eq(cell(&t, 2, "job_id"), 1);
    ck_assert_double_eq(cell(&t, 2, "start_time_s"), served_until);
    ck_assert_double_eq_tol(cell(&t, 2, "end_time_s"), served_until + 10, 1e-9);
    dcs_table_free(&t);
    /* summary.csv's job figures are the trace's two jobs', the replica
     * apart: JCTs 10 and (served_until + 10 - 1) s, queueing 0 and
     * (served_until - 1) s */
    snprintf(path, sizeof path, "%s/summary.csv", a);
    ck_assert_int_eq(dcs_table_read(path, &t, &err), 0);
    ck_assert_double_eq(cell(&t, 0, "jobs_submitted"), 2);
    ck_assert_double_eq(cell(&t, 0, "jobs_done"), 2);
    ck_assert_double_eq_tol(cell(&t, 0, "mean_jct_s"),
                            (10 + served_until + 9) / 2, 1e-6);
    ck_assert_double_eq_tol(cell(&t, 0, "mean_queue_delay_s"),
                            (served_until - 1) / 2, 1e-6);
    dcs_table_free(&t);
    snprintf(path, sizeof path, "%s/requests.csv", a);
    snprintf(pb, sizeof pb, "%s/requests.csv", b);
    size_t la = 0, lb = 0;
    char *x = slurp(path, &la), *y = slurp(pb, &lb);
    ck_assert(la > 0 && la == lb && memcmp(x, y, la) == 0);
    free(x);
    free(y);
    snprintf(path, sizeof path, "%s/serving.csv", a);
    ck_assert(exists(path));
    remove_tree(tmp);
}
END_TEST

START_TEST(test_serving_priority_preempts)
{
    /* serve_preempts_jobs.yaml: replica 1 on GPU 0, `seven` (job 0, 7
     * GPUs, 1,000 s) on the rest from 0; the autoscaler adds replica 2
     * (job 2) at some tick t with no GPU free. Priority policy, replicas
     * at priority 10: `seven` is stopped at t with t s of work done (no
     * save or restore costs), replica 2 starts at t, and `seven` resumes
     * when replica 2 leaves at its end e2, ending at
     * e2 + 1000 - t. At priority 0 nothing is stopped: `seven` ends at
     * 1,000 s and replica 2 starts when replica 1 leaves. */
    char tmp[64], out[128], path[256], notes[512];
    dcs_table_t t;
    dcs_err_t err = {""};
    for (int prio = 0; prio < 2; prio++) {
        make_tmpdir(tmp, sizeof tmp);
        snprintf(out, sizeof out, "%s/run", tmp);
        const char *sets[] = {prio ? "workload.0.priority=10"
                                   : "workload.0.priority=0"};
        run_with_notes(SC "serve_preempts_jobs.yaml", sets, 1, out, notes,
                       sizeof notes);
        snprintf(path, sizeof path, "%s/jobs.csv", out);
        ck_assert_int_eq(dcs_table_read(path, &t, &err), 0);
        ck_assert_int_eq(t.nrows, 3);
        /* rows: replica 1 (id 1), seven (id 0), replica 2 (id 2) */
        ck_assert_double_eq(cell(&t, 1, "job_id"), 0);
        ck_assert_double_eq(cell(&t, 2, "job_id"), 2);
        double t_up = cell(&t, 2, "submit_time_s");
        double e1 = cell(&t, 0, "end_time_s"), s2 = cell(&t, 2, "start_time_s");
        double e2 = cell(&t, 2, "end_time_s");
        ck_assert(t_up > 0);
        if (prio) {
            ck_assert_double_eq(cell(&t, 1, "preemptions"), 1);
            ck_assert_double_eq(s2, t_up);
            ck_assert_double_eq_tol(cell(&t, 1, "end_time_s"), e2 + 1000 - t_up,
                                    1e-6);
        } else {
            ck_assert_double_eq(cell(&t, 1, "preemptions"), 0);
            ck_assert_double_eq(cell(&t, 1, "end_time_s"), 1000);
            ck_assert_double_eq(s2, e1);
        }
        dcs_table_free(&t);
        remove_tree(tmp);
    }
}
END_TEST

START_TEST(test_serving_summary_lines)
{
    /* The printed summary of a serving run repeats serving.csv's figures:
     * each line below is formatted here from the CSV's cells. */
    char tmp[64], out[128], path[256], want[256];
    make_tmpdir(tmp, sizeof tmp);
    snprintf(out, sizeof out, "%s/run", tmp);
    FILE *table = tmpfile();
    ck_assert_ptr_nonnull(table);
    dcs_run_opts_t o = {
        SC "serve_alone.yaml", out, 0, 0, NULL, 0, NULL, NULL, 0};
    dcs_err_t err = {""};
    ck_assert_msg(dcs_world_run(&o, table, &err) == 0, "%s", err.msg);
    rewind(table);
    char text[8192];
    size_t n = fread(text, 1, sizeof text - 1, table);
    text[n] = '\0';
    fclose(table);
    dcs_table_t t;
    snprintf(path, sizeof path, "%s/serving.csv", out);
    ck_assert_int_eq(dcs_table_read(path, &t, &err), 0);
    snprintf(want, sizeof want,
             "%-26s %.0f of %.0f (%.0f refused, %.0f "
             "unfinished)\n",
             "requests served", cell(&t, 0, "served"), cell(&t, 0, "requests"),
             cell(&t, 0, "refused"), cell(&t, 0, "unfinished"));
    ck_assert_msg(strstr(text, want), "no '%s' in:\n%s", want, text);
    snprintf(want, sizeof want, "%-26s %.3f / %.3f / %.3f s\n",
             "TTFT p50 / p90 / p99", cell(&t, 0, "ttft_p50_s"),
             cell(&t, 0, "ttft_p90_s"), cell(&t, 0, "ttft_p99_s"));
    ck_assert_msg(strstr(text, want), "no '%s' in:\n%s", want, text);
    snprintf(want, sizeof want,
             "%-26s %.1f %% (TTFT <= 2 s and TPOT <= 0.1 "
             "s)\n",
             "SLO attainment", 100.0 * cell(&t, 0, "slo_attainment"));
    ck_assert_msg(strstr(text, want), "no '%s' in:\n%s", want, text);
    snprintf(want, sizeof want,
             "%-26s %.4f Wh per 1,000, $%.4f per "
             "million\n",
             "per token", cell(&t, 0, "energy_wh_per_1k_tokens"),
             cell(&t, 0, "cost_usd_per_m_tokens"));
    ck_assert_msg(strstr(text, want), "no '%s' in:\n%s", want, text);
    dcs_table_free(&t);
    remove_tree(tmp);
}
END_TEST

START_TEST(test_compare_serving_columns)
{
    /* dcsim compare on a scenario that serves: compare.csv gains each
     * run's serving.csv figures (the same cells), and under the priority
     * policy the autoscaled replica's preemption shows (preemptions 1,
     * fifo 0). */
    char tmp[64], out[128], path[256];
    make_tmpdir(tmp, sizeof tmp);
    snprintf(out, sizeof out, "%s/cmp", tmp);
    const char *args[] = {"compare",    SC "serve_preempts_jobs.yaml",
                          "--policies", "fifo,priority",
                          "--out",      out,
                          NULL};
    char *so, *se;
    ck_assert_int_eq(run_dcsim(args, &so, &se), 0);
    free(so);
    free(se);
    dcs_table_t t, sv;
    dcs_err_t err = {""};
    snprintf(path, sizeof path, "%s/compare.csv", out);
    ck_assert_int_eq(dcs_table_read(path, &t, &err), 0);
    ck_assert_int_eq(t.nrows, 2);
    const char *pol[] = {"fifo", "priority"};
    static const char *const cols[] = {"slo_attainment", "ttft_p90_s",
                                       "tpot_p90_s", "replicas_peak",
                                       "cost_usd_per_m_tokens"};
    for (size_t r = 0; r < 2; r++) {
        snprintf(path, sizeof path, "%s/%s/serving.csv", out, pol[r]);
        ck_assert_int_eq(dcs_table_read(path, &sv, &err), 0);
        for (size_t c = 0; c < 5; c++)
            ck_assert_double_eq_tol(cell(&t, r, cols[c]), cell(&sv, 0, cols[c]),
                                    1e-9 * fabs(cell(&sv, 0, cols[c])));
        dcs_table_free(&sv);
        ck_assert_double_eq(cell(&t, r, "preemptions"), (double)r);
    }
    dcs_table_free(&t);
    remove_tree(tmp);
}
END_TEST

START_TEST(test_workload_list_bad_input)
{
    const char *two_serving[] = {
        "serve_part.yaml:4:7: field 'workload[1].kind': a workload list "
        "holds one part of kind serving and one of jobs (synthetic, "
        "training or trace); this is a second serving",
        NULL};
    expect_training_error(SC "bad_workload_two_serving.yaml", NULL,
                          two_serving);
    const char *two_jobs[] = {"bad_workload_two_jobs.yaml:13:12: field "
                              "'workload[1].kind'",
                              "this is a second part of jobs", NULL};
    expect_training_error(SC "bad_workload_two_jobs.yaml", NULL, two_jobs);
    const char *three[] = {"bad_workload_three.yaml:12:3: field 'workload': "
                           "expected a workload mapping, or a list of two "
                           "(one of kind serving, one of jobs), found a "
                           "list of 3",
                           NULL};
    expect_training_error(SC "bad_workload_three.yaml", NULL, three);
    const char *scalar[] = {"bad_workload_scalar.yaml:13:5: field "
                            "'workload[1]': expected a workload mapping "
                            "{kind: ...}",
                            NULL};
    expect_training_error(SC "bad_workload_scalar.yaml", NULL, scalar);
}
END_TEST

START_TEST(test_trace_training_bad_input)
{
    /* A trace with a model column and no `models:` folder: reported at the
     * trace's path (line 13, `  path: ` is 8 characters: column 9). */
    expect_file_error(SC "bad_trace_no_models.yaml",
                      SC "bad_trace_no_models.yaml:13:9: field "
                         "'workload.path': the trace has a 'model' column: "
                         "say where its models are with 'models: DIR' (a "
                         "folder of NAME.yaml, e.g. ../workloads/models)");
    /* The command: exit 2, the message, nothing written. */
    char tmp[64], out[128];
    make_tmpdir(tmp, sizeof tmp);
    snprintf(out, sizeof out, "%s/run", tmp);
    const char *args[] = {"run", SC "bad_trace_no_models.yaml", "--out", out,
                          NULL};
    char *so, *se;
    ck_assert_int_eq(run_dcsim(args, &so, &se), 2);
    ck_assert_msg(strstr(se, "bad_trace_no_models.yaml:13:9: field "
                             "'workload.path'"),
                  "%s", se);
    ck_assert(!exists(out));
    free(so);
    free(se);
    remove_tree(tmp);
    /* `models:` that is no folder (`workload.models=` is 16 characters:
     * the value at column 17). */
    const char *nowhere[] = {"workload.models=nowhere"};
    expect_world_error(SC "trace_training.yaml", nowhere, 1, 0, 0,
                       "--set:1:17: field 'workload.models': expected a "
                       "folder of model files (NAME.yaml), found 'nowhere': "
                       "No such file or directory");
    /* A model file that is there but is no model: its own file:line:col
     * (`layers: many` on line 4, the value at column 9). */
    const char *broken[] = {
        "workload.path=tests/unit/data/traces/dcsim_train_broken.csv",
        "workload.models=tests/unit/data/models_bad"};
    expect_world_error(SC "trace_training.yaml", broken, 2, 0, 0,
                       "tests/unit/data/models_bad/broken.yaml:4:9: field "
                       "'layers': expected an integer in [1, 100000], found "
                       "'many'");
    /* Only dcsim's own format has training rows. */
    const char *helios[] = {"workload.format=helios",
                            "workload.path=tests/unit/data/traces/helios.csv"};
    expect_world_error(SC "trace_training.yaml", helios, 2, 0, 0,
                       SC "trace_training.yaml:19:11: field "
                          "'workload.models': only the dcsim format has "
                          "training rows; format helios has none");
}
END_TEST

START_TEST(test_elastic_conserves_work)
{
    /* sched-compare.yaml's 4,000 Helios-like jobs, half of them elastic,
     * under fifo and elastic with no resize cost: every job ends, and the
     * GPU-hours held are the work itself under both (each resize scales
     * the work left by old / new GPUs; only resize_s would add to it).
     * Without elastic jobs, elastic is fifo: the same reports. */
    char tmp[64], out[128], path[256];
    make_tmpdir(tmp, sizeof tmp);
    for (int frac = 0; frac < 2; frac++) {
        snprintf(out, sizeof out, "%s/cmp%d", tmp, frac);
        const char *args[] = {
            "compare",
            "scenarios/sched-compare.yaml",
            "--policies",
            "fifo,elastic",
            "--set",
            frac ? "workload.elastic_frac=0.5" : "workload.elastic_frac=0",
            "--out",
            out,
            NULL};
        char *so, *se;
        ck_assert_int_eq(run_dcsim(args, &so, &se), 0);
        free(so);
        free(se);
        dcs_table_t t;
        dcs_err_t err = {""};
        snprintf(path, sizeof path, "%s/compare.csv", out);
        ck_assert_int_eq(dcs_table_read(path, &t, &err), 0);
        ck_assert_double_eq(cell(&t, 0, "jobs_done"), 4000);
        ck_assert_double_eq(cell(&t, 1, "jobs_done"), 4000);
        ck_assert_double_eq_tol(cell(&t, 1, "gpu_hours"),
                                cell(&t, 0, "gpu_hours"),
                                1e-9 * cell(&t, 0, "gpu_hours"));
        if (frac) {
            ck_assert_double_gt(cell(&t, 1, "resizes"), 0);
            ck_assert_double_lt(cell(&t, 1, "mean_jct_s"),
                                cell(&t, 0, "mean_jct_s"));
        } else {
            ck_assert_double_eq(cell(&t, 1, "resizes"), 0);
            char a[256], b[256];
            snprintf(a, sizeof a, "%s/fifo/jobs.csv", out);
            snprintf(b, sizeof b, "%s/elastic/jobs.csv", out);
            size_t la, lb;
            char *ja = slurp(a, &la), *jb = slurp(b, &lb);
            ck_assert_uint_eq(la, lb);
            ck_assert(memcmp(ja, jb, la) == 0);
            free(ja);
            free(jb);
        }
        dcs_table_free(&t);
    }
    remove_tree(tmp);
}
END_TEST

START_TEST(test_node_switch_storage_power)
{
    /* host_parts.yaml: the two-job run with hosts given by their parts
     * (2 CPUs 100 W idle / 300 W busy, 500 W memory, 8 NICs of 25 W, fans
     * 200 W idle / 400 W busy, supplies 95 %), a leaf-spine fabric of 1 leaf
     * and 1 spine at 300 W per chassis, and storage of 4 devices at 1 kW.
     * By hand, over the makespan T with B busy GPU-seconds and G J of GPU
     * boards: hosts 6 x 1100 / 0.95 x T + (1700 - 1100) / 0.95 x B / 8 +
     * G x (1 / 0.95 - 1) (idle 2 x 100 + 500 + 8 x 25 + 200 = 1100 W, busy
     * 2 x 300 + 500 + 200 + 400 = 1700 W); network 2 x 300 x T (ports 0 W);
     * storage 4000 x T. */
    char tmp[64], out[128], path[256];
    make_tmpdir(tmp, sizeof tmp);
    snprintf(out, sizeof out, "%s/run", tmp);
    dcs_run_opts_t o = {
        SC "host_parts.yaml", out, 0, 0, NULL, 0, NULL, NULL, 0};
    dcs_err_t err = {""};
    ck_assert_msg(dcs_world_run(&o, NULL, &err) == 0, "%s", err.msg);
    dcs_table_t sum, jobs, energy;
    snprintf(path, sizeof path, "%s/summary.csv", out);
    ck_assert_int_eq(dcs_table_read(path, &sum, &err), 0);
    snprintf(path, sizeof path, "%s/jobs.csv", out);
    ck_assert_int_eq(dcs_table_read(path, &jobs, &err), 0);
    snprintf(path, sizeof path, "%s/energy.csv", out);
    ck_assert_int_eq(dcs_table_read(path, &energy, &err), 0);
    double t = cell(&sum, 0, "makespan_s");
    double g = cell(&sum, 0, "gpu_energy_kwh") * 3.6e6;
    double b = 0;
    for (size_t r = 0; r < jobs.nrows; r++)
        b += cell(&jobs, r, "gpus") * cell(&jobs, r, "run_time_s");
    double host = 6 * 1100 / 0.95 * t + 600 / 0.95 * b / 8 + g * (1 / 0.95 - 1);
    double by[3] = {0, 0, 0}; /* host, network, storage */
    int comp = dcs_table_col(&energy, "component");
    for (size_t r = 0; r < energy.nrows; r++) {
        const char *c = energy.cells[r][comp];
        int k = !strcmp(c, "host")      ? 0
                : !strcmp(c, "network") ? 1
                : !strcmp(c, "storage") ? 2
                                        : -1;
        if (k >= 0)
            by[k] += cell(&energy, r, "energy_kwh") * 3.6e6;
    }
    ck_assert_double_le(fabs(by[0] - host), 1e-6 * host);
    ck_assert_double_le(fabs(by[1] - 600 * t), 1e-6 * 600 * t);
    ck_assert_double_le(fabs(by[2] - 4000 * t), 1e-6 * 4000 * t);
    dcs_table_free(&sum);
    dcs_table_free(&jobs);
    dcs_table_free(&energy);
    remove_tree(tmp);
    /* both forms of host power at once */
    const char *wants[] = {"--set:1:22: field 'cluster.host_power_w': give "
                           "host_power_w or host, not both"};
    const char *sets[] = {"cluster.host_power_w=2000"};
    dcs_run_opts_t bad = {
        SC "host_parts.yaml", "/nonexistent/x", 0, 0, sets, 1, NULL, NULL, 0};
    ck_assert_int_eq(dcs_world_run(&bad, NULL, &err), DCS_EINPUT);
    ck_assert_str_eq(err.msg, wants[0]);
    /* a part out of range, and an unknown part */
    const char *parts[][2] = {
        {"cluster.host.psu_efficiency=2",
         "--set:1:29: field 'cluster.host.psu_efficiency': expected a number "
         "in [0.5, 1], found '2'"},
        {"cluster.host.gpu_w=2",
         "--set:1:14: unknown field 'cluster.host.gpu_w'; known fields: cpus, "
         "cpu_idle_w, cpu_busy_w, memory_w, nics, nic_w, fans_idle_w, "
         "fans_busy_w, psu_efficiency, vr_efficiency"},
    };
    for (size_t i = 0; i < 2; i++) {
        bad.sets = &parts[i][0];
        ck_assert_int_eq(dcs_world_run(&bad, NULL, &err), DCS_EINPUT);
        ck_assert_str_eq(err.msg, parts[i][1]);
    }
}
END_TEST

START_TEST(test_training_flow_needs_fabric)
{
    const char *wants[] = {"bad_train_flow_no_fabric.yaml:4:16: field "
                           "'network.collectives': flow needs a cluster with "
                           "a 'fabric'; cluster 'hgx-h100-8gpu' has none",
                           NULL};
    expect_training_error(SC "bad_train_flow_no_fabric.yaml", NULL, wants);
}
END_TEST

START_TEST(test_training_sections_bad_values)
{
    /* The network and storage sections, the checkpoint and failure keys
     * of a training job, and the power keys (device model, GPU cap,
     * storage devices, switch chassis): each bad value named exactly. */
    const struct {
        const char *set, *want;
    } cases[] = {
        {"network.collectives=ring",
         "--set:1:21: field 'network.collectives': expected one of "
         "analytical, flow, found 'ring'"},
        {"cluster.storage.write_gb_per_s=-1",
         "--set:1:32: field 'cluster.storage.write_gb_per_s': expected a "
         "number in [1e-06, 1e+09], found '-1'"},
        {"cluster.storage.speed=1",
         "--set:1:17: unknown field 'cluster.storage.speed'; known fields: "
         "write_gb_per_s, read_gb_per_s, capacity_tb, node_gb_per_s, devices, "
         "device_power_w"},
        {"workload.jobs.0.checkpoint.keep=0",
         "--set:1:33: field 'workload.jobs[0].checkpoint.keep': expected an "
         "integer in [1, 1000], found '0'"},
        {"workload.jobs.0.failures.per_gpu_per_h=2",
         "--set:1:40: field 'workload.jobs[0].failures.per_gpu_per_h': "
         "expected a number in [0, 1], found '2'"},
        {"workload.jobs.0.plan.tp_overlap=maybe",
         "--set:1:33: field 'workload.jobs[0].plan.tp_overlap': expected "
         "true or false, found 'maybe'"},
        /* power: the device's model, the cluster's cap and parts */
        {"cluster.device.power.burst_w=500",
         "--set:1:30: field 'cluster.device.power.burst_w': burst power 500 "
         "W is below the TDP of 700 W"},
        {"cluster.gpu_power_cap_w=800",
         "--set:1:25: field 'cluster.gpu_power_cap_w': expected a number in "
         "[121.6, 700], found '800'"},
        {"cluster.storage.device_power_w=-1",
         "--set:1:32: field 'cluster.storage.device_power_w': expected a "
         "number in [0, 1e+06], found '-1'"},
        {"cluster.fabric.chassis_power_w=-5",
         "--set:1:32: field 'cluster.fabric.chassis_power_w': expected a "
         "number in [0, 1e+06], found '-5'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *sets[] = {cases[i].set};
        expect_world_error(WHATIF, sets, 1, 0, 0, cases[i].want);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("scenario");
    TCase *bad = tcase_create("bad_input");
    tcase_add_test(bad, test_yaml_syntax);
    tcase_add_test(bad, test_unknown_top_level_field);
    tcase_add_test(bad, test_misspelt_required_section);
    tcase_add_test(bad, test_unknown_field_deep);
    tcase_add_test(bad, test_unknown_field_no_suggestion);
    tcase_add_test(bad, test_misspelt_required_cluster_field);
    tcase_add_test(bad, test_wrong_type);
    tcase_add_test(bad, test_negative_count);
    tcase_add_test(bad, test_fractional_gpu_count);
    tcase_add_test(bad, test_gpu_count_quotes_what_was_written);
    tcase_add_test(bad, test_zero_gpu_count);
    tcase_add_test(bad, test_weights_length);
    tcase_add_test(bad, test_weights_all_zero);
    tcase_add_test(bad, test_job_larger_than_cluster);
    tcase_add_test(bad, test_missing_section);
    tcase_add_test(bad, test_missing_include);
    tcase_add_test(bad, test_unknown_policy);
    tcase_add_test(bad, test_idle_above_busy);
    tcase_add_test(bad, test_scenario_file_missing);
    tcase_add_test(bad, test_set_without_equals);
    tcase_add_test(bad, test_set_unknown_key);
    tcase_add_test(bad, test_set_bad_value);
    tcase_add_test(bad, test_seed_above_int64);
    tcase_add_test(bad, test_seed_int64_max_runs);
    tcase_add_test(bad, test_pools_gpus_per_node_differ);
    tcase_add_test(bad, test_pools_empty);
    tcase_add_test(bad, test_pools_unknown_device_key);
    tcase_add_test(bad, test_pools_beside_one_device);
    suite_add_tcase(s, bad);
    TCase *cli = tcase_create("command");
    tcase_add_test(cli, test_cli_bad_scenario);
    tcase_add_test(cli, test_cli_bad_pools);
    tcase_add_test(cli, test_cli_missing_file);
    tcase_add_test(cli, test_cli_bad_set_and_seed);
    tcase_add_test(cli, test_cli_seed_overflow_quotes_input);
    tcase_add_test(cli, test_cli_usage_errors);
    tcase_add_test(cli, test_cli_version_help_list);
    tcase_add_test(cli, test_quickstart_five_jobs);
    suite_add_tcase(s, cli);
    TCase *train = tcase_create("training");
    tcase_add_test(train, test_training_does_not_fit);
    tcase_add_test(train, test_training_bad_plans);
    tcase_add_test(train, test_training_reports);
    tcase_add_test(train, test_training_flow_contention);
    tcase_add_test(train, test_training_flow_pipeline);
    tcase_add_test(train, test_training_power_cap);
    tcase_add_test(train, test_budget_hold);
    tcase_add_test(train, test_facility_power_cap);
    tcase_add_test(train, test_power_cap_refuses_what_never_fits);
    tcase_add_test(train, test_node_switch_storage_power);
    tcase_add_test(train, test_checkpoint_storm);
    tcase_add_test(train, test_trace_compare);
    tcase_add_test(train, test_trace_elastic);
    tcase_add_test(train, test_trace_training_equiv);
    tcase_add_test(train, test_trace_training_drops);
    tcase_add_test(train, test_trace_training_bad_input);
    tcase_add_test(train, test_serving_shares_the_cluster);
    tcase_add_test(train, test_workload_list_bad_input);
    tcase_add_test(train, test_serving_summary_lines);
    tcase_add_test(train, test_compare_serving_columns);
    tcase_add_test(train, test_serving_priority_preempts);
    tcase_add_test(train, test_trace_training_hopeless);
    tcase_add_test(train, test_training_own_failures_hopeless);
    tcase_add_test(train, test_elastic_conserves_work);
    tcase_add_test(train, test_training_flow_needs_fabric);
    tcase_add_test(train, test_training_sections_bad_values);
    suite_add_tcase(s, train);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
