/* serving.c - replicas stepping through batches, routing, hand-offs,
 * autoscaling. */
#include "workload/serving.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rng.h"

/* ---- int64 FIFO ------------------------------------------------------- */

static void iq_reserve(dcs_iq_t *q)
{
    if (q->head + q->len < q->cap)
        return;
    if (q->head > 0) {
        memmove(q->buf, q->buf + q->head, q->len * sizeof *q->buf);
        q->head = 0;
        if (q->len < q->cap)
            return;
    }
    size_t cap = q->cap ? 2 * q->cap : 16;
    int64_t *b = realloc(q->buf, cap * sizeof *b);
    DCS_ASSERT(b != NULL); /* out of memory mid-run */
    q->buf = b;
    q->cap = cap;
}

static void iq_push(dcs_iq_t *q, int64_t v)
{
    iq_reserve(q);
    q->buf[q->head + q->len++] = v;
}

static void iq_push_front(dcs_iq_t *q, int64_t v)
{
    if (q->head == 0) {
        iq_reserve(q);
        memmove(q->buf + q->head + 1, q->buf + q->head,
                q->len * sizeof *q->buf);
        q->head++;
    }
    q->buf[--q->head] = v;
    q->len++;
}

static int64_t iq_front(const dcs_iq_t *q)
{
    return q->buf[q->head];
}

static int64_t iq_pop(dcs_iq_t *q)
{
    int64_t v = q->buf[q->head++];
    q->len--;
    if (q->len == 0)
        q->head = 0;
    return v;
}

/* ---- the scenario section --------------------------------------------- */

static const char *const BATCHERS[] = {"static", "continuous", "chunked", NULL};
static const dcs_batcher_t *const BATCHER_OF[] = {
    &dcs_batcher_static, &dcs_batcher_continuous, &dcs_batcher_chunked};
static const char *const DTYPES[] = {"bf16", "fp8", NULL};
static const char *const PREEMPT[] = {"recompute", "swap", NULL};
static const char *const METRICS[] = {"queue", "slo", NULL};

static int read_router(dcs_cfg_node_t *map, int *router, dcs_err_t *err)
{
    const char *name = "least_outstanding";
    int rc = dcs_cfg_str(map, "router", DCS_CFG_OPTIONAL, &name, err);
    if (rc < 0)
        return rc;
    *router = dcs_router_find(name);
    if (*router < 0)
        return dcs_cfg_error(dcs_cfg_get(map, "router"), err,
                             "expected one of %s, found '%s'",
                             dcs_router_names(), name);
    return 0;
}

static int read_autoscale(dcs_cfg_node_t *a, dcs_serving_spec_t *s,
                          dcs_err_t *err)
{
    int64_t lo = 1, hi = 0;
    int metric = 0, rc;
    s->as_interval_s = 30;
    s->as_up_queue = 8;
    s->as_down_queue = 1;
    s->as_up_attainment = 0.9;
    if ((rc = dcs_cfg_i64(a, "min", DCS_CFG_OPTIONAL, 1, 100000, &lo, err)) <
            0 ||
        (rc = dcs_cfg_i64(a, "max", DCS_CFG_REQUIRED, 1, 100000, &hi, err)) <
            0 ||
        (rc = dcs_cfg_f64(a, "interval_s", DCS_CFG_OPTIONAL, 1e-3, 1e7,
                          &s->as_interval_s, err)) < 0 ||
        (rc = dcs_cfg_enum(a, "metric", DCS_CFG_OPTIONAL, METRICS, &metric,
                           err)) < 0 ||
        (rc = dcs_cfg_f64(a, "up_queue", DCS_CFG_OPTIONAL, 0, 1e9,
                          &s->as_up_queue, err)) < 0 ||
        (rc = dcs_cfg_f64(a, "down_queue", DCS_CFG_OPTIONAL, 0, 1e9,
                          &s->as_down_queue, err)) < 0 ||
        (rc = dcs_cfg_f64(a, "up_attainment", DCS_CFG_OPTIONAL, 0, 1,
                          &s->as_up_attainment, err)) < 0)
        return rc;
    if (lo > hi)
        return dcs_cfg_error(dcs_cfg_get(a, "min"), err,
                             "min %lld is above max %lld", (long long)lo,
                             (long long)hi);
    if (s->as_down_queue > s->as_up_queue)
        return dcs_cfg_error(dcs_cfg_get(a, "down_queue"), err,
                             "down_queue is above up_queue");
    s->autoscale = 1;
    s->as_min = (int)lo;
    s->as_max = (int)hi;
    s->as_slo = metric == 1;
    return 0;
}

int dcs_serving_read(dcs_cfg_node_t *map, const dcs_device_spec_t *dev,
                     int gpus_per_node, double fabric_bw, dcs_serving_spec_t *s,
                     dcs_err_t *err)
{
    memset(s, 0, sizeof *s);
    dcs_cfg_node_t *model = NULL, *slo = NULL, *dis = NULL, *as = NULL;
    int64_t replicas = 1, tp = 1, pre = 0, dec = 0, priority = 0;
    int wdt = 0, kdt = 0, batch = 1, preempt = 0, rc;
    double swap_gb = 25, kv_gb = 0;
    s->max_batch_tokens = 8192;
    s->max_seqs = 256;
    s->block_tokens = 16;
    s->gpu_memory_util = 0.9;
    s->slo_ttft_s = 2;
    s->slo_tpot_s = 0.1;
    if ((rc = dcs_cfg_map(map, "model", DCS_CFG_REQUIRED, &model, err)) < 0 ||
        (rc = dcs_model_read(model, &s->model, err)) < 0 ||
        (rc = dcs_cfg_i64(map, "replicas", DCS_CFG_OPTIONAL, 0, 100000,
                          &replicas, err)) < 0 ||
        (rc = dcs_cfg_i64(map, "tp", DCS_CFG_OPTIONAL, 1, 64, &tp, err)) < 0 ||
        (rc = dcs_cfg_enum(map, "weights", DCS_CFG_OPTIONAL, DTYPES, &wdt,
                           err)) < 0 ||
        (rc = dcs_cfg_enum(map, "kv_cache", DCS_CFG_OPTIONAL, DTYPES, &kdt,
                           err)) < 0 ||
        (rc = dcs_cfg_enum(map, "batching", DCS_CFG_OPTIONAL, BATCHERS, &batch,
                           err)) < 0 ||
        (rc = dcs_cfg_i64(map, "max_batch_tokens", DCS_CFG_OPTIONAL, 1, 1 << 24,
                          &s->max_batch_tokens, err)) < 0 ||
        (rc = dcs_cfg_i64(map, "max_seqs", DCS_CFG_OPTIONAL, 1, 1 << 16,
                          &s->max_seqs, err)) < 0 ||
        (rc = dcs_cfg_i64(map, "block_tokens", DCS_CFG_OPTIONAL, 1, 4096,
                          &s->block_tokens, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "gpu_memory_util", DCS_CFG_OPTIONAL, 0.05, 1,
                          &s->gpu_memory_util, err)) < 0 ||
        (rc = dcs_cfg_enum(map, "preemption", DCS_CFG_OPTIONAL, PREEMPT,
                           &preempt, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "swap_gb_per_s", DCS_CFG_OPTIONAL, 1e-3, 1e4,
                          &swap_gb, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "startup_s", DCS_CFG_OPTIONAL, 0, 1e6,
                          &s->startup_s, err)) < 0 ||
        (rc = dcs_cfg_i64(map, "priority", DCS_CFG_OPTIONAL, -1000000, 1000000,
                          &priority, err)) < 0 ||
        (rc = read_router(map, &s->router, err)) < 0 ||
        (rc = dcs_cfg_map(map, "slo", DCS_CFG_OPTIONAL, &slo, err)) < 0 ||
        (rc = dcs_cfg_map(map, "disaggregation", DCS_CFG_OPTIONAL, &dis, err)) <
            0 ||
        (rc = dcs_cfg_map(map, "autoscale", DCS_CFG_OPTIONAL, &as, err)) < 0)
        return rc;
    s->priority = (int)priority;
    if (slo && ((rc = dcs_cfg_f64(slo, "ttft_s", DCS_CFG_OPTIONAL, 1e-6, 1e6,
                                  &s->slo_ttft_s, err)) < 0 ||
                (rc = dcs_cfg_f64(slo, "tpot_s", DCS_CFG_OPTIONAL, 1e-6, 1e6,
                                  &s->slo_tpot_s, err)) < 0))
        return rc;
    if (dis && ((rc = dcs_cfg_i64(dis, "prefill", DCS_CFG_REQUIRED, 1, 100000,
                                  &pre, err)) < 0 ||
                (rc = dcs_cfg_i64(dis, "decode", DCS_CFG_REQUIRED, 1, 100000,
                                  &dec, err)) < 0 ||
                (rc = dcs_cfg_f64(dis, "kv_gb_per_s", DCS_CFG_OPTIONAL, 1e-3,
                                  1e5, &kv_gb, err)) < 0))
        return rc;
    if (as && (rc = read_autoscale(as, s, err)) < 0)
        return rc;
    if (as && dis &&
        (pre < s->as_min || dec < s->as_min || pre > s->as_max ||
         dec > s->as_max))
        return dcs_cfg_error(dcs_cfg_get(map, "disaggregation"), err,
                             "%lld prefill and %lld decode replicas at the "
                             "start, outside the autoscaler's [%d, %d] per "
                             "role",
                             (long long)pre, (long long)dec, s->as_min,
                             s->as_max);
    if (tp > gpus_per_node)
        return dcs_cfg_error(dcs_cfg_get(map, "tp"), err,
                             "tp %lld is larger than a node (%d GPUs)",
                             (long long)tp, gpus_per_node);
    s->replicas = dis ? (int)(pre + dec) : (int)replicas;
    if (s->replicas < 1 && !as)
        return dcs_cfg_error(dcs_cfg_get(map, "replicas"), err,
                             "at least one replica");
    if (as && s->replicas < s->as_min)
        s->replicas = s->as_min;
    s->prefill_replicas = (int)pre;
    s->decode_replicas = (int)dec;
    s->batcher = BATCHER_OF[batch];
    s->swap = preempt == 1;
    s->swap_bytes_per_s = swap_gb * 1e9;
    s->kv_bytes_per_s = kv_gb > 0       ? kv_gb * 1e9
                        : fabric_bw > 0 ? fabric_bw
                                        : dev->link_bw_bytes_per_s;
    s->price = (dcs_serve_replica_t){.model = &s->model,
                                     .dev = dev,
                                     .tp = tp,
                                     .weight_fp8 = wdt == 1,
                                     .kv_fp8 = kdt == 1};
    char msg[256];
    if (dcs_serve_check(&s->price, msg, sizeof msg) < 0)
        return dcs_cfg_error(map, err, "%s", msg);
    /* ASSUMPTION: activations and the engine's workspace take 5 % of the
     * GPU (vLLM profiles them at start; a few GiB for an 8B model). */
    s->kv_tokens = dcs_serve_kv_capacity_tokens(
        &s->price, s->gpu_memory_util, 0.05 * (double)dev->memory_bytes);
    if (s->kv_tokens < s->block_tokens)
        return dcs_cfg_error(dcs_cfg_get(map, "model"), err,
                             "model '%s' leaves no room for a KV cache on "
                             "%lld x %s at gpu_memory_util %.2f",
                             s->model.name, (long long)tp, dev->name,
                             s->gpu_memory_util);
    return 0;
}

/* ---- replicas --------------------------------------------------------- */

static void try_step(dcs_serving_t *sv, dcs_replica_t *r);
static void dispatch_pending(dcs_serving_t *sv);

static dcs_time_t far_future(void)
{
    return (dcs_time_t)1 << 60;
}

/* The replica's GPUs at busy (stepping) or idle power from now; only
 * changes of state touch the fleet. */
static void set_power(dcs_serving_t *sv, dcs_replica_t *r, int busy)
{
    if (r->drawing == busy)
        return;
    r->drawing = busy;
    double watts = busy ? sv->spec.price.dev->busy_power_w
                        : sv->spec.price.dev->idle_power_w;
    dcs_time_t now = dcs_sim_now(sv->sim);
    for (int i = 0; i < r->job->gpus; i++)
        dcs_fleet_set_power(sv->fleet, now, r->job->gpu_ids[i], watts);
}

static void accept_now(dcs_sim_t *sim, void *obj, int64_t arg)
{
    dcs_serving_t *sv = obj;
    dcs_replica_t *r = sv->replicas[arg];
    (void)sim;
    if (!r->started || r->draining)
        return;
    r->accepting = 1;
    dispatch_pending(sv);
}

/* The serving of a replica's job, found from its work pointer. */
typedef struct replica_work {
    dcs_serving_t *sv;
    dcs_replica_t *r;
} replica_work_t;

static dcs_time_t replica_run_time_ns(const dcs_job_t *job, const int *gpu_ids)
{
    replica_work_t *w = job->work;
    dcs_serving_t *sv = w->sv;
    dcs_replica_t *r = w->r;
    (void)gpu_ids;
    dcs_time_t now = dcs_sim_now(sv->sim);
    r->started = 1;
    r->started_ns = now;
    ((dcs_job_t *)job)->power_w = sv->spec.price.dev->idle_power_w;
    if (sv->done == (int64_t)sv->requests->len)
        return 1; /* nothing left to serve */
    dcs_time_t up = dcs_time_from_s(sv->spec.startup_s);
    DCS_ASSERT(dcs_sim_after(sv->sim, up, accept_now, sv, r->index) != 0);
    return far_future();
}

static const dcs_job_kind_t kind_replica = {.name = "serving",
                                            .run_time_ns = replica_run_time_ns};

static dcs_replica_t *add_replica(dcs_serving_t *sv, dcs_replica_role_t role)
{
    const dcs_serving_spec_t *s = &sv->spec;
    if (sv->nreplicas == sv->cap_replicas) {
        int cap = sv->cap_replicas ? 2 * sv->cap_replicas : 8;
        dcs_replica_t **p = realloc(sv->replicas, (size_t)cap * sizeof *p);
        DCS_ASSERT(p != NULL);
        sv->replicas = p;
        sv->cap_replicas = cap;
    }
    dcs_replica_t *r = calloc(1, sizeof *r);
    replica_work_t *w = calloc(1, sizeof *w);
    DCS_ASSERT(r != NULL && w != NULL);
    r->index = sv->nreplicas;
    r->role = role;
    r->ended_ns = -1;
    dcs_kv_config_t kc;
    dcs_kv_config_default(&kc);
    kc.block_tokens = (int)s->block_tokens;
    kc.total_blocks = s->kv_tokens / s->block_tokens;
    kc.max_seqs = (int)(2 * s->max_seqs + 16); /* running and swapped */
    double per_gpu = dcs_serve_kv_bytes_per_token(&s->price);
    kc.block_bytes =
        (uint64_t)(per_gpu * (double)s->price.tp * (double)s->block_tokens);
    /* vLLM's swap space: 4 GiB per GPU */
    kc.host_blocks = s->swap ? (int64_t)(4.0 * (1 << 30) * (double)s->price.tp /
                                         (double)kc.block_bytes)
                             : 0;
    DCS_ASSERT(dcs_kv_init(&r->kv, &kc) == 0);
    r->nfree_slots = kc.max_seqs;
    r->free_slots = malloc((size_t)kc.max_seqs * sizeof *r->free_slots);
    r->running = malloc((size_t)kc.max_seqs * sizeof *r->running);
    r->plan = malloc((size_t)kc.max_seqs * sizeof *r->plan);
    DCS_ASSERT(r->free_slots && r->running && r->plan);
    for (int i = 0; i < kc.max_seqs; i++)
        r->free_slots[i] = kc.max_seqs - 1 - i;
    sv->replicas[sv->nreplicas++] = r;
    /* its job */
    dcs_job_t *job = dcs_jobs_add(sv->jobs, sv->job_ids++);
    DCS_ASSERT(job != NULL);
    job->kind = &kind_replica;
    job->gpus = (int)s->price.tp;
    job->duration_ns = far_future();
    job->priority = s->priority;
    snprintf(job->gpu_type, sizeof job->gpu_type, "%s", s->gpu_type);
    w->sv = sv;
    w->r = r;
    job->work = w;
    snprintf(job->team, sizeof job->team, "serving");
    snprintf(job->name, sizeof job->name, "replica-%d%s", r->index,
             role == DCS_ROLE_PREFILL  ? "-prefill"
             : role == DCS_ROLE_DECODE ? "-decode"
                                       : "");
    job->submit_ns = dcs_sim_now(sv->sim);
    r->job = job;
    sv->sink(sv->sink_ctx, sv->sim, job);
    return r;
}

/* The replica's job ends now. */
static void end_replica(dcs_serving_t *sv, dcs_replica_t *r)
{
    if (!r->started || r->ended_ns >= 0)
        return;
    r->accepting = 0;
    r->ended_ns = dcs_sim_now(sv->sim);
    r->job->move_end(r->job, r->ended_ns);
}

/* ---- routing ---------------------------------------------------------- */

static int route(dcs_serving_t *sv, dcs_router_t *router,
                 dcs_replica_role_t role)
{
    for (int i = 0; i < sv->nreplicas; i++) {
        dcs_replica_t *r = sv->replicas[i];
        sv->loads[i] =
            (dcs_replica_load_t){.accepting = r->accepting && r->role == role,
                                 .outstanding = r->outstanding,
                                 .kv_used = dcs_kv_usage(&r->kv)};
    }
    return dcs_router_pick(router, sv->loads, sv->nreplicas);
}

static void enqueue(dcs_serving_t *sv, int64_t q, int i)
{
    dcs_replica_t *r = sv->replicas[i];
    dcs_sreq_t *x = &sv->reqs[q];
    x->replica = i;
    if (x->first_replica < 0)
        x->first_replica = i;
    x->state = DCS_SREQ_WAITING;
    r->outstanding++;
    iq_push(&r->waiting, q);
    try_step(sv, r);
}

static void grow_loads(dcs_serving_t *sv)
{
    dcs_replica_load_t *l =
        realloc(sv->loads, (size_t)sv->cap_replicas * sizeof *l);
    DCS_ASSERT(l != NULL);
    sv->loads = l;
}

static dcs_replica_role_t entry_role(const dcs_serving_t *sv)
{
    return sv->spec.prefill_replicas > 0 ? DCS_ROLE_PREFILL : DCS_ROLE_BOTH;
}

static void dispatch_pending(dcs_serving_t *sv)
{
    while (sv->pending.len > 0) {
        int i = route(sv, &sv->router, entry_role(sv));
        if (i < 0)
            return;
        enqueue(sv, iq_pop(&sv->pending), i);
    }
}

static void arrive(dcs_sim_t *sim, void *obj, int64_t q)
{
    dcs_serving_t *sv = obj;
    (void)sim;
    sv->next_arrival = q + 1;
    if ((size_t)(q + 1) < sv->requests->len)
        DCS_ASSERT(dcs_sim_at(sv->sim, sv->requests->items[q + 1].arrival_ns,
                              arrive, sv, q + 1) != 0);
    if (sv->reqs[q].state == DCS_SREQ_DONE)
        return; /* refused: too long for the KV cache */
    iq_push(&sv->pending, q);
    dispatch_pending(sv);
}

/* ---- admission, preemption, planning ---------------------------------- */

static void running_remove(dcs_replica_t *r, int64_t q)
{
    for (size_t i = r->nrunning; i-- > 0;)
        if (r->running[i] == q) {
            memmove(&r->running[i], &r->running[i + 1],
                    (r->nrunning - i - 1) * sizeof *r->running);
            r->nrunning--;
            return;
        }
    DCS_ASSERT(0); /* q was running here */
}

static void free_slot(dcs_replica_t *r, dcs_sreq_t *x)
{
    r->free_slots[r->nfree_slots++] = x->slot;
    x->slot = -1;
}

int dcs_serving_admit_head(dcs_serving_t *sv, dcs_replica_t *r)
{
    if (r->waiting.len == 0 || r->nfree_slots == 0 ||
        (int64_t)r->nrunning >= sv->spec.max_seqs)
        return 0;
    int64_t q = iq_front(&r->waiting);
    dcs_sreq_t *x = &sv->reqs[q];
    if (!dcs_kv_can_admit(&r->kv, x->goal))
        return 0;
    iq_pop(&r->waiting);
    x->slot = r->free_slots[--r->nfree_slots];
    int rc = dcs_kv_admit(&r->kv, x->slot, x->goal);
    DCS_ASSERT(rc == 0);
    x->state = x->prefilled < x->goal ? DCS_SREQ_PREFILL : DCS_SREQ_DECODE;
    r->running[r->nrunning++] = q;
    return 1;
}

/* Preempts running request `q` (the newest): recompute or swap. */
static void preempt(dcs_serving_t *sv, dcs_replica_t *r, int64_t q)
{
    dcs_sreq_t *x = &sv->reqs[q];
    running_remove(r, q);
    x->preemptions++;
    uint64_t bytes = 0;
    if (sv->spec.swap &&
        dcs_kv_preempt(&r->kv, x->slot, DCS_KV_SWAP, &bytes) == 0) {
        x->state = DCS_SREQ_SWAPPED;
        r->swap_bytes += (double)bytes;
        iq_push(&r->swapped, q);
        return;
    }
    int rc = dcs_kv_preempt(&r->kv, x->slot, DCS_KV_RECOMPUTE, NULL);
    DCS_ASSERT(rc == 0);
    free_slot(r, x);
    /* it prefills again what it had: prompt and tokens generated */
    x->goal = x->req->input_tokens + x->generated;
    x->prefilled = 0;
    x->state = DCS_SREQ_WAITING;
    iq_push_front(&r->waiting, q);
}

int64_t dcs_serving_plan_decodes(dcs_serving_t *sv, dcs_replica_t *r,
                                 int64_t max)
{
    int64_t n = 0;
    for (size_t i = 0; i < r->nrunning && n < max;) {
        int64_t q = r->running[i];
        dcs_sreq_t *x = &sv->reqs[q];
        if (x->state != DCS_SREQ_DECODE) {
            i++;
            continue;
        }
        /* this step feeds its last token: its context grows by one */
        int64_t need = x->req->input_tokens + x->generated;
        int gone = 0;
        while (dcs_kv_grow(&r->kv, x->slot, need) == DCS_KV_FULL) {
            /* the newest running request gives way (maybe q itself) */
            int64_t v = r->running[r->nrunning - 1];
            preempt(sv, r, v);
            if (v == q) {
                gone = 1;
                break;
            }
        }
        if (gone)
            break; /* q was the newest: nothing after it */
        r->plan[r->nplan++] = (dcs_step_entry_t){q, 0};
        n++;
        i++;
    }
    return n;
}

void dcs_serving_plan_chunk(dcs_serving_t *sv, dcs_replica_t *r, int64_t q,
                            int64_t tokens)
{
    (void)sv;
    DCS_ASSERT(tokens > 0);
    r->plan[r->nplan++] = (dcs_step_entry_t){q, tokens};
}

/* Swapped requests come back, oldest first, while their blocks fit. */
static void swap_in(dcs_serving_t *sv, dcs_replica_t *r)
{
    while (r->swapped.len > 0 && (int64_t)r->nrunning < sv->spec.max_seqs) {
        int64_t q = iq_front(&r->swapped);
        dcs_sreq_t *x = &sv->reqs[q];
        if (!dcs_kv_can_swap_in(&r->kv, x->slot))
            return;
        uint64_t bytes = 0;
        int rc = dcs_kv_swap_in(&r->kv, x->slot, &bytes);
        DCS_ASSERT(rc == 0);
        r->swap_bytes += (double)bytes;
        iq_pop(&r->swapped);
        x->state = x->prefilled < x->goal ? DCS_SREQ_PREFILL : DCS_SREQ_DECODE;
        r->running[r->nrunning++] = q;
    }
}

/* ---- steps ------------------------------------------------------------ */

static void step_end(dcs_sim_t *sim, void *obj, int64_t arg);

/* Seconds the planned step takes. */
static double price_plan(dcs_serving_t *sv, dcs_replica_t *r)
{
    if (sv->chunks_cap < r->nplan) {
        dcs_serve_chunk_t *c = realloc(sv->chunks, r->nplan * sizeof *c);
        DCS_ASSERT(c != NULL);
        sv->chunks = c;
        sv->chunks_cap = r->nplan;
    }
    dcs_serve_batch_t b = {.prefill = sv->chunks};
    for (size_t i = 0; i < r->nplan; i++) {
        const dcs_sreq_t *x = &sv->reqs[r->plan[i].req];
        if (r->plan[i].tokens > 0) {
            sv->chunks[b.nprefill++] = (dcs_serve_chunk_t){
                .tokens = r->plan[i].tokens,
                .cached = x->prefilled,
                .partial = x->prefilled + r->plan[i].tokens < x->goal};
        } else {
            b.decodes++;
            b.decode_kv_tokens += x->req->input_tokens + x->generated;
        }
    }
    double s = dcs_serve_step_s(&sv->spec.price, &b, NULL);
    /* swaps over the host link, each GPU its shard (not overlapped) */
    s +=
        r->swap_bytes / ((double)sv->spec.price.tp * sv->spec.swap_bytes_per_s);
    return s;
}

static void try_step(dcs_serving_t *sv, dcs_replica_t *r)
{
    if (r->busy || !r->started || r->ended_ns >= 0)
        return;
    r->nplan = 0;
    r->swap_bytes = 0;
    swap_in(sv, r);
    sv->spec.batcher->form(sv, r);
    if (r->nplan == 0) {
        if (r->draining && r->outstanding == 0)
            end_replica(sv, r);
        return;
    }
    double s = price_plan(sv, r);
    dcs_time_t d = dcs_time_from_s(s);
    r->busy = 1;
    r->busy_ns += d > 0 ? d : 1;
    r->steps++;
    set_power(sv, r, 1);
    DCS_ASSERT(dcs_sim_after(sv->sim, d > 0 ? d : 1, step_end, sv, r->index) !=
               0);
}

static void finish(dcs_serving_t *sv, dcs_replica_t *r, int64_t q)
{
    dcs_sreq_t *x = &sv->reqs[q];
    dcs_time_t now = dcs_sim_now(sv->sim);
    running_remove(r, q);
    dcs_kv_release(&r->kv, x->slot);
    free_slot(r, x);
    x->state = DCS_SREQ_DONE;
    x->end_ns = now;
    r->outstanding--;
    sv->done++;
    sv->win_done++;
    sv->win_ok += dcs_serving_meets_slo(sv, x);
    sv->win_ttft_ok += dcs_sreq_ttft_s(x) <= sv->spec.slo_ttft_s;
    sv->win_tpot_ok += dcs_sreq_tpot_s(x) <= sv->spec.slo_tpot_s;
}

double dcs_sreq_ttft_s(const dcs_sreq_t *x)
{
    return dcs_time_to_s(x->first_ns - x->req->arrival_ns);
}

double dcs_sreq_tpot_s(const dcs_sreq_t *x)
{
    return x->generated > 1 ? dcs_time_to_s(x->end_ns - x->first_ns) /
                                  (double)(x->generated - 1)
                            : 0;
}

int dcs_serving_meets_slo(const dcs_serving_t *sv, const dcs_sreq_t *x)
{
    return x->state == DCS_SREQ_DONE && x->end_ns >= 0 &&
           dcs_sreq_ttft_s(x) <= sv->spec.slo_ttft_s &&
           dcs_sreq_tpot_s(x) <= sv->spec.slo_tpot_s;
}

static void transfer_done(dcs_sim_t *sim, void *obj, int64_t q)
{
    dcs_serving_t *sv = obj;
    (void)sim;
    int i = route(sv, &sv->decode_router, DCS_ROLE_DECODE);
    DCS_ASSERT(i >= 0); /* decode replicas never leave */
    enqueue(sv, q, i);
}

/* A prefill replica hands a request's KV cache to a decode replica. */
static void hand_off(dcs_serving_t *sv, dcs_replica_t *r, int64_t q)
{
    dcs_sreq_t *x = &sv->reqs[q];
    running_remove(r, q);
    dcs_kv_release(&r->kv, x->slot);
    free_slot(r, x);
    r->outstanding--;
    x->state = DCS_SREQ_TRANSFER;
    double bytes =
        (double)x->goal * dcs_serve_kv_bytes_per_token(&sv->spec.price);
    sv->kv_bytes_moved += bytes * (double)sv->spec.price.tp;
    dcs_time_t d = dcs_time_from_s(bytes / sv->spec.kv_bytes_per_s);
    DCS_ASSERT(dcs_sim_after(sv->sim, d > 0 ? d : 1, transfer_done, sv, q) !=
               0);
}

static void all_done(dcs_serving_t *sv)
{
    for (int i = 0; i < sv->nreplicas; i++)
        end_replica(sv, sv->replicas[i]);
}

static void step_end(dcs_sim_t *sim, void *obj, int64_t arg)
{
    dcs_serving_t *sv = obj;
    dcs_replica_t *r = sv->replicas[arg];
    dcs_time_t now = dcs_sim_now(sim);
    r->busy = 0;
    for (size_t i = 0; i < r->nplan; i++) {
        int64_t q = r->plan[i].req;
        dcs_sreq_t *x = &sv->reqs[q];
        if (x->state != DCS_SREQ_PREFILL && x->state != DCS_SREQ_DECODE)
            continue;
        if (r->plan[i].tokens > 0) {
            x->prefilled += r->plan[i].tokens;
            if (x->prefilled < x->goal)
                continue;
            x->state = DCS_SREQ_DECODE; /* the prompt is in: a token */
        }
        x->generated++;
        if (x->first_ns < 0)
            x->first_ns = now;
        if (x->generated >= x->req->output_tokens)
            finish(sv, r, q);
        else if (r->role == DCS_ROLE_PREFILL)
            hand_off(sv, r, q);
    }
    r->nplan = 0;
    if (sv->done == (int64_t)sv->requests->len) {
        all_done(sv);
        return;
    }
    try_step(sv, r);
    if (!r->busy && r->ended_ns < 0)
        set_power(sv, r, 0);
}

/* ---- autoscaling ------------------------------------------------------ */

/* What the autoscaler sees of the live replicas of one role. */
typedef struct role_view {
    int live, accepting;
    int64_t waiting;       /* queued at them, and (entry role) for any */
    dcs_replica_t *idlest; /* accepting, fewest outstanding */
} role_view_t;

static role_view_t view_role(const dcs_serving_t *sv, dcs_replica_role_t role)
{
    role_view_t v = {0, 0, 0, NULL};
    if (role == entry_role(sv))
        v.waiting = (int64_t)sv->pending.len;
    for (int i = 0; i < sv->nreplicas; i++) {
        dcs_replica_t *r = sv->replicas[i];
        if (r->role != role || r->draining || r->ended_ns >= 0)
            continue;
        v.live++;
        v.waiting += (int64_t)r->waiting.len;
        if (r->accepting) {
            v.accepting++;
            if (!v.idlest || r->outstanding < v.idlest->outstanding)
                v.idlest = r;
        }
    }
    return v;
}

/* Adds or drains one replica of `role` as the last interval says: `ok` of
 * its win_done requests met the role's part of the SLO. A drained prefill
 * (or undivided) replica's queue goes back to the others; a decode
 * replica's queued requests already hold their KV cache there, so it
 * serves them before it ends. Returns the role's live replicas after. */
static int scale_role(dcs_serving_t *sv, dcs_replica_role_t role, int64_t ok)
{
    const dcs_serving_spec_t *s = &sv->spec;
    role_view_t v = view_role(sv, role);
    double per = (double)v.waiting / (v.accepting > 0 ? v.accepting : 1);
    double att = sv->win_done > 0 ? (double)ok / (double)sv->win_done : 1.0;
    int up = s->as_slo ? att < s->as_up_attainment && sv->win_done > 0
                       : per > s->as_up_queue;
    int down =
        per < s->as_down_queue && (!s->as_slo || att >= s->as_up_attainment);
    if (up && v.live < s->as_max) {
        add_replica(sv, role);
        grow_loads(sv);
        sv->scale_ups++;
        return v.live + 1;
    }
    if (!down || up || v.live <= s->as_min || v.accepting != v.live ||
        !v.idlest)
        return v.live;
    dcs_replica_t *r = v.idlest;
    r->accepting = 0;
    r->draining = 1;
    sv->scale_downs++;
    while (role != DCS_ROLE_DECODE && r->waiting.len > 0) {
        int64_t q = iq_pop(&r->waiting);
        r->outstanding--;
        sv->reqs[q].state = DCS_SREQ_PENDING;
        iq_push(&sv->pending, q);
    }
    if (r->outstanding == 0 && !r->busy)
        end_replica(sv, r);
    dispatch_pending(sv);
    return v.live;
}

/* Every interval_s: each role (prefill and decode when disaggregated, on
 * time to first token and time per output token; else the one role, on
 * both) grows or shrinks by at most one replica within [min, max]. */
static void autoscale(dcs_sim_t *sim, void *obj, int64_t arg)
{
    dcs_serving_t *sv = obj;
    const dcs_serving_spec_t *s = &sv->spec;
    (void)arg;
    if (sv->done == (int64_t)sv->requests->len)
        return;
    int live = s->prefill_replicas > 0
                   ? scale_role(sv, DCS_ROLE_PREFILL, sv->win_ttft_ok) +
                         scale_role(sv, DCS_ROLE_DECODE, sv->win_tpot_ok)
                   : scale_role(sv, DCS_ROLE_BOTH, sv->win_ok);
    if (live > sv->peak_replicas)
        sv->peak_replicas = live;
    sv->win_done = sv->win_ok = sv->win_ttft_ok = sv->win_tpot_ok = 0;
    DCS_ASSERT(dcs_sim_after(sim, dcs_time_from_s(s->as_interval_s), autoscale,
                             sv, 0) != 0);
}

/* ---- start and end ---------------------------------------------------- */

int dcs_serving_start(dcs_serving_t *sv, const dcs_serving_spec_t *spec,
                      const dcs_requests_t *requests, dcs_sim_t *sim,
                      dcs_fleet_t *fleet, uint64_t seed, dcs_jobs_t *jobs,
                      int64_t first_job_id, dcs_serving_sink_fn sink,
                      void *sink_ctx)
{
    memset(sv, 0, sizeof *sv);
    sv->spec = *spec;
    sv->spec.price.model = &sv->spec.model;
    sv->requests = requests;
    sv->sim = sim;
    sv->fleet = fleet;
    sv->jobs = jobs;
    sv->sink = sink;
    sv->sink_ctx = sink_ctx;
    sv->job_ids = first_job_id;
    sv->reqs = calloc(requests->len ? requests->len : 1, sizeof *sv->reqs);
    if (!sv->reqs)
        return DCS_ENOMEM;
    for (size_t i = 0; i < requests->len; i++)
        sv->reqs[i] = (dcs_sreq_t){.req = &requests->items[i],
                                   .replica = -1,
                                   .first_replica = -1,
                                   .slot = -1,
                                   .goal = requests->items[i].input_tokens,
                                   .first_ns = -1,
                                   .end_ns = -1};
    /* a request that could never fit one replica's KV cache, even alone,
     * is refused at once (vLLM refuses prompts longer than it can hold) */
    for (size_t i = 0; i < requests->len; i++) {
        const dcs_request_t *q = &requests->items[i];
        int64_t most = (int64_t)q->input_tokens + q->output_tokens;
        int64_t blocks = (most + spec->block_tokens - 1) / spec->block_tokens;
        if (blocks * spec->block_tokens > spec->kv_tokens * 99 / 100) {
            sv->reqs[i].state = DCS_SREQ_DONE;
            sv->rejected++;
            sv->done++;
        }
    }
    if (dcs_router_init(&sv->router, spec->router, seed) < 0 ||
        dcs_router_init(&sv->decode_router, DCS_ROUTER_LEAST_KV, seed) < 0)
        return DCS_ENOMEM;
    for (int i = 0; i < spec->replicas; i++)
        add_replica(sv, i < spec->prefill_replicas   ? DCS_ROLE_PREFILL
                        : spec->prefill_replicas > 0 ? DCS_ROLE_DECODE
                                                     : DCS_ROLE_BOTH);
    grow_loads(sv);
    sv->peak_replicas = spec->replicas;
    if (requests->len > 0)
        DCS_ASSERT(
            dcs_sim_at(sim, requests->items[0].arrival_ns, arrive, sv, 0) != 0);
    if (spec->autoscale)
        DCS_ASSERT(dcs_sim_after(sim, dcs_time_from_s(spec->as_interval_s),
                                 autoscale, sv, 0) != 0);
    return 0;
}

int dcs_serving_is_replica(const dcs_job_t *job)
{
    return job->kind == &kind_replica;
}

void dcs_serving_destroy(dcs_serving_t *sv)
{
    for (int i = 0; i < sv->nreplicas; i++) {
        dcs_replica_t *r = sv->replicas[i];
        dcs_kv_destroy(&r->kv);
        free(r->free_slots);
        free(r->running);
        free(r->plan);
        free(r->waiting.buf);
        free(r->swapped.buf);
        free(r->job->work);
        r->job->work = NULL;
        free(r);
    }
    free(sv->replicas);
    free(sv->reqs);
    free(sv->pending.buf);
    free(sv->chunks);
    free(sv->loads);
    dcs_router_destroy(&sv->router);
    dcs_router_destroy(&sv->decode_router);
    memset(sv, 0, sizeof *sv);
}
