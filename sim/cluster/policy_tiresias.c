/* policy_tiresias.c - Tiresias's discretized two-dimensional
 * least-attained-service scheduling (Gu et al., "Tiresias: A GPU Cluster
 * Manager for Distributed Deep Learning", NSDI 2019).
 *
 * A job's service is the GPU-seconds it has held: job->attained_gpu_s over
 * its past runs plus, while it runs, gpus x (now - start) (both dimensions,
 * size and time). The thresholds params->thresholds_gpu_s (default one, at
 * 3,200 GPU-s: two queues) cut service into queues: queue 0 holds the jobs
 * below the first threshold, queue k those at or above threshold k - 1 and
 * below threshold k. Higher queues go first; within a queue, jobs go in
 * order of arrival (as in Tiresias): their submission.
 *
 * Starvation (params->starve_ns > 0; 0: off): a waiting job that has waited
 * starve_ns or more since it last ran (or was submitted) is in queue 0,
 * where it arrived when it began to starve. Once it runs, its queue is
 * again that of its service (Tiresias likewise demotes a promoted job at
 * its next check). So that starved jobs take turns rather than stop each
 * other as soon as they resume, a job in queue 0 by starvation displaces
 * only running jobs that have worked starve_ns since their restore.
 *
 * pick(): the first waiting job in that order that fits; one that does not
 * fit is skipped (no head-of-line blocking, as in Tiresias).
 * preempt(): the first waiting job in that order that fits (then nothing is
 * stopped: pick() starts it), or could start if running jobs that would
 * wait in lower queues than its own were stopped (free GPUs + theirs >= its
 * GPUs): then the one of the lowest queue is stopped, the most served first
 * (then the newest), one per call until it fits. A starved job that could
 * start but for the turns of the running jobs holds back the jobs after it
 * (the GPUs stopped for them would go to it). Never stopped: a job that is
 * not preemptible, started at this instant or is still restoring its
 * checkpoint (stopping it would gain nothing and cost another save and
 * restore: the guard against thrashing), or is expected to end at this
 * instant.
 * next_ns(): while jobs wait, the earliest time a preemptible running job's
 * service reaches its next threshold (so that demotions, and the
 * preemptions they allow, happen on time), its checkpoint restore ends or
 * its turn (starve_ns of work) does, or a waiting job starves.
 *
 * "Since it last ran" is the job's stop_ns, kept by the scheduler.
 *
 * Cost per call: O(queued + running x levels), plus view->fits() on the
 * waiting jobs tried. */
#include "cluster/policies_b.h"

#include <math.h>

/* Queues in use: one more than the thresholds. */
static int queue_count(const dcs_policy_params_t *p)
{
    int n = p->nthresholds;
    if (n < 0)
        n = 0;
    if (n > DCS_POLICY_MAX_LEVELS)
        n = DCS_POLICY_MAX_LEVELS;
    return n + 1;
}

/* The queue of a job with `service_gpu_s` of service. */
static int service_queue(const dcs_policy_params_t *p, double service_gpu_s)
{
    int k = 0;
    while (k + 1 < queue_count(p) && service_gpu_s >= p->thresholds_gpu_s[k])
        k++;
    return k;
}

/* GPU-seconds a running job will have held at `t` (>= its start). */
static double service_at(const dcs_job_t *job, dcs_time_t t)
{
    return job->attained_gpu_s + dcs_time_to_s(t - job->start_ns) * job->gpus;
}

/* When a waiting job last ran, or was submitted if it never ran. */
static dcs_time_t waiting_since_ns(const dcs_sched_view_t *view,
                                   const dcs_job_t *job)
{
    (void)view;
    return job->first_start_ns < 0 ? job->submit_ns : job->stop_ns;
}

/* Where a waiting job stands: its queue, when it entered it (its
 * submission; for a job in the top queue by starvation, the time it began
 * to starve) and whether it is there by starvation. */
typedef struct rank {
    int queue;             /* 0: the top */
    int promoted;          /* 1: in queue 0 by starvation */
    dcs_time_t entered_ns; /* when it entered its queue */
    int64_t id;            /* last tie-break: submission order */
} rank_t;

static rank_t waiting_rank(const dcs_sched_view_t *view, const dcs_job_t *job)
{
    const dcs_policy_params_t *p = view->params;
    rank_t r = {service_queue(p, job->attained_gpu_s), 0, job->submit_ns,
                job->id};
    if (r.queue > 0 && p->starve_ns > 0) {
        dcs_time_t starved = waiting_since_ns(view, job) + p->starve_ns;
        if (starved <= view->now_ns) {
            r.queue = 0;
            r.promoted = 1;
            r.entered_ns = starved;
        }
    }
    return r;
}

static int ranks_before(const rank_t *a, const rank_t *b)
{
    if (a->queue != b->queue)
        return a->queue < b->queue;
    if (a->entered_ns != b->entered_ns)
        return a->entered_ns < b->entered_ns;
    return a->id < b->id;
}

/* The queue a running job would wait in if it were stopped now (it
 * would have waited no time, so it cannot be starving). */
static int queue_if_stopped(const dcs_sched_view_t *view, const dcs_job_t *job)
{
    return service_queue(view->params, service_at(job, view->now_ns));
}

/* 1 when the running job may be stopped now at all: preemptible, started
 * before now, done restoring its checkpoint, and not expected to end now. */
static int stoppable(const dcs_sched_view_t *view, const dcs_job_t *job)
{
    dcs_time_t now = view->now_ns;
    return dcs_policy_can_preempt(job) && job->start_ns < now &&
           now - job->start_ns >= job->overhead_ns && job->expect_end_ns != now;
}

/* 1 when the running job has worked starve_ns since its checkpoint
 * restore: only then may a job in the top queue by starvation displace
 * it. */
static int had_turn(const dcs_sched_view_t *view, const dcs_job_t *job)
{
    return view->now_ns - job->start_ns - job->overhead_ns >=
           view->params->starve_ns;
}

static long tiresias_pick(const dcs_policy_t *policy,
                          const dcs_sched_view_t *view, int *gpus)
{
    (void)policy;
    (void)gpus;
    long best = -1;
    rank_t best_rank = {0, 0, 0, 0};
    for (size_t i = 0; i < view->queue_len; i++) {
        rank_t r = waiting_rank(view, view->queue[i]);
        if (best >= 0 && !ranks_before(&r, &best_rank))
            continue;
        if (view->fits(view, view->queue[i], 0)) {
            best = (long)i;
            best_rank = r;
        }
    }
    return best;
}

/* The running job to stop for a waiting job of rank `w`: of those that
 * would wait in a lower queue, the lowest queue, the most served, the
 * newest; -1 if none may be stopped. */
static long victim(const dcs_sched_view_t *view, const rank_t *w)
{
    long best = -1;
    int best_q = 0;
    double best_s = 0;
    for (size_t i = 0; i < view->running_len; i++) {
        const dcs_job_t *r = view->running[i];
        if (!stoppable(view, r) || queue_if_stopped(view, r) <= w->queue ||
            (w->promoted && !had_turn(view, r)))
            continue;
        double s = service_at(r, view->now_ns);
        int q = service_queue(view->params, s);
        if (best < 0 || q > best_q || (q == best_q && s > best_s) ||
            (q == best_q && s == best_s && r->id > view->running[best]->id)) {
            best = (long)i;
            best_q = q;
            best_s = s;
        }
    }
    return best;
}

enum { NOTHING, FITS, MAKE_ROOM, WAIT_TURN };

static long tiresias_preempt(const dcs_policy_t *policy,
                             const dcs_sched_view_t *view)
{
    (void)policy;
    if (view->queue_len == 0)
        return -1;
    int nq = queue_count(view->params);
    /* GPUs of the running jobs that may be stopped, by the queue each
     * would wait in; below[k]: those that would wait below queue k;
     * turn_over: those below queue 0 that have had their turn. */
    int pool[DCS_POLICY_MAX_LEVELS + 1] = {0};
    int below[DCS_POLICY_MAX_LEVELS + 2] = {0};
    int turn_over = 0;
    for (size_t i = 0; i < view->running_len; i++) {
        const dcs_job_t *r = view->running[i];
        if (!stoppable(view, r))
            continue;
        int k = queue_if_stopped(view, r);
        pool[k] += r->gpus;
        if (k > 0 && had_turn(view, r))
            turn_over += r->gpus;
    }
    for (int k = nq - 1; k >= 0; k--)
        below[k] = below[k + 1] + (k + 1 < nq ? pool[k + 1] : 0);
    /* The first waiting job in rank order that fits, can be made room
     * for, or could be but for the turns of the running jobs (then
     * nothing is stopped for those after it: the GPUs would go to it). */
    int free_gpus = view->alloc->free_gpus, what = NOTHING;
    rank_t best = {0, 0, 0, 0};
    for (size_t i = 0; i < view->queue_len; i++) {
        const dcs_job_t *w = view->queue[i];
        rank_t r = waiting_rank(view, w);
        if (what != NOTHING && !ranks_before(&r, &best))
            continue;
        int now_what = NOTHING;
        int room = r.promoted ? turn_over : below[r.queue];
        if (view->fits(view, w, 0))
            now_what = FITS;
        else if (room > 0 && free_gpus + room >= w->gpus)
            now_what = MAKE_ROOM;
        else if (r.promoted && below[0] > 0 && free_gpus + below[0] >= w->gpus)
            now_what = WAIT_TURN;
        if (now_what != NOTHING) {
            what = now_what;
            best = r;
        }
    }
    return what == MAKE_ROOM ? victim(view, &best) : -1;
}

/* The first time a running job's service reaches `threshold` (> its
 * service now). */
static dcs_time_t crossing_ns(const dcs_job_t *job, double threshold)
{
    double need_s = (threshold - job->attained_gpu_s) / job->gpus;
    dcs_time_t t = job->start_ns + (dcs_time_t)ceil(need_s * 1e9);
    /* Rounding: the first nanosecond at which service_at() agrees. */
    while (service_at(job, t) < threshold)
        t++;
    while (t - 1 > job->start_ns && service_at(job, t - 1) >= threshold)
        t--;
    return t;
}

static dcs_time_t tiresias_next_ns(const dcs_policy_t *policy,
                                   const dcs_sched_view_t *view)
{
    (void)policy;
    if (view->queue_len == 0)
        return -1;
    const dcs_policy_params_t *p = view->params;
    dcs_time_t now = view->now_ns, next = -1;
    for (size_t i = 0; i < view->running_len; i++) {
        const dcs_job_t *r = view->running[i];
        if (!dcs_policy_can_preempt(r) || r->gpus <= 0)
            continue;
        /* Its restore ends; it has had its turn against starved jobs. */
        dcs_time_t restored = r->start_ns + r->overhead_ns;
        if (restored > now && (next < 0 || restored < next))
            next = restored;
        dcs_time_t turn = restored + p->starve_ns;
        if (p->starve_ns > 0 && turn > now && (next < 0 || turn < next))
            next = turn;
        int k = service_queue(p, service_at(r, now));
        if (k + 1 >= queue_count(p))
            continue;
        dcs_time_t t = crossing_ns(r, p->thresholds_gpu_s[k]);
        if (t > now && (next < 0 || t < next))
            next = t;
    }
    for (size_t i = 0; p->starve_ns > 0 && i < view->queue_len; i++) {
        const dcs_job_t *w = view->queue[i];
        if (service_queue(p, w->attained_gpu_s) == 0)
            continue;
        dcs_time_t t = waiting_since_ns(view, w) + p->starve_ns;
        if (t > now && (next < 0 || t < next))
            next = t;
    }
    return next;
}

const dcs_policy_t dcs_policy_tiresias = {
    "tiresias",
    "Tiresias 2D-LAS: queues by attained GPU-seconds, FIFO within a queue; "
    "preempts demoted jobs",
    tiresias_pick,
    tiresias_preempt,
    tiresias_next_ns,
    NULL,
};
