/* registry_d.c - the policies of group d (elastic resizing). */
#include "cluster/policies_d.h"

const dcs_policy_t *const dcs_policies_d[] = {&dcs_policy_elastic, NULL};
