/* policies_b.h - preemptive sharing policies: Tiresias, Gandiva, Themis.
 *
 * Each stops running jobs (only preemptible ones, never one started at the
 * same instant, and only when the stops let a waiting job start) and asks
 * to be woken when its next stop could fall due. Their settings come from
 * dcs_policy_params_t; see each policy_<name>.c for the rule and source. */
#ifndef DCS_POLICIES_B_H
#define DCS_POLICIES_B_H

#include "cluster/policy.h"

/* This group's policies, NULL-terminated (listed by policy.c). */
extern const dcs_policy_t *const dcs_policies_b[];

/* Tiresias's discretized 2D least-attained-service (Gu et al., NSDI 2019):
 * queues by attained GPU-seconds (thresholds_gpu_s), FIFO within a queue,
 * higher queues first without head-of-line blocking; a demoted running job
 * is stopped for a waiting job of a higher queue; a job waiting starve_ns
 * since it last ran goes back to the top queue. */
extern const dcs_policy_t dcs_policy_tiresias;

/* Gandiva-style time slicing (Xiao et al., OSDI 2018): while jobs wait,
 * running jobs that have run a quantum (quantum_ns) yield their GPUs to the
 * jobs that have waited longest, round robin. */
extern const dcs_policy_t dcs_policy_gandiva;

/* Themis-style finish-time fairness (Mahajan et al., NSDI 2020): the job
 * with the largest rho = (projected finish - submit) / run time alone
 * starts first, and at lease ends (quantum_ns) takes the GPUs of running
 * jobs whose rho is smaller by a margin (1.1x). Single-resource: no
 * auction, bids or partial allocations. */
extern const dcs_policy_t dcs_policy_themis;

#endif
