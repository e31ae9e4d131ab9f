/* fleet.c - nodes, devices, and exact time and energy accounting. */
#include "hw/fleet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A node's power besides its GPUs: one figure, or its parts. */
static int read_host(dcs_cfg_node_t *map, dcs_fleet_spec_t *spec,
                     dcs_err_t *err)
{
    dcs_cfg_node_t *host = NULL;
    int rc;
    if ((rc = dcs_cfg_map(map, "host", DCS_CFG_OPTIONAL, &host, err)) < 0)
        return rc;
    if (!host) {
        rc = dcs_cfg_f64(map, "host_power_w", DCS_CFG_REQUIRED, 0, 1e6,
                         &spec->host_power_w, err);
        spec->host_busy_w = spec->host_power_w;
        spec->psu_efficiency = 1.0; /* host_power_w is at the wall */
        return rc;
    }
    if (dcs_cfg_get(map, "host_power_w"))
        return dcs_cfg_error(dcs_cfg_get(map, "host_power_w"), err,
                             "give host_power_w or host, not both");
    int64_t cpus = 2, nics = 0;
    double cpu_idle = 0, cpu_busy = 0, memory = 0, nic = 0, fans_idle = 0,
           fans_busy = -1, psu = 0.94, vr = 1.0;
    if ((rc = dcs_cfg_i64(host, "cpus", DCS_CFG_OPTIONAL, 0, 64, &cpus, err)) <
            0 ||
        (rc = dcs_cfg_f64(host, "cpu_idle_w", DCS_CFG_REQUIRED, 0, 1e4,
                          &cpu_idle, err)) < 0 ||
        (rc = dcs_cfg_f64(host, "cpu_busy_w", DCS_CFG_REQUIRED, cpu_idle, 1e4,
                          &cpu_busy, err)) < 0 ||
        (rc = dcs_cfg_f64(host, "memory_w", DCS_CFG_OPTIONAL, 0, 1e5, &memory,
                          err)) < 0 ||
        (rc = dcs_cfg_i64(host, "nics", DCS_CFG_OPTIONAL, 0, 1024, &nics,
                          err)) < 0 ||
        (rc = dcs_cfg_f64(host, "nic_w", DCS_CFG_OPTIONAL, 0, 1e4, &nic, err)) <
            0 ||
        (rc = dcs_cfg_f64(host, "fans_idle_w", DCS_CFG_OPTIONAL, 0, 1e5,
                          &fans_idle, err)) < 0 ||
        (rc = dcs_cfg_f64(host, "fans_busy_w", DCS_CFG_OPTIONAL, 0, 1e5,
                          &fans_busy, err)) < 0 ||
        (rc = dcs_cfg_f64(host, "psu_efficiency", DCS_CFG_OPTIONAL, 0.5, 1,
                          &psu, err)) < 0 ||
        (rc = dcs_cfg_f64(host, "vr_efficiency", DCS_CFG_OPTIONAL, 0.5, 1, &vr,
                          err)) < 0 ||
        (rc = dcs_cfg_check_unknown(host, err)) < 0)
        return rc;
    if (fans_busy < 0)
        fans_busy = fans_idle;
    /* The parts draw through the regulators and the supplies; the GPUs'
     * board power (measured at the board) goes through the supplies too:
     * the reports add that loss (psu_efficiency). */
    double fixed = memory + (double)nics * nic;
    spec->host_power_w = (cpus * cpu_idle + fixed + fans_idle) / (psu * vr);
    spec->host_busy_w = (cpus * cpu_busy + fixed + fans_busy) / (psu * vr);
    spec->psu_efficiency = psu;
    return 0;
}

int dcs_fleet_read(dcs_cfg_node_t *map, dcs_fleet_spec_t *spec, dcs_err_t *err)
{
    const char *name = NULL, *description = NULL;
    dcs_cfg_node_t *device = NULL;
    int64_t nodes = 0, gpus_per_node = 0;
    int rc;
    memset(spec, 0, sizeof *spec);
    if ((rc = dcs_cfg_str(map, "name", DCS_CFG_REQUIRED, &name, err)) < 0 ||
        (rc = dcs_cfg_str(map, "description", DCS_CFG_OPTIONAL, &description,
                          err)) < 0 ||
        (rc = dcs_cfg_map(map, "device", DCS_CFG_REQUIRED, &device, err)) < 0 ||
        (rc = dcs_device_read(device, &spec->device, err)) < 0 ||
        (rc = dcs_cfg_i64(map, "nodes", DCS_CFG_REQUIRED, 1, 1000000, &nodes,
                          err)) < 0 ||
        (rc = dcs_cfg_i64(map, "gpus_per_node", DCS_CFG_REQUIRED, 1, 1024,
                          &gpus_per_node, err)) < 0 ||
        (rc = read_host(map, spec, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "gpu_power_cap_w", DCS_CFG_OPTIONAL,
                          spec->device.idle_power_w, spec->device.tdp_w,
                          &spec->gpu_power_cap_w, err)) < 0)
        return rc;
    if (nodes * gpus_per_node > 10000000)
        return dcs_cfg_error(
            dcs_cfg_get(map, "nodes"), err,
            "%lld nodes x %lld GPUs is more than 10 million GPUs",
            (long long)nodes, (long long)gpus_per_node);
    snprintf(spec->name, sizeof spec->name, "%s", name);
    spec->nodes = (int)nodes;
    spec->gpus_per_node = (int)gpus_per_node;
    return 0;
}

int dcs_fleet_init(dcs_fleet_t *fleet, const dcs_fleet_spec_t *spec,
                   const dcs_power_model_t *power, dcs_time_t interval_ns)
{
    memset(fleet, 0, sizeof *fleet);
    fleet->spec = *spec;
    fleet->power = power;
    fleet->interval_ns = interval_ns;
    fleet->ngpus = spec->nodes * spec->gpus_per_node;
    size_t n = (size_t)fleet->ngpus, nodes = (size_t)spec->nodes;
    fleet->state = calloc(n, sizeof *fleet->state);
    fleet->gpu_energy_j = calloc(n, sizeof *fleet->gpu_energy_j);
    fleet->gpu_since_ns = calloc(n, sizeof *fleet->gpu_since_ns);
    fleet->node_states =
        calloc(nodes * DCS_DEV_NSTATES, sizeof *fleet->node_states);
    fleet->node_gpu_power_w = calloc(nodes, sizeof *fleet->node_gpu_power_w);
    fleet->gpu_set_w = calloc(n, sizeof *fleet->gpu_set_w);
    if (!fleet->state || !fleet->gpu_energy_j || !fleet->gpu_since_ns ||
        !fleet->node_states || !fleet->node_gpu_power_w || !fleet->gpu_set_w) {
        dcs_fleet_destroy(fleet);
        return DCS_ENOMEM;
    }
    double idle_w = power->power_w(power, &spec->device, DCS_DEV_IDLE);
    for (size_t node = 0; node < nodes; node++) {
        for (int s = 0; s < DCS_DEV_NSTATES; s++)
            dcs_tally_init(&fleet->node_states[node * DCS_DEV_NSTATES + s],
                           s == DCS_DEV_IDLE ? spec->gpus_per_node : 0,
                           interval_ns);
        dcs_tally_init(&fleet->node_gpu_power_w[node],
                       idle_w * spec->gpus_per_node, interval_ns);
    }
    return 0;
}

void dcs_fleet_destroy(dcs_fleet_t *fleet)
{
    if (fleet->node_states)
        for (int i = 0; i < fleet->spec.nodes * DCS_DEV_NSTATES; i++)
            dcs_tally_destroy(&fleet->node_states[i]);
    if (fleet->node_gpu_power_w)
        for (int i = 0; i < fleet->spec.nodes; i++)
            dcs_tally_destroy(&fleet->node_gpu_power_w[i]);
    free(fleet->state);
    free(fleet->gpu_energy_j);
    free(fleet->gpu_since_ns);
    free(fleet->node_states);
    free(fleet->node_gpu_power_w);
    free(fleet->gpu_set_w);
    memset(fleet, 0, sizeof *fleet);
}

static double gpu_power_w(const dcs_fleet_t *fleet, int gpu)
{
    if (fleet->gpu_set_w[gpu] > 0)
        return fleet->gpu_set_w[gpu];
    return fleet->power->power_w(fleet->power, &fleet->spec.device,
                                 (dcs_dev_state_t)fleet->state[gpu]);
}

double dcs_fleet_gpu_energy_j(const dcs_fleet_t *fleet, int gpu, dcs_time_t now)
{
    double dt_s = (double)(now - fleet->gpu_since_ns[gpu]) / 1e9;
    return fleet->gpu_energy_j[gpu] + gpu_power_w(fleet, gpu) * dt_s;
}

int dcs_fleet_set_state(dcs_fleet_t *fleet, dcs_time_t now, int gpu,
                        dcs_dev_state_t state)
{
    DCS_ASSERT(gpu >= 0 && gpu < fleet->ngpus);
    dcs_dev_state_t old = (dcs_dev_state_t)fleet->state[gpu];
    if (old == state)
        return 0;
    int node = dcs_fleet_node_of(fleet, gpu);
    double old_w = gpu_power_w(fleet, gpu);
    fleet->gpu_energy_j[gpu] = dcs_fleet_gpu_energy_j(fleet, gpu, now);
    fleet->gpu_since_ns[gpu] = now;
    fleet->state[gpu] = (unsigned char)state;
    fleet->gpu_set_w[gpu] = 0;
    double new_w = gpu_power_w(fleet, gpu);
    dcs_tally_t *states = &fleet->node_states[node * DCS_DEV_NSTATES];
    int rc = 0;
    if (dcs_tally_add(&states[old], now, -1) < 0 ||
        dcs_tally_add(&states[state], now, +1) < 0 ||
        dcs_tally_add(&fleet->node_gpu_power_w[node], now, new_w - old_w) < 0)
        rc = DCS_ENOMEM;
    return rc;
}

int dcs_fleet_set_power(dcs_fleet_t *fleet, dcs_time_t now, int gpu,
                        double watts)
{
    DCS_ASSERT(gpu >= 0 && gpu < fleet->ngpus && watts >= 0);
    double old_w = gpu_power_w(fleet, gpu);
    fleet->gpu_energy_j[gpu] = dcs_fleet_gpu_energy_j(fleet, gpu, now);
    fleet->gpu_since_ns[gpu] = now;
    fleet->gpu_set_w[gpu] = watts;
    double new_w = gpu_power_w(fleet, gpu);
    return dcs_tally_add(
               &fleet->node_gpu_power_w[dcs_fleet_node_of(fleet, gpu)], now,
               new_w - old_w) < 0
               ? DCS_ENOMEM
               : 0;
}

int dcs_fleet_finish(dcs_fleet_t *fleet, dcs_time_t end)
{
    for (int node = 0; node < fleet->spec.nodes; node++) {
        for (int s = 0; s < DCS_DEV_NSTATES; s++)
            if (dcs_tally_flush(&fleet->node_states[node * DCS_DEV_NSTATES + s],
                                end) < 0)
                return DCS_ENOMEM;
        if (dcs_tally_flush(&fleet->node_gpu_power_w[node], end) < 0)
            return DCS_ENOMEM;
    }
    return 0;
}
