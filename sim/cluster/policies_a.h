/* policies_a.h - ordering and backfilling policies. */
#ifndef DCS_POLICIES_A_H
#define DCS_POLICIES_A_H

#include "cluster/policy.h"

/* This group's policies, NULL-terminated (listed by policy.c). */
extern const dcs_policy_t *const dcs_policies_a[];

#endif
