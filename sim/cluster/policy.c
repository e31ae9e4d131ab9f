/* policy.c - the registries of scheduling policies and placements: the
 * built-in ones, then each group's list (registry_*.c). */
#include "cluster/policy.h"

#include <string.h>

#include "cluster/placements_c.h"
#include "cluster/policies_a.h"
#include "cluster/policies_b.h"
#include "cluster/policies_d.h"

static const dcs_policy_t *const BUILTIN[] = {&dcs_policy_fifo, NULL};
static const dcs_policy_t *const *const GROUPS[] = {
    BUILTIN, dcs_policies_a, dcs_policies_b, dcs_policies_d};
static const dcs_placement_t *const PLACE_BUILTIN[] = {&dcs_placement_pack,
                                                       NULL};
static const dcs_placement_t *const *const PLACE_GROUPS[] = {PLACE_BUILTIN,
                                                             dcs_placements_c};

const dcs_policy_t *dcs_policy_at(size_t i)
{
    for (size_t g = 0; g < sizeof GROUPS / sizeof *GROUPS; g++)
        for (size_t k = 0; GROUPS[g][k]; k++)
            if (i-- == 0)
                return GROUPS[g][k];
    return NULL;
}

const dcs_policy_t *dcs_policy_find(const char *name)
{
    const dcs_policy_t *p;
    for (size_t i = 0; (p = dcs_policy_at(i)); i++)
        if (!strcmp(p->name, name))
            return p;
    return NULL;
}

const dcs_placement_t *dcs_placement_at(size_t i)
{
    for (size_t g = 0; g < sizeof PLACE_GROUPS / sizeof *PLACE_GROUPS; g++)
        for (size_t k = 0; PLACE_GROUPS[g][k]; k++)
            if (i-- == 0)
                return PLACE_GROUPS[g][k];
    return NULL;
}

const dcs_placement_t *dcs_placement_find(const char *name)
{
    const dcs_placement_t *p;
    for (size_t i = 0; (p = dcs_placement_at(i)); i++)
        if (!strcmp(p->name, name))
            return p;
    return NULL;
}
