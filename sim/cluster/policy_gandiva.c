/* policy_gandiva.c - time slicing in the manner of Gandiva (Xiao et al.,
 * "Gandiva: Introspective Cluster Scheduling for Deep Learning", OSDI
 * 2018): when jobs wait, running jobs are suspended and resumed in
 * round-robin quanta of params->quantum_ns.
 *
 * Waiting jobs are ranked by how long they have waited since they last ran
 * (or were submitted), the longest first, then by submission.
 * pick(): the first waiting job in that order that fits.
 * preempt(): at quantum ends. A running job may be stopped once it has run
 * at least one quantum since it (re)started, not counting the checkpoint
 * restore that run began with (so every run does a quantum of work, however
 * long save and restore take), if it is preemptible and not expected to end
 * at this instant, and only in favour of a waiting job that ranks before it
 * would rank once stopped. The first waiting job in rank order that either
 * fits (then nothing is stopped: pick() starts it) or could start in the
 * GPUs of the running jobs it may displace (free + theirs >= its GPUs) gets
 * them: the one that has run longest since its (re)start is stopped first
 * (then the oldest), one per call until it fits. So waiting jobs take over
 * as far as they fit in the freed GPUs; with no one waiting nothing is
 * stopped, and a job that started at this instant never is.
 * next_ns(): while jobs wait, the next quantum boundary (start + restore +
 * k x quantum) of a preemptible running job.
 *
 * Gandiva's other mechanisms (packing several jobs on a GPU, migration,
 * grow-shrink) are not modelled; quantum_ns <= 0 turns slicing off.
 *
 * "Since it last ran" is the job's stop_ns, kept by the scheduler; a
 * running job stopped now would have waited since now.
 *
 * Cost per call: O(queued x running) at worst, plus view->fits() on the
 * waiting jobs tried. */
#include "cluster/policies_b.h"

/* When a waiting job last ran, or was submitted if it never ran. */
static dcs_time_t waiting_since_ns(const dcs_job_t *job)
{
    return job->first_start_ns < 0 ? job->submit_ns : job->stop_ns;
}

/* 1 when a job waiting since `a` (id a_id) goes before one waiting since
 * `b` (id b_id). */
static int ranks_before(dcs_time_t a, int64_t a_id, dcs_time_t b, int64_t b_id)
{
    return a < b || (a == b && a_id < b_id);
}

/* When the running job's work resumed: its start, plus the checkpoint
 * restore this run pays. */
static dcs_time_t resumed_ns(const dcs_job_t *job)
{
    return job->start_ns + job->overhead_ns;
}

/* The first quantum end of a running job after now. */
static dcs_time_t next_quantum_end_ns(const dcs_job_t *job, dcs_time_t now,
                                      dcs_time_t q)
{
    dcs_time_t from = resumed_ns(job);
    if (now < from)
        return from + q;
    return from + ((now - from) / q + 1) * q;
}

/* 1 when the running job has worked a quantum since it (re)started and
 * may be stopped (not at the instant it is expected to end). */
static int quantum_spent(const dcs_sched_view_t *view, const dcs_job_t *job)
{
    dcs_time_t q = view->params->quantum_ns, now = view->now_ns;
    return q > 0 && dcs_policy_can_preempt(job) && now - resumed_ns(job) >= q &&
           job->expect_end_ns != now;
}

/* 1 when running job `r` may be stopped for waiting job `w` (waiting
 * since `w_since`). */
static int displaces(const dcs_sched_view_t *view, const dcs_job_t *w,
                     dcs_time_t w_since, const dcs_job_t *r)
{
    return quantum_spent(view, r) &&
           ranks_before(w_since, w->id, view->now_ns, r->id);
}

static long gandiva_pick(const dcs_policy_t *policy,
                         const dcs_sched_view_t *view, int *gpus)
{
    (void)policy;
    (void)gpus;
    long best = -1;
    dcs_time_t best_since = 0;
    for (size_t i = 0; i < view->queue_len; i++) {
        const dcs_job_t *w = view->queue[i];
        dcs_time_t since = waiting_since_ns(w);
        if (best >= 0 &&
            !ranks_before(since, w->id, best_since, view->queue[best]->id))
            continue;
        if (view->fits(view, w, 0)) {
            best = (long)i;
            best_since = since;
        }
    }
    return best;
}

static long gandiva_preempt(const dcs_policy_t *policy,
                            const dcs_sched_view_t *view)
{
    (void)policy;
    if (view->queue_len == 0 || view->params->quantum_ns <= 0)
        return -1;
    int free_gpus = view->alloc->free_gpus, spent_gpus = 0;
    for (size_t i = 0; i < view->running_len; i++)
        if (quantum_spent(view, view->running[i]))
            spent_gpus += view->running[i]->gpus;
    if (spent_gpus == 0)
        return -1;
    /* The first waiting job in rank order that fits or can be made room
     * for. */
    long best = -1;
    int best_fits = 0;
    dcs_time_t best_since = 0;
    for (size_t i = 0; i < view->queue_len; i++) {
        const dcs_job_t *w = view->queue[i];
        dcs_time_t since = waiting_since_ns(w);
        if (best >= 0 &&
            !ranks_before(since, w->id, best_since, view->queue[best]->id))
            continue;
        int fits = view->fits(view, w, 0);
        if (!fits) {
            if (free_gpus + spent_gpus < w->gpus)
                continue; /* not even with every spent quantum */
            int freed = 0;
            for (size_t j = 0; j < view->running_len; j++)
                if (displaces(view, w, since, view->running[j]))
                    freed += view->running[j]->gpus;
            if (freed == 0 || free_gpus + freed < w->gpus)
                continue;
        }
        best = (long)i;
        best_fits = fits;
        best_since = since;
    }
    if (best < 0 || best_fits)
        return -1;
    /* Make room: the job that has run longest since its (re)start. */
    const dcs_job_t *w = view->queue[best];
    long stop = -1;
    for (size_t j = 0; j < view->running_len; j++) {
        const dcs_job_t *r = view->running[j];
        if (!displaces(view, w, best_since, r))
            continue;
        if (stop < 0 ||
            ranks_before(r->start_ns, r->id, view->running[stop]->start_ns,
                         view->running[stop]->id))
            stop = (long)j;
    }
    return stop;
}

static dcs_time_t gandiva_next_ns(const dcs_policy_t *policy,
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
        dcs_time_t t = next_quantum_end_ns(r, now, q);
        if (next < 0 || t < next)
            next = t;
    }
    return next;
}

const dcs_policy_t dcs_policy_gandiva = {
    "gandiva",
    "Gandiva time slicing: while jobs wait, running jobs yield to the "
    "longest-waiting ones every quantum",
    gandiva_pick,
    gandiva_preempt,
    gandiva_next_ns,
    NULL,
};
