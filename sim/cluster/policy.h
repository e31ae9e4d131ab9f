/* policy.h - the scheduling policy interface, and the registry of policies.
 *
 * Writing a new policy: add policy_<name>.c with a `const dcs_policy_t`
 * whose pick() chooses which queued job starts next, and list it in
 * policy.c's registry. The scheduler calls pick() whenever something
 * changes (a job arrives or ends), again and again until it returns -1, and
 * starts each job picked on the GPUs placement finds. pick() must not
 * change anything; it may ask view->fits(view, job) whether a job can be
 * placed right now. Policies see jobs in submission order. */
#ifndef DCS_POLICY_H
#define DCS_POLICY_H

#include <stddef.h>

#include "cluster/alloc.h"
#include "workload/job.h"

typedef struct dcs_sched_view dcs_sched_view_t;
struct dcs_sched_view {
    dcs_job_t *const *queue; /* waiting jobs, in submission order */
    size_t queue_len;
    const dcs_alloc_t *alloc; /* free GPUs */
    dcs_time_t now_ns;
    /* 1 when `job` could be placed now, else 0. */
    int (*fits)(const dcs_sched_view_t *view, const dcs_job_t *job);
    void *ctx; /* the scheduler's, for fits() */
};

typedef struct dcs_policy dcs_policy_t;
struct dcs_policy {
    const char *name;    /* as named in scenario files */
    const char *summary; /* one line, for `dcsim list policies` */
    /* Index in view->queue of the job to start now, or -1 for none. */
    long (*pick)(const dcs_policy_t *policy, const dcs_sched_view_t *view);
};

/* First come, first served: the oldest job starts when it fits; nothing
 * overtakes it (head-of-line blocking). */
extern const dcs_policy_t dcs_policy_fifo;

/* All policies, NULL-terminated, and lookup by name (NULL if unknown). */
const dcs_policy_t *const *dcs_policy_all(void);
const dcs_policy_t *dcs_policy_find(const char *name);

/* Placement: which free GPUs a job gets. */
typedef struct dcs_placement dcs_placement_t;
struct dcs_placement {
    const char *name;
    const char *summary;
    /* Writes `gpus` distinct free GPU ids to `out` and returns 0, or
     * returns -1 (writing nothing useful) when they cannot be found now. */
    int (*place)(const dcs_placement_t *placement, const dcs_alloc_t *alloc,
                 int gpus, int *out);
};

/* Pack: a job that fits in one node goes to the fullest node that still
 * has room (best fit, lowest index on ties); a larger job takes the nodes
 * with the most free GPUs first. Keeps whole nodes free for big jobs. */
extern const dcs_placement_t dcs_placement_pack;

const dcs_placement_t *const *dcs_placement_all(void);
const dcs_placement_t *dcs_placement_find(const char *name);

#endif
