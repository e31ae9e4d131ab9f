/* batch_chunked.c - chunked prefill (Sarathi-Serve, Agrawal et al. OSDI
 * 2024; vLLM's enable_chunked_prefill): every step has a budget of
 * max_batch_tokens new tokens. Running decodes take one each first (no
 * decode waits behind a long prompt); what is left goes to prompt chunks:
 * prompts already started first, then newly admitted ones, each chunk as
 * large as the budget allows. */
#include "workload/serving.h"

static void form(dcs_serving_t *sv, dcs_replica_t *r)
{
    int64_t budget = sv->spec.max_batch_tokens;
    budget -= dcs_serving_plan_decodes(sv, r, budget);
    for (size_t i = 0; i < r->nrunning && budget > 0; i++) {
        const dcs_sreq_t *x = &sv->reqs[r->running[i]];
        if (x->state != DCS_SREQ_PREFILL)
            continue;
        int64_t c = x->goal - x->prefilled;
        c = c < budget ? c : budget;
        dcs_serving_plan_chunk(sv, r, r->running[i], c);
        budget -= c;
    }
    while (budget > 0 && dcs_serving_admit_head(sv, r)) {
        int64_t q = r->running[r->nrunning - 1];
        const dcs_sreq_t *x = &sv->reqs[q];
        int64_t c = x->goal - x->prefilled;
        if (c == 0) { /* handed over: it decodes from the next step */
            continue;
        }
        c = c < budget ? c : budget;
        dcs_serving_plan_chunk(sv, r, q, c);
        budget -= c;
    }
}

const dcs_batcher_t dcs_batcher_chunked = {"chunked", form};
