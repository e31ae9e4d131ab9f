/* policy_fifo.c - first come, first served, with head-of-line blocking. */
#include "cluster/policy.h"

static long fifo_pick(const dcs_policy_t *policy, const dcs_sched_view_t *view,
                      int *gpus)
{
    (void)policy;
    (void)gpus;
    if (view->queue_len == 0)
        return -1;
    return view->fits(view, view->queue[0], 0) ? 0 : -1;
}

const dcs_policy_t dcs_policy_fifo = {
    "fifo",
    "first come, first served; the oldest job blocks the queue until it fits",
    fifo_pick,
    NULL,
    NULL,
    NULL,
};
