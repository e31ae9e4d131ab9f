/* world.h - one run of a scenario, from the file to the reports.
 *
 * The composition root: the one place that sees every layer. It loads the
 * scenario, lets each layer read its own section, checks that nothing was
 * left unread, builds the world (fleet, scheduler, workload, facility,
 * cost), runs the simulation, and writes the reports all or nothing. Bad
 * input is found before anything is written. */
#ifndef DCS_WORLD_H
#define DCS_WORLD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/error.h"

typedef struct dcs_run_opts {
    const char *scenario_path;
    const char *out_dir; /* NULL: results/<scenario name> */
    int has_seed;        /* 1: `seed` overrides the scenario's */
    uint64_t seed;
    const char *const *sets; /* "a.b=value" overrides, in order */
    size_t nsets;
    FILE *progress; /* progress line target, or NULL */
    FILE *notes;    /* notices for the user (stderr), or NULL */
    int breakdown;  /* 1: also breakdown.csv, every training job's
                       iteration op by op */
} dcs_run_opts_t;

/* Runs the scenario and writes its reports; prints the summary table on
 * `table` (when not NULL), headed by the folder the reports went to.
 * Returns 0, DCS_EINPUT for bad input, or another DCS_E* code for a
 * runtime failure, with `err` filled. */
int dcs_world_run(const dcs_run_opts_t *opts, FILE *table, dcs_err_t *err);

#endif
