/* test_fleet.c - the fleet (hw/fleet.h): clusters of one device and of
 * pools, and per-GPU energy.
 *
 * Invariants, on cases worked out by hand:
 * - a cluster file's pools are read in order and numbered pool after
 *   pool, each with its own device, host power and speed (default 1); the
 *   first pool's device and host stand for the cluster where one is asked;
 * - every GPU's energy is the integral of its own pool's device power
 *   (idle, busy) over its states, and each node's GPU power tally the sum
 *   of its GPUs';
 * - a cluster of one device gets one pool, named after the device, and no
 *   per-node pool table (the fast path). */
#include <check.h>
#include <math.h>
#include <string.h>

#include "config/cfg.h"
#include "engine/error.h"
#include "hw/fleet.h"

#define S(x) ((dcs_time_t)((x) * (double)DCS_NS_PER_S))

/* A cluster file in the source tree's topologies/clusters (ctest runs
 * from the source root), so `../devices/` finds the shipped devices. */
static const char *const MIXED =
    "name: mix\n"
    "pools:\n"
    "  - name: H100\n"
    "    device: !include ../devices/h100-sxm.yaml\n"
    "    nodes: 3\n"
    "    gpus_per_node: 8\n"
    "    host_power_w: 2500\n"
    "    speed: 2\n"
    "  - name: A100\n"
    "    device: !include ../devices/a100-sxm-80gb.yaml\n"
    "    nodes: 2\n"
    "    gpus_per_node: 8\n"
    "    host: {cpu_idle_w: 100, cpu_busy_w: 300, psu_efficiency: 0.9}\n";

START_TEST(test_pools_read)
{
    dcs_err_t err = {""};
    dcs_cfg_t *cfg =
        dcs_cfg_load_string("topologies/clusters/t.yaml", MIXED, &err);
    ck_assert_msg(cfg != NULL, "%s", err.msg);
    dcs_fleet_spec_t spec;
    ck_assert_msg(dcs_fleet_read(dcs_cfg_root(cfg), &spec, &err) == 0, "%s",
                  err.msg);
    ck_assert_int_eq(dcs_cfg_check_unknown(dcs_cfg_root(cfg), &err), 0);
    ck_assert_int_eq(spec.npools, 2);
    ck_assert_int_eq(spec.nodes, 5);
    ck_assert_int_eq(spec.gpus_per_node, 8);
    ck_assert_str_eq(spec.pools[0].name, "H100");
    ck_assert_str_eq(spec.pools[0].device.name, "h100-sxm");
    ck_assert_int_eq(spec.pools[0].first_node, 0);
    ck_assert_int_eq(spec.pools[0].nodes, 3);
    ck_assert_double_eq(spec.pools[0].speed, 2);
    ck_assert_double_eq(spec.pools[0].host_power_w, 2500);
    ck_assert_str_eq(spec.pools[1].name, "A100");
    ck_assert_str_eq(spec.pools[1].device.name, "a100-sxm-80gb");
    ck_assert_double_eq(spec.pools[1].device.tdp_w, 400); /* its datasheet */
    ck_assert_int_eq(spec.pools[1].first_node, 3);
    ck_assert_double_eq(spec.pools[1].speed, 1);
    /* Two CPUs: 2 x 100 W idle, 2 x 300 W busy, through a 0.9 supply. */
    ck_assert_double_eq_tol(spec.pools[1].host_power_w, 200 / 0.9, 1e-9);
    ck_assert_double_eq_tol(spec.pools[1].host_busy_w, 600 / 0.9, 1e-9);
    ck_assert_double_eq(spec.pools[1].psu_efficiency, 0.9);
    /* The first pool stands for the cluster. */
    ck_assert_str_eq(spec.device.name, "h100-sxm");
    ck_assert_double_eq(spec.host_power_w, 2500);
    ck_assert_int_eq(dcs_fleet_pool_find(&spec, "a100"), 1);
    ck_assert_int_eq(dcs_fleet_pool_find(&spec, "V100"), -1);

    /* Built: nodes 0-2 are H100s, 3-4 A100s, each node idle at its own
     * device's idle power: 8 x 55 W for an A100 node (its file). */
    dcs_fleet_t fleet;
    ck_assert_int_eq(
        dcs_fleet_init(&fleet, &spec, dcs_power_model_two_level(), S(3600)), 0);
    ck_assert_int_eq(fleet.npools, 2);
    ck_assert_ptr_nonnull(fleet.node_pool);
    ck_assert_str_eq(dcs_fleet_pool_of(&fleet, 2)->name, "H100");
    ck_assert_str_eq(dcs_fleet_pool_of(&fleet, 3)->name, "A100");
    ck_assert_double_eq_tol(fleet.node_gpu_power_w[3].value, 8 * 55, 1e-9);
    ck_assert_double_eq_tol(fleet.node_gpu_power_w[0].value,
                            8 * spec.pools[0].device.idle_power_w, 1e-9);
    dcs_fleet_destroy(&fleet);
    dcs_cfg_free(cfg);
}
END_TEST

/* Two pools of one node of 2 GPUs: "fast" idle 100 W, busy 400 W; "slow"
 * idle 50 W, busy 200 W (two-level power model). */
static void two_pools(dcs_fleet_spec_t *spec)
{
    memset(spec, 0, sizeof *spec);
    strcpy(spec->name, "two");
    spec->npools = 2;
    spec->nodes = 2;
    spec->gpus_per_node = 2;
    const char *names[] = {"fast", "slow"};
    const double idle[] = {100, 50}, busy[] = {400, 200};
    for (int p = 0; p < 2; p++) {
        dcs_fleet_pool_t *pool = &spec->pools[p];
        strcpy(pool->name, names[p]);
        strcpy(pool->device.name, names[p]);
        pool->device.idle_power_w = idle[p];
        pool->device.busy_power_w = busy[p];
        pool->device.tdp_w = busy[p] + 100;
        pool->nodes = 1;
        pool->first_node = p;
        pool->speed = 1;
        pool->psu_efficiency = 1;
    }
    spec->device = spec->pools[0].device;
}

START_TEST(test_energy_per_pool_device)
{
    dcs_fleet_spec_t spec;
    dcs_fleet_t fleet;
    two_pools(&spec);
    ck_assert_int_eq(
        dcs_fleet_init(&fleet, &spec, dcs_power_model_two_level(), S(3600)), 0);
    /* GPU 0 (fast) works from 10 s to 30 s; GPU 2 (slow) from 10 s to
     * 40 s; GPUs 1 and 3 stay idle; the run ends at 100 s. */
    ck_assert_int_eq(dcs_fleet_set_state(&fleet, S(10), 0, DCS_DEV_COMPUTE), 0);
    ck_assert_int_eq(dcs_fleet_set_state(&fleet, S(10), 2, DCS_DEV_COMPUTE), 0);
    ck_assert_int_eq(dcs_fleet_set_state(&fleet, S(30), 0, DCS_DEV_IDLE), 0);
    ck_assert_int_eq(dcs_fleet_set_state(&fleet, S(40), 2, DCS_DEV_IDLE), 0);
    ck_assert_int_eq(dcs_fleet_finish(&fleet, S(100)), 0);
    /* GPU 0: 100 W x 10 s + 400 W x 20 s + 100 W x 70 s = 16,000 J.
     * GPU 1: 100 W x 100 s = 10,000 J.
     * GPU 2: 50 W x 10 s + 200 W x 30 s + 50 W x 60 s = 9,500 J.
     * GPU 3: 50 W x 100 s = 5,000 J. */
    ck_assert_double_eq_tol(dcs_fleet_gpu_energy_j(&fleet, 0, S(100)), 16000,
                            1e-6);
    ck_assert_double_eq_tol(dcs_fleet_gpu_energy_j(&fleet, 1, S(100)), 10000,
                            1e-6);
    ck_assert_double_eq_tol(dcs_fleet_gpu_energy_j(&fleet, 2, S(100)), 9500,
                            1e-6);
    ck_assert_double_eq_tol(dcs_fleet_gpu_energy_j(&fleet, 3, S(100)), 5000,
                            1e-6);
    /* Node tallies: 16,000 + 10,000 and 9,500 + 5,000. */
    ck_assert_double_eq_tol(fleet.node_gpu_power_w[0].total, 26000, 1e-6);
    ck_assert_double_eq_tol(fleet.node_gpu_power_w[1].total, 14500, 1e-6);
    /* A power set on a slow GPU replaces its state's: 300 W for 10 s from
     * 100 s, then idle again: 5,000 + 3,000 J by 110 s. */
    ck_assert_int_eq(dcs_fleet_set_state(&fleet, S(100), 3, DCS_DEV_COMPUTE),
                     0);
    ck_assert_int_eq(dcs_fleet_set_power(&fleet, S(100), 3, 300), 0);
    ck_assert_int_eq(dcs_fleet_set_state(&fleet, S(110), 3, DCS_DEV_IDLE), 0);
    ck_assert_double_eq_tol(dcs_fleet_gpu_energy_j(&fleet, 3, S(110)), 8000,
                            1e-6);
    dcs_fleet_destroy(&fleet);
}
END_TEST

START_TEST(test_one_device_is_one_pool)
{
    dcs_fleet_spec_t spec;
    dcs_fleet_t fleet;
    memset(&spec, 0, sizeof spec);
    strcpy(spec.name, "one");
    strcpy(spec.device.name, "a-device-with-a-long-name");
    spec.device.idle_power_w = 100;
    spec.device.busy_power_w = 400;
    spec.nodes = 3;
    spec.gpus_per_node = 4;
    spec.host_power_w = 1000;
    ck_assert_int_eq(
        dcs_fleet_init(&fleet, &spec, dcs_power_model_two_level(), S(3600)), 0);
    ck_assert_int_eq(fleet.npools, 1);
    ck_assert_ptr_null(fleet.node_pool);
    const dcs_fleet_pool_t *pool = dcs_fleet_pool_of(&fleet, 2);
    ck_assert_str_eq(pool->name, "a-device-with-a"); /* 15 characters */
    ck_assert_int_eq(pool->nodes, 3);
    ck_assert_double_eq(pool->speed, 1);
    ck_assert_double_eq(pool->host_power_w, 1000);
    /* 400 W for 5 s, 100 W for 5 s. */
    dcs_fleet_set_state(&fleet, 0, 5, DCS_DEV_COMPUTE);
    dcs_fleet_set_state(&fleet, S(5), 5, DCS_DEV_IDLE);
    ck_assert_double_eq_tol(dcs_fleet_gpu_energy_j(&fleet, 5, S(10)), 2500,
                            1e-9);
    dcs_fleet_destroy(&fleet);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fleet");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_pools_read);
    tcase_add_test(tc, test_energy_per_pool_device);
    tcase_add_test(tc, test_one_device_is_one_pool);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
