/* cmd_bench.c - `dcsim bench`: the simulator's own speed.
 *
 * `bench hold` is the classic hold model for event-queue benchmarks: N
 * events pending; each event, when it runs, schedules one successor at now
 * plus an exponentially distributed increment (mean 1 us), so the queue
 * holds N events throughout. It reports events per second of wall time,
 * counting the whole loop: pop, handler, random draw and push. */
#include <getopt.h>
#include <gsl/gsl_randist.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "engine/rng.h"
#include "engine/sim.h"

static const char HOLD_USAGE[] =
    "usage: dcsim bench hold [--pending N] [--events M] [--seed S]\n"
    "\n"
    "Hold-model benchmark of the event engine: N events stay pending; each\n"
    "event schedules one successor an exponential increment (mean 1 us)\n"
    "later. Runs M events and prints events/s of wall time.\n"
    "  --pending N   events in the queue (default 1000)\n"
    "  --events M    events to run (default 20000000)\n"
    "  --seed S      random seed (default 1)\n";

typedef struct hold {
    gsl_rng *rng;
    uint64_t remaining; /* events still to run */
} hold_t;

static void hold_event(dcs_sim_t *sim, void *obj, int64_t arg)
{
    hold_t *h = obj;
    (void)arg;
    if (--h->remaining == 0) {
        dcs_sim_stop(sim);
        return;
    }
    double inc_ns = gsl_ran_exponential(h->rng, 1000.0);
    dcs_sim_after(sim, (dcs_time_t)inc_ns, hold_event, h, 0);
}

static int parse_u64(const char *opt, const char *s, uint64_t *out)
{
    char *end;
    double v = strtod(s, &end); /* accepts 2e7 as well as 20000000 */
    if (end == s || *end || v < 1 || v > 1e15 || v != (double)(uint64_t)v) {
        fprintf(stderr,
                "dcsim bench: %s: expected a positive integer, found '%s'\n",
                opt, s);
        return -1;
    }
    *out = (uint64_t)v;
    return 0;
}

static int bench_hold(int argc, char **argv, FILE *out)
{
    uint64_t pending = 1000, events = 20000000, seed = 1;
    static const struct option opts[] = {
        {"pending", required_argument, NULL, 'p'},
        {"events", required_argument, NULL, 'e'},
        {"seed", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int rc = 0;
        switch (c) {
        case 'p':
            rc = parse_u64("--pending", optarg, &pending);
            break;
        case 'e':
            rc = parse_u64("--events", optarg, &events);
            break;
        case 's':
            rc = parse_u64("--seed", optarg, &seed);
            break;
        case 'h':
            fputs(HOLD_USAGE, out);
            return DCS_EXIT_OK;
        default:
            fputs(HOLD_USAGE, stderr);
            return DCS_EXIT_INPUT;
        }
        if (rc < 0)
            return DCS_EXIT_INPUT;
    }
    if (optind < argc) {
        fprintf(stderr, "dcsim bench hold: unexpected argument '%s'\n%s",
                argv[optind], HOLD_USAGE);
        return DCS_EXIT_INPUT;
    }

    dcs_sim_t *sim = dcs_sim_new();
    hold_t h = {dcs_rng_new(seed, "bench.hold"), events};
    if (!sim || !h.rng) {
        fprintf(stderr, "dcsim bench hold: out of memory\n");
        dcs_sim_free(sim);
        gsl_rng_free(h.rng);
        return DCS_EXIT_RUNTIME;
    }
    for (uint64_t i = 0; i < pending; i++) {
        double t_ns = gsl_ran_exponential(h.rng, 1000.0);
        dcs_sim_at(sim, (dcs_time_t)t_ns, hold_event, &h, 0);
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    dcs_sim_run(sim, DCS_TIME_NEVER);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double wall_s = (double)(t1.tv_sec - t0.tv_sec) +
                    (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    uint64_t run = dcs_sim_events_run(sim);
    fprintf(out,
            "hold model: %llu pending, %llu events in %.3f s wall: %.2f "
            "million events/s (%.1f ns/event)\n",
            (unsigned long long)pending, (unsigned long long)run, wall_s,
            (double)run / wall_s / 1e6, wall_s * 1e9 / (double)run);
    dcs_sim_free(sim);
    gsl_rng_free(h.rng);
    return DCS_EXIT_OK;
}

int dcs_cmd_bench(int argc, char **argv, FILE *out)
{
    if (argc >= 2 && !strcmp(argv[1], "hold"))
        return bench_hold(argc - 1, argv + 1, out);
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(HOLD_USAGE, out);
        return DCS_EXIT_OK;
    }
    fprintf(stderr, "dcsim bench: expected a benchmark name (hold)\n%s",
            HOLD_USAGE);
    return DCS_EXIT_INPUT;
}
