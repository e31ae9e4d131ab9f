/* sim.h - a simulation: the clock, the event queue and the run loop.
 *
 * All state of one simulation hangs off a dcs_sim_t, so several can run in
 * one process. Handlers schedule further events with dcs_sim_at/after and
 * may stop the run with dcs_sim_stop. The engine knows nothing of
 * datacenters. */
#ifndef DCS_SIM_H
#define DCS_SIM_H

#include <stdint.h>
#include <stdio.h>

#include "engine/queue.h"
#include "engine/time.h"

typedef struct dcs_sim dcs_sim_t;

/* A new simulation at time 0 with an empty queue; NULL when out of memory. */
dcs_sim_t *dcs_sim_new(void);
/* Releases the simulation; pending events are dropped. NULL is a no-op. */
void dcs_sim_free(dcs_sim_t *sim);

/* Current simulated time. */
dcs_time_t dcs_sim_now(const dcs_sim_t *sim);

/* Schedules fn(sim, obj, arg) at absolute time `t` (>= now; earlier is an
 * invariant violation). Returns a handle for dcs_sim_cancel, or 0 when out
 * of memory. Events at equal time run in the order they were scheduled. */
dcs_event_id_t dcs_sim_at(dcs_sim_t *sim, dcs_time_t t, dcs_event_fn fn,
                          void *obj, int64_t arg);
/* As dcs_sim_at, `delay` (>= 0) after now. */
dcs_event_id_t dcs_sim_after(dcs_sim_t *sim, dcs_time_t delay, dcs_event_fn fn,
                             void *obj, int64_t arg);
/* Cancels a pending event: 0, or DCS_ENOTFOUND when it is not pending. */
int dcs_sim_cancel(dcs_sim_t *sim, dcs_event_id_t id);

/* Why dcs_sim_run returned. */
typedef enum dcs_run_end {
    DCS_RUN_EMPTY,   /* no events left */
    DCS_RUN_UNTIL,   /* the next event is later than `until` */
    DCS_RUN_STOPPED, /* a handler called dcs_sim_stop */
} dcs_run_end_t;

/* Runs events in order while their time is <= `until` (DCS_TIME_NEVER for
 * "until the queue is empty"). With a finite `until` and no stop, the clock
 * ends at `until` (DCS_RUN_UNTIL if events remain, DCS_RUN_EMPTY if not);
 * otherwise it stays at the last event's time. */
dcs_run_end_t dcs_sim_run(dcs_sim_t *sim, dcs_time_t until);

/* Makes dcs_sim_run return after the current handler. */
void dcs_sim_stop(dcs_sim_t *sim);

/* Events run so far, and events pending now. */
uint64_t dcs_sim_events_run(const dcs_sim_t *sim);
size_t dcs_sim_pending(const dcs_sim_t *sim);

/* Turns progress lines on: every half second of wall time, dcs_sim_run
 * rewrites one line on `out` with simulated time, events/s, wall time and,
 * when `end_hint` is not DCS_TIME_NEVER, the fraction done and an ETA. The
 * caller decides whether `out` is a terminal. NULL turns it off. */
void dcs_sim_progress(dcs_sim_t *sim, FILE *out, dcs_time_t end_hint);

#endif
