/* rng.h - named random streams.
 *
 * Every consumer of randomness gets its own GSL generator (MT19937) seeded
 * from (run seed, stream name) or (run seed, stream name, entity id). Adding
 * a stream or an entity therefore never shifts the draws of another, and the
 * same run seed always gives the same draws. Draw from the returned
 * generator with GSL's gsl_rng_* and gsl_ran_* functions. */
#ifndef DCS_RNG_H
#define DCS_RNG_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

/* The 32-bit seed MT19937 gets for (run_seed, name, id): the bits of all
 * three mixed through SplitMix64's finalizer. Exposed for tests. */
uint32_t dcs_rng_seed(uint64_t run_seed, const char *name, uint64_t id);

/* A new generator for stream `name`; NULL when out of memory. Free it with
 * gsl_rng_free(). */
gsl_rng *dcs_rng_new(uint64_t run_seed, const char *name);

/* A new generator for entity `id` of stream `name` (one per GPU, per job...).
 */
gsl_rng *dcs_rng_new_id(uint64_t run_seed, const char *name, uint64_t id);

#endif
