/* weather.h - hourly outside conditions, read from a CSV file.
 *
 * A weather file holds one row per hour, with these columns (others are
 * ignored):
 *
 *   hour               0-based hour of the year: 0, 1, 2, ... (consecutive)
 *   temp_c             dry-bulb air temperature, deg C, in [-90, 70]
 *   rel_humidity_frac  relative humidity, a fraction in [0, 1]
 *
 * Conditions are piecewise constant: row h holds for the whole hour
 * [h, h + 1). A run longer than the file wraps around (the year repeats), and
 * a run may start at any hour of the file (`start_hour`), so run time t_s
 * (seconds since the run started) falls in file row
 *   (start_hour + floor(t_s / 3600)) mod hours.
 * Hour boundaries of the run are therefore whole multiples of 3600 s.
 *
 * The wet-bulb temperature of each hour is computed once, at load, with the
 * formula of R. Stull, "Wet-Bulb Temperature from Relative Humidity and Air
 * Temperature", J. Appl. Meteor. Climatol. 50 (2011) 2267-2269 (see
 * dcs_wet_bulb_stull_c). */
#ifndef DCS_WEATHER_H
#define DCS_WEATHER_H

#include <stddef.h>

#include "engine/error.h"

#define DCS_WEATHER_HOUR_S 3600.0 /* one row of a weather file, s */

typedef struct dcs_weather dcs_weather_t;

/* Reads `path` into *out (the caller frees with dcs_weather_free). Returns 0,
 * or DCS_EINPUT with *out NULL and `err` set to one of:
 *   cannot open 'PATH': No such file or directory
 *   PATH: empty file, expected a header row
 *   PATH:1: no column 'temp_c'
 *   PATH: no data rows, expected one row per hour
 *   PATH:LINE: expected 3 fields as in the header, found 2
 *   PATH:LINE: field 'temp_c': expected a number in [-90, 70], found 'warm'
 *   PATH:LINE: field 'rel_humidity_frac': expected a number in [0, 1],
 *              found '65'
 *   PATH:LINE: field 'hour': expected 7 (hours consecutive from 0),
 *              found '8'
 * (or DCS_ENOMEM). O(rows). */
int dcs_weather_load(const char *path, dcs_weather_t **out, dcs_err_t *err);

/* Releases the weather. dcs_weather_free(NULL) is a no-op. */
void dcs_weather_free(dcs_weather_t *w);

/* Rows (hours) in the file. */
size_t dcs_weather_hours(const dcs_weather_t *w);

/* The path the weather was read from. */
const char *dcs_weather_path(const dcs_weather_t *w);

/* Sets the file hour at which run time 0 falls (default 0). Returns 0, or
 * DCS_EINVAL when hour >= dcs_weather_hours(w). */
int dcs_weather_set_start_hour(dcs_weather_t *w, size_t hour);

/* The file row in force at run time t_s (any t_s; negative times count back
 * from the start hour, wrapping the same way). */
size_t dcs_weather_row(const dcs_weather_t *w, double t_s);

/* Conditions at run time t_s. */
double dcs_weather_temp_c(const dcs_weather_t *w, double t_s);
double dcs_weather_rel_humidity_frac(const dcs_weather_t *w, double t_s);
double dcs_weather_wet_bulb_c(const dcs_weather_t *w, double t_s);

/* The first hour boundary strictly after t_s, in run seconds: where the
 * conditions may next change. */
double dcs_weather_next_change_s(double t_s);

/* Wet-bulb temperature (deg C) of air at `temp_c` (dry bulb, deg C) and
 * relative humidity `rel_humidity_frac`, by Stull (2011), eq. 1:
 *   Tw = T atan(0.151977 (RH + 8.313659)^(1/2)) + atan(T + RH)
 *        - atan(RH - 1.676331) + 0.00391838 RH^(3/2) atan(0.023101 RH)
 *        - 4.686035
 * with RH in percent and the arctangents in radians. Stull fits it for RH
 * 5-99 % and T -20 to 50 deg C (within about 1 K there); RH outside 5-99 % is
 * clamped to that range, and the result never exceeds the dry bulb. */
double dcs_wet_bulb_stull_c(double temp_c, double rel_humidity_frac);

#endif
