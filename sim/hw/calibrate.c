/* calibrate.c - nonlinear least squares over the op cost model. */
#include "hw/calibrate.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct group_def {
    const char *name;
    int (*member)(const dcs_op_t *op);
    int first, last; /* parameter index range [first, last] */
    int extra;       /* one more parameter outside the range, or -1 */
} group_def_t;

static int is_gemm(const dcs_op_t *op)
{
    return op->kind == DCS_OP_GEMM || op->kind == DCS_OP_BMM;
}

static int is_attn_fwd(const dcs_op_t *op)
{
    return op->kind == DCS_OP_ATTENTION && !op->bwd;
}

static int is_attn_bwd(const dcs_op_t *op)
{
    return op->kind == DCS_OP_ATTENTION && op->bwd;
}

static int is_decode(const dcs_op_t *op)
{
    return op->kind == DCS_OP_DECODE_ATTENTION;
}

static int is_membound(const dcs_op_t *op)
{
    return op->kind >= DCS_OP_ELEMENTWISE_ADD && op->kind <= DCS_OP_ADAM;
}

static int is_collective(const dcs_op_t *op)
{
    return dcs_op_is_collective(op);
}

static const group_def_t GROUPS[] = {
    {"gemm", is_gemm, DCS_P_gemm_eff_fp32, DCS_P_gemm_split_s, -1},
    {"attention fwd", is_attn_fwd, DCS_P_attn_fwd_eff, DCS_P_attn_fwd_t0_s,
     DCS_P_attn_wave_beta},
    {"attention bwd", is_attn_bwd, DCS_P_attn_bwd_eff, DCS_P_attn_bwd_t0_s, -1},
    {"decode_attention", is_decode, DCS_P_dec_eff, DCS_P_dec_busy_block_bw, -1},
    {"memory-bound", is_membound, DCS_P_mem_eff_copy, DCS_P_mem_row_n_half, -1},
    {"collectives", is_collective, DCS_P_coll_t0_s, DCS_P_coll_eff_p_exp, -1},
};
enum { NGROUPS = sizeof GROUPS / sizeof GROUPS[0] };

/* The parameter a dtype's or op's efficiency lives in, to leave out the
 * ones no row informs. */
static int informed(int param, const dcs_measurement_t *const *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const dcs_op_t *op = &rows[i]->op;
        switch (param) {
        case DCS_P_gemm_eff_fp32:
            if (op->dtype == DCS_FP32)
                return 1;
            continue;
        case DCS_P_gemm_eff_tf32:
            if (op->dtype == DCS_TF32)
                return 1;
            continue;
        case DCS_P_gemm_eff_bf16:
            if (op->dtype == DCS_BF16)
                return 1;
            continue;
        case DCS_P_gemm_eff_fp16:
            if (op->dtype == DCS_FP16)
                return 1;
            continue;
        case DCS_P_gemm_eff_fp8:
            if (op->dtype == DCS_FP8 || op->dtype == DCS_INT8)
                return 1;
            continue;
        case DCS_P_mem_eff_copy:
        case DCS_P_mem_eff_add:
        case DCS_P_mem_eff_gelu:
        case DCS_P_mem_eff_silu_mul:
        case DCS_P_mem_eff_layernorm:
        case DCS_P_mem_eff_rmsnorm:
        case DCS_P_mem_eff_softmax:
        case DCS_P_mem_eff_embedding:
        case DCS_P_mem_eff_adam: {
            static const dcs_op_kind_t kinds[] = {
                DCS_OP_COPY,     DCS_OP_ELEMENTWISE_ADD, DCS_OP_GELU,
                DCS_OP_SILU_MUL, DCS_OP_LAYERNORM,       DCS_OP_RMSNORM,
                DCS_OP_SOFTMAX,  DCS_OP_EMBEDDING,       DCS_OP_ADAM};
            if (op->kind == kinds[param - DCS_P_mem_eff_copy])
                return 1;
            continue;
        }
        case DCS_P_coll_eff_all_reduce:
        case DCS_P_coll_eff_all_gather:
        case DCS_P_coll_eff_reduce_scatter:
        case DCS_P_coll_eff_all_to_all:
        case DCS_P_coll_eff_send_recv:
        case DCS_P_coll_eff_broadcast:
            if ((int)op->kind - DCS_OP_ALL_REDUCE ==
                param - DCS_P_coll_eff_all_reduce)
                return 1;
            continue;
        case DCS_P_coll_half_all_reduce:
        case DCS_P_coll_half_all_gather:
        case DCS_P_coll_half_reduce_scatter:
        case DCS_P_coll_half_all_to_all:
        case DCS_P_coll_half_send_recv:
        case DCS_P_coll_half_broadcast:
            if ((int)op->kind - DCS_OP_ALL_REDUCE ==
                param - DCS_P_coll_half_all_reduce)
                return 1;
            continue;
        default:
            return 1;
        }
    }
    return 0;
}

typedef struct fit_ctx {
    const dcs_device_spec_t *dev;
    dcs_price_fn price;
    dcs_opcost_params_t p; /* working copy */
    const int *idx;        /* fitted parameter indexes */
    size_t np;
    const dcs_measurement_t *const *rows; /* the group's fit rows */
    size_t n;
    double *weight; /* per row, for the robust (Huber) reweighting */
} fit_ctx_t;

static double sigmoid(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

static double to_value(int param, double x)
{
    double lo, hi;
    dcs_opcost_param_bounds(param, &lo, &hi);
    return exp(log(lo) + (log(hi) - log(lo)) * sigmoid(x));
}

static double to_x(int param, double v)
{
    double lo, hi;
    dcs_opcost_param_bounds(param, &lo, &hi);
    double u = (log(v) - log(lo)) / (log(hi) - log(lo));
    if (u < 1e-6)
        u = 1e-6;
    if (u > 1 - 1e-6)
        u = 1 - 1e-6;
    return log(u / (1 - u));
}

static int residuals(const gsl_vector *x, void *data, gsl_vector *f)
{
    fit_ctx_t *c = data;
    for (size_t j = 0; j < c->np; j++)
        c->p.v[c->idx[j]] = to_value(c->idx[j], gsl_vector_get(x, j));
    for (size_t i = 0; i < c->n; i++) {
        double t = c->price(c->dev, &c->p, &c->rows[i]->op);
        gsl_vector_set(f, i, sqrt(c->weight[i]) * log(t / c->rows[i]->time_s));
    }
    return GSL_SUCCESS;
}

/* RMS of the unweighted log residuals at x. */
static double rms(fit_ctx_t *c, const gsl_vector *x, gsl_vector *f)
{
    double *w = c->weight;
    double *ones = malloc(c->n * sizeof *ones);
    for (size_t i = 0; i < c->n; i++)
        ones[i] = 1.0;
    c->weight = ones;
    residuals(x, c, f);
    c->weight = w;
    free(ones);
    double s = gsl_blas_dnrm2(f);
    return s / sqrt((double)c->n);
}

/* Huber weights from the residuals at x: rows off by more than HUBER (in
 * log) count less, so a few pathological rows (a library's odd kernel
 * choice) cannot pull the fit for all the others. */
enum { ROBUST_ROUNDS = 3 };
static const double HUBER = 0.1;

static void reweight(fit_ctx_t *c, const gsl_vector *x, gsl_vector *f)
{
    for (size_t i = 0; i < c->n; i++)
        c->weight[i] = 1.0;
    residuals(x, c, f);
    for (size_t i = 0; i < c->n; i++) {
        double r = fabs(gsl_vector_get(f, i));
        c->weight[i] = r > HUBER ? HUBER / r : 1.0;
    }
}

/* Fits one group; returns 0 or DCS_ENOMEM. */
static int fit_group(fit_ctx_t *c, dcs_calib_group_t *out)
{
    gsl_multifit_nlinear_fdf fdf;
    gsl_multifit_nlinear_parameters fp =
        gsl_multifit_nlinear_default_parameters();
    fdf.f = residuals;
    fdf.df = NULL; /* finite differences */
    fdf.fvv = NULL;
    fdf.n = c->n;
    fdf.p = c->np;
    fdf.params = c;
    gsl_multifit_nlinear_workspace *w = gsl_multifit_nlinear_alloc(
        gsl_multifit_nlinear_trust, &fp, c->n, c->np);
    gsl_vector *x0 = gsl_vector_alloc(c->np), *best = gsl_vector_alloc(c->np);
    gsl_vector *f = gsl_vector_alloc(c->n);
    if (!w || !x0 || !best || !f) {
        if (w)
            gsl_multifit_nlinear_free(w);
        gsl_vector_free(x0);
        gsl_vector_free(best);
        gsl_vector_free(f);
        return DCS_ENOMEM;
    }
    for (size_t j = 0; j < c->np; j++)
        gsl_vector_set(x0, j, to_x(c->idx[j], c->p.v[c->idx[j]]));
    out->rms_before = rms(c, x0, f);
    gsl_vector_memcpy(best, x0);
    for (size_t i = 0; i < c->n; i++)
        c->weight[i] = 1.0;
    for (int round = 0; round < ROBUST_ROUNDS; round++) {
        if (round > 0) {
            reweight(c, best, f);
            gsl_vector_memcpy(x0, best);
        }
        double best_cost = INFINITY;
        /* Fixed starts: the start values, then shifted by fixed patterns
         * (alternating signs, all one way, and a period of three). */
        static const double shifts[] = {0.0, 1.0, -1.0, 2.0, -2.0};
        static const int patterns = 3;
        for (size_t s = 0; s < patterns * sizeof shifts / sizeof shifts[0];
             s++) {
            size_t which = s / patterns, pattern = s % patterns;
            if (which == 0 && pattern > 0)
                continue; /* one unshifted start is enough */
            gsl_vector *start = gsl_vector_alloc(c->np);
            for (size_t j = 0; j < c->np; j++) {
                double sign = pattern == 0   ? ((j % 2) ? 0.5 : -0.5)
                              : pattern == 1 ? 0.5
                                             : (j % 3 == 0 ? 0.7 : -0.35);
                gsl_vector_set(start, j,
                               gsl_vector_get(x0, j) + shifts[which] * sign);
            }
            int info;
            gsl_multifit_nlinear_init(start, &fdf, w);
            gsl_multifit_nlinear_driver(300, 1e-10, 1e-10, 1e-10, NULL, NULL,
                                        &info, w);
            gsl_vector *x = gsl_multifit_nlinear_position(w);
            residuals(x, c, f);
            double cost = gsl_blas_dnrm2(f);
            if (isfinite(cost) && cost < best_cost) {
                best_cost = cost;
                gsl_vector_memcpy(best, x);
            }
            gsl_vector_free(start);
        }
    }
    out->rms_after = rms(c, best, f); /* leaves c->p at the best values */
    gsl_multifit_nlinear_free(w);
    gsl_vector_free(x0);
    gsl_vector_free(best);
    gsl_vector_free(f);
    return 0;
}

int dcs_calibrate(const dcs_device_spec_t *dev, dcs_price_fn price,
                  const dcs_measurements_t *m, dcs_opcost_params_t *p,
                  dcs_calib_result_t *result, dcs_err_t *err)
{
    memset(result, 0, sizeof *result);
    for (size_t i = 0; i < m->len; i++) {
        if (m->rows[i].fit)
            result->fit_rows++;
        else
            result->kept_rows++;
    }
    const dcs_measurement_t **rows = malloc((m->len + 1) * sizeof *rows);
    if (!rows)
        return dcs_err_set(err, DCS_ENOMEM, "out of memory");
    for (size_t g = 0; g < NGROUPS; g++) {
        const group_def_t *def = &GROUPS[g];
        size_t n = 0;
        for (size_t i = 0; i < m->len; i++)
            if (m->rows[i].fit && def->member(&m->rows[i].op))
                rows[n++] = &m->rows[i];
        dcs_calib_group_t *out = &result->groups[result->ngroups++];
        out->name = def->name;
        out->rows = n;
        int idx[DCS_OPCOST_NPARAMS];
        size_t np = 0;
        for (int j = def->first; j <= def->last; j++)
            if (informed(j, rows, n))
                idx[np++] = j;
        if (def->extra >= 0)
            idx[np++] = def->extra;
        out->params = (int)np;
        if (n <= np) /* too few rows to fit: keep the start values */
            continue;
        double *weight = malloc((n + 1) * sizeof *weight);
        if (!weight) {
            free(rows);
            return dcs_err_set(err, DCS_ENOMEM, "out of memory");
        }
        fit_ctx_t c = {dev, price, *p, idx, np, rows, n, weight};
        int frc = fit_group(&c, out);
        free(weight);
        if (frc < 0) {
            free(rows);
            return dcs_err_set(err, DCS_ENOMEM, "out of memory");
        }
        for (size_t j = 0; j < np; j++)
            p->v[idx[j]] = c.p.v[idx[j]];
    }
    free(rows);
    return 0;
}
