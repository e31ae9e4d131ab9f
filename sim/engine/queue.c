/* queue.c - the event queue: an array binary heap of (time, sequence) keys.
 *
 * The heap holds small entries (time, sequence, slot); handler data sits in a
 * pool of slots, each of which stores its entry's heap index so an event can
 * be cancelled by handle. Sifting moves a hole instead of swapping, writing
 * each moved entry once. Free slots form a list threaded through heap_pos. */
#include "engine/queue.h"

#include <stdlib.h>

#include "engine/error.h"

#define NO_SLOT UINT32_MAX

/* (time, seq) as one unsigned 128-bit number: times are never negative, so
 * one wide comparison orders by time, then by insertion. */
__extension__ typedef unsigned __int128 key128_t;

static inline int entry_before(const dcs_heap_entry_t *a,
                               const dcs_heap_entry_t *b)
{
    key128_t ka = ((key128_t)(uint64_t)a->time_ns << 64) | a->seq;
    key128_t kb = ((key128_t)(uint64_t)b->time_ns << 64) | b->seq;
    return ka < kb;
}

void dcs_queue_init(dcs_queue_t *q)
{
    q->len = 0;
    q->cap = 0;
    q->heap = NULL;
    q->slots = NULL;
    q->nslots = 0;
    q->free_head = NO_SLOT;
    q->next_seq = 0;
}

void dcs_queue_destroy(dcs_queue_t *q)
{
    free(q->heap);
    free(q->slots);
    dcs_queue_init(q);
}

/* Places `e` at the hole `i`, moving it up past larger parents. */
static void sift_up(dcs_queue_t *q, size_t i, dcs_heap_entry_t e)
{
    dcs_heap_entry_t *heap = q->heap;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!entry_before(&e, &heap[parent]))
            break;
        heap[i] = heap[parent];
        q->slots[heap[i].slot].heap_pos = (uint32_t)i;
        i = parent;
    }
    heap[i] = e;
    q->slots[e.slot].heap_pos = (uint32_t)i;
}

/* Places `e` at the hole `i`, moving it down past smaller children. */
static void sift_down(dcs_queue_t *q, size_t i, dcs_heap_entry_t e)
{
    dcs_heap_entry_t *heap = q->heap;
    size_t n = q->len;
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= n)
            break;
        if (child + 1 < n && entry_before(&heap[child + 1], &heap[child]))
            child++;
        if (!entry_before(&heap[child], &e))
            break;
        heap[i] = heap[child];
        q->slots[heap[i].slot].heap_pos = (uint32_t)i;
        i = child;
    }
    heap[i] = e;
    q->slots[e.slot].heap_pos = (uint32_t)i;
}

static int grow(dcs_queue_t *q)
{
    size_t cap = q->cap ? q->cap * 2 : 64;
    if (cap >= NO_SLOT)
        return DCS_ENOMEM;
    dcs_heap_entry_t *heap = realloc(q->heap, cap * sizeof *heap);
    if (!heap)
        return DCS_ENOMEM;
    q->heap = heap;
    dcs_event_slot_t *slots = realloc(q->slots, cap * sizeof *slots);
    if (!slots)
        return DCS_ENOMEM;
    q->slots = slots;
    /* Thread the new slots onto the free list, lowest index first. */
    for (size_t s = cap; s-- > q->nslots;) {
        slots[s].gen = 0;
        slots[s].heap_pos = q->free_head;
        q->free_head = (uint32_t)s;
    }
    q->nslots = cap;
    q->cap = cap;
    return 0;
}

dcs_event_id_t dcs_queue_push(dcs_queue_t *q, dcs_time_t time_ns,
                              dcs_event_fn fn, void *obj, int64_t arg)
{
    if (q->free_head == NO_SLOT && grow(q) < 0)
        return 0;
    uint32_t slot = q->free_head;
    dcs_event_slot_t *s = &q->slots[slot];
    q->free_head = s->heap_pos;
    s->fn = fn;
    s->obj = obj;
    s->arg = arg;
    dcs_heap_entry_t e = {time_ns, q->next_seq++, slot};
    q->len++;
    sift_up(q, q->len - 1, e);
    return ((uint64_t)s->gen << 32) | ((uint64_t)slot + 1);
}

static void release_slot(dcs_queue_t *q, uint32_t slot)
{
    dcs_event_slot_t *s = &q->slots[slot];
    s->gen++;
    s->heap_pos = q->free_head;
    q->free_head = slot;
}

int dcs_queue_pop(dcs_queue_t *q, dcs_event_t *ev)
{
    if (q->len == 0)
        return 0;
    dcs_heap_entry_t top = q->heap[0];
    const dcs_event_slot_t *s = &q->slots[top.slot];
    ev->time_ns = top.time_ns;
    ev->fn = s->fn;
    ev->obj = s->obj;
    ev->arg = s->arg;
    release_slot(q, top.slot);
    q->len--;
    if (q->len > 0)
        sift_down(q, 0, q->heap[q->len]);
    return 1;
}

int dcs_queue_cancel(dcs_queue_t *q, dcs_event_id_t id)
{
    uint64_t slot64 = (id & 0xffffffffu);
    if (slot64 == 0 || slot64 > q->nslots)
        return DCS_ENOTFOUND;
    uint32_t slot = (uint32_t)(slot64 - 1);
    uint32_t gen = (uint32_t)(id >> 32);
    dcs_event_slot_t *s = &q->slots[slot];
    /* A live slot is in the heap where it says it is; a free one is not. */
    size_t pos = s->heap_pos;
    if (s->gen != gen || pos >= q->len || q->heap[pos].slot != slot)
        return DCS_ENOTFOUND;
    release_slot(q, slot);
    q->len--;
    if (pos < q->len) {
        /* Fill the hole with the last entry, which may need to go either way.
         */
        dcs_heap_entry_t last = q->heap[q->len];
        if (pos > 0 && entry_before(&last, &q->heap[(pos - 1) / 2]))
            sift_up(q, pos, last);
        else
            sift_down(q, pos, last);
    }
    return 0;
}
