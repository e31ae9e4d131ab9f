/* tally.h - exact time integrals of piecewise-constant signals, per interval.
 *
 * A tally follows one quantity that changes only at events (a device's
 * power, the number of GPUs busy, the queue length). Between changes the
 * value is constant, so its integral is a sum of value x duration, which the
 * tally accumulates both in total and per reporting interval (a segment that
 * crosses an interval boundary is split at the boundary). Energy is the
 * tally of power; busy GPU-seconds the tally of busy GPUs.
 *
 * Units: whatever the value's unit is, integrals are in unit x seconds. */
#ifndef DCS_TALLY_H
#define DCS_TALLY_H

#include <stddef.h>

#include "engine/time.h"

typedef struct dcs_tally {
    double value;           /* current level */
    dcs_time_t last_ns;     /* time of the last change */
    dcs_time_t interval_ns; /* reporting interval; 0: totals only */
    double total;           /* integral since time 0, value x s */
    double *bins;           /* bins[i]: integral over interval i, value x s */
    size_t nbins;           /* intervals touched so far */
    size_t cap;             /* allocated bins */
} dcs_tally_t;

/* Starts a tally at time 0 with value `value`. interval_ns > 0 keeps
 * per-interval integrals; 0 keeps only the total. */
void dcs_tally_init(dcs_tally_t *t, double value, dcs_time_t interval_ns);
/* Frees the bins. */
void dcs_tally_destroy(dcs_tally_t *t);

/* Integrates the current value up to `now` (>= the last change), then sets
 * it to `value`. Returns 0 or DCS_ENOMEM. */
int dcs_tally_set(dcs_tally_t *t, dcs_time_t now, double value);
/* As dcs_tally_set with value + delta. */
int dcs_tally_add(dcs_tally_t *t, dcs_time_t now, double delta);
/* Integrates up to `now` without changing the value (call at the run's end). */
int dcs_tally_flush(dcs_tally_t *t, dcs_time_t now);

/* Integral over interval i (0 for intervals never reached). */
double dcs_tally_bin(const dcs_tally_t *t, size_t i);

#endif
