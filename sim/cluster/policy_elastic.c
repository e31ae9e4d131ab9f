/* policy_elastic.c - first come, first served with elastic jobs that grow
 * into idle GPUs and shrink back when jobs wait.
 *
 * pick(): FIFO, no backfilling: only the oldest waiting job (the head) may
 * start. A rigid job starts when it fits. An elastic job (max_gpus > 0)
 * starts at the most GPUs that fit, up to its requested size while other
 * jobs wait behind it, up to max_gpus when it is the only one waiting, and
 * not below min_gpus. Every size chosen here, to start, shrink or grow, is
 * one the job can take (dcs_policy_size_ok: a training job's plan must be
 * whole and fit at it); "min_gpus" below means the smallest such size.
 * resize(), asked when pick() starts nothing:
 *   - shrink: when the head does not fit even at its smallest size (its
 *     min_gpus if elastic, else its size) and the free GPUs plus the
 *     surplus of the running elastic jobs (GPUs held above their min_gpus)
 *     reach that smallest size, the running job with the largest surplus
 *     (then the latest first start, then the newest) shrinks by what the
 *     head still lacks, at most its surplus (to the largest size it can
 *     take at or below that, so it may give back more); the head is given room
 * for its requested size when the surplus allows, else for its smallest. One
 * job per call; the scheduler asks again, and starts the head once it fits.
 *   - grow: when no job waits, or the head cannot start even with every
 *     shrink, and GPUs are free, the oldest running elastic job (first
 *     start, then id) below its max_gpus grows by as many free GPUs as
 *     fit, up to max_gpus, provided it then ends sooner. For a job whose
 *     kind says how long its work left takes at another size
 *     (dcs_job_kind_t.left_at_ns; training: iterations left x the
 *     training model's iteration time at that size), that time at the new
 *     size + params->resize_ns must be shorter than at its present size
 *     (any checkpoint restore or resize it is still paying counts on
 *     both sides); for others (fixed jobs), by linear scaling: its
 *     expected work left x old / new GPUs + params->resize_ns (+ what it
 *     is still paying) must be shorter than its expected time left. A
 *     job for which growing does not pay is passed over for the next.
 * Guards against thrashing: a job that started or was resized at this
 * instant is never resized (job->start_ns == now: a resize starts a new
 * run), so each job moves at most once per decision; growth must end the
 * job sooner, so short jobs and large resize costs keep sizes still.
 * The counts assume, as srtf and priority do, that a job fits where enough
 * GPUs are free (pack); under a placement that refuses more, a shrink may
 * not let the head start (the GPUs it freed then stay free until the next
 * decision: nothing grows while the count says the head could start).
 * Jobs never preempt: resizing keeps every job running. Jobs that cannot
 * be resized (not elastic, or of a kind that cannot be stopped) keep
 * their size.
 *
 * Source: the grow-shrink mechanism of Gandiva (Xiao et al., "Gandiva:
 * Introspective Cluster Scheduling for Deep Learning", OSDI 2018): jobs
 * grow into idle GPUs and shrink back when others need them. Pollux (Qiao
 * et al., OSDI 2021), Optimus (Peng et al., EuroSys 2018) and AFS (Hwang et
 * al., "Elastic Resource Sharing for Distributed Deep Learning", NSDI 2021)
 * choose sizes from models of each job's throughput or goodput; this
 * policy only asks, of the one size a growth would give, whether the job
 * ends sooner: through its kind's own model where it has one (a training
 * job: the training model's iteration time at each size, often less than
 * linear), else assuming linear scaling (see dcs_sched_resize). It picks
 * no size for goodput and is none of them.
 *
 * Settings read: use_estimates (expected work left of jobs without
 * left_at_ns), resize_s (whether a growth pays). Cost per call:
 * O(running jobs) plus view->fits() calls, at most one per size tried,
 * and two left_at_ns calls per growth weighed (training: a copy of its
 * run advanced to now, and a pricing per size and pool the first time). */
#include "cluster/policies_d.h"

#include <math.h>

/* The fewest GPUs a job may start on: for an elastic job the smallest
 * size it can take (dcs_policy_size_ok; its own size at worst). */
static int smallest(const dcs_job_t *job)
{
    if (job->max_gpus <= 0)
        return job->gpus;
    int n = job->min_gpus;
    while (n < job->gpus && !dcs_policy_size_ok(job, n))
        n++;
    return n;
}

/* The largest size running job `r` can take between `lo` and its own,
 * for a shrink to at most `to` GPUs (its smallest at least). */
static int shrink_to(const dcs_job_t *r, int to)
{
    int lo = smallest(r);
    if (to < lo)
        to = lo;
    while (to > lo && !dcs_policy_size_ok(r, to))
        to--;
    return to;
}

/* 1 when a running job may be resized now. */
static int resizable(const dcs_sched_view_t *view, const dcs_job_t *job)
{
    return dcs_policy_can_resize(job) && job->start_ns < view->now_ns;
}

static long elastic_pick(const dcs_policy_t *policy,
                         const dcs_sched_view_t *view, int *gpus)
{
    (void)policy;
    if (view->queue_len == 0)
        return -1;
    const dcs_job_t *head = view->queue[0];
    if (head->max_gpus <= 0)
        return view->fits(view, head, 0) ? 0 : -1;
    int n = view->queue_len == 1 ? head->max_gpus : head->gpus;
    if (n > view->alloc->free_gpus)
        n = view->alloc->free_gpus;
    for (; n >= head->min_gpus && n >= 1; n--)
        if (dcs_policy_size_ok(head, n) && view->fits(view, head, n)) {
            *gpus = n;
            return 0;
        }
    return -1;
}

/* The running job to shrink by up to `missing` GPUs: the largest surplus,
 * then the latest first start, then the newest. */
static long shrink_victim(const dcs_sched_view_t *view)
{
    long best = -1;
    int best_surplus = 0;
    for (size_t i = 0; i < view->running_len; i++) {
        const dcs_job_t *r = view->running[i];
        if (!resizable(view, r) || r->gpus <= smallest(r))
            continue;
        int surplus = r->gpus - smallest(r);
        const dcs_job_t *b = best >= 0 ? view->running[best] : NULL;
        if (!b || surplus > best_surplus ||
            (surplus == best_surplus &&
             (r->first_start_ns > b->first_start_ns ||
              (r->first_start_ns == b->first_start_ns && r->id > b->id)))) {
            best = (long)i;
            best_surplus = surplus;
        }
    }
    return best;
}

/* 1 when growing running job `r` to `to` GPUs now would end it sooner,
 * as far as the policy expects: by its kind's left_at_ns where it has
 * one, else by linear scaling of its expected work left. */
static int growth_pays(const dcs_sched_view_t *view, const dcs_job_t *r, int to)
{
    dcs_time_t now = view->now_ns;
    dcs_time_t owed = r->start_ns + r->overhead_ns - now;
    if (owed < 0)
        owed = 0;
    if (r->kind->left_at_ns) {
        /* what it still owes, it owes at either size */
        dcs_time_t stay = r->kind->left_at_ns(r, r->gpus, now);
        dcs_time_t grown = r->kind->left_at_ns(r, to, now);
        return stay >= 0 && grown >= 0 &&
               grown + view->params->resize_ns + owed < stay + owed;
    }
    dcs_time_t left = dcs_policy_expected_end(view, r) - now;
    dcs_time_t work = left > owed ? left - owed : 0;
    dcs_time_t after = (dcs_time_t)ceil((double)work * r->gpus / (double)to) +
                       view->params->resize_ns + owed;
    return after < left;
}

/* The oldest running job that may grow, and pays to; -1 if none. */
static long grow_candidate(const dcs_sched_view_t *view, int *gpus)
{
    int free_gpus = view->alloc->free_gpus;
    long best = -1;
    int best_to = 0;
    for (size_t i = 0; i < view->running_len; i++) {
        const dcs_job_t *r = view->running[i];
        if (!resizable(view, r) || r->gpus >= r->max_gpus)
            continue;
        const dcs_job_t *b = best >= 0 ? view->running[best] : NULL;
        if (b && (r->first_start_ns > b->first_start_ns ||
                  (r->first_start_ns == b->first_start_ns && r->id > b->id)))
            continue;
        int extra = r->max_gpus - r->gpus;
        if (extra > free_gpus)
            extra = free_gpus;
        for (; extra > 0; extra--)
            if (dcs_policy_size_ok(r, r->gpus + extra) &&
                view->fits(view, r, extra))
                break;
        if (extra > 0 && growth_pays(view, r, r->gpus + extra)) {
            best = (long)i;
            best_to = r->gpus + extra;
        }
    }
    if (best >= 0)
        *gpus = best_to;
    return best;
}

static long elastic_resize(const dcs_policy_t *policy,
                           const dcs_sched_view_t *view, int *gpus)
{
    (void)policy;
    int free_gpus = view->alloc->free_gpus;
    if (view->queue_len > 0) {
        const dcs_job_t *head = view->queue[0];
        int surplus = 0;
        for (size_t i = 0; i < view->running_len; i++) {
            const dcs_job_t *r = view->running[i];
            if (resizable(view, r) && r->gpus > smallest(r))
                surplus += r->gpus - smallest(r);
        }
        if (free_gpus + surplus >= smallest(head)) {
            /* Shrinking makes room: give the head its size if it can. */
            int want =
                free_gpus + surplus >= head->gpus ? head->gpus : smallest(head);
            int missing = want - free_gpus;
            long v = shrink_victim(view);
            if (missing <= 0 || v < 0)
                return -1; /* the placement, not the count, refuses it */
            const dcs_job_t *r = view->running[v];
            *gpus = shrink_to(r, r->gpus - missing);
            return v;
        }
    }
    if (free_gpus <= 0)
        return -1;
    return grow_candidate(view, gpus);
}

const dcs_policy_t dcs_policy_elastic = {
    "elastic",
    "FIFO; running elastic jobs grow into idle GPUs and shrink (largest "
    "surplus first) to let the oldest waiting job start",
    elastic_pick,
    NULL,
    NULL,
    elastic_resize,
};
