/* cmd_calibrate.c - `dcsim calibrate DATA_DIR`: fit the op cost model of a
 * device to its measurements and write the parameters into its YAML file. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/price.h"
#include "hw/calibrate.h"
#include "hw/device.h"
#include "hw/powerfit.h"

static const char USAGE[] =
    "usage: dcsim calibrate DATA_DIR [--device NAME] [--dry-run]\n"
    "\n"
    "Fits the op cost model of a device to the kernel measurements in\n"
    "DATA_DIR (gemm.csv, membound.csv, attention.csv, nccl.csv, as written\n"
    "by tests/kernels/run.sh and run_nccl.sh) and writes the fitted\n"
    "parameters into the\n"
    "`calibration` section at the end of topologies/devices/NAME.yaml.\n"
    "About 70 % of the rows (chosen by a hash of each row's op columns) are\n"
    "fitted; the rest are kept out for `dcsim validate` to report honest\n"
    "error.\n"
    "\n"
    "  --device NAME   the device (default: DATA_DIR's last path component)\n"
    "  --dry-run       fit and print, but write nothing\n";

/* The marker that starts the generated block in a device file. */
static const char MARKER[] = "# ---- calibration: written by `dcsim calibrate`";

static int write_block(const char *path, const char *source,
                       const dcs_opcost_params_t *p,
                       const dcs_calib_result_t *res,
                       const dcs_power_fit_t *power)
{
    FILE *in = fopen(path, "r");
    if (!in)
        return -1;
    char tmp[4500];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *out = fopen(tmp, "w");
    if (!out) {
        fclose(in);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, in) > 0 &&
           strncmp(line, MARKER, strlen(MARKER)))
        fputs(line, out);
    free(line);
    fclose(in);
    fprintf(out,
            "%s; edit the measurements, not this ----\n"
            "# Op cost model parameters fitted to the rows of `source` chosen\n"
            "# for fitting; `dcsim validate` reports the error on the rest.\n"
            "calibration:\n"
            "  source: %s\n"
            "  fit_rows: %zu\n"
            "  kept_rows: %zu\n"
            "  params:\n",
            MARKER, source, res->fit_rows, res->kept_rows);
    for (int i = 0; i < DCS_OPCOST_NPARAMS; i++)
        fprintf(out, "    %s: %.6g\n", dcs_opcost_param_name(i), p->v[i]);
    if (power) {
        const dcs_power_params_t *q = &power->params;
        fprintf(
            out,
            "# Board power model (sim/hw/power.h) fitted to %s/power.csv%s.\n"
            "power:\n"
            "  source: %s/power.csv\n"
            "  active_w: %.4g\n"
            "  hbm_pj_per_byte: %.4g\n"
            "  link_pj_per_byte: %.4g\n"
            "  flop_pj: %.4g\n"
            "  dvfs_exponent: %.4g\n"
            "  burst_w: %.4g\n",
            source,
            power->has_link ? ""
                            : " (no all-reduce measured: link_pj_per_byte "
                              "is the device file's)",
            source, q->active_w, q->hbm_j_per_byte * 1e12,
            q->link_j_per_byte * 1e12, q->flop_j * 1e12, q->dvfs_exponent,
            q->burst_w);
    }
    int bad = ferror(out);
    if (fclose(out) != 0 || bad || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

int dcs_cmd_calibrate(int argc, char **argv, FILE *out)
{
    static const struct option opts[] = {
        {"device", required_argument, NULL, 'd'},
        {"dry-run", no_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *device = NULL;
    int dry = 0, c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            device = optarg;
            break;
        case 'n':
            dry = 1;
            break;
        case 'h':
            fputs(USAGE, out);
            return DCS_EXIT_OK;
        default:
            fputs(USAGE, stderr);
            return DCS_EXIT_INPUT;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "dcsim calibrate: expected one data folder\n\n%s",
                USAGE);
        return DCS_EXIT_INPUT;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", argv[optind]);
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        dir[--len] = '\0';
    if (!device) {
        const char *slash = strrchr(dir, '/');
        device = slash ? slash + 1 : dir;
    }
    dcs_device_spec_t dev;
    dcs_err_t err;
    dcs_measurements_t m;
    int rc = dcs_device_load(dcs_cli_home(), device, &dev, &err);
    if (rc == 0)
        rc = dcs_measurements_load(dir, &m, &err);
    if (rc < 0) {
        fprintf(stderr, "dcsim calibrate: %s\n", err.msg);
        return dcs_cli_exit_status(rc);
    }
    dcs_opcost_params_t p;
    dcs_opcost_defaults(&p);
    dcs_calib_result_t res;
    rc = dcs_calibrate(&dev, dcs_price_op, &m, &p, &res, &err);
    dcs_measurements_free(&m);
    if (rc < 0) {
        fprintf(stderr, "dcsim calibrate: %s\n", err.msg);
        return DCS_EXIT_RUNTIME;
    }
    fprintf(out, "%s: %zu rows fitted, %zu kept out\n", device, res.fit_rows,
            res.kept_rows);
    fprintf(out, "%-18s %6s %7s %22s %21s\n", "family", "rows", "params",
            "rms log error before", "rms log error after");
    for (int g = 0; g < res.ngroups; g++)
        fprintf(out, "%-18s %6zu %7d %22.4f %21.4f\n", res.groups[g].name,
                res.groups[g].rows, res.groups[g].params,
                res.groups[g].rms_before, res.groups[g].rms_after);
    /* The board power model, when power.csv was measured. */
    dcs_power_fit_t power, *pw = NULL;
    dev.params = p; /* the burst power needs the new GEMM rates */
    rc = dcs_power_fit_dir(dir, &dev, &power, &err);
    if (rc < 0) {
        fprintf(stderr, "dcsim calibrate: %s\n", err.msg);
        return DCS_EXIT_INPUT;
    }
    if (rc == 1) {
        pw = &power;
        const dcs_power_params_t *q = &power.params;
        fprintf(out,
                "power: idle %.1f W measured (device file: %.1f W); active "
                "%.1f W, HBM %.1f pJ/B, links %.1f pJ/B, bf16 %.3f pJ/FLOP at "
                "the maximum clock, DVFS exponent %.2f, bursts %.0f W\n",
                power.idle_w, dev.idle_power_w, q->active_w,
                q->hbm_j_per_byte * 1e12, q->link_j_per_byte * 1e12,
                q->flop_j * 1e12, q->dvfs_exponent, q->burst_w);
    }
    if (dry)
        return DCS_EXIT_OK;
    /* Store the source relative to the data root when it lies inside it. */
    const char *home = dcs_cli_home();
    char abs[4096];
    const char *source = dir;
    if (realpath(dir, abs)) {
        size_t hl = strlen(home);
        source = !strncmp(abs, home, hl) && abs[hl] == '/' ? abs + hl + 1 : abs;
    }
    char path[4400];
    snprintf(path, sizeof path, "%s/topologies/devices/%s.yaml", home, device);
    if (write_block(path, source, &p, &res, pw) < 0) {
        fprintf(stderr, "dcsim calibrate: cannot write '%s': %s\n", path,
                strerror(errno));
        return DCS_EXIT_RUNTIME;
    }
    fprintf(out, "wrote the calibration into %s\n", path);
    return DCS_EXIT_OK;
}
