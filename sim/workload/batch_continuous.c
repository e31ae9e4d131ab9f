/* batch_continuous.c - continuous batching (Orca, Yu et al. OSDI 2022;
 * vLLM's default scheduler before chunked prefill, Kwon et al. SOSP 2023):
 * requests join and leave the batch at every step. A step prefills the
 * prompts admitted now (in arrival order, up to max_batch_tokens of them,
 * while their KV blocks and a running slot are free) when there are any;
 * otherwise it decodes one token of every running request. */
#include "workload/serving.h"

static void form(dcs_serving_t *sv, dcs_replica_t *r)
{
    int64_t tokens = 0;
    /* prompts left unfinished (a preempted request readmitted) first */
    for (size_t i = 0; i < r->nrunning; i++) {
        const dcs_sreq_t *x = &sv->reqs[r->running[i]];
        if (x->state == DCS_SREQ_PREFILL) {
            dcs_serving_plan_chunk(sv, r, r->running[i],
                                   x->goal - x->prefilled);
            tokens += x->goal - x->prefilled;
        }
    }
    while (r->waiting.len > 0) {
        const dcs_sreq_t *x = &sv->reqs[r->waiting.buf[r->waiting.head]];
        int64_t need = x->goal - x->prefilled;
        if (tokens > 0 && tokens + need > sv->spec.max_batch_tokens)
            break;
        if (!dcs_serving_admit_head(sv, r))
            break;
        int64_t q = r->running[r->nrunning - 1];
        if (need > 0) /* a decode handed over needs no prefill */
            dcs_serving_plan_chunk(sv, r, q, need);
        tokens += need;
    }
    if (r->nplan == 0)
        dcs_serving_plan_decodes(sv, r, sv->spec.max_seqs);
}

const dcs_batcher_t dcs_batcher_continuous = {"continuous", form};
