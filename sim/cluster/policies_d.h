/* policies_d.h - policies that resize running jobs: elastic. The file of
 * each says what it does, its source and the settings it reads;
 * sim/cluster/README.md has the table. */
#ifndef DCS_POLICIES_D_H
#define DCS_POLICIES_D_H

#include "cluster/policy.h"

/* This group's policies, NULL-terminated (listed by policy.c). */
extern const dcs_policy_t *const dcs_policies_d[];

/* FIFO whose running elastic jobs grow into idle GPUs (oldest first, when
 * it ends them sooner) and shrink (largest surplus first) to let the
 * oldest waiting job start (policy_elastic.c). */
extern const dcs_policy_t dcs_policy_elastic;

#endif
