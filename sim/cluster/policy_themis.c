/* policy_themis.c - finish-time fairness in the manner of Themis (Mahajan
 * et al., "Themis: Fair and Efficient GPU Cluster Scheduling", NSDI 2020).
 *
 * A job's finish-time fairness is rho = (its projected finish under the
 * current schedule - its submission) / (its run time alone: its duration at
 * its size, or its estimate with params->use_estimates). A waiting job is
 * projected to finish at now + its expected remaining run
 * (dcs_policy_expected_run, which counts the checkpoint restore it owes); a
 * running job at its expected end. The larger rho, the worse the job is
 * treated. The policy decides at arrivals and ends, and when a running
 * job's lease of params->quantum_ns ends.
 *
 * pick(): the waiting job with the largest rho that fits (then the oldest).
 * preempt(): at lease ends. A running job may be stopped once it has run a
 * lease since it (re)started, not counting the checkpoint restore that run
 * began with (so every lease does work), if it is preemptible and not
 * expected to end at this instant, and only for a waiting job whose rho
 * exceeds the running job's rho by the margin (1.1x: hysteresis, so that
 * leases are not traded for small gains) and exceeds the rho the running
 * job would have once stopped (its expected end plus the checkpoint it would
 * owe, so that it is not restarted ahead of the job it made room for). The
 * waiting job with the largest rho that either fits (then nothing is
 * stopped: pick() starts it) or could start in the GPUs of the running jobs
 * it may displace (free + theirs >= its GPUs) gets them: the running job
 * with the smallest rho is stopped first (then the newest), one per call
 * until it fits. A job that started at this instant is never stopped.
 * next_ns(): while jobs wait, the next lease end (start + restore + k x
 * quantum) of a preemptible running job.
 *
 * A single-resource simplification of Themis's auction: GPUs are the only
 * resource, there are no bids, no partial allocations and no fairness knob
 * (Themis offers a share of the free GPUs to the 1 - f jobs with the worst
 * rho and lets them bid); here the job with the worst rho simply takes the
 * GPUs of those with the best, at lease ends.
 *
 * ASSUMPTION: the policy does not see the scheduler's save and restore
 * times. The checkpoint a stopped job would owe is taken as its
 * overhead_ns: exact once it has been stopped before, 0 before its first
 * stop (so a first stop may be undone at once when the checkpoint is long).
 *
 * Cost per call: O(queued x running) at worst, plus view->fits() on the
 * waiting jobs tried. */
#include "cluster/policies_b.h"

/* How much worse a waiting job's rho must be to take a lease. */
static const double MARGIN = 1.1;

/* The job's run time alone, in ns (at least 1). */
static double alone_ns(const dcs_sched_view_t *view, const dcs_job_t *job)
{
    dcs_time_t t = job->duration_ns;
    if (view->params->use_estimates && job->estimate_ns > 0)
        t = job->estimate_ns;
    return t > 0 ? (double)t : 1.0;
}

static double rho_waiting(const dcs_sched_view_t *view, const dcs_job_t *job)
{
    dcs_time_t finish = view->now_ns + dcs_policy_expected_run(view, job);
    return (double)(finish - job->submit_ns) / alone_ns(view, job);
}

static double rho_running(const dcs_sched_view_t *view, const dcs_job_t *job)
{
    dcs_time_t finish = dcs_policy_expected_end(view, job);
    return (double)(finish - job->submit_ns) / alone_ns(view, job);
}

/* The rho a running job would have, waiting, once stopped now. */
static double rho_if_stopped(const dcs_sched_view_t *view, const dcs_job_t *job)
{
    dcs_time_t finish = dcs_policy_expected_end(view, job) + job->overhead_ns;
    return (double)(finish - job->submit_ns) / alone_ns(view, job);
}

/* 1 when a job of rho `a` (id a_id) goes before one of rho `b`. */
static int ranks_before(double a, int64_t a_id, double b, int64_t b_id)
{
    return a > b || (a == b && a_id < b_id);
}

/* When the running job's work resumed: its start, plus the checkpoint
 * restore this run pays. */
static dcs_time_t resumed_ns(const dcs_job_t *job)
{
    return job->start_ns + job->overhead_ns;
}

/* The first lease end of a running job after now. */
static dcs_time_t next_lease_end_ns(const dcs_job_t *job, dcs_time_t now,
                                    dcs_time_t q)
{
    dcs_time_t from = resumed_ns(job);
    if (now < from)
        return from + q;
    return from + ((now - from) / q + 1) * q;
}

/* 1 when the running job has worked a lease since it (re)started and may
 * be stopped (not at the instant it is expected to end). */
static int lease_over(const dcs_sched_view_t *view, const dcs_job_t *job)
{
    dcs_time_t q = view->params->quantum_ns, now = view->now_ns;
    return q > 0 && dcs_policy_can_preempt(job) && now - resumed_ns(job) >= q &&
           job->expect_end_ns != now;
}

/* 1 when running job `r` may be stopped for a waiting job of rho `w_rho`. */
static int displaces(const dcs_sched_view_t *view, double w_rho,
                     const dcs_job_t *r)
{
    return lease_over(view, r) && w_rho > MARGIN * rho_running(view, r) &&
           w_rho > rho_if_stopped(view, r);
}

static long themis_pick(const dcs_policy_t *policy,
                        const dcs_sched_view_t *view, int *gpus)
{
    (void)policy;
    (void)gpus;
    long best = -1;
    double best_rho = 0;
    for (size_t i = 0; i < view->queue_len; i++) {
        const dcs_job_t *w = view->queue[i];
        double rho = rho_waiting(view, w);
        if (best >= 0 &&
            !ranks_before(rho, w->id, best_rho, view->queue[best]->id))
            continue;
        if (view->fits(view, w, 0)) {
            best = (long)i;
            best_rho = rho;
        }
    }
    return best;
}

static long themis_preempt(const dcs_policy_t *policy,
                           const dcs_sched_view_t *view)
{
    (void)policy;
    if (view->queue_len == 0 || view->params->quantum_ns <= 0)
        return -1;
    int free_gpus = view->alloc->free_gpus, over_gpus = 0;
    for (size_t i = 0; i < view->running_len; i++)
        if (lease_over(view, view->running[i]))
            over_gpus += view->running[i]->gpus;
    if (over_gpus == 0)
        return -1;
    /* The waiting job with the largest rho that fits or can be made room
     * for. */
    long best = -1;
    int best_fits = 0;
    double best_rho = 0;
    for (size_t i = 0; i < view->queue_len; i++) {
        const dcs_job_t *w = view->queue[i];
        double rho = rho_waiting(view, w);
        if (best >= 0 &&
            !ranks_before(rho, w->id, best_rho, view->queue[best]->id))
            continue;
        int fits = view->fits(view, w, 0);
        if (!fits) {
            if (free_gpus + over_gpus < w->gpus)
                continue; /* not even with every lease that has ended */
            int freed = 0;
            for (size_t j = 0; j < view->running_len; j++)
                if (displaces(view, rho, view->running[j]))
                    freed += view->running[j]->gpus;
            if (freed == 0 || free_gpus + freed < w->gpus)
                continue;
        }
        best = (long)i;
        best_fits = fits;
        best_rho = rho;
    }
    if (best < 0 || best_fits)
        return -1;
    /* Make room: the running job with the smallest rho, then the newest. */
    long stop = -1;
    double stop_rho = 0;
    for (size_t j = 0; j < view->running_len; j++) {
        const dcs_job_t *r = view->running[j];
        if (!displaces(view, best_rho, r))
            continue;
        double rho = rho_running(view, r);
        if (stop < 0 || rho < stop_rho ||
            (rho == stop_rho && r->id > view->running[stop]->id)) {
            stop = (long)j;
            stop_rho = rho;
        }
    }
    return stop;
}

static dcs_time_t themis_next_ns(const dcs_policy_t *policy,
                                 const dcs_sched_view_t *view)
{
    (void)policy;
    dcs_time_t q = view->params->quantum_ns, now = view->now_ns, next = -1;
    if (view->queue_len == 0 || q <= 0)
        return -1;
    for (size_t i = 0; i < view->running_len; i++) {
        const dcs_job_t *r = view->running[i];
        if (!dcs_policy_can_preempt(r))
            continue;
        dcs_time_t t = next_lease_end_ns(r, now, q);
        if (next < 0 || t < next)
            next = t;
    }
    return next;
}

const dcs_policy_t dcs_policy_themis = {
    "themis",
    "Themis-style finish-time fairness: the job with the worst rho goes "
    "first and takes leases from the best",
    themis_pick,
    themis_preempt,
    themis_next_ns,
    NULL,
};
