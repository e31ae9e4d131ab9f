/* main.c - the dcsim command: dispatches to one file per subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const char USAGE[] =
    "usage: dcsim <command> [options]\n"
    "\n"
    "dcsim simulates AI datacenters: accelerators, network, storage and\n"
    "cooling under training and inference workloads, and writes CSV reports\n"
    "on cost, utilization and energy.\n"
    "\n"
    "commands:\n"
    "  run SCENARIO.yaml [--out DIR] [--seed N] [--set key=value]...\n"
    "                  [--breakdown]\n"
    "                     run a scenario, write reports, print a summary\n"
    "                     (synthetic job streams or training jobs: see\n"
    "                     scenarios/train-whatif-h100.yaml)\n"
    "  compare SCENARIO.yaml --policies P1,P2,... [--out DIR] [--set k=v]...\n"
    "                     the same jobs under several scheduling policies,\n"
    "                     one comparison table (compare.csv)\n"
    "  plot RESULTS_DIR   draw a run's reports as PNGs beside its CSVs\n"
    "                     (gnuplot)\n"
    "  trace synth FILE.yaml --out FILE.csv [--jobs N] [--seed S]\n"
    "                     write a synthetic workload's jobs as a job trace\n"
    "  op --device NAME (--op OP key=value... | --batch FILE.csv)\n"
    "                     predicted time of an op on a device\n"
    "  calibrate DATA_DIR fit a device's op cost model to its measurements\n"
    "  validate [--device NAME] [--check]\n"
    "                     op cost model error on measurements kept out of\n"
    "                     fitting, per device and op family\n"
    "  list devices|clusters|models|scenarios|policies\n"
    "                     list what ships with dcsim\n"
    "  bench hold [--pending N] [--events M]\n"
    "                     measure the event engine's speed\n"
    "  bench network [--hosts N] [--flows F]\n"
    "                     measure the flow-level network's speed\n"
    "\n"
    "options:\n"
    "  -h, --help         this help; `dcsim <command> --help` for a command\n"
    "  --version          print the version\n"
    "\n"
    "exit status: 0 success, 1 runtime failure, 2 bad input.\n"
    "Quick start: dcsim run scenarios/quickstart.yaml\n";

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(USAGE, stderr);
        return DCS_EXIT_INPUT;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        fputs(USAGE, stdout);
        return DCS_EXIT_OK;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("dcsim %s\n", DCSIM_VERSION);
        return DCS_EXIT_OK;
    }
    if (!strcmp(cmd, "run"))
        return dcs_cmd_run(argc - 1, argv + 1, stdout);
    if (!strcmp(cmd, "list"))
        return dcs_cmd_list(argc - 1, argv + 1, stdout);
    if (!strcmp(cmd, "op"))
        return dcs_cmd_op(argc - 1, argv + 1, stdout);
    if (!strcmp(cmd, "calibrate"))
        return dcs_cmd_calibrate(argc - 1, argv + 1, stdout);
    if (!strcmp(cmd, "validate"))
        return dcs_cmd_validate(argc - 1, argv + 1, stdout);
    if (!strcmp(cmd, "bench"))
        return dcs_cmd_bench(argc - 1, argv + 1, stdout);
    if (!strcmp(cmd, "plot"))
        return dcs_cmd_plot(argc - 1, argv + 1, stdout);
    if (!strcmp(cmd, "compare"))
        return dcs_cmd_compare(argc - 1, argv + 1, stdout);
    if (!strcmp(cmd, "trace"))
        return dcs_cmd_trace(argc - 1, argv + 1, stdout);
    fprintf(stderr, "dcsim: unknown command '%s'\n\n%s", cmd, USAGE);
    return DCS_EXIT_INPUT;
}
