/* fleet.h - the cluster's nodes and their devices, with exact accounting.
 *
 * The fleet knows every device's state and integrates time and energy
 * exactly: power is piecewise constant between state changes, so energy is
 * a sum of power x duration (engine/tally.h). Per node it keeps, for each
 * reporting interval, the device-seconds spent in each state and the GPU
 * energy; per device it keeps the energy so far, which jobs use to learn
 * their own energy. Host power (CPUs, memory, NICs, fans, PSU losses) is a
 * constant per node in this version.
 *
 * A cluster is one device throughout, or pools of nodes of different
 * devices (a mixed fleet: `pools:` in the cluster file), numbered pool
 * after pool; each GPU draws its own pool's device power and each node
 * its own pool's host power.
 *
 * Cost: a state change is O(1) plus the intervals it crosses. */
#ifndef DCS_FLEET_H
#define DCS_FLEET_H

#include "engine/tally.h"
#include "hw/device.h"
#include "hw/power.h"

enum { DCS_FLEET_MAX_POOLS = 8 };

/* A pool: consecutive nodes of one device and one host design. */
typedef struct dcs_fleet_pool {
    char name[16];            /* the model jobs name in gpu_type */
    dcs_device_spec_t device; /* every GPU of the pool */
    int nodes;                /* node count */
    int first_node;           /* its nodes are first_node .. + nodes - 1 */
    double host_power_w;      /* per node, as dcs_fleet_spec_t's */
    double host_busy_w;       /* per node, all its GPUs working */
    double psu_efficiency;    /* the node's supplies (1: not modelled) */
    double speed;             /* throughput relative to speed 1: a
                                 fixed-duration job runs duration / speed */
    double gpu_capex_usd;     /* one of its GPUs, USD (< 0: the scenario
                                 cost section's gpu_capex_usd) */
    double node_capex_usd;    /* one of its servers without GPUs, USD (< 0:
                                 the cost section's node_capex_usd) */
} dcs_fleet_pool_t;

/* What a cluster file says about its nodes. */
typedef struct dcs_fleet_spec {
    char name[64];            /* cluster name */
    dcs_device_spec_t device; /* every GPU is of this kind (with pools:
                                 the first pool's) */
    int nodes;                /* node count */
    int gpus_per_node;        /* devices per node */
    double host_power_w;      /* per node, everything but the GPUs, with
                                 its GPUs idle */
    double host_busy_w;       /* the same with all its GPUs working (CPUs
                                 feeding them); in between by share */
    double psu_efficiency;    /* the node's supplies, which also carry the
                                 GPU boards' power (1: not modelled) */
    double gpu_power_cap_w;   /* board limit set on every GPU, W (0: the
                                 device's TDP) */
    /* Pools, when the file declares them (`pools:`); 0 for a cluster of
     * one device, described by the fields above. With pools, `nodes` is
     * the whole cluster's, `gpus_per_node` every pool's, and `device`
     * and the host fields the first pool's (for callers that need one). */
    dcs_fleet_pool_t pools[DCS_FLEET_MAX_POOLS];
    int npools;
} dcs_fleet_spec_t;

/* Reads a cluster mapping: name, description, device (a mapping, usually
 * `!include ../devices/x.yaml`), nodes, gpus_per_node, host_power_w (one
 * figure) or host {cpus, cpu_idle_w, cpu_busy_w, memory_w, nics, nic_w,
 * fans_idle_w, fans_busy_w, psu_efficiency, vr_efficiency} (the parts,
 * through the voltage regulators and the power supplies),
 * optional gpu_power_cap_w (at most the device's TDP).
 * Or, instead of device, nodes, gpus_per_node, the host power and the cap:
 * pools, a sequence of 1 to DCS_FLEET_MAX_POOLS mappings {name (at most 15
 * characters, unique), device, nodes, gpus_per_node (the same in every
 * pool), host_power_w or host, optional speed (default 1), optional
 * gpu_capex_usd and node_capex_usd (the pool's own prices, per GPU and per
 * server without GPUs; default: the scenario's cost section's)}.
 * Returns 0 or DCS_EINPUT. */
int dcs_fleet_read(dcs_cfg_node_t *map, dcs_fleet_spec_t *spec, dcs_err_t *err);

/* The fleet. Callers may read the fields; change them only through the
 * functions below. */
typedef struct dcs_fleet {
    dcs_fleet_spec_t spec;
    const dcs_power_model_t *power;
    int ngpus;                /* nodes x gpus_per_node */
    dcs_time_t interval_ns;   /* reporting interval */
    unsigned char *state;     /* per GPU: a dcs_dev_state_t */
    double *gpu_energy_j;     /* per GPU: energy up to gpu_since_ns */
    dcs_time_t *gpu_since_ns; /* per GPU: time of its last change */
    double *gpu_set_w;        /* per GPU: power set by dcs_fleet_set_power
                                 (0: its state's, from the power model) */
    dcs_tally_t *node_states; /* nodes x DCS_DEV_NSTATES: devices in state */
    dcs_tally_t *node_gpu_power_w; /* per node: sum of GPU board power */
    int npools;                    /* spec.pools in use: spec.npools, or 1
                                      (spec.pools[0] made from the one
                                      device) */
    unsigned char *node_pool;      /* per node: its pool (NULL: one pool) */
} dcs_fleet_t;

/* Builds a fleet with every GPU idle at time 0. A spec of one device
 * (npools 0) gets spec.pools[0] filled from its device and host, named
 * after the device. Returns 0 or DCS_ENOMEM. */
int dcs_fleet_init(dcs_fleet_t *fleet, const dcs_fleet_spec_t *spec,
                   const dcs_power_model_t *power, dcs_time_t interval_ns);
void dcs_fleet_destroy(dcs_fleet_t *fleet);

/* Node of a GPU (GPUs are numbered node-major). */
static inline int dcs_fleet_node_of(const dcs_fleet_t *fleet, int gpu)
{
    return gpu / fleet->spec.gpus_per_node;
}

/* The pool of a node. */
static inline const dcs_fleet_pool_t *
dcs_fleet_pool_of(const dcs_fleet_t *fleet, int node)
{
    return &fleet->spec.pools[fleet->node_pool ? fleet->node_pool[node] : 0];
}

/* The pool named `name` (case does not matter), or -1. */
int dcs_fleet_pool_find(const dcs_fleet_spec_t *spec, const char *name);

/* The pools' names, "A, B", into buf (for messages); returns buf. */
const char *dcs_fleet_pool_names(const dcs_fleet_spec_t *spec, char *buf,
                                 size_t size);

/* Puts `gpu` into `state` at `now` (>= its last change). Returns 0 or
 * DCS_ENOMEM. */
int dcs_fleet_set_state(dcs_fleet_t *fleet, dcs_time_t now, int gpu,
                        dcs_dev_state_t state);

/* Sets `gpu`'s board power to `watts` at `now`, in the state it is in
 * (a job that knows its own draw, e.g. a training iteration's mean), until
 * its next state change; 0 returns it to its state's power. Returns 0 or
 * DCS_ENOMEM. */
int dcs_fleet_set_power(dcs_fleet_t *fleet, dcs_time_t now, int gpu,
                        double watts);

/* Energy of `gpu` from time 0 to `now`, in J. */
double dcs_fleet_gpu_energy_j(const dcs_fleet_t *fleet, int gpu,
                              dcs_time_t now);

/* Integrates every tally up to `end`; call once when the run ends. */
int dcs_fleet_finish(dcs_fleet_t *fleet, dcs_time_t end);

#endif
