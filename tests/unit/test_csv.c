/* test_csv.c - CSV report writing (sim/report/csv.c) and all-or-nothing
 * report folders (sim/report/outdir.c).
 *
 * Invariants checked:
 *  - a field is quoted exactly when it holds a comma, a double quote, a CR or
 *    an LF, quotes inside are doubled (RFC 4180), and a strict RFC 4180
 *    reader (libcsv, CSV_STRICT) gets every field back byte for byte, with as
 *    many fields in each row as the header has;
 *  - a row with too few or too many fields is a bug caught by an assertion;
 *  - times print as exact decimal seconds (the nanoseconds split at the
 *    ninth digit, trailing zeros dropped), over the whole int64 range;
 *  - numbers print with ten significant digits, never as -0, and NaN or
 *    infinity as an empty field;
 *  - a report folder shows no report until commit: before it only hidden
 *    .NAME.tmp files exist, after it only the reports; abort leaves nothing;
 *    the folder is created with its parents, and a path that cannot be a
 *    folder is refused with the system's reason.
 * Every expected byte string below is written out by hand. */
#include <check.h>
#include <csv.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/csv.h"
#include "report/outdir.h"
#include "support.h"

/* ---- helpers --------------------------------------------------------- */

/* An in-memory stream for the writer; text() closes it and hands the bytes
 * over. */
typedef struct membuf {
    FILE *f;
    char *data;
    size_t len;
} membuf_t;

static void mem_open(membuf_t *m)
{
    m->data = NULL;
    m->len = 0;
    m->f = open_memstream(&m->data, &m->len);
    ck_assert_ptr_nonnull(m->f);
}

static char *mem_text(membuf_t *m)
{
    ck_assert_int_eq(fclose(m->f), 0);
    m->f = NULL;
    return m->data;
}

/* What a strict RFC 4180 reader makes of some CSV text. */
#define MAX_ROWS 16
#define MAX_COLS 8
typedef struct table {
    char *field[MAX_ROWS][MAX_COLS]; /* malloc'd, NUL-terminated */
    size_t field_len[MAX_ROWS][MAX_COLS];
    size_t ncols[MAX_ROWS]; /* fields in each row */
    size_t nrows;           /* rows ended so far */
} table_t;

static void on_field(void *s, size_t len, void *data)
{
    table_t *t = data;
    ck_assert_uint_lt(t->nrows, MAX_ROWS);
    size_t c = t->ncols[t->nrows]++;
    ck_assert_uint_lt(c, MAX_COLS);
    char *copy = malloc(len + 1);
    ck_assert_ptr_nonnull(copy);
    if (len)
        memcpy(copy, s, len);
    copy[len] = '\0';
    t->field[t->nrows][c] = copy;
    t->field_len[t->nrows][c] = len;
}

static void on_row(int c, void *data)
{
    table_t *t = data;
    ck_assert_int_eq(c, '\n'); /* every row ends in LF, the last one too */
    t->nrows++;
}

/* RFC 4180: "Spaces are considered part of a field and should not be
 * ignored." libcsv trims them from unquoted fields unless told otherwise. */
static int no_spaces(unsigned char c)
{
    (void)c;
    return 0;
}

static void parse_csv(const char *text, table_t *t)
{
    memset(t, 0, sizeof *t);
    struct csv_parser p;
    ck_assert_int_eq(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI), 0);
    csv_set_space_func(&p, no_spaces);
    size_t len = strlen(text);
    ck_assert_msg(csv_parse(&p, text, len, on_field, on_row, t) == len,
                  "libcsv: %s", csv_strerror(csv_error(&p)));
    ck_assert_int_eq(csv_fini(&p, on_field, on_row, t), 0);
    csv_free(&p);
}

static void table_free(table_t *t)
{
    for (size_t r = 0; r < MAX_ROWS; r++)
        for (size_t c = 0; c < MAX_COLS; c++)
            free(t->field[r][c]);
}

/* Names in `dir` other than . and .., sorted, joined by spaces. */
static void list_dir(const char *dir, char *out, size_t size)
{
    char *names[32];
    size_t n = 0;
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        ck_assert_uint_lt(n, 32);
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    for (size_t i = 1; i < n; i++) /* insertion sort: a handful of names */
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *tmp = names[j];
            names[j] = names[j - 1];
            names[j - 1] = tmp;
        }
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        snprintf(out + strlen(out), size - strlen(out), "%s%s", i ? " " : "",
                 names[i]);
        free(names[i]);
    }
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    static char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* ---- quoting --------------------------------------------------------- */

START_TEST(test_quoting_exact_bytes_and_round_trip)
{
    static const char *const cols[] = {"name", "note", "count"};
    /* Each row: two text fields, one integer. */
    static const char *const text[][2] = {
        {"plain", "a,b"},               /* comma: quoted */
        {"say \"hi\"", "line1\nline2"}, /* quotes doubled; LF: quoted */
        {"cr\rhere", "\""},             /* CR: quoted; a lone quote */
        {"", " padded "},               /* empty, spaces: as they are */
        {"crlf\r\n", "x"},              /* CR LF inside a field */
    };
    static const int64_t count[] = {42, -7, 0, INT64_MIN, 1};
    const size_t nrows = sizeof count / sizeof count[0];
    membuf_t m;
    mem_open(&m);
    dcs_csv_t w;
    dcs_csv_begin(&w, m.f, cols, 3);
    for (size_t r = 0; r < nrows; r++) {
        dcs_csv_str(&w, text[r][0]);
        dcs_csv_str(&w, text[r][1]);
        dcs_csv_i64(&w, count[r]);
        dcs_csv_end_row(&w);
    }
    char *out = mem_text(&m);
    ck_assert_str_eq(out, "name,note,count\n"
                          "plain,\"a,b\",42\n"
                          "\"say \"\"hi\"\"\",\"line1\nline2\",-7\n"
                          "\"cr\rhere\",\"\"\"\",0\n"
                          ", padded ,-9223372036854775808\n"
                          "\"crlf\r\n\",x,1\n");

    table_t t;
    parse_csv(out, &t);
    ck_assert_uint_eq(t.nrows, 1 + nrows);
    for (size_t r = 0; r < t.nrows; r++)
        ck_assert_uint_eq(t.ncols[r], 3);
    for (size_t c = 0; c < 3; c++)
        ck_assert_str_eq(t.field[0][c], cols[c]);
    static const char *const count_text[] = {"42", "-7", "0",
                                             "-9223372036854775808", "1"};
    for (size_t r = 0; r < nrows; r++) {
        for (size_t c = 0; c < 2; c++) {
            ck_assert_uint_eq(t.field_len[r + 1][c], strlen(text[r][c]));
            ck_assert_str_eq(t.field[r + 1][c], text[r][c]);
        }
        ck_assert_str_eq(t.field[r + 1][2], count_text[r]);
    }
    table_free(&t);
    free(out);
}
END_TEST

START_TEST(test_quote_alone)
{
    /* dcs_csv_quote on its own, outside any row. */
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"abc", "abc"},           {"", ""},
        {"a b", "a b"},           {",", "\",\""},
        {"\"\"", "\"\"\"\"\"\""}, {"x\"y", "\"x\"\"y\""},
        {"\n", "\"\n\""},         {"semi;colon", "semi;colon"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        membuf_t m;
        mem_open(&m);
        dcs_csv_quote(m.f, cases[i].in);
        char *out = mem_text(&m);
        ck_assert_str_eq(out, cases[i].want);
        free(out);
    }
}
END_TEST

/* ---- the row check --------------------------------------------------- */

START_TEST(test_short_row_aborts)
{
    static const char *const cols[] = {"a", "b"};
    dcs_csv_t w;
    FILE *f = fopen("/dev/null", "w");
    dcs_csv_begin(&w, f, cols, 2);
    dcs_csv_str(&w, "only one");
    dcs_csv_end_row(&w); /* 1 field of 2: DCS_ASSERT aborts */
    fclose(f);
}
END_TEST

START_TEST(test_long_row_aborts)
{
    static const char *const cols[] = {"a", "b"};
    dcs_csv_t w;
    FILE *f = fopen("/dev/null", "w");
    dcs_csv_begin(&w, f, cols, 2);
    dcs_csv_i64(&w, 1);
    dcs_csv_i64(&w, 2);
    dcs_csv_i64(&w, 3); /* a third field: DCS_ASSERT aborts */
    fclose(f);
}
END_TEST

/* ---- times ----------------------------------------------------------- */

START_TEST(test_format_time_exact)
{
    /* INT64_MAX = 9223372036854775807 ns: the last nine digits are the
     * nanoseconds, so 9223372036 s and 854775807 ns (about 292 years). */
    static const struct {
        dcs_time_t ns;
        const char *want;
    } cases[] = {
        {0, "0"},
        {1500000000, "1.5"},
        {1, "0.000000001"},
        {-1, "-0.000000001"},
        {3600 * INT64_C(1000000000), "3600"},
        {10, "0.00000001"},
        {1000000001, "1.000000001"},
        {-2500000000, "-2.5"},
        {123456789, "0.123456789"},
        {INT64_MAX, "9223372036.854775807"},
        {INT64_MIN, "-9223372036.854775808"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[40];
        ck_assert_str_eq(dcs_format_time_s(cases[i].ns, buf, sizeof buf),
                         cases[i].want);
    }
}
END_TEST

START_TEST(test_csv_time_column)
{
    static const char *const cols[] = {"event", "time_s"};
    membuf_t m;
    mem_open(&m);
    dcs_csv_t w;
    dcs_csv_begin(&w, m.f, cols, 2);
    dcs_csv_str(&w, "start");
    dcs_csv_time_s(&w, 0);
    dcs_csv_end_row(&w);
    dcs_csv_str(&w, "tick");
    dcs_csv_time_s(&w, 1);
    dcs_csv_end_row(&w);
    dcs_csv_str(&w, "before");
    dcs_csv_time_s(&w, -1);
    dcs_csv_end_row(&w);
    dcs_csv_str(&w, "half");
    dcs_csv_time_s(&w, 1500000000);
    dcs_csv_end_row(&w);
    dcs_csv_str(&w, "hour");
    dcs_csv_time_s(&w, 3600 * INT64_C(1000000000));
    dcs_csv_end_row(&w);
    dcs_csv_str(&w, "never");
    dcs_csv_time_s(&w, INT64_MAX);
    dcs_csv_end_row(&w);
    char *out = mem_text(&m);
    ck_assert_str_eq(out, "event,time_s\n"
                          "start,0\n"
                          "tick,0.000000001\n"
                          "before,-0.000000001\n"
                          "half,1.5\n"
                          "hour,3600\n"
                          "never,9223372036.854775807\n");
    free(out);
}
END_TEST

/* ---- numbers --------------------------------------------------------- */

START_TEST(test_f64_digits_zero_and_nan)
{
    static const char *const cols[] = {"what", "value"};
    static const struct {
        const char *what;
        double v;
        const char *want;
    } cases[] = {
        {"negative zero", -0.0, "0"},
        {"zero", 0.0, "0"},
        {"one third", 1.0 / 3, "0.3333333333"},     /* 10 digits */
        {"two thirds", 2.0 / 3, "0.6666666667"},    /* rounded */
        {"tenth sum", 0.1 + 0.2, "0.3"},            /* 0.30000000000000004 */
        {"integer", 700.0, "700"},                  /* no trailing .0 */
        {"small", 1e-7, "1e-07"},                   /* %g exponent form */
        {"large", 12345678901.0, "1.23456789e+10"}, /* 11 digits: cut */
        {"nan", NAN, ""},                           /* no CSV form */
        {"inf", INFINITY, ""},
        {"-inf", -INFINITY, ""},
    };
    const size_t n = sizeof cases / sizeof cases[0];
    membuf_t m;
    mem_open(&m);
    dcs_csv_t w;
    dcs_csv_begin(&w, m.f, cols, 2);
    for (size_t i = 0; i < n; i++) {
        dcs_csv_str(&w, cases[i].what);
        dcs_csv_f64(&w, cases[i].v);
        dcs_csv_end_row(&w);
    }
    char *out = mem_text(&m);
    char want[1024] = "what,value\n";
    for (size_t i = 0; i < n; i++)
        snprintf(want + strlen(want), sizeof want - strlen(want), "%s,%s\n",
                 cases[i].what, cases[i].want);
    ck_assert_str_eq(out, want);

    table_t t;
    parse_csv(out, &t);
    ck_assert_uint_eq(t.nrows, 1 + n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_uint_eq(t.ncols[i + 1], 2);
        ck_assert_str_eq(t.field[i + 1][1], cases[i].want);
    }
    table_free(&t);
    free(out);
}
END_TEST

START_TEST(test_empty_field)
{
    static const char *const cols[] = {"a", "b", "c"};
    membuf_t m;
    mem_open(&m);
    dcs_csv_t w;
    dcs_csv_begin(&w, m.f, cols, 3);
    dcs_csv_empty(&w);
    dcs_csv_i64(&w, 5);
    dcs_csv_empty(&w);
    dcs_csv_end_row(&w);
    char *out = mem_text(&m);
    ck_assert_str_eq(out, "a,b,c\n,5,\n");
    table_t t;
    parse_csv(out, &t);
    ck_assert_uint_eq(t.nrows, 2);
    ck_assert_uint_eq(t.ncols[1], 3);
    ck_assert_str_eq(t.field[1][0], "");
    ck_assert_str_eq(t.field[1][1], "5");
    ck_assert_str_eq(t.field[1][2], "");
    table_free(&t);
    free(out);
}
END_TEST

/* ---- report folders -------------------------------------------------- */

START_TEST(test_outdir_nothing_visible_before_commit)
{
    char dir[64], path[256], tmp[256], listing[512];
    make_tmpdir(dir, sizeof dir);
    dcs_err_t err = {""};
    dcs_outdir_t *o = dcs_outdir_begin(dir, &err);
    ck_assert_msg(o != NULL, "%s", err.msg);
    FILE *a = dcs_outdir_create(o, "a.csv", &err);
    ck_assert_msg(a != NULL, "%s", err.msg);
    FILE *b = dcs_outdir_create(o, "b.csv", &err);
    ck_assert_msg(b != NULL, "%s", err.msg);
    fputs("x,y\n1,2\n", a);
    fputs("only\n", b);
    fflush(a);

    /* Before commit: the hidden temporaries only. */
    snprintf(path, sizeof path, "%s/a.csv", dir);
    snprintf(tmp, sizeof tmp, "%s/.a.csv.tmp", dir);
    ck_assert(!exists(path));
    ck_assert(exists(tmp));
    list_dir(dir, listing, sizeof listing);
    ck_assert_str_eq(listing, ".a.csv.tmp .b.csv.tmp");

    /* After: the reports with their content, no temporary left. */
    ck_assert_int_eq(dcs_outdir_commit(o, &err), 0);
    ck_assert_str_eq(err.msg, "");
    list_dir(dir, listing, sizeof listing);
    ck_assert_str_eq(listing, "a.csv b.csv");
    ck_assert_str_eq(read_file(path), "x,y\n1,2\n");
    snprintf(path, sizeof path, "%s/b.csv", dir);
    ck_assert_str_eq(read_file(path), "only\n");

    snprintf(path, sizeof path, "%s/a.csv", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/b.csv", dir);
    unlink(path);
    ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

START_TEST(test_outdir_abort_leaves_nothing)
{
    char dir[64], listing[512];
    make_tmpdir(dir, sizeof dir);
    dcs_err_t err = {""};
    dcs_outdir_t *o = dcs_outdir_begin(dir, &err);
    ck_assert_ptr_nonnull(o);
    FILE *f = dcs_outdir_create(o, "summary.csv", &err);
    ck_assert_ptr_nonnull(f);
    fputs("half a report", f);
    ck_assert_ptr_nonnull(dcs_outdir_create(o, "jobs.csv", &err));
    dcs_outdir_abort(o);
    list_dir(dir, listing, sizeof listing);
    ck_assert_str_eq(listing, "");
    dcs_outdir_abort(NULL); /* a no-op */
    ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

START_TEST(test_outdir_creates_parents)
{
    char dir[64], nested[256], file[300];
    make_tmpdir(dir, sizeof dir);
    snprintf(nested, sizeof nested, "%s/runs/2024/quick", dir);
    dcs_err_t err = {""};
    dcs_outdir_t *o = dcs_outdir_begin(nested, &err);
    ck_assert_msg(o != NULL, "%s", err.msg);
    struct stat st;
    ck_assert_int_eq(stat(nested, &st), 0);
    ck_assert(S_ISDIR(st.st_mode));
    FILE *f = dcs_outdir_create(o, "run.yaml", &err);
    ck_assert_ptr_nonnull(f);
    fputs("seed: 1\n", f);
    ck_assert_int_eq(dcs_outdir_commit(o, &err), 0);
    snprintf(file, sizeof file, "%s/run.yaml", nested);
    ck_assert_str_eq(read_file(file), "seed: 1\n");

    /* An existing folder is fine too (a second run into the same place). */
    o = dcs_outdir_begin(nested, &err);
    ck_assert_ptr_nonnull(o);
    dcs_outdir_abort(o);

    unlink(file);
    rmdir(nested);
    snprintf(nested, sizeof nested, "%s/runs/2024", dir);
    rmdir(nested);
    snprintf(nested, sizeof nested, "%s/runs", dir);
    rmdir(nested);
    ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

START_TEST(test_outdir_under_a_file_fails)
{
    char dir[64], file[128], bad[192], want[512];
    make_tmpdir(dir, sizeof dir);
    snprintf(file, sizeof file, "%s/plain-file", dir);
    FILE *f = fopen(file, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    snprintf(bad, sizeof bad, "%s/reports", file);
    dcs_err_t err = {""};
    ck_assert_ptr_null(dcs_outdir_begin(bad, &err));
    snprintf(want, sizeof want,
             "cannot create output folder '%s': Not a directory", bad);
    ck_assert_str_eq(err.msg, want);
    ck_assert(!exists(bad));

    /* The output folder itself an existing regular file: refused up front,
     * not discovered when the first report is written. */
    err.msg[0] = '\0';
    ck_assert_ptr_null(dcs_outdir_begin(file, &err));
    snprintf(want, sizeof want,
             "cannot create output folder '%s': Not a directory", file);
    ck_assert_str_eq(err.msg, want);
    unlink(file);
    ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("csv");
    TCase *tc = tcase_create("csv");
    tcase_add_test(tc, test_quoting_exact_bytes_and_round_trip);
    tcase_add_test(tc, test_quote_alone);
    tcase_add_test_raise_signal(tc, test_short_row_aborts, SIGABRT);
    tcase_add_test_raise_signal(tc, test_long_row_aborts, SIGABRT);
    tcase_add_test(tc, test_format_time_exact);
    tcase_add_test(tc, test_csv_time_column);
    tcase_add_test(tc, test_f64_digits_zero_and_nan);
    tcase_add_test(tc, test_empty_field);
    suite_add_tcase(s, tc);
    TCase *od = tcase_create("outdir");
    tcase_add_test(od, test_outdir_nothing_visible_before_commit);
    tcase_add_test(od, test_outdir_abort_leaves_nothing);
    tcase_add_test(od, test_outdir_creates_parents);
    tcase_add_test(od, test_outdir_under_a_file_fails);
    suite_add_tcase(s, od);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
