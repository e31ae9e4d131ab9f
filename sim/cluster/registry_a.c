/* registry_a.c - the policies of group a (SJF, SRTF, EASY, priority). */
#include "cluster/policies_a.h"

const dcs_policy_t *const dcs_policies_a[] = {NULL};
