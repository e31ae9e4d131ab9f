/* sim.c - the run loop.
 *
 * Pops events in (time, sequence) order, advances the clock and calls each
 * handler. Progress, when on, is checked every 65,536 events so the hot loop
 * pays one counter test per event. */
#include "engine/sim.h"

#include <stdlib.h>
#include <time.h>

#include "engine/error.h"

struct dcs_sim {
    dcs_queue_t queue;
    dcs_time_t now_ns;
    uint64_t events_run;
    int stop;
    FILE *progress_out;     /* NULL: no progress */
    dcs_time_t end_hint_ns; /* for the ETA */
    double wall_start_s;
    double wall_last_print_s;
    uint64_t events_at_last_print;
};

static double wall_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

dcs_sim_t *dcs_sim_new(void)
{
    dcs_sim_t *sim = calloc(1, sizeof *sim);
    if (!sim)
        return NULL;
    dcs_queue_init(&sim->queue);
    sim->end_hint_ns = DCS_TIME_NEVER;
    return sim;
}

void dcs_sim_free(dcs_sim_t *sim)
{
    if (!sim)
        return;
    dcs_queue_destroy(&sim->queue);
    free(sim);
}

dcs_time_t dcs_sim_now(const dcs_sim_t *sim)
{
    return sim->now_ns;
}

dcs_event_id_t dcs_sim_at(dcs_sim_t *sim, dcs_time_t t, dcs_event_fn fn,
                          void *obj, int64_t arg)
{
    DCS_ASSERT(t >= sim->now_ns);
    return dcs_queue_push(&sim->queue, t, fn, obj, arg);
}

dcs_event_id_t dcs_sim_after(dcs_sim_t *sim, dcs_time_t delay, dcs_event_fn fn,
                             void *obj, int64_t arg)
{
    DCS_ASSERT(delay >= 0);
    return dcs_queue_push(&sim->queue, sim->now_ns + delay, fn, obj, arg);
}

int dcs_sim_cancel(dcs_sim_t *sim, dcs_event_id_t id)
{
    return dcs_queue_cancel(&sim->queue, id);
}

void dcs_sim_stop(dcs_sim_t *sim)
{
    sim->stop = 1;
}

uint64_t dcs_sim_events_run(const dcs_sim_t *sim)
{
    return sim->events_run;
}

size_t dcs_sim_pending(const dcs_sim_t *sim)
{
    return sim->queue.len;
}

void dcs_sim_progress(dcs_sim_t *sim, FILE *out, dcs_time_t end_hint)
{
    sim->progress_out = out;
    sim->end_hint_ns = end_hint;
    sim->wall_start_s = wall_now_s();
    sim->wall_last_print_s = sim->wall_start_s;
    sim->events_at_last_print = sim->events_run;
}

static void print_progress(dcs_sim_t *sim, int final)
{
    double wall = wall_now_s();
    if (!final && wall - sim->wall_last_print_s < 0.5)
        return;
    double dt = wall - sim->wall_last_print_s;
    double rate =
        dt > 0 ? (double)(sim->events_run - sim->events_at_last_print) / dt
               : 0.0;
    double elapsed = wall - sim->wall_start_s;
    fprintf(sim->progress_out,
            "\r[dcsim] sim %.1f h  %.2f M events/s  wall %.1f s",
            dcs_time_to_s(sim->now_ns) / 3600.0, rate / 1e6, elapsed);
    if (sim->end_hint_ns != DCS_TIME_NEVER && sim->end_hint_ns > 0) {
        double frac = (double)sim->now_ns / (double)sim->end_hint_ns;
        double eta = frac > 0 ? elapsed * (1.0 - frac) / frac : 0.0;
        fprintf(sim->progress_out, "  %3.0f%%  ETA %.0f s", 100.0 * frac, eta);
    }
    fputs(final ? "\n" : "   ", sim->progress_out);
    fflush(sim->progress_out);
    sim->wall_last_print_s = wall;
    sim->events_at_last_print = sim->events_run;
}

dcs_run_end_t dcs_sim_run(dcs_sim_t *sim, dcs_time_t until)
{
    dcs_event_t ev;
    dcs_run_end_t end;
    sim->stop = 0;
    for (;;) {
        if (dcs_queue_peek_time(&sim->queue) > until) {
            if (sim->queue.len == 0 && until == DCS_TIME_NEVER) {
                end = DCS_RUN_EMPTY;
            } else {
                if (until != DCS_TIME_NEVER && until > sim->now_ns)
                    sim->now_ns = until;
                end = sim->queue.len ? DCS_RUN_UNTIL : DCS_RUN_EMPTY;
            }
            break;
        }
        if (!dcs_queue_pop(&sim->queue, &ev)) {
            end = DCS_RUN_EMPTY; /* not reached: peek saw an event */
            break;
        }
        sim->now_ns = ev.time_ns;
        sim->events_run++;
        ev.fn(sim, ev.obj, ev.arg);
        if (sim->stop) {
            end = DCS_RUN_STOPPED;
            break;
        }
        if (sim->progress_out && (sim->events_run & 0xffff) == 0)
            print_progress(sim, 0);
    }
    if (sim->progress_out)
        print_progress(sim, 1);
    return end;
}
