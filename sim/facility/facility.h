/* facility.h - turning IT power into facility power: cooling, power
 * delivery losses, water, under a power cap, in the outside air of a site.
 *
 * Two models sit behind one interface.
 *
 * Proportional (no `plant:`): cooling draws `cooling_overhead_frac` W per W
 * of IT, and power delivery loses `electrical_loss_frac` of everything it
 * delivers (IT + cooling), so PUE = (1 + cooling) x (1 + losses) at every
 * load and in any weather; no water.
 *
 *   facility:
 *     cooling_overhead_frac: 0.35  # cooling W per IT W, required
 *     electrical_loss_frac: 0.07   # lost W per delivered W, required
 *     outside_temp_c: 20           # deg C, reported only (default 0)
 *
 * Computed (`plant:` present): an air or liquid cooling plant and its
 * electrical chain (sim/facility/cooling.h, electrical.h) whose draw follows
 * the IT power and the outside air, hour by hour from a weather file or at
 * constant conditions:
 *
 *   facility:
 *     plant: !include ../topologies/facilities/liquid-cooled.yaml
 *     design_it_w: 10e6        # W, the IT load the plant is built for
 *                              # (sizes the UPS), required
 *     weather: ../topologies/weather/phoenix-az.csv  # relative to this file
 *     start_hour: 4344         # hour of the weather file at run time 0
 *                              # (default 0; only with weather)
 *     outside_temp_c: 20            # deg C   } constant conditions: both
 *     outside_rel_humidity_frac: 0.5 # 0..1  } required when no weather,
 *                                            } forbidden with weather
 *     power_cap_w: 12e6        # W of facility power (default: no cap)
 *
 *   plant:
 *     cooling: liquid          # air | liquid
 *     liquid_frac: 0.8         # share of IT heat into the liquid loop
 *                              # (liquid only, required there)
 *     air: {cooling loop}      # the air path, required
 *     liquid: {cooling loop}   # the warm-water loop (liquid only, required)
 *     electrical: {...}        # UPS, PDU, transformers, required
 *
 * The cooling load is the IT power: the liquid loop takes liquid_frac of it,
 * the air path the rest. See cooling.h and electrical.h for the loops'
 * and the losses' keys and formulas. Site keys (weather, start_hour,
 * outside conditions, power_cap_w) apply to both models; the proportional
 * model uses the weather only to report the outside temperature.
 *
 * At fixed outside conditions, facility power is a quadratic function of IT
 * power with non-negative coefficients (cooling linear, UPS loss quadratic),
 * increasing in IT power. */
#ifndef DCS_FACILITY_H
#define DCS_FACILITY_H

#include "config/cfg.h"
#include "facility/cooling.h"
#include "facility/electrical.h"
#include "facility/weather.h"

typedef enum dcs_facility_model {
    DCS_FACILITY_PROPORTIONAL, /* fixed overhead fractions */
    DCS_FACILITY_COMPUTED,     /* plant + weather */
} dcs_facility_model_t;

typedef enum dcs_cooling_kind {
    DCS_COOLING_AIR,    /* all IT heat to air */
    DCS_COOLING_LIQUID, /* liquid_frac to a warm-water loop, the rest air */
} dcs_cooling_kind_t;

/* Callers read these fields; dcs_facility_read fills them and owns
 * `weather`. */
typedef struct dcs_facility {
    dcs_facility_model_t model; /* proportional | computed */
    /* proportional model */
    double cooling_overhead_frac; /* cooling W per IT W */
    double electrical_loss_frac;  /* loss W per delivered W (IT + cooling) */
    /* site */
    double outside_temp_c; /* constant dry bulb, deg C; with weather, the
                              first hour's (use dcs_facility_conditions) */
    double outside_rel_humidity_frac; /* constant RH, 0..1 (as above) */
    double outside_wet_bulb_c;        /* of the two above, deg C */
    dcs_weather_t *weather;           /* owned; NULL: constant conditions */
    double power_cap_w;               /* facility power cap, W (INFINITY:
                                         none) */
    /* computed model */
    double design_it_w;          /* IT load the plant is built for, W */
    dcs_cooling_kind_t cooling;  /* air | liquid */
    double liquid_frac;          /* share of IT heat to the liquid loop */
    dcs_cooling_loop_t air;      /* the air path */
    dcs_cooling_loop_t liquid;   /* the liquid loop (cooling == liquid) */
    dcs_electrical_t electrical; /* UPS, PDU, transformers */
} dcs_facility_t;

/* The facility at one moment. */
typedef struct dcs_facility_power {
    double it_w;               /* as given, W */
    double cooling_w;          /* cooling plant, W */
    double losses_w;           /* power delivery losses, W */
    double facility_w;         /* it + cooling + losses, W */
    double water_l_per_h;      /* make-up water, L/h */
    double pue;                /* facility_w / it_w; at it_w = 0 the
                                  proportional PUE, or NAN (computed) */
    double wue_l_per_kwh;      /* water per IT energy, L/kWh (NAN at 0 IT) */
    double outside_c;          /* dry bulb, deg C */
    double outside_wet_bulb_c; /* deg C */
    double outside_rel_humidity_frac; /* 0..1 */
    /* computed model only (zeros for the proportional one): */
    dcs_cooling_power_t air;            /* the air path's parts */
    dcs_cooling_power_t liquid;         /* the liquid loop's parts */
    dcs_electrical_losses_t electrical; /* the losses' parts */
} dcs_facility_power_t;

/* Totals over an interval. */
typedef struct dcs_facility_energy {
    double it_j;       /* IT energy, J */
    double cooling_j;  /* cooling plant, J */
    double losses_j;   /* power delivery losses, J */
    double facility_j; /* the three above, J */
    double water_l;    /* make-up water, L */
    double outside_c;  /* time-weighted mean dry bulb, deg C */
} dcs_facility_energy_t;

/* Reads the `facility` mapping (schema above), loading the weather file if
 * it names one. Returns 0, or DCS_EINPUT with `err` set and nothing to free.
 * Besides the accessors' messages:
 *   F:L:C: field 'facility': expected 'plant' (computed model) or
 *          'cooling_overhead_frac' and 'electrical_loss_frac' (proportional
 *          model)
 *   F:L:C: field 'facility.cooling_overhead_frac': applies to the
 *          proportional model only (there is a 'plant')
 *   F:L:C: field 'facility.design_it_w': applies to the computed model only
 *          (give a 'plant')
 *   F:L:C: field 'facility.outside_temp_c': conflicts with 'weather'; give
 *          one or the other
 *   F:L:C: field 'facility.start_hour': applies only with 'weather'
 *   F:L:C: field 'facility.start_hour': expected an integer in [0, 8759]
 *          (the hours of 'PATH'), found '9000'
 *   F:L:C: field 'facility.plant.liquid': applies to cooling: liquid only
 *   F:L:C: field 'facility.weather': cannot open 'PATH': No such file or
 *          directory
 * and the weather file's own messages (dcs_weather_load), which name the
 * CSV file, line and column. Unknown keys are left for dcs_cfg_check_unknown().
 */
int dcs_facility_read(dcs_cfg_node_t *map, dcs_facility_t *facility,
                      dcs_err_t *err);

/* Releases what dcs_facility_read allocated (the weather) and zeroes it.
 * dcs_facility_free(NULL) is a no-op. */
void dcs_facility_free(dcs_facility_t *facility);

/* Outside conditions at run time t_s (s since the run started), deg C and
 * 0..1; any pointer may be NULL. */
void dcs_facility_conditions(const dcs_facility_t *facility, double t_s,
                             double *dry_bulb_c, double *wet_bulb_c,
                             double *rel_humidity_frac);

/* Facility power drawn at run time t_s for IT power it_w (W, >= 0). O(1). */
void dcs_facility_power(const dcs_facility_t *facility, double it_w, double t_s,
                        dcs_facility_power_t *out);

/* Energies and water over [t0_s, t1_s] with IT power constant at it_w,
 * split at every weather hour the interval crosses so that each piece has
 * constant conditions: exact for the piecewise-constant weather. Zeros when
 * t1_s <= t0_s. O(hours crossed). Where IT power varies inside an interval,
 * call it per piece of constant IT power: passing the mean IT power
 * misses the square-law UPS term's curvature (small). */
void dcs_facility_energy(const dcs_facility_t *facility, double t0_s,
                         double t1_s, double it_w, dcs_facility_energy_t *out);

/* The largest IT power (W) whose facility power at run time t_s stays
 * within power_cap_w: the root of the quadratic facility(it) = cap; 0 when
 * even no IT load exceeds the cap (UPS no-load losses), INFINITY when there
 * is no cap. O(1). */
double dcs_facility_it_limit_w(const dcs_facility_t *facility, double t_s);

/* The largest dcs_facility_it_limit_w over every hour of the weather (at
 * any time, with constant conditions): a load above it is never allowed.
 * INFINITY when there is no cap. O(weather hours). */
double dcs_facility_it_limit_max_w(const dcs_facility_t *facility);

/* Former interface, kept for callers not yet migrated.
 *
 * Cooling and loss energy (or power) for `it` joules (or watts) of IT. The
 * proportional model as always; the computed one at its design point: the
 * ratios cooling/IT and losses/IT at design_it_w and the conditions at run
 * time 0. */
void dcs_facility_overheads(const dcs_facility_t *facility, double it,
                            double *cooling, double *losses);

/* Power usage effectiveness: facility power / IT power, of the proportional
 * model, or of the computed one at its design point (as above). */
double dcs_facility_pue(const dcs_facility_t *facility);

#endif
