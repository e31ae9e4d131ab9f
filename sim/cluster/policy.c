/* policy.c - the registries of scheduling policies and placements: the
 * built-in ones, then each group's list (registry_*.c); and placing on one
 * GPU model of a mixed fleet. */
#include "cluster/policy.h"

#include <stdlib.h>
#include <string.h>

#include "engine/error.h"

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

/* fits() on a one-model view; by placing into scratch space for a
 * placement without fits(). */
static int view_fits(const dcs_placement_t *p, const dcs_alloc_t *view,
                     int gpus)
{
    if (gpus <= 0 || gpus > view->free_gpus)
        return 0;
    if (p->fits)
        return p->fits(p, view, gpus);
    int *scratch = malloc((size_t)gpus * sizeof *scratch);
    DCS_ASSERT(scratch != NULL); /* out of memory mid-run */
    int ok = p->place(p, view, gpus, scratch) == 0;
    free(scratch);
    return ok;
}

int dcs_placement_model_pick(const dcs_placement_t *placement,
                             const dcs_alloc_t *alloc, int gpus)
{
    dcs_alloc_t view;
    if (alloc->want_model >= 0) {
        if (alloc->want_model >= alloc->nmodels)
            return -1;
        dcs_alloc_model_view(alloc, alloc->want_model, &view);
        return view_fits(placement, &view, gpus) ? alloc->want_model : -1;
    }
    int best = -1;
    for (int m = 0; m < alloc->nmodels; m++) {
        if (best >= 0 && alloc->model_free[m] <= alloc->model_free[best])
            continue;
        if (alloc->want_models && (m >= 32 || !(alloc->want_models >> m & 1)))
            continue; /* a model the job may not use */
        dcs_alloc_model_view(alloc, m, &view);
        if (view_fits(placement, &view, gpus))
            best = m;
    }
    return best;
}

int dcs_placement_model_place(const dcs_placement_t *placement,
                              const dcs_alloc_t *alloc, int gpus, int *out)
{
    int m = dcs_placement_model_pick(placement, alloc, gpus);
    if (m < 0)
        return -1;
    dcs_alloc_t view;
    int first_gpu = dcs_alloc_model_view(alloc, m, &view);
    if (placement->place(placement, &view, gpus, out) < 0)
        return -1;
    for (int i = 0; i < gpus; i++)
        out[i] += first_gpu;
    return 0;
}

int dcs_placement_model_fits(const dcs_placement_t *placement,
                             const dcs_alloc_t *alloc, int gpus)
{
    return dcs_placement_model_pick(placement, alloc, gpus) >= 0;
}
