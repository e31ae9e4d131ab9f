/* storage.c - reading the storage section. */
#include "storage/storage.h"

#include <string.h>

int dcs_storage_read(dcs_cfg_node_t *map, dcs_storage_t *s, dcs_err_t *err)
{
    memset(s, 0, sizeof *s);
    double w = 0, r = 0, cap = 0, dev_w = 0, node = 0;
    int64_t devices = 0;
    int rc;
    if ((rc = dcs_cfg_f64(map, "write_gb_per_s", DCS_CFG_REQUIRED, 1e-6, 1e9,
                          &w, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "read_gb_per_s", DCS_CFG_OPTIONAL, 1e-6, 1e9, &r,
                          err)) < 0 ||
        (rc = dcs_cfg_f64(map, "capacity_tb", DCS_CFG_OPTIONAL, 0, 1e9, &cap,
                          err)) < 0 ||
        (rc = dcs_cfg_f64(map, "node_gb_per_s", DCS_CFG_OPTIONAL, 1e-6, 1e9,
                          &node, err)) < 0 ||
        (rc = dcs_cfg_i64(map, "devices", DCS_CFG_OPTIONAL, 0, 10000000,
                          &devices, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "device_power_w", DCS_CFG_OPTIONAL, 0, 1e6,
                          &dev_w, err)) < 0)
        return rc;
    s->devices = devices;
    s->power_w = (double)devices * dev_w;
    s->write_bw = w * 1e9;
    s->read_bw = (r > 0 ? r : w) * 1e9;
    s->capacity = cap * 1e12;
    s->node_bw = node * 1e9;
    return 0;
}
