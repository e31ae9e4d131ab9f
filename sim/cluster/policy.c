/* policy.c - the registries of scheduling policies and placements. */
#include "cluster/policy.h"

#include <string.h>

static const dcs_policy_t *const POLICIES[] = {&dcs_policy_fifo, NULL};
static const dcs_placement_t *const PLACEMENTS[] = {&dcs_placement_pack, NULL};

const dcs_policy_t *const *dcs_policy_all(void)
{
    return POLICIES;
}

const dcs_policy_t *dcs_policy_find(const char *name)
{
    for (size_t i = 0; POLICIES[i]; i++)
        if (!strcmp(POLICIES[i]->name, name))
            return POLICIES[i];
    return NULL;
}

const dcs_placement_t *const *dcs_placement_all(void)
{
    return PLACEMENTS;
}

const dcs_placement_t *dcs_placement_find(const char *name)
{
    for (size_t i = 0; PLACEMENTS[i]; i++)
        if (!strcmp(PLACEMENTS[i]->name, name))
            return PLACEMENTS[i];
    return NULL;
}
