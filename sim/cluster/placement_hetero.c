/* placement_hetero.c - pack, on the nodes of one GPU model.
 *
 * A mixed fleet gives each node a model index (alloc->node_model). A job
 * that names a model (alloc->want_model, set by the scheduler) is packed
 * onto nodes of that model only, exactly as pack would on a cluster of
 * just those nodes; a job that names none onto the model with the most
 * free GPUs that holds it (policy.h, "mixed fleets"). With one model for
 * the whole fleet it is pack. Since every placement keeps a job on one
 * model (policy.c), hetero and pack place alike; hetero is kept as the
 * name scenarios written for mixed fleets use. */
#include "cluster/placements_c.h"

static int hetero_place(const dcs_placement_t *placement, const dcs_alloc_t *a,
                        int gpus, int *out)
{
    (void)placement;
    return dcs_placement_pack.place(&dcs_placement_pack, a, gpus, out);
}

static int hetero_fits(const dcs_placement_t *placement, const dcs_alloc_t *a,
                       int gpus)
{
    (void)placement;
    return dcs_placement_pack.fits(&dcs_placement_pack, a, gpus);
}

const dcs_placement_t dcs_placement_hetero = {
    "hetero",
    "pack onto the nodes of the GPU model a job asks for",
    hetero_place,
    hetero_fits,
};
