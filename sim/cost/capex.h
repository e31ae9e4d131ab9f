/* capex.h - what the datacenter owns, per asset class, and how its purchase
 * price is spread over time.
 *
 * Asset classes: accelerators (per GPU), servers (per node, without its
 * GPUs), network (per switch and per port: a transceiver or its share of a
 * cable), storage (per TB of capacity and per device) and the facility (per
 * MW of critical IT capacity; nothing when the building is rented as
 * colocation, see cost.h). Each class has its lifetime; the price is paid
 * back over it either
 *   straight_line: price / lifetime per year, or
 *   crf:           price x CRF per year, the annuity that repays the price
 *                  with interest r over n years:
 *                  CRF = r (1+r)^n / ((1+r)^n - 1), and 1/n when r = 0.
 * A year is 365.25 days; a second of the run costs the yearly payment over
 * the seconds of a year, busy or idle.
 *
 * Keys read from the `cost` mapping (all optional unless said):
 *   lifetime_years: 4             # required, [0.1, 50]; default of each class
 *   amortization: straight_line   # or crf
 *   interest_rate_frac: 0.08      # [0, 1], for crf; default 0
 *   gpu_capex_usd: 25000          # required, per GPU, [0, 1e7]
 *   node_capex_usd: 117000        # required, per node without GPUs, [0, 1e8]
 *   switch_capex_usd: 0           # per switch, [0, 1e8]
 *   port_capex_usd: 0             # per port (optic or cable end), [0, 1e6]
 *   storage_capex_usd_per_tb: 0   # per TB (1e12 B) of capacity, [0, 1e7]
 *   storage_device_capex_usd: 0   # per storage server or device, [0, 1e8]
 *   facility_capex_usd_per_mw: 0  # per MW of critical IT capacity, [0, 1e10]
 *   building: own                 # or colocation (facility capex is then 0)
 *   gpu_lifetime_years, node_lifetime_years, network_lifetime_years,
 *   storage_lifetime_years, facility_lifetime_years:
 *                                 # [0.1, 100]; default lifetime_years */
#ifndef DCS_CAPEX_H
#define DCS_CAPEX_H

#include "config/cfg.h"

#define DCS_S_PER_YEAR  (365.25 * 86400.0)      /* Julian year */
#define DCS_S_PER_MONTH (DCS_S_PER_YEAR / 12.0) /* 730.5 h, a billing month */

typedef enum dcs_asset {
    DCS_ASSET_GPU,      /* accelerators */
    DCS_ASSET_NODE,     /* servers without their GPUs */
    DCS_ASSET_NETWORK,  /* switches and ports */
    DCS_ASSET_STORAGE,  /* capacity and devices */
    DCS_ASSET_FACILITY, /* the building's power and cooling */
    DCS_ASSET_COUNT
} dcs_asset_t;

/* How much of each class the datacenter has; the caller counts. */
typedef struct dcs_assets {
    double gpus;            /* accelerators */
    double nodes;           /* servers */
    double switches;        /* network switches */
    double ports;           /* switch and NIC ports with an optic or cable */
    double storage_tb;      /* storage capacity, TB (1e12 B) */
    double storage_devices; /* storage servers or devices */
    double critical_w;      /* critical IT capacity of the facility, W */
    /* A mixed fleet whose pools have their own prices: every GPU's and
     * every server's price summed (priced 1), instead of the counts above
     * at the cost section's gpu_capex_usd and node_capex_usd (0). */
    int priced;
    double gpus_usd, nodes_usd;
} dcs_assets_t;

typedef enum dcs_amortization {
    DCS_AMORT_STRAIGHT_LINE, /* price / lifetime per year */
    DCS_AMORT_CRF,           /* price x capital recovery factor per year */
} dcs_amortization_t;

typedef enum dcs_building {
    DCS_BUILDING_OWN,        /* facility capex amortized */
    DCS_BUILDING_COLOCATION, /* rented per kW-month; no facility capex */
} dcs_building_t;

typedef struct dcs_capex_spec {
    dcs_amortization_t amortization;        /* how prices are paid back */
    double interest_rate_frac;              /* r of the CRF, per year */
    double default_lifetime_years;          /* `lifetime_years`, years */
    double lifetime_years[DCS_ASSET_COUNT]; /* per class, years */
    double gpu_usd;                         /* one accelerator, USD */
    double node_usd;                        /* one server without GPUs, USD */
    double switch_usd;                      /* one switch, USD */
    double port_usd;            /* one port's optic or cable end, USD */
    double storage_usd_per_tb;  /* USD per TB of capacity */
    double storage_device_usd;  /* one storage device, USD */
    double facility_usd_per_mw; /* USD per MW of critical IT capacity */
    dcs_building_t building;    /* own or colocation */
} dcs_capex_spec_t;

/* Reads the keys above from the `cost` mapping. Returns 0 or DCS_EINPUT
 * (the cfg accessors' messages). */
int dcs_capex_read(dcs_cfg_node_t *map, dcs_capex_spec_t *c, dcs_err_t *err);

/* Capital recovery factor for rate r per year over n years (1/n at r = 0):
 * the share of a price paid each year. r >= 0, n > 0. */
double dcs_capex_crf(double rate_frac, double years);

/* Yearly payment on `price_usd` over `years`. */
double dcs_capex_annual_usd(double price_usd, double years,
                            dcs_amortization_t how, double rate_frac);

/* The same per second of the run: the yearly payment / DCS_S_PER_YEAR
 * (straight line: price / (years x DCS_S_PER_YEAR)). */
double dcs_capex_per_s(double price_usd, double years, dcs_amortization_t how,
                       double rate_frac);

/* Purchase price of class `cls` for `assets`, USD (facility: 0 when
 * colocated). */
double dcs_capex_price_usd(const dcs_capex_spec_t *c, const dcs_assets_t *a,
                           dcs_asset_t cls);

/* That price amortized over the class's lifetime, USD per second. */
double dcs_capex_usd_per_s(const dcs_capex_spec_t *c, const dcs_assets_t *a,
                           dcs_asset_t cls);

/* Sum of dcs_capex_usd_per_s over every class. */
double dcs_capex_total_usd_per_s(const dcs_capex_spec_t *c,
                                 const dcs_assets_t *a);

/* "gpu", "node", "network", "storage", "facility" (for report rows). */
const char *dcs_asset_name(dcs_asset_t cls);

#endif
