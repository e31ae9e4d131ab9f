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
 * Cost: a state change is O(1) plus the intervals it crosses. */
#ifndef DCS_FLEET_H
#define DCS_FLEET_H

#include "engine/tally.h"
#include "hw/device.h"
#include "hw/power.h"

/* What a cluster file says about its nodes. */
typedef struct dcs_fleet_spec {
    char name[64];            /* cluster name */
    dcs_device_spec_t device; /* every GPU is of this kind */
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
} dcs_fleet_spec_t;

/* Reads a cluster mapping: name, description, device (a mapping, usually
 * `!include ../devices/x.yaml`), nodes, gpus_per_node, host_power_w (one
 * figure) or host {cpus, cpu_idle_w, cpu_busy_w, memory_w, nics, nic_w,
 * fans_idle_w, fans_busy_w, psu_efficiency, vr_efficiency} (the parts,
 * through the voltage regulators and the power supplies),
 * optional gpu_power_cap_w (at most the device's TDP).
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
} dcs_fleet_t;

/* Builds a fleet with every GPU idle at time 0. Returns 0 or DCS_ENOMEM. */
int dcs_fleet_init(dcs_fleet_t *fleet, const dcs_fleet_spec_t *spec,
                   const dcs_power_model_t *power, dcs_time_t interval_ns);
void dcs_fleet_destroy(dcs_fleet_t *fleet);

/* Node of a GPU (GPUs are numbered node-major). */
static inline int dcs_fleet_node_of(const dcs_fleet_t *fleet, int gpu)
{
    return gpu / fleet->spec.gpus_per_node;
}

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
