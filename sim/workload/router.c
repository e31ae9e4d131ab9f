/* router.c - request routing among serving replicas: round robin, least
 * outstanding, least KV use and the power of two choices, each a scan of
 * the replicas' loads as the caller passes them. */
#include "workload/router.h"

#include <string.h>

#include "engine/error.h"
#include "engine/rng.h"

static const char *const policy_names[DCS_ROUTER_NPOLICIES] = {
    [DCS_ROUTER_ROUND_ROBIN] = "round_robin",
    [DCS_ROUTER_LEAST_OUTSTANDING] = "least_outstanding",
    [DCS_ROUTER_LEAST_KV] = "least_kv",
    [DCS_ROUTER_POWER_OF_TWO] = "power_of_two",
};

int dcs_router_find(const char *name)
{
    for (int i = 0; i < DCS_ROUTER_NPOLICIES; i++)
        if (name && strcmp(name, policy_names[i]) == 0)
            return i;
    return DCS_ENOTFOUND;
}

const char *dcs_router_name(int policy)
{
    return policy >= 0 && policy < DCS_ROUTER_NPOLICIES ? policy_names[policy]
                                                        : NULL;
}

const char *dcs_router_names(void)
{
    return "round_robin, least_outstanding, least_kv, power_of_two";
}

int dcs_router_init(dcs_router_t *r, int policy, uint64_t seed)
{
    r->policy = policy;
    r->next = 0;
    r->rng = NULL;
    if (policy < 0 || policy >= DCS_ROUTER_NPOLICIES)
        return DCS_EINVAL;
    if (policy == DCS_ROUTER_POWER_OF_TWO) {
        r->rng = dcs_rng_new(seed, "router");
        if (!r->rng)
            return DCS_ENOMEM;
    }
    return 0;
}

void dcs_router_destroy(dcs_router_t *r)
{
    if (r->rng)
        gsl_rng_free(r->rng);
    r->rng = NULL;
}

static int pick_round_robin(dcs_router_t *r, const dcs_replica_load_t *loads,
                            int n)
{
    int start = r->next >= 0 && r->next < n ? r->next : 0;
    for (int k = 0; k < n; k++) {
        int i = (start + k) % n;
        if (loads[i].accepting) {
            r->next = (i + 1) % n;
            return i;
        }
    }
    return -1;
}

static int pick_least_outstanding(const dcs_replica_load_t *loads, int n)
{
    int best = -1;
    for (int i = 0; i < n; i++)
        if (loads[i].accepting &&
            (best < 0 || loads[i].outstanding < loads[best].outstanding))
            best = i;
    return best;
}

static int pick_least_kv(const dcs_replica_load_t *loads, int n)
{
    int best = -1;
    for (int i = 0; i < n; i++) {
        if (!loads[i].accepting)
            continue;
        if (best < 0 || loads[i].kv_used < loads[best].kv_used ||
            (loads[i].kv_used == loads[best].kv_used &&
             loads[i].outstanding < loads[best].outstanding))
            best = i;
    }
    return best;
}

/* The index of the k-th accepting replica (k from 0). */
static int nth_accepting(const dcs_replica_load_t *loads, int n, long k)
{
    for (int i = 0; i < n; i++)
        if (loads[i].accepting && k-- == 0)
            return i;
    return -1;
}

static int pick_power_of_two(dcs_router_t *r, const dcs_replica_load_t *loads,
                             int n)
{
    long m = 0;
    for (int i = 0; i < n; i++)
        m += loads[i].accepting != 0;
    if (m == 0)
        return -1;
    if (m == 1)
        return nth_accepting(loads, n, 0);
    long a = (long)gsl_rng_uniform_int(r->rng, (unsigned long)m);
    long b = (long)gsl_rng_uniform_int(r->rng, (unsigned long)(m - 1));
    if (b >= a)
        b++;
    int first = nth_accepting(loads, n, a), second = nth_accepting(loads, n, b);
    return loads[second].outstanding < loads[first].outstanding ? second
                                                                : first;
}

int dcs_router_pick(dcs_router_t *r, const dcs_replica_load_t *loads, int n)
{
    if (n <= 0)
        return -1;
    switch (r->policy) {
    case DCS_ROUTER_ROUND_ROBIN:
        return pick_round_robin(r, loads, n);
    case DCS_ROUTER_LEAST_OUTSTANDING:
        return pick_least_outstanding(loads, n);
    case DCS_ROUTER_LEAST_KV:
        return pick_least_kv(loads, n);
    case DCS_ROUTER_POWER_OF_TWO:
        return pick_power_of_two(r, loads, n);
    default:
        return -1;
    }
}
