/* policy_srtf.c - shortest remaining time first, with preemption.
 *
 * Starting: as SJF (policy_sjf.c): among the queued jobs that fit now, the
 * shortest expected run starts, ties to the job submitted first. A
 * preempted job's expected run is what is left of its work plus its
 * checkpoint save and restore (dcs_policy_expected_run).
 *
 * Stopping: take the queued job SRTF would run next, the shortest expected
 * run among those the cluster could ever hold (ties: submitted first). If
 * it does not fit now, count the free GPUs plus those of the preemptible
 * running jobs whose expected remaining time (dcs_policy_expected_end -
 * now) is strictly longer than its run, longest remaining first; when the
 * count reaches its size, the longest-remaining preemptible job is
 * stopped. The scheduler asks again after each stop, so jobs are stopped
 * one at a time, longest remaining first, until it fits; if the count
 * never reaches its size, nothing is stopped and it waits for jobs to end.
 * Only that one job may preempt: a longer queued job waits for it (strict
 * SRTF order), though it may start in GPUs that are free (pick). On a
 * mixed fleet the counting is per GPU model the job may use (policy.h):
 * stopping jobs on another model makes no room for it.
 *
 * Thrashing: a job preempts only for a run strictly shorter than the
 * victim's expected remaining time. The fair bound would add the save and
 * restore the victim will pay, but those are the scheduler's
 * (sched->save_ns, restore_ns) and not in the view, so the bound uses the
 * remaining time alone: stricter, it preempts a little less often than it
 * might. Since the victim's next run is its remaining time plus that cost,
 * it can never preempt the job it made way for in turn.
 *
 * Counting GPUs assumes that enough free GPUs can be placed (true of pack);
 * under a placement that also needs them on fewer nodes, the stops may not
 * make room, and the stopped jobs start again in what is free. A job that
 * resumed at this very instant is therefore never stopped at it: without
 * that rule such a job could be stopped and restarted for ever.
 *
 * Source: shortest remaining processing time, optimal for mean response
 * time on one server (Schrage, "A proof of the optimality of the shortest
 * remaining processing time discipline", Operations Research 16(3), 1968);
 * on GPU clusters with an oracle of run times, the SRTF baseline of
 * Gu et al., "Tiresias", NSDI 2019. Long jobs may starve, as under SJF.
 *
 * Settings read: use_estimates (and the scheduler's preempt_save_s and
 * preempt_restore_s, through the jobs' overhead). Cost per call:
 * O(queue + running jobs walked). */
#include "cluster/policies_a.h"
#include "engine/error.h"

static long srtf_pick(const dcs_policy_t *policy, const dcs_sched_view_t *view,
                      int *gpus)
{
    return dcs_policy_sjf.pick(policy, view, gpus);
}

/* The queued job SRTF runs next (fitting now or not), or -1; its expected
 * run in *run. Jobs larger than every model they may use are left out:
 * they could never make room. */
static long shortest_queued(const dcs_sched_view_t *view, dcs_time_t *run)
{
    long best = -1;
    for (size_t i = 0; i < view->queue_len; i++) {
        const dcs_job_t *job = view->queue[i];
        int holds = 0;
        for (int m = 0; m < dcs_policy_models(view) && !holds; m++)
            holds = dcs_policy_may_use(job, m) &&
                    job->gpus <= dcs_policy_model_gpus(view, m);
        if (!holds)
            continue;
        dcs_time_t r = dcs_policy_expected_run(view, job);
        if (best < 0 || r < *run) {
            best = (long)i;
            *run = r;
        }
    }
    return best;
}

/* 1 when running job `r` may be stopped now: its kind allows it, and it
 * did not just resume (see the file's comment). */
static int stoppable(const dcs_sched_view_t *view, const dcs_job_t *r)
{
    return dcs_policy_can_preempt(r) &&
           !(r->preemptions > 0 && r->start_ns == view->now_ns);
}

enum { SRTF_MAX_MODELS = 16 }; /* DCS_FLEET_MAX_POOLS or more */

static long srtf_preempt(const dcs_policy_t *policy,
                         const dcs_sched_view_t *view)
{
    (void)policy;
    dcs_time_t run = 0;
    long next = shortest_queued(view, &run);
    if (next < 0)
        return -1;
    const dcs_job_t *job = view->queue[next];
    if (job->gpus <= view->alloc->free_gpus && view->fits(view, job, 0))
        return -1; /* pick starts it */
    /* Per model the job may use: its free GPUs, plus those of the
     * stoppable jobs on it, longest remaining first; the first model to
     * hold the job gives its first victim. */
    int models = dcs_policy_models(view);
    DCS_ASSERT(models <= SRTF_MAX_MODELS);
    int room[SRTF_MAX_MODELS];
    long victim[SRTF_MAX_MODELS];
    for (int m = 0; m < models; m++) {
        room[m] = dcs_policy_model_free(view, m);
        victim[m] = -1;
    }
    /* The running list is by expected end: walk from the latest, and stop
     * at the first job that does not outlast `run`. */
    for (size_t k = view->running_len; k-- > 0;) {
        const dcs_job_t *r = view->running[k];
        if (dcs_policy_expected_end(view, r) - view->now_ns <= run)
            break;
        int m = dcs_policy_model_of(view, r);
        if (!stoppable(view, r) || !dcs_policy_may_use(job, m))
            continue;
        if (victim[m] < 0)
            victim[m] = (long)k;
        room[m] += r->gpus;
        if (room[m] >= job->gpus)
            return victim[m];
    }
    return -1;
}

const dcs_policy_t dcs_policy_srtf = {
    "srtf",
    "shortest remaining time first: SJF that stops longer-running jobs for a "
    "shorter one",
    srtf_pick,
    srtf_preempt,
    NULL,
    NULL,
};
