/* rng.c - named random streams: seed derivation for GSL generators.
 *
 * The stream name is hashed with FNV-1a, combined with the run seed and the
 * entity id, and mixed with SplitMix64's finalizer so that nearby inputs
 * (seed 1 and 2, GPU 7 and 8) give unrelated generator seeds. */
#include "engine/rng.h"

static uint64_t mix64(uint64_t z)
{
    z += UINT64_C(0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

uint32_t dcs_rng_seed(uint64_t run_seed, const char *name, uint64_t id)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * UINT64_C(0x100000001b3);
    uint64_t z = mix64(mix64(mix64(run_seed) ^ h) ^ id);
    uint32_t seed = (uint32_t)(z ^ (z >> 32));
    return seed ? seed : 1; /* MT19937 maps 0 to its default seed */
}

gsl_rng *dcs_rng_new_id(uint64_t run_seed, const char *name, uint64_t id)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (r)
        gsl_rng_set(r, dcs_rng_seed(run_seed, name, id));
    return r;
}

gsl_rng *dcs_rng_new(uint64_t run_seed, const char *name)
{
    return dcs_rng_new_id(run_seed, name, UINT64_C(0xffffffffffffffff));
}
