/* powerfit.h - fitting the board power model (hw/power.h) to NVML
 * measurements, and checking it against them.
 *
 * The measurements are tests/kernels/power.cu's phases (power.csv): board
 * power sampled every 50 ms while the device idles or runs one kind of
 * work back to back. Each phase becomes one figure, the median of its
 * samples after the warm-up. The fit is closed form, phase by phase:
 *   idle                   idle power (the device file's idle_power_w)
 *   copy, copy_q           the line through (HBM rate, power): active_w
 *                          and J per HBM byte
 *   gemm_1024              J per FLOP at the maximum clock (it runs there)
 *   gemm                   held at the limit at a lower clock: the DVFS
 *                          exponent, and with the op cost model's rate for
 *                          the same GEMM the burst power
 *   allreduce              J per byte over the links (when measured)
 * The other phases (copy_sm, gemm_4096, gemm_fp8, gemm_duty, allreduce_s)
 * are kept out of the fit and only predicted. */
#ifndef DCS_POWERFIT_H
#define DCS_POWERFIT_H

#include "config/table.h"
#include "hw/device.h"

enum { DCS_POWERFIT_MAX_PHASES = 16 };

/* One phase: measured and predicted. */
typedef struct dcs_power_phase {
    char name[32];           /* as in power.csv */
    int fitted;              /* 1: used by the fit */
    double measured_w;       /* median board power after warm-up */
    double predicted_w;      /* the model's at the measured rates (duty: bursts
                                 at the op cost model's rate) */
    double clock_mhz;        /* median SM clock */
    double tflops;           /* measured over the phase (0: none) */
    double predicted_tflops; /* sustained, for the GEMMs (0: none) */
    double gbps;             /* measured HBM or all-reduce rate, GB/s */
} dcs_power_phase_t;

typedef struct dcs_power_fit {
    double idle_w;             /* measured */
    dcs_power_params_t params; /* fitted (link_j_per_byte kept from the
                                  device when no all-reduce was measured) */
    int has_link;              /* 1: link_j_per_byte was fitted */
    int gpus;                  /* GPUs of the all-reduce phases */
    dcs_power_phase_t phase[DCS_POWERFIT_MAX_PHASES];
    int nphases;
} dcs_power_fit_t;

/* Fits `spec`'s power model to the measurements in `t` (power.csv) taken
 * with `gpus` GPUs in the all-reduce phases, and predicts every phase with
 * the fitted parameters (spec's own idle power and op cost model). Returns
 * 0, or DCS_EINPUT naming the missing phase or column in `err`. */
int dcs_power_fit(const dcs_table_t *t, const dcs_device_spec_t *spec, int gpus,
                  dcs_power_fit_t *fit, dcs_err_t *err);

/* The same from a measurement folder: <dir>/power.csv, with the GPU count
 * from <dir>/power_meta.yaml's gpus_on_host (2 when it does not say).
 * Returns 1 when fitted, 0 when the folder has no power.csv, or a negative
 * DCS_E* code with `err` set. */
int dcs_power_fit_dir(const char *dir, const dcs_device_spec_t *spec,
                      dcs_power_fit_t *fit, dcs_err_t *err);

/* Predicts every phase of `fit` with `spec`'s power parameters as they
 * are (used by validate on a device file's saved parameters). */
void dcs_power_predict(dcs_power_fit_t *fit, const dcs_device_spec_t *spec);

#endif
