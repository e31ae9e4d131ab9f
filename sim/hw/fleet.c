/* fleet.c - nodes, devices, and exact time and energy accounting. */
#include "hw/fleet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A node's power besides its GPUs: one figure, or its parts, into the
 * host fields of `spec` (a pool's, or the cluster's). */
static int read_host(dcs_cfg_node_t *map, dcs_fleet_pool_t *spec,
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

/* The keys of the one-device form, which a cluster with pools gives per
 * pool instead. */
static const char *const ONE_DEVICE_KEYS[] = {
    "device",          "nodes", "gpus_per_node", "host", "host_power_w",
    "gpu_power_cap_w", NULL};

/* One item of `pools` into pools[i]; `first` is pools[0] (i > 0). */
static int read_pool(dcs_cfg_node_t *item, dcs_fleet_spec_t *spec, size_t i,
                     dcs_err_t *err)
{
    dcs_fleet_pool_t *pool = &spec->pools[i];
    const char *name = NULL;
    dcs_cfg_node_t *device = NULL;
    int64_t nodes = 0, gpus_per_node = 0;
    int rc;
    pool->speed = 1;
    pool->gpu_capex_usd = pool->node_capex_usd = -1;
    if ((rc = dcs_cfg_str(item, "name", DCS_CFG_REQUIRED, &name, err)) < 0 ||
        (rc = dcs_cfg_map(item, "device", DCS_CFG_REQUIRED, &device, err)) <
            0 ||
        (rc = dcs_device_read(device, &pool->device, err)) < 0 ||
        (rc = dcs_cfg_i64(item, "nodes", DCS_CFG_REQUIRED, 1, 1000000, &nodes,
                          err)) < 0 ||
        (rc = dcs_cfg_i64(item, "gpus_per_node", DCS_CFG_REQUIRED, 1, 1024,
                          &gpus_per_node, err)) < 0 ||
        (rc = read_host(item, pool, err)) < 0 ||
        (rc = dcs_cfg_f64(item, "speed", DCS_CFG_OPTIONAL, 0.01, 100,
                          &pool->speed, err)) < 0 ||
        (rc = dcs_cfg_f64(item, "gpu_capex_usd", DCS_CFG_OPTIONAL, 0, 1e7,
                          &pool->gpu_capex_usd, err)) < 0 ||
        (rc = dcs_cfg_f64(item, "node_capex_usd", DCS_CFG_OPTIONAL, 0, 1e8,
                          &pool->node_capex_usd, err)) < 0)
        return rc;
    dcs_cfg_node_t *at = dcs_cfg_get(item, "name");
    if (!*name || strlen(name) >= sizeof pool->name)
        return dcs_cfg_error(at, err,
                             "expected a name of 1 to %zu characters, found "
                             "'%s'",
                             sizeof pool->name - 1, name);
    for (size_t k = 0; k < i; k++)
        if (!strcasecmp(spec->pools[k].name, name))
            return dcs_cfg_error(at, err,
                                 "pool '%s' is named twice (pools[%zu] has "
                                 "that name; names are compared without case)",
                                 name, k);
    if (i > 0 && gpus_per_node != spec->gpus_per_node)
        return dcs_cfg_error(dcs_cfg_get(item, "gpus_per_node"), err,
                             "expected %d, as in pool '%s': the pools of a "
                             "cluster have the same GPUs per node in this "
                             "version, found %lld",
                             spec->gpus_per_node, spec->pools[0].name,
                             (long long)gpus_per_node);
    snprintf(pool->name, sizeof pool->name, "%s", name);
    pool->nodes = (int)nodes;
    pool->first_node = spec->nodes;
    spec->nodes += (int)nodes;
    spec->gpus_per_node = (int)gpus_per_node;
    if ((int64_t)spec->nodes * gpus_per_node > 10000000)
        return dcs_cfg_error(dcs_cfg_get(item, "nodes"), err,
                             "the pools so far hold %lld nodes x %lld GPUs, "
                             "more than 10 million GPUs",
                             (long long)spec->nodes, (long long)gpus_per_node);
    return 0;
}

/* `pools`: the cluster pool by pool. */
static int read_pools(dcs_cfg_node_t *map, dcs_cfg_node_t *pools,
                      dcs_fleet_spec_t *spec, dcs_err_t *err)
{
    for (size_t k = 0; ONE_DEVICE_KEYS[k]; k++) {
        dcs_cfg_node_t *v = dcs_cfg_get(map, ONE_DEVICE_KEYS[k]);
        if (!v)
            continue;
        /* Point at the value, unless it was !included from another file
         * (its place is in that file): then at the pools. */
        int here = !strcmp(dcs_cfg_file(v), dcs_cfg_file(pools)) ||
                   !strcmp(dcs_cfg_file(v), "--set");
        return dcs_cfg_error(here ? v : pools, err,
                             "'%s' beside pools: a cluster with pools gives "
                             "the device, nodes, gpus_per_node and host "
                             "power in each pool (and no gpu_power_cap_w)",
                             ONE_DEVICE_KEYS[k]);
    }
    if (dcs_cfg_kind(pools) != DCS_CFG_SEQ || dcs_cfg_len(pools) == 0)
        return dcs_cfg_error(pools, err,
                             "expected a non-empty sequence of pools");
    if (dcs_cfg_len(pools) > DCS_FLEET_MAX_POOLS)
        return dcs_cfg_error(pools, err, "at most %d pools, found %zu",
                             DCS_FLEET_MAX_POOLS, dcs_cfg_len(pools));
    spec->nodes = 0;
    for (size_t i = 0; i < dcs_cfg_len(pools); i++) {
        int rc = read_pool(dcs_cfg_at(pools, i), spec, i, err);
        if (rc < 0)
            return rc;
        spec->npools++;
    }
    const dcs_fleet_pool_t *first = &spec->pools[0];
    spec->device = first->device;
    spec->host_power_w = first->host_power_w;
    spec->host_busy_w = first->host_busy_w;
    spec->psu_efficiency = first->psu_efficiency;
    return 0;
}

int dcs_fleet_read(dcs_cfg_node_t *map, dcs_fleet_spec_t *spec, dcs_err_t *err)
{
    const char *name = NULL, *description = NULL;
    dcs_cfg_node_t *device = NULL, *pools = NULL;
    int64_t nodes = 0, gpus_per_node = 0;
    int rc;
    memset(spec, 0, sizeof *spec);
    if ((rc = dcs_cfg_str(map, "name", DCS_CFG_REQUIRED, &name, err)) < 0 ||
        (rc = dcs_cfg_str(map, "description", DCS_CFG_OPTIONAL, &description,
                          err)) < 0 ||
        (rc = dcs_cfg_node(map, "pools", DCS_CFG_OPTIONAL, &pools, err)) < 0)
        return rc;
    snprintf(spec->name, sizeof spec->name, "%s", name);
    if (pools)
        return read_pools(map, pools, spec, err);
    dcs_fleet_pool_t host = {0};
    if ((rc = dcs_cfg_map(map, "device", DCS_CFG_REQUIRED, &device, err)) < 0 ||
        (rc = dcs_device_read(device, &spec->device, err)) < 0 ||
        (rc = dcs_cfg_i64(map, "nodes", DCS_CFG_REQUIRED, 1, 1000000, &nodes,
                          err)) < 0 ||
        (rc = dcs_cfg_i64(map, "gpus_per_node", DCS_CFG_REQUIRED, 1, 1024,
                          &gpus_per_node, err)) < 0 ||
        (rc = read_host(map, &host, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "gpu_power_cap_w", DCS_CFG_OPTIONAL,
                          spec->device.idle_power_w, spec->device.tdp_w,
                          &spec->gpu_power_cap_w, err)) < 0)
        return rc;
    if (nodes * gpus_per_node > 10000000)
        return dcs_cfg_error(
            dcs_cfg_get(map, "nodes"), err,
            "%lld nodes x %lld GPUs is more than 10 million GPUs",
            (long long)nodes, (long long)gpus_per_node);
    spec->nodes = (int)nodes;
    spec->gpus_per_node = (int)gpus_per_node;
    spec->host_power_w = host.host_power_w;
    spec->host_busy_w = host.host_busy_w;
    spec->psu_efficiency = host.psu_efficiency;
    return 0;
}

int dcs_fleet_pool_find(const dcs_fleet_spec_t *spec, const char *name)
{
    for (int i = 0; i < spec->npools; i++)
        if (!strcasecmp(spec->pools[i].name, name))
            return i;
    return -1;
}

const char *dcs_fleet_pool_names(const dcs_fleet_spec_t *spec, char *buf,
                                 size_t size)
{
    size_t at = 0;
    buf[0] = '\0';
    for (int i = 0; i < spec->npools && at < size; i++)
        at += (size_t)snprintf(buf + at, size - at, "%s%s", i ? ", " : "",
                               spec->pools[i].name);
    return buf;
}

int dcs_fleet_init(dcs_fleet_t *fleet, const dcs_fleet_spec_t *spec,
                   const dcs_power_model_t *power, dcs_time_t interval_ns)
{
    memset(fleet, 0, sizeof *fleet);
    fleet->spec = *spec;
    fleet->power = power;
    fleet->interval_ns = interval_ns;
    fleet->ngpus = spec->nodes * spec->gpus_per_node;
    if (spec->npools == 0) { /* one device: its pool */
        dcs_fleet_pool_t *pool = &fleet->spec.pools[0];
        memset(pool, 0, sizeof *pool);
        snprintf(pool->name, sizeof pool->name, "%.15s", spec->device.name);
        pool->device = spec->device;
        pool->nodes = spec->nodes;
        pool->host_power_w = spec->host_power_w;
        pool->host_busy_w = spec->host_busy_w;
        pool->psu_efficiency = spec->psu_efficiency;
        pool->speed = 1;
        pool->gpu_capex_usd = pool->node_capex_usd = -1;
    }
    fleet->npools = spec->npools > 0 ? spec->npools : 1;
    size_t n = (size_t)fleet->ngpus, nodes = (size_t)spec->nodes;
    fleet->state = calloc(n, sizeof *fleet->state);
    fleet->gpu_energy_j = calloc(n, sizeof *fleet->gpu_energy_j);
    fleet->gpu_since_ns = calloc(n, sizeof *fleet->gpu_since_ns);
    fleet->node_states =
        calloc(nodes * DCS_DEV_NSTATES, sizeof *fleet->node_states);
    fleet->node_gpu_power_w = calloc(nodes, sizeof *fleet->node_gpu_power_w);
    fleet->gpu_set_w = calloc(n, sizeof *fleet->gpu_set_w);
    if (fleet->npools > 1)
        fleet->node_pool = malloc(nodes > 0 ? nodes : 1);
    if (!fleet->state || !fleet->gpu_energy_j || !fleet->gpu_since_ns ||
        !fleet->node_states || !fleet->node_gpu_power_w || !fleet->gpu_set_w ||
        (fleet->npools > 1 && !fleet->node_pool)) {
        dcs_fleet_destroy(fleet);
        return DCS_ENOMEM;
    }
    for (int p = 0; fleet->node_pool && p < fleet->npools; p++) {
        const dcs_fleet_pool_t *pool = &fleet->spec.pools[p];
        memset(fleet->node_pool + pool->first_node, p, (size_t)pool->nodes);
    }
    for (size_t node = 0; node < nodes; node++) {
        const dcs_fleet_pool_t *pool = dcs_fleet_pool_of(fleet, (int)node);
        double idle_w = power->power_w(power, &pool->device, DCS_DEV_IDLE);
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
    free(fleet->node_pool);
    memset(fleet, 0, sizeof *fleet);
}

static double gpu_power_w(const dcs_fleet_t *fleet, int gpu)
{
    if (fleet->gpu_set_w[gpu] > 0)
        return fleet->gpu_set_w[gpu];
    /* One device: no lookup (the common case stays as fast as it was). */
    const dcs_device_spec_t *device =
        fleet->node_pool
            ? &fleet->spec
                   .pools[fleet->node_pool[dcs_fleet_node_of(fleet, gpu)]]
                   .device
            : &fleet->spec.device;
    return fleet->power->power_w(fleet->power, device,
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
