/* batch_static.c - static batching: a batch is formed when the replica is
 * empty, prefilled whole, then decoded until every request in it is done;
 * arrivals wait for the next batch (the way a plain HuggingFace generate()
 * loop serves, before Orca's iteration-level scheduling). */
#include "workload/serving.h"

static void form(dcs_serving_t *sv, dcs_replica_t *r)
{
    if (r->nrunning == 0) {
        int64_t tokens = 0;
        while (r->waiting.len > 0) {
            const dcs_sreq_t *x = &sv->reqs[r->waiting.buf[r->waiting.head]];
            if (tokens > 0 && tokens + x->goal > sv->spec.max_batch_tokens)
                break;
            if (!dcs_serving_admit_head(sv, r))
                break;
            tokens += x->goal;
        }
    }
    /* prompts of the batch first (one step), then its decodes */
    for (size_t i = 0; i < r->nrunning; i++) {
        const dcs_sreq_t *x = &sv->reqs[r->running[i]];
        if (x->state == DCS_SREQ_PREFILL)
            dcs_serving_plan_chunk(sv, r, r->running[i],
                                   x->goal - x->prefilled);
    }
    if (r->nplan == 0)
        dcs_serving_plan_decodes(sv, r, sv->spec.max_seqs);
}

const dcs_batcher_t dcs_batcher_static = {"static", form};
