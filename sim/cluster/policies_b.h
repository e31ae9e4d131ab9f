/* policies_b.h - preemptive sharing policies. */
#ifndef DCS_POLICIES_B_H
#define DCS_POLICIES_B_H

#include "cluster/policy.h"

/* This group's policies, NULL-terminated (listed by policy.c). */
extern const dcs_policy_t *const dcs_policies_b[];

#endif
