/* electrical.h - power delivery losses: UPS, PDUs, site transformers.
 *
 * Power flows utility -> site transformers and switchgear -> (UPS -> PDUs ->
 * racks) and (switchboard -> cooling plant). The UPS carries the IT load
 * with its PDU losses, plus the cooling loads that must ride through a
 * utility outage when `ups_feeds_cooling_distribution` is set (CRAH fans,
 * CDU pumps: the loops' distribution); the rest of the cooling plant
 * (chillers, economizer fans, towers, dry coolers) is fed beside it.
 *
 *   PDU loss          L_pdu = pdu_loss_frac * IT
 *   UPS output        U = IT + L_pdu + cooling on the UPS
 *   UPS loss          L_ups = a R + b U + c U^2 / R
 *                     (no-load, proportional and square-law losses, the
 *                     three-term model of Schneider Electric white paper 108,
 *                     "Making Large UPS Systems More Efficient"); R is the
 *                     installed UPS capacity, ups_capacity_ratio x the
 *                     design IT power (2 for a 2N system, which never runs a
 *                     side above half load)
 *   transformer loss  L_tx = transformer_loss_frac * (IT + cooling + L_pdu +
 *                     L_ups)
 *
 * The heat of these losses is not added to the cooling load (a few percent
 * of IT; UPS rooms have their own cooling, left out).
 *
 * YAML (every key required):
 *   ups_capacity_ratio: 2                # installed UPS W per design IT W
 *   ups_noload_loss_frac: 0.012          # a: W per W of UPS capacity
 *   ups_proportional_loss_frac: 0.02     # b: W per W delivered
 *   ups_square_loss_frac: 0.008          # c: W per W of capacity at full load
 *   ups_feeds_cooling_distribution: true
 *   pdu_loss_frac: 0.015                 # W per W of IT
 *   transformer_loss_frac: 0.01          # W per W delivered */
#ifndef DCS_ELECTRICAL_H
#define DCS_ELECTRICAL_H

#include <stdbool.h>

#include "config/cfg.h"

typedef struct dcs_electrical {
    double ups_capacity_ratio;   /* installed UPS W per design IT W */
    double ups_noload_loss_frac; /* W lost per W of UPS capacity, any load */
    double ups_proportional_loss_frac; /* W lost per W the UPS delivers */
    double ups_square_loss_frac;       /* W lost per W of capacity at full load,
                                          scaling with the load squared */
    bool ups_feeds_cooling_distribution; /* fans/pumps moving heat on UPS */
    double pdu_loss_frac;                /* W lost per W of IT */
    double transformer_loss_frac;        /* W lost per W delivered after the
                                            site transformers */
} dcs_electrical_t;

/* Losses at one moment, W. */
typedef struct dcs_electrical_losses {
    double pdu_w;         /* PDUs and rack feeds, W */
    double ups_w;         /* UPS no-load + proportional + square-law, W */
    double transformer_w; /* site transformers and switchgear, W */
    double total_w;       /* the three above, W */
} dcs_electrical_losses_t;

/* Reads an `electrical` mapping (keys above). Returns 0 or DCS_EINPUT. */
int dcs_electrical_read(dcs_cfg_node_t *map, dcs_electrical_t *e,
                        dcs_err_t *err);

/* Losses delivering `it_w` of IT power and `cooling_w` of cooling power,
 * `ups_cooling_w` of which is on the UPS, through a UPS of capacity
 * `ups_capacity_w` (> 0), all in W. */
void dcs_electrical_losses(const dcs_electrical_t *e, double ups_capacity_w,
                           double it_w, double cooling_w, double ups_cooling_w,
                           dcs_electrical_losses_t *out);

#endif
