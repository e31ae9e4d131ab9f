/* policies_a.h - ordering and backfilling policies: shortest job first,
 * shortest remaining time first, EASY backfilling, and priority classes
 * with team quotas. Each policy's file says what it does, its source and
 * the settings it reads; sim/cluster/README.md has the table. */
#ifndef DCS_POLICIES_A_H
#define DCS_POLICIES_A_H

#include "cluster/policy.h"

/* This group's policies, NULL-terminated (listed by policy.c). */
extern const dcs_policy_t *const dcs_policies_a[];

/* Shortest job first, non-preemptive: the shortest expected run that fits
 * starts; long and large jobs may starve (policy_sjf.c). */
extern const dcs_policy_t dcs_policy_sjf;
/* Shortest remaining time first: SJF that stops the longest-remaining
 * jobs for a shorter queued one (policy_srtf.c). */
extern const dcs_policy_t dcs_policy_srtf;
/* EASY backfilling: FIFO with a reservation for the oldest job, later
 * jobs starting now when they do not delay it (policy_easy.c). */
extern const dcs_policy_t dcs_policy_easy;
/* Priority classes with team quotas and reservations; a higher class
 * preempts lower ones (policy_priority.c). */
extern const dcs_policy_t dcs_policy_priority;

#endif
