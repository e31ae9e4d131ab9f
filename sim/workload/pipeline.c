/* pipeline.c - list scheduling of 1F1B. */
#include "workload/pipeline.h"

#include <math.h>
#include <stdlib.h>

#include "engine/error.h"

double dcs_pipeline_1f1b(int64_t pp, int64_t m, const double *fwd,
                         const double *bwd, double send_s)
{
    if (pp < 1 || m < 1)
        return 0;
    /* f_end[s][i], b_end[s][i]: when stage s finished micro-batch i. */
    double *f_end = malloc(sizeof *f_end * (size_t)(pp * m));
    double *b_end = malloc(sizeof *b_end * (size_t)(pp * m));
    int64_t *next_f = calloc((size_t)pp, sizeof *next_f);
    int64_t *next_b = calloc((size_t)pp, sizeof *next_b);
    double *free_at = calloc((size_t)pp, sizeof *free_at);
    if (!f_end || !b_end || !next_f || !next_b || !free_at) {
        free(f_end);
        free(b_end);
        free(next_f);
        free(next_b);
        free(free_at);
        return -1;
    }
    for (int64_t k = 0; k < pp * m; k++)
        f_end[k] = b_end[k] = NAN;
    /* Each stage's op sequence is fixed by 1F1B; a stage's next op can run
     * once its input is ready. Sweep until every op is placed: each sweep
     * places at least one op (the schedule has no cycles). */
    int64_t left = 2 * pp * m;
    while (left > 0) {
        int64_t before = left;
        for (int64_t s = 0; s < pp; s++) {
            for (;;) {
                int64_t warm = pp - s - 1 < m ? pp - s - 1 : m;
                int64_t nf = next_f[s], nb = next_b[s];
                /* 1F1B order: warm forwards, then F B F B ..., then B. */
                int do_fwd;
                if (nf >= m)
                    do_fwd = 0;
                else if (nf < warm)
                    do_fwd = 1;
                else
                    do_fwd = nf - warm == nb; /* forward when caught up */
                if (!do_fwd && nb >= m)
                    break;
                double ready;
                if (do_fwd) {
                    ready = s == 0 ? 0 : f_end[(s - 1) * m + nf] + send_s;
                    if (s > 0 && isnan(f_end[(s - 1) * m + nf]))
                        break;
                } else {
                    if (isnan(f_end[s * m + nb]))
                        break;
                    if (s < pp - 1 && isnan(b_end[(s + 1) * m + nb]))
                        break;
                    ready = s == pp - 1 ? f_end[s * m + nb]
                                        : b_end[(s + 1) * m + nb] + send_s;
                }
                double start = fmax(ready, free_at[s]);
                if (do_fwd) {
                    f_end[s * m + nf] = free_at[s] = start + fwd[s];
                    next_f[s]++;
                } else {
                    b_end[s * m + nb] = free_at[s] = start + bwd[s];
                    next_b[s]++;
                }
                left--;
            }
        }
        DCS_ASSERT(left < before); /* 1F1B has no cycles */
    }
    double makespan = 0;
    for (int64_t s = 0; s < pp; s++)
        makespan = fmax(makespan, free_at[s]);
    free(f_end);
    free(b_end);
    free(next_f);
    free(next_b);
    free(free_at);
    return makespan;
}
