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

#include <sys/resource.h>

#include "cli/cli.h"
#include "engine/rng.h"
#include "engine/sim.h"
#include "net/flow.h"

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

static const char NETWORK_USAGE[] =
    "usage: dcsim bench network [--hosts N] [--flows F] [--bytes B] [--seed "
    "S]\n"
    "\n"
    "Flow-level network benchmark: F flows of B bytes between random pairs\n"
    "of distinct hosts, all started at time 0, on a full-bisection fat tree\n"
    "of N hosts with 100 Gb/s, 1 us links (N = 4096: a two-tier leaf-spine of\n"
    "64 leaves x 64 hosts and 64 spines; N = k^3/4 for even k: a three-tier\n"
    "k-ary fat tree, e.g. 65536 with k = 64). Runs until every flow has\n"
    "arrived and prints flow completions per wall second, simulated time\n"
    "over wall time, and peak memory.\n"
    "  --hosts N   4096 (default) or k^3/4\n"
    "  --flows F   default: N\n"
    "  --bytes B   default 100e6\n";

static int bench_network(int argc, char **argv, FILE *out)
{
    uint64_t hosts = 4096, flows = 0, bytes = 100000000, seed = 1;
    static const struct option opts[] = {
        {"hosts", required_argument, NULL, 'n'},
        {"flows", required_argument, NULL, 'f'},
        {"bytes", required_argument, NULL, 'b'},
        {"seed", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int rc = 0;
        switch (c) {
        case 'n':
            rc = parse_u64("--hosts", optarg, &hosts);
            break;
        case 'f':
            rc = parse_u64("--flows", optarg, &flows);
            break;
        case 'b':
            rc = parse_u64("--bytes", optarg, &bytes);
            break;
        case 's':
            rc = parse_u64("--seed", optarg, &seed);
            break;
        case 'h':
            fputs(NETWORK_USAGE, out);
            return DCS_EXIT_OK;
        default:
            fputs(NETWORK_USAGE, stderr);
            return DCS_EXIT_INPUT;
        }
        if (rc < 0)
            return DCS_EXIT_INPUT;
    }
    if (!flows)
        flows = hosts;
    const double bw = 100e9 / 8;  /* 100 Gb/s */
    const int64_t latency = 1000; /* 1 us */
    dcs_topo_t topo;
    int rc;
    char shape[96];
    if (hosts == 4096) {
        rc = dcs_topo_leaf_spine(&topo, 64, 64, 64, bw, bw, latency);
        snprintf(shape, sizeof shape,
                 "leaf-spine 64 leaves x 64 hosts, 64 spines");
    } else {
        int k = 2;
        while ((uint64_t)k * k * k / 4 < hosts)
            k += 2;
        if ((uint64_t)k * k * k / 4 != hosts) {
            fprintf(stderr,
                    "dcsim bench network: --hosts: expected 4096 or "
                    "k^3/4 for an even k (16, 128, 432, 1024, ..., "
                    "65536), found %llu\n",
                    (unsigned long long)hosts);
            return DCS_EXIT_INPUT;
        }
        rc = dcs_topo_fat_tree(&topo, k, bw, latency);
        snprintf(shape, sizeof shape, "3-tier fat tree, k = %d", k);
    }
    if (rc < 0) {
        fprintf(stderr, "dcsim bench network: cannot build the topology\n");
        return DCS_EXIT_RUNTIME;
    }
    dcs_sim_t *sim = dcs_sim_new();
    dcs_net_t *net = dcs_net_new(sim, &topo);
    gsl_rng *r = dcs_rng_new(seed, "bench.network");
    if (!sim || !net || !r) {
        fprintf(stderr, "dcsim bench network: out of memory\n");
        return DCS_EXIT_RUNTIME;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (uint64_t i = 0; i < flows; i++) {
        int src = (int)gsl_rng_uniform_int(r, hosts);
        int dst = (int)gsl_rng_uniform_int(r, hosts - 1);
        if (dst >= src)
            dst++;
        if (dcs_flow_start(net, src, dst, bytes, NULL, NULL) < 0) {
            fprintf(stderr, "dcsim bench network: cannot start a flow\n");
            return DCS_EXIT_RUNTIME;
        }
    }
    dcs_sim_run(sim, DCS_TIME_NEVER);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double wall = (double)(t1.tv_sec - t0.tv_sec) +
                  (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    dcs_net_stats_t st = dcs_net_stats(net);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double sim_s = dcs_time_to_s(dcs_sim_now(sim));
    fprintf(
        out,
        "network: %llu hosts (%s), %llu flows of %llu bytes\n"
        "  %llu flows completed in %.3f s wall: %.0f completions/s\n"
        "  simulated %.6f s: %.4f simulated s per wall s\n"
        "  %llu solves, largest component %llu flows, peak memory %.1f MiB\n",
        (unsigned long long)hosts, shape, (unsigned long long)flows,
        (unsigned long long)bytes, (unsigned long long)st.flows_done, wall,
        (double)st.flows_done / wall, sim_s, sim_s / wall,
        (unsigned long long)st.solves,
        (unsigned long long)st.max_component_flows, ru.ru_maxrss / 1024.0);
    gsl_rng_free(r);
    dcs_net_free(net);
    dcs_sim_free(sim);
    dcs_topo_destroy(&topo);
    return st.flows_done == flows ? DCS_EXIT_OK : DCS_EXIT_RUNTIME;
}

int dcs_cmd_bench(int argc, char **argv, FILE *out)
{
    if (argc >= 2 && !strcmp(argv[1], "hold"))
        return bench_hold(argc - 1, argv + 1, out);
    if (argc >= 2 && !strcmp(argv[1], "network"))
        return bench_network(argc - 1, argv + 1, out);
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(HOLD_USAGE, out);
        return DCS_EXIT_OK;
    }
    fprintf(stderr,
            "dcsim bench: expected a benchmark name (hold, network)\n%s\n%s",
            HOLD_USAGE, NETWORK_USAGE);
    return DCS_EXIT_INPUT;
}
