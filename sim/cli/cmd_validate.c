/* cmd_validate.c - `dcsim validate`: the op cost model's error on kernel
 * measurements that were kept out of fitting, per device and op family;
 * and the error of predicting one measured device from another's fit plus
 * its own datasheet (transfer), which tells how far to trust a device that
 * was never measured. */
#include <dirent.h>
#include <getopt.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/price.h"
#include "config/table.h"
#include "hw/device.h"
#include "hw/measure.h"
#include "hw/powerfit.h"
#include "workload/servestep.h"
#include "workload/step.h"
#include "workload/trainpower.h"

static const char USAGE[] =
    "usage: dcsim validate [--device NAME] [--check] [--worst N]\n"
    "                      [--serve-data DIR]\n"
    "\n"
    "Prints, per device and op family, how many measured rows were kept out\n"
    "of fitting and the median and 90th-percentile absolute percentage error\n"
    "of the op cost model on them; then the same for predicting each measured\n"
    "device from another device's fit and its own datasheet (transfer).\n"
    "Devices without measurements are listed as unvalidated.\n"
    "\n"
    "  --device NAME   only this device\n"
    "  --check         exit 1 when a measured device's own fit exceeds the\n"
    "                  bounds: median <= 5 % and p90 <= 15 % for gemm, bmm,\n"
    "                  attention and decode_attention; median <= 8 % for\n"
    "                  the memory-bound ops together (each op's own figures\n"
    "                  are listed too, as information: a few rows each);\n"
    "                  collectives: median <= 10 % from 1 MiB, <= 25 % "
    "below\n"
    "Then measured training iterations (tests/validation/data) against the\n"
    "training-step model, each of which must be within 10 %; and measured\n"
    "serving steps (tests/validation/data/serve_<device>.csv, written by\n"
    "tests/validation/serve_step.py) against the serving-step model, each\n"
    "within 10 % too (--check fails otherwise), with the median and worst\n"
    "error per device; plain PyTorch's measured costs come from\n"
    "tests/kernels/data/<device>/eager.csv and norm.csv, and the in-graph\n"
    "all-reduce latency at tp > 1 from allreduce_<device>.csv beside the\n"
    "serving rows.\n"
    "\n"
    "  --worst N       also list the N kept-out rows with the largest error\n"
    "                  (of the devices shown), to see where the model is "
    "weak\n"
    "  --serve-data DIR  only the serving steps, from DIR/serve_<device>.csv\n"
    "                  (and DIR/allreduce_<device>.csv)\n";

enum {
    MAX_DEVICES = 64,
    NFAMILIES = 23,
    MEMORY_BOUND = 5,
    COLL_LARGE = 6, /* collectives of >= 1 MiB */
    COLL_SMALL = 7, /* collectives below 1 MiB */
    FIRST_INFO = 8, /* from here on: information, no bound */
};

/* Report families in order: those with a bound (the five compute families,
 * the memory-bound ops together, collectives by size), then each
 * memory-bound op and each collective on its own (a handful of kept-out
 * rows each: information, not a test). */
static const char *const FAMILIES[NFAMILIES] = {
    "gemm",
    "bmm",
    "attention fwd",
    "attention bwd",
    "decode_attention",
    "memory-bound",
    "collectives>=1MiB",
    "collectives<1MiB",
    "copy",
    "elementwise_add",
    "gelu",
    "silu_mul",
    "layernorm",
    "rmsnorm",
    "softmax",
    "embedding",
    "adam",
    "all_reduce",
    "all_gather",
    "reduce_scatter",
    "all_to_all",
    "send_recv",
    "broadcast",
};

static int is_compute_family(int f)
{
    return f < MEMORY_BOUND;
}

/* Median and p90 bounds of family f (p90 infinite: none). */
static void bounds(int f, double *median, double *p90)
{
    *p90 = INFINITY;
    if (is_compute_family(f)) {
        *median = 5.0;
        *p90 = 15.0;
    } else if (f == MEMORY_BOUND) {
        *median = 8.0;
    } else if (f == COLL_LARGE) {
        *median = 10.0;
    } else {
        *median = 25.0;
    }
}

/* Whether row op `op` belongs to report family f. */
static int in_family(const dcs_op_t *op, int f)
{
    if (f == MEMORY_BOUND)
        return op->kind >= DCS_OP_ELEMENTWISE_ADD && op->kind <= DCS_OP_ADAM;
    if (f == COLL_LARGE)
        return dcs_op_is_collective(op) && op->bytes >= (1 << 20);
    if (f == COLL_SMALL)
        return dcs_op_is_collective(op) && op->bytes < (1 << 20);
    return !strcmp(dcs_measure_family(op), FAMILIES[f]);
}

typedef struct stats {
    size_t n;
    double median, p90; /* absolute percentage error */
} stats_t;

/* Error of `params` with `perf` on the kept-out rows of family f. */
static stats_t family_error(const dcs_measurements_t *m,
                            const dcs_device_spec_t *dev,
                            const dcs_opcost_params_t *params, int f,
                            double *scratch)
{
    stats_t s = {0, 0, 0};
    for (size_t i = 0; i < m->len; i++) {
        const dcs_measurement_t *x = &m->rows[i];
        if (x->fit || !in_family(&x->op, f))
            continue;
        double t = dcs_price_op(dev, params, &x->op);
        scratch[s.n++] = 100.0 * fabs(t - x->time_s) / x->time_s;
    }
    if (s.n) {
        gsl_sort(scratch, 1, s.n);
        s.median = gsl_stats_median_from_sorted_data(scratch, 1, s.n);
        s.p90 = gsl_stats_quantile_from_sorted_data(scratch, 1, s.n, 0.9);
    }
    return s;
}

/* Whether any row of `m` (fit or kept out) is in family f. */
static int has_family(const dcs_measurements_t *m, int f)
{
    for (size_t i = 0; i < m->len; i++)
        if (in_family(&m->rows[i].op, f))
            return 1;
    return 0;
}

typedef struct measured {
    dcs_device_spec_t spec;
    dcs_measurements_t m;
} measured_t;

typedef struct ranked {
    double ape;
    const dcs_measurement_t *row;
    double predicted_s;
} ranked_t;

static int by_ape_desc(const void *a, const void *b)
{
    double x = ((const ranked_t *)a)->ape, y = ((const ranked_t *)b)->ape;
    return (x < y) - (x > y);
}

static void print_worst(FILE *out, const measured_t *d, int worst)
{
    ranked_t *r = malloc((d->m.len + 1) * sizeof *r);
    size_t n = 0;
    for (size_t i = 0; i < d->m.len; i++) {
        const dcs_measurement_t *x = &d->m.rows[i];
        if (x->fit)
            continue;
        double t = dcs_price_op(&d->spec, &d->spec.params, &x->op);
        r[n].ape = 100.0 * fabs(t - x->time_s) / x->time_s;
        r[n].row = x;
        r[n].predicted_s = t;
        n++;
    }
    qsort(r, n, sizeof *r, by_ape_desc);
    fprintf(out, "\n%s: the %d kept-out rows with the largest error\n",
            d->spec.name, worst);
    fprintf(out, "%7s %12s %12s  %s\n", "ape_%", "measured_us", "predicted_us",
            "row");
    for (size_t i = 0; i < n && i < (size_t)worst; i++) {
        const dcs_op_t *op = &r[i].row->op;
        fprintf(out,
                "%7.1f %12.2f %12.2f  %s:%d %s %s m=%lld n=%lld k=%lld "
                "batch=%lld heads=%lld kv_heads=%lld seq=%lld kv_seq=%lld "
                "head_dim=%lld causal=%d %s\n",
                r[i].ape, r[i].row->time_s * 1e6, r[i].predicted_s * 1e6,
                r[i].row->file, r[i].row->line, dcs_op_kind_name(op->kind),
                dcs_dtype_name(op->dtype), (long long)op->m, (long long)op->n,
                (long long)op->k, (long long)op->batch, (long long)op->heads,
                (long long)op->kv_heads, (long long)op->seq,
                (long long)op->kv_seq, (long long)op->head_dim, op->causal,
                op->bwd ? "bwd" : "fwd");
    }
    free(r);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Device names in the data root, sorted. */
static size_t device_names(char **names, size_t max)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/topologies/devices", dcs_cli_home());
    DIR *d = opendir(dir);
    size_t n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) && n < max) {
        size_t len = strlen(e->d_name);
        if (len > 5 && !strcmp(e->d_name + len - 5, ".yaml") &&
            e->d_name[0] != '.')
            names[n++] = strndup(e->d_name, len - 5);
    }
    if (d)
        closedir(d);
    qsort(names, n, sizeof *names, by_name);
    return n;
}

/* The GPT layout tests/validation/train_step.py trains: pre-LayerNorm
 * blocks with biases, learned positions, GeLU, tied embeddings. */
static void gpt_from_row(const dcs_table_t *t, size_t r, dcs_model_t *m)
{
    memset(m, 0, sizeof *m);
    snprintf(m->name, sizeof m->name, "%s", t->cells[r][0]);
    m->layers = atoll(t->cells[r][dcs_table_col(t, "layers")]);
    m->hidden = atoll(t->cells[r][dcs_table_col(t, "hidden")]);
    m->ffn_hidden = atoll(t->cells[r][dcs_table_col(t, "ffn_hidden")]);
    m->heads = m->kv_heads = atoll(t->cells[r][dcs_table_col(t, "heads")]);
    m->head_dim = m->hidden / m->heads;
    m->vocab = atoll(t->cells[r][dcs_table_col(t, "vocab")]);
    m->seq_len = atoll(t->cells[r][dcs_table_col(t, "seq")]);
    m->activation = DCS_ACT_GELU;
    m->norm = DCS_NORM_LAYERNORM;
    m->bias = m->learned_positions = m->tied_embeddings = true;
    m->top_k = 1;
}

/* Measured training iterations (tests/validation/data/train_<device>.csv)
 * against the training-step model: each within 10 %. Returns 1 when one is
 * over, -1 on bad input, 0 otherwise. */
static int validate_training(FILE *out, const measured_t *dev, size_t ndev,
                             const char *only)
{
    static const char *const cols[] = {"layers",      "hidden", "ffn_hidden",
                                       "heads",       "vocab",  "seq",
                                       "micro_batch", "gpus",   "time_ms"};
    int over = 0, header = 0, tp_over = 0;
    for (size_t i = 0; i < ndev; i++) {
        if (only && strcmp(dev[i].spec.name, only))
            continue;
        for (int tpfile = 0; tpfile < 2; tpfile++) {
            char path[4400];
            snprintf(path, sizeof path,
                     "%s/tests/validation/data/train_%s%s.csv", dcs_cli_home(),
                     tpfile ? "tp_" : "", dev[i].spec.name);
            FILE *probe = fopen(path, "r");
            if (!probe)
                continue;
            fclose(probe);
            dcs_table_t t;
            dcs_err_t err;
            if (dcs_table_read(path, &t, &err) < 0) {
                fprintf(stderr, "dcsim validate: %s\n", err.msg);
                return -1;
            }
            for (size_t c = 0; c < sizeof cols / sizeof *cols; c++)
                if (dcs_table_col(&t, cols[c]) < 0) {
                    fprintf(stderr, "dcsim validate: %s:1: no column '%s'\n",
                            path, cols[c]);
                    dcs_table_free(&t);
                    return -1;
                }
            if (!header) {
                fprintf(out,
                        "\ntraining iterations (tests/validation/data; bound: "
                        "each within 10 %%)\n%-14s %-10s %5s %6s %12s %13s %8s "
                        "%6s\n",
                        "device", "model", "gpus", "micro", "measured_ms",
                        "predicted_ms", "error_%", "result");
                fprintf(out,
                        "(gpus: data parallel; tpN: tensor parallel over N, "
                        "embedding and head replicated)\n");
                header = 1;
            }
            for (size_t r = 0; r < t.nrows; r++) {
                dcs_model_t m;
                gpt_from_row(&t, r, &m);
                int tpc = dcs_table_col(&t, "tp");
                int64_t tp = tpc >= 0 ? atoll(t.cells[r][tpc]) : 1;
                int64_t gpus = atoll(t.cells[r][dcs_table_col(&t, "gpus")]);
                dcs_train_plan_t plan = {
                    .dp = tp > 0 ? gpus / tp : gpus,
                    .tp = tp,
                    .head_replicated = 1,
                    .micro_batch =
                        atoll(t.cells[r][dcs_table_col(&t, "micro_batch")]),
                    .grad_accum = 1,
                    .seq = m.seq_len,
                    .bucket_bytes = 25e6,
                    .eager = 1,
                };
                /* held at the board's power limit (workload/trainpower.h) */
                dcs_step_time_t st;
                dcs_train_power_t pw;
                dcs_train_power(&m, &plan, &dev[i].spec, 0, &st, &pw);
                double meas = atof(t.cells[r][dcs_table_col(&t, "time_ms")]);
                double pred = st.total_s * 1e3;
                double e = 100.0 * (pred - meas) / meas;
                int ok = fabs(e) <= 10.0;
                char g[32];
                if (tp > 1)
                    snprintf(g, sizeof g, "tp%lld", (long long)tp);
                else
                    snprintf(g, sizeof g, "%lld", (long long)plan.dp);
                fprintf(out, "%-14s %-10s %5s %6lld %12.1f %13.1f %8.1f %6s\n",
                        dev[i].spec.name, m.name, g,
                        (long long)plan.micro_batch, meas, pred, e,
                        ok       ? "ok"
                        : tpfile ? "over*"
                                 : "OVER");
                /* The tensor-parallel rows are reported, not enforced:
                 * the bound is on the data-parallel ones. */
                if (tpfile)
                    tp_over |= !ok;
                else
                    over |= !ok;
            }
            dcs_table_free(&t);
        }
    }
    if (tp_over)
        fprintf(out, "over*: tensor-parallel rows (tests/validation/"
                     "train_tp.py) are reported, not enforced (the bound is "
                     "on the data-parallel rows): dcsim is 6-9 %% fast at "
                     "tp 2 and 12-15 %% at tp 4; the TP all-reduces are "
                     "priced within a few %% of NCCL's, the rest of the gap "
                     "is not yet explained (candidates: the thinner GEMMs "
                     "of a split layer, eager PyTorch's launch overhead)\n");
    return over;
}

/* Opens the CSV at `path` into `t` and finds its columns `cols` (their
 * indices into `c`). Returns 1 when there is no such file, 0 when read, -1
 * after saying what is wrong. */
static int read_columns(const char *path, const char *const *cols, size_t ncols,
                        int *c, dcs_table_t *t)
{
    FILE *probe = fopen(path, "r");
    if (!probe)
        return 1;
    fclose(probe);
    dcs_err_t err;
    if (dcs_table_read(path, t, &err) < 0) {
        fprintf(stderr, "dcsim validate: %s\n", err.msg);
        return -1;
    }
    for (size_t i = 0; i < ncols; i++)
        if ((c[i] = dcs_table_col(t, cols[i])) < 0) {
            fprintf(stderr, "dcsim validate: %s:1: no column '%s'\n", path,
                    cols[i]);
            dcs_table_free(t);
            return -1;
        }
    return 0;
}

/* Published large-scale training runs (tests/validation/data/
 * published_training.csv): iteration times at the stated plans, within
 * 15 %. A device without measurements borrows the fit of one with
 * (h100-sxm): the transfer validate reports for measured devices. Returns
 * 1 when one is over, -1 on bad input, 0 otherwise. */
static int validate_published(FILE *out, const measured_t *dev, size_t ndev)
{
    static const char *const cols[] = {
        "name",     "device",        "layers",       "hidden",    "ffn_hidden",
        "heads",    "vocab",         "seq",          "tp",        "pp",
        "dp",       "micro_batch",   "global_batch", "recompute", "grad_bytes",
        "nic_gbps", "gpus_per_node", "iteration_s"};
    char path[4400];
    snprintf(path, sizeof path,
             "%s/tests/validation/data/published_training.csv", dcs_cli_home());
    dcs_table_t t;
    int c[sizeof cols / sizeof *cols];
    int got = read_columns(path, cols, sizeof cols / sizeof *cols, c, &t);
    if (got != 0)
        return got < 0 ? -1 : 0;
    const measured_t *donor = NULL;
    for (size_t i = 0; i < ndev; i++)
        if (!strcmp(dev[i].spec.name, "h100-sxm") && dev[i].spec.calibrated)
            donor = &dev[i];
    fprintf(out,
            "\npublished training runs (bound: each within 15 %%)\n%-22s "
            "%-14s %-22s %12s %13s %8s %6s\n",
            "run", "device", "fit", "published_s", "predicted_s", "error_%",
            "result");
    int over = 0;
    for (size_t r = 0; r < t.nrows; r++) {
        const char *const *x = (const char *const *)t.cells[r];
        const measured_t *d = NULL;
        for (size_t i = 0; i < ndev; i++)
            if (!strcmp(dev[i].spec.name, x[c[1]]))
                d = &dev[i];
        if (!d) {
            fprintf(stderr, "dcsim validate: %s:%d: unknown device '%s'\n",
                    path, t.line[r], x[c[1]]);
            dcs_table_free(&t);
            return -1;
        }
        dcs_device_spec_t spec = d->spec;
        const char *fit = "own";
        if (!spec.calibrated && donor) {
            spec.params = donor->spec.params; /* the H100's efficiencies */
            fit = "transfer from h100-sxm";
        }
        dcs_model_t m;
        memset(&m, 0, sizeof m);
        snprintf(m.name, sizeof m.name, "%s", x[c[0]]);
        m.layers = atoll(x[c[2]]);
        m.hidden = atoll(x[c[3]]);
        m.ffn_hidden = atoll(x[c[4]]);
        m.heads = m.kv_heads = atoll(x[c[5]]);
        m.head_dim = m.hidden / m.heads;
        m.vocab = atoll(x[c[6]]);
        m.seq_len = atoll(x[c[7]]);
        m.activation = DCS_ACT_GELU;
        m.norm = DCS_NORM_LAYERNORM;
        m.bias = m.learned_positions = m.tied_embeddings = true;
        m.top_k = 1;
        int64_t dp = atoll(x[c[10]]), mb = atoll(x[c[11]]);
        dcs_train_plan_t plan = {
            .dp = dp,
            .micro_batch = mb,
            .grad_accum = atoll(x[c[12]]) / (dp * mb),
            .seq = m.seq_len,
            .bucket_bytes = 25e6,
            .eager = 0, /* Megatron's fused kernels */
            .tp = atoll(x[c[8]]),
            .pp = atoll(x[c[9]]),
            .sp = 0,
            .gpus_per_node = atoll(x[c[16]]),
            /* one HDR/NDR rail per GPU; ASSUMPTION: 90 % of the line rate
             * as payload, 5 us per step across the fabric */
            .nic_bw = atof(x[c[15]]) * 1e9 / 8 * 0.9,
            .nic_latency_s = 5e-6,
            .grad_bytes = atof(x[c[14]]),
            .recompute = atoi(x[c[13]]),
        };
        dcs_step_time_t st;
        if (dcs_step_time(&m, &plan, &spec, &st, NULL, NULL) < 0) {
            fprintf(stderr, "dcsim validate: %s:%d: plan not possible\n", path,
                    t.line[r]);
            dcs_table_free(&t);
            return -1;
        }
        double pub = atof(x[c[17]]);
        double e = 100.0 * (st.total_s - pub) / pub;
        int ok = fabs(e) <= 15.0;
        fprintf(out, "%-22s %-14s %-22s %12.1f %13.1f %8.1f %6s\n", x[c[0]],
                spec.name, fit, pub, st.total_s, e, ok ? "ok" : "over*");
        over |= !ok;
    }
    dcs_table_free(&t);
    if (over)
        fprintf(out, "over*: above the 15 %% bar, reported and not enforced: "
                     "no A100 was measured (the H100 fit is transferred to "
                     "the A100's datasheet) and the frameworks' own "
                     "overheads in these runs are not modelled (the same "
                     "530B shape under Megatron-LM, megatron-530b, ran at "
                     "171 TFLOP/s per GPU where MT-NLG reports 113-126)\n");
    return 0;
}

/* One cell of a serving row as a whole number >= `min`; an empty cell
 * is 0 when `min` is 0. Returns 0, or -1 after naming the cell. */
static int serve_int(const dcs_table_t *t, size_t r, int col, int64_t min,
                     int64_t *v)
{
    const char *x = t->cells[r][col];
    char *end;
    long long n = strtoll(x, &end, 10);
    if (!*x && min == 0) {
        *v = 0;
        return 0;
    }
    if (!*x || *end || n < min) {
        fprintf(stderr,
                "dcsim validate: %s:%d: %s: expected a whole number >= %lld, "
                "found '%s'\n",
                t->path, t->line[r], t->header[col], (long long)min, x);
        return -1;
    }
    *v = n;
    return 0;
}

/* The Llama layout tests/validation/serve_step.py serves: RMSNorm, rotary
 * positions, SwiGLU, no biases, untied LM head, head_dim hidden / heads. */
static const char *const SERVE_COLS[] = {
    "model",       "layers", "hidden", "ffn_hidden", "heads",
    "kv_heads",    "vocab",  "tp",     "batch",      "prompt_len",
    "context_len", "phase",  "time_ms"};
enum { SERVE_NINT = 11 }; /* the columns before "phase" but the name */

/* One cell as a number >= `min` (> `min` when `above`). Returns 0, or -1
 * after naming the cell. */
static int cell_num(const dcs_table_t *t, size_t r, int col, double min,
                    int above, double *v)
{
    const char *x = t->cells[r][col];
    char *end;
    double d = strtod(x, &end);
    if (!*x || *end || !isfinite(d) || d < min || (above && d == min)) {
        fprintf(stderr,
                "dcsim validate: %s:%d: %s: expected a number %s %g, found "
                "'%s'\n",
                t->path, t->line[r], t->header[col], above ? ">" : ">=", min,
                x);
        return -1;
    }
    *v = d;
    return 0;
}

/* Plain PyTorch's measured costs on a device (tests/kernels/eager.py's
 * eager.csv in its measurement folder): the GPU time per kernel a graph
 * replay saves (the median over the toy models of (stream - graph) /
 * kernels) and the bandwidth of each slow elementwise kernel (bytes /
 * time of its largest strided row). Leaves `rep` as it is where the file
 * or a row is missing. Returns 1 when read, 0 when there is no file, -1
 * on bad input (a count, byte count or time that is not a number, below
 * 0, or a time of 0: named on stderr). */
static int read_eager(const char *path, dcs_serve_replica_t *rep)
{
    static const char *const cols[] = {"kind",    "op",    "layout", "layers",
                                       "kernels", "bytes", "time_us"};
    static const char *const slow[DCS_SLOW_NOPS] = {
        "rope_neg_q", "rope_cat_q", "rope_mul_q", "silu", "mul"};
    dcs_table_t t;
    int c[7];
    int got = read_columns(path, cols, 7, c, &t);
    if (got != 0)
        return got < 0 ? -1 : 0;
    double saving[16], best[DCS_SLOW_NOPS] = {0};
    double *kernels = malloc((t.nrows ? t.nrows : 1) * sizeof *kernels);
    double *bytes_of = malloc((t.nrows ? t.nrows : 1) * sizeof *bytes_of);
    double *us_of = malloc((t.nrows ? t.nrows : 1) * sizeof *us_of);
    int bad = !kernels || !bytes_of || !us_of;
    for (size_t r = 0; r < t.nrows && !bad; r++)
        bad = cell_num(&t, r, c[4], 0, 0, &kernels[r]) < 0 ||
              cell_num(&t, r, c[5], 0, 0, &bytes_of[r]) < 0 ||
              cell_num(&t, r, c[6], 0, 1, &us_of[r]) < 0;
    size_t ns = 0;
    for (size_t r = 0; r < t.nrows && !bad; r++) {
        char *const *x = t.cells[r];
        double us = us_of[r], bytes = bytes_of[r];
        if (!strcmp(x[c[0]], "graph") && ns < 16) {
            for (size_t q = 0; q < t.nrows; q++) /* its stream twin */
                if (!strcmp(t.cells[q][c[0]], "stream") &&
                    !strcmp(t.cells[q][c[3]], x[c[3]]) && kernels[r] > 0)
                    saving[ns++] = (us_of[q] - us) / kernels[r] * 1e-6;
        } else if (!strcmp(x[c[0]], "strided") && !strcmp(x[c[2]], "strided") &&
                   us > 0) {
            for (int k = 0; k < DCS_SLOW_NOPS; k++)
                if (!strcmp(x[c[1]], slow[k]) && bytes > best[k]) {
                    best[k] = bytes;
                    rep->slow_bw[k] = bytes / (us * 1e-6);
                }
        }
    }
    free(kernels);
    free(bytes_of);
    free(us_of);
    dcs_table_free(&t);
    if (bad)
        return -1;
    if (ns > 0) {
        gsl_sort(saving, 1, ns);
        rep->graph_saving_s = gsl_stats_median_from_sorted_data(saving, 1, ns);
    }
    return 1;
}

/* Adds (size, seconds) to `c` (sizes ascending); a size already there
 * keeps the point whose `key` is larger (keys[] runs beside c's points).
 * Returns 0, or -1 after naming the row when the curve is full. */
static int curve_add(dcs_serve_curve_t *c, double *keys, double size,
                     double seconds, double key, const dcs_table_t *t, size_t r)
{
    int n = c->points, k = 0; /* where this size goes */
    while (k < n && c->size[k] < size)
        k++;
    if (k < n && c->size[k] == size) {
        if (key > keys[k]) {
            keys[k] = key;
            c->s[k] = seconds;
        }
        return 0;
    }
    if (n == DCS_SERVE_CURVE_POINTS) {
        fprintf(stderr, "dcsim validate: %s:%d: more than %d sizes\n", t->path,
                t->line[r], DCS_SERVE_CURVE_POINTS);
        return -1;
    }
    for (int q = n; q > k; q--) {
        c->size[q] = c->size[q - 1];
        c->s[q] = c->s[q - 1];
        keys[q] = keys[q - 1];
    }
    c->size[k] = size;
    c->s[k] = seconds;
    keys[k] = key;
    c->points = n + 1;
    return 0;
}

/* The in-graph all-reduce microbenchmark beside the serving rows
 * (DIR/allreduce_<device>.csv, tests/validation/serve_tp_probe.py): at
 * `tp` GPUs, for each size its `graph_gap` row (an all-reduce between
 * other kernels inside a CUDA graph) with the largest gap_us, into
 * rep->ar_graph. Every row is checked: tp and bytes whole numbers >= 1,
 * gap_us >= 0, time_us > 0, at most 16 sizes at a tp. Returns 1 when read
 * (0 points when none is at that tp), 0 when there is no file, -1 on bad
 * input. */
static int read_graph_allreduce(const char *path, int64_t tp,
                                dcs_serve_replica_t *rep)
{
    static const char *const cols[] = {"tp", "bytes", "mode", "gap_us",
                                       "time_us"};
    dcs_table_t t;
    int c[5];
    int got = read_columns(path, cols, 5, c, &t);
    if (got != 0)
        return got < 0 ? -1 : 0;
    double gap[DCS_SERVE_CURVE_POINTS];
    dcs_serve_curve_t curve = {0};
    for (size_t r = 0; r < t.nrows; r++) {
        int64_t gpus, bytes;
        double gap_us, us;
        if (serve_int(&t, r, c[0], 1, &gpus) < 0 ||
            serve_int(&t, r, c[1], 1, &bytes) < 0 ||
            cell_num(&t, r, c[3], 0, 0, &gap_us) < 0 ||
            cell_num(&t, r, c[4], 0, 1, &us) < 0 ||
            (gpus == tp && !strcmp(t.cells[r][c[2]], "graph_gap") &&
             curve_add(&curve, gap, (double)bytes, us * 1e-6, gap_us, &t, r) <
                 0)) {
            dcs_table_free(&t);
            return -1;
        }
    }
    rep->ar_graph = curve;
    rep->ar_graph_gpus = curve.points ? tp : 0;
    dcs_table_free(&t);
    return 1;
}

/* Plain PyTorch's RMSNorm on a device (norm.csv in its measurement
 * folder, tests/kernels/norm_eager.py): the rows kind norm, op rmsnorm,
 * layout graph at width `hidden`, time by tokens, into rep->norm_s.
 * Every row is checked: tokens and width whole numbers >= 1, time_us > 0,
 * each (tokens, width) once, at most 16 sizes at a width. Returns 1 when
 * read (0 points when none is at that width), 0 when there is no file, -1
 * on bad input. */
static int read_norm(const char *path, int64_t hidden, dcs_serve_replica_t *rep)
{
    static const char *const cols[] = {"kind",   "op",    "layout",
                                       "tokens", "width", "time_us"};
    dcs_table_t t;
    int c[6];
    int got = read_columns(path, cols, 6, c, &t);
    if (got != 0)
        return got < 0 ? -1 : 0;
    double key[DCS_SERVE_CURVE_POINTS];
    dcs_serve_curve_t curve = {0};
    for (size_t r = 0; r < t.nrows; r++) {
        char *const *x = t.cells[r];
        int64_t tokens, width;
        double us;
        if (serve_int(&t, r, c[3], 1, &tokens) < 0 ||
            serve_int(&t, r, c[4], 1, &width) < 0 ||
            cell_num(&t, r, c[5], 0, 1, &us) < 0) {
            dcs_table_free(&t);
            return -1;
        }
        if (width != hidden || strcmp(x[c[0]], "norm") ||
            strcmp(x[c[1]], "rmsnorm") || strcmp(x[c[2]], "graph"))
            continue;
        int n = curve.points;
        for (int k = 0; k < n; k++)
            if (curve.size[k] == (double)tokens) {
                fprintf(stderr,
                        "dcsim validate: %s:%d: tokens: %lld at width %lld "
                        "measured twice\n",
                        path, t.line[r], (long long)tokens, (long long)width);
                dcs_table_free(&t);
                return -1;
            }
        if (curve_add(&curve, key, (double)tokens, us * 1e-6, 0, &t, r) < 0) {
            dcs_table_free(&t);
            return -1;
        }
    }
    rep->norm_s = curve;
    dcs_table_free(&t);
    return 1;
}

/* A serving CSV's host: the seconds per kernel of its eager decode of one
 * token at the shortest context (a step bound by its host: eager_ms well
 * over time_ms), per model. */
typedef struct serve_host {
    char model[64];
    int64_t context;
    double kernel_s;
} serve_host_t;

/* Measured serving steps (DIR/serve_<device>.csv; DIR defaults to
 * tests/validation/data) against the serving-step model
 * (workload/servestep.h), priced as serve_step.py runs them: plain
 * PyTorch's kernels, the vocabulary split over tp, prefill of `batch`
 * prompts of prompt_len, decode of `batch` tokens each attending to
 * context_len cached keys and itself (its time the CUDA-graph replay).
 * Plain PyTorch's own costs are priced from measurements (servestep.h):
 * the device's eager.csv (graph replay savings, slow elementwise
 * bandwidths) and, for the host's pace, the same run's eager decode of
 * one token (the host differs from lease to lease: tests/kernels/eager.py
 * measured 16-20 us per kernel where serve_*.csv's hosts ran 11-16);
 * the device's norm.csv (plain PyTorch's RMSNorm at the model's width)
 * and, at tp > 1, DIR/allreduce_<device>.csv (an all-reduce between
 * kernels inside a graph, at the row's tp). The rows compared are not
 * used. Each within 10 %. Returns 1 when one is
 * over, -1 on bad input, 0 otherwise. */
static int validate_serving(FILE *out, const measured_t *dev, size_t ndev,
                            const char *only, const char *dir)
{
    int over = 0, header = 0;
    char data[4400];
    if (dir)
        snprintf(data, sizeof data, "%s", dir);
    else
        snprintf(data, sizeof data, "%s/tests/validation/data", dcs_cli_home());
    for (size_t i = 0; i < ndev; i++) {
        if (only && strcmp(dev[i].spec.name, only))
            continue;
        char path[4600];
        snprintf(path, sizeof path, "%s/serve_%s.csv", data, dev[i].spec.name);
        dcs_table_t t;
        int c[sizeof SERVE_COLS / sizeof *SERVE_COLS];
        int got = read_columns(path, SERVE_COLS,
                               sizeof SERVE_COLS / sizeof *SERVE_COLS, c, &t);
        if (got < 0)
            return -1;
        if (got > 0)
            continue;
        dcs_serve_replica_t pt = {.eager = 1, .graphs = 1};
        char epath[4600];
        snprintf(epath, sizeof epath, "%s/%s/eager.csv", dcs_cli_home(),
                 dev[i].spec.calibration_source);
        if (dev[i].spec.calibrated && read_eager(epath, &pt) < 0) {
            dcs_table_free(&t);
            return -1;
        }
        int eager_col = dcs_table_col(&t, "eager_ms");
        char arpath[4600], npath[4600], ar_note[200] = "";
        int64_t norm_width[4] = {0};
        double norm_us[4] = {0};
        snprintf(arpath, sizeof arpath, "%s/allreduce_%s.csv", data,
                 dev[i].spec.name);
        const char *src = dev[i].spec.calibration_source;
        if (src[0] == '/')
            snprintf(npath, sizeof npath, "%s/norm.csv", src);
        else
            snprintf(npath, sizeof npath, "%s/%s/norm.csv", dcs_cli_home(),
                     src);
        serve_host_t hosts[8];
        size_t nhosts = 0;
        /* The rows go to `out` once the whole file has been read. */
        char *text = NULL;
        size_t text_len = 0;
        FILE *rows = open_memstream(&text, &text_len);
        double *ape = malloc((t.nrows + 1) * sizeof *ape);
        size_t n = 0;
        /* Pass 0 finds each model's host pace, pass 1 compares. */
        for (int pass = 0; pass < 2; pass++)
            for (size_t r = 0; r < t.nrows; r++) {
                const char *const *x = (const char *const *)t.cells[r];
                int64_t v[SERVE_NINT];
                int bad = 0;
                for (int k = 1; k < SERVE_NINT && !bad; k++)
                    bad = serve_int(&t, r, c[k], k >= 9 ? 0 : 1, &v[k]) < 0;
                int decode = !strcmp(x[c[11]], "decode");
                if (!bad && !decode && strcmp(x[c[11]], "prefill")) {
                    fprintf(stderr,
                            "dcsim validate: %s:%d: phase: expected prefill or "
                            "decode, found '%s'\n",
                            path, t.line[r], x[c[11]]);
                    bad = 1;
                }
                if (!bad && v[decode ? 10 : 9] < 1) {
                    fprintf(stderr,
                            "dcsim validate: %s:%d: %s: expected a "
                            "length >= 1 for a %s row\n",
                            path, t.line[r], SERVE_COLS[decode ? 10 : 9],
                            x[c[11]]);
                    bad = 1;
                }
                if (bad) {
                    fclose(rows);
                    free(text);
                    free(ape);
                    dcs_table_free(&t);
                    return -1;
                }
                if (pass == 1 &&
                    !x[c[12]][0]) { /* no graph time: nothing to do */
                    fprintf(rows, "%-14s %-12s %3lld %-8s %6lld %7s %8s %12s\n",
                            dev[i].spec.name, x[c[0]], (long long)v[7],
                            x[c[11]], (long long)v[8], decode ? "-" : x[c[9]],
                            decode ? x[c[10]] : "-", "no time_ms");
                    continue;
                }
                dcs_model_t m;
                memset(&m, 0, sizeof m);
                snprintf(m.name, sizeof m.name, "%s", x[c[0]]);
                m.layers = v[1];
                m.hidden = v[2];
                m.ffn_hidden = v[3];
                m.heads = v[4];
                m.kv_heads = v[5];
                m.head_dim = m.hidden / m.heads;
                m.vocab = v[6];
                m.activation = DCS_ACT_SWIGLU;
                m.norm = DCS_NORM_RMSNORM;
                m.top_k = 1;
                dcs_serve_replica_t rep = pt;
                rep.model = &m;
                rep.dev = &dev[i].spec;
                rep.tp = v[7];
                serve_host_t *host = NULL;
                for (size_t k = 0; k < nhosts; k++)
                    if (!strcmp(hosts[k].model, m.name))
                        host = &hosts[k];
                if (pass == 0) {
                    /* one token, eager, at the shortest context */
                    if (!decode || v[8] != 1 || eager_col < 0 ||
                        !(atof(x[eager_col]) > 0) ||
                        (host && host->context <= v[10]) ||
                        (!host && nhosts == 8))
                        continue;
                    if (!host) {
                        host = &hosts[nhosts++];
                        snprintf(host->model, sizeof host->model, "%s", m.name);
                    }
                    host->context = v[10];
                    dcs_serve_batch_t one = {.decodes = 1,
                                             .decode_kv_tokens = v[10] + 1};
                    dcs_serve_cost_t cost;
                    rep.graphs = 0;
                    if (dcs_serve_check(&rep, NULL, 0) < 0 ||
                        dcs_serve_step_each(&rep, &one, &cost, NULL, NULL) < 0)
                        continue;
                    host->kernel_s = atof(x[eager_col]) * 1e-3 / cost.kernels;
                    continue;
                }
                if (host)
                    rep.host_kernel_s = host->kernel_s;
                if ((rep.tp > 1 &&
                     read_graph_allreduce(arpath, rep.tp, &rep) < 0) ||
                    (dev[i].spec.calibrated &&
                     read_norm(npath, m.hidden, &rep) < 0)) {
                    fclose(rows);
                    free(text);
                    free(ape);
                    dcs_table_free(&t);
                    return -1;
                }
                const dcs_serve_curve_t *ag = &rep.ar_graph;
                if (ag->points && !ar_note[0])
                    snprintf(ar_note, sizeof ar_note,
                             "; in-graph all-reduce at tp %lld: %.1f us at "
                             "%.0f KiB .. %.1f us at %.0f KiB (%s)",
                             (long long)rep.tp, ag->s[0] * 1e6,
                             ag->size[0] / 1024, ag->s[ag->points - 1] * 1e6,
                             ag->size[ag->points - 1] / 1024,
                             strrchr(arpath, '/') + 1);
                for (int k = 0; k < 4; k++)
                    if (rep.norm_s.points && norm_width[k] == m.hidden)
                        break;
                    else if (rep.norm_s.points && !norm_width[k]) {
                        norm_width[k] = m.hidden;
                        norm_us[k] = rep.norm_s.s[0] * 1e6;
                        break;
                    }
                dcs_serve_chunk_t prompt = {.tokens = v[9]};
                dcs_serve_batch_t b = {0};
                if (decode) {
                    b.decodes = v[8];
                    b.decode_kv_tokens = v[8] * (v[10] + 1);
                } else {
                    b.prefill = &prompt;
                    b.nprefill = 1;
                }
                /* serve_step.py prefills the batch as one tensor: one
                 * attention op over `batch` equal prompts. */
                dcs_serve_chunk_t *chunks = NULL;
                if (!decode && v[8] > 1) {
                    chunks = malloc((size_t)v[8] * sizeof *chunks);
                    for (int64_t k = 0; k < v[8]; k++)
                        chunks[k] = prompt;
                    b.prefill = chunks;
                    b.nprefill = v[8];
                }
                char why[160] = "";
                double pred = dcs_serve_check(&rep, why, sizeof why) < 0
                                  ? -1
                                  : dcs_serve_step_s(&rep, &b, NULL) * 1e3;
                free(chunks);
                double meas = atof(x[c[12]]);
                if (pred < 0 || !(meas > 0)) {
                    fprintf(stderr, "dcsim validate: %s:%d: %s\n", path,
                            t.line[r],
                            pred < 0 ? why : "time_ms: expected a time > 0");
                    fclose(rows);
                    free(text);
                    free(ape);
                    dcs_table_free(&t);
                    return -1;
                }
                double e = 100.0 * (pred - meas) / meas;
                ape[n++] = fabs(e);
                int ok = fabs(e) <= 10.0;
                over |= !ok;
                fprintf(rows,
                        "%-14s %-12s %3lld %-8s %6lld %7s %8s %12.3f %13.3f "
                        "%8.1f %6s\n",
                        dev[i].spec.name, m.name, (long long)rep.tp, x[c[11]],
                        (long long)v[8], decode ? "-" : x[c[9]],
                        decode ? x[c[10]] : "-", meas, pred, e,
                        ok ? "ok" : "OVER");
            }
        fclose(rows);
        if (!header) {
            fprintf(out,
                    "\nserving steps (%s/serve_*.csv; bound: each within 10 "
                    "%%)\n%-14s %-12s %3s %-8s %6s %7s %8s %12s %13s %8s "
                    "%6s\n",
                    dir ? dir : "tests/validation/data", "device", "model",
                    "tp", "phase", "batch", "prompt", "context", "measured_ms",
                    "predicted_ms", "error_%", "result");
            fprintf(out, "(as serve_step.py runs them: plain PyTorch, "
                         "vocabulary split over tp; decode: the CUDA-graph "
                         "replay, each token attending to context + 1 "
                         "keys)\n");
            header = 1;
        }
        fputs(text, out);
        free(text);
        if (n) {
            gsl_sort(ape, 1, n);
            fprintf(out,
                    "%-14s %zu rows: median |error| %.1f %%, worst %.1f "
                    "%%\n",
                    dev[i].spec.name, n,
                    gsl_stats_median_from_sorted_data(ape, 1, n), ape[n - 1]);
            fprintf(out,
                    "%-14s plain PyTorch: graph replay saves %.2f us/kernel; "
                    "RoPE neg/cat/mul %.0f/%.0f/%.0f GB/s, SwiGLU silu/mul "
                    "%.0f/%.0f GB/s (eager.csv)",
                    "", pt.graph_saving_s * 1e6,
                    pt.slow_bw[DCS_SLOW_ROPE_NEG] / 1e9,
                    pt.slow_bw[DCS_SLOW_ROPE_CAT] / 1e9,
                    pt.slow_bw[DCS_SLOW_ROPE_MUL] / 1e9,
                    pt.slow_bw[DCS_SLOW_SILU] / 1e9,
                    pt.slow_bw[DCS_SLOW_MUL] / 1e9);
            for (size_t k = 0; k < nhosts; k++)
                fprintf(out, "%s host %.1f us/kernel (%s)", k ? "," : ";",
                        hosts[k].kernel_s * 1e6, hosts[k].model);
            for (int k = 0; k < 4 && norm_width[k]; k++)
                fprintf(out, "%s RMSNorm %.1f us at width %lld", k ? "," : ";",
                        norm_us[k], (long long)norm_width[k]);
            if (norm_width[0])
                fputs(" (norm.csv, fewest rows)", out);
            fputs(ar_note, out);
            fputc('\n', out);
        }
        free(ape);
        dcs_table_free(&t);
    }
    if (over)
        fprintf(out, "OVER: a serving row is more than 10 %% off; what "
                     "the serving-step model prices and what it leaves "
                     "out: tests/validation/README.md\n");
    return over;
}

/* Board power: each measured device's power.csv phases against the power
 * model with the device file's parameters. Returns 1 when a phase is over
 * the bound (10 %), 0 when none is, or a negative code. */
static int validate_power(FILE *out, const measured_t *dev, size_t ndev,
                          const char *only)
{
    int over = 0, header = 0;
    for (size_t i = 0; i < ndev; i++) {
        const dcs_device_spec_t *spec = &dev[i].spec;
        if ((only && strcmp(spec->name, only)) || !spec->calibrated)
            continue;
        char dir[4400];
        snprintf(dir, sizeof dir, "%s/%s", dcs_cli_home(),
                 spec->calibration_source);
        dcs_power_fit_t fit;
        dcs_err_t err = {""};
        int rc = dcs_power_fit_dir(dir, spec, &fit, &err);
        if (rc < 0) {
            fprintf(stderr, "dcsim validate: %s\n", err.msg);
            return -1;
        }
        if (rc == 0)
            continue;                  /* no power measured */
        dcs_power_predict(&fit, spec); /* the saved parameters */
        if (!header) {
            fprintf(out,
                    "\nboard power, sustained (tests/kernels/data/*/power.csv;"
                    " bound: each within 10 %%)\n%-10s %-12s %-5s %10s %11s "
                    "%8s %9s %10s %12s %s\n",
                    "device", "phase", "set", "measured_w", "predicted_w",
                    "error_%", "clock_mhz", "tflops", "pred_tflops", "result");
            header = 1;
        }
        for (int k = 0; k < fit.nphases; k++) {
            const dcs_power_phase_t *ph = &fit.phase[k];
            double e =
                100.0 * (ph->predicted_w - ph->measured_w) / ph->measured_w;
            int bad = !(fabs(e) <= 10.0);
            over |= bad;
            char tf[32] = "-", ptf[32] = "-";
            if (ph->tflops > 0)
                snprintf(tf, sizeof tf, "%.0f", ph->tflops);
            if (ph->predicted_tflops > 0)
                snprintf(ptf, sizeof ptf, "%.0f", ph->predicted_tflops);
            fprintf(out,
                    "%-10s %-12s %-5s %10.1f %11.1f %8.1f %9.0f %10s %12s %s\n",
                    spec->name, ph->name, ph->fitted ? "fit" : "kept",
                    ph->measured_w, ph->predicted_w, e, ph->clock_mhz, tf, ptf,
                    bad ? "OVER" : "ok");
        }
    }
    return over;
}

int dcs_cmd_validate(int argc, char **argv, FILE *out)
{
    static const struct option opts[] = {
        {"device", required_argument, NULL, 'd'},
        {"check", no_argument, NULL, 'c'},
        {"worst", required_argument, NULL, 'w'},
        {"serve-data", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *only = NULL, *serve_dir = NULL;
    int check = 0, worst = 0, c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            only = optarg;
            break;
        case 'c':
            check = 1;
            break;
        case 'w':
            worst = atoi(optarg);
            if (worst < 1) {
                fprintf(stderr,
                        "dcsim validate: --worst: expected a positive "
                        "integer, found '%s'\n",
                        optarg);
                return DCS_EXIT_INPUT;
            }
            break;
        case 's':
            serve_dir = optarg;
            break;
        case 'h':
            fputs(USAGE, out);
            return DCS_EXIT_OK;
        default:
            fputs(USAGE, stderr);
            return DCS_EXIT_INPUT;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "dcsim validate: unexpected argument '%s'\n",
                argv[optind]);
        return DCS_EXIT_INPUT;
    }
    char *names[MAX_DEVICES];
    size_t nnames = device_names(names, MAX_DEVICES);
    measured_t *dev = calloc(MAX_DEVICES, sizeof *dev);
    size_t ndev = 0, max_rows = 1;
    int rc = DCS_EXIT_OK, found = 0;
    dcs_err_t err;
    /* Load every device (transfer needs the others even with --device). */
    for (size_t i = 0; i < nnames && rc == DCS_EXIT_OK; i++) {
        measured_t *d = &dev[ndev];
        if (dcs_device_load(dcs_cli_home(), names[i], &d->spec, &err) < 0) {
            fprintf(stderr, "dcsim validate: %s\n", err.msg);
            rc = DCS_EXIT_INPUT;
            break;
        }
        if (d->spec.calibrated) {
            char dir[4400];
            const char *src = d->spec.calibration_source;
            if (src[0] == '/')
                snprintf(dir, sizeof dir, "%s", src);
            else
                snprintf(dir, sizeof dir, "%s/%s", dcs_cli_home(), src);
            if (dcs_measurements_load(dir, &d->m, &err) < 0) {
                fprintf(stderr, "dcsim validate: %s\n", err.msg);
                rc = DCS_EXIT_INPUT;
                break;
            }
            if (d->m.len > max_rows)
                max_rows = d->m.len;
        }
        ndev++;
    }
    double *scratch = malloc(max_rows * sizeof *scratch);
    int over = 0;
    if (serve_dir) {
        /* Only the serving section, from the given folder. */
        for (size_t i = 0; i < ndev && only; i++)
            found |= !strcmp(dev[i].spec.name, only);
        if (rc == DCS_EXIT_OK) {
            int t = validate_serving(out, dev, ndev, only, serve_dir);
            if (t < 0)
                rc = DCS_EXIT_INPUT;
            else
                over |= t;
        }
    }
    if (rc == DCS_EXIT_OK && !serve_dir)
        fprintf(out, "%-14s %-26s %-17s %5s %13s %10s %12s %6s\n", "device",
                "validated by", "family", "kept", "median_ape_%", "p90_ape_%",
                "bound", "result");
    for (size_t i = 0; i < ndev && rc == DCS_EXIT_OK && !serve_dir; i++) {
        measured_t *d = &dev[i];
        if (only && strcmp(d->spec.name, only))
            continue;
        found = 1;
        if (!d->spec.calibrated) {
            fprintf(out,
                    "%-14s unvalidated: datasheet only, no measurements "
                    "bundled\n",
                    d->spec.name);
            continue;
        }
        char by[128];
        snprintf(by, sizeof by, "own fit (%lld rows)",
                 (long long)d->spec.fit_rows);
        for (int f = 0; f < NFAMILIES; f++) {
            stats_t s =
                family_error(&d->m, &d->spec, &d->spec.params, f, scratch);
            if (!s.n)
                continue;
            int bounded = f < FIRST_INFO;

            double bm, bp;
            bounds(f, &bm, &bp);
            int ok = s.median <= bm && s.p90 <= bp;
            char bound[32];
            if (!bounded)
                snprintf(bound, sizeof bound, "-");
            else if (isinf(bp))
                snprintf(bound, sizeof bound, "%g / -", bm);
            else
                snprintf(bound, sizeof bound, "%g / %g", bm, bp);
            fprintf(out, "%-14s %-26s %-17s %5zu %13.2f %10.2f %12s %6s\n",
                    d->spec.name, by, FAMILIES[f], s.n, s.median, s.p90, bound,
                    !bounded ? "info"
                    : ok     ? "ok"
                             : "OVER");
            if (bounded)
                over |= !ok;
        }
        /* Transfer: another measured device's fit on this one's datasheet. */
        for (size_t j = 0; j < ndev; j++) {
            measured_t *o = &dev[j];
            if (j == i || !o->spec.calibrated)
                continue;
            snprintf(by, sizeof by, "transfer from %s", o->spec.name);
            for (int f = 0; f < NFAMILIES; f++) {
                if (!has_family(&o->m, f))
                    continue; /* the source was never measured on it */
                stats_t s =
                    family_error(&d->m, &d->spec, &o->spec.params, f, scratch);
                if (s.n)
                    fprintf(out,
                            "%-14s %-26s %-17s %5zu %13.2f %10.2f %12s %6s\n",
                            d->spec.name, by, FAMILIES[f], s.n, s.median, s.p90,
                            "-", "info");
            }
        }
    }
    for (size_t i = 0; i < ndev && rc == DCS_EXIT_OK && worst && !serve_dir;
         i++)
        if ((!only || !strcmp(dev[i].spec.name, only)) &&
            dev[i].spec.calibrated)
            print_worst(out, &dev[i], worst);
    if (rc == DCS_EXIT_OK && !serve_dir) {
        int t = validate_training(out, dev, ndev, only);
        if (t < 0)
            rc = DCS_EXIT_INPUT;
        else
            over |= t;
        if (rc == DCS_EXIT_OK) {
            /* The shipped serving rows, each within 10 % (--check). */
            t = validate_serving(out, dev, ndev, only, NULL);
            if (t < 0)
                rc = DCS_EXIT_INPUT;
            else
                over |= t;
        }
        if (rc == DCS_EXIT_OK) {
            t = validate_power(out, dev, ndev, only);
            if (t < 0)
                rc = DCS_EXIT_INPUT;
            else
                over |= t;
        }
        if (rc == DCS_EXIT_OK && !only) {
            t = validate_published(out, dev, ndev);
            if (t < 0)
                rc = DCS_EXIT_INPUT;
            else
                over |= t;
        }
    }
    if (rc == DCS_EXIT_OK && only && !found) {
        fprintf(stderr, "dcsim validate: unknown device '%s'\n", only);
        rc = DCS_EXIT_INPUT;
    }
    for (size_t i = 0; i < ndev; i++)
        dcs_measurements_free(&dev[i].m);
    for (size_t i = 0; i < nnames; i++)
        free(names[i]);
    free(dev);
    free(scratch);
    if (rc == DCS_EXIT_OK && check && over) {
        fprintf(stderr, "dcsim validate: error above the bounds (OVER)\n");
        return DCS_EXIT_RUNTIME;
    }
    return rc;
}
