/* policy_easy.c - EASY backfilling: first come, first served, with one
 * reservation and backfilling around it.
 *
 * The oldest queued job (the head) starts as soon as it fits. When it does
 * not, it gets a reservation: the shadow time, when enough GPUs will be
 * free for it, found by walking the running jobs in order of expected end
 * (dcs_policy_expected_end) and adding their GPUs to the free ones until
 * the head's size is reached (jobs ending at that same time count too);
 * the extra GPUs are those free at the shadow time beyond what the head
 * needs. A later job may then start now, the oldest first, if it fits now
 * and either is expected to end by the shadow time (now + expected run <=
 * shadow) or uses no more than the extra GPUs; either way the head's start
 * is not delayed, as far as the expectations hold. Jobs never preempt.
 *
 * pick() returns one job at a time and keeps no state: each call computes
 * the reservation again from the view. A job started into the extra GPUs
 * is then running past the shadow time, so the next call finds the same
 * shadow time with that many fewer extra GPUs; one that ends by the shadow
 * time changes neither.
 *
 * Expected ends come from the estimates with `use_estimates` (EASY as
 * deployed: users' run-time limits), else from the true durations. A job
 * that overruns its estimate counts as ending now. The reservation counts
 * GPUs, as pack places any job with enough free GPUs; when the head is
 * refused for another reason (a placement that wants them on one node),
 * its shadow time is now and only the extra GPUs may be backfilled. A head
 * larger than the cluster gets no reservation. Elastic jobs run at their
 * own size.
 *
 * Source: Lifka, "The ANL/IBM SP scheduling system", JSSPP 1995 (EASY, the
 * Extensible Argonne Scheduling sYstem); the rule as stated in Mu'alem &
 * Feitelson, "Utilization, predictability, workloads, and user runtime
 * estimates in scheduling the IBM SP2 with backfilling", IEEE TPDS 12(6),
 * 2001, sec. 2.
 *
 * Settings read: use_estimates. Cost per pick: O(1) with no GPU free or
 * when the head fits; else O(running jobs walked until the head's size is
 * reached) + O(queued jobs scanned until one may start), with fits() asked
 * only of jobs that pass the GPU-count and reservation tests. A call that
 * starts nothing scans the whole queue: keeping no state, pick cannot know
 * that the jobs it turned down before are still refused. */
#include "cluster/policies_a.h"

static long easy_pick(const dcs_policy_t *policy, const dcs_sched_view_t *view,
                      int *gpus)
{
    (void)policy;
    (void)gpus;
    int free_gpus = view->alloc->free_gpus;
    if (view->queue_len == 0 || free_gpus <= 0)
        return -1;
    const dcs_job_t *head = view->queue[0];
    if (head->gpus <= free_gpus && view->fits(view, head, 0))
        return 0;

    /* The head's reservation. */
    dcs_time_t shadow = view->now_ns;
    int avail = free_gpus;
    size_t k = 0;
    while (avail < head->gpus && k < view->running_len) {
        shadow = dcs_policy_expected_end(view, view->running[k]);
        avail += view->running[k++]->gpus;
    }
    if (avail < head->gpus) {
        shadow = DCS_TIME_NEVER; /* larger than the cluster */
    } else {
        /* Others that end at the shadow time free their GPUs then too. */
        while (k < view->running_len &&
               dcs_policy_expected_end(view, view->running[k]) == shadow)
            avail += view->running[k++]->gpus;
    }
    int extra = shadow == DCS_TIME_NEVER ? free_gpus : avail - head->gpus;

    /* Backfill, oldest first. The tests run cheapest first: the GPU count
     * (no placement finds more GPUs than are free), the reservation, then
     * fits(). */
    for (size_t i = 1; i < view->queue_len; i++) {
        const dcs_job_t *job = view->queue[i];
        if (job->gpus > free_gpus)
            continue;
        if (job->gpus > extra &&
            dcs_policy_expected_run(view, job) > shadow - view->now_ns)
            continue; /* would delay the head */
        if (view->fits(view, job, 0))
            return (long)i;
    }
    return -1;
}

const dcs_policy_t dcs_policy_easy = {
    "easy",
    "EASY backfilling: FIFO with a reservation for the oldest job; later jobs "
    "start now if they do not delay it",
    easy_pick,
    NULL,
    NULL,
    NULL,
};
