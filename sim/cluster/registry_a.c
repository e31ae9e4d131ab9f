/* registry_a.c - the policies of group a (SJF, SRTF, EASY, priority). */
#include "cluster/policies_a.h"

const dcs_policy_t *const dcs_policies_a[] = {&dcs_policy_sjf, &dcs_policy_srtf,
                                              &dcs_policy_easy,
                                              &dcs_policy_priority, NULL};
