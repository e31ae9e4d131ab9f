/* device.h - an accelerator's specification, read from
 * topologies/devices/<name>.yaml: the datasheet (peak FLOP/s per dtype,
 * memory, bandwidth, caches, clocks, power, node-local interconnect) and,
 * when the device has been measured, the op cost model's calibration. */
#ifndef DCS_DEVICE_H
#define DCS_DEVICE_H

#include <stdint.h>

#include "config/cfg.h"
#include "hw/opcost.h"

/* Board power model parameters (sim/hw/power.h), fitted by `dcsim
 * calibrate` to the NVML measurements in tests/kernels/data/<device>/
 * power.csv, or defaults scaled from the device's TDP (stated in device.c). */
typedef struct dcs_power_params {
    int fitted;             /* 1: fitted to measured board power */
    double active_w;        /* above idle whenever a kernel runs */
    double hbm_j_per_byte;  /* per byte through device memory */
    double link_j_per_byte; /* per byte sent over the node's links */
    double flop_j;          /* per dense bf16 FLOP at the maximum clock */
    double dvfs_exponent;   /* energy per FLOP ~ clock^this */
    double burst_w;         /* what short bursts may draw (above the
                               sustained limit, tdp_w) */
} dcs_power_params_t;

typedef struct dcs_device_spec {
    char name[64];            /* e.g. "h100-sxm" */
    char vendor[32];          /* e.g. "NVIDIA" */
    uint64_t memory_bytes;    /* device memory capacity */
    dcs_opcost_device_t perf; /* dense peaks, bandwidth, SM count */
    double peak_flops_sparse[DCS_NDTYPES]; /* with 2:4 sparsity; 0: none */
    uint64_t l2_bytes;                     /* last-level on-chip cache */
    double boost_clock_mhz;                /* maximum SM/core clock */
    double tdp_w;                          /* board power limit */
    double idle_power_w;          /* board power with nothing running */
    double busy_power_w;          /* mean board power while a job runs */
    char link_kind[32];           /* node-local interconnect, "nvlink4" */
    double link_bw_bytes_per_s;   /* per direction, all ports together */
    int link_ports;               /* links per device */
    int calibrated;               /* 1: `calibration` present */
    char calibration_source[256]; /* measurements it was fitted to */
    int64_t fit_rows, kept_rows;  /* rows used for fitting / kept out */
    dcs_opcost_params_t params;   /* calibrated, or the defaults */
    dcs_power_params_t power;     /* board power model */
} dcs_device_spec_t;

/* Reads a device mapping. Required: name, memory_gib,
 * memory_bw_bytes_per_s, sm_count, peak_flops (dtype -> FLOP/s, at least
 * one), tdp_w, idle_power_w. Optional: description, vendor, l2_bytes,
 * boost_clock_mhz, peak_flops_sparse, busy_power_w (default 85 % of TDP),
 * interconnect {kind, bw_bytes_per_s_per_direction, ports}, calibration
 * {source, fit_rows, kept_rows, params {name: value}}, power {source,
 * active_w, hbm_pj_per_byte, link_pj_per_byte, flop_pj, dvfs_exponent,
 * burst_w} (defaults from the TDP when absent). Checks idle <= busy
 * <= tdp. Returns 0 or DCS_EINPUT with `err` naming file, line and field. */
int dcs_device_read(dcs_cfg_node_t *map, dcs_device_spec_t *spec,
                    dcs_err_t *err);

/* Loads <home>/topologies/devices/<name>.yaml (unknown keys are errors).
 * Returns 0, or DCS_EINPUT ("unknown device 'x'; known devices: ..." when
 * the file does not exist). */
int dcs_device_load(const char *home, const char *name, dcs_device_spec_t *spec,
                    dcs_err_t *err);

#endif
