/* params.h - reading the scheduler section's settings:
 *
 *   scheduler:
 *     policy: tiresias
 *     placement: pack
 *     use_estimates: false    # plan with the jobs' estimates, not the truth
 *     quantum_s: 60           # time slicing / LAS: decide again this often
 *     thresholds_gpu_s: [3200]  # Tiresias queue limits (GPU-seconds)
 *     starve_s: 0             # Tiresias: back to the top after waiting so
 *                             # long (0: never)
 *     preempt_save_s: 30      # a stopped job writes its checkpoint
 *     preempt_restore_s: 30   # and reads it back when it runs again
 *     resize_s: 0             # a running elastic job changing size pauses
 *                             # this long (reconfiguration; default 0)
 *     teams:                  # quota and reservation policies
 *       - {team: vision, quota_gpus: 64, reserved_gpus: 16}
 */
#ifndef DCS_PARAMS_H
#define DCS_PARAMS_H

#include "cluster/policy.h"
#include "config/cfg.h"

/* Reads the settings from `map` (NULL: the defaults) for a cluster of
 * `gpus` GPUs. Returns 0 or DCS_EINPUT naming file, line and field. */
int dcs_sched_params_read(dcs_cfg_node_t *map, int gpus, dcs_policy_params_t *p,
                          dcs_time_t *save_ns, dcs_time_t *restore_ns,
                          dcs_err_t *err);

#endif
