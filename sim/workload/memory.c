/* memory.c - per-rank training memory from closed forms. */
#include "workload/memory.h"

#include <math.h>
#include <string.h>

#define GIB             1073741824.0
#define DEFAULT_RESERVE (2.0 * GIB)

/* One stage's terms: `blocks` transformer blocks plus `extra` parameters
 * (embedding or head), `in_flight` micro-batches of activations. */
static void stage_terms(const dcs_model_t *m, const dcs_train_plan_t *plan,
                        double blocks, double extra, double in_flight, int last,
                        double reserve, dcs_train_memory_t *o)
{
    double tp = (double)(plan->tp > 1 ? plan->tp : 1);
    double cp = (double)(plan->cp > 1 ? plan->cp : 1);
    /* replicas of the same weights, over which ZeRO shards */
    double dp = (double)(plan->dp > 1 ? plan->dp : 1) * cp;
    /* A block's parameters: the model's less its embedding and head. */
    double emb = (double)m->vocab * (double)m->hidden;
    double outside = m->tied_embeddings ? emb : 2.0 * emb;
    /* Routed experts are split over ep (or tp when ep = 1), the rest over
     * tp. */
    double routed = dcs_model_routed_params(m);
    double layers = (double)(m->layers > 0 ? m->layers : 1);
    double per_block = (dcs_model_params(m) - outside - routed) / layers;
    if (per_block < 0)
        per_block = 0;
    double n = (blocks * per_block + extra) / tp +
               blocks * routed / layers / (double)dcs_train_expert_shards(plan);
    double gb = plan->grad_bytes > 0 ? plan->grad_bytes : 4.0;
    o->weights = 2.0 * n / (plan->zero >= 3 ? dp : 1.0);
    o->gradients = gb * n / (plan->zero >= 2 ? dp : 1.0);
    o->optimizer = 12.0 * n / (plan->zero >= 1 ? dp : 1.0);
    double sbh =
        (double)plan->seq / cp * (double)plan->micro_batch * (double)m->hidden;
    double act;
    if (plan->recompute == DCS_RECOMPUTE_FULL)
        act = 2.0 * sbh / (plan->sp ? tp : 1.0);
    else
        act = plan->sp ? 34.0 * sbh / tp : sbh * (10.0 + 24.0 / tp);
    o->activations = act * blocks * in_flight;
    o->temporary = reserve;
    if (last)
        o->temporary += 8.0 * (double)plan->seq / cp *
                        (double)plan->micro_batch * (double)m->vocab / tp;
    if (plan->zero >= 3)
        o->temporary += 2.0 * per_block / tp;
    o->total = o->weights + o->gradients + o->optimizer + o->activations +
               o->temporary;
}

void dcs_train_memory(const dcs_model_t *m, const dcs_train_plan_t *plan,
                      double reserve_bytes, dcs_train_memory_t *out)
{
    memset(out, 0, sizeof *out);
    double reserve = reserve_bytes < 0 ? DEFAULT_RESERVE : reserve_bytes;
    int64_t pp = plan->pp > 1 ? plan->pp : 1;
    double v = (double)(plan->interleave > 1 ? plan->interleave : 1);
    double micro = (double)(plan->grad_accum > 0 ? plan->grad_accum : 1);
    double blocks = ceil((double)m->layers / (double)pp);
    double emb = (double)m->vocab * (double)m->hidden;
    double head = m->tied_embeddings ? 0 : emb;
    if (pp == 1) {
        stage_terms(m, plan, blocks, emb + head, 1.0, 1, reserve, out);
        return;
    }
    /* 1F1B: stage 0 holds min(pp, m) micro-batches, the last stage one. */
    double first_flight = fmin((double)pp, micro);
    if (v > 1) /* interleaving: 1 + (pp - 1) / (pp v) times as much */
        first_flight *= 1.0 + (double)(pp - 1) / ((double)pp * v);
    dcs_train_memory_t first, last;
    stage_terms(m, plan, blocks, emb, first_flight, 0, reserve, &first);
    stage_terms(m, plan, blocks, head > 0 ? head : emb, 1.0, 1, reserve, &last);
    *out = first.total >= last.total ? first : last;
    out->stage = first.total >= last.total ? 0 : pp - 1;
}

const char *dcs_train_memory_largest(const dcs_train_memory_t *mem,
                                     const char **hint)
{
    struct {
        const char *name, *hint;
        double v;
    } t[] = {
        {"weights", "more tensor or pipeline parallelism, or ZeRO-3",
         mem->weights},
        {"gradients", "ZeRO-2 or more tensor or pipeline parallelism",
         mem->gradients},
        {"optimizer", "ZeRO-1 or more tensor or pipeline parallelism",
         mem->optimizer},
        {"activations",
         "activation recompute (full), sequence parallelism, more tensor "
         "parallelism or a smaller micro-batch",
         mem->activations},
        {"temporary", "a smaller micro-batch or more tensor parallelism",
         mem->temporary},
    };
    size_t best = 0;
    for (size_t i = 1; i < sizeof t / sizeof t[0]; i++)
        if (t[i].v > t[best].v)
            best = i;
    if (hint)
        *hint = t[best].hint;
    return t[best].name;
}
