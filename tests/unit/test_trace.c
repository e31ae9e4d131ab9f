/* test_trace.c - job-trace readers and replay (sim/workload/trace*.c).
 *
 * Invariants checked:
 *  - no record is lost silently: for every reader, records == jobs kept +
 *    the sum of the drop counts, and each drop is counted under the reason
 *    a user would look for (exact counts per reason, no other reasons);
 *  - times are seconds from the first kept submission, durations are end
 *    minus start as each format defines them, and a censored job (still
 *    running when the trace ends) runs until the latest time the trace
 *    records anywhere, dropped records included;
 *  - kept jobs are sorted by submit time, ties in file order;
 *  - messy rows (empty fields, CRLF, quoted commas, bad numbers, missing
 *    fields) are dropped and counted, never an error; only a file that
 *    cannot be read or a missing required column is, with a message naming
 *    file, line and column;
 *  - replay hands each job to the sink at origin + submit x time_scale,
 *    with one arrival pending at a time, and every field carried over;
 *  - dcsim's training rows (a model and iterations) keep their model name,
 *    iterations and plan numbers, and cannot be replayed unpriced.
 * Each sample in tests/unit/data/traces/ is small enough to check by hand;
 * the expected values are worked out in the comments from the files. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "workload/trace.h"

#define DATA DCSIM_TEST_DATA "/traces/"

/* ---- helpers --------------------------------------------------------- */

static void read_ok(const char *file, const char *aux, dcs_trace_format_t f,
                    dcs_trace_t *t)
{
    char path[1024], aux_path[1024];
    snprintf(path, sizeof path, DATA "%s", file);
    if (aux)
        snprintf(aux_path, sizeof aux_path, DATA "%s", aux);
    dcs_err_t err = {""};
    int rc = dcs_trace_read(path, aux ? aux_path : NULL, f, t, &err);
    ck_assert_msg(rc == 0, "%s: %s", file, err.msg);
}

/* Reads a sample that must fail; returns its message (static). */
static const char *read_fails(const char *file, const char *aux,
                              dcs_trace_format_t f)
{
    static dcs_err_t err;
    char path[1024], aux_path[1024];
    snprintf(path, sizeof path, DATA "%s", file);
    if (aux)
        snprintf(aux_path, sizeof aux_path, DATA "%s", aux);
    dcs_trace_t t;
    memset(&err, 0, sizeof err);
    int rc = dcs_trace_read(path, aux ? aux_path : NULL, f, &t, &err);
    ck_assert_int_eq(rc, DCS_EINPUT);
    ck_assert_ptr_null(t.jobs);
    ck_assert_uint_eq(t.len, 0);
    return err.msg;
}

/* records == kept + dropped, the invariant every reader keeps. */
static void conserved(const dcs_trace_t *t)
{
    ck_assert_int_eq(t->records, (int64_t)t->len + dcs_trace_dropped_total(t));
}

typedef struct want {
    const char *reason;
    int64_t count;
} want_t;

/* The drops are exactly `w`: these reasons with these counts, no others. */
static void drops_are(const dcs_trace_t *t, const want_t *w, size_t n)
{
    ck_assert_uint_eq(t->ndrops, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(dcs_trace_dropped(t, w[i].reason) == w[i].count,
                      "'%s': %lld dropped, expected %lld", w[i].reason,
                      (long long)dcs_trace_dropped(t, w[i].reason),
                      (long long)w[i].count);
}

#define DROPS_ARE(t, ...)                                                      \
    do {                                                                       \
        const want_t w_[] = {__VA_ARGS__};                                     \
        drops_are(t, w_, sizeof w_ / sizeof *w_);                              \
    } while (0)

/* The kept jobs' names, in order, are `names` (space separated). */
static void order_is(const dcs_trace_t *t, const char *names)
{
    char got[1024] = "";
    size_t used = 0;
    for (size_t i = 0; i < t->len; i++)
        used += (size_t)snprintf(got + used, sizeof got - used, "%s%s",
                                 i ? " " : "", t->jobs[i].name);
    ck_assert_str_eq(got, names);
}

static const dcs_trace_job_t *job(const dcs_trace_t *t, const char *name)
{
    for (size_t i = 0; i < t->len; i++)
        if (!strcmp(t->jobs[i].name, name))
            return &t->jobs[i];
    ck_abort_msg("no kept job '%s'", name);
    return NULL;
}

/* ---- shared parsing -------------------------------------------------- */

START_TEST(test_datetime)
{
    double v = -1;
    /* 1970-01-01 is day 0. 2000-03-01: 30 years of 365 days plus 7 leap
     * days (72, 76, ..., 96) = 10957 days to 2000-01-01, + 31 + 29 = 11017
     * days = 951868800 s. */
    ck_assert_int_eq(dcs_trace_datetime("1970-01-01 00:00:00", &v), 0);
    ck_assert_double_eq(v, 0);
    ck_assert_int_eq(dcs_trace_datetime("2000-03-01 00:00:00", &v), 0);
    ck_assert_double_eq(v, 951868800.0);
    /* The leap day exists in 2020: 2020-03-01 minus 2020-02-29 12:00 is
     * 12 h; it does not in 2019. */
    double a, b;
    ck_assert_int_eq(dcs_trace_datetime("2020-02-29 12:00:00", &a), 0);
    ck_assert_int_eq(dcs_trace_datetime("2020-03-01T00:00:00Z", &b), 0);
    ck_assert_double_eq(b - a, 43200.0);
    ck_assert_int_eq(dcs_trace_datetime("2019-02-29 12:00:00", &a),
                     DCS_TRACE_BAD);
    /* A fraction of a second; a minute before the epoch. */
    ck_assert_int_eq(dcs_trace_datetime(" 1970-01-01 00:00:01.25 ", &v), 0);
    ck_assert_double_eq(v, 1.25);
    ck_assert_int_eq(dcs_trace_datetime("1969-12-31 23:59:00", &v), 0);
    ck_assert_double_eq(v, -60.0);
    /* Nothing, and what is not a time. */
    ck_assert_int_eq(dcs_trace_datetime("", &v), DCS_TRACE_EMPTY);
    ck_assert_int_eq(dcs_trace_datetime("None", &v), DCS_TRACE_EMPTY);
    ck_assert_int_eq(dcs_trace_datetime("2017-10-03", &v), DCS_TRACE_BAD);
    ck_assert_int_eq(dcs_trace_datetime("2017-10-03 24:00:00", &v),
                     DCS_TRACE_BAD);
    ck_assert_int_eq(dcs_trace_datetime("2017-10-03 02:54:54 PM", &v),
                     DCS_TRACE_BAD);
    ck_assert_int_eq(dcs_trace_datetime("2017/10/03 02:54:54", &v),
                     DCS_TRACE_BAD);
}
END_TEST

START_TEST(test_number)
{
    double v = 0;
    ck_assert_int_eq(dcs_trace_number(" 1.5e3 ", &v), DCS_TRACE_OK);
    ck_assert_double_eq(v, 1500);
    ck_assert_int_eq(dcs_trace_number("", &v), DCS_TRACE_EMPTY);
    ck_assert_int_eq(dcs_trace_number("NaN", &v), DCS_TRACE_EMPTY);
    ck_assert_int_eq(dcs_trace_number("null", &v), DCS_TRACE_EMPTY);
    ck_assert_int_eq(dcs_trace_number("12abc", &v), DCS_TRACE_BAD);
    ck_assert_int_eq(dcs_trace_number("inf", &v), DCS_TRACE_BAD);
    ck_assert_int_eq(dcs_trace_number("1,5", &v), DCS_TRACE_BAD);
    ck_assert_double_eq(v, 1500); /* untouched on failure */
}
END_TEST

START_TEST(test_format_names)
{
    const char *names[] = {"dcsim", "philly",      "helios",
                           "pai",   "alibaba2023", "tiresias"};
    for (int f = 0; f < 6; f++) {
        ck_assert_str_eq(dcs_trace_format_name((dcs_trace_format_t)f),
                         names[f]);
        ck_assert_int_eq(dcs_trace_format_find(names[f]), f);
    }
    ck_assert_int_eq(dcs_trace_format_find("slurm"), -1);
}
END_TEST

/* ---- dcsim's own CSV --------------------------------------------------- */

START_TEST(test_dcsim)
{
    dcs_trace_t t;
    read_ok("dcsim.csv", NULL, DCS_TRACE_DCSIM, &t);
    /* Lines 2-15 and 17 are records (16 is blank): 15. Kept a, b, i, n, o.
     * Dropped: c duration 0; d empty submit; e gpus "abc"; f gpus 0; g
     * duration -5; h 5 fields of 12; j priority "high"; k deadline 50
     * before its submission 115; l min 8 > max 4; m estimate -1. */
    ck_assert_int_eq(t.records, 15);
    ck_assert_uint_eq(t.len, 5);
    DROPS_ARE(&t, {"zero duration", 1}, {"bad submit time", 1},
              {"bad GPU count", 1}, {"no GPUs requested", 1},
              {"bad duration", 1}, {"wrong field count", 1},
              {"bad priority", 1}, {"bad deadline", 1},
              {"bad elastic bounds", 1}, {"bad estimate", 1});
    conserved(&t);
    /* Submissions 100 (a), 160 (b), 110 (i, line 10), 110 (n, line 15),
     * 200 (o): from a's 100, a 0, i 10, n 10, b 60, o 100. */
    order_is(&t, "a i n b o");
    const dcs_trace_job_t *a = job(&t, "a");
    ck_assert_double_eq(a->submit_s, 0);
    ck_assert_double_eq(a->duration_s, 3600);
    ck_assert_double_eq(a->gpus, 8);
    ck_assert_str_eq(a->team, "vision, large"); /* a quoted comma */
    ck_assert_str_eq(a->user, "ann");
    ck_assert_str_eq(a->gpu_type, "H100");
    ck_assert_int_eq(a->priority, 2);
    ck_assert_double_eq(a->estimate_s, 4000);
    ck_assert_double_eq(a->deadline_s, -1);
    ck_assert(isnan(a->start_s));
    ck_assert_int_eq(a->censored, 0);
    const dcs_trace_job_t *i = job(&t, "i");
    ck_assert_str_eq(i->team, "default");    /* empty team */
    ck_assert_double_eq(i->deadline_s, 900); /* 1000 - 100 */
    ck_assert_int_eq(i->min_gpus, 8);
    ck_assert_int_eq(i->max_gpus, 32);
    ck_assert_double_eq(i->estimate_s, -1);
    ck_assert_double_eq(job(&t, "n")->duration_s, 1000); /* "1e3" */
    ck_assert_double_eq(job(&t, "b")->gpus, 2.5);
    ck_assert_int_eq(t.fractional, 1);
    ck_assert_int_eq(t.censored, 0);
    /* The trace ends with i: 110 + 7200 = 7310, 7210 from a. */
    ck_assert_double_eq(t.end_s, 7210);
    dcs_trace_destroy(&t);
}
END_TEST

/* ---- Tiresias / Gavel -------------------------------------------------- */

START_TEST(test_tiresias)
{
    dcs_trace_t t;
    read_ok("tiresias.csv", NULL, DCS_TRACE_TIRESIAS, &t);
    /* 9 records (CRLF and LF mixed). Kept jobs 0, 1, 8. Dropped: 2 no
     * GPUs; 3 duration 0; 4 submit "x99"; 5 SLO 0; 6 empty duration; 7 8
     * fields of 9. */
    ck_assert_int_eq(t.records, 9);
    ck_assert_uint_eq(t.len, 3);
    DROPS_ARE(&t, {"no GPUs requested", 1}, {"zero duration", 1},
              {"bad submit time", 1}, {"bad SLO", 1}, {"bad duration", 1},
              {"wrong field count", 1});
    conserved(&t);
    order_is(&t, "0 1 8");
    const dcs_trace_job_t *j1 = job(&t, "1");
    ck_assert_double_eq(j1->submit_s, 30);
    ck_assert_double_eq(j1->duration_s, 147);
    ck_assert_double_eq(j1->gpus, 8);
    ck_assert_int_eq(j1->priority, 3); /* priority_weight 2.6 rounded */
    /* SLO 1.5: due at 30 + 1.5 x 147 = 250.5. */
    ck_assert_double_eq(j1->deadline_s, 250.5);
    ck_assert_int_eq(job(&t, "0")->priority, 1);
    ck_assert_double_eq(job(&t, "0")->deadline_s, -1); /* no SLO */
    /* Job 8's model "vgg16, big" is quoted; its row is whole. */
    ck_assert_double_eq(job(&t, "8")->submit_s, 227);
    ck_assert_str_eq(job(&t, "8")->team, "default");
    dcs_trace_destroy(&t);
}
END_TEST

/* ---- Helios ------------------------------------------------------------ */

START_TEST(test_helios)
{
    dcs_trace_t t;
    read_ok("helios.csv", NULL, DCS_TRACE_HELIOS, &t);
    /* 14 records, all CRLF. Kept 1001, 1004, 1009, 1011, 1013. Dropped:
     * 1002 gpu_num 0; 1003 and 1014 no start; 1005 start == end; 1006
     * ends before it starts; 1007 gpu_num "two"; 1008 month 13; 1010 10
     * fields of 12; 1012 end "00:xx:00". */
    ck_assert_int_eq(t.records, 14);
    ck_assert_uint_eq(t.len, 5);
    DROPS_ARE(&t, {"no GPUs requested", 1}, {"never started", 2},
              {"zero duration", 1}, {"end before start", 1},
              {"bad GPU count", 1}, {"bad submit time", 1},
              {"wrong field count", 1}, {"bad end time", 1});
    conserved(&t);
    order_is(&t, "1001 1004 1009 1011 1013");
    /* The clock starts at 1001's submission, 2020-04-01 00:00:07. */
    const dcs_trace_job_t *j = job(&t, "1001");
    ck_assert_double_eq(j->submit_s, 0);
    ck_assert_double_eq(j->duration_s, 7200);
    ck_assert_str_eq(j->team, "vcA");
    ck_assert_str_eq(j->user, "u1");
    /* 1009 (NODE_FAIL, kept: it held 16 GPUs) submitted 00:10:00, started
     * 01:00:00, ended a day later; its user "u5,x" was quoted. */
    j = job(&t, "1009");
    ck_assert_double_eq(j->submit_s, 600 - 7);
    ck_assert_double_eq(j->start_s, 3600 - 7);
    ck_assert_double_eq(j->duration_s, 86400);
    ck_assert_double_eq(j->gpus, 16);
    ck_assert_str_eq(j->user, "u5,x");
    ck_assert_str_eq(job(&t, "1011")->team, "default");
    ck_assert_double_eq(job(&t, "1011")->duration_s, 1);
    /* The latest time anywhere is 1014's submission, 2020-04-02 03:00:00,
     * though 1014 never ran: 27 h after 00:00:00, 97193 s from 00:00:07.
     * 1004 (RUNNING, started 00:04:00) runs 97200 - 240 = 96960 s; 1013
     * (COMPLETED but no end, started 00:15:00) 97200 - 900 = 96300 s. */
    ck_assert_int_eq(t.censored, 2);
    ck_assert_double_eq(t.end_s, 97193);
    j = job(&t, "1004");
    ck_assert_int_eq(j->censored, 1);
    ck_assert_double_eq(j->submit_s, 180 - 7);
    ck_assert_double_eq(j->duration_s, 96960);
    ck_assert_double_eq(job(&t, "1013")->duration_s, 96300);
    ck_assert_int_eq(job(&t, "1001")->censored, 0);
    dcs_trace_destroy(&t);
}
END_TEST

/* ---- Philly ------------------------------------------------------------ */

START_TEST(test_philly)
{
    dcs_trace_t t;
    read_ok("philly.json", NULL, DCS_TRACE_PHILLY, &t);
    /* 15 array elements. Kept 0001-0004 and 0013. Dropped: 0005 (empty
     * attempts), 0010 (start null), 0015 (attempts not a list) never
     * started; 0006 no GPUs in its detail; 0007 start == end; 0008
     * submitted "yesterday"; the 9th element is 42; 0011 ends at hour 25;
     * 0012 ends before it starts; 0014 starts "2017-10-03T99". */
    ck_assert_int_eq(t.records, 15);
    ck_assert_uint_eq(t.len, 5);
    DROPS_ARE(&t, {"never started", 3}, {"no GPUs requested", 1},
              {"zero duration", 1}, {"bad submit time", 1},
              {"not an object", 1}, {"bad end time", 1},
              {"end before start", 1}, {"bad start time", 1});
    conserved(&t);
    /* 0001 and 0013 were both submitted at 02:54:54: file order. */
    order_is(&t, "application_1_0001 application_1_0013 application_1_0002 "
                 "application_1_0003 application_1_0004");
    /* 0001: 2 + 4 GPUs on two machines, 02:55:00 to 03:55:00. */
    const dcs_trace_job_t *j = job(&t, "application_1_0001");
    ck_assert_double_eq(j->submit_s, 0);
    ck_assert_double_eq(j->start_s, 6);
    ck_assert_double_eq(j->gpus, 6);
    ck_assert_double_eq(j->duration_s, 3600);
    ck_assert_str_eq(j->team, "vc1");
    ck_assert_str_eq(j->user, "alice");
    ck_assert_int_eq(j->line, 1);
    /* 0002: two attempts; the first's 1 GPU; from the first start
     * 03:01:00 to the last end 05:00:00 = 1 h 59 min = 7140 s. */
    j = job(&t, "application_1_0002");
    ck_assert_double_eq(j->submit_s, 306); /* 03:00:00 - 02:54:54 */
    ck_assert_double_eq(j->gpus, 1);
    ck_assert_double_eq(j->duration_s, 7140);
    /* 0013 has no vc and no user. */
    j = job(&t, "application_1_0013");
    ck_assert_str_eq(j->team, "default");
    ck_assert_str_eq(j->user, "");
    ck_assert_double_eq(j->duration_s, 100);
    /* The latest time is 0005's submission, 2017-10-05 00:00:00: 2 days
     * less 02:54:54 (10494 s) = 162306 s from 0001's. 0003 (end null)
     * started 2017-10-04 00:00:30: runs 86400 - 30 = 86370 s; 0004 (end
     * "None") from 01:00:10: 86400 - 3610 = 82790 s. */
    ck_assert_double_eq(t.end_s, 162306);
    ck_assert_int_eq(t.censored, 2);
    j = job(&t, "application_1_0003");
    ck_assert_int_eq(j->censored, 1);
    ck_assert_double_eq(j->submit_s, 86400 - 10494);
    ck_assert_double_eq(j->gpus, 8);
    ck_assert_double_eq(j->duration_s, 86370);
    ck_assert_double_eq(job(&t, "application_1_0004")->duration_s, 82790);
    dcs_trace_destroy(&t);
}
END_TEST

/* ---- PAI 2020 ---------------------------------------------------------- */

START_TEST(test_pai)
{
    dcs_trace_t t;
    read_ok("pai_job.csv", "pai_task.csv", DCS_TRACE_PAI, &t);
    /* 15 job rows. Kept j1, j2, j3, j13, j15. Dropped: j4 no task rows;
     * j5 only CPU tasks (plan_gpu empty and 0); j6's task never started;
     * j7 submit "abc"; j8 5 fields of 6; j9 a task with inst_num "x"; the
     * second j1 (line 10) a duplicate name; j11 task start == end; line
     * 12 has no name; j14 task ends before it starts. */
    ck_assert_int_eq(t.records, 15);
    ck_assert_uint_eq(t.len, 5);
    DROPS_ARE(&t, {"no tasks", 1}, {"no GPUs requested", 1},
              {"never started", 1}, {"bad submit time", 1},
              {"wrong field count", 1}, {"bad task row", 1},
              {"duplicate job name", 1}, {"zero duration", 1},
              {"no job name", 1}, {"end before start", 1});
    conserved(&t);
    /* 15 task rows; unused: j99 (no such job), j7 (its job dropped),
     * "j1,short" (2 fields of 10). */
    ck_assert_int_eq(t.aux_records, 15);
    ck_assert_int_eq(t.aux_ignored, 3);
    order_is(&t, "j1 j2 j3 j13 j15");
    /* j1: a ps task (2 instances, no GPU, 1005-1450) and a worker (1 x
     * 100 % = 1 GPU, 1010-1400): 1 GPU from 1005 to 1450 = 445 s; the
     * first task naming a type says V100. */
    const dcs_trace_job_t *j = job(&t, "j1");
    ck_assert_double_eq(j->submit_s, 0);
    ck_assert_double_eq(j->start_s, 5);
    ck_assert_double_eq(j->gpus, 1);
    ck_assert_double_eq(j->duration_s, 445);
    ck_assert_str_eq(j->gpu_type, "V100");
    ck_assert_str_eq(j->user, "u1");
    ck_assert_str_eq(j->team, "default");
    /* j2: half a GPU (plan_gpu 50), MISC = any type, 1100.5 to 1200.5. */
    j = job(&t, "j2");
    ck_assert_double_eq(j->submit_s, 100.5);
    ck_assert_double_eq(j->gpus, 0.5);
    ck_assert_double_eq(j->duration_s, 100);
    ck_assert_str_eq(j->gpu_type, "");
    /* j13: 3 instances x 33 % = 0.99 GPU. */
    ck_assert_double_eq_tol(job(&t, "j13")->gpus, 0.99, 1e-12);
    ck_assert_int_eq(t.fractional, 2);
    /* The latest time is the orphan j99 task's end, 2000 (1000 from j1).
     * j3 (Running, 2 GPUs, task from 1210, no end) runs 2000 - 1210 =
     * 790 s; j15 (job end empty; task 1401-1450) 2000 - 1401 = 599 s. */
    ck_assert_double_eq(t.end_s, 1000);
    ck_assert_int_eq(t.censored, 2);
    j = job(&t, "j3");
    ck_assert_int_eq(j->censored, 1);
    ck_assert_double_eq(j->gpus, 2);
    ck_assert_double_eq(j->duration_s, 790);
    ck_assert_str_eq(j->gpu_type, "T4");
    ck_assert_double_eq(job(&t, "j15")->duration_s, 599);
    dcs_trace_destroy(&t);
}
END_TEST

/* ---- Alibaba GPU 2023 -------------------------------------------------- */

START_TEST(test_alibaba2023)
{
    dcs_trace_t t;
    read_ok("alibaba2023_pods.csv", "alibaba2023_nodes.csv",
            DCS_TRACE_ALIBABA2023, &t);
    /* 16 pods (CRLF then LF). Kept 0000, 0001, 0017, 0035, 0070 and
     * "0078,x". Dropped: 0005 num_gpu 0; 0061 Pending and 0077 with no
     * scheduled_time never scheduled; 0071 deleted as scheduled; 0072 10
     * fields of 11; 0073 creation "abc"; 0074 num_gpu 1.5 and 0075
     * gpu_milli 2000; 0076 deleted before scheduled; 0079 scheduled "x". */
    ck_assert_int_eq(t.records, 16);
    ck_assert_uint_eq(t.len, 6);
    DROPS_ARE(&t, {"no GPUs requested", 1}, {"never scheduled", 2},
              {"zero duration", 1}, {"wrong field count", 1},
              {"bad submit time", 1}, {"bad GPU count", 2},
              {"end before start", 1}, {"bad start time", 1});
    conserved(&t);
    order_is(&t, "openb-pod-0000 openb-pod-0001 openb-pod-0017 "
                 "openb-pod-0035 openb-pod-0070 openb-pod-0078,x");
    const dcs_trace_job_t *j = job(&t, "openb-pod-0001");
    ck_assert_double_eq(j->submit_s, 427061);
    ck_assert_double_eq(j->gpus, 0.46); /* gpu_milli 460 */
    ck_assert_double_eq(j->duration_s, 12902960 - 427061);
    ck_assert_int_eq(j->priority, 2); /* LS */
    j = job(&t, "openb-pod-0017");
    ck_assert_double_eq(j->gpus, 8);
    ck_assert_int_eq(j->priority, 1); /* Burstable */
    ck_assert_double_eq(j->duration_s, 10769854 - 9437497);
    /* Scheduled 5 s after creation: the run counts from scheduling. */
    j = job(&t, "openb-pod-0035");
    ck_assert_str_eq(j->gpu_type, "V100M16");
    ck_assert_double_eq(j->start_s, 9967063);
    ck_assert_double_eq(j->duration_s, 9968575 - 9967063);
    /* No deletion: censored at the latest time, 12902960; 2 whole GPUs
     * (gpu_milli empty); BE; gpu_spec "nan" is no constraint. */
    j = job(&t, "openb-pod-0070");
    ck_assert_int_eq(j->censored, 1);
    ck_assert_double_eq(j->gpus, 2);
    ck_assert_double_eq(j->duration_s, 12902960 - 10009100);
    ck_assert_int_eq(j->priority, 0);
    ck_assert_str_eq(j->gpu_type, "");
    j = job(&t, "openb-pod-0078,x");
    ck_assert_double_eq(j->gpus, 0.32);
    ck_assert_str_eq(j->gpu_type, "G2");
    ck_assert_int_eq(t.censored, 1);
    ck_assert_int_eq(t.fractional, 2);
    ck_assert_double_eq(t.end_s, 12902960);
    /* The node list: 10 rows, "two" GPUs and a 4-field row unused. */
    ck_assert_int_eq(t.aux_records, 10);
    ck_assert_int_eq(t.aux_ignored, 2);
    ck_assert_uint_eq(t.nmodels, 6);
    ck_assert_str_eq(t.models[0].name, ""); /* model "" and "nan" */
    ck_assert_int_eq(t.models[0].nodes, 2);
    ck_assert_str_eq(t.models[3].name, "V100M32");
    ck_assert_int_eq(t.models[3].nodes, 2);
    ck_assert_int_eq(t.models[3].gpus, 16);
    dcs_trace_destroy(&t);
}
END_TEST

START_TEST(test_print_counts)
{
    dcs_trace_t t;
    read_ok("alibaba2023_pods.csv", "alibaba2023_nodes.csv",
            DCS_TRACE_ALIBABA2023, &t);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(out);
    dcs_trace_print_counts(&t, "a2023", out);
    fclose(out);
    /* Reasons in the order first met in the file; zero durations are
     * counted after the rows, as the trace is finished. */
    ck_assert_str_eq(
        text,
        "a2023: 16 records, 6 jobs kept, 1 censored, 2 fractional; "
        "dropped: no GPUs requested 1, never scheduled 2, wrong field count "
        "1, bad submit time 1, bad GPU count 2, end before start 1, bad "
        "start time 1, zero duration 1; aux rows: 10, 2 unused\n"
        "a2023: cluster: no-GPU 2 nodes 0 GPUs, P100 1 node 2 GPUs, G3 1 "
        "node 8 GPUs, V100M32 2 nodes 16 GPUs, T4 1 node 4 GPUs, unknown 1 "
        "node 2 GPUs\n");
    free(text);
    dcs_trace_destroy(&t);
}
END_TEST

/* ---- errors ------------------------------------------------------------ */

START_TEST(test_missing_file)
{
    ck_assert_str_eq(read_fails("nope.csv", NULL, DCS_TRACE_DCSIM),
                     "cannot open '" DATA
                     "nope.csv': No such file or directory");
    ck_assert_str_eq(read_fails("nope.json", NULL, DCS_TRACE_PHILLY),
                     "cannot open '" DATA
                     "nope.json': No such file or directory");
    /* PAI's task table is a file of its own. */
    ck_assert_str_eq(read_fails("pai_job.csv", "nope.csv", DCS_TRACE_PAI),
                     "cannot open '" DATA
                     "nope.csv': No such file or directory");
    ck_assert_str_eq(read_fails("pai_job.csv", NULL, DCS_TRACE_PAI),
                     DATA "pai_job.csv: the pai format needs the task table "
                          "(pai_task_table.csv) as its second file");
    ck_assert_str_eq(
        read_fails("tiresias.csv", "pai_task.csv", DCS_TRACE_TIRESIAS),
        DATA "tiresias.csv: the tiresias format reads one "
             "file; '" DATA "pai_task.csv' would be ignored");
}
END_TEST

START_TEST(test_missing_column)
{
    ck_assert_str_eq(
        read_fails("dcsim_no_duration.csv", NULL, DCS_TRACE_DCSIM),
        DATA "dcsim_no_duration.csv:1: missing required column 'duration_s' "
             "(or 'gpu_seconds', or 'model' and 'iterations')");
    ck_assert_str_eq(read_fails("helios_no_end.csv", NULL, DCS_TRACE_HELIOS),
                     DATA
                     "helios_no_end.csv:1: missing required column 'end_time'");
    /* The same rules for Alibaba's node list, the second file. */
    ck_assert_str_eq(read_fails("alibaba2023_pods.csv",
                                "alibaba2023_nodes_no_model.csv",
                                DCS_TRACE_ALIBABA2023),
                     DATA "alibaba2023_nodes_no_model.csv:1: missing "
                          "required column 'model'");
    /* A header must be there at all. */
    ck_assert_str_eq(read_fails("dcsim_empty.csv", NULL, DCS_TRACE_TIRESIAS),
                     DATA "dcsim_empty.csv: empty file, expected a header row");
}
END_TEST

START_TEST(test_dcsim_strict_columns)
{
    /* dcsim's own format rejects what it does not know: a typo is more
     * likely than data to ignore. */
    ck_assert_str_eq(
        read_fails("dcsim_unknown_column.csv", NULL, DCS_TRACE_DCSIM),
        DATA "dcsim_unknown_column.csv:1: unknown column 'colour' (field 5); "
             "expected some of: name, submit_s, gpus, duration_s, user, "
             "team, priority, deadline_s, min_gpus, max_gpus, gpu_type, "
             "estimate_s, gpu_seconds, model, iterations, tp, pp, "
             "micro_batch, global_batch, seq");
    ck_assert_str_eq(read_fails("dcsim_twice.csv", NULL, DCS_TRACE_DCSIM),
                     DATA "dcsim_twice.csv:1: column 'gpus' appears twice");
    /* Other formats carry columns dcsim does not use: those are fine. */
    dcs_trace_t t;
    read_ok("tiresias_extra.csv", NULL, DCS_TRACE_TIRESIAS, &t);
    ck_assert_int_eq(t.records, 1);
    ck_assert_int_eq(dcs_trace_dropped(&t, "no GPUs requested"), 1);
    dcs_trace_destroy(&t);
}
END_TEST

START_TEST(test_bad_json)
{
    /* Line 3, where "oops" is. jansson words the rest. */
    const char *msg = read_fails("philly_bad.json", NULL, DCS_TRACE_PHILLY);
    ck_assert_msg(starts_with(msg, DATA "philly_bad.json:3:"), "%s", msg);
    ck_assert_msg(strstr(msg, ": malformed JSON: ") != NULL, "%s", msg);
    ck_assert_str_eq(read_fails("philly_object.json", NULL, DCS_TRACE_PHILLY),
                     DATA "philly_object.json:1: expected a JSON array of "
                          "jobs, found an object");
}
END_TEST

/* ---- replay ------------------------------------------------------------ */

typedef struct seen {
    dcs_job_t *job[8];
    dcs_time_t at[8];
    size_t pending[8]; /* events pending as the sink runs */
    size_t n;
} seen_t;

static void record(void *ctx, dcs_sim_t *sim, dcs_job_t *job)
{
    seen_t *s = ctx;
    ck_assert_uint_lt(s->n, 8);
    s->job[s->n] = job;
    s->at[s->n] = dcs_sim_now(sim);
    s->pending[s->n] = dcs_sim_pending(sim);
    s->n++;
}

START_TEST(test_replay)
{
    dcs_trace_t t;
    read_ok("replay.csv", NULL, DCS_TRACE_DCSIM, &t);
    /* Submissions 160 (late), 100 (first), 160 (tie): from 100, first 0,
     * late 60, tie 60 (after late, in file order). */
    order_is(&t, "first late tie");
    dcs_sim_t *sim = dcs_sim_new();
    ck_assert_ptr_nonnull(sim);
    /* Start the replay at 1 s; half the time scale: arrivals at 1 s,
     * 1 + 30 = 31 s and 31 s. */
    dcs_sim_run(sim, DCS_NS_PER_S);
    ck_assert_int_eq(dcs_sim_now(sim), DCS_NS_PER_S);
    dcs_jobs_t jobs = {0};
    seen_t seen = {0};
    dcs_trace_replay_t r;
    ck_assert_int_eq(
        dcs_trace_start(&r, &t, NULL, sim, 0, &jobs, record, &seen),
        DCS_EINVAL);
    ck_assert_int_eq(
        dcs_trace_start(&r, &t, NULL, sim, 0.5, &jobs, record, &seen), 0);
    ck_assert_uint_eq(dcs_sim_pending(sim), 1);
    dcs_sim_run(sim, DCS_TIME_NEVER);
    ck_assert_uint_eq(seen.n, 3);
    ck_assert_uint_eq(jobs.len, 3);
    const dcs_time_t s = DCS_NS_PER_S;
    ck_assert_int_eq(seen.at[0], 1 * s);
    ck_assert_int_eq(seen.at[1], 31 * s);
    ck_assert_int_eq(seen.at[2], 31 * s);
    /* One arrival pending at a time: the next is scheduled before the
     * sink runs, none after the last. */
    ck_assert_uint_eq(seen.pending[0], 1);
    ck_assert_uint_eq(seen.pending[1], 1);
    ck_assert_uint_eq(seen.pending[2], 0);

    const dcs_job_t *j = seen.job[0];
    ck_assert_ptr_eq(j, jobs.items[0]);
    ck_assert_int_eq(j->id, 0);
    ck_assert_str_eq(j->name, "first");
    ck_assert_ptr_eq(j->kind, &dcs_job_kind_fixed);
    ck_assert_int_eq(j->state, DCS_JOB_QUEUED);
    ck_assert_int_eq(j->submit_ns, 1 * s);
    ck_assert_int_eq(j->gpus, 1);
    ck_assert_int_eq(j->duration_ns, 10 * s);
    ck_assert_int_eq(j->estimate_ns, 12 * s);
    ck_assert_str_eq(j->team, "ops");
    ck_assert_str_eq(j->user, "ann");
    ck_assert_str_eq(j->gpu_type, "A100");
    /* Deadline 200, 100 s after its submission: the distance is kept
     * unscaled, 1 s + 100 s. */
    ck_assert_int_eq(j->deadline_ns, 101 * s);

    j = seen.job[1];
    ck_assert_str_eq(j->name, "late");
    ck_assert_int_eq(j->id, 1);
    ck_assert_int_eq(j->gpus, 3); /* ceil(2.5) */
    ck_assert_int_eq(j->duration_ns, 30 * s);
    ck_assert_int_eq(j->priority, 1);
    ck_assert_int_eq(j->deadline_ns, -1);
    ck_assert_int_eq(j->estimate_ns, 0); /* none given */
    ck_assert_str_eq(j->team, "ml");

    j = seen.job[2];
    ck_assert_str_eq(j->name, "tie");
    ck_assert_int_eq(j->gpus, 8);
    ck_assert_int_eq(j->duration_ns, s / 2);
    ck_assert_int_eq(j->priority, 5);
    ck_assert_int_eq(j->min_gpus, 4);
    ck_assert_int_eq(j->max_gpus, 8);
    ck_assert_int_eq(j->start_ns, -1);

    dcs_jobs_destroy(&jobs);
    dcs_sim_free(sim);
    dcs_trace_destroy(&t);
}
END_TEST

START_TEST(test_replay_empty)
{
    /* A trace with nothing kept replays nothing, and says so. */
    dcs_trace_t t;
    read_ok("tiresias_extra.csv", NULL, DCS_TRACE_TIRESIAS, &t);
    ck_assert_uint_eq(t.len, 0);
    ck_assert_double_eq(t.end_s, 0);
    dcs_sim_t *sim = dcs_sim_new();
    dcs_jobs_t jobs = {0};
    seen_t seen = {0};
    dcs_trace_replay_t r;
    ck_assert_int_eq(
        dcs_trace_start(&r, &t, NULL, sim, 1, &jobs, record, &seen), 0);
    ck_assert_uint_eq(dcs_sim_pending(sim), 0);
    dcs_sim_free(sim);
    dcs_trace_destroy(&t);
}
END_TEST

START_TEST(test_dcsim_work)
{
    /* dcsim_work.csv gives jobs by their work (gpu_seconds) or run time.
     * 9 records; kept w1, w2, w3, w4. Dropped: `both` gives both; `neg`
     * -1 and `word` "abc" GPU-seconds; `neither` gives none; `zero` 0
     * GPU-seconds, a run of 0 s.
     *   w1: 80 GPU-s on 4 GPUs = 20 s (elastic [2, 8]: the scheduler
     *       scales the 20 s to the size it gets);
     *   w2: a run time, 5 s;
     *   w3: 90 GPU-s on ceil(2.5) = 3 GPUs = 30 s;
     *   w4: 40 GPU-s on ceil(0.5) = 1 GPU = 40 s.
     * The trace ends with w4: 4 + 40 = 44. */
    dcs_trace_t t;
    read_ok("dcsim_work.csv", NULL, DCS_TRACE_DCSIM, &t);
    ck_assert_int_eq(t.records, 9);
    ck_assert_uint_eq(t.len, 4);
    DROPS_ARE(&t, {"both duration and gpu_seconds", 1}, {"bad gpu_seconds", 2},
              {"bad duration", 1}, {"zero duration", 1});
    conserved(&t);
    order_is(&t, "w1 w2 w3 w4");
    ck_assert_double_eq(job(&t, "w1")->gpu_seconds, 80);
    ck_assert_double_eq(job(&t, "w1")->duration_s, 20);
    ck_assert_int_eq(job(&t, "w1")->max_gpus, 8);
    ck_assert_double_eq(job(&t, "w2")->gpu_seconds, -1);
    ck_assert_double_eq(job(&t, "w2")->duration_s, 5);
    ck_assert_double_eq(job(&t, "w3")->duration_s, 30);
    ck_assert_double_eq(job(&t, "w4")->duration_s, 40);
    ck_assert_int_eq(t.fractional, 2);
    ck_assert_double_eq(t.end_s, 44);

    /* Replayed: fixed-duration jobs of ceil(gpus) GPUs and those runs. */
    dcs_sim_t *sim = dcs_sim_new();
    ck_assert_ptr_nonnull(sim);
    dcs_jobs_t jobs = {0};
    seen_t seen = {0};
    dcs_trace_replay_t r;
    ck_assert_int_eq(
        dcs_trace_start(&r, &t, NULL, sim, 1, &jobs, record, &seen), 0);
    dcs_sim_run(sim, DCS_TIME_NEVER);
    ck_assert_uint_eq(seen.n, 4);
    const dcs_time_t sec = DCS_NS_PER_S;
    const int gpus[4] = {4, 4, 3, 1};
    const dcs_time_t run[4] = {20 * sec, 5 * sec, 30 * sec, 40 * sec};
    for (size_t i = 0; i < 4; i++) {
        ck_assert_int_eq(seen.job[i]->gpus, gpus[i]);
        ck_assert_int_eq(seen.job[i]->duration_ns, run[i]);
    }
    dcs_jobs_destroy(&jobs);
    dcs_sim_free(sim);
    dcs_trace_destroy(&t);
}
END_TEST

START_TEST(test_dcsim_training)
{
    /* dcsim_training.csv: training rows (a model and iterations) beside
     * rows of a fixed length. 20 records (lines 2-21). Kept: t16 (line 2),
     * t8 (3), fixed (4), and, well formed here, elastic (14: 12 GPUs
     * within min 9, max 15), ghost, nodp, batch, huge and big (17-21):
     * whether their model exists and their plan suits it and the cluster
     * (at some size in the bounds) is known only where they are priced
     * (world.c; test_scenario.c's test_trace_training_drops). Dropped:
     *   both duration and model: both (a duration_s), work (gpu_seconds);
     *   unknown model: path ("../models/gpt3-1.3b": a path, not a name);
     *   bad iterations: noiter (empty), zeroiter (0), halfiter (1.5),
     *     iterfixed (iterations on a row of a fixed length);
     *   bad plan: fracgpu (2.5 GPUs), wordtp ("x"), zerotp (0), planfixed
     *     (tp on a row of a fixed length).
     * 9 kept + 2 + 1 + 4 + 4 = 20. Kept training rows keep their
     * numbers (0 where the row leaves one to the default rule) and run
     * time 0 until priced; the trace ends at the fixed job's end, 5 + 30.
     * Sorted by submission: t16 0, fixed 5, elastic 6, ghost 8, nodp 8,
     * batch 9, huge 9, big 9 (file order) and t8 10. */
    dcs_trace_t t;
    read_ok("dcsim_training.csv", NULL, DCS_TRACE_DCSIM, &t);
    ck_assert_int_eq(t.records, 20);
    ck_assert_uint_eq(t.len, 9);
    DROPS_ARE(&t, {"both duration and model", 2}, {"unknown model", 1},
              {"bad iterations", 4}, {"bad plan", 4});
    conserved(&t);
    order_is(&t, "t16 fixed elastic ghost nodp batch huge big t8");
    ck_assert_int_eq(job(&t, "elastic")->min_gpus, 9);
    ck_assert_int_eq(job(&t, "elastic")->max_gpus, 15);
    ck_assert_int_eq(t.model_column, 1);
    ck_assert_int_eq(t.fractional, 0);
    ck_assert_double_eq(t.end_s, 35);
    ck_assert_int_eq(job(&t, "fixed")->train, -1);
    ck_assert_double_eq(job(&t, "fixed")->duration_s, 30);
    const dcs_trace_job_t *a = job(&t, "t16"), *b = job(&t, "t8");
    ck_assert_int_ge(a->train, 0);
    ck_assert_int_ge(b->train, 0);
    ck_assert_double_eq(a->duration_s, 0);
    ck_assert_double_eq(a->gpus, 16);
    const dcs_trace_train_t *ta = &t.train[a->train], *tb = &t.train[b->train];
    ck_assert_str_eq(ta->model, "gpt3-1.3b");
    ck_assert_int_eq(ta->iterations, 200);
    ck_assert_int_eq(ta->tp, 0);
    ck_assert_int_eq(ta->pp, 0);
    ck_assert_int_eq(ta->micro_batch, 0);
    ck_assert_int_eq(ta->global_batch, 0);
    ck_assert_int_eq(ta->seq, 0);
    ck_assert_int_eq(ta->job, -1);
    ck_assert_int_eq(tb->iterations, 100);
    ck_assert_int_eq(tb->tp, 4);
    ck_assert_int_eq(tb->pp, 2);
    ck_assert_int_eq(tb->micro_batch, 2);
    ck_assert_int_eq(tb->global_batch, 8);
    ck_assert_int_eq(tb->seq, 1024);
    ck_assert_str_eq(t.train[job(&t, "huge")->train].model, "llama3-70b");
    ck_assert_str_eq(t.train[job(&t, "ghost")->train].model, "no-such-model");

    /* Unpriced training rows cannot be replayed. */
    dcs_sim_t *sim = dcs_sim_new();
    dcs_jobs_t jobs = {0};
    seen_t seen = {0};
    dcs_trace_replay_t r;
    ck_assert_int_eq(
        dcs_trace_start(&r, &t, NULL, sim, 1, &jobs, record, &seen),
        DCS_EINVAL);
    ck_assert_uint_eq(dcs_sim_pending(sim), 0);
    dcs_sim_free(sim);
    dcs_trace_destroy(&t);

    /* A model column needs an iterations column. */
    ck_assert_str_eq(
        read_fails("dcsim_model_no_iterations.csv", NULL, DCS_TRACE_DCSIM),
        DATA "dcsim_model_no_iterations.csv:1: missing required column "
             "'iterations' (beside 'model')");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("trace");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_datetime);
    tcase_add_test(tc, test_number);
    tcase_add_test(tc, test_format_names);
    tcase_add_test(tc, test_dcsim);
    tcase_add_test(tc, test_dcsim_work);
    tcase_add_test(tc, test_dcsim_training);
    tcase_add_test(tc, test_tiresias);
    tcase_add_test(tc, test_helios);
    tcase_add_test(tc, test_philly);
    tcase_add_test(tc, test_pai);
    tcase_add_test(tc, test_alibaba2023);
    tcase_add_test(tc, test_print_counts);
    tcase_add_test(tc, test_missing_file);
    tcase_add_test(tc, test_missing_column);
    tcase_add_test(tc, test_dcsim_strict_columns);
    tcase_add_test(tc, test_bad_json);
    tcase_add_test(tc, test_replay);
    tcase_add_test(tc, test_replay_empty);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
