/* sched.c - the scheduler's queue, job starts and job ends. */
#include "cluster/sched.h"

#include <stdlib.h>
#include <string.h>

int dcs_sched_init(dcs_sched_t *s, dcs_fleet_t *fleet,
                   const dcs_policy_t *policy, const dcs_placement_t *placement)
{
    memset(s, 0, sizeof *s);
    s->wake_ns = -1;
    s->fleet = fleet;
    s->policy = policy;
    s->placement = placement;
    dcs_tally_init(&s->queue_tally, 0, fleet->interval_ns);
    dcs_tally_init(&s->running_tally, 0, fleet->interval_ns);
    dcs_tally_init(&s->busy_gpus_tally, 0, fleet->interval_ns);
    s->scratch = malloc((size_t)fleet->ngpus * sizeof *s->scratch);
    if (!s->scratch || dcs_alloc_init(&s->alloc, fleet->spec.nodes,
                                      fleet->spec.gpus_per_node) < 0) {
        dcs_sched_destroy(s);
        return DCS_ENOMEM;
    }
    return 0;
}

void dcs_sched_destroy(dcs_sched_t *s)
{
    dcs_alloc_destroy(&s->alloc);
    free(s->queue_buf);
    free(s->scratch);
    free(s->view_buf);
    free(s->view_idx);
    dcs_tally_destroy(&s->queue_tally);
    dcs_tally_destroy(&s->running_tally);
    dcs_tally_destroy(&s->busy_gpus_tally);
    memset(s, 0, sizeof *s);
}

static int view_fits(const dcs_sched_view_t *view, const dcs_job_t *job)
{
    dcs_sched_t *s = view->ctx;
    return s->placement->place(s->placement, &s->alloc, job->gpus,
                               s->scratch) == 0;
}

static void job_end(dcs_sim_t *sim, void *obj, int64_t arg);

/* A running job's end, moved (its kind's pace changed). */
static void move_end(dcs_job_t *job, dcs_time_t end_ns)
{
    dcs_sched_t *s = job->sched;
    dcs_time_t now = dcs_sim_now(s->sim);
    DCS_ASSERT(job->state == DCS_JOB_RUNNING);
    int rc = dcs_sim_cancel(s->sim, job->end_event);
    DCS_ASSERT(rc == 0);
    job->end_event =
        dcs_sim_at(s->sim, end_ns > now ? end_ns : now, job_end, job, 0);
    DCS_ASSERT(job->end_event != 0);
}

static void start_job(dcs_sched_t *s, dcs_sim_t *sim, size_t index)
{
    dcs_time_t now = dcs_sim_now(sim);
    dcs_job_t **queue = s->queue_buf + s->queue_head;
    dcs_job_t *job = queue[index];
    /* Close the gap from the shorter side: taking the oldest job (FIFO's
     * usual pick) costs O(1) however long the queue is. */
    if (index < s->queue_len - index - 1) {
        memmove(&queue[1], &queue[0], index * sizeof *queue);
        s->queue_head++;
    } else {
        memmove(&queue[index], &queue[index + 1],
                (s->queue_len - index - 1) * sizeof *queue);
    }
    s->queue_len--;

    int rc =
        s->placement->place(s->placement, &s->alloc, job->gpus, s->scratch);
    DCS_ASSERT(rc == 0); /* the policy picked a job that fits */
    job->gpu_ids = malloc((size_t)job->gpus * sizeof *job->gpu_ids);
    DCS_ASSERT(job->gpu_ids != NULL);
    memcpy(job->gpu_ids, s->scratch, (size_t)job->gpus * sizeof *job->gpu_ids);
    dcs_alloc_take(&s->alloc, job->gpu_ids, job->gpus);

    job->state = DCS_JOB_RUNNING;
    job->start_ns = now;
    job->sched = s;
    job->move_end = move_end;
    s->sim = sim;
    job->start_energy_j = 0;
    for (int i = 0; i < job->gpus; i++) {
        job->start_energy_j +=
            dcs_fleet_gpu_energy_j(s->fleet, job->gpu_ids[i], now);
        dcs_fleet_set_state(s->fleet, now, job->gpu_ids[i], DCS_DEV_COMPUTE);
    }
    dcs_tally_add(&s->queue_tally, now, -1);
    dcs_tally_add(&s->running_tally, now, +1);
    dcs_tally_add(&s->busy_gpus_tally, now, job->gpus);
    job->end_event = dcs_sim_after(
        sim, job->kind->run_time_ns(job, job->gpu_ids), job_end, job, 0);
    DCS_ASSERT(job->end_event != 0);
    for (int i = 0; job->power_w > 0 && i < job->gpus; i++)
        dcs_fleet_set_power(s->fleet, now, job->gpu_ids[i], job->power_w);
    if (s->hooks.started)
        s->hooks.started(s->hooks.ctx, job, now);
}

static void schedule(dcs_sched_t *s, dcs_sim_t *sim);

static void wake(dcs_sim_t *sim, void *obj, int64_t arg)
{
    dcs_sched_t *s = obj;
    (void)arg;
    s->wake_ns = -1;
    schedule(s, sim);
}

/* The queue as the policy sees it: the admitted jobs only, when there is
 * an admission hook. Returns how many jobs were held back. */
static size_t admitted(dcs_sched_t *s, dcs_time_t now, dcs_sched_view_t *view)
{
    dcs_job_t **queue = s->queue_buf + s->queue_head;
    view->queue = queue;
    view->queue_len = s->queue_len;
    if (!s->hooks.admit)
        return 0;
    if (s->queue_len > s->view_cap) {
        size_t cap = s->queue_len * 2;
        dcs_job_t **b = realloc(s->view_buf, cap * sizeof *b);
        DCS_ASSERT(b != NULL);
        s->view_buf = b;
        size_t *ix = realloc(s->view_idx, cap * sizeof *ix);
        DCS_ASSERT(ix != NULL);
        s->view_idx = ix;
        s->view_cap = cap;
    }
    size_t n = 0;
    for (size_t i = 0; i < s->queue_len; i++)
        if (s->hooks.admit(s->hooks.ctx, queue[i], now)) {
            s->view_buf[n] = queue[i];
            s->view_idx[n++] = i;
        }
    view->queue = s->view_buf;
    view->queue_len = n;
    return s->queue_len - n;
}

static void schedule(dcs_sched_t *s, dcs_sim_t *sim)
{
    dcs_time_t now = dcs_sim_now(sim);
    size_t held = 0;
    for (;;) {
        dcs_sched_view_t view = {NULL, 0, &s->alloc, now, view_fits, s};
        held = admitted(s, now, &view);
        long pick = s->policy->pick(s->policy, &view);
        if (pick < 0)
            break;
        DCS_ASSERT((size_t)pick < view.queue_len);
        start_job(s, sim, s->hooks.admit ? s->view_idx[pick] : (size_t)pick);
    }
    if (held > 0 && s->hooks.retry_ns) {
        s->held += (int64_t)held;
        dcs_time_t t = s->hooks.retry_ns(s->hooks.ctx, now);
        if (t > now && (s->wake_ns < 0 || t < s->wake_ns)) {
            s->wake_ns = t;
            DCS_ASSERT(dcs_sim_at(sim, t, wake, s, 0) != 0);
        }
    }
}

static void job_end(dcs_sim_t *sim, void *obj, int64_t arg)
{
    dcs_job_t *job = obj;
    dcs_sched_t *s = job->sched;
    dcs_time_t now = dcs_sim_now(sim);
    (void)arg;
    double energy = 0;
    for (int i = 0; i < job->gpus; i++) {
        energy += dcs_fleet_gpu_energy_j(s->fleet, job->gpu_ids[i], now);
        dcs_fleet_set_state(s->fleet, now, job->gpu_ids[i], DCS_DEV_IDLE);
    }
    job->energy_j = energy - job->start_energy_j;
    job->state = DCS_JOB_DONE;
    job->end_ns = now;
    job->move_end = NULL;
    if (job->kind->ended)
        job->kind->ended(job, now);
    if (s->hooks.ended)
        s->hooks.ended(s->hooks.ctx, job, now);
    dcs_alloc_release(&s->alloc, job->gpu_ids, job->gpus);
    dcs_tally_add(&s->running_tally, now, -1);
    dcs_tally_add(&s->busy_gpus_tally, now, -job->gpus);
    s->jobs_done++;
    s->last_end_ns = now;
    schedule(s, sim);
}

void dcs_sched_submit(void *ctx, dcs_sim_t *sim, dcs_job_t *job)
{
    dcs_sched_t *s = ctx;
    if (s->queue_head + s->queue_len == s->queue_cap) {
        if (s->queue_head > s->queue_len) {
            /* Mostly free space before the head: slide down, O(len). */
            memmove(s->queue_buf, s->queue_buf + s->queue_head,
                    s->queue_len * sizeof *s->queue_buf);
            s->queue_head = 0;
        } else {
            size_t cap = s->queue_cap ? s->queue_cap * 2 : 64;
            dcs_job_t **q = realloc(s->queue_buf, cap * sizeof *q);
            DCS_ASSERT(q != NULL);
            s->queue_buf = q;
            s->queue_cap = cap;
        }
    }
    s->queue_buf[s->queue_head + s->queue_len++] = job;
    dcs_tally_add(&s->queue_tally, dcs_sim_now(sim), +1);
    schedule(s, sim);
}

int dcs_sched_finish(dcs_sched_t *s, dcs_time_t end)
{
    if (dcs_tally_flush(&s->queue_tally, end) < 0 ||
        dcs_tally_flush(&s->running_tally, end) < 0 ||
        dcs_tally_flush(&s->busy_gpus_tally, end) < 0)
        return DCS_ENOMEM;
    return 0;
}
