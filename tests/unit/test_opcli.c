/* test_opcli.c - `dcsim op` (sim/cli/cmd_op.c), through the dcsim binary.
 *
 * Invariants checked:
 *  - one op prints one line, its predicted time in microseconds: a 4096^3
 *    bf16 GEMM on h100-sxm is no faster than the roofline of the datasheet
 *    numbers written out below, and within 5x of it; idle prints 0.000;
 *  - every kind of bad input (unknown device, op, field or dtype, a value
 *    without '=', an impossible shape, a dtype the device has no peak for,
 *    --op with --batch or neither) exits 2 with one exact message on stderr
 *    and nothing on stdout;
 *  - --batch refuses a missing or empty file, a header without `op`, with a
 *    column twice or with `predicted_us` already, a bad cell (FILE:LINE of
 *    the row, counted over physical lines), a row of the wrong length and
 *    an unknown op, with exit 2, one exact message, and nothing on stdout
 *    even when good rows come before the bad one: nothing is half-written;
 *  - --batch on good input keeps every input cell byte for byte (quoted
 *    cells quoted again the same way), appends predicted_us to the header
 *    and a number >= 0 to every row (0.000 for idle), one output row per
 *    input row, with LF or CRLF input; a row predicts what --op predicts
 *    for the same op;
 *  - a device without measurements (b200) runs with a note that it is
 *    unvalidated, before anything else on stderr. Other devices may or may
 *    not be calibrated as their files change, so the checks on them allow
 *    that note ahead of the one exact message.
 * Fixtures are tests/unit/data/op/; each LINE below is counted by hand in
 * its file (the header is line 1). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.h"

#define OPDATA DCSIM_TEST_DATA "/op/"

/* stderr after the note that a device is unvalidated, when it is there.
 * Whether a device is calibrated is a fact of its YAML file, which changes
 * when it is measured; test_unvalidated_device_notes_it checks the note's
 * exact text on a device that has none. */
static const char *after_note(const char *err)
{
    if (!starts_with(err, "dcsim op: note: device '"))
        return err;
    const char *nl = strchr(err, '\n');
    ck_assert_ptr_nonnull(nl);
    ck_assert_msg(strstr(err, "' is unvalidated: ") < nl, "%s", err);
    return nl + 1;
}

/* Runs `args` and checks exit 2, exactly `want` (one line, newline added)
 * on stderr (after the unvalidated note, if any), and nothing on stdout. */
static void expect_input_error(const char *const *args, const char *want)
{
    char *out, *err, line[2048];
    int rc = run_dcsim(args, &out, &err);
    snprintf(line, sizeof line, "%s\n", want);
    ck_assert_int_eq(rc, 2);
    ck_assert_str_eq(after_note(err), line);
    ck_assert_str_eq(out, "");
    free(out);
    free(err);
}

/* `dcsim op --device h100-sxm --batch FILE` fails with exactly
 * "dcsim op: " + want. */
static void expect_batch_error(const char *file, const char *want)
{
    const char *args[] = {"op", "--device", "h100-sxm", "--batch", file, NULL};
    expect_input_error(args, want);
}

/* Parses a whole line "NUMBER\n" (or the number alone up to NUL). */
static double parse_number(const char *s, const char *what)
{
    char *end;
    double v = strtod(s, &end);
    ck_assert_msg(end != s && (*end == '\n' || *end == '\0'),
                  "%s: not a number: '%s'", what, s);
    return v;
}

/* Runs one op (args after "op") and returns its printed time in
 * microseconds; checks exit 0, one line on stdout and `want_err` on stderr
 * ("" for none; after the unvalidated note, if any, unless want_err is that
 * note). */
static double one_op_us(const char *const *args, const char *want_err)
{
    char *out, *err;
    int rc = run_dcsim(args, &out, &err);
    ck_assert_msg(rc == 0, "exit %d, stderr: %s", rc, err);
    ck_assert_str_eq(
        starts_with(want_err, "dcsim op: note: ") ? err : after_note(err),
        want_err);
    size_t len = strlen(out);
    ck_assert_uint_gt(len, 1);
    ck_assert_int_eq(out[len - 1], '\n');
    ck_assert_ptr_eq(strchr(out, '\n'), out + len - 1);
    double us = parse_number(out, "--op output");
    free(out);
    free(err);
    return us;
}

/* ---- one op ------------------------------------------------------------ */

START_TEST(test_gemm_near_roofline)
{
    /* h100-sxm datasheet (topologies/devices/h100-sxm.yaml): bf16 dense
     * 989.4e12 FLOP/s, 3.35e12 B/s.
     * FLOPs 2 * 4096^3 = 137438953472: 137438953472 / 989.4e12 s =
     * 138.911 us. Bytes 3 * 4096^2 * 2 = 100663296: 30.049 us. The roofline
     * is the larger, compute. */
    double compute_us = 2.0 * 4096 * 4096 * 4096 / 989.4e12 * 1e6;
    double memory_us = 3.0 * 4096 * 4096 * 2 / 3.35e12 * 1e6;
    double roofline_us = compute_us > memory_us ? compute_us : memory_us;
    ck_assert_double_eq_tol(roofline_us, 138.911, 0.001);
    const char *args[] = {"op",     "--device", "h100-sxm", "--op", "gemm",
                          "m=4096", "n=4096",   "k=4096",   NULL};
    double us = one_op_us(args, "");
    ck_assert_msg(us >= roofline_us, "%.3f us is faster than the roofline %.3f",
                  us, roofline_us);
    ck_assert_msg(us <= 5 * roofline_us, "%.3f us is over 5x the roofline %.3f",
                  us, roofline_us);
}
END_TEST

START_TEST(test_idle_prints_zero)
{
    const char *args[] = {"op", "--device", "h100-sxm", "--op", "idle", NULL};
    char *out, *err;
    ck_assert_int_eq(run_dcsim(args, &out, &err), 0);
    ck_assert_str_eq(out, "0.000\n");
    ck_assert_str_eq(after_note(err), "");
    free(out);
    free(err);
}
END_TEST

START_TEST(test_unvalidated_device_notes_it)
{
    /* b200 has no calibration section: a note, and the run goes on.
     * Datasheet roofline (topologies/devices/b200.yaml): bf16 2.25e15
     * FLOP/s, 8e12 B/s: 137438953472 / 2.25e15 s = 61.084 us vs 100663296
     * / 8e12 s = 12.583 us. */
    const char *args[] = {"op",     "--device", "b200",   "--op", "gemm",
                          "m=4096", "n=4096",   "k=4096", NULL};
    double us = one_op_us(args, "dcsim op: note: device 'b200' is "
                                "unvalidated: no kernel measurements are "
                                "bundled for it, so times come from its "
                                "datasheet and default efficiencies\n");
    double roofline_us = 2.0 * 4096 * 4096 * 4096 / 2.25e15 * 1e6;
    ck_assert_double_eq_tol(roofline_us, 61.084, 0.001);
    ck_assert_double_ge(us, roofline_us);
    ck_assert_double_le(us, 5 * roofline_us);
}
END_TEST

START_TEST(test_help)
{
    const char *args[] = {"op", "--help", NULL};
    char *out, *err;
    ck_assert_int_eq(run_dcsim(args, &out, &err), 0);
    ck_assert_msg(starts_with(out, "usage: dcsim op --device NAME --op OP"),
                  "%s", out);
    ck_assert_str_eq(err, "");
    free(out);
    free(err);
}
END_TEST

/* ---- one op: bad input ------------------------------------------------ */

START_TEST(test_unknown_device)
{
    const char *args[] = {"op",  "--device", "x100", "--op", "gemm",
                          "m=1", "n=1",      "k=1",  NULL};
    char *out, *err;
    ck_assert_int_eq(run_dcsim(args, &out, &err), 2);
    ck_assert_msg(starts_with(err, "dcsim op: unknown device 'x100'; known "
                                   "devices: "),
                  "%s", err);
    ck_assert_msg(strstr(err, "h100-sxm") != NULL, "%s", err);
    /* One line. */
    ck_assert_ptr_eq(strchr(err, '\n'), err + strlen(err) - 1);
    ck_assert_str_eq(out, "");
    free(out);
    free(err);
    /* A path is not a device name, even one that leads to a device file. */
    const char *path_args[] = {"op",   "--device", "../devices/h100-sxm",
                               "--op", "idle",     NULL};
    ck_assert_int_eq(run_dcsim(path_args, &out, &err), 2);
    ck_assert_msg(starts_with(err, "dcsim op: unknown device "
                                   "'../devices/h100-sxm'; known devices: "),
                  "%s", err);
    ck_assert_str_eq(out, "");
    free(out);
    free(err);
}
END_TEST

START_TEST(test_unknown_op)
{
    const char *args[] = {"op", "--device", "h100-sxm", "--op", "conv2d", NULL};
    expect_input_error(args, "dcsim op: --op: field 'op': expected one of "
                             "idle, gemm, bmm, attention, decode_attention, "
                             "elementwise_add, gelu, silu_mul, copy, "
                             "layernorm, rmsnorm, softmax, embedding, adam, "
                             "all_reduce, all_gather, reduce_scatter, "
                             "all_to_all, send_recv, broadcast, "
                             "found 'conv2d'");
}
END_TEST

START_TEST(test_unknown_field)
{
    const char *args[] = {"op",   "--device", "h100-sxm", "--op", "gemm",
                          "m=64", "foo=1",    "n=64",     "k=64", NULL};
    expect_input_error(args, "dcsim op: unknown field 'foo'; fields are "
                             "dtype, m, n, k, batch, heads, kv_heads, seq, "
                             "kv_seq, head_dim, causal, pass, gpus, bytes");
}
END_TEST

START_TEST(test_value_without_equals)
{
    const char *args[] = {"op",   "--device", "h100-sxm", "--op",
                          "gemm", "m4096",    NULL};
    expect_input_error(args, "dcsim op: expected key=value, found 'm4096'");
}
END_TEST

START_TEST(test_bad_values)
{
    const char *dtype[] = {"op",   "--device", "h100-sxm", "--op",       "gemm",
                           "m=64", "n=64",     "k=64",     "dtype=bf17", NULL};
    expect_input_error(dtype, "dcsim op: field 'dtype': expected one of fp32, "
                              "tf32, bf16, fp16, fp8, int8, found 'bf17'");
    const char *neg[] = {"op",    "--device", "h100-sxm", "--op", "gemm",
                         "m=-64", "n=64",     "k=64",     NULL};
    expect_input_error(neg, "dcsim op: field 'm': expected a non-negative "
                            "integer, found '-64'");
    const char *pass[] = {"op",          "--device",  "h100-sxm", "--op",
                          "attention",   "batch=1",   "heads=8",  "seq=128",
                          "head_dim=64", "pass=back", NULL};
    expect_input_error(pass, "dcsim op: field 'pass': expected fwd or bwd, "
                             "found 'back'");
}
END_TEST

START_TEST(test_impossible_shape)
{
    const char *args[] = {"op",     "--device", "h100-sxm", "--op", "gemm",
                          "m=4096", "n=4096",   "k=0",      NULL};
    expect_input_error(args, "dcsim op: op gemm needs k >= 1, found 0");
    /* k never given is 0 too. */
    const char *missing[] = {"op",   "--device", "h100-sxm", "--op",
                             "gemm", "m=4096",   "n=4096",   NULL};
    expect_input_error(missing, "dcsim op: op gemm needs k >= 1, found 0");
    const char *causal[] = {"op",         "--device",    "h100-sxm", "--op",
                            "attention",  "batch=1",     "heads=8",  "seq=256",
                            "kv_seq=128", "head_dim=64", "causal=1", NULL};
    expect_input_error(causal, "dcsim op: causal attention needs kv_seq >= "
                               "seq, found seq 256 and kv_seq 128");
}
END_TEST

START_TEST(test_dtype_without_peak)
{
    /* a100-sxm-80gb lists no fp8 peak (Ampere has no fp8). It is also
     * unvalidated, so the note may come first; the error is the last line
     * and the only other. */
    const char *args[] = {"op",        "--device", "a100-sxm-80gb", "--op",
                          "gemm",      "m=4096",   "n=4096",        "k=4096",
                          "dtype=fp8", NULL};
    char *out, *err;
    ck_assert_int_eq(run_dcsim(args, &out, &err), 2);
    const char *want =
        "dcsim op: device 'a100-sxm-80gb' has no fp8 peak for gemm\n";
    size_t len = strlen(err), wlen = strlen(want);
    ck_assert_uint_ge(len, wlen);
    ck_assert_str_eq(err + len - wlen, want);
    if (len > wlen) {
        ck_assert_msg(starts_with(err, "dcsim op: note: device "
                                       "'a100-sxm-80gb' is unvalidated"),
                      "%s", err);
        ck_assert_ptr_eq(strchr(err, '\n'), err + len - wlen - 1);
    }
    ck_assert_str_eq(out, "");
    free(out);
    free(err);
}
END_TEST

/* The usage error: the message, a blank line, then the usage text. */
static void expect_usage_error(const char *const *args)
{
    char *out, *err;
    ck_assert_int_eq(run_dcsim(args, &out, &err), 2);
    ck_assert_msg(starts_with(err, "dcsim op: expected --device and one of "
                                   "--op or --batch\n\nusage: dcsim op "),
                  "%s", err);
    ck_assert_str_eq(out, "");
    free(out);
    free(err);
}

START_TEST(test_op_and_batch_together_or_neither)
{
    const char *both[] = {"op",   "--device", "h100-sxm",        "--op",
                          "idle", "--batch",  OPDATA "good.csv", NULL};
    expect_usage_error(both);
    const char *neither[] = {"op", "--device", "h100-sxm", NULL};
    expect_usage_error(neither);
    const char *no_device[] = {"op", "--op", "idle", NULL};
    expect_usage_error(no_device);
    const char *extra[] = {"op",      "--device",        "h100-sxm",
                           "--batch", OPDATA "good.csv", "m=1",
                           NULL};
    expect_input_error(extra,
                       "dcsim op: unexpected argument 'm=1' with --batch");
}
END_TEST

/* ---- --batch: bad input ------------------------------------------------ */

START_TEST(test_batch_missing_file)
{
    expect_batch_error(OPDATA "no_such_file.csv",
                       "dcsim op: cannot open '" OPDATA "no_such_file.csv': "
                       "No such file or directory");
}
END_TEST

START_TEST(test_batch_empty_file)
{
    expect_batch_error(OPDATA "empty.csv",
                       "dcsim op: " OPDATA "empty.csv: empty file, expected "
                       "a header row");
}
END_TEST

START_TEST(test_batch_bad_header)
{
    /* no_op_column.csv: kind,m. */
    expect_batch_error(OPDATA "no_op_column.csv",
                       "dcsim op: " OPDATA "no_op_column.csv:1: no column "
                       "'op' in the header");
    /* duplicate_column.csv: op,m,n,m. */
    expect_batch_error(OPDATA "duplicate_column.csv",
                       "dcsim op: " OPDATA "duplicate_column.csv:1: column "
                       "'m' appears twice");
    /* has_predicted.csv: op,m,predicted_us. */
    expect_batch_error(OPDATA "has_predicted.csv",
                       "dcsim op: " OPDATA "has_predicted.csv:1: the header "
                       "already has a column 'predicted_us'");
}
END_TEST

START_TEST(test_batch_bad_cells)
{
    /* bad_cell.csv: a good copy row on line 2, then m=abc on line 3. */
    expect_batch_error(OPDATA "bad_cell.csv",
                       "dcsim op: " OPDATA "bad_cell.csv:3: field 'm': "
                       "expected a non-negative integer, found 'abc'");
    /* negative.csv: two good gemms, then n=-5 on line 4. */
    expect_batch_error(OPDATA "negative.csv",
                       "dcsim op: " OPDATA "negative.csv:4: field 'n': "
                       "expected a non-negative integer, found '-5'");
    /* multiline.csv: line 2's quoted name runs onto line 3, so the row
     * with m=-1 starts on line 4. */
    expect_batch_error(OPDATA "multiline.csv",
                       "dcsim op: " OPDATA "multiline.csv:4: field 'm': "
                       "expected a non-negative integer, found '-1'");
    /* unknown_op.csv: conv2d on line 3. */
    expect_batch_error(OPDATA "unknown_op.csv",
                       "dcsim op: " OPDATA "unknown_op.csv:3: field 'op': "
                       "expected one of idle, gemm, bmm, attention, "
                       "decode_attention, elementwise_add, gelu, silu_mul, "
                       "copy, layernorm, rmsnorm, softmax, embedding, adam, "
                       "all_reduce, all_gather, reduce_scatter, all_to_all, "
                       "send_recv, broadcast, found 'conv2d'");
    /* impossible.csv: k=0 on line 3. */
    expect_batch_error(OPDATA "impossible.csv",
                       "dcsim op: " OPDATA "impossible.csv:3: op gemm needs "
                       "k >= 1, found 0");
}
END_TEST

START_TEST(test_batch_wrong_field_count)
{
    /* field_count.csv: header of 3, line 3 has 2 fields, line 4 has 4; the
     * first is reported. */
    expect_batch_error(OPDATA "field_count.csv",
                       "dcsim op: " OPDATA "field_count.csv:3: expected 3 "
                       "fields as in the header, found 2");
}
END_TEST

/* ---- --batch: good input ------------------------------------------------ */

/* Splits `text` at LF into at most `cap` lines, dropping one CR before each
 * LF when `crlf`; modifies text. Returns the number of lines. */
static size_t split_lines(char *text, char **lines, size_t cap, int crlf)
{
    size_t n = 0;
    char *p = text;
    while (*p) {
        char *nl = strchr(p, '\n');
        ck_assert_msg(nl != NULL, "last line without a newline: '%s'", p);
        ck_assert_uint_lt(n, cap);
        *nl = '\0';
        if (crlf) {
            ck_assert_msg(nl > p && nl[-1] == '\r', "line %zu without CR",
                          n + 1);
            nl[-1] = '\0';
        } else {
            ck_assert_msg(nl == p || nl[-1] != '\r', "line %zu with CR", n + 1);
        }
        lines[n++] = p;
        p = nl + 1;
    }
    return n;
}

/* Runs --batch on `file` (LF or CRLF line ends, no newline inside a cell)
 * and checks that the output is the input, line by line, with
 * ",predicted_us,predicted_power_w" after the header and ",NUMBER,WATTS"
 * after each row (time >= 0, power between idle and the TDP).
 * Returns the predictions (the caller frees); *nrows their count. */
static double *expect_batch_good(const char *file, int crlf, size_t *nrows)
{
    char *input = slurp(file, NULL);
    char *in_lines[64], *out_lines[64];
    size_t nin = split_lines(input, in_lines, 64, crlf);
    ck_assert_uint_ge(nin, 1);
    const char *args[] = {"op", "--device", "h100-sxm", "--batch", file, NULL};
    char *out, *err;
    int rc = run_dcsim(args, &out, &err);
    ck_assert_msg(rc == 0, "exit %d, stderr: %s", rc, err);
    ck_assert_str_eq(after_note(err), "");
    size_t nout = split_lines(out, out_lines, 64, 0);
    ck_assert_uint_eq(nout, nin);
    char want[1024];
    snprintf(want, sizeof want, "%s,predicted_us,predicted_power_w",
             in_lines[0]);
    ck_assert_str_eq(out_lines[0], want);
    double *us = calloc(nin, sizeof *us);
    ck_assert_ptr_nonnull(us);
    for (size_t i = 1; i < nin; i++) {
        size_t len = strlen(in_lines[i]);
        ck_assert_msg(!strncmp(out_lines[i], in_lines[i], len) &&
                          out_lines[i][len] == ',',
                      "row %zu: '%s' does not start with '%s,'", i,
                      out_lines[i], in_lines[i]);
        char *time = out_lines[i] + len + 1, *comma = strrchr(time, ',');
        ck_assert_ptr_nonnull(comma);
        *comma = '\0';
        us[i - 1] = parse_number(time, "predicted_us");
        ck_assert_double_ge(us[i - 1], 0);
        /* board power: between idle and the H100's 700 W limit */
        double w = parse_number(comma + 1, "predicted_power_w");
        ck_assert_double_ge(w, 100);
        ck_assert_double_le(w, 700);
    }
    *nrows = nin - 1;
    free(input);
    free(out);
    free(err);
    return us;
}

START_TEST(test_batch_good_lf)
{
    /* good.csv: name (quoted, with a comma and with doubled quotes), op
     * columns without kv_heads and kv_seq, a trailing note (quoted with a
     * comma, and empty); rows gemm, attention fwd, layernorm, idle,
     * attention bwd. */
    size_t n;
    double *us = expect_batch_good(OPDATA "good.csv", 0, &n);
    ck_assert_uint_eq(n, 5);
    for (size_t i = 0; i < n; i++)
        if (i != 3)
            ck_assert_msg(us[i] > 0, "row %zu predicts %g", i + 2, us[i]);
    free(us);
    /* The idle row (line 5) prints 0.000 exactly, at the idle power of
     * topologies/devices/h100-sxm.yaml (idle_power_w: 121.6). */
    const char *args[] = {"op",      "--device",        "h100-sxm",
                          "--batch", OPDATA "good.csv", NULL};
    char *out, *err;
    ck_assert_int_eq(run_dcsim(args, &out, &err), 0);
    ck_assert_msg(strstr(out, "\npause,idle,,,,,,,,,,,\"nothing, at all\","
                              "0.000,121.6\n") != NULL,
                  "%s", out);
    free(out);
    free(err);
}
END_TEST

START_TEST(test_batch_good_crlf)
{
    /* good_crlf.csv: CRLF line ends (checked, so a checkout that rewrote
     * them fails here rather than testing LF twice); a different column
     * order, kv_heads and kv_seq present, dtype late, a trailing tag;
     * decode_attention, bmm, copy, gelu, silu_mul, elementwise_add,
     * rmsnorm, softmax, embedding, adam, idle. */
    size_t n;
    double *us = expect_batch_good(OPDATA "good_crlf.csv", 1, &n);
    ck_assert_uint_eq(n, 11);
    for (size_t i = 0; i + 1 < n; i++)
        ck_assert_msg(us[i] > 0, "row %zu predicts %g", i + 2, us[i]);
    ck_assert_double_eq(us[n - 1], 0);
    free(us);
}
END_TEST

START_TEST(test_batch_header_only)
{
    const char *args[] = {
        "op", "--device", "h100-sxm", "--batch", OPDATA "header_only.csv",
        NULL};
    char *out, *err;
    ck_assert_int_eq(run_dcsim(args, &out, &err), 0);
    ck_assert_str_eq(out, "op,m,n,predicted_us,predicted_power_w\n");
    ck_assert_str_eq(after_note(err), "");
    free(out);
    free(err);
}
END_TEST

START_TEST(test_batch_row_matches_one_op)
{
    /* good.csv line 2 is gemm bf16 m=4096 n=12288 k=4096: --batch and --op
     * print the same number for it. */
    const char *args[] = {"op",     "--device",   "h100-sxm", "--op",
                          "gemm",   "dtype=bf16", "m=4096",   "n=12288",
                          "k=4096", NULL};
    double one = one_op_us(args, "");
    size_t n;
    double *us = expect_batch_good(OPDATA "good.csv", 0, &n);
    ck_assert_double_eq(us[0], one);
    /* And the roofline holds for it too: 2 * 4096 * 12288 * 4096 /
     * 989.4e12 s = 416.734 us. */
    double roofline_us = 2.0 * 4096 * 12288 * 4096 / 989.4e12 * 1e6;
    ck_assert_double_eq_tol(roofline_us, 416.734, 0.001);
    ck_assert_double_ge(one, roofline_us);
    free(us);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("opcli");
    TCase *one = tcase_create("one_op");
    tcase_add_test(one, test_gemm_near_roofline);
    tcase_add_test(one, test_idle_prints_zero);
    tcase_add_test(one, test_unvalidated_device_notes_it);
    tcase_add_test(one, test_help);
    tcase_add_test(one, test_unknown_device);
    tcase_add_test(one, test_unknown_op);
    tcase_add_test(one, test_unknown_field);
    tcase_add_test(one, test_value_without_equals);
    tcase_add_test(one, test_bad_values);
    tcase_add_test(one, test_impossible_shape);
    tcase_add_test(one, test_dtype_without_peak);
    tcase_add_test(one, test_op_and_batch_together_or_neither);
    suite_add_tcase(s, one);
    TCase *batch = tcase_create("batch");
    tcase_add_test(batch, test_batch_missing_file);
    tcase_add_test(batch, test_batch_empty_file);
    tcase_add_test(batch, test_batch_bad_header);
    tcase_add_test(batch, test_batch_bad_cells);
    tcase_add_test(batch, test_batch_wrong_field_count);
    tcase_add_test(batch, test_batch_good_lf);
    tcase_add_test(batch, test_batch_good_crlf);
    tcase_add_test(batch, test_batch_header_only);
    tcase_add_test(batch, test_batch_row_matches_one_op);
    suite_add_tcase(s, batch);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
