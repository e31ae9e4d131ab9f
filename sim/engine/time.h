/* time.h - simulated time.
 *
 * Simulated time is a signed 64-bit count of nanoseconds since the start of
 * the run: 292 years of range and exact ordering. Conversions to and from
 * seconds happen only at the edges (configuration and reports). */
#ifndef DCS_TIME_H
#define DCS_TIME_H

#include <math.h>
#include <stdint.h>

typedef int64_t dcs_time_t; /* nanoseconds since the run started */

#define DCS_NS_PER_S   INT64_C(1000000000)
#define DCS_TIME_NEVER INT64_MAX /* later than any event */

/* Seconds as a double (exact below 2^53 ns, about 104 days; beyond that the
 * error stays under a microsecond). */
static inline double dcs_time_to_s(dcs_time_t t)
{
    return (double)t / 1e9;
}

/* Nearest nanosecond to `s` seconds; saturates at DCS_TIME_NEVER. */
static inline dcs_time_t dcs_time_from_s(double s)
{
    double ns = s * 1e9;
    if (ns >= 9.2e18)
        return DCS_TIME_NEVER;
    if (ns <= -9.2e18)
        return -DCS_TIME_NEVER;
    return (dcs_time_t)llround(ns);
}

#endif
