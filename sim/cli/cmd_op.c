/* cmd_op.c - `dcsim op`: the predicted time of one op, or of every row of a
 * CSV, on a device. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/price.h"
#include "config/table.h"
#include "hw/device.h"
#include "hw/power.h"
#include "net/collective.h"
#include "report/csv.h"

static const char USAGE[] =
    "usage: dcsim op --device NAME --op OP [key=value]...\n"
    "       dcsim op --device NAME --batch FILE.csv\n"
    "\n"
    "Predicts how long an op takes on a device, from the device's datasheet\n"
    "and its calibrated efficiencies (see `dcsim validate` for how far to\n"
    "trust them).\n"
    "\n"
    "  --op OP          one op; prints its predicted time in microseconds\n"
    "  key=value        its shape: m n k batch heads kv_heads seq kv_seq\n"
    "                   head_dim (integers), dtype (fp32 tf32 bf16 fp16 fp8\n"
    "                   int8; default bf16), causal (0/1), pass (fwd/bwd)\n"
    "  --batch FILE     a CSV whose header holds any of the op columns\n"
    "                   "
    "op,dtype,m,n,k,batch,heads,seq,kv_seq,head_dim,causal,\n"
    "                   pass (and kv_heads); missing ones are 0, extra "
    "columns\n"
    "                   are kept; writes the rows to stdout with\n"
    "                   predicted_us and predicted_power_w appended (mean\n"
    "                   board power while the op runs back to back, held\n"
    "                   at the TDP; idle gives idle power)\n"
    "\n"
    "ops: gemm (C[m,n] = A[m,k] B[k,n]), bmm (batch of gemms), attention\n"
    "([batch,heads,seq,head_dim], causal, pass), decode_attention (one query\n"
    "against kv_seq cached tokens), elementwise_add, gelu, silu_mul, copy (m\n"
    "elements), layernorm, rmsnorm, softmax (m rows of n), embedding (m\n"
    "lookups of width n), adam (m parameters), idle; collectives all_reduce,\n"
    "all_gather, reduce_scatter, all_to_all, send_recv, broadcast over gpus=P\n"
    "with bytes=N, the per-GPU buffer (all_reduce input, all_gather output,\n"
    "reduce_scatter input, all_to_all send buffer), on the device's\n"
    "node-local interconnect.\n"
    "Bad input (unknown op, impossible shape, bad cell) exits 2.\n";

/* Average board power while `op` runs back to back for `time_s` each,
 * held at the TDP (hw/power.h); collectives send dcs_coll_volume's bytes
 * over the links. */
static double op_power_w(const dcs_device_spec_t *dev, const dcs_op_t *op,
                         double time_s)
{
    double link = 0, steps = 0;
    if (dcs_op_is_collective(op))
        dcs_coll_volume(op, &link, &steps);
    dcs_power_draw_t d;
    dcs_power_op(dev, op, time_s, link, 0, &d);
    return d.sustained_w;
}

static const char *const OP_COLUMNS[] = {
    "op",     "dtype",    "m",      "n",    "k",        "batch", "heads", "seq",
    "kv_seq", "head_dim", "causal", "pass", "kv_heads", "gpus",  "bytes",
};

static int is_op_column(const char *name)
{
    for (size_t i = 0; i < sizeof OP_COLUMNS / sizeof *OP_COLUMNS; i++)
        if (!strcmp(OP_COLUMNS[i], name))
            return 1;
    return 0;
}

static void unvalidated_note(const dcs_device_spec_t *dev)
{
    if (!dev->calibrated)
        fprintf(stderr,
                "dcsim op: note: device '%s' is unvalidated: no kernel "
                "measurements are bundled for it, so times come from its "
                "datasheet and default efficiencies\n",
                dev->name);
}

/* Checks an op against the device; fills msg on error. */
static int check(const dcs_device_spec_t *dev, const dcs_op_t *op, char *msg,
                 size_t size)
{
    if (dcs_op_check(op, msg, size) < 0)
        return -1;
    if (!dcs_price_supported(dev, op)) {
        if (dcs_op_is_collective(op))
            snprintf(msg, size,
                     "device '%s' has no node-local interconnect for %s",
                     dev->name, dcs_op_kind_name(op->kind));
        else
            snprintf(msg, size, "device '%s' has no %s peak for %s", dev->name,
                     dcs_dtype_name(op->dtype), dcs_op_kind_name(op->kind));
        return -1;
    }
    return 0;
}

static int one_op(const dcs_device_spec_t *dev, const char *kind, int argc,
                  char **argv, FILE *out)
{
    dcs_op_t op;
    char msg[512];
    dcs_op_init(&op);
    if (dcs_op_set(&op, "op", kind, msg, sizeof msg) < 0) {
        fprintf(stderr, "dcsim op: --op: %s\n", msg);
        return DCS_EXIT_INPUT;
    }
    for (int i = 0; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq) {
            fprintf(stderr, "dcsim op: expected key=value, found '%s'\n",
                    argv[i]);
            return DCS_EXIT_INPUT;
        }
        *eq = '\0';
        int rc = dcs_op_set(&op, argv[i], eq + 1, msg, sizeof msg);
        if (!strcmp(argv[i], "op")) {
            fprintf(stderr, "dcsim op: the op is given with --op, not op=%s\n",
                    eq + 1);
            return DCS_EXIT_INPUT;
        }
        if (rc == -2) {
            fprintf(stderr,
                    "dcsim op: unknown field '%s'; fields are dtype, m, n, k, "
                    "batch, heads, kv_heads, seq, kv_seq, head_dim, causal, "
                    "pass, gpus, bytes\n",
                    argv[i]);
            return DCS_EXIT_INPUT;
        }
        if (rc < 0) {
            fprintf(stderr, "dcsim op: %s\n", msg);
            return DCS_EXIT_INPUT;
        }
    }
    if (check(dev, &op, msg, sizeof msg) < 0) {
        fprintf(stderr, "dcsim op: %s\n", msg);
        return DCS_EXIT_INPUT;
    }
    fprintf(out, "%.3f\n", dcs_price_op(dev, &dev->params, &op) * 1e6);
    return DCS_EXIT_OK;
}

static int batch(const dcs_device_spec_t *dev, const char *path, FILE *out)
{
    dcs_table_t t;
    dcs_err_t err;
    if (dcs_table_read(path, &t, &err) < 0) {
        fprintf(stderr, "dcsim op: %s\n", err.msg);
        return DCS_EXIT_INPUT;
    }
    int rc = DCS_EXIT_OK;
    if (dcs_table_col(&t, "op") < 0) {
        fprintf(stderr, "dcsim op: %s:1: no column 'op' in the header\n", path);
        rc = DCS_EXIT_INPUT;
    }
    for (size_t c = 0; c < t.ncols && rc == DCS_EXIT_OK; c++) {
        if (!strcmp(t.header[c], "predicted_us")) {
            fprintf(stderr,
                    "dcsim op: %s:1: the header already has a column "
                    "'predicted_us'\n",
                    path);
            rc = DCS_EXIT_INPUT;
        }
        for (size_t d = 0; d < c && rc == DCS_EXIT_OK; d++)
            if (!strcmp(t.header[c], t.header[d])) {
                fprintf(stderr, "dcsim op: %s:1: column '%s' appears twice\n",
                        path, t.header[c]);
                rc = DCS_EXIT_INPUT;
            }
    }
    /* Every row is checked and priced before anything is written. */
    double *us = calloc(t.nrows + 1, sizeof *us);
    double *watts = calloc(t.nrows + 1, sizeof *watts);
    if (!us || !watts) {
        fprintf(stderr, "dcsim op: out of memory\n");
        dcs_table_free(&t);
        return DCS_EXIT_RUNTIME;
    }
    for (size_t r = 0; r < t.nrows && rc == DCS_EXIT_OK; r++) {
        dcs_op_t op;
        char msg[512];
        dcs_op_init(&op);
        for (size_t c = 0; c < t.ncols && rc == DCS_EXIT_OK; c++) {
            if (!is_op_column(t.header[c]))
                continue;
            if (dcs_op_set(&op, t.header[c], t.cells[r][c], msg, sizeof msg) <
                0) {
                fprintf(stderr, "dcsim op: %s:%d: %s\n", path, t.line[r], msg);
                rc = DCS_EXIT_INPUT;
            }
        }
        if (rc == DCS_EXIT_OK && check(dev, &op, msg, sizeof msg) < 0) {
            fprintf(stderr, "dcsim op: %s:%d: %s\n", path, t.line[r], msg);
            rc = DCS_EXIT_INPUT;
        }
        if (rc == DCS_EXIT_OK) {
            us[r] = dcs_price_op(dev, &dev->params, &op) * 1e6;
            watts[r] = op_power_w(dev, &op, us[r] * 1e-6);
        }
    }
    if (rc == DCS_EXIT_OK) {
        for (size_t c = 0; c < t.ncols; c++) {
            dcs_csv_quote(out, t.header[c]);
            fputc(',', out);
        }
        fputs("predicted_us,predicted_power_w\n", out);
        for (size_t r = 0; r < t.nrows; r++) {
            for (size_t c = 0; c < t.ncols; c++) {
                dcs_csv_quote(out, t.cells[r][c]);
                fputc(',', out);
            }
            fprintf(out, "%.3f,%.1f\n", us[r], watts[r]);
        }
    }
    free(us);
    free(watts);
    dcs_table_free(&t);
    return rc;
}

int dcs_cmd_op(int argc, char **argv, FILE *out)
{
    static const struct option opts[] = {
        {"device", required_argument, NULL, 'd'},
        {"op", required_argument, NULL, 'o'},
        {"batch", required_argument, NULL, 'b'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *device = NULL, *kind = NULL, *file = NULL;
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            device = optarg;
            break;
        case 'o':
            kind = optarg;
            break;
        case 'b':
            file = optarg;
            break;
        case 'h':
            fputs(USAGE, out);
            return DCS_EXIT_OK;
        default:
            fputs(USAGE, stderr);
            return DCS_EXIT_INPUT;
        }
    }
    if (!device || !!kind == !!file) {
        fprintf(stderr,
                "dcsim op: expected --device and one of --op or "
                "--batch\n\n%s",
                USAGE);
        return DCS_EXIT_INPUT;
    }
    if (file && optind < argc) {
        fprintf(stderr, "dcsim op: unexpected argument '%s' with --batch\n",
                argv[optind]);
        return DCS_EXIT_INPUT;
    }
    dcs_device_spec_t dev;
    dcs_err_t err;
    int rc = dcs_device_load(dcs_cli_home(), device, &dev, &err);
    if (rc < 0) {
        fprintf(stderr, "dcsim op: %s\n", err.msg);
        return dcs_cli_exit_status(rc);
    }
    unvalidated_note(&dev);
    if (file)
        return batch(&dev, file, out);
    return one_op(&dev, kind, argc - optind, argv + optind, out);
}
