/* cmd_run.c - `dcsim run`: run one scenario, write its reports, print a
 * summary. */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/world.h"

static const char USAGE[] =
    "usage: dcsim run SCENARIO.yaml [--out DIR] [--seed N] [--set "
    "key=value]...\n"
    "                 [--breakdown]\n"
    "\n"
    "Runs a scenario and writes its reports (summary.csv, jobs.csv,\n"
    "utilization.csv, energy.csv, cost.csv, timeseries.csv and run.yaml;\n"
    "training.csv with training jobs; requests.csv and serving.csv when it\n"
    "serves) to DIR, then prints a summary table. Reports appear all at\n"
    "once, when the run has finished; a failed run leaves none. The\n"
    "scenario's `workload` is one mapping, or a list of two sharing the\n"
    "cluster: one of kind serving and one of jobs (scenarios/README.md).\n"
    "\n"
    "  --out DIR          where the reports go (default results/<name>)\n"
    "  --seed N           random seed, overriding the scenario's `seed`\n"
    "  --set key=value    override any value of the scenario, by its dotted\n"
    "                     path: --set cluster.nodes=4, --set\n"
    "                     workload.gpu_counts=[1,8], --set\n"
    "                     workload.1.jobs=80 (a list's second part);\n"
    "                     repeatable, applied in order\n"
    "  --breakdown        also write breakdown.csv: one iteration of every\n"
    "                     training job, op by op (count, time each, total),\n"
    "                     and its communication and pipeline bubble\n"
    "  -q, --quiet        print nothing but errors\n"
    "  -h, --help         this help\n"
    "\n"
    "Progress (simulated time, events/s, wall time) goes to stderr when it is\n"
    "a terminal. Exit status: 0 success, 1 runtime failure, 2 bad input.\n";

/* A seed: decimal digits only, at most INT64_MAX (the scenario's `seed`
 * range). Returns 0 or -1. */
static int parse_seed(const char *s, uint64_t *out)
{
    if (!*s || strspn(s, "0123456789") != strlen(s))
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, NULL, 10);
    if (errno == ERANGE || v > (unsigned long long)INT64_MAX)
        return -1;
    *out = v;
    return 0;
}

int dcs_cmd_run(int argc, char **argv, FILE *out)
{
    static const struct option opts[] = {
        {"out", required_argument, NULL, 'o'},
        {"seed", required_argument, NULL, 's'},
        {"set", required_argument, NULL, 'S'},
        {"quiet", no_argument, NULL, 'q'},
        {"breakdown", no_argument, NULL, 'b'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    dcs_run_opts_t ro = {0};
    const char **sets = calloc((size_t)argc, sizeof *sets);
    int quiet = 0, c;
    if (!sets)
        return DCS_EXIT_RUNTIME;
    optind = 0;
    while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            ro.out_dir = optarg;
            break;
        case 's':
            if (parse_seed(optarg, &ro.seed) < 0) {
                fprintf(stderr,
                        "dcsim run: --seed: expected an integer in [0, "
                        "9223372036854775807], found '%s'\n",
                        optarg);
                free(sets);
                return DCS_EXIT_INPUT;
            }
            ro.has_seed = 1;
            break;
        case 'S':
            sets[ro.nsets++] = optarg;
            break;
        case 'q':
            quiet = 1;
            break;
        case 'b':
            ro.breakdown = 1;
            break;
        case 'h':
            fputs(USAGE, out);
            free(sets);
            return DCS_EXIT_OK;
        default:
            fputs(USAGE, stderr);
            free(sets);
            return DCS_EXIT_INPUT;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "dcsim run: expected one scenario file\n\n%s", USAGE);
        free(sets);
        return DCS_EXIT_INPUT;
    }
    ro.scenario_path = argv[optind];
    ro.sets = sets;
    ro.progress = !quiet && isatty(fileno(stderr)) ? stderr : NULL;
    ro.notes = stderr;
    dcs_err_t err = {""};
    int rc = dcs_world_run(&ro, quiet ? NULL : out, &err);
    free(sets);
    if (rc < 0) {
        fprintf(stderr, "dcsim run: %s\n",
                err.msg[0] ? err.msg : dcs_strerror(rc));
        return dcs_cli_exit_status(rc);
    }
    return DCS_EXIT_OK;
}
