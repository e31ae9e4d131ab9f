/* test_fabric.c - the `fabric` section of cluster files.
 *
 * Invariants: every shipped cluster file with a fabric builds a topology
 * with one host per GPU (a fat tree at least as many); bad fabric input is
 * reported with the file, line, column and field. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg.h"
#include "net/fabric.h"

/* Loads a cluster file and builds its fabric; returns the builder's code. */
static int build(const char *path, dcs_topo_t *t, int *gpus, dcs_err_t *err)
{
    dcs_cfg_t *cfg = dcs_cfg_load(path, err);
    ck_assert_msg(cfg != NULL, "%s", err->msg);
    dcs_cfg_node_t *root = dcs_cfg_root(cfg), *fabric = NULL;
    int64_t nodes = 0, gpn = 0;
    ck_assert_int_eq(dcs_cfg_i64(root, "nodes", 1, 1, 1000000, &nodes, err), 0);
    ck_assert_int_eq(dcs_cfg_i64(root, "gpus_per_node", 1, 1, 1024, &gpn, err),
                     0);
    *gpus = (int)(nodes * gpn);
    int rc = dcs_cfg_map(root, "fabric", DCS_CFG_OPTIONAL, &fabric, err);
    if (rc == 0 && fabric)
        rc = dcs_fabric_read(fabric, *gpus, t, err);
    dcs_cfg_free(cfg);
    return rc;
}

START_TEST(test_shipped_clusters)
{
    const char *files[] = {"dgx-h100-superpod-32node", "fat-tree-1024node",
                           "tpu-v5p-64", "classroom-2node"};
    /* (GPUs, fabric hosts): the fat tree of k = 32 has 32^3/4 = 8192. */
    int want_gpus[] = {256, 8192, 64, 16};
    for (int i = 0; i < 4; i++) {
        char path[256];
        snprintf(path, sizeof path, "topologies/clusters/%s.yaml", files[i]);
        dcs_topo_t t;
        dcs_err_t err = {""};
        int gpus = 0;
        ck_assert_msg(build(path, &t, &gpus, &err) == 0, "%s", err.msg);
        ck_assert_int_eq(gpus, want_gpus[i]);
        ck_assert_int_eq(t.hosts, want_gpus[i]);
        dcs_topo_destroy(&t);
    }
}
END_TEST

static void expect(const char *yaml, int gpus, const char *want)
{
    dcs_err_t err = {""};
    dcs_cfg_t *cfg = dcs_cfg_load_string("f.yaml", yaml, &err);
    ck_assert_msg(cfg != NULL, "%s", err.msg);
    dcs_cfg_node_t *fabric = NULL;
    ck_assert_int_eq(dcs_cfg_map(dcs_cfg_root(cfg), "fabric", DCS_CFG_REQUIRED,
                                 &fabric, &err),
                     0);
    dcs_topo_t t;
    ck_assert_int_eq(dcs_fabric_read(fabric, gpus, &t, &err), DCS_EINPUT);
    ck_assert_str_eq(err.msg, want);
    dcs_cfg_free(cfg);
}

START_TEST(test_bad_fabrics)
{
    expect("fabric:\n  kind: torus\n  link_gbps: 400\n  dims: [4, 4, 2]\n", 64,
           "f.yaml:4:9: field 'fabric.dims': a 4 x 4 x 2 torus has 32 hosts, "
           "not the cluster's 64 GPUs");
    expect("fabric:\n  kind: fat_tree\n  link_gbps: 400\n  k: 7\n", 64,
           "f.yaml:4:6: field 'fabric.k': expected an even k, found 7");
    expect("fabric:\n  kind: fat_tree\n  link_gbps: 400\n  k: 4\n", 64,
           "f.yaml:4:6: field 'fabric.k': a k = 4 fat tree has 16 hosts, "
           "fewer than the cluster's 64 GPUs");
    expect("fabric:\n  kind: leaf_spine\n  link_gbps: 400\n  hosts_per_leaf: "
           "48\n  spines: 2\n",
           64,
           "f.yaml:4:19: field 'fabric.hosts_per_leaf': 64 GPUs do not fill "
           "leaves of 48 hosts");
    expect("fabric:\n  kind: butterfly\n  link_gbps: 400\n", 64,
           "f.yaml:2:9: field 'fabric.kind': expected one of leaf_spine, "
           "fat_tree, torus, dragonfly, found 'butterfly'");
    expect("fabric:\n  kind: dragonfly\n  link_gbps: 400\n  groups: 4\n  "
           "routers: 4\n  hosts_per_router: 2\n",
           64,
           "f.yaml:4:11: field 'fabric.groups': a dragonfly of 4 groups x 4 "
           "routers x 2 hosts has 32 hosts, not the cluster's 64 GPUs");
    expect("fabric:\n  kind: torus\n  link_gbps: 400\n  dims: [2, 2, 2, 2]\n",
           16,
           "f.yaml:4:9: field 'fabric.dims': expected 1 to 3 dimensions, found "
           "4");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fabric");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_shipped_clusters);
    tcase_add_test(tc, test_bad_fabrics);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
