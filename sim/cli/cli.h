/* cli.h - the subcommands of the dcsim command.
 *
 * Each subcommand takes its own argv (argv[0] is the subcommand name) and
 * returns the process exit status: 0 success, 1 runtime failure, 2 bad input
 * (DCS_EXIT_*). They print results on `out` and diagnostics on stderr. */
#ifndef DCS_CLI_H
#define DCS_CLI_H

#include <stdio.h>

enum {
    DCS_EXIT_OK = 0,      /* success */
    DCS_EXIT_RUNTIME = 1, /* a runtime failure (I/O, memory) */
    DCS_EXIT_INPUT = 2,   /* bad input: arguments, scenario, data files */
};

int dcs_cmd_run(int argc, char **argv, FILE *out);
int dcs_cmd_list(int argc, char **argv, FILE *out);
int dcs_cmd_bench(int argc, char **argv, FILE *out);
int dcs_cmd_op(int argc, char **argv, FILE *out);
int dcs_cmd_calibrate(int argc, char **argv, FILE *out);
int dcs_cmd_validate(int argc, char **argv, FILE *out);
int dcs_cmd_plot(int argc, char **argv, FILE *out);
int dcs_cmd_trace(int argc, char **argv, FILE *out);
int dcs_cmd_compare(int argc, char **argv, FILE *out);

/* Maps a library error code to an exit status (DCS_EINPUT -> 2, else 1). */
int dcs_cli_exit_status(int rc);

/* The data root where topologies/, workloads/ and scenarios/ live: $DCSIM_HOME
 * if set, else the source tree dcsim was built from. */
const char *dcs_cli_home(void);

#endif
