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
 * Mixed fleets: a job runs on one GPU model (policy.h). The head's
 * reservation is computed on each model it may use, from that model's free
 * GPUs and the running jobs on it; it takes the one that frees enough
 * first. A job that names another model can never delay it and only has
 * to fit; one that may land on the reserved model is held to the rule
 * above (conservative: the placement may put it elsewhere).
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

/* The head's reservation on one GPU model: when enough of its GPUs will
 * be free (DCS_TIME_NEVER: never, it is larger), and how many beyond the
 * head's need are free then. */
typedef struct reservation {
    dcs_time_t shadow;
    int extra;
} reservation_t;

static reservation_t reserve_on(const dcs_sched_view_t *view,
                                const dcs_job_t *head, int m)
{
    dcs_time_t shadow = view->now_ns;
    int avail = dcs_policy_model_free(view, m);
    size_t k = 0;
    for (; avail < head->gpus && k < view->running_len; k++) {
        const dcs_job_t *r = view->running[k];
        if (dcs_policy_model_of(view, r) != m)
            continue;
        shadow = dcs_policy_expected_end(view, r);
        avail += r->gpus;
    }
    if (avail < head->gpus)
        return (reservation_t){DCS_TIME_NEVER, 0};
    /* Others that end at the shadow time free their GPUs then too. */
    for (; k < view->running_len; k++) {
        const dcs_job_t *r = view->running[k];
        if (dcs_policy_model_of(view, r) != m)
            continue;
        if (dcs_policy_expected_end(view, r) != shadow)
            break;
        avail += r->gpus;
    }
    return (reservation_t){shadow, avail - head->gpus};
}

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

    /* The head's reservation: on a mixed fleet, on the model it may use
     * that frees enough first (the lowest on ties). */
    reservation_t res = {DCS_TIME_NEVER, 0};
    int model = -1;
    for (int m = 0; m < dcs_policy_models(view); m++) {
        if (!dcs_policy_may_use(head, m))
            continue;
        reservation_t r = reserve_on(view, head, m);
        if (model < 0 || r.shadow < res.shadow) {
            res = r;
            model = m;
        }
    }
    dcs_time_t shadow = res.shadow;
    int extra = shadow == DCS_TIME_NEVER ? free_gpus : res.extra;

    /* Backfill, oldest first. The tests run cheapest first: the GPU count
     * (no placement finds more GPUs than are free), the reservation (a job
     * that cannot run on the reserved model never delays the head), then
     * fits(). */
    for (size_t i = 1; i < view->queue_len; i++) {
        const dcs_job_t *job = view->queue[i];
        if (job->gpus > free_gpus)
            continue;
        if (dcs_policy_may_use(job, model) && job->gpus > extra &&
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
