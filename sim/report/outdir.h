/* outdir.h - writing a run's reports all or nothing.
 *
 * Every report is written to a hidden temporary file in the output folder;
 * only when all are written and closed without error are they renamed into
 * place, one rename each. A run that fails or is interrupted leaves at most
 * hidden temporaries (removed on failure), never a report that looks
 * complete but is not. */
#ifndef DCS_OUTDIR_H
#define DCS_OUTDIR_H

#include <stdio.h>

#include "engine/error.h"

typedef struct dcs_outdir dcs_outdir_t;

/* Creates `dir` (and its parents) if needed. Returns NULL with `err` filled
 * (DCS_EIO class) when it cannot. */
dcs_outdir_t *dcs_outdir_begin(const char *dir, dcs_err_t *err);

/* Opens a temporary file that will become dir/name on commit. The stream is
 * owned by the outdir: do not fclose it. NULL with `err` filled on error. */
FILE *dcs_outdir_create(dcs_outdir_t *o, const char *name, dcs_err_t *err);

/* Closes every file, checking for write errors, and renames them into place.
 * Frees `o` in every case. Returns 0 or DCS_EIO (temporaries removed). */
int dcs_outdir_commit(dcs_outdir_t *o, dcs_err_t *err);

/* Closes and removes every temporary and frees `o`. NULL is a no-op. */
void dcs_outdir_abort(dcs_outdir_t *o);

#endif
