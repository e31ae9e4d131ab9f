/* registry_b.c - the policies of group b (Tiresias, Gandiva, Themis). */
#include "cluster/policies_b.h"

const dcs_policy_t *const dcs_policies_b[] = {NULL};
