/* device.c - reading an accelerator's specification and calibration. */
#include "hw/device.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int read_peaks(dcs_cfg_node_t *map, const char *key, double *peaks,
                      int required, dcs_err_t *err)
{
    dcs_cfg_node_t *node = NULL;
    int rc = dcs_cfg_map(
        map, key, required ? DCS_CFG_REQUIRED : DCS_CFG_OPTIONAL, &node, err);
    if (rc < 0 || !node)
        return rc;
    int any = 0;
    for (int d = 0; d < DCS_NDTYPES; d++) {
        if ((rc = dcs_cfg_f64(node, dcs_dtype_name((dcs_dtype_t)d),
                              DCS_CFG_OPTIONAL, 1e9, 1e18, &peaks[d], err)) < 0)
            return rc;
        any |= peaks[d] > 0;
    }
    if (required && !any)
        return dcs_cfg_error(node, err,
                             "expected at least one of fp32, tf32, bf16, fp16, "
                             "fp8, int8");
    return 0;
}

static int read_interconnect(dcs_cfg_node_t *map, dcs_device_spec_t *spec,
                             dcs_err_t *err)
{
    dcs_cfg_node_t *ic = NULL;
    const char *kind = "";
    int64_t ports = 0;
    int rc;
    if ((rc = dcs_cfg_map(map, "interconnect", DCS_CFG_OPTIONAL, &ic, err)) <
            0 ||
        !ic)
        return rc;
    if ((rc = dcs_cfg_str(ic, "kind", DCS_CFG_REQUIRED, &kind, err)) < 0 ||
        (rc = dcs_cfg_f64(ic, "bw_bytes_per_s_per_direction", DCS_CFG_REQUIRED,
                          1e6, 1e15, &spec->link_bw_bytes_per_s, err)) < 0 ||
        (rc = dcs_cfg_i64(ic, "ports", DCS_CFG_OPTIONAL, 0, 1024, &ports,
                          err)) < 0)
        return rc;
    snprintf(spec->link_kind, sizeof spec->link_kind, "%s", kind);
    spec->link_ports = (int)ports;
    return 0;
}

static int read_calibration(dcs_cfg_node_t *map, dcs_device_spec_t *spec,
                            dcs_err_t *err)
{
    dcs_cfg_node_t *cal = NULL, *params = NULL;
    const char *source = "";
    int rc;
    dcs_opcost_defaults(&spec->params);
    if ((rc = dcs_cfg_map(map, "calibration", DCS_CFG_OPTIONAL, &cal, err)) <
            0 ||
        !cal)
        return rc;
    if ((rc = dcs_cfg_str(cal, "source", DCS_CFG_REQUIRED, &source, err)) < 0 ||
        (rc = dcs_cfg_i64(cal, "fit_rows", DCS_CFG_REQUIRED, 1, INT64_MAX,
                          &spec->fit_rows, err)) < 0 ||
        (rc = dcs_cfg_i64(cal, "kept_rows", DCS_CFG_REQUIRED, 0, INT64_MAX,
                          &spec->kept_rows, err)) < 0 ||
        (rc = dcs_cfg_map(cal, "params", DCS_CFG_REQUIRED, &params, err)) < 0)
        return rc;
    for (int i = 0; i < DCS_OPCOST_NPARAMS; i++) {
        double lo, hi;
        dcs_opcost_param_bounds(i, &lo, &hi);
        if ((rc =
                 dcs_cfg_f64(params, dcs_opcost_param_name(i), DCS_CFG_OPTIONAL,
                             lo, hi, &spec->params.v[i], err)) < 0)
            return rc;
    }
    snprintf(spec->calibration_source, sizeof spec->calibration_source, "%s",
             source);
    spec->calibrated = 1;
    return 0;
}

/* Defaults for a device whose board power was never measured, scaled from
 * its TDP, idle power and peaks the way the measured H100 SXM's fit sits
 * (topologies/devices/h100-sxm.yaml): a running kernel adds 4 % of the TDP;
 * the HBM at full bandwidth draws 0.7 x (TDP - idle); dense bf16 at the
 * maximum clock and full rate would draw 2.5 x (TDP - idle) (so sustained
 * dense GEMMs are held at the limit, as measured); NVLink 250 pJ per byte
 * (the H200 fit); energy per FLOP ~ clock^1.45 (the H100 fit); bursts up
 * to 1.2 x TDP. ASSUMPTION: unmeasured devices behave like the H100. */
static void power_defaults(dcs_device_spec_t *spec)
{
    dcs_power_params_t *p = &spec->power;
    double span = spec->tdp_w - spec->idle_power_w;
    double bf16 = spec->perf.peak_flops[DCS_BF16] > 0
                      ? spec->perf.peak_flops[DCS_BF16]
                      : spec->perf.peak_flops[DCS_FP32];
    p->fitted = 0;
    p->active_w = 0.04 * spec->tdp_w;
    p->hbm_j_per_byte = 0.7 * span / spec->perf.mem_bw_bytes_per_s;
    p->link_j_per_byte = 250e-12;
    p->flop_j = bf16 > 0 ? 2.5 * span / bf16 : 0;
    p->dvfs_exponent = 1.45;
    p->burst_w = 1.2 * spec->tdp_w;
}

static int read_power(dcs_cfg_node_t *map, dcs_device_spec_t *spec,
                      dcs_err_t *err)
{
    dcs_cfg_node_t *pw = NULL;
    const char *source = "";
    double hbm_pj, link_pj, flop_pj;
    dcs_power_params_t *p = &spec->power;
    int rc;
    power_defaults(spec);
    if ((rc = dcs_cfg_map(map, "power", DCS_CFG_OPTIONAL, &pw, err)) < 0 || !pw)
        return rc;
    hbm_pj = p->hbm_j_per_byte * 1e12;
    link_pj = p->link_j_per_byte * 1e12;
    flop_pj = p->flop_j * 1e12;
    if ((rc = dcs_cfg_str(pw, "source", DCS_CFG_OPTIONAL, &source, err)) < 0 ||
        (rc = dcs_cfg_f64(pw, "active_w", DCS_CFG_OPTIONAL, 0, 1e5,
                          &p->active_w, err)) < 0 ||
        (rc = dcs_cfg_f64(pw, "hbm_pj_per_byte", DCS_CFG_OPTIONAL, 0, 1e4,
                          &hbm_pj, err)) < 0 ||
        (rc = dcs_cfg_f64(pw, "link_pj_per_byte", DCS_CFG_OPTIONAL, 0, 1e4,
                          &link_pj, err)) < 0 ||
        (rc = dcs_cfg_f64(pw, "flop_pj", DCS_CFG_OPTIONAL, 0, 1e3, &flop_pj,
                          err)) < 0 ||
        (rc = dcs_cfg_f64(pw, "dvfs_exponent", DCS_CFG_OPTIONAL, 0.1, 5,
                          &p->dvfs_exponent, err)) < 0 ||
        (rc = dcs_cfg_f64(pw, "burst_w", DCS_CFG_OPTIONAL, 0, 1e5, &p->burst_w,
                          err)) < 0)
        return rc;
    p->hbm_j_per_byte = hbm_pj * 1e-12;
    p->link_j_per_byte = link_pj * 1e-12;
    p->flop_j = flop_pj * 1e-12;
    p->fitted = source[0] != '\0';
    if (p->burst_w < spec->tdp_w)
        return dcs_cfg_error(dcs_cfg_get(pw, "burst_w"), err,
                             "burst power %g W is below the TDP of %g W",
                             p->burst_w, spec->tdp_w);
    return 0;
}

int dcs_device_read(dcs_cfg_node_t *map, dcs_device_spec_t *spec,
                    dcs_err_t *err)
{
    const char *name = NULL, *description = NULL, *vendor = "";
    double memory_gib = 0, l2 = 0;
    int64_t sms = 0;
    int rc;
    memset(spec, 0, sizeof *spec);
    spec->busy_power_w = -1;
    if ((rc = dcs_cfg_str(map, "name", DCS_CFG_REQUIRED, &name, err)) < 0 ||
        (rc = dcs_cfg_str(map, "description", DCS_CFG_OPTIONAL, &description,
                          err)) < 0 ||
        (rc = dcs_cfg_str(map, "vendor", DCS_CFG_OPTIONAL, &vendor, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "memory_gib", DCS_CFG_REQUIRED, 0.001, 1e6,
                          &memory_gib, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "memory_bw_bytes_per_s", DCS_CFG_REQUIRED, 1e6,
                          1e15, &spec->perf.mem_bw_bytes_per_s, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "l2_bytes", DCS_CFG_OPTIONAL, 0, 1e12, &l2,
                          err)) < 0 ||
        (rc = dcs_cfg_i64(map, "sm_count", DCS_CFG_REQUIRED, 1, 100000, &sms,
                          err)) < 0 ||
        (rc = dcs_cfg_f64(map, "boost_clock_mhz", DCS_CFG_OPTIONAL, 0, 1e5,
                          &spec->boost_clock_mhz, err)) < 0 ||
        (rc = read_peaks(map, "peak_flops", spec->perf.peak_flops, 1, err)) <
            0 ||
        (rc = read_peaks(map, "peak_flops_sparse", spec->peak_flops_sparse, 0,
                         err)) < 0 ||
        (rc = dcs_cfg_f64(map, "tdp_w", DCS_CFG_REQUIRED, 1, 1e5, &spec->tdp_w,
                          err)) < 0 ||
        (rc = dcs_cfg_f64(map, "idle_power_w", DCS_CFG_REQUIRED, 0, 1e5,
                          &spec->idle_power_w, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "busy_power_w", DCS_CFG_OPTIONAL, 0, 1e5,
                          &spec->busy_power_w, err)) < 0 ||
        (rc = read_interconnect(map, spec, err)) < 0 ||
        (rc = read_calibration(map, spec, err)) < 0)
        return rc;
    if (strlen(name) >= sizeof spec->name)
        return dcs_cfg_error(dcs_cfg_get(map, "name"), err,
                             "expected a name shorter than %zu characters",
                             sizeof spec->name);
    snprintf(spec->name, sizeof spec->name, "%s", name);
    snprintf(spec->vendor, sizeof spec->vendor, "%s", vendor);
    spec->memory_bytes = (uint64_t)llround(memory_gib * 1073741824.0);
    spec->l2_bytes = (uint64_t)llround(l2);
    spec->perf.l2_bytes = l2;
    spec->perf.sm_count = (int)sms;
    if (spec->busy_power_w < 0)
        spec->busy_power_w = 0.85 * spec->tdp_w;
    if ((rc = read_power(map, spec, err)) < 0)
        return rc;
    if (spec->idle_power_w > spec->busy_power_w)
        return dcs_cfg_error(dcs_cfg_get(map, "idle_power_w"), err,
                             "idle power %g W is above busy power %g W",
                             spec->idle_power_w, spec->busy_power_w);
    if (spec->busy_power_w > spec->tdp_w)
        return dcs_cfg_error(dcs_cfg_get(map, "busy_power_w"), err,
                             "busy power %g W is above the TDP of %g W",
                             spec->busy_power_w, spec->tdp_w);
    return 0;
}

/* "a, b, c" of the device files under dir. */
static void known_devices(const char *dir, char *buf, size_t size)
{
    buf[0] = '\0';
    DIR *d = opendir(dir);
    if (!d)
        return;
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 256) {
        size_t len = strlen(e->d_name);
        if (len > 5 && !strcmp(e->d_name + len - 5, ".yaml") &&
            e->d_name[0] != '.')
            names[n++] = strndup(e->d_name, len - 5);
    }
    closedir(d);
    /* Sorted, so the message is the same on every file system. */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    for (size_t i = 0; i < n; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, size - used, "%s%s", i ? ", " : "", names[i]);
        free(names[i]);
    }
}

int dcs_device_load(const char *home, const char *name, dcs_device_spec_t *spec,
                    dcs_err_t *err)
{
    char dir[4096], path[4400];
    snprintf(dir, sizeof dir, "%s/topologies/devices", home);
    snprintf(path, sizeof path, "%s/%s.yaml", dir, name);
    struct stat st;
    if (strchr(name, '/') || stat(path, &st) < 0) {
        char known[2048];
        known_devices(dir, known, sizeof known);
        return dcs_err_set(err, DCS_EINPUT,
                           "unknown device '%s'; known devices: %s", name,
                           known);
    }
    dcs_cfg_t *cfg = dcs_cfg_load(path, err);
    if (!cfg)
        return DCS_EINPUT;
    int rc = dcs_device_read(dcs_cfg_root(cfg), spec, err);
    if (rc == 0)
        rc = dcs_cfg_check_unknown(dcs_cfg_root(cfg), err);
    dcs_cfg_free(cfg);
    return rc;
}
