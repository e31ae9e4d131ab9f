/* calibrate.h - fitting the op cost model's parameters to measurements.
 *
 * Each op family (gemm+bmm, attention fwd, attention bwd, decode attention,
 * memory-bound ops) is fitted on its own, on the rows marked for fitting
 * only, by nonlinear least squares (GSL's trust-region Levenberg-Marquardt)
 * on log(predicted / measured), so every row counts by its relative error,
 * then refitted with Huber weights (rows off by more than 10 % count less)
 * so that a few pathological rows cannot pull the fit for all the others.
 * Parameters stay inside their bounds through a logistic transform of their
 * logarithm. Each fit starts from a few fixed points and keeps the best, so
 * the result is deterministic. */
#ifndef DCS_CALIBRATE_H
#define DCS_CALIBRATE_H

#include "engine/error.h"
#include "hw/device.h"
#include "hw/measure.h"
#include "hw/opcost.h"

enum { DCS_CALIB_MAX_GROUPS = 8 };

typedef struct dcs_calib_group {
    const char *name;  /* "gemm", "attention fwd", ... */
    size_t rows;       /* fit rows in the group */
    int params;        /* parameters fitted */
    double rms_before; /* RMS of log residuals at the start values */
    double rms_after;  /* and after fitting */
} dcs_calib_group_t;

typedef struct dcs_calib_result {
    dcs_calib_group_t groups[DCS_CALIB_MAX_GROUPS];
    int ngroups;
    size_t fit_rows, kept_rows;
} dcs_calib_result_t;

/* Prices an op with parameters `p`: the model being fitted. The caller
 * supplies it, so that ops priced in lower layers (collectives, by the
 * network layer) are fitted by the same machinery. */
typedef double (*dcs_price_fn)(const dcs_device_spec_t *dev,
                               const dcs_opcost_params_t *p,
                               const dcs_op_t *op);

/* Fits `p` (start values in, fitted values out) for device `dev` to the
 * fit rows of `m`, pricing ops with `price`. Groups without rows keep their
 * start values. Returns 0 or DCS_ENOMEM. Cost: a few seconds for ~1000
 * rows. */
int dcs_calibrate(const dcs_device_spec_t *dev, dcs_price_fn price,
                  const dcs_measurements_t *m, dcs_opcost_params_t *p,
                  dcs_calib_result_t *result, dcs_err_t *err);

#endif
