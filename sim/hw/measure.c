/* measure.c - reading kernel measurements and splitting them. */
#include "hw/measure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config/table.h"

/* The op columns, in the order their texts are hashed for the split; the
 * collective columns (gpus, bytes) join the hash only in files that have
 * them, so adding them left every other row's split as it was. */
static const char *const OP_COLUMNS[] = {
    "op",     "dtype",    "m",      "n",    "k",        "batch", "heads", "seq",
    "kv_seq", "head_dim", "causal", "pass", "kv_heads", "gpus",  "bytes",
};
enum { NOPCOLS = sizeof OP_COLUMNS / sizeof OP_COLUMNS[0], NBASECOLS = 13 };

int dcs_measure_is_fit_row(const char *const *op_cells, size_t n)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < n; i++) {
        const unsigned char *p = (const unsigned char *)op_cells[i];
        for (; *p; p++)
            h = (h ^ *p) * UINT64_C(0x100000001b3);
        h = (h ^ ',') * UINT64_C(0x100000001b3);
    }
    return h % 10 < 7;
}

const char *dcs_measure_family(const dcs_op_t *op)
{
    if (op->kind == DCS_OP_ATTENTION)
        return op->bwd ? "attention bwd" : "attention fwd";
    return dcs_op_kind_name(op->kind);
}

static int load_file(const char *dir, const char *name, dcs_measurements_t *m,
                     size_t *cap, int *found, dcs_err_t *err)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    if (stat(path, &st) < 0)
        return 0;
    *found = 1;
    dcs_table_t t;
    int rc = dcs_table_read(path, &t, err);
    if (rc < 0)
        return rc;
    int time_col = dcs_table_col(&t, "time_us");
    if (time_col < 0) {
        rc = dcs_err_set(err, DCS_EINPUT, "%s:1: no column 'time_us'", path);
        dcs_table_free(&t);
        return rc;
    }
    int cols[NOPCOLS];
    for (size_t c = 0; c < NOPCOLS; c++)
        cols[c] = dcs_table_col(&t, OP_COLUMNS[c]);
    for (size_t r = 0; r < t.nrows && rc == 0; r++) {
        if (m->len == *cap) {
            *cap = *cap ? *cap * 2 : 1024;
            dcs_measurement_t *rows = realloc(m->rows, *cap * sizeof *rows);
            if (!rows) {
                rc = dcs_err_set(err, DCS_ENOMEM, "out of memory");
                break;
            }
            m->rows = rows;
        }
        dcs_measurement_t *x = &m->rows[m->len];
        dcs_op_init(&x->op);
        const char *texts[NOPCOLS];
        char msg[512];
        for (size_t c = 0; c < NOPCOLS && rc == 0; c++) {
            texts[c] = cols[c] >= 0 ? t.cells[r][cols[c]] : "";
            if (cols[c] >= 0 && dcs_op_set(&x->op, OP_COLUMNS[c], texts[c], msg,
                                           sizeof msg) < 0)
                rc = dcs_err_set(err, DCS_EINPUT, "%s:%d: %s", path, t.line[r],
                                 msg);
        }
        if (rc < 0)
            break;
        char *end;
        double us = strtod(t.cells[r][time_col], &end);
        if (*end || !(us > 0)) {
            rc = dcs_err_set(err, DCS_EINPUT,
                             "%s:%d: field 'time_us': expected a number > 0, "
                             "found '%s'",
                             path, t.line[r], t.cells[r][time_col]);
            break;
        }
        if (dcs_op_check(&x->op, msg, sizeof msg) < 0) {
            rc =
                dcs_err_set(err, DCS_EINPUT, "%s:%d: %s", path, t.line[r], msg);
            break;
        }
        x->time_s = us * 1e-6;
        size_t hashed = cols[NBASECOLS] >= 0 ? NOPCOLS : NBASECOLS;
        x->fit = dcs_measure_is_fit_row(texts, hashed);
        x->file = name;
        x->line = t.line[r];
        m->len++;
    }
    dcs_table_free(&t);
    return rc;
}

int dcs_measurements_load(const char *dir, dcs_measurements_t *out,
                          dcs_err_t *err)
{
    static const char *const FILES[] = {"gemm.csv", "membound.csv", "nccl.csv",
                                        "attention.csv"};
    memset(out, 0, sizeof *out);
    size_t cap = 0;
    int found = 0, rc = 0;
    for (size_t i = 0; i < sizeof FILES / sizeof *FILES && rc == 0; i++)
        rc = load_file(dir, FILES[i], out, &cap, &found, err);
    if (rc == 0 && !found)
        rc = dcs_err_set(err, DCS_EINPUT,
                         "%s: no measurements (gemm.csv, membound.csv or "
                         "attention.csv)",
                         dir);
    if (rc < 0)
        dcs_measurements_free(out);
    return rc;
}

void dcs_measurements_free(dcs_measurements_t *m)
{
    free(m->rows);
    m->rows = NULL;
    m->len = 0;
}
