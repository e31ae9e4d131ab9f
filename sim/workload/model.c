/* model.c - reading transformer architectures and counting parameters. */
#include "workload/model.h"

#include <stdio.h>
#include <string.h>

int dcs_model_read(dcs_cfg_node_t *map, dcs_model_t *m, dcs_err_t *err)
{
    static const char *const acts[] = {"gelu", "swiglu", NULL};
    static const char *const norms[] = {"layernorm", "rmsnorm", NULL};
    static const char *const positions[] = {"rotary", "learned", NULL};
    const char *name = NULL, *description = NULL, *source = NULL;
    double published = 0;
    int act = 0, norm = 0, pos = 0, rc;
    memset(m, 0, sizeof *m);
    m->top_k = 1;
    if ((rc = dcs_cfg_str(map, "name", DCS_CFG_REQUIRED, &name, err)) < 0 ||
        (rc = dcs_cfg_str(map, "description", DCS_CFG_OPTIONAL, &description,
                          err)) < 0 ||
        (rc = dcs_cfg_i64(map, "layers", DCS_CFG_REQUIRED, 1, 100000,
                          &m->layers, err)) < 0 ||
        (rc = dcs_cfg_i64(map, "hidden", DCS_CFG_REQUIRED, 1, 10000000,
                          &m->hidden, err)) < 0 ||
        (rc = dcs_cfg_i64(map, "ffn_hidden", DCS_CFG_OPTIONAL, 1, 100000000,
                          &m->ffn_hidden, err)) < 0 ||
        (rc = dcs_cfg_i64(map, "heads", DCS_CFG_REQUIRED, 1, 100000, &m->heads,
                          err)) < 0 ||
        (rc = dcs_cfg_i64(map, "kv_heads", DCS_CFG_OPTIONAL, 1, 100000,
                          &m->kv_heads, err)) < 0 ||
        (rc = dcs_cfg_i64(map, "head_dim", DCS_CFG_OPTIONAL, 1, 100000,
                          &m->head_dim, err)) < 0 ||
        (rc = dcs_cfg_i64(map, "vocab", DCS_CFG_REQUIRED, 1, 100000000,
                          &m->vocab, err)) < 0 ||
        (rc = dcs_cfg_i64(map, "seq_len", DCS_CFG_REQUIRED, 1, 100000000,
                          &m->seq_len, err)) < 0 ||
        (rc = dcs_cfg_enum(map, "activation", DCS_CFG_OPTIONAL, acts, &act,
                           err)) < 0 ||
        (rc = dcs_cfg_enum(map, "norm", DCS_CFG_OPTIONAL, norms, &norm, err)) <
            0 ||
        (rc = dcs_cfg_enum(map, "positions", DCS_CFG_OPTIONAL, positions, &pos,
                           err)) < 0 ||
        (rc = dcs_cfg_bool(map, "bias", DCS_CFG_OPTIONAL, &m->bias, err)) < 0 ||
        (rc = dcs_cfg_bool(map, "tied_embeddings", DCS_CFG_OPTIONAL,
                           &m->tied_embeddings, err)) < 0 ||
        (rc = dcs_cfg_i64(map, "token_types", DCS_CFG_OPTIONAL, 0, 1000,
                          &m->token_types, err)) < 0 ||
        (rc = dcs_cfg_bool(map, "pooler", DCS_CFG_OPTIONAL, &m->pooler, err)) <
            0 ||
        (rc = dcs_cfg_i64(map, "experts", DCS_CFG_OPTIONAL, 0, 100000,
                          &m->experts, err)) < 0 ||
        (rc = dcs_cfg_i64(map, "top_k", DCS_CFG_OPTIONAL, 1, 100000, &m->top_k,
                          err)) < 0 ||
        (rc = dcs_cfg_i64(map, "shared_experts", DCS_CFG_OPTIONAL, 0, 100000,
                          &m->shared_experts, err)) < 0 ||
        (rc = dcs_cfg_i64(map, "expert_ffn_hidden", DCS_CFG_OPTIONAL, 1,
                          100000000, &m->expert_ffn_hidden, err)) < 0 ||
        (rc = dcs_cfg_i64(map, "dense_layers", DCS_CFG_OPTIONAL, 0, 100000,
                          &m->dense_layers, err)) < 0 ||
        (rc = dcs_cfg_i64(map, "q_lora_rank", DCS_CFG_OPTIONAL, 0, 1000000,
                          &m->q_lora_rank, err)) < 0 ||
        (rc = dcs_cfg_i64(map, "kv_lora_rank", DCS_CFG_OPTIONAL, 0, 1000000,
                          &m->kv_lora_rank, err)) < 0 ||
        (rc = dcs_cfg_i64(map, "qk_nope_head_dim", DCS_CFG_OPTIONAL, 0, 100000,
                          &m->qk_nope_head_dim, err)) < 0 ||
        (rc = dcs_cfg_i64(map, "qk_rope_head_dim", DCS_CFG_OPTIONAL, 0, 100000,
                          &m->qk_rope_head_dim, err)) < 0 ||
        (rc = dcs_cfg_i64(map, "v_head_dim", DCS_CFG_OPTIONAL, 0, 100000,
                          &m->v_head_dim, err)) < 0 ||
        (rc = dcs_cfg_f64(map, "published_params", DCS_CFG_OPTIONAL, 0, 1e15,
                          &published, err)) < 0 ||
        (rc = dcs_cfg_str(map, "source", DCS_CFG_OPTIONAL, &source, err)) < 0)
        return rc;
    snprintf(m->name, sizeof m->name, "%s", name);
    m->activation = (dcs_activation_t)act;
    m->norm = (dcs_norm_t)norm;
    m->learned_positions = pos == 1;
    if (!m->kv_heads)
        m->kv_heads = m->heads;
    if (!m->head_dim) {
        if (m->hidden % m->heads)
            return dcs_cfg_error(dcs_cfg_get(map, "heads"), err,
                                 "hidden %lld is not a multiple of %lld heads; "
                                 "give head_dim",
                                 (long long)m->hidden, (long long)m->heads);
        m->head_dim = m->hidden / m->heads;
    }
    if (m->heads % m->kv_heads)
        return dcs_cfg_error(dcs_cfg_get(map, "kv_heads"), err,
                             "%lld kv_heads do not divide %lld heads",
                             (long long)m->kv_heads, (long long)m->heads);
    if (m->experts && !m->expert_ffn_hidden)
        return dcs_cfg_error(dcs_cfg_get(map, "experts"), err,
                             "a mixture of experts needs expert_ffn_hidden");
    if (m->experts && m->top_k > m->experts)
        return dcs_cfg_error(dcs_cfg_get(map, "top_k"), err,
                             "top_k %lld exceeds %lld experts",
                             (long long)m->top_k, (long long)m->experts);
    if ((!m->experts || m->dense_layers) && !m->ffn_hidden)
        return dcs_cfg_error(map, err,
                             "field 'ffn_hidden': missing (required for dense "
                             "layers)");
    return 0;
}

/* Weights (and biases) of an FFN of width f: GeLU has up and down
 * projections, SwiGLU gate, up and down. */
static double ffn(const dcs_model_t *m, double f)
{
    double h = (double)m->hidden;
    if (m->activation == DCS_ACT_SWIGLU)
        return 3.0 * h * f + (m->bias ? 2.0 * f + h : 0.0);
    return 2.0 * h * f + (m->bias ? f + h : 0.0);
}

static double norm_params(const dcs_model_t *m, double width)
{
    return m->norm == DCS_NORM_LAYERNORM && m->bias ? 2.0 * width : width;
}

double dcs_model_attention_params(const dcs_model_t *m)
{
    double h = (double)m->hidden, heads = (double)m->heads;
    if (m->q_lora_rank) {
        /* MLA: low-rank queries, a shared compressed KV with a decoupled
         * rotary key, per-head up-projections. */
        double ql = (double)m->q_lora_rank, kvl = (double)m->kv_lora_rank;
        double nope = (double)m->qk_nope_head_dim;
        double rope = (double)m->qk_rope_head_dim, v = (double)m->v_head_dim;
        return h * ql + ql + ql * heads * (nope + rope) + h * (kvl + rope) +
               kvl + kvl * heads * (nope + v) + heads * v * h;
    }
    double qd = heads * (double)m->head_dim;
    double kvd = (double)m->kv_heads * (double)m->head_dim;
    double w = h * qd + 2.0 * h * kvd + qd * h;
    return w + (m->bias ? qd + 2.0 * kvd + h : 0.0);
}

double dcs_model_ffn_params(const dcs_model_t *m, int64_t layer)
{
    if (!m->experts || layer < m->dense_layers)
        return ffn(m, (double)m->ffn_hidden);
    double e = (double)(m->experts + m->shared_experts);
    /* experts, plus the router's hidden x experts logits */
    return e * ffn(m, (double)m->expert_ffn_hidden) +
           (double)m->hidden * (double)m->experts;
}

double dcs_model_params(const dcs_model_t *m)
{
    double h = (double)m->hidden, total = 0;
    for (int64_t l = 0; l < m->layers; l++)
        total += dcs_model_attention_params(m) + dcs_model_ffn_params(m, l) +
                 2.0 * norm_params(m, h);
    total += (double)m->vocab * h * (m->tied_embeddings ? 1.0 : 2.0);
    if (m->learned_positions)
        total += (double)m->seq_len * h;
    if (m->token_types)
        total += (double)m->token_types * h + norm_params(m, h);
    if (m->pooler)
        total += h * h + h;
    return total + norm_params(m, h); /* final norm */
}

double dcs_model_active_params(const dcs_model_t *m)
{
    if (!m->experts)
        return dcs_model_params(m);
    double per_expert = ffn(m, (double)m->expert_ffn_hidden);
    double inactive = (double)(m->experts - m->top_k) * per_expert *
                      (double)(m->layers - m->dense_layers);
    return dcs_model_params(m) - inactive;
}

double dcs_model_routed_params(const dcs_model_t *m)
{
    if (!m->experts)
        return 0;
    return (double)m->experts * ffn(m, (double)m->expert_ffn_hidden) *
           (double)(m->layers - m->dense_layers);
}
