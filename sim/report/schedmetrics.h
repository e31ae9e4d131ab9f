/* schedmetrics.h - what a schedule did to its jobs: completion times and
 * their tail, slowdown, fairness across teams and users, deadlines and
 * preemptions.
 *
 * Over finished jobs: JCT (submit to end) mean and percentiles; slowdown,
 * JCT / the job's run time alone at its requested size (1 = never waited
 * nor was stopped); queueing delay (submit to first start). Fairness is
 * Jain's index (sum x)^2 / (n sum x^2) over the teams' (users') mean
 * slowdowns: 1 when every team's jobs were slowed alike, 1/n when one team
 * took all the waiting. Deadlines: finished after their deadline, or not
 * finished by the end of the run with the deadline passed. */
#ifndef DCS_SCHEDMETRICS_H
#define DCS_SCHEDMETRICS_H

#include <stdint.h>

#include "engine/time.h"
#include "workload/job.h"

typedef struct dcs_sched_metrics {
    int64_t finished;
    double jct_mean_s, jct_p50_s, jct_p95_s, jct_p99_s;
    double slowdown_mean, slowdown_p95;
    double queue_delay_p95_s;      /* to first start, over started jobs */
    double jain_teams, jain_users; /* 1 with fewer than one group */
    int64_t teams, users;          /* groups counted */
    int64_t deadlines, deadline_misses;
    int64_t preemptions;
    double gpu_hours; /* held by all jobs, all runs, up to `end` */
} dcs_sched_metrics_t;

/* A job's slowdown: JCT / its run time alone (0 when either is unknown). */
double dcs_job_slowdown(const dcs_job_t *job);

/* Computes the metrics of `jobs` (n of them) at the run's end. Returns 0
 * or DCS_ENOMEM. */
int dcs_sched_metrics(const dcs_job_t *const *jobs, size_t n, dcs_time_t end,
                      dcs_sched_metrics_t *m);

#endif
