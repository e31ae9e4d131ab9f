/* policy_priority.c - priority classes, team quotas and reservations, and
 * preemption of lower classes.
 *
 * Ranking: queued jobs by job->priority, higher first, then by submission.
 * A job may start when it fits now, its team stays within its quota (the
 * scenario's `teams`: quota_gpus, 0 for none; a team's use is the GPUs of
 * its running jobs), and it leaves free the unused part of every other
 * team's reservation (reserved_gpus minus what that team's running jobs
 * hold, where positive). pick() starts the first job in the ranking that
 * may start: a job that may not, whatever its class, holds no one back.
 * Teams not listed have no quota and no reservation. A job larger than its
 * team's quota, or than the cluster less the other teams' reservations,
 * never starts: it stays queued to the end of the run.
 *
 * Preemption: preempt() walks the ranking as pick() does, down to the
 * class just above the lowest class of preemptible running jobs. At the
 * first job that may start, it stops nothing (pick starts it). A job that
 * may not start is given room if stopping preemptible running jobs of
 * strictly lower classes would let it start: victims in order, lowest class
 * first, then the most recently started (then the highest id); a victim
 * whose team holds no more than its reservation is passed over, since its
 * GPUs would stay reserved for that team. The stops are counted out in
 * advance (GPUs, team uses and reservations) and only when they are enough
 * is the first victim stopped; the scheduler asks again and the next one
 * goes, until the job starts. A job that cannot be given room holds no one
 * back either: the walk goes on to the next. A job is never stopped for
 * its own class, so two jobs cannot keep stopping each other.
 *
 * Counting GPUs assumes that enough free GPUs can be placed (true of pack);
 * under a placement that also needs them on fewer nodes, the stops may not
 * make room, and the stopped jobs start again in what is free; so that
 * this cannot go on for ever, a job that resumed at this very instant is
 * never stopped at it. Elastic jobs run at their own size. On a mixed
 * fleet (policy.h) the victims of one decision are all on one GPU model
 * the job may use, the first in pool order where stopping enough would
 * make room for it; stopping jobs on another model would not.
 *
 * Source: preemptive priority scheduling with per-group quotas and
 * guaranteed shares, as in production cluster managers: Verma et al.,
 * "Large-scale cluster management at Google with Borg", EuroSys 2015,
 * sec. 2.5 (priority bands, preemption of lower bands, quota) and the
 * Kubernetes scheduler's PriorityClass preemption (victims of the lowest
 * priority first); reservations as in Slurm's reservations and Kueue's
 * nominal quotas.
 *
 * Settings read: teams (quota_gpus, reserved_gpus). Cost per pick:
 * O(running x teams) to count uses, then O(queue); per preempt, the same
 * per class walked, plus O(running x victims) for a job given room. */
#include "cluster/policies_a.h"

#include <limits.h>
#include <string.h>

/* What the teams hold now, counted on first need (O(running x teams)). */
typedef struct team_use {
    int counted;                    /* 1 once the fields below are set */
    int used[DCS_POLICY_MAX_TEAMS]; /* GPUs of each listed team's running
                                       jobs */
    int claim;                      /* unused reserved GPUs, all teams */
} team_use_t;

/* Index of `team` in the scenario's teams, or -1 when not listed. */
static int team_index(const dcs_policy_params_t *p, const char *team)
{
    for (int t = 0; t < p->nteams; t++)
        if (p->teams[t].team[0] == team[0] && !strcmp(p->teams[t].team, team))
            return t;
    return -1;
}

/* Unused reserved GPUs of team t (0 when t is -1). */
static int unused_reserve(const dcs_policy_params_t *p, const int *used, int t)
{
    if (t < 0 || p->teams[t].reserved_gpus <= used[t])
        return 0;
    return p->teams[t].reserved_gpus - used[t];
}

static int total_claim(const dcs_policy_params_t *p, const int *used)
{
    int claim = 0;
    for (int t = 0; t < p->nteams; t++)
        claim += unused_reserve(p, used, t);
    return claim;
}

static void count_use(const dcs_sched_view_t *view, team_use_t *use)
{
    const dcs_policy_params_t *p = view->params;
    if (use->counted)
        return;
    memset(use, 0, sizeof *use);
    use->counted = 1;
    if (p->nteams == 0)
        return;
    for (size_t k = 0; k < view->running_len; k++) {
        int t = team_index(p, view->running[k]->team);
        if (t >= 0)
            use->used[t] += view->running[k]->gpus;
    }
    use->claim = total_claim(p, use->used);
}

/* 1 when `job` (of listed team t, or -1) would pass the quota and
 * reservation tests with `free_gpus` free and the teams holding `used`. */
static int within_shares(const dcs_policy_params_t *p, const int *used,
                         int claim, int free_gpus, const dcs_job_t *job, int t)
{
    if (job->gpus > free_gpus)
        return 0;
    if (t >= 0 && p->teams[t].quota_gpus > 0 &&
        used[t] + job->gpus > p->teams[t].quota_gpus)
        return 0;
    /* Its own team's reservation is its to use. */
    return free_gpus - job->gpus >= claim - unused_reserve(p, used, t);
}

static int may_start(const dcs_sched_view_t *view, team_use_t *use,
                     const dcs_job_t *job)
{
    const dcs_policy_params_t *p = view->params;
    if (job->gpus > view->alloc->free_gpus)
        return 0;
    count_use(view, use);
    int t = p->nteams ? team_index(p, job->team) : -1;
    return within_shares(p, use->used, use->claim, view->alloc->free_gpus, job,
                         t) &&
           view->fits(view, job, 0);
}

static long priority_pick(const dcs_policy_t *policy,
                          const dcs_sched_view_t *view, int *gpus)
{
    (void)policy;
    (void)gpus;
    if (view->queue_len == 0 || view->alloc->free_gpus <= 0)
        return -1;
    team_use_t use = {0};
    long best = -1;
    for (size_t i = 0; i < view->queue_len; i++) {
        const dcs_job_t *job = view->queue[i];
        if (best >= 0 && job->priority <= view->queue[best]->priority)
            continue; /* ranked after the best so far */
        if (may_start(view, &use, job))
            best = (long)i;
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

/* 1 when running job a is stopped before b: lower class, then started
 * later, then higher id. */
static int stop_before(const dcs_job_t *a, const dcs_job_t *b)
{
    if (a->priority != b->priority)
        return a->priority < b->priority;
    if (a->start_ns != b->start_ns)
        return a->start_ns > b->start_ns;
    return a->id > b->id;
}

/* The first running job on GPU model m to stop so that `job` may start
 * there, or -1 when stopping every candidate on m would not be enough.
 * Counts the stops out on copies of the free GPUs (the cluster's, for the
 * shares, and m's, for the room) and the team uses. O(running x
 * victims). */
static long first_victim_on(const dcs_sched_view_t *view, const team_use_t *use,
                            const dcs_job_t *job, int m)
{
    const dcs_policy_params_t *p = view->params;
    int t = p->nteams ? team_index(p, job->team) : -1;
    int used[DCS_POLICY_MAX_TEAMS];
    memcpy(used, use->used, sizeof used);
    int free_gpus = view->alloc->free_gpus;
    int model_free = dcs_policy_model_free(view, m);
    const dcs_job_t *prev = NULL;
    long first = -1;
    for (;;) {
        long next = -1;
        int next_team = -1;
        for (size_t k = 0; k < view->running_len; k++) {
            const dcs_job_t *r = view->running[k];
            if (r->priority >= job->priority || !stoppable(view, r) ||
                dcs_policy_model_of(view, r) != m ||
                (prev && !stop_before(prev, r)) ||
                (next >= 0 && !stop_before(r, view->running[next])))
                continue;
            int u = p->nteams ? team_index(p, r->team) : -1;
            if (u >= 0 && u != t && used[u] <= p->teams[u].reserved_gpus)
                continue; /* its GPUs would stay reserved */
            next = (long)k;
            next_team = u;
        }
        if (next < 0)
            return -1;
        prev = view->running[next];
        if (first < 0)
            first = next;
        free_gpus += prev->gpus;
        model_free += prev->gpus;
        if (next_team >= 0)
            used[next_team] -= prev->gpus;
        if (model_free >= job->gpus &&
            within_shares(p, used, total_claim(p, used), free_gpus, job, t))
            return first;
    }
}

/* The first running job to stop so that `job` may start: on a mixed
 * fleet, on the first GPU model it may use where stopping enough would
 * make room (stops on the others would not). -1: none. */
static long first_victim(const dcs_sched_view_t *view, const team_use_t *use,
                         const dcs_job_t *job)
{
    for (int m = 0; m < dcs_policy_models(view); m++) {
        if (!dcs_policy_may_use(job, m))
            continue;
        long v = first_victim_on(view, use, job, m);
        if (v >= 0)
            return v;
    }
    return -1;
}

static long priority_preempt(const dcs_policy_t *policy,
                             const dcs_sched_view_t *view)
{
    (void)policy;
    if (view->queue_len == 0)
        return -1;
    int lowest = INT_MAX; /* the lowest class that may be stopped */
    for (size_t k = 0; k < view->running_len; k++)
        if (stoppable(view, view->running[k]) &&
            view->running[k]->priority < lowest)
            lowest = view->running[k]->priority;
    if (lowest == INT_MAX)
        return -1;
    team_use_t use = {0};
    /* The ranking, class by class from the top, down to lowest + 1. */
    long long above = (long long)INT_MAX + 1; /* classes done: >= above */
    for (;;) {
        int cls = INT_MIN;
        int found = 0;
        for (size_t i = 0; i < view->queue_len; i++) {
            int pr = view->queue[i]->priority;
            if (pr < above && (!found || pr > cls)) {
                cls = pr;
                found = 1;
            }
        }
        if (!found || cls <= lowest)
            return -1;
        /* GPUs that stopping every lower class could free, at most. */
        int freeable = 0;
        for (size_t k = 0; k < view->running_len; k++)
            if (view->running[k]->priority < cls &&
                stoppable(view, view->running[k]))
                freeable += view->running[k]->gpus;
        for (size_t i = 0; i < view->queue_len; i++) {
            const dcs_job_t *job = view->queue[i];
            if (job->priority != cls)
                continue;
            if (may_start(view, &use, job))
                return -1; /* pick starts it */
            if (job->gpus > view->alloc->free_gpus + freeable)
                continue;
            count_use(view, &use);
            long victim = first_victim(view, &use, job);
            if (victim >= 0)
                return victim;
        }
        above = cls;
    }
}

const dcs_policy_t dcs_policy_priority = {
    "priority",
    "priority classes with team quotas and reservations; a higher class "
    "preempts lower ones",
    priority_pick,
    priority_preempt,
    NULL,
    NULL,
};
