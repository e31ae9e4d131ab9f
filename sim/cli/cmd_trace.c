/* cmd_trace.c - `dcsim trace synth`: the jobs a synthetic workload would
 * submit, written as dcsim's own job-trace CSV.
 *
 * The jobs are drawn by the generator `dcsim run` uses (workload/synth.h),
 * from the same named streams and seed, so a scenario's trace holds exactly
 * the jobs its run would see. The CSV goes to a temporary file beside the
 * destination, renamed into place once whole: a failed command leaves no
 * half-written trace. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "config/cfg.h"
#include "report/csv.h"
#include "workload/synth.h"

static const char USAGE[] =
    "usage: dcsim trace synth SCENARIO_OR_WORKLOAD.yaml --out FILE.csv\n"
    "                         [--jobs N] [--seed S] [--set key=value]...\n"
    "\n"
    "Writes the jobs of a synthetic workload as dcsim's own job-trace CSV,\n"
    "one row per job in submission order:\n"
    "  name,submit_s,gpus,duration_s,user,team,priority,deadline_s,\n"
    "  min_gpus,max_gpus,gpu_type,estimate_s\n"
    "(empty cells: no user, deadline, elastic bounds, GPU type or estimate).\n"
    "The file is a scenario (its `workload`, kind synthetic, and its `seed`)\n"
    "or a workload mapping alone, such as workloads/presets/philly.yaml.\n"
    "A scenario's trace holds the jobs `dcsim run` would submit with the\n"
    "same seed.\n"
    "\n"
    "  --out FILE.csv     where the trace goes (replaced whole when done)\n"
    "  --jobs N           how many jobs, overriding the workload's `jobs`\n"
    "  --seed S           random seed, overriding the scenario's `seed`\n"
    "                     (default 1)\n"
    "  --set key=value    override a value by its dotted path in the file\n"
    "                     (workload.jobs=10 in a scenario, jobs=10 in a\n"
    "                     workload file); repeatable\n"
    "  -h, --help         this help\n"
    "\n"
    "Exit status: 0 success, 1 runtime failure (I/O), 2 bad input.\n";

static const char *const COLUMNS[] = {
    "name",     "submit_s", "gpus",     "duration_s",
    "user",     "team",     "priority", "deadline_s",
    "min_gpus", "max_gpus", "gpu_type", "estimate_s",
};
enum { NCOLUMNS = sizeof COLUMNS / sizeof COLUMNS[0] };

/* What the command line asked for. */
typedef struct trace_opts {
    const char *in;    /* scenario or workload file */
    const char *out;   /* the CSV */
    int64_t jobs;      /* > 0: overrides the workload's count */
    uint64_t seed;     /* when has_seed */
    int has_seed;      /* --seed given */
    const char **sets; /* --set assignments, in order */
    size_t nsets;
} trace_opts_t;

/* A non-negative decimal integer up to `max`; 0 or -1. */
static int parse_count(const char *s, uint64_t max, uint64_t *out)
{
    if (!*s || strspn(s, "0123456789") != strlen(s))
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, NULL, 10);
    if (errno == ERANGE || v > max)
        return -1;
    *out = v;
    return 0;
}

/* Returns -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, trace_opts_t *o, FILE *out)
{
    static const struct option opts[] = {
        {"out", required_argument, NULL, 'o'},
        {"jobs", required_argument, NULL, 'j'},
        {"seed", required_argument, NULL, 's'},
        {"set", required_argument, NULL, 'S'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    uint64_t v;
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            o->out = optarg;
            break;
        case 'j':
            if (parse_count(optarg, 100000000, &v) < 0 || v == 0) {
                fprintf(stderr,
                        "dcsim trace synth: --jobs: expected an integer in "
                        "[1, 100000000], found '%s'\n",
                        optarg);
                return DCS_EXIT_INPUT;
            }
            o->jobs = (int64_t)v;
            break;
        case 's':
            if (parse_count(optarg, INT64_MAX, &o->seed) < 0) {
                fprintf(stderr,
                        "dcsim trace synth: --seed: expected an integer in "
                        "[0, 9223372036854775807], found '%s'\n",
                        optarg);
                return DCS_EXIT_INPUT;
            }
            o->has_seed = 1;
            break;
        case 'S':
            o->sets[o->nsets++] = optarg;
            break;
        case 'h':
            fputs(USAGE, out);
            return DCS_EXIT_OK;
        default:
            fputs(USAGE, stderr);
            return DCS_EXIT_INPUT;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr,
                "dcsim trace synth: expected one scenario or "
                "workload file\n\n%s",
                USAGE);
        return DCS_EXIT_INPUT;
    }
    o->in = argv[optind];
    if (!o->out) {
        fprintf(stderr, "dcsim trace synth: --out FILE.csv is required\n");
        return DCS_EXIT_INPUT;
    }
    return -1;
}

/* The synthetic workload of `cfg` and its seed: a scenario's `workload`
 * and `seed` (default 1), or the root itself when there is no `workload`
 * key. Unknown keys are checked inside the workload only, since the rest
 * of a scenario is not read here. */
static int read_workload(dcs_cfg_t *cfg, const trace_opts_t *o,
                         dcs_synth_spec_t *spec, uint64_t *seed, dcs_err_t *err)
{
    static const char *const kinds[] = {"synthetic", NULL};
    dcs_cfg_node_t *root = dcs_cfg_root(cfg), *w = root;
    int64_t scenario_seed = 1;
    int kind = 0, rc;
    if (dcs_cfg_get(root, "workload") &&
        ((rc = dcs_cfg_map(root, "workload", DCS_CFG_REQUIRED, &w, err)) < 0 ||
         (rc = dcs_cfg_i64(root, "seed", DCS_CFG_OPTIONAL, 0, INT64_MAX,
                           &scenario_seed, err)) < 0))
        return rc;
    if ((rc = dcs_cfg_enum(w, "kind", DCS_CFG_REQUIRED, kinds, &kind, err)) <
            0 ||
        (rc = dcs_synth_read(w, spec, err)) < 0)
        return rc;
    if ((rc = dcs_cfg_check_unknown(w, err)) < 0) {
        dcs_synth_spec_destroy(spec);
        return rc;
    }
    *seed = o->has_seed ? o->seed : (uint64_t)scenario_seed;
    if (o->jobs > 0)
        spec->jobs = o->jobs;
    return 0;
}

/* One job as a row; optional attributes at their "none" are empty. */
static void write_row(dcs_csv_t *w, const dcs_job_t *job)
{
    char name[32];
    snprintf(name, sizeof name, "synth-%" PRId64, job->id);
    dcs_csv_str(w, name);
    dcs_csv_time_s(w, job->submit_ns);
    dcs_csv_i64(w, job->gpus);
    dcs_csv_time_s(w, job->duration_ns);
    if (job->user[0])
        dcs_csv_str(w, job->user);
    else
        dcs_csv_empty(w);
    dcs_csv_str(w, job->team);
    dcs_csv_i64(w, job->priority);
    if (job->deadline_ns >= 0)
        dcs_csv_time_s(w, job->deadline_ns);
    else
        dcs_csv_empty(w);
    if (job->max_gpus > 0) {
        dcs_csv_i64(w, job->min_gpus);
        dcs_csv_i64(w, job->max_gpus);
    } else {
        dcs_csv_empty(w);
        dcs_csv_empty(w);
    }
    if (job->gpu_type[0])
        dcs_csv_str(w, job->gpu_type);
    else
        dcs_csv_empty(w);
    if (job->estimate_ns > 0)
        dcs_csv_time_s(w, job->estimate_ns);
    else
        dcs_csv_empty(w);
    dcs_csv_end_row(w);
}

/* Draws spec->jobs jobs onto `f`; the last submit time into *last_ns.
 * Stops early (fewer rows) only when arrivals run past simulated time. */
static int64_t write_jobs(FILE *f, const dcs_synth_spec_t *spec,
                          dcs_synth_t *synth, dcs_time_t *last_ns)
{
    dcs_csv_t w;
    dcs_csv_begin(&w, f, COLUMNS, NCOLUMNS);
    dcs_time_t t = 0;
    int64_t n = 0;
    for (; n < spec->jobs; n++) {
        t = dcs_synth_next_arrival(synth, t);
        if (t == DCS_TIME_NEVER)
            break;
        /* The defaults a job starts with (workload/job.h). */
        dcs_job_t job = {.id = n, .submit_ns = t, .deadline_ns = -1};
        dcs_synth_draw(synth, &job);
        write_row(&w, &job);
        *last_ns = t;
    }
    return n;
}

/* Writes the trace to a temporary file beside `path` and renames it into
 * place. Returns the exit status. */
static int write_trace(const char *path, const dcs_synth_spec_t *spec,
                       uint64_t seed, FILE *out)
{
    size_t len = strlen(path) + sizeof ".tmp.XXXXXX";
    char *tmp = malloc(len);
    if (!tmp)
        return DCS_EXIT_RUNTIME;
    snprintf(tmp, len, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        fprintf(stderr, "dcsim trace synth: cannot write '%s': %s\n", path,
                strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        free(tmp);
        return DCS_EXIT_RUNTIME;
    }
    dcs_synth_t synth;
    dcs_time_t last_ns = 0;
    int64_t n = -1;
    if (dcs_synth_init(&synth, spec, seed) == 0) {
        n = write_jobs(f, spec, &synth, &last_ns);
        dcs_synth_destroy(&synth);
    }
    int failed = n < 0 || ferror(f);
    if (fclose(f) != 0)
        failed = 1;
    if (failed || rename(tmp, path) != 0) {
        fprintf(stderr, "dcsim trace synth: cannot write '%s': %s\n", path,
                n < 0 ? "out of memory" : strerror(errno));
        unlink(tmp);
        free(tmp);
        return DCS_EXIT_RUNTIME;
    }
    free(tmp);
    fprintf(out, "%s: %" PRId64 " jobs over %.1f h (seed %" PRIu64 ")\n", path,
            n, dcs_time_to_s(last_ns) / 3600.0, seed);
    return DCS_EXIT_OK;
}

static int cmd_synth(int argc, char **argv, FILE *out)
{
    trace_opts_t o = {0};
    o.sets = calloc((size_t)argc, sizeof *o.sets);
    if (!o.sets)
        return DCS_EXIT_RUNTIME;
    int status = parse_args(argc, argv, &o, out);
    if (status >= 0) {
        free(o.sets);
        return status;
    }
    dcs_err_t err = {""};
    dcs_synth_spec_t spec;
    uint64_t seed = 1;
    int rc = 0;
    dcs_cfg_t *cfg = dcs_cfg_load(o.in, &err);
    if (!cfg) /* as `dcsim run` does: a file that will not load is bad input */
        rc = DCS_EINPUT;
    for (size_t i = 0; rc == 0 && i < o.nsets; i++)
        rc = dcs_cfg_set(cfg, o.sets[i], &err);
    if (rc == 0)
        rc = read_workload(cfg, &o, &spec, &seed, &err);
    dcs_cfg_free(cfg);
    free(o.sets);
    if (rc < 0) {
        fprintf(stderr, "dcsim trace synth: %s\n",
                err.msg[0] ? err.msg : dcs_strerror(rc));
        return dcs_cli_exit_status(rc);
    }
    status = write_trace(o.out, &spec, seed, out);
    dcs_synth_spec_destroy(&spec);
    return status;
}

int dcs_cmd_trace(int argc, char **argv, FILE *out)
{
    if (argc >= 2 && !strcmp(argv[1], "synth"))
        return cmd_synth(argc - 1, argv + 1, out);
    if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        fputs(USAGE, out);
        return DCS_EXIT_OK;
    }
    fprintf(stderr, "dcsim trace: expected a subcommand: synth\n\n%s", USAGE);
    return DCS_EXIT_INPUT;
}
