/* measure.h - kernel measurements: the CSVs of tests/kernels/data/<device>/
 * read into ops with their measured times, and split, once and for all, into
 * rows used for fitting and rows kept out of fitting to report honest error.
 *
 * The split is a hash of each row's op columns (FNV-1a of their text), so it
 * does not depend on row order, file order or on which other rows exist: a
 * row is kept out (about 30 % of rows) whatever else is measured. */
#ifndef DCS_MEASURE_H
#define DCS_MEASURE_H

#include <stddef.h>

#include "engine/error.h"
#include "hw/op.h"

typedef struct dcs_measurement {
    dcs_op_t op;
    double time_s;    /* measured median */
    int fit;          /* 1: used for fitting; 0: kept out */
    const char *file; /* which CSV (static string) */
    int line;         /* its line */
} dcs_measurement_t;

typedef struct dcs_measurements {
    dcs_measurement_t *rows;
    size_t len;
} dcs_measurements_t;

/* Reads gemm.csv, membound.csv and attention.csv of `dir` (each optional,
 * but at least one must exist). Columns: the op columns (any subset) and
 * time_us. Returns 0 or DCS_EINPUT naming file, line and field. */
int dcs_measurements_load(const char *dir, dcs_measurements_t *out,
                          dcs_err_t *err);
void dcs_measurements_free(dcs_measurements_t *m);

/* Whether a row with these op-column texts is used for fitting: the FNV-1a
 * hash of the texts joined by commas, modulo 10, is below 7. */
int dcs_measure_is_fit_row(const char *const *op_cells, size_t n);

/* Report families: "gemm", "bmm", "attention fwd", "attention bwd",
 * "decode_attention", or the memory-bound op's name. Static strings. */
const char *dcs_measure_family(const dcs_op_t *op);

#endif
