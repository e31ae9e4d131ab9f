/* cooling.h - one cooling loop: the power it draws to remove a heat load,
 * and the water it evaporates, as functions of the outside air.
 *
 * A loop (the air path through CRAHs, or a warm-water direct-to-chip loop)
 * removes `heat_w` watts. Its parts draw power in proportion to the heat
 * each one handles:
 *
 *   distribution   always on: CRAH fans (air), CDU and loop pumps (liquid)
 *                  P_dist = distribution_frac * Q
 *   free cooling   an economizer (outside air, or dry coolers) carries the
 *                  share 1 - s of the heat:  P_econ = economizer_frac (1-s) Q
 *   chiller        carries the share s:      P_chiller = s Q / COP
 *   heat rejection the chiller's condenser side (cooling-tower fans and
 *                  condenser pumps, or dry-cooler fans) rejects the chiller's
 *                  heat plus its compressor work:
 *                  P_rej = heat_rejection_frac * s Q (1 + 1/COP)
 *
 * The chiller's share s depends on the outside dry bulb T:
 *   s = 0                                   T <= economizer_max_c
 *   s = (T - economizer_max_c) / partial_band_c   inside the band
 *   s = 1                                   T >= economizer_max_c + band
 * (a band of 0 switches at economizer_max_c: s = 1 above it).
 *
 * The chiller's COP falls linearly with the temperature its condenser sees,
 * T_c: the wet bulb with evaporative heat rejection (cooling tower), the dry
 * bulb with dry heat rejection (air-cooled condenser, dry cooler):
 *   COP = clamp(chiller_cop_ref - chiller_cop_slope_per_c (T_c -
 *               chiller_cop_ref_c), chiller_cop_min, chiller_cop_max)
 *
 * Water: evaporative heat rejection consumes `water_l_per_kwh` litres of
 * make-up water (evaporation plus blow-down) per kWh of heat rejected:
 *   W [L/h] = water_l_per_kwh * s Q (1 + 1/COP) / 1000
 * Free cooling and dry heat rejection use no water.
 *
 * Everything is linear in Q at given outside conditions.
 *
 * YAML (every key required but water_l_per_kwh, which evaporative heat
 * rejection requires and dry forbids):
 *   distribution_frac: 0.05       # W per W of loop heat
 *   economizer_max_c: 18          # deg C, outside dry bulb
 *   partial_band_c: 6             # K
 *   economizer_frac: 0.02         # W per W carried by free cooling
 *   chiller_cop_ref: 6.0          # W of heat per W of electricity
 *   chiller_cop_ref_c: 25         # deg C (wet bulb if evaporative)
 *   chiller_cop_slope_per_c: 0.15 # COP per K
 *   chiller_cop_min: 3            # COP
 *   chiller_cop_max: 9            # COP
 *   heat_rejection: evaporative   # or dry
 *   heat_rejection_frac: 0.04     # W per W rejected
 *   water_l_per_kwh: 2.0          # L per kWh rejected */
#ifndef DCS_COOLING_H
#define DCS_COOLING_H

#include "config/cfg.h"

typedef enum dcs_heat_rejection {
    DCS_HEAT_REJECTION_DRY,         /* air-cooled condenser, dry cooler */
    DCS_HEAT_REJECTION_EVAPORATIVE, /* cooling tower */
} dcs_heat_rejection_t;

typedef struct dcs_cooling_loop {
    double distribution_frac; /* W per W of loop heat, always drawn */
    double economizer_max_c;  /* outside dry bulb up to which free cooling
                                 carries all the heat, deg C */
    double partial_band_c;    /* width of the band above it where the
                                 chiller's share rises 0 -> 1, K */
    double economizer_frac;   /* W per W of heat carried by free cooling */
    double cop_ref;           /* chiller COP (W heat / W electric) at
                                 cop_ref_c */
    double cop_ref_c;         /* condenser-side temperature of cop_ref, C */
    double cop_slope_per_c;   /* COP lost per K above cop_ref_c, 1/K */
    double cop_min, cop_max;  /* COP bounds, W/W */
    dcs_heat_rejection_t heat_rejection; /* what the condenser sees */
    double heat_rejection_frac; /* W per W of heat rejected by the chiller
                                   plant (heat + compressor work) */
    double water_l_per_kwh;     /* make-up water per kWh rejected, L/kWh
                                   (0 with dry heat rejection) */
} dcs_cooling_loop_t;

/* A loop's draw at one moment. */
typedef struct dcs_cooling_power {
    double chiller_share;    /* share of the heat the chiller carries, 0..1 */
    double cop;              /* chiller COP at these conditions, W/W */
    double distribution_w;   /* fans or pumps moving the heat, W */
    double economizer_w;     /* free cooling, W */
    double chiller_w;        /* compressor, W */
    double heat_rejection_w; /* towers, condenser pumps, dry coolers, W */
    double total_w;          /* the four above, W */
    double water_l_per_h;    /* make-up water, L/h */
} dcs_cooling_power_t;

/* Reads a loop mapping (keys above). Returns 0 or DCS_EINPUT with the
 * accessors' messages; chiller_cop_max must lie in [chiller_cop_min, 100]
 * ("expected a number in [3, 100], found '2'"), and with dry heat rejection
 *   FILE:L:C: field 'P.water_l_per_kwh': applies to heat_rejection:
 *             evaporative only */
int dcs_cooling_loop_read(dcs_cfg_node_t *map, dcs_cooling_loop_t *loop,
                          dcs_err_t *err);

/* The chiller's share of the heat at outside dry bulb `dry_bulb_c`. */
double dcs_cooling_chiller_share(const dcs_cooling_loop_t *loop,
                                 double dry_bulb_c);

/* The chiller's COP at these outside conditions (deg C). */
double dcs_cooling_cop(const dcs_cooling_loop_t *loop, double dry_bulb_c,
                       double wet_bulb_c);

/* The loop's draw removing `heat_w` (W) at outside dry bulb and wet bulb
 * (deg C). */
void dcs_cooling_loop_power(const dcs_cooling_loop_t *loop, double heat_w,
                            double dry_bulb_c, double wet_bulb_c,
                            dcs_cooling_power_t *out);

#endif
