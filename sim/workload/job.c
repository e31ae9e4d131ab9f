/* job.c - jobs and the run's list of them. */
#include "workload/job.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

const char *dcs_job_state_name(dcs_job_state_t state)
{
    static const char *const names[] = {"pending", "queued", "running", "done",
                                        "refused"};
    return state <= DCS_JOB_REFUSED ? names[state] : "unknown";
}

/* What is left of its work at its present size, at the pace of the GPUs
 * it got, plus what resuming costs (the scheduler keeps all three). */
static dcs_time_t fixed_run_time_ns(const dcs_job_t *job, const int *gpu_ids)
{
    (void)gpu_ids;
    dcs_time_t work = job->remaining_ns;
    if (job->speed > 0 && job->speed != 1)
        work = (dcs_time_t)llround((double)work / job->speed);
    return work + job->overhead_ns;
}

const dcs_job_kind_t dcs_job_kind_fixed = {
    .name = "fixed", .run_time_ns = fixed_run_time_ns, .preemptible = 1};

double dcs_expected_wall_s(double work_s, double saved_every_s, double mtbf_s,
                           double restart_s)
{
    if (!(mtbf_s > 0) || !isfinite(mtbf_s))
        return work_s;
    double seg =
        saved_every_s > 0 && saved_every_s < work_s ? saved_every_s : work_s;
    double whole = floor(work_s / seg), rest = work_s - whole * seg;
    double per = mtbf_s * exp(restart_s / mtbf_s);
    return per * (whole * expm1(seg / mtbf_s) + expm1(rest / mtbf_s));
}

dcs_job_t *dcs_jobs_add(dcs_jobs_t *jobs, int64_t id)
{
    if (jobs->len == jobs->cap) {
        size_t cap = jobs->cap ? jobs->cap * 2 : 64;
        dcs_job_t **items = realloc(jobs->items, cap * sizeof *items);
        if (!items)
            return NULL;
        jobs->items = items;
        jobs->cap = cap;
    }
    dcs_job_t *job = calloc(1, sizeof *job);
    if (!job)
        return NULL;
    job->id = id;
    job->kind = &dcs_job_kind_fixed;
    snprintf(job->team, sizeof job->team, "default");
    job->state = DCS_JOB_PENDING;
    job->start_ns = -1;
    job->end_ns = -1;
    job->first_start_ns = -1;
    job->stop_ns = -1;
    job->deadline_ns = -1;
    job->gpu_model = -1;
    job->speed = 1;
    jobs->items[jobs->len++] = job;
    return job;
}

void dcs_jobs_destroy(dcs_jobs_t *jobs)
{
    for (size_t i = 0; i < jobs->len; i++) {
        free(jobs->items[i]->gpu_ids);
        free(jobs->items[i]);
    }
    free(jobs->items);
    jobs->items = NULL;
    jobs->len = jobs->cap = 0;
}
