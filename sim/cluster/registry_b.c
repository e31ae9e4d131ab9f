/* registry_b.c - the policies of group b (Tiresias, Gandiva, Themis). */
#include "cluster/policies_b.h"

const dcs_policy_t *const dcs_policies_b[] = {
    &dcs_policy_tiresias, &dcs_policy_gandiva, &dcs_policy_themis, NULL};
