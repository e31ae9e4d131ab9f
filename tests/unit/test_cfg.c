/* test_cfg.c - scenario file reading (sim/config/cfg.c).
 *
 * Invariants checked:
 *  - every bad input is refused with one exact message that names the file,
 *    the 1-based line and column of the offending text, the dotted field
 *    path, what was expected and what was found (syntax errors, wrong types,
 *    ranges, missing fields, duplicates, unknown fields, includes, --set);
 *  - `!include` splices the included file in place: values read through the
 *    including file's paths, messages name the included file;
 *  - --set replaces, adds and creates, and a malformed --set changes nothing;
 *  - a document read completely passes dcs_cfg_check_unknown();
 *  - dcs_cfg_emit() is deterministic and its output loads back to the same
 *    values; dcs_cfg_hash() is FNV-1a 64.
 * Expected positions and numbers are counted by hand from the test inputs. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/cfg.h"

#define DATA DCSIM_TEST_DATA "/cfg/"

/* ---- helpers --------------------------------------------------------- */

static dcs_cfg_t *load_ok(const char *text)
{
    dcs_err_t err = {""};
    dcs_cfg_t *cfg = dcs_cfg_load_string("t.yaml", text, &err);
    ck_assert_msg(cfg != NULL, "load failed: %s", err.msg);
    return cfg;
}

static void expect_load_error(const char *text, const char *want)
{
    dcs_err_t err = {""};
    dcs_cfg_t *cfg = dcs_cfg_load_string("t.yaml", text, &err);
    ck_assert_ptr_null(cfg);
    ck_assert_str_eq(err.msg, want);
}

static void expect_set_error(const char *text, const char *assignment,
                             const char *want)
{
    dcs_cfg_t *cfg = load_ok(text);
    dcs_err_t err = {""};
    ck_assert_int_eq(dcs_cfg_set(cfg, assignment, &err), DCS_EINPUT);
    ck_assert_str_eq(err.msg, want);
    dcs_cfg_free(cfg);
}

static void expect_data_error(const char *file, const char *want)
{
    dcs_err_t err = {""};
    dcs_cfg_t *cfg = dcs_cfg_load(file, &err);
    ck_assert_ptr_null(cfg);
    ck_assert_str_eq(err.msg, want);
}

static const char *const policies[] = {"fifo", "sjf", NULL};

/* ---- syntax and document shape --------------------------------------- */

START_TEST(syntax_error)
{
    expect_load_error("a: b: c\n", "t.yaml:1:5: YAML syntax error: mapping "
                                   "values are not allowed in this context");
    expect_load_error("a: 1\nb: [1, 2\n",
                      "t.yaml:3:1: YAML syntax error: did not find expected "
                      "',' or ']' (while parsing a flow sequence)");
}
END_TEST

START_TEST(root_not_mapping)
{
    const char *want = "t.yaml:1:1: expected a mapping at the top of the file";
    expect_load_error("", want);
    expect_load_error("# only a comment\n", want);
    expect_load_error("---\n", want);
    expect_load_error("- 1\n- 2\n", want);
    expect_load_error("\n\njust text\n", want);
}
END_TEST

START_TEST(second_document)
{
    expect_load_error("a: 1\n---\nb: 2\n", "t.yaml:2:1: expected one YAML "
                                           "document, found a second one");
}
END_TEST

START_TEST(duplicate_key)
{
    expect_load_error("a:\n  b: 1\n  c: 2\n  b: 3\n",
                      "t.yaml:4:3: duplicate field 'a.b' (first at line 2)");
    expect_load_error("s:\n  - k: 1\n    k: 2\n",
                      "t.yaml:3:5: duplicate field 's[0].k' (first at line "
                      "2)");
}
END_TEST

START_TEST(unknown_tag)
{
    expect_load_error("a: !foo 1\n", "t.yaml:1:4: unknown tag '!foo'");
    expect_load_error("a: \"x\\0y\"\n", "t.yaml:1:4: NUL character in a "
                                        "scalar");
    expect_load_error("? [a]\n: 1\n", "t.yaml:1:3: expected a scalar key, "
                                      "found a sequence");
}
END_TEST

START_TEST(nesting_limit)
{
    /* The k-th '[' is at column 3 + k and nesting depth k (the root mapping
     * is depth 0): the first one past 256 is at column 260. */
    char text[1024];
    size_t pos = 0;
    pos += (size_t)snprintf(text, sizeof text, "a: ");
    for (int k = 0; k < 300; k++)
        text[pos++] = '[';
    text[pos] = '\0';
    expect_load_error(text, "t.yaml:1:260: nesting deeper than 256 levels");
}
END_TEST

START_TEST(load_missing_file)
{
    expect_data_error(DATA "no_such_file.yaml",
                      "cannot open '" DATA "no_such_file.yaml': No such "
                      "file or directory");
}
END_TEST

/* ---- anchors and aliases --------------------------------------------- */

START_TEST(alias_copies_node)
{
    dcs_cfg_t *cfg = load_ok("base: &b\n  nodes: 2\n  memory_gb: 3\n"
                             "copy: *b\n");
    dcs_cfg_node_t *root = dcs_cfg_root(cfg);
    dcs_cfg_node_t *base = NULL, *copy = NULL;
    dcs_err_t err = {""};
    ck_assert_int_eq(dcs_cfg_map(root, "base", 1, &base, &err), 0);
    ck_assert_int_eq(dcs_cfg_map(root, "copy", 1, &copy, &err), 0);
    ck_assert_ptr_ne(base, copy);
    int64_t n = 0;
    ck_assert_int_eq(dcs_cfg_i64(copy, "nodes", 1, 0, 10, &n, &err), 0);
    ck_assert_int_eq(n, 2);
    /* The copy sits where the alias is, with its own path and used flags. */
    char path[64];
    ck_assert_str_eq(
        dcs_cfg_path(dcs_cfg_get(copy, "nodes"), path, sizeof path),
        "copy.nodes");
    ck_assert_int_eq(dcs_cfg_line(copy), 4);
    ck_assert_int_eq(dcs_cfg_col(copy), 7);
    ck_assert_int_eq(dcs_cfg_i64(base, "nodes", 1, 0, 10, &n, &err), 0);
    ck_assert_int_eq(dcs_cfg_i64(base, "memory_gb", 1, 0, 10, &n, &err), 0);
    ck_assert_int_eq(dcs_cfg_check_unknown(root, &err), DCS_EINPUT);
    ck_assert_str_eq(err.msg, "t.yaml:3:3: unknown field 'copy.memory_gb'; "
                              "known fields: nodes");
    dcs_cfg_free(cfg);
}
END_TEST

START_TEST(alias_errors)
{
    expect_load_error("a: *x\n", "t.yaml:1:4: undefined alias '*x'");
    /* An anchor is usable only after its node is complete. */
    expect_load_error("a: &x [1, *x]\n", "t.yaml:1:11: undefined alias '*x'");
    /* 10 aliases of 10 aliases ... grows past the cap instead of eating
     * memory. */
    char text[2048];
    size_t pos = (size_t)snprintf(text, sizeof text, "l0: &l0 [x, x]\n");
    for (int i = 1; i < 9; i++) {
        pos += (size_t)snprintf(text + pos, sizeof text - pos, "l%d: &l%d [", i,
                                i);
        for (int k = 0; k < 10; k++)
            pos += (size_t)snprintf(text + pos, sizeof text - pos, "%s*l%d",
                                    k ? ", " : "", i - 1);
        pos += (size_t)snprintf(text + pos, sizeof text - pos, "]\n");
    }
    dcs_err_t err = {""};
    ck_assert_ptr_null(dcs_cfg_load_string("t.yaml", text, &err));
    ck_assert_msg(strstr(err.msg, "aliases expand the document past 1000000 "
                                  "nodes") != NULL,
                  "%s", err.msg);
}
END_TEST

/* ---- typed accessors: bad values ------------------------------------- */

START_TEST(wrong_type_number)
{
    dcs_cfg_t *cfg = load_ok("rate: abc\n");
    dcs_err_t err = {""};
    double v = 7;
    ck_assert_int_eq(dcs_cfg_f64(dcs_cfg_root(cfg), "rate", DCS_CFG_REQUIRED,
                                 -INFINITY, INFINITY, &v, &err),
                     DCS_EINPUT);
    ck_assert_str_eq(err.msg,
                     "t.yaml:1:7: field 'rate': expected a number, found "
                     "'abc'");
    ck_assert(v == 7);
    dcs_cfg_free(cfg);
}
END_TEST

START_TEST(number_forms)
{
    dcs_cfg_t *cfg = load_ok("a: ''\nb: ' 3'\nc: nan\nd: 1e999\ne: 3x\n"
                             "f: -3\ng: 6\nh: [1]\ni:\n");
    dcs_cfg_node_t *root = dcs_cfg_root(cfg);
    dcs_err_t err = {""};
    double v;
    ck_assert_int_eq(dcs_cfg_f64(root, "a", 0, -INFINITY, INFINITY, &v, &err),
                     DCS_EINPUT);
    ck_assert_str_eq(err.msg,
                     "t.yaml:1:4: field 'a': expected a number, found ''");
    ck_assert_int_eq(dcs_cfg_f64(root, "b", 0, -INFINITY, INFINITY, &v, &err),
                     DCS_EINPUT);
    ck_assert_str_eq(err.msg,
                     "t.yaml:2:4: field 'b': expected a number, found ' 3'");
    ck_assert_int_eq(dcs_cfg_f64(root, "c", 0, -INFINITY, INFINITY, &v, &err),
                     DCS_EINPUT);
    ck_assert_int_eq(dcs_cfg_f64(root, "d", 0, -INFINITY, INFINITY, &v, &err),
                     DCS_EINPUT);
    ck_assert_int_eq(dcs_cfg_f64(root, "e", 0, -INFINITY, INFINITY, &v, &err),
                     DCS_EINPUT);
    ck_assert_str_eq(err.msg,
                     "t.yaml:5:4: field 'e': expected a number, found '3x'");
    ck_assert_int_eq(dcs_cfg_f64(root, "f", 0, 0, INFINITY, &v, &err),
                     DCS_EINPUT);
    ck_assert_str_eq(err.msg, "t.yaml:6:4: field 'f': expected a number >= "
                              "0, found '-3'");
    ck_assert_int_eq(dcs_cfg_f64(root, "g", 0, -INFINITY, 5, &v, &err),
                     DCS_EINPUT);
    ck_assert_str_eq(err.msg, "t.yaml:7:4: field 'g': expected a number <= "
                              "5, found '6'");
    ck_assert_int_eq(dcs_cfg_f64(root, "h", 0, 0, 100, &v, &err), DCS_EINPUT);
    ck_assert_str_eq(err.msg, "t.yaml:8:4: field 'h': expected a number in "
                              "[0, 100], found a sequence");
    ck_assert_int_eq(dcs_cfg_f64(root, "i", 0, 0, 1, &v, &err), DCS_EINPUT);
    ck_assert_str_eq(err.msg, "t.yaml:9:1: field 'i': expected a number in "
                              "[0, 1], found nothing");
    dcs_cfg_free(cfg);
}
END_TEST

START_TEST(negative_count)
{
    dcs_cfg_t *cfg = load_ok("jobs:\n  count: -3\n");
    dcs_cfg_node_t *jobs = dcs_cfg_get(dcs_cfg_root(cfg), "jobs");
    dcs_err_t err = {""};
    int64_t n = 0;
    ck_assert_int_eq(
        dcs_cfg_i64(jobs, "count", DCS_CFG_REQUIRED, 1, INT64_MAX, &n, &err),
        DCS_EINPUT);
    ck_assert_str_eq(err.msg, "t.yaml:2:10: field 'jobs.count': expected an "
                              "integer >= 1, found '-3'");
    dcs_cfg_free(cfg);
}
END_TEST

START_TEST(non_integer)
{
    dcs_cfg_t *cfg = load_ok("count: 2.5\nbig: 1e19\nname: four\n");
    dcs_cfg_node_t *root = dcs_cfg_root(cfg);
    dcs_err_t err = {""};
    int64_t n = 0;
    ck_assert_int_eq(dcs_cfg_i64(root, "count", 1, 1, INT64_MAX, &n, &err),
                     DCS_EINPUT);
    ck_assert_str_eq(err.msg, "t.yaml:1:8: field 'count': expected an "
                              "integer >= 1, found '2.5'");
    ck_assert_int_eq(
        dcs_cfg_i64(root, "big", 1, INT64_MIN, INT64_MAX, &n, &err),
        DCS_EINPUT);
    ck_assert_str_eq(err.msg, "t.yaml:2:6: field 'big': expected an integer, "
                              "found '1e19'");
    ck_assert_int_eq(dcs_cfg_i64(root, "name", 1, 1, 8, &n, &err), DCS_EINPUT);
    ck_assert_str_eq(err.msg, "t.yaml:3:7: field 'name': expected an integer "
                              "in [1, 8], found 'four'");
    dcs_cfg_free(cfg);
}
END_TEST

START_TEST(fraction_out_of_range)
{
    dcs_cfg_t *cfg = load_ok("power:\n  idle_frac: 1.5\n");
    dcs_cfg_node_t *power = dcs_cfg_get(dcs_cfg_root(cfg), "power");
    dcs_err_t err = {""};
    double v = 0;
    ck_assert_int_eq(dcs_cfg_f64(power, "idle_frac", 1, 0, 1, &v, &err),
                     DCS_EINPUT);
    ck_assert_str_eq(err.msg, "t.yaml:2:14: field 'power.idle_frac': "
                              "expected a number in [0, 1], found '1.5'");
    dcs_cfg_free(cfg);
}
END_TEST

START_TEST(missing_required)
{
    dcs_cfg_t *cfg = load_ok("name: x\ncluster:\n  nodes: 4\n");
    dcs_cfg_node_t *root = dcs_cfg_root(cfg);
    dcs_cfg_node_t *cluster = dcs_cfg_get(root, "cluster");
    dcs_err_t err = {""};
    int64_t n = 99;
    ck_assert_int_eq(
        dcs_cfg_i64(cluster, "gpus", DCS_CFG_REQUIRED, 1, INT64_MAX, &n, &err),
        DCS_EINPUT);
    ck_assert_str_eq(err.msg,
                     "t.yaml:3:3: field 'cluster.gpus': missing (required)");
    ck_assert_int_eq(n, 99);
    const char *s = NULL;
    ck_assert_int_eq(dcs_cfg_str(root, "seed_file", DCS_CFG_REQUIRED, &s, &err),
                     DCS_EINPUT);
    ck_assert_str_eq(err.msg,
                     "t.yaml:1:1: field 'seed_file': missing (required)");
    /* Optional and absent: the default stays, no error. */
    ck_assert_int_eq(
        dcs_cfg_i64(cluster, "racks", DCS_CFG_OPTIONAL, 1, INT64_MAX, &n, &err),
        0);
    ck_assert_int_eq(n, 99);
    dcs_cfg_free(cfg);
}
END_TEST

START_TEST(bad_enum)
{
    dcs_cfg_t *cfg = load_ok("sched:\n  policy: lifo\n");
    dcs_cfg_node_t *sched = dcs_cfg_get(dcs_cfg_root(cfg), "sched");
    dcs_err_t err = {""};
    int idx = -1;
    ck_assert_int_eq(dcs_cfg_enum(sched, "policy", 1, policies, &idx, &err),
                     DCS_EINPUT);
    ck_assert_str_eq(err.msg, "t.yaml:2:11: field 'sched.policy': expected "
                              "one of fifo, sjf, found 'lifo'");
    ck_assert_int_eq(idx, -1);
    dcs_cfg_free(cfg);
}
END_TEST

START_TEST(bad_bool_and_str)
{
    dcs_cfg_t *cfg = load_ok("live: maybe\nname: {a: 1}\n");
    dcs_cfg_node_t *root = dcs_cfg_root(cfg);
    dcs_err_t err = {""};
    bool b = false;
    ck_assert_int_eq(dcs_cfg_bool(root, "live", 1, &b, &err), DCS_EINPUT);
    ck_assert_str_eq(err.msg, "t.yaml:1:7: field 'live': expected true or "
                              "false, found 'maybe'");
    const char *s = NULL;
    ck_assert_int_eq(dcs_cfg_str(root, "name", 1, &s, &err), DCS_EINPUT);
    ck_assert_str_eq(err.msg, "t.yaml:2:7: field 'name': expected a string, "
                              "found a mapping");
    dcs_cfg_free(cfg);
}
END_TEST

START_TEST(f64_seq_errors)
{
    dcs_cfg_t *cfg =
        load_ok("w:\n  gpu_weights: []\n  cpu_weights: [0.5, 1.5]\n"
                "  mem_weights: 0.5\n");
    dcs_cfg_node_t *w = dcs_cfg_get(dcs_cfg_root(cfg), "w");
    dcs_err_t err = {""};
    double *v = NULL;
    size_t n = 0;
    ck_assert_int_eq(dcs_cfg_f64_seq(w, "gpu_weights", 1, 0, 1, &v, &n, &err),
                     DCS_EINPUT);
    ck_assert_str_eq(err.msg, "t.yaml:2:16: field 'w.gpu_weights': expected a "
                              "non-empty sequence, found an empty sequence");
    ck_assert_int_eq(dcs_cfg_f64_seq(w, "cpu_weights", 1, 0, 1, &v, &n, &err),
                     DCS_EINPUT);
    ck_assert_str_eq(err.msg, "t.yaml:3:22: field 'w.cpu_weights[1]': "
                              "expected a number in [0, 1], found '1.5'");
    ck_assert_int_eq(dcs_cfg_f64_seq(w, "mem_weights", 1, 0, 1, &v, &n, &err),
                     DCS_EINPUT);
    ck_assert_str_eq(err.msg, "t.yaml:4:16: field 'w.mem_weights': expected a "
                              "non-empty sequence, found '0.5'");
    ck_assert_ptr_null(v);
    ck_assert_uint_eq(n, 0);
    dcs_cfg_free(cfg);
}
END_TEST

START_TEST(mapping_expected)
{
    dcs_cfg_t *cfg = load_ok("cluster:\n  - a\n  - b\n");
    dcs_cfg_node_t *root = dcs_cfg_root(cfg);
    dcs_err_t err = {""};
    dcs_cfg_node_t *out = NULL;
    ck_assert_int_eq(dcs_cfg_map(root, "cluster", 1, &out, &err), DCS_EINPUT);
    ck_assert_str_eq(err.msg, "t.yaml:2:3: field 'cluster': expected a "
                              "mapping, found a sequence");
    ck_assert_ptr_null(out);
    /* A keyed accessor on a node that is not a mapping says so too. */
    int64_t n;
    ck_assert_int_eq(dcs_cfg_i64(dcs_cfg_get(root, "cluster"), "nodes", 1, 1,
                                 INT64_MAX, &n, &err),
                     DCS_EINPUT);
    ck_assert_str_eq(err.msg, "t.yaml:2:3: field 'cluster': expected a "
                              "mapping, found a sequence");
    dcs_cfg_free(cfg);
}
END_TEST

/* ---- unknown fields -------------------------------------------------- */

START_TEST(unknown_with_suggestion)
{
    dcs_cfg_t *cfg = load_ok("cluster:\n  nodes: 4\n  gpu_per_node: 8\n");
    dcs_cfg_node_t *cluster = dcs_cfg_get(dcs_cfg_root(cfg), "cluster");
    dcs_err_t err = {""};
    int64_t n;
    ck_assert_int_eq(dcs_cfg_i64(cluster, "nodes", 1, 1, INT64_MAX, &n, &err),
                     0);
    ck_assert_int_eq(
        dcs_cfg_i64(cluster, "gpus_per_node", 0, 1, INT64_MAX, &n, &err), 0);
    ck_assert_int_eq(dcs_cfg_check_unknown(dcs_cfg_root(cfg), &err),
                     DCS_EINPUT);
    ck_assert_str_eq(err.msg, "t.yaml:3:3: unknown field 'cluster.gpu_per_node'"
                              "; did you mean 'gpus_per_node'?");
    dcs_cfg_free(cfg);
}
END_TEST

START_TEST(unknown_without_match)
{
    dcs_cfg_t *cfg = load_ok("x:\n  a: 1\n  zzz: 2\nother:\n  q: 1\n");
    dcs_cfg_node_t *root = dcs_cfg_root(cfg);
    dcs_cfg_node_t *x = dcs_cfg_get(root, "x");
    dcs_err_t err = {""};
    dcs_cfg_get(root, "other");
    dcs_cfg_get(x, "a");
    dcs_cfg_get(x, "b");
    dcs_cfg_get(x, "c");
    ck_assert_int_eq(dcs_cfg_check_unknown(root, &err), DCS_EINPUT);
    ck_assert_str_eq(
        err.msg, "t.yaml:3:3: unknown field 'x.zzz'; known fields: a, b, c");
    /* Edit distance 2 is always close enough; 3 is not for a short key. */
    dcs_cfg_get(x, "zzzab");
    ck_assert_int_eq(dcs_cfg_check_unknown(root, &err), DCS_EINPUT);
    ck_assert_str_eq(
        err.msg, "t.yaml:3:3: unknown field 'x.zzz'; did you mean 'zzzab'?");
    /* Once x is clean, `other` was asked for but none of its keys was. */
    dcs_cfg_get(x, "zzz");
    ck_assert_int_eq(dcs_cfg_check_unknown(root, &err), DCS_EINPUT);
    ck_assert_str_eq(err.msg,
                     "t.yaml:5:3: unknown field 'other.q'; known fields: none");
    dcs_cfg_free(cfg);
}
END_TEST

START_TEST(unknown_far_suggestion)
{
    /* len 12 allows distance 4: "interconnect" to "interconect_bw" is one
     * deletion and three insertions. */
    dcs_cfg_t *cfg = load_ok("interconnect: 1\nabcdefghijkl: 2\n");
    dcs_cfg_node_t *root = dcs_cfg_root(cfg);
    dcs_err_t err = {""};
    dcs_cfg_get(root, "interconect_bw");
    ck_assert_int_eq(dcs_cfg_check_unknown(root, &err), DCS_EINPUT);
    ck_assert_str_eq(err.msg, "t.yaml:1:1: unknown field 'interconnect'; did "
                              "you mean 'interconect_bw'?");
    dcs_cfg_get(root, "interconnect");
    /* "abcdefghijkl" vs "abcdefgh": 4 deletions, within len/3 = 4. */
    dcs_cfg_get(root, "abcdefgh");
    ck_assert_int_eq(dcs_cfg_check_unknown(root, &err), DCS_EINPUT);
    ck_assert_str_eq(err.msg, "t.yaml:2:1: unknown field 'abcdefghijkl'; did "
                              "you mean 'abcdefgh'?");
    dcs_cfg_free(cfg);
}
END_TEST

START_TEST(check_unknown_passes)
{
    dcs_cfg_t *cfg = load_ok("name: demo\n"
                             "devices:\n  h100: {tflops: 989}\n  a100: "
                             "{tflops: 312}\n"
                             "jobs:\n  - {name: a, gpus: 8}\n  - {name: b, "
                             "gpus: 16}\n"
                             "opt:\n");
    dcs_cfg_node_t *root = dcs_cfg_root(cfg);
    dcs_err_t err = {""};
    const char *name;
    ck_assert_int_eq(dcs_cfg_str(root, "name", 1, &name, &err), 0);
    dcs_cfg_node_t *devices = NULL;
    ck_assert_int_eq(dcs_cfg_map(root, "devices", 1, &devices, &err), 0);
    double tflops_sum = 0;
    for (size_t i = 0; i < dcs_cfg_len(devices); i++) {
        double t;
        ck_assert_int_eq(dcs_cfg_f64(dcs_cfg_at(devices, i), "tflops", 1, 0,
                                     INFINITY, &t, &err),
                         0);
        tflops_sum += t;
    }
    ck_assert(tflops_sum == 989 + 312);
    ck_assert_str_eq(dcs_cfg_key(devices, 1), "a100");
    dcs_cfg_node_t *jobs = dcs_cfg_get(root, "jobs");
    ck_assert_int_eq(dcs_cfg_kind(jobs), DCS_CFG_SEQ);
    int64_t gpus_sum = 0;
    for (size_t i = 0; i < dcs_cfg_len(jobs); i++) {
        int64_t g;
        ck_assert_int_eq(
            dcs_cfg_str(dcs_cfg_at(jobs, i), "name", 1, &name, &err), 0);
        ck_assert_int_eq(
            dcs_cfg_i64(dcs_cfg_at(jobs, i), "gpus", 1, 1, 1024, &g, &err), 0);
        gpus_sum += g;
    }
    ck_assert_int_eq(gpus_sum, 24);
    ck_assert_int_eq(dcs_cfg_kind(dcs_cfg_get(root, "opt")), DCS_CFG_NULL);
    ck_assert_int_eq(dcs_cfg_check_unknown(root, &err), 0);
    dcs_cfg_free(cfg);
}
END_TEST

/* ---- good values ------------------------------------------------------ */

START_TEST(typed_values)
{
    dcs_cfg_t *cfg = load_ok("a: 1e9\nb: -2.5\nc: 1e6\nd: 9007199254740993\n"
                             "e: True\nf: false\ng: sjf\nh: \"quoted text\"\n"
                             "i: [0.25, 0.5, 1]\nj:\n  k:\n    - x\n    - y\n"
                             "    - {c: 1}\n");
    dcs_cfg_node_t *root = dcs_cfg_root(cfg);
    dcs_err_t err = {""};
    double f = 0;
    int64_t n = 0;
    bool b = false;
    int idx = -1;
    const char *s = NULL;
    ck_assert_int_eq(dcs_cfg_f64(root, "a", 1, 0, INFINITY, &f, &err), 0);
    ck_assert(f == 1e9);
    ck_assert_int_eq(dcs_cfg_f64(root, "b", 1, -INFINITY, 0, &f, &err), 0);
    ck_assert(f == -2.5);
    ck_assert_int_eq(dcs_cfg_i64(root, "c", 1, 1, INT64_MAX, &n, &err), 0);
    ck_assert_int_eq(n, 1000000);
    /* 2^53 + 1 is not a double: integers are read as integers. */
    ck_assert_int_eq(dcs_cfg_i64(root, "d", 1, 1, INT64_MAX, &n, &err), 0);
    ck_assert_int_eq(n, INT64_C(9007199254740993));
    ck_assert_int_eq(dcs_cfg_bool(root, "e", 1, &b, &err), 0);
    ck_assert(b);
    ck_assert_int_eq(dcs_cfg_bool(root, "f", 1, &b, &err), 0);
    ck_assert(!b);
    ck_assert_int_eq(dcs_cfg_enum(root, "g", 1, policies, &idx, &err), 0);
    ck_assert_int_eq(idx, 1);
    ck_assert_int_eq(dcs_cfg_str(root, "h", 1, &s, &err), 0);
    ck_assert_str_eq(s, "quoted text");
    double *v = NULL;
    size_t len = 0;
    ck_assert_int_eq(dcs_cfg_f64_seq(root, "i", 1, 0, 1, &v, &len, &err), 0);
    ck_assert_uint_eq(len, 3);
    ck_assert(v[0] == 0.25 && v[1] == 0.5 && v[2] == 1);
    free(v);
    dcs_cfg_node_t *c = dcs_cfg_at(dcs_cfg_get(dcs_cfg_get(root, "j"), "k"), 2);
    ck_assert_int_eq(dcs_cfg_kind(c), DCS_CFG_MAP);
    char path[64];
    ck_assert_str_eq(dcs_cfg_path(dcs_cfg_get(c, "c"), path, sizeof path),
                     "j.k[2].c");
    ck_assert_str_eq(dcs_cfg_path(dcs_cfg_get(c, "c"), path, 5), "j.k[");
    ck_assert_int_eq(dcs_cfg_line(c), 14);
    ck_assert_int_eq(dcs_cfg_col(c), 7);
    ck_assert_str_eq(dcs_cfg_file(c), "t.yaml");
    ck_assert_str_eq(
        dcs_cfg_scalar(dcs_cfg_at(dcs_cfg_get(dcs_cfg_get(root, "j"), "k"), 0)),
        "x");
    ck_assert_ptr_null(dcs_cfg_scalar(c));
    ck_assert_int_eq(dcs_cfg_error(dcs_cfg_get(c, "c"), &err, "too %s", "big"),
                     DCS_EINPUT);
    ck_assert_str_eq(err.msg, "t.yaml:14:11: field 'j.k[2].c': too big");
    dcs_cfg_free(cfg);
}
END_TEST

START_TEST(file_path_relative)
{
    dcs_cfg_t *cfg = load_ok("trace: traces/a.csv\nabs: /tmp/b.csv\n");
    dcs_err_t err = {""};
    char *p = NULL;
    ck_assert_int_eq(dcs_cfg_file_path(dcs_cfg_root(cfg), "trace", 1, &p, &err),
                     0);
    ck_assert_str_eq(p, "traces/a.csv");
    free(p);
    ck_assert_int_eq(dcs_cfg_file_path(dcs_cfg_root(cfg), "abs", 1, &p, &err),
                     0);
    ck_assert_str_eq(p, "/tmp/b.csv");
    free(p);
    dcs_cfg_free(cfg);

    cfg = dcs_cfg_load_string("dir/sub/t.yaml", "trace: ../a.csv\n", &err);
    ck_assert_ptr_nonnull(cfg);
    ck_assert_int_eq(dcs_cfg_file_path(dcs_cfg_root(cfg), "trace", 1, &p, &err),
                     0);
    ck_assert_str_eq(p, "dir/sub/../a.csv");
    free(p);
    dcs_cfg_free(cfg);
}
END_TEST

/* ---- includes --------------------------------------------------------- */

START_TEST(include_nested)
{
    dcs_err_t err = {""};
    dcs_cfg_t *cfg = dcs_cfg_load(DATA "inc_main.yaml", &err);
    ck_assert_msg(cfg != NULL, "%s", err.msg);
    dcs_cfg_node_t *root = dcs_cfg_root(cfg);
    dcs_cfg_node_t *cluster = NULL, *net = NULL;
    ck_assert_int_eq(dcs_cfg_map(root, "cluster", 1, &cluster, &err), 0);
    ck_assert_str_eq(dcs_cfg_file(cluster), DATA "sub/cluster.yaml");
    int64_t nodes = 0, gpus = 0;
    ck_assert_int_eq(dcs_cfg_i64(cluster, "nodes", 1, 1, 100, &nodes, &err), 0);
    ck_assert_int_eq(
        dcs_cfg_i64(cluster, "gpus_per_node", 1, 1, 16, &gpus, &err), 0);
    ck_assert_int_eq(nodes * gpus, 32);
    ck_assert_int_eq(dcs_cfg_map(cluster, "network", 1, &net, &err), 0);
    dcs_cfg_node_t *bw = dcs_cfg_get(net, "bw_gbps");
    char path[64];
    ck_assert_str_eq(dcs_cfg_path(bw, path, sizeof path),
                     "cluster.network.bw_gbps");
    ck_assert_str_eq(dcs_cfg_file(bw), DATA "sub/net.yaml");
    ck_assert_int_eq(dcs_cfg_line(bw), 1);
    ck_assert_int_eq(dcs_cfg_col(bw), 10);
    /* A value out of range inside the included file names that file. */
    double x;
    ck_assert_int_eq(dcs_cfg_f64(net, "bw_gbps", 1, 0, 100, &x, &err),
                     DCS_EINPUT);
    ck_assert_str_eq(err.msg, DATA "sub/net.yaml:1:10: field "
                                   "'cluster.network.bw_gbps': expected a "
                                   "number in [0, 100], found '400'");
    /* A path inside an included file is relative to that file. */
    char *trace = NULL;
    ck_assert_int_eq(dcs_cfg_file_path(cluster, "trace", 1, &trace, &err), 0);
    ck_assert_str_eq(trace, DATA "sub/traces/jobs.csv");
    free(trace);
    const char *name;
    ck_assert_int_eq(dcs_cfg_str(root, "name", 1, &name, &err), 0);
    ck_assert_int_eq(dcs_cfg_check_unknown(root, &err), 0);
    dcs_cfg_free(cfg);
}
END_TEST

START_TEST(include_bad_value)
{
    dcs_err_t err = {""};
    dcs_cfg_t *cfg = dcs_cfg_load(DATA "inc_bad.yaml", &err);
    ck_assert_msg(cfg != NULL, "%s", err.msg);
    dcs_cfg_node_t *cluster = dcs_cfg_get(dcs_cfg_root(cfg), "cluster");
    int64_t n;
    ck_assert_int_eq(dcs_cfg_i64(cluster, "nodes", 1, 1, INT64_MAX, &n, &err),
                     DCS_EINPUT);
    ck_assert_str_eq(err.msg, DATA "sub/bad.yaml:1:8: field 'cluster.nodes': "
                                   "expected an integer >= 1, found '-3'");
    dcs_cfg_free(cfg);
}
END_TEST

START_TEST(include_missing)
{
    expect_data_error(DATA "inc_missing.yaml",
                      DATA "inc_missing.yaml:2:4: include 'nope.yaml': cannot "
                           "open '" DATA "nope.yaml': No such file or "
                           "directory");
}
END_TEST

START_TEST(include_cycle)
{
    expect_data_error(DATA "cycle_a.yaml",
                      DATA "cycle_b.yaml:2:4: include 'cycle_a.yaml': include "
                           "cycle");
}
END_TEST

/* Writes files d0.yaml .. d<n>.yaml in `dir`, each including the next and
 * the last holding `leaf: 1`. */
static void write_chain(const char *dir, int n)
{
    for (int i = 0; i <= n; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/d%d.yaml", dir, i);
        FILE *f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        if (i < n)
            fprintf(f, "n: !include d%d.yaml\n", i + 1);
        else
            fprintf(f, "leaf: 1\n");
        fclose(f);
    }
}

static void remove_chain(const char *dir, int n)
{
    for (int i = 0; i <= n; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/d%d.yaml", dir, i);
        unlink(path);
    }
    rmdir(dir);
}

START_TEST(include_depth_limit)
{
    char dir[] = "/tmp/test_cfg_XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char top[512], want[1024];
    snprintf(top, sizeof top, "%s/d0.yaml", dir);
    dcs_err_t err = {""};

    /* 16 includes deep is allowed. */
    write_chain(dir, 16);
    dcs_cfg_t *cfg = dcs_cfg_load(top, &err);
    ck_assert_msg(cfg != NULL, "%s", err.msg);
    dcs_cfg_node_t *n = dcs_cfg_root(cfg);
    for (int i = 0; i < 16; i++)
        n = dcs_cfg_get(n, "n");
    ck_assert_str_eq(dcs_cfg_scalar(dcs_cfg_get(n, "leaf")), "1");
    dcs_cfg_free(cfg);

    /* The 17th is refused at the including line. */
    write_chain(dir, 17);
    ck_assert_ptr_null(dcs_cfg_load(top, &err));
    snprintf(want, sizeof want,
             "%s/d16.yaml:1:4: include 'd17.yaml': includes nested more than "
             "16 deep",
             dir);
    ck_assert_str_eq(err.msg, want);
    remove_chain(dir, 17);
}
END_TEST

/* ---- --set ------------------------------------------------------------ */

START_TEST(set_overrides)
{
    dcs_cfg_t *cfg = load_ok("cluster:\n  nodes: 4\n  name: a\n"
                             "jobs:\n  - {name: a}\n  - {name: b}\n"
                             "w: {gpu_weights: [1]}\nempty:\n");
    dcs_err_t err = {""};
    ck_assert_int_eq(dcs_cfg_set(cfg, "cluster.nodes=16", &err), 0);
    ck_assert_int_eq(dcs_cfg_set(cfg, "cluster.racks=2", &err), 0);
    ck_assert_int_eq(dcs_cfg_set(cfg, "cluster.name=\"x y\"", &err), 0);
    ck_assert_int_eq(dcs_cfg_set(cfg, "w.gpu_weights=[0.25, 0.75]", &err), 0);
    ck_assert_int_eq(dcs_cfg_set(cfg, "jobs.1.name=c", &err), 0);
    ck_assert_int_eq(dcs_cfg_set(cfg, "new.deep.x=5", &err), 0);
    ck_assert_int_eq(dcs_cfg_set(cfg, "empty.y=abc", &err), 0);
    ck_assert_int_eq(dcs_cfg_set(cfg, "flag=", &err), 0);

    dcs_cfg_node_t *root = dcs_cfg_root(cfg);
    dcs_cfg_node_t *cluster = dcs_cfg_get(root, "cluster");
    int64_t n = 0;
    ck_assert_int_eq(dcs_cfg_i64(cluster, "nodes", 1, 1, 100, &n, &err), 0);
    ck_assert_int_eq(n, 16);
    dcs_cfg_node_t *nodes = dcs_cfg_get(cluster, "nodes");
    ck_assert_str_eq(dcs_cfg_file(nodes), "--set");
    ck_assert_int_eq(dcs_cfg_line(nodes), 1);
    ck_assert_int_eq(dcs_cfg_col(nodes), 15);
    ck_assert_int_eq(dcs_cfg_i64(cluster, "racks", 1, 1, 100, &n, &err), 0);
    ck_assert_int_eq(n, 2);
    ck_assert_uint_eq(dcs_cfg_len(cluster), 3);
    ck_assert_str_eq(dcs_cfg_key(cluster, 2), "racks");
    const char *s = NULL;
    ck_assert_int_eq(dcs_cfg_str(cluster, "name", 1, &s, &err), 0);
    ck_assert_str_eq(s, "x y");

    double *v = NULL;
    size_t len = 0;
    ck_assert_int_eq(dcs_cfg_f64_seq(dcs_cfg_get(root, "w"), "gpu_weights", 1,
                                     0, 1, &v, &len, &err),
                     0);
    ck_assert_uint_eq(len, 2);
    ck_assert(v[0] == 0.25 && v[1] == 0.75);
    free(v);

    dcs_cfg_node_t *job1 = dcs_cfg_at(dcs_cfg_get(root, "jobs"), 1);
    ck_assert_int_eq(dcs_cfg_str(job1, "name", 1, &s, &err), 0);
    ck_assert_str_eq(s, "c");
    char path[64];
    ck_assert_str_eq(dcs_cfg_path(dcs_cfg_get(job1, "name"), path, sizeof path),
                     "jobs[1].name");

    dcs_cfg_node_t *x =
        dcs_cfg_get(dcs_cfg_get(dcs_cfg_get(root, "new"), "deep"), "x");
    ck_assert_str_eq(dcs_cfg_scalar(x), "5");
    ck_assert_str_eq(dcs_cfg_path(x, path, sizeof path), "new.deep.x");
    ck_assert_int_eq(dcs_cfg_col(x), 12);
    ck_assert_str_eq(
        dcs_cfg_scalar(dcs_cfg_get(dcs_cfg_get(root, "empty"), "y")), "abc");
    ck_assert_int_eq(dcs_cfg_kind(dcs_cfg_get(root, "flag")), DCS_CFG_NULL);
    dcs_cfg_free(cfg);
}
END_TEST

START_TEST(set_new_key_is_checked)
{
    dcs_cfg_t *cfg = load_ok("cluster:\n  nodes: 4\n");
    dcs_err_t err = {""};
    ck_assert_int_eq(dcs_cfg_set(cfg, "cluster.ndoes=8", &err), 0);
    ck_assert_int_eq(dcs_cfg_set(cfg, "rate=abc", &err), 0);
    dcs_cfg_node_t *root = dcs_cfg_root(cfg);
    dcs_cfg_node_t *cluster = dcs_cfg_get(root, "cluster");
    int64_t n;
    ck_assert_int_eq(dcs_cfg_i64(cluster, "nodes", 1, 1, 100, &n, &err), 0);
    ck_assert_int_eq(n, 4);
    double r;
    ck_assert_int_eq(dcs_cfg_f64(root, "rate", 1, 0, INFINITY, &r, &err),
                     DCS_EINPUT);
    ck_assert_str_eq(err.msg,
                     "--set:1:6: field 'rate': expected a number >= 0, found "
                     "'abc'");
    ck_assert_int_eq(dcs_cfg_check_unknown(root, &err), DCS_EINPUT);
    ck_assert_str_eq(err.msg, "--set:1:9: unknown field 'cluster.ndoes'; did "
                              "you mean 'nodes'?");
    dcs_cfg_free(cfg);
}
END_TEST

START_TEST(set_errors)
{
    const char *doc = "a: 1\nlist: [1, 2, 3]\nm:\n  k: v\n";
    expect_set_error(doc, "x", "--set 'x': expected key=value");
    expect_set_error(doc, "=3", "--set '=3': expected key=value");
    expect_set_error(doc, "a..b=1", "--set 'a..b=1': empty name in 'a..b'");
    expect_set_error(doc, "a.b=1",
                     "--set 'a.b=1': 'a' is a scalar, cannot set 'b' inside "
                     "it");
    expect_set_error(doc, "m.k.z.w=1",
                     "--set 'm.k.z.w=1': 'm.k' is a scalar, cannot set 'z' "
                     "inside it");
    expect_set_error(doc, "list.b=1",
                     "--set 'list.b=1': 'list' is a sequence, expected an "
                     "index, found 'b'");
    expect_set_error(doc, "list.5=1",
                     "--set 'list.5=1': index 5 out of range for 'list' (3 "
                     "items)");
    expect_set_error(doc, "m.k=[1",
                     "--set 'm.k=[1': YAML syntax error at column 7: did not "
                     "find expected ',' or ']' (while parsing a flow "
                     "sequence)");
    expect_set_error(doc, "m.n={a: 1, a: 2}",
                     "--set:1:12: duplicate field 'm.n.a' (first at line 1)");
}
END_TEST

START_TEST(set_error_changes_nothing)
{
    dcs_cfg_t *cfg = load_ok("a: 1\n");
    dcs_err_t err = {""};
    ck_assert_int_eq(dcs_cfg_set(cfg, "new.x=[1", &err), DCS_EINPUT);
    ck_assert_ptr_null(dcs_cfg_get(dcs_cfg_root(cfg), "new"));
    ck_assert_uint_eq(dcs_cfg_len(dcs_cfg_root(cfg)), 1);
    dcs_cfg_free(cfg);
}
END_TEST

/* ---- emit and hash ---------------------------------------------------- */

static char *emit_ok(const dcs_cfg_t *cfg)
{
    char *text = NULL;
    size_t len = 0;
    dcs_err_t err = {""};
    ck_assert_int_eq(dcs_cfg_emit(cfg, &text, &len, &err), 0);
    ck_assert_uint_eq(strlen(text), len);
    return text;
}

START_TEST(emit_round_trip)
{
    dcs_err_t err = {""};
    dcs_cfg_t *cfg = dcs_cfg_load(DATA "inc_main.yaml", &err);
    ck_assert_msg(cfg != NULL, "%s", err.msg);
    ck_assert_int_eq(dcs_cfg_set(cfg, "cluster.label='007'", &err), 0);
    ck_assert_int_eq(dcs_cfg_set(cfg, "weights=[0.5, 0.25]", &err), 0);
    ck_assert_int_eq(dcs_cfg_set(cfg, "note=\"a: b # c\"", &err), 0);
    ck_assert_int_eq(dcs_cfg_set(cfg, "none=", &err), 0);
    char *first = emit_ok(cfg);
    char *second = emit_ok(cfg);
    ck_assert_str_eq(first, second);

    dcs_cfg_t *again = dcs_cfg_load_string("emitted.yaml", first, &err);
    ck_assert_msg(again != NULL, "%s\n%s", err.msg, first);
    dcs_cfg_node_t *root = dcs_cfg_root(again);
    dcs_cfg_node_t *cluster = dcs_cfg_get(root, "cluster");
    int64_t n = 0;
    const char *s = NULL;
    ck_assert_int_eq(dcs_cfg_i64(cluster, "nodes", 1, 1, 100, &n, &err), 0);
    ck_assert_int_eq(n, 4);
    ck_assert_int_eq(dcs_cfg_i64(dcs_cfg_get(cluster, "network"), "bw_gbps", 1,
                                 1, 1000, &n, &err),
                     0);
    ck_assert_int_eq(n, 400);
    ck_assert_int_eq(dcs_cfg_str(cluster, "label", 1, &s, &err), 0);
    ck_assert_str_eq(s, "007");
    ck_assert_int_eq(dcs_cfg_str(root, "note", 1, &s, &err), 0);
    ck_assert_str_eq(s, "a: b # c");
    ck_assert_int_eq(dcs_cfg_kind(dcs_cfg_get(root, "none")), DCS_CFG_NULL);
    double *v = NULL;
    size_t len = 0;
    ck_assert_int_eq(dcs_cfg_f64_seq(root, "weights", 1, 0, 1, &v, &len, &err),
                     0);
    ck_assert_uint_eq(len, 2);
    ck_assert(v[0] == 0.5 && v[1] == 0.25);
    free(v);

    /* Emitting what was emitted changes nothing. */
    char *third = emit_ok(again);
    ck_assert_str_eq(first, third);
    free(first);
    free(second);
    free(third);
    dcs_cfg_free(again);
    dcs_cfg_free(cfg);
}
END_TEST

START_TEST(emit_exact)
{
    dcs_cfg_t *cfg = load_ok("name: 'demo'\nn: 3\nlist: [1, 2]\n"
                             "m: {a: ~, b: x y}\ne: []\nf: {}\n"
                             "\"null\": |\n  two\n  lines\n");
    char *text = emit_ok(cfg);
    ck_assert_str_eq(text, "name: \"demo\"\n"
                           "n: 3\n"
                           "list:\n"
                           "- 1\n"
                           "- 2\n"
                           "m:\n"
                           "  a: null\n"
                           "  b: x y\n"
                           "e: []\n"
                           "f: {}\n"
                           "\"null\": \"two\\nlines\\n\"\n");
    free(text);
    dcs_cfg_free(cfg);
}
END_TEST

START_TEST(hash_fnv1a)
{
    ck_assert_uint_eq(dcs_cfg_hash("", 0), UINT64_C(0xcbf29ce484222325));
    ck_assert_uint_eq(dcs_cfg_hash("a", 1), UINT64_C(0xaf63dc4c8601ec8c));
    ck_assert_uint_eq(dcs_cfg_hash("foobar", 6), UINT64_C(0x85944171f73967e8));
}
END_TEST

static Suite *cfg_suite(void)
{
    Suite *s = suite_create("cfg");
    TCase *bad = tcase_create("bad_input");
    tcase_add_test(bad, syntax_error);
    tcase_add_test(bad, root_not_mapping);
    tcase_add_test(bad, second_document);
    tcase_add_test(bad, duplicate_key);
    tcase_add_test(bad, unknown_tag);
    tcase_add_test(bad, nesting_limit);
    tcase_add_test(bad, load_missing_file);
    tcase_add_test(bad, alias_errors);
    tcase_add_test(bad, wrong_type_number);
    tcase_add_test(bad, number_forms);
    tcase_add_test(bad, negative_count);
    tcase_add_test(bad, non_integer);
    tcase_add_test(bad, fraction_out_of_range);
    tcase_add_test(bad, missing_required);
    tcase_add_test(bad, bad_enum);
    tcase_add_test(bad, bad_bool_and_str);
    tcase_add_test(bad, f64_seq_errors);
    tcase_add_test(bad, mapping_expected);
    tcase_add_test(bad, unknown_with_suggestion);
    tcase_add_test(bad, unknown_without_match);
    tcase_add_test(bad, unknown_far_suggestion);
    tcase_add_test(bad, include_missing);
    tcase_add_test(bad, include_cycle);
    tcase_add_test(bad, include_depth_limit);
    tcase_add_test(bad, set_errors);
    tcase_add_test(bad, set_error_changes_nothing);
    suite_add_tcase(s, bad);

    TCase *good = tcase_create("good_input");
    tcase_add_test(good, alias_copies_node);
    tcase_add_test(good, check_unknown_passes);
    tcase_add_test(good, typed_values);
    tcase_add_test(good, file_path_relative);
    tcase_add_test(good, include_nested);
    tcase_add_test(good, include_bad_value);
    tcase_add_test(good, set_overrides);
    tcase_add_test(good, set_new_key_is_checked);
    tcase_add_test(good, emit_round_trip);
    tcase_add_test(good, emit_exact);
    tcase_add_test(good, hash_fnv1a);
    suite_add_tcase(s, good);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(cfg_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
