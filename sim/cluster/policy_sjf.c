/* policy_sjf.c - shortest job first, without preemption.
 *
 * Among the queued jobs that fit now, the one with the shortest expected
 * run starts (dcs_policy_expected_run: the job's estimate when the
 * scenario sets `use_estimates` and the job gives one, else its true
 * duration, an oracle); ties go to the job submitted first. A job that does
 * not fit does not hold the others back, and a running job is never
 * stopped. Elastic jobs run at their own size.
 *
 * Source: non-preemptive shortest-job-first, the textbook policy that
 * minimises mean waiting time when all jobs are present at once
 * (Silberschatz, Galvin & Gagne, "Operating System Concepts", 10th ed.,
 * sec. 5.3.2; for batch clusters, Feitelson & Rudolph, "Parallel job
 * scheduling: issues and approaches", JSSPP 1995).
 *
 * SJF starves long jobs: as long as shorter jobs keep arriving and fitting,
 * a long one waits, however long it has waited already; and a large job
 * may wait for ever behind a stream of small ones that keep taking the GPUs
 * it needs. Use `easy` (a reservation for the oldest job) where a bound on
 * waiting matters.
 *
 * Settings read: use_estimates. Cost per pick: O(queue), and fits() only
 * for jobs shorter than the best so far. */
#include "cluster/policies_a.h"

static long sjf_pick(const dcs_policy_t *policy, const dcs_sched_view_t *view,
                     int *gpus)
{
    (void)policy;
    (void)gpus;
    int free_gpus = view->alloc->free_gpus;
    long best = -1;
    dcs_time_t best_run = 0;
    for (size_t i = 0; i < view->queue_len && free_gpus > 0; i++) {
        const dcs_job_t *job = view->queue[i];
        /* No placement finds more GPUs than are free: skip without
         * asking fits(). */
        if (job->gpus > free_gpus)
            continue;
        dcs_time_t run = dcs_policy_expected_run(view, job);
        if (best >= 0 && run >= best_run) /* ties: the earlier job */
            continue;
        if (!view->fits(view, job, 0))
            continue;
        best = (long)i;
        best_run = run;
    }
    return best;
}

const dcs_policy_t dcs_policy_sjf = {
    "sjf",
    "shortest job first: the shortest expected run that fits starts; never "
    "preempts (long and large jobs may starve)",
    sjf_pick,
    NULL,
    NULL,
    NULL,
};
