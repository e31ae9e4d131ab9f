/* queue.h - the event queue: an array binary heap of pending events.
 *
 * Events are ordered by (time, insertion sequence), so events at equal time
 * pop in the order they were pushed. Each event lives in a slot of a pool;
 * the slot stores the event's heap index, which makes cancel-by-handle
 * O(log n). A handle carries the slot and a generation count, so cancelling
 * an event that already ran or was cancelled is detected, never confused
 * with a later event that reuses the slot.
 *
 * Costs: push, pop and cancel are O(log n) in the number of pending events;
 * memory is 40 bytes per pending event plus pool slack. */
#ifndef DCS_QUEUE_H
#define DCS_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "engine/time.h"

typedef struct dcs_sim dcs_sim_t;

/* An event handler: runs at the event's time with the values given at push. */
typedef void (*dcs_event_fn)(dcs_sim_t *sim, void *obj, int64_t arg);

/* Handle of a pending event; 0 is never a valid handle. */
typedef uint64_t dcs_event_id_t;

/* A popped event. */
typedef struct dcs_event {
    dcs_time_t time_ns; /* when it fires */
    dcs_event_fn fn;    /* handler */
    void *obj;          /* handler's object */
    int64_t arg;        /* handler's argument */
} dcs_event_t;

/* Heap entry: the ordering key beside the slot index, so sifting touches only
 * the heap array. Fields are private to queue.c. */
typedef struct dcs_heap_entry {
    dcs_time_t time_ns;
    uint64_t seq;
    uint32_t slot;
} dcs_heap_entry_t;

typedef struct dcs_event_slot {
    dcs_event_fn fn;
    void *obj;
    int64_t arg;
    uint32_t heap_pos; /* index in heap, or UINT32_MAX when free */
    uint32_t gen;      /* bumped each time the slot is released */
} dcs_event_slot_t;

/* The queue. Callers may read `len`; the rest is private. */
typedef struct dcs_queue {
    size_t len;              /* pending events */
    size_t cap;              /* heap capacity */
    dcs_heap_entry_t *heap;  /* heap[0] is the earliest */
    dcs_event_slot_t *slots; /* event pool */
    size_t nslots;           /* slots allocated */
    uint32_t free_head;      /* first free slot, UINT32_MAX if none */
    uint64_t next_seq;       /* insertion sequence */
} dcs_queue_t;

/* Initializes an empty queue. */
void dcs_queue_init(dcs_queue_t *q);
/* Releases the queue's memory (pending events are dropped). */
void dcs_queue_destroy(dcs_queue_t *q);

/* Pushes an event; returns its handle, or 0 when out of memory. */
dcs_event_id_t dcs_queue_push(dcs_queue_t *q, dcs_time_t time_ns,
                              dcs_event_fn fn, void *obj, int64_t arg);

/* Pops the earliest event into *ev. Returns 1, or 0 when the queue is empty. */
int dcs_queue_pop(dcs_queue_t *q, dcs_event_t *ev);

/* Time of the earliest pending event, or DCS_TIME_NEVER when empty. */
static inline dcs_time_t dcs_queue_peek_time(const dcs_queue_t *q)
{
    return q->len ? q->heap[0].time_ns : DCS_TIME_NEVER;
}

/* Cancels a pending event. Returns 0, or DCS_ENOTFOUND when the handle does
 * not name a pending event (already ran, already cancelled, or never was). */
int dcs_queue_cancel(dcs_queue_t *q, dcs_event_id_t id);

#endif
