/* fabric.c - building a cluster's scale-out network from its file. */
#include "net/fabric.h"

#include <stdlib.h>
#include <string.h>

int dcs_fabric_read(dcs_cfg_node_t *map, int gpus, dcs_topo_t *t,
                    dcs_err_t *err)
{
    static const char *const kinds[] = {"leaf_spine", "fat_tree", "torus",
                                        "dragonfly", NULL};
    int kind = 0, rc;
    double gbps = 0, spine_gbps = -1;
    int64_t latency = 1000;
    memset(t, 0, sizeof *t);
    if ((rc = dcs_cfg_enum(map, "kind", DCS_CFG_REQUIRED, kinds, &kind, err)) <
            0 ||
        (rc = dcs_cfg_f64(map, "link_gbps", DCS_CFG_REQUIRED, 0.001, 1e6, &gbps,
                          err)) < 0 ||
        (rc = dcs_cfg_i64(map, "latency_ns", DCS_CFG_OPTIONAL, 0, 1000000000,
                          &latency, err)) < 0)
        return rc;
    double protocol = 1.0, port_w = 0, chassis_w = 0;
    if ((rc = dcs_cfg_f64(map, "protocol_efficiency", DCS_CFG_OPTIONAL, 0.01,
                          1.0, &protocol, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "port_power_w", DCS_CFG_OPTIONAL, 0, 10000,
                          &port_w, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "chassis_power_w", DCS_CFG_OPTIONAL, 0, 1e6,
                          &chassis_w, err)) < 0)
        return rc;
    /* Payload rate: the wire rate less the protocol's headers and coding. */
    double bw = gbps * 1e9 / 8 * protocol;
    if (kind == 0) {
        int64_t per_leaf = 0, spines = 0;
        bool rails = false;
        if ((rc = dcs_cfg_i64(map, "hosts_per_leaf", DCS_CFG_REQUIRED, 1,
                              100000, &per_leaf, err)) < 0 ||
            (rc = dcs_cfg_bool(map, "rails", DCS_CFG_OPTIONAL, &rails, err)) <
                0 ||
            (rc = dcs_cfg_i64(map, "spines", DCS_CFG_REQUIRED, 1, 100000,
                              &spines, err)) < 0 ||
            (rc = dcs_cfg_f64(map, "spine_link_gbps", DCS_CFG_OPTIONAL, 0.001,
                              1e6, &spine_gbps, err)) < 0)
            return rc;
        if (gpus % per_leaf)
            return dcs_cfg_error(dcs_cfg_get(map, "hosts_per_leaf"), err,
                                 "%d GPUs do not fill leaves of %lld hosts",
                                 gpus, (long long)per_leaf);
        double sbw = spine_gbps > 0 ? spine_gbps * 1e9 / 8 * protocol : bw;
        rc = (rails ? dcs_topo_rail : dcs_topo_leaf_spine)(
            t, (int)per_leaf, gpus / (int)per_leaf, (int)spines, bw, sbw,
            latency);
    } else if (kind == 1) {
        int64_t k = 0;
        if ((rc = dcs_cfg_i64(map, "k", DCS_CFG_REQUIRED, 2, 256, &k, err)) < 0)
            return rc;
        if (k % 2)
            return dcs_cfg_error(dcs_cfg_get(map, "k"), err,
                                 "expected an even k, found %lld",
                                 (long long)k);
        if (k * k * k / 4 < gpus)
            return dcs_cfg_error(dcs_cfg_get(map, "k"), err,
                                 "a k = %lld fat tree has %lld hosts, fewer "
                                 "than the cluster's %d GPUs",
                                 (long long)k, (long long)(k * k * k / 4),
                                 gpus);
        rc = dcs_topo_fat_tree(t, (int)k, bw, latency);
    } else if (kind == 3) {
        int64_t groups = 0, routers = 0, per_router = 0;
        double global_gbps = -1;
        if ((rc = dcs_cfg_i64(map, "groups", DCS_CFG_REQUIRED, 1, 100000,
                              &groups, err)) < 0 ||
            (rc = dcs_cfg_i64(map, "routers", DCS_CFG_REQUIRED, 1, 10000,
                              &routers, err)) < 0 ||
            (rc = dcs_cfg_i64(map, "hosts_per_router", DCS_CFG_REQUIRED, 1,
                              10000, &per_router, err)) < 0 ||
            (rc = dcs_cfg_f64(map, "global_link_gbps", DCS_CFG_OPTIONAL, 0.001,
                              1e6, &global_gbps, err)) < 0)
            return rc;
        if (groups * routers * per_router != gpus)
            return dcs_cfg_error(
                dcs_cfg_get(map, "groups"), err,
                "a dragonfly of %lld groups x %lld routers x "
                "%lld hosts has %lld hosts, not the "
                "cluster's %d GPUs",
                (long long)groups, (long long)routers, (long long)per_router,
                (long long)(groups * routers * per_router), gpus);
        double gbw = global_gbps > 0 ? global_gbps * 1e9 / 8 * protocol : bw;
        rc = dcs_topo_dragonfly(t, (int)groups, (int)routers, (int)per_router,
                                bw, gbw, latency);
    } else {
        double *dims = NULL;
        size_t n = 0;
        if ((rc = dcs_cfg_f64_seq(map, "dims", DCS_CFG_REQUIRED, 1, 1024, &dims,
                                  &n, err)) < 0)
            return rc;
        int d[3] = {1, 1, 1}, hosts = 1;
        for (size_t i = 0; i < n && i < 3; i++) {
            d[i] = (int)dims[i];
            hosts *= d[i];
        }
        free(dims);
        if (n > 3)
            return dcs_cfg_error(dcs_cfg_get(map, "dims"), err,
                                 "expected 1 to 3 dimensions, found %zu", n);
        if (hosts != gpus)
            return dcs_cfg_error(dcs_cfg_get(map, "dims"), err,
                                 "a %d x %d x %d torus has %d hosts, not the "
                                 "cluster's %d GPUs",
                                 d[0], d[1], d[2], hosts, gpus);
        rc = dcs_topo_torus(t, d[0], d[1], d[2], bw, latency);
        if (rc == DCS_EINVAL)
            return dcs_cfg_error(dcs_cfg_get(map, "dims"), err,
                                 "torus routes would exceed %d hops",
                                 DCS_MAX_HOPS);
    }
    if (rc < 0)
        return dcs_err_set(err, rc, "out of memory building the fabric");
    t->port_power_w = port_w;
    t->chassis_power_w = chassis_w;
    return 0;
}
