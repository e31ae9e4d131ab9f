/* router.h - which serving replica gets the next inference request.
 *
 * The router sees each replica's load as the caller last counted it
 * (dcs_replica_load_t) and names one replica that is accepting requests.
 * Policies, by the name a scenario gives them:
 *
 * round_robin        the accepting replicas in turn, in index order: the
 *                    first accepting replica after the one picked last
 *                    (Envoy's ROUND_ROBIN, NGINX's default). A replica that
 *                    is not accepting is skipped, not queued for.
 * least_outstanding  fewest outstanding requests, ties to the lowest index
 *                    (for determinism): a scan of all replicas, as
 *                    Envoy's LEAST_REQUEST with selection_method FULL_SCAN
 *                    and AIBrix's `least-request` routing strategy (their
 *                    ties may fall otherwise).
 * least_kv           lowest KV-cache use, ties to fewest outstanding
 *                    requests, then to the lowest index: AIBrix's
 *                    `least-kv-cache` routing strategy (the pod with the
 *                    least KV cache in use).
 * power_of_two       two distinct accepting replicas drawn uniformly at
 *                    random, the one with fewer outstanding requests
 *                    picked, ties to the first drawn: the power of two
 *                    choices (Mitzenmacher 2001, "The Power of Two Choices
 *                    in Randomized Load Balancing", IEEE TPDS 12(10);
 *                    Azar, Broder, Karlin, Upfal 1999, "Balanced
 *                    Allocations"), Envoy's LEAST_REQUEST default
 *                    (choice_count 2). With one accepting replica, that
 *                    one, with no draw.
 *
 * Draws of power_of_two come from the GSL stream dcs_rng_new(seed,
 * "router"), exactly these per pick, m being the accepting replicas:
 * a = gsl_rng_uniform_int(rng, m), then b = gsl_rng_uniform_int(rng, m - 1),
 * plus one when b >= a; a and b count accepting replicas in index order
 * (the a-th accepting replica is drawn first). No policy draws otherwise.
 *
 * Every pick is O(n) in the replicas. */
#ifndef DCS_ROUTER_H
#define DCS_ROUTER_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

typedef struct dcs_replica_load {
    int accepting;       /* 0: starting up, draining or failed: never picked */
    int64_t outstanding; /* requests routed to it and not finished */
    double kv_used;      /* fraction of its KV blocks in use, 0..1 */
} dcs_replica_load_t;

typedef enum dcs_router_policy {
    DCS_ROUTER_ROUND_ROBIN,
    DCS_ROUTER_LEAST_OUTSTANDING,
    DCS_ROUTER_LEAST_KV,
    DCS_ROUTER_POWER_OF_TWO,
    DCS_ROUTER_NPOLICIES
} dcs_router_policy_t;

typedef struct dcs_router {
    int policy;   /* dcs_router_policy_t */
    int next;     /* round_robin: the index to try first */
    gsl_rng *rng; /* power_of_two: the "router" stream; NULL otherwise */
} dcs_router_t;

/* The policy named `name` (as above), or DCS_ENOTFOUND. */
int dcs_router_find(const char *name);
/* The name of policy `policy`, or NULL past the last (to list them). */
const char *dcs_router_name(int policy);
/* All names, comma separated, for "expected one of ..." messages. */
const char *dcs_router_names(void);

/* A router for `policy`, round_robin starting at replica 0, power_of_two
 * seeded from (seed, "router"). Returns 0, DCS_EINVAL for an unknown
 * policy, or DCS_ENOMEM. */
int dcs_router_init(dcs_router_t *r, int policy, uint64_t seed);
/* Frees the generator; dcs_router_destroy on a router that failed to
 * initialize is a no-op. */
void dcs_router_destroy(dcs_router_t *r);

/* The index (0 .. n - 1) of the replica that gets the next request, or -1
 * when none of the n is accepting (then nothing changes: no draw, the
 * round-robin position kept). The router does not count the request:
 * the caller adds it to loads[i].outstanding. */
int dcs_router_pick(dcs_router_t *r, const dcs_replica_load_t *loads, int n);

#endif
