/* flow.c - max-min fair sharing of links among flows, solved per connected
 * component at the end of each instant that changed something.
 *
 * Bookkeeping: every link keeps the list of flows on it (each flow knows
 * its position in each list, so removal is O(1)); a flow's remaining bytes
 * are brought up to date only when its rate changes. Marks use epoch
 * counters, so no array is cleared between solves. */
#include "net/flow.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/error.h"

typedef struct flow {
    int nlinks;
    int links[DCS_MAX_HOPS];
    int pos[DCS_MAX_HOPS]; /* index in each link's flow list */
    double bytes;          /* total */
    double remaining;      /* as of updated_ns */
    double rate;           /* bytes/s */
    dcs_time_t updated_ns;
    int64_t latency_ns; /* route latency, added after draining */
    dcs_event_id_t drain_ev;
    dcs_event_id_t arrive_ev; /* after draining, until it arrives */
    dcs_flow_done_fn on_done;
    void *ctx;
    uint64_t hash; /* ECMP choice */
    int src, dst;
    int active;    /* on its links */
    int live;      /* started, not yet arrived nor cancelled */
    uint32_t mark; /* epoch of the last component it joined */
    int frozen;    /* solve scratch */
} flow_t;

typedef struct heap_entry {
    double share;
    int link;
    uint32_t version;
} heap_entry_t;

struct dcs_net {
    dcs_sim_t *sim;
    dcs_topo_t *topo;
    flow_t *flows;
    size_t nflows, cap;
    int **lflows; /* per link: flows on it */
    int *lcount, *lcap;
    uint32_t *lmark; /* per link: epoch of last component / dirty mark */
    uint32_t epoch;
    int *dirty; /* links changed since the last solve */
    size_t ndirty;
    uint32_t *ldirty; /* per link: 1 when in `dirty` */
    int solve_pending;
    /* solve scratch */
    int *comp_links, *comp_flows;
    size_t ncomp_links, ncomp_flows, comp_flows_cap;
    double *cap_left;
    int *unfrozen;
    uint32_t *version;
    heap_entry_t *heap;
    size_t nheap, heap_cap;
    dcs_net_stats_t stats;
    int reuse;         /* 1: ids of arrived flows are given out again */
    int64_t *free_ids; /* slots free for reuse */
    size_t nfree, free_cap;
};

dcs_net_t *dcs_net_new(dcs_sim_t *sim, dcs_topo_t *topo)
{
    dcs_net_t *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    size_t L = (size_t)topo->nlinks;
    n->sim = sim;
    n->topo = topo;
    n->lflows = calloc(L, sizeof *n->lflows);
    n->lcount = calloc(L, sizeof *n->lcount);
    n->lcap = calloc(L, sizeof *n->lcap);
    n->lmark = calloc(L, sizeof *n->lmark);
    n->dirty = malloc(L * sizeof *n->dirty);
    n->ldirty = calloc(L, sizeof *n->ldirty);
    n->comp_links = malloc(L * sizeof *n->comp_links);
    n->cap_left = malloc(L * sizeof *n->cap_left);
    n->unfrozen = malloc(L * sizeof *n->unfrozen);
    n->version = calloc(L, sizeof *n->version);
    if (!n->lflows || !n->lcount || !n->lcap || !n->lmark || !n->dirty ||
        !n->ldirty || !n->comp_links || !n->cap_left || !n->unfrozen ||
        !n->version) {
        dcs_net_free(n);
        return NULL;
    }
    return n;
}

void dcs_net_free(dcs_net_t *n)
{
    if (!n)
        return;
    if (n->lflows)
        for (int l = 0; l < n->topo->nlinks; l++)
            free(n->lflows[l]);
    free(n->lflows);
    free(n->lcount);
    free(n->lcap);
    free(n->lmark);
    free(n->dirty);
    free(n->ldirty);
    free(n->comp_links);
    free(n->comp_flows);
    free(n->cap_left);
    free(n->unfrozen);
    free(n->version);
    free(n->heap);
    free(n->flows);
    free(n->free_ids);
    free(n);
}

static void mark_dirty(dcs_net_t *n, int link)
{
    if (!n->ldirty[link]) {
        n->ldirty[link] = 1;
        n->dirty[n->ndirty++] = link;
    }
}

static int link_add(dcs_net_t *n, int link, int flow)
{
    if (n->lcount[link] == n->lcap[link]) {
        int cap = n->lcap[link] ? 2 * n->lcap[link] : 4;
        int *a = realloc(n->lflows[link], (size_t)cap * sizeof *a);
        if (!a)
            return DCS_ENOMEM;
        n->lflows[link] = a;
        n->lcap[link] = cap;
    }
    n->lflows[link][n->lcount[link]] = flow;
    return n->lcount[link]++;
}

/* Removes flow f's i-th link membership (swap with the last). */
static void link_remove(dcs_net_t *n, int f, int i)
{
    flow_t *fl = &n->flows[f];
    int link = fl->links[i], pos = fl->pos[i];
    int last = n->lflows[link][--n->lcount[link]];
    n->lflows[link][pos] = last;
    if (last != f) {
        flow_t *other = &n->flows[last];
        for (int j = 0; j < other->nlinks; j++)
            if (other->links[j] == link) {
                other->pos[j] = pos;
                break;
            }
    }
    mark_dirty(n, link);
}

static int attach(dcs_net_t *n, int f)
{
    flow_t *fl = &n->flows[f];
    for (int i = 0; i < fl->nlinks; i++) {
        int pos = link_add(n, fl->links[i], f);
        if (pos < 0)
            return DCS_ENOMEM;
        n->flows[f].pos[i] = pos; /* flows may have moved: re-index */
        mark_dirty(n, fl->links[i]);
    }
    n->flows[f].active = 1;
    return 0;
}

static void detach(dcs_net_t *n, int f)
{
    flow_t *fl = &n->flows[f];
    for (int i = 0; i < fl->nlinks; i++)
        link_remove(n, f, i);
    fl->active = 0;
}

/* Brings a flow's remaining bytes up to now. */
static void catch_up(dcs_net_t *n, flow_t *fl)
{
    dcs_time_t now = dcs_sim_now(n->sim);
    fl->remaining -= fl->rate * (double)(now - fl->updated_ns) / 1e9;
    if (fl->remaining < 0)
        fl->remaining = 0;
    fl->updated_ns = now;
}

/* ---- the lazy heap of link fair shares --------------------------------- */

static int heap_push(dcs_net_t *n, double share, int link)
{
    if (n->nheap == n->heap_cap) {
        size_t cap = n->heap_cap ? 2 * n->heap_cap : 1024;
        heap_entry_t *h = realloc(n->heap, cap * sizeof *h);
        if (!h)
            return DCS_ENOMEM;
        n->heap = h;
        n->heap_cap = cap;
    }
    heap_entry_t e = {share, link, n->version[link]};
    size_t i = n->nheap++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (n->heap[p].share < e.share ||
            (n->heap[p].share == e.share && n->heap[p].link <= e.link))
            break;
        n->heap[i] = n->heap[p];
        i = p;
    }
    n->heap[i] = e;
    return 0;
}

static heap_entry_t heap_pop(dcs_net_t *n)
{
    heap_entry_t top = n->heap[0], e = n->heap[--n->nheap];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n->nheap)
            break;
        if (c + 1 < n->nheap && (n->heap[c + 1].share < n->heap[c].share ||
                                 (n->heap[c + 1].share == n->heap[c].share &&
                                  n->heap[c + 1].link < n->heap[c].link)))
            c++;
        if (e.share < n->heap[c].share ||
            (e.share == n->heap[c].share && e.link <= n->heap[c].link))
            break;
        n->heap[i] = n->heap[c];
        i = c;
    }
    if (n->nheap)
        n->heap[i] = e;
    return top;
}

static void drained(dcs_sim_t *sim, void *obj, int64_t arg);

/* Collects the component of the dirty links, then progressive filling. */
static void solve(dcs_net_t *n)
{
    n->epoch++;
    n->ncomp_links = n->ncomp_flows = 0;
    for (size_t d = 0; d < n->ndirty; d++) {
        int l = n->dirty[d];
        n->ldirty[l] = 0;
        if (n->lmark[l] != n->epoch) {
            n->lmark[l] = n->epoch;
            n->comp_links[n->ncomp_links++] = l;
        }
    }
    n->ndirty = 0;
    /* Breadth first over links and the flows on them. */
    for (size_t q = 0; q < n->ncomp_links; q++) {
        int l = n->comp_links[q];
        for (int i = 0; i < n->lcount[l]; i++) {
            int f = n->lflows[l][i];
            flow_t *fl = &n->flows[f];
            if (fl->mark == n->epoch)
                continue;
            fl->mark = n->epoch;
            if (n->ncomp_flows == n->comp_flows_cap) {
                size_t cap = n->comp_flows_cap ? 2 * n->comp_flows_cap : 1024;
                int *a = realloc(n->comp_flows, cap * sizeof *a);
                DCS_ASSERT(a != NULL);
                n->comp_flows = a;
                n->comp_flows_cap = cap;
            }
            n->comp_flows[n->ncomp_flows++] = f;
            for (int j = 0; j < fl->nlinks; j++) {
                int m = fl->links[j];
                if (n->lmark[m] != n->epoch) {
                    n->lmark[m] = n->epoch;
                    n->comp_links[n->ncomp_links++] = m;
                }
            }
        }
    }
    n->stats.solves++;
    if (n->ncomp_flows > n->stats.max_component_flows)
        n->stats.max_component_flows = n->ncomp_flows;
    /* Progressive filling. */
    n->nheap = 0;
    for (size_t q = 0; q < n->ncomp_links; q++) {
        int l = n->comp_links[q];
        const dcs_link_t *link = &n->topo->links[l];
        n->cap_left[l] = link->failed ? 0 : link->bw_bytes_per_s;
        n->unfrozen[l] = n->lcount[l];
        n->version[l]++;
        if (n->unfrozen[l] > 0)
            DCS_ASSERT(heap_push(n, n->cap_left[l] / n->unfrozen[l], l) == 0);
    }
    for (size_t i = 0; i < n->ncomp_flows; i++) {
        flow_t *fl = &n->flows[n->comp_flows[i]];
        catch_up(n, fl);
        fl->frozen = 0;
    }
    while (n->nheap) {
        heap_entry_t e = heap_pop(n);
        int l = e.link;
        if (e.version != n->version[l] || n->unfrozen[l] == 0)
            continue; /* stale */
        double share = e.share;
        for (int i = 0; i < n->lcount[l]; i++) {
            flow_t *fl = &n->flows[n->lflows[l][i]];
            if (fl->frozen)
                continue;
            fl->frozen = 1;
            fl->rate = share;
            for (int j = 0; j < fl->nlinks; j++) {
                int m = fl->links[j];
                n->cap_left[m] -= share;
                if (n->cap_left[m] < 0)
                    n->cap_left[m] = 0;
                n->unfrozen[m]--;
                n->version[m]++;
                if (n->unfrozen[m] > 0 && m != l)
                    DCS_ASSERT(
                        heap_push(n, n->cap_left[m] / n->unfrozen[m], m) == 0);
            }
        }
    }
    /* New drain times. */
    dcs_time_t now = dcs_sim_now(n->sim);
    for (size_t i = 0; i < n->ncomp_flows; i++) {
        int f = n->comp_flows[i];
        flow_t *fl = &n->flows[f];
        if (fl->drain_ev)
            dcs_sim_cancel(n->sim, fl->drain_ev);
        fl->drain_ev = 0;
        if (fl->rate <= 0)
            continue; /* stalled behind a failed link */
        double s = fl->remaining / fl->rate;
        dcs_time_t at = now + (dcs_time_t)ceil(s * 1e9);
        fl->drain_ev = dcs_sim_at(n->sim, at, drained, n, f);
    }
}

static void solve_event(dcs_sim_t *sim, void *obj, int64_t arg)
{
    dcs_net_t *n = obj;
    (void)sim;
    (void)arg;
    n->solve_pending = 0;
    if (n->ndirty)
        solve(n);
}

/* Solves at the end of this instant: the event is scheduled after every
 * event already pending for now, so changes at one instant share a solve. */
static void request_solve(dcs_net_t *n)
{
    if (!n->solve_pending) {
        n->solve_pending = 1;
        dcs_sim_after(n->sim, 0, solve_event, n, 0);
    }
}

void dcs_net_solve_now(dcs_net_t *n)
{
    if (n->ndirty)
        solve(n);
}

/* A flow's slot is free again (when ids are reused). */
static void retire(dcs_net_t *n, int64_t f)
{
    n->flows[f].live = 0;
    if (!n->reuse)
        return;
    if (n->nfree == n->free_cap) {
        size_t cap = n->free_cap ? 2 * n->free_cap : 256;
        int64_t *a = realloc(n->free_ids, cap * sizeof *a);
        DCS_ASSERT(a != NULL); /* out of memory mid-run: nothing sane */
        n->free_ids = a;
        n->free_cap = cap;
    }
    n->free_ids[n->nfree++] = f;
}

static void arrived(dcs_sim_t *sim, void *obj, int64_t f)
{
    dcs_net_t *n = obj;
    flow_t *fl = &n->flows[f];
    fl->arrive_ev = 0;
    n->stats.flows_done++;
    n->stats.bytes_done += fl->bytes;
    dcs_flow_done_fn done = fl->on_done;
    void *ctx = fl->ctx;
    retire(n, f); /* before the callback, which may start flows */
    if (done)
        done(sim, ctx, f);
}

static void drained(dcs_sim_t *sim, void *obj, int64_t f)
{
    dcs_net_t *n = obj;
    flow_t *fl = &n->flows[f];
    fl->drain_ev = 0;
    catch_up(n, fl);
    fl->remaining = 0;
    fl->rate = 0;
    detach(n, (int)f);
    request_solve(n);
    fl->arrive_ev = dcs_sim_after(sim, fl->latency_ns, arrived, n, f);
    DCS_ASSERT(fl->arrive_ev != 0);
}

static uint64_t mix(uint64_t z)
{
    z += UINT64_C(0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

int64_t dcs_flow_start(dcs_net_t *n, int src, int dst, uint64_t bytes,
                       dcs_flow_done_fn on_done, void *ctx)
{
    if (src == dst || bytes == 0 || src < 0 || dst < 0 ||
        src >= n->topo->hosts || dst >= n->topo->hosts)
        return DCS_EINVAL;
    if (n->nfree == 0 && n->nflows == n->cap) {
        size_t cap = n->cap ? 2 * n->cap : 1024;
        flow_t *a = realloc(n->flows, cap * sizeof *a);
        if (!a)
            return DCS_ENOMEM;
        n->flows = a;
        n->cap = cap;
    }
    int64_t f = n->nfree ? n->free_ids[n->nfree - 1] : (int64_t)n->nflows;
    flow_t *fl = &n->flows[f];
    memset(fl, 0, sizeof *fl);
    fl->hash = mix((uint64_t)f);
    fl->nlinks = dcs_topo_route(n->topo, src, dst, fl->hash, fl->links);
    if (fl->nlinks < 0)
        return DCS_ENOTFOUND;
    if (n->nfree)
        n->nfree--;
    else
        n->nflows++;
    fl->live = 1;
    fl->src = src;
    fl->dst = dst;
    fl->bytes = fl->remaining = (double)bytes;
    fl->updated_ns = dcs_sim_now(n->sim);
    fl->on_done = on_done;
    fl->ctx = ctx;
    for (int i = 0; i < fl->nlinks; i++)
        fl->latency_ns += n->topo->links[fl->links[i]].latency_ns;
    if (attach(n, (int)f) < 0)
        return DCS_ENOMEM;
    request_solve(n);
    return f;
}

void dcs_net_fail_link(dcs_net_t *n, int link, dcs_flow_stall_fn on_stall,
                       void *ctx)
{
    n->topo->links[link].failed = 1;
    mark_dirty(n, link);
    /* Reroute what can be rerouted; the rest stalls on the failed link,
     * whose capacity is now zero. */
    int count = n->lcount[link];
    int *on = malloc((size_t)(count + 1) * sizeof *on);
    DCS_ASSERT(on != NULL);
    memcpy(on, n->lflows[link], (size_t)count * sizeof *on);
    for (int i = 0; i < count; i++) {
        int f = on[i];
        flow_t *fl = &n->flows[f];
        int links[DCS_MAX_HOPS];
        int hops = dcs_topo_route(n->topo, fl->src, fl->dst, fl->hash, links);
        if (hops < 0) {
            if (on_stall)
                on_stall(n->sim, ctx, f, link);
            continue;
        }
        catch_up(n, fl);
        detach(n, f);
        fl->nlinks = hops;
        memcpy(fl->links, links, sizeof links);
        fl->latency_ns = 0;
        for (int j = 0; j < hops; j++)
            fl->latency_ns += n->topo->links[links[j]].latency_ns;
        DCS_ASSERT(attach(n, f) == 0);
    }
    free(on);
    request_solve(n);
}

int dcs_flow_cancel(dcs_net_t *n, int64_t f)
{
    if (f < 0 || (size_t)f >= n->nflows || !n->flows[f].live)
        return DCS_ENOTFOUND;
    flow_t *fl = &n->flows[f];
    if (fl->active) {
        catch_up(n, fl);
        if (fl->drain_ev)
            dcs_sim_cancel(n->sim, fl->drain_ev);
        fl->drain_ev = 0;
        fl->rate = 0;
        detach(n, (int)f);
        request_solve(n);
    }
    if (fl->arrive_ev)
        dcs_sim_cancel(n->sim, fl->arrive_ev);
    fl->arrive_ev = 0;
    retire(n, f);
    return 0;
}

void dcs_net_reuse_ids(dcs_net_t *n)
{
    n->reuse = 1;
}

double dcs_flow_rate(const dcs_net_t *n, int64_t f)
{
    return n->flows[f].rate;
}

double dcs_flow_remaining(const dcs_net_t *n, int64_t f)
{
    const flow_t *fl = &n->flows[f];
    double r = fl->remaining -
               fl->rate * (double)(dcs_sim_now(n->sim) - fl->updated_ns) / 1e9;
    return r > 0 ? r : 0;
}

int dcs_flow_hops(const dcs_net_t *n, int64_t f)
{
    return n->flows[f].nlinks;
}

int dcs_flow_link(const dcs_net_t *n, int64_t f, int i)
{
    return n->flows[f].links[i];
}

dcs_net_stats_t dcs_net_stats(const dcs_net_t *n)
{
    return n->stats;
}

dcs_sim_t *dcs_net_sim(const dcs_net_t *n)
{
    return n->sim;
}

int dcs_net_hosts(const dcs_net_t *n)
{
    return n->topo->hosts;
}
