/* schedmetrics.c - schedule quality from the jobs' own records. */
#include "report/schedmetrics.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <stdlib.h>
#include <string.h>

#include "engine/error.h"

double dcs_job_slowdown(const dcs_job_t *job)
{
    if (job->state != DCS_JOB_DONE || job->duration_ns <= 0)
        return 0;
    return (double)(job->end_ns - job->submit_ns) / (double)job->duration_ns;
}

typedef struct keyed {
    const char *key;
    double x;
} keyed_t;

static int by_key(const void *a, const void *b)
{
    return strcmp(((const keyed_t *)a)->key, ((const keyed_t *)b)->key);
}

/* Jain's index over the groups' means of x; *groups gets their number. */
static double jain(keyed_t *v, size_t n, int64_t *groups)
{
    qsort(v, n, sizeof *v, by_key);
    double sum = 0, sq = 0;
    *groups = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        double s = 0;
        while (j < n && !strcmp(v[j].key, v[i].key))
            s += v[j++].x;
        double mean = s / (double)(j - i);
        sum += mean;
        sq += mean * mean;
        ++*groups;
        i = j;
    }
    return *groups > 0 && sq > 0 ? sum * sum / ((double)*groups * sq) : 1;
}

static double quantile(double *x, size_t n, double q)
{
    return n ? gsl_stats_quantile_from_sorted_data(x, 1, n, q) : 0;
}

int dcs_sched_metrics(const dcs_job_t *const *jobs, size_t n, dcs_time_t end,
                      dcs_sched_metrics_t *m)
{
    memset(m, 0, sizeof *m);
    m->jain_teams = m->jain_users = 1;
    double *jct = malloc((n + 1) * sizeof *jct);
    double *slow = malloc((n + 1) * sizeof *slow);
    double *delay = malloc((n + 1) * sizeof *delay);
    keyed_t *teams = malloc((n + 1) * sizeof *teams);
    keyed_t *users = malloc((n + 1) * sizeof *users);
    int rc = jct && slow && delay && teams && users ? 0 : DCS_ENOMEM;
    size_t nf = 0, ns = 0, nu = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const dcs_job_t *j = jobs[i];
        if (j->state == DCS_JOB_PENDING)
            continue;
        m->preemptions += j->preemptions;
        double held = j->attained_gpu_s;
        if (j->state == DCS_JOB_RUNNING)
            held += dcs_time_to_s(end - j->start_ns) * j->gpus;
        m->gpu_hours += held / 3600.0;
        if (j->first_start_ns >= 0)
            delay[ns++] = dcs_time_to_s(j->first_start_ns - j->submit_ns);
        if (j->deadline_ns >= 0) {
            m->deadlines++;
            dcs_time_t done = j->state == DCS_JOB_DONE ? j->end_ns : end;
            if (done > j->deadline_ns &&
                (j->state == DCS_JOB_DONE || end > j->deadline_ns))
                m->deadline_misses++;
        }
        if (j->state != DCS_JOB_DONE)
            continue;
        jct[nf] = dcs_time_to_s(j->end_ns - j->submit_ns);
        slow[nf] = dcs_job_slowdown(j);
        teams[nf] = (keyed_t){j->team, slow[nf]};
        if (j->user[0])
            users[nu++] = (keyed_t){j->user, slow[nf]};
        nf++;
    }
    if (rc == 0 && nf > 0) {
        m->finished = (int64_t)nf;
        m->jct_mean_s = gsl_stats_mean(jct, 1, nf);
        m->slowdown_mean = gsl_stats_mean(slow, 1, nf);
        gsl_sort(jct, 1, nf);
        gsl_sort(slow, 1, nf);
        m->jct_p50_s = quantile(jct, nf, 0.50);
        m->jct_p95_s = quantile(jct, nf, 0.95);
        m->jct_p99_s = quantile(jct, nf, 0.99);
        m->slowdown_p95 = quantile(slow, nf, 0.95);
        m->jain_teams = jain(teams, nf, &m->teams);
        if (nu > 0)
            m->jain_users = jain(users, nu, &m->users);
    }
    if (rc == 0 && ns > 0) {
        gsl_sort(delay, 1, ns);
        m->queue_delay_p95_s = quantile(delay, ns, 0.95);
    }
    free(jct);
    free(slow);
    free(delay);
    free(teams);
    free(users);
    return rc;
}
