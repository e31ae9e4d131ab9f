/* sched.c - the scheduler's queue, job starts and job ends. */
#include "cluster/sched.h"

#include <math.h>
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
    if (!s->scratch ||
        dcs_alloc_init(&s->alloc, fleet->spec.nodes,
                       fleet->spec.gpus_per_node) < 0 ||
        (fleet->node_pool && /* a mixed fleet: pools are runs of nodes */
         dcs_alloc_set_models(&s->alloc, fleet->node_pool) < 0)) {
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
    free(s->running);
    dcs_tally_destroy(&s->queue_tally);
    dcs_tally_destroy(&s->running_tally);
    dcs_tally_destroy(&s->busy_gpus_tally);
    memset(s, 0, sizeof *s);
}

/* The GPU model a placement for `job` must use: the pool of the GPUs it
 * holds while running (a resize keeps it on one model), else the pool it
 * names (-1: any one). */
static int job_model(const dcs_sched_t *s, const dcs_job_t *job)
{
    if (job->state == DCS_JOB_RUNNING && job->gpu_ids && s->fleet->node_pool)
        return s->fleet
            ->node_pool[dcs_fleet_node_of(s->fleet, job->gpu_ids[0])];
    return job->gpu_model;
}

/* Tells the placement which models `job` may be placed on (until
 * unwant). */
static void want(dcs_sched_t *s, const dcs_job_t *job)
{
    s->alloc.want_model = job_model(s, job);
    s->alloc.want_models = job->gpu_models;
}

static void unwant(dcs_sched_t *s)
{
    s->alloc.want_model = -1;
    s->alloc.want_models = 0;
}

static int view_fits(const dcs_sched_view_t *view, const dcs_job_t *job,
                     int gpus)
{
    dcs_sched_t *s = view->ctx;
    int n = gpus > 0 ? gpus : job->gpus, fits;
    want(s, job);
    if (s->placement->fits)
        fits = s->placement->fits(s->placement, &s->alloc, n);
    else
        fits = s->placement->place(s->placement, &s->alloc, n, s->scratch) == 0;
    unwant(s);
    return fits;
}

/* Work (time at speed 1) <-> time on GPUs of `speed`, to the nanosecond;
 * exact and free at speed 1. */
static dcs_time_t work_at(dcs_time_t wall_ns, double speed)
{
    return speed == 1 ? wall_ns : (dcs_time_t)llround((double)wall_ns * speed);
}

static dcs_time_t wall_for(dcs_time_t work_ns, double speed)
{
    return speed == 1 ? work_ns : (dcs_time_t)llround((double)work_ns / speed);
}

/* What the policies may expect of a run starting now that truly takes
 * `run`: the estimate where they plan with one, else the truth; for a
 * job that can be stopped, its work at the pace of its GPUs plus what it
 * still owes for resuming. */
static dcs_time_t expected_run(const dcs_sched_t *s, const dcs_job_t *job,
                               dcs_time_t now, dcs_time_t run)
{
    if (!job->kind->preemptible || job->kind->prices_run)
        return run;
    dcs_sched_view_t v = {.now_ns = now, .params = &s->params};
    return job->overhead_ns +
           wall_for(dcs_policy_expected_run(&v, job) - job->overhead_ns,
                    job->speed);
}

/* ---- the running list, by expected end -------------------------------- */

static int ends_before(const dcs_job_t *a, const dcs_job_t *b)
{
    return a->expect_end_ns < b->expect_end_ns ||
           (a->expect_end_ns == b->expect_end_ns && a->id < b->id);
}

/* First index whose job does not end before `job`. */
static size_t running_pos(const dcs_sched_t *s, const dcs_job_t *job)
{
    size_t lo = 0, hi = s->running_len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ends_before(s->running[mid], job))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void running_add(dcs_sched_t *s, dcs_job_t *job)
{
    if (s->running_len == s->running_cap) {
        size_t cap = s->running_cap ? 2 * s->running_cap : 64;
        dcs_job_t **r = realloc(s->running, cap * sizeof *r);
        DCS_ASSERT(r != NULL); /* out of memory mid-run */
        s->running = r;
        s->running_cap = cap;
    }
    size_t i = running_pos(s, job);
    memmove(&s->running[i + 1], &s->running[i],
            (s->running_len - i) * sizeof *s->running);
    s->running[i] = job;
    s->running_len++;
}

static void running_remove(dcs_sched_t *s, const dcs_job_t *job)
{
    size_t i = running_pos(s, job);
    DCS_ASSERT(i < s->running_len && s->running[i] == job);
    memmove(&s->running[i], &s->running[i + 1],
            (s->running_len - i - 1) * sizeof *s->running);
    s->running_len--;
}

/* ---- expectations ----------------------------------------------------- */

/* Work left at the job's size: its duration before its first start. */
static dcs_time_t work_left(const dcs_job_t *job)
{
    return job->first_start_ns < 0 ? job->duration_ns : job->remaining_ns;
}

dcs_time_t dcs_policy_expected_run(const dcs_sched_view_t *view,
                                   const dcs_job_t *job)
{
    dcs_time_t left = work_left(job);
    if (view->params && view->params->use_estimates && job->estimate_ns > 0 &&
        job->duration_ns > 0)
        left = (dcs_time_t)((double)job->estimate_ns * (double)left /
                            (double)job->duration_ns);
    return job->overhead_ns + left;
}

dcs_time_t dcs_policy_expected_end(const dcs_sched_view_t *view,
                                   const dcs_job_t *job)
{
    return job->expect_end_ns > view->now_ns ? job->expect_end_ns
                                             : view->now_ns;
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
    if (!job->kind->preemptible || job->kind->prices_run) {
        /* priced by its kind: its end is known */
        running_remove(s, job);
        job->expect_end_ns = end_ns > now ? end_ns : now;
        running_add(s, job);
    }
}

/* ---- the queue, in submission order ----------------------------------- */

static void queue_reserve(dcs_sched_t *s)
{
    if (s->queue_head + s->queue_len < s->queue_cap)
        return;
    if (s->queue_head > s->queue_len) {
        /* Mostly free space before the head: slide down, O(len). */
        memmove(s->queue_buf, s->queue_buf + s->queue_head,
                s->queue_len * sizeof *s->queue_buf);
        s->queue_head = 0;
        return;
    }
    size_t cap = s->queue_cap ? s->queue_cap * 2 : 64;
    dcs_job_t **q = realloc(s->queue_buf, cap * sizeof *q);
    DCS_ASSERT(q != NULL);
    s->queue_buf = q;
    s->queue_cap = cap;
}

/* Puts `job` in its place by id (arrivals go last; a preempted job goes
 * back among those submitted around it). */
static void queue_insert(dcs_sched_t *s, dcs_job_t *job)
{
    queue_reserve(s);
    dcs_job_t **q = s->queue_buf + s->queue_head;
    size_t i = s->queue_len;
    if (i > 0 && q[i - 1]->id > job->id) {
        size_t lo = 0, hi = s->queue_len;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (q[mid]->id < job->id)
                lo = mid + 1;
            else
                hi = mid;
        }
        i = lo;
        memmove(&q[i + 1], &q[i], (s->queue_len - i) * sizeof *q);
    }
    q[i] = job;
    s->queue_len++;
}

static dcs_job_t *queue_take(dcs_sched_t *s, size_t index)
{
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
    return job;
}

/* ---- starting, stopping, ending --------------------------------------- */

/* The job's GPUs' energy since it started this run, and their state. */
static void leave_gpus(dcs_sched_t *s, dcs_job_t *job, dcs_time_t now)
{
    double energy = 0;
    for (int i = 0; i < job->gpus; i++) {
        energy += dcs_fleet_gpu_energy_j(s->fleet, job->gpu_ids[i], now);
        dcs_fleet_set_state(s->fleet, now, job->gpu_ids[i], DCS_DEV_IDLE);
    }
    job->energy_j += energy - job->start_energy_j;
    dcs_time_t ran = now - job->start_ns;
    job->stop_ns = now;
    job->attained_ns += ran;
    job->attained_gpu_s += dcs_time_to_s(ran) * job->gpus;
    dcs_alloc_release(&s->alloc, job->gpu_ids, job->gpus);
    dcs_tally_add(&s->running_tally, now, -1);
    dcs_tally_add(&s->busy_gpus_tally, now, -job->gpus);
    running_remove(s, job);
}

static void start_job(dcs_sched_t *s, dcs_sim_t *sim, size_t index, int gpus)
{
    dcs_time_t now = dcs_sim_now(sim);
    dcs_job_t *job = queue_take(s, index);
    if (job->first_start_ns < 0) {
        job->first_start_ns = now;
        job->remaining_ns = job->duration_ns;
    }
    if (gpus > 0 && gpus != job->gpus) {
        /* An elastic job resized: the same work over more or fewer GPUs
         * (ASSUMPTION: linear scaling within its bounds). */
        DCS_ASSERT(job->max_gpus > 0 && dcs_policy_size_ok(job, gpus));
        job->remaining_ns = (dcs_time_t)ceil((double)job->remaining_ns *
                                             job->gpus / (double)gpus);
        job->gpus = gpus;
    }
    want(s, job);
    int rc =
        s->placement->place(s->placement, &s->alloc, job->gpus, s->scratch);
    unwant(s);
    DCS_ASSERT(rc == 0); /* the policy picked a job that fits */
    /* Its pace: the pool it landed on (a job never spans two), unless its
     * kind prices the run on that pool itself. */
    job->speed = job->kind->prices_run
                     ? 1
                     : dcs_fleet_pool_of(
                           s->fleet, dcs_fleet_node_of(s->fleet, s->scratch[0]))
                           ->speed;
    free(job->gpu_ids);
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
    dcs_time_t run = job->kind->run_time_ns(job, job->gpu_ids);
    job->end_event = dcs_sim_after(sim, run, job_end, job, 0);
    DCS_ASSERT(job->end_event != 0);
    job->expect_end_ns = now + expected_run(s, job, now, run);
    running_add(s, job);
    for (int i = 0; job->power_w > 0 && i < job->gpus; i++)
        dcs_fleet_set_power(s->fleet, now, job->gpu_ids[i], job->power_w);
    if (s->hooks.started)
        s->hooks.started(s->hooks.ctx, job, now);
}

/* The work a running job has done this run, after paying for resuming. */
static dcs_time_t done_this_run(const dcs_job_t *job, dcs_time_t now)
{
    dcs_time_t ran = now - job->start_ns;
    return ran > job->overhead_ns ? ran - job->overhead_ns : 0;
}

/* A running job leaves its GPUs now and goes back to the queue with the
 * work of `kept` of its time run done (at its GPUs' speed) and `overhead`
 * to pay when it runs again. */
static void requeue(dcs_sched_t *s, dcs_sim_t *sim, dcs_job_t *job,
                    dcs_time_t kept, dcs_time_t overhead)
{
    dcs_time_t now = dcs_sim_now(sim);
    int rc = dcs_sim_cancel(sim, job->end_event);
    DCS_ASSERT(rc == 0);
    kept = work_at(kept, job->speed);
    job->remaining_ns = job->remaining_ns > kept ? job->remaining_ns - kept : 0;
    job->overhead_ns = overhead;
    leave_gpus(s, job, now);
    job->state = DCS_JOB_QUEUED;
    job->move_end = NULL;
    if (s->hooks.ended) /* it may still read the GPUs the job left */
        s->hooks.ended(s->hooks.ctx, job, now);
    free(job->gpu_ids);
    job->gpu_ids = NULL;
    queue_insert(s, job);
    dcs_tally_add(&s->queue_tally, now, +1);
}

void dcs_sched_preempt(dcs_sched_t *s, dcs_sim_t *sim, dcs_job_t *job)
{
    dcs_time_t now = dcs_sim_now(sim);
    DCS_ASSERT(job->state == DCS_JOB_RUNNING && job->kind->preemptible);
    requeue(s, sim, job, done_this_run(job, now), s->save_ns + s->restore_ns);
    if (job->kind->stop) /* its own run decides what it did */
        job->kind->stop(job, now, DCS_JOB_PREEMPTED);
    job->preemptions++;
    s->preemptions++;
}

void dcs_sched_evict(dcs_sched_t *s, dcs_sim_t *sim, dcs_job_t *job,
                     dcs_time_t checkpoint_ns)
{
    dcs_time_t now = dcs_sim_now(sim);
    DCS_ASSERT(job->state == DCS_JOB_RUNNING);
    dcs_time_t kept = 0;
    if (!job->kind->stop && checkpoint_ns > 0)
        kept = done_this_run(job, now) / checkpoint_ns * checkpoint_ns;
    requeue(s, sim, job, kept, s->restore_ns);
    if (job->kind->stop)
        job->kind->stop(job, now, DCS_JOB_EVICTED); /* its checkpoints */
    job->evictions++;
    s->evictions++;
}

/* ---- resizing running elastic jobs ------------------------------------ */

/* One of a job's GPUs, ranked for giving back. */
typedef struct shrink_key {
    int held_on_node; /* the job's GPUs on its node */
    int node;
    int gpu;
    int at; /* index in job->gpu_ids */
} shrink_key_t;

static int by_node(const void *pa, const void *pb)
{
    const shrink_key_t *a = pa, *b = pb;
    return (a->node > b->node) - (a->node < b->node);
}

/* The fewest held on the node first, then the higher node, then the
 * higher GPU. */
static int shrink_order(const void *pa, const void *pb)
{
    const shrink_key_t *a = pa, *b = pb;
    if (a->held_on_node != b->held_on_node)
        return a->held_on_node < b->held_on_node ? -1 : 1;
    if (a->node != b->node)
        return a->node > b->node ? -1 : 1;
    return (a->gpu < b->gpu) - (a->gpu > b->gpu);
}

/* Writes to `out` the `drop` GPUs of `job` to give back (shrink_order),
 * and keeps the others in job->gpu_ids, in their order. O(n log n). */
static void pick_released(const dcs_sched_t *s, dcs_job_t *job, int drop,
                          int *out)
{
    int n = job->gpus, gpn = s->alloc.gpus_per_node;
    shrink_key_t *k = malloc((size_t)n * sizeof *k);
    unsigned char *gone = calloc((size_t)n, 1);
    DCS_ASSERT(k != NULL && gone != NULL); /* out of memory mid-run */
    for (int i = 0; i < n; i++)
        k[i] = (shrink_key_t){0, job->gpu_ids[i] / gpn, job->gpu_ids[i], i};
    qsort(k, (size_t)n, sizeof *k, by_node);
    for (int i = 0; i < n;) {
        int j = i;
        while (j < n && k[j].node == k[i].node)
            j++;
        for (int m = i; m < j; m++)
            k[m].held_on_node = j - i;
        i = j;
    }
    qsort(k, (size_t)n, sizeof *k, shrink_order);
    for (int i = 0; i < drop; i++) {
        out[i] = k[i].gpu;
        gone[k[i].at] = 1;
    }
    int kept = 0;
    for (int i = 0; i < n; i++)
        if (!gone[i])
            job->gpu_ids[kept++] = job->gpu_ids[i];
    free(k);
    free(gone);
}

int dcs_sched_resize(dcs_sched_t *s, dcs_sim_t *sim, dcs_job_t *job, int gpus)
{
    dcs_time_t now = dcs_sim_now(sim);
    if (job->state != DCS_JOB_RUNNING || job->sched != s ||
        !dcs_policy_can_resize(job) || gpus == job->gpus ||
        !dcs_policy_size_ok(job, gpus))
        return DCS_EINVAL;
    int old = job->gpus;
    if (gpus > old) {
        want(s, job); /* on the pool it is on */
        int placed = s->placement->place(s->placement, &s->alloc, gpus - old,
                                         s->scratch);
        unwant(s);
        if (placed < 0)
            return DCS_ESTATE;
        /* The extra GPUs go after the ones it holds (taken below). */
        int *ids = realloc(job->gpu_ids, (size_t)gpus * sizeof *ids);
        DCS_ASSERT(ids != NULL); /* out of memory mid-run */
        job->gpu_ids = ids;
        memcpy(ids + old, s->scratch, (size_t)(gpus - old) * sizeof *ids);
    }
    if (s->hooks.ended)
        s->hooks.ended(s->hooks.ctx, job, now);

    /* The run so far ends: its work, energy and service are kept. */
    int rc = dcs_sim_cancel(sim, job->end_event);
    DCS_ASSERT(rc == 0);
    dcs_time_t kept = work_at(done_this_run(job, now), job->speed);
    dcs_time_t owed = job->start_ns + job->overhead_ns - now;
    job->remaining_ns = job->remaining_ns > kept ? job->remaining_ns - kept : 0;
    double energy = 0;
    for (int i = 0; i < old; i++)
        energy += dcs_fleet_gpu_energy_j(s->fleet, job->gpu_ids[i], now);
    job->energy_j += energy - job->start_energy_j;
    dcs_time_t ran = now - job->start_ns;
    job->attained_ns += ran;
    job->attained_gpu_s += dcs_time_to_s(ran) * old;
    running_remove(s, job);

    /* GPUs given back or added. */
    if (gpus > old) {
        dcs_alloc_take(&s->alloc, job->gpu_ids + old, gpus - old);
        for (int i = old; i < gpus; i++)
            dcs_fleet_set_state(s->fleet, now, job->gpu_ids[i],
                                DCS_DEV_COMPUTE);
    } else {
        pick_released(s, job, old - gpus, s->scratch);
        for (int i = 0; i < old - gpus; i++)
            dcs_fleet_set_state(s->fleet, now, s->scratch[i], DCS_DEV_IDLE);
        dcs_alloc_release(&s->alloc, s->scratch, old - gpus);
    }
    dcs_tally_add(&s->busy_gpus_tally, now, gpus - old);

    /* The new run: the same work over `gpus` GPUs, after reconfiguring;
     * a kind that prices its runs is told its run stopped, as a
     * preemption's (it keeps the work it says), and prices the next one
     * at the new size below. */
    if (!job->kind->prices_run)
        job->remaining_ns =
            (dcs_time_t)ceil((double)job->remaining_ns * old / (double)gpus);
    job->gpus = gpus;
    job->overhead_ns = s->params.resize_ns + (owed > 0 ? owed : 0);
    if (job->kind->stop) {
        /* not running while it stops: others no longer share with it */
        job->state = DCS_JOB_QUEUED;
        job->kind->stop(job, now, DCS_JOB_PREEMPTED);
        job->state = DCS_JOB_RUNNING;
    }
    job->start_ns = now;
    job->start_energy_j = 0;
    for (int i = 0; i < gpus; i++)
        job->start_energy_j +=
            dcs_fleet_gpu_energy_j(s->fleet, job->gpu_ids[i], now);
    dcs_time_t run = job->kind->run_time_ns(job, job->gpu_ids);
    job->end_event = dcs_sim_after(sim, run, job_end, job, 0);
    DCS_ASSERT(job->end_event != 0);
    job->expect_end_ns = now + expected_run(s, job, now, run);
    running_add(s, job);
    for (int i = 0; job->power_w > 0 && i < gpus; i++)
        dcs_fleet_set_power(s->fleet, now, job->gpu_ids[i], job->power_w);
    job->resizes++;
    s->resizes++;
    if (s->hooks.started)
        s->hooks.started(s->hooks.ctx, job, now);
    return 0;
}

/* After pick() found nothing: one resize the policy asks for (growths
 * only when the admission hook would admit the extra GPUs as a job of
 * their own). Returns 1 when a job was resized. */
static int resize_step(dcs_sched_t *s, dcs_sim_t *sim,
                       const dcs_sched_view_t *view)
{
    if (!s->policy->resize)
        return 0;
    int gpus = 0;
    long r = s->policy->resize(s->policy, view, &gpus);
    if (r < 0)
        return 0;
    DCS_ASSERT((size_t)r < s->running_len);
    dcs_job_t *job = s->running[r];
    if (gpus > job->gpus && s->hooks.admit) {
        dcs_job_t extra = *job;
        extra.gpus = gpus - job->gpus;
        if (!s->hooks.admit(s->hooks.ctx, &extra, view->now_ns))
            return 0; /* asked again at the next decision */
    }
    int rc = dcs_sched_resize(s, sim, job, gpus);
    DCS_ASSERT(rc != DCS_EINVAL); /* the policy asked for a size it may not */
    return rc == 0;
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

/* Wakes the scheduler at `t` unless an earlier wake is set. */
static void wake_at(dcs_sched_t *s, dcs_sim_t *sim, dcs_time_t t)
{
    if (t > dcs_sim_now(sim) && (s->wake_ns < 0 || t < s->wake_ns)) {
        s->wake_ns = t;
        DCS_ASSERT(dcs_sim_at(sim, t, wake, s, 0) != 0);
    }
}

static void schedule(dcs_sched_t *s, dcs_sim_t *sim)
{
    dcs_time_t now = dcs_sim_now(sim);
    size_t held = 0;
    dcs_sched_view_t view;
    /* A policy that keeps stopping and starting the same jobs is a bug:
     * every job may move a few times per decision, no more. */
    size_t budget = 4 * (s->queue_len + s->running_len) + 16;
    for (size_t round = 0;; round++) {
        DCS_ASSERT(round <= budget);
        view = (dcs_sched_view_t){NULL,           0,         s->running,
                                  s->running_len, &s->alloc, now,
                                  &s->params,     view_fits, s};
        held = admitted(s, now, &view);
        if (s->policy->preempt) {
            long r = s->policy->preempt(s->policy, &view);
            if (r >= 0) {
                DCS_ASSERT((size_t)r < s->running_len);
                dcs_sched_preempt(s, sim, s->running[r]);
                continue;
            }
        }
        int gpus = 0;
        long pick = s->policy->pick(s->policy, &view, &gpus);
        if (pick < 0) {
            if (resize_step(s, sim, &view))
                continue;
            break;
        }
        DCS_ASSERT((size_t)pick < view.queue_len);
        start_job(s, sim, s->hooks.admit ? s->view_idx[pick] : (size_t)pick,
                  gpus);
    }
    if (held > 0 && s->hooks.retry_ns) {
        s->held += (int64_t)held;
        wake_at(s, sim, s->hooks.retry_ns(s->hooks.ctx, now));
    }
    if (s->policy->next_ns)
        wake_at(s, sim, s->policy->next_ns(s->policy, &view));
}

void dcs_sched_kick(dcs_sched_t *s, dcs_sim_t *sim)
{
    schedule(s, sim);
}

static void job_end(dcs_sim_t *sim, void *obj, int64_t arg)
{
    dcs_job_t *job = obj;
    dcs_sched_t *s = job->sched;
    dcs_time_t now = dcs_sim_now(sim);
    (void)arg;
    job->remaining_ns = 0;
    leave_gpus(s, job, now);
    job->state = DCS_JOB_DONE;
    job->end_ns = now;
    job->move_end = NULL;
    if (job->kind->ended)
        job->kind->ended(job, now);
    if (s->hooks.ended)
        s->hooks.ended(s->hooks.ctx, job, now);
    s->jobs_done++;
    s->last_end_ns = now;
    if (s->job_done)
        s->job_done(s->job_done_ctx, sim);
    schedule(s, sim);
}

void dcs_sched_submit(void *ctx, dcs_sim_t *sim, dcs_job_t *job)
{
    dcs_sched_t *s = ctx;
    job->gpu_model = -1;
    if (s->fleet->node_pool && job->gpu_type[0]) {
        job->gpu_model = dcs_fleet_pool_find(&s->fleet->spec, job->gpu_type);
        DCS_ASSERT(job->gpu_model >= 0); /* the world checks types at read */
    }
    int hopeless = s->hopeless && s->hopeless(s->hopeless_ctx, job);
    if (hopeless || (s->hooks.never && s->hooks.never(s->hooks.ctx, job))) {
        job->state = DCS_JOB_REFUSED;
        s->refused++;
        s->hopeless_refused += hopeless;
        if (s->job_done)
            s->job_done(s->job_done_ctx, sim);
        return;
    }
    queue_insert(s, job);
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
