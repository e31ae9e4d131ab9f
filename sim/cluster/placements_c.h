/* placements_c.h - placements beyond pack. */
#ifndef DCS_PLACEMENTS_C_H
#define DCS_PLACEMENTS_C_H

#include "cluster/policy.h"

/* This group's placements, NULL-terminated (listed by policy.c). */
extern const dcs_placement_t *const dcs_placements_c[];

#endif
