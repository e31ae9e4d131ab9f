#!/usr/bin/env python3
"""make_weather.py - synthetic hourly weather years from monthly normals.

Writes one CSV per site (hour,temp_c,rel_humidity_frac; 8760 rows, hour 0 =
1 January 00:00 local standard time, a 365-day year) beside this script.
Deterministic: no random noise, so the files are a smooth "typical" year,
not a real one. Sources of the normals: README.md in this folder.

Method, per site:
  1. Daily maximum and minimum temperatures follow a smooth periodic curve
     (Catmull-Rom through one knot per mid-month); the knots are adjusted
     until each month's mean daily maximum and minimum equal the normals
     (to 0.005 K).
  2. Each day runs from its minimum at 06:00 to its maximum at 15:00 along a
     half cosine, and back down to the next day's minimum along another.
  3. Humidity: the vapour pressure of the air is smooth through the day and
     the year (dew point nearly constant within a day, as in settled weather),
     so relative humidity is highest at dawn and lowest in the afternoon.
     Vapour pressure knots are adjusted until each month's mean hourly
     relative humidity equals the normal (to 0.001). Saturation vapour
     pressure over water: the Magnus form of Alduchov and Eskridge (1996),
     es = 6.1094 exp(17.625 T / (T + 243.04)) hPa.

Usage: python3 make_weather.py   (rewrites the CSVs; stdlib only)
"""

import math
import os

DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
YEAR_DAYS = sum(DAYS)


def f_to_c(f):
    return (f - 32.0) * 5.0 / 9.0


# Monthly normals, January..December. See README.md for each source.
SITES = {
    # Phoenix Sky Harbor, Arizona (hot desert). Mean daily max/min in deg F.
    "phoenix-az": {
        "tmax_c": [f_to_c(x) for x in
                   [68, 71, 78, 86, 95, 104, 107, 105, 100, 89, 77, 66]],
        "tmin_c": [f_to_c(x) for x in
                   [46, 49, 55, 61, 70, 79, 85, 84, 78, 66, 54, 45]],
        "rh_frac": [0.50, 0.44, 0.39, 0.28, 0.21, 0.19,
                    0.31, 0.35, 0.35, 0.36, 0.43, 0.51],
    },
    # Lulea, Sweden (subarctic coast). Mean daily max/min in deg C.
    "lulea-se": {
        "tmax_c": [-5, -5, 0, 6, 12, 17, 21, 19, 13, 6, 0, -3],
        "tmin_c": [-13, -13, -9, -3, 3, 9, 13, 11, 6, 0, -6, -10],
        "rh_frac": [0.86, 0.84, 0.79, 0.72, 0.66, 0.66,
                    0.72, 0.78, 0.83, 0.87, 0.89, 0.88],
    },
}


def month_of_day():
    out = []
    for m, n in enumerate(DAYS):
        out += [m] * n
    return out


MONTH = month_of_day()
STARTS = [sum(DAYS[:m]) for m in range(12)]
MIDS = [STARTS[m] + DAYS[m] / 2.0 for m in range(12)]


def catmull_rom(p0, p1, p2, p3, u):
    return 0.5 * ((2 * p1) + (-p0 + p2) * u +
                  (2 * p0 - 5 * p1 + 4 * p2 - p3) * u * u +
                  (-p0 + 3 * p1 - 3 * p2 + p3) * u * u * u)


def smooth(knots, x):
    """Periodic C1 curve through knots[m] at MIDS[m], at day position x."""
    x = x % YEAR_DAYS
    m = 11
    for i in range(12):
        if MIDS[i] <= x:
            m = i
    # Before mid-January the segment runs from last mid-December (a year
    # back) to this mid-January; after mid-December, to next mid-January.
    wrap = m == 11 and x >= MIDS[11]
    nxt = MIDS[(m + 1) % 12] + (YEAR_DAYS if wrap else 0)
    here = MIDS[m] if x >= MIDS[m] else MIDS[m] - YEAR_DAYS
    u = (x - here) / (nxt - here)
    k = lambda i: knots[i % 12]
    return catmull_rom(k(m - 1), k(m), k(m + 1), k(m + 2), u)


def daily(knots):
    return [smooth(knots, d + 0.5) for d in range(YEAR_DAYS)]


def monthly_mean(values_by_day_or_hour, per_day):
    sums = [0.0] * 12
    counts = [0] * 12
    for i, v in enumerate(values_by_day_or_hour):
        m = MONTH[i // per_day]
        sums[m] += v
        counts[m] += 1
    return [s / c for s, c in zip(sums, counts)]


def fit(targets, make, per_day, tol):
    """Adjusts knots until the monthly means of make(knots) hit targets."""
    knots = list(targets)
    for _ in range(500):
        got = monthly_mean(make(knots), per_day)
        worst = max(abs(t - g) for t, g in zip(targets, got))
        if worst < tol:
            return knots
        knots = [k + (t - g) for k, t, g in zip(knots, targets, got)]
    raise SystemExit("monthly means did not converge (worst %.4f)" % worst)


def diurnal(tmax, tmin):
    """Hourly temperatures: min at 06:00, max at 15:00, half cosines."""
    out = []
    n = len(tmax)
    for d in range(n):
        for h in range(24):
            if h < 6:
                lo, hi = tmin[d], tmax[(d - 1) % n]
                out.append(lo + (hi - lo) * (1 + math.cos(
                    math.pi * (h + 24 - 15) / 15.0)) / 2)
            elif h <= 15:
                lo, hi = tmin[d], tmax[d]
                out.append(lo + (hi - lo) * (1 - math.cos(
                    math.pi * (h - 6) / 9.0)) / 2)
            else:
                lo, hi = tmin[(d + 1) % n], tmax[d]
                out.append(lo + (hi - lo) * (1 + math.cos(
                    math.pi * (h - 15) / 15.0)) / 2)
    return out


def es_hpa(t_c):
    return 6.1094 * math.exp(17.625 * t_c / (t_c + 243.04))


def humidity(knots, temps):
    """Hourly RH from a smooth vapour pressure: knots are the RH the day
    would have at its mean temperature."""
    out = []
    for i, t in enumerate(temps):
        x = (i + 0.5) / 24.0
        day = i // 24
        tmean = sum(temps[day * 24:(day + 1) * 24]) / 24.0
        e = smooth(knots, x) * es_hpa(tmean)
        out.append(min(1.0, max(0.02, e / es_hpa(t))))
    return out


def build(site):
    tmax_k = fit(site["tmax_c"], daily, 1, 0.005)
    tmin_k = fit(site["tmin_c"], daily, 1, 0.005)
    temps = diurnal(daily(tmax_k), daily(tmin_k))
    rh_k = fit(site["rh_frac"], lambda k: humidity(k, temps), 24, 0.001)
    return temps, humidity(rh_k, temps)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    for name, site in SITES.items():
        temps, rh = build(site)
        path = os.path.join(here, name + ".csv")
        with open(path, "w", newline="\n") as f:
            f.write("hour,temp_c,rel_humidity_frac\n")
            for h, (t, r) in enumerate(zip(temps, rh)):
                t = round(t, 2) + 0.0  # no "-0.00"
                f.write("%d,%.2f,%.3f\n" % (h, t, r))
        print("%s: %d hours, %.1f..%.1f C, mean %.2f C" %
              (path, len(temps), min(temps), max(temps),
               sum(temps) / len(temps)))


if __name__ == "__main__":
    main()
