/* tally.c - exact time integrals of piecewise-constant signals. */
#include "engine/tally.h"

#include <stdlib.h>

#include "engine/error.h"

void dcs_tally_init(dcs_tally_t *t, double value, dcs_time_t interval_ns)
{
    t->value = value;
    t->last_ns = 0;
    t->interval_ns = interval_ns;
    t->total = 0.0;
    t->bins = NULL;
    t->nbins = 0;
    t->cap = 0;
}

void dcs_tally_destroy(dcs_tally_t *t)
{
    free(t->bins);
    t->bins = NULL;
    t->nbins = t->cap = 0;
}

static int reserve(dcs_tally_t *t, size_t n)
{
    if (n <= t->cap)
        return 0;
    size_t cap = t->cap ? t->cap : 16;
    while (cap < n)
        cap *= 2;
    double *bins = realloc(t->bins, cap * sizeof *bins);
    if (!bins)
        return DCS_ENOMEM;
    for (size_t i = t->cap; i < cap; i++)
        bins[i] = 0.0;
    t->bins = bins;
    t->cap = cap;
    return 0;
}

int dcs_tally_flush(dcs_tally_t *t, dcs_time_t now)
{
    DCS_ASSERT(now >= t->last_ns);
    if (now == t->last_ns)
        return 0;
    if (t->interval_ns > 0) {
        size_t last_bin = (size_t)((now - 1) / t->interval_ns);
        if (reserve(t, last_bin + 1) < 0)
            return DCS_ENOMEM;
        dcs_time_t from = t->last_ns;
        while (from < now) {
            size_t bin = (size_t)(from / t->interval_ns);
            dcs_time_t bin_end = (dcs_time_t)(bin + 1) * t->interval_ns;
            dcs_time_t to = bin_end < now ? bin_end : now;
            t->bins[bin] += t->value * ((double)(to - from) / 1e9);
            from = to;
        }
        if (last_bin + 1 > t->nbins)
            t->nbins = last_bin + 1;
    }
    t->total += t->value * ((double)(now - t->last_ns) / 1e9);
    t->last_ns = now;
    return 0;
}

int dcs_tally_set(dcs_tally_t *t, dcs_time_t now, double value)
{
    int rc = dcs_tally_flush(t, now);
    t->value = value;
    return rc;
}

int dcs_tally_add(dcs_tally_t *t, dcs_time_t now, double delta)
{
    return dcs_tally_set(t, now, t->value + delta);
}

double dcs_tally_bin(const dcs_tally_t *t, size_t i)
{
    return i < t->nbins ? t->bins[i] : 0.0;
}
