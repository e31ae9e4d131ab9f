/* model.h - transformer architectures, described by their numbers, read
 * from workloads/models/<name>.yaml: layers, hidden size, FFN size, heads
 * and KV heads, vocabulary, sequence length, activation (GeLU or SwiGLU),
 * norm (LayerNorm or RMSNorm), biases, learned or rotary positions, tied
 * embeddings, mixture of experts (experts, top-k, shared experts, expert
 * FFN size, leading dense layers) and multi-head latent attention (MLA, as
 * DeepSeek-V3). The parameter count follows from them. */
#ifndef DCS_MODEL_H
#define DCS_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "config/cfg.h"

typedef enum dcs_activation { DCS_ACT_GELU, DCS_ACT_SWIGLU } dcs_activation_t;
typedef enum dcs_norm { DCS_NORM_LAYERNORM, DCS_NORM_RMSNORM } dcs_norm_t;

typedef struct dcs_model {
    char name[64];
    int64_t layers;     /* transformer blocks */
    int64_t hidden;     /* model width */
    int64_t ffn_hidden; /* dense FFN width */
    int64_t heads;      /* query heads */
    int64_t kv_heads;   /* key/value heads (GQA; = heads for MHA) */
    int64_t head_dim;   /* per head (default hidden / heads) */
    int64_t vocab;      /* vocabulary */
    int64_t seq_len;    /* training sequence length */
    dcs_activation_t activation;
    dcs_norm_t norm;
    bool bias;              /* linear layers and norms carry biases */
    bool learned_positions; /* a seq_len x hidden position table (GPT-3) */
    bool tied_embeddings;   /* output head shares the input embedding */
    int64_t token_types;    /* BERT's segment embeddings (0: none) */
    bool pooler;            /* BERT's hidden x hidden pooler */
    /* mixture of experts (experts 0: dense) */
    int64_t experts;        /* routed experts per MoE layer */
    int64_t top_k;          /* routed experts per token */
    int64_t shared_experts; /* always-on experts */
    int64_t expert_ffn_hidden;
    int64_t dense_layers; /* leading layers with a dense FFN */
    /* multi-head latent attention (q_lora_rank 0: standard attention) */
    int64_t q_lora_rank, kv_lora_rank;
    int64_t qk_nope_head_dim, qk_rope_head_dim, v_head_dim;
} dcs_model_t;

/* Reads a model mapping. Required: name, layers, hidden, ffn_hidden (not
 * for all-MoE models), heads, vocab, seq_len; the rest optional with the
 * defaults of a GPT-style dense model (gelu, layernorm, no bias, rotary,
 * untied, MHA). Returns 0 or DCS_EINPUT with file:line:col. */
int dcs_model_read(dcs_cfg_node_t *map, dcs_model_t *m, dcs_err_t *err);

/* Parameters of one transformer block's attention, its FFN (dense or MoE:
 * every expert), and of the whole model. */
double dcs_model_attention_params(const dcs_model_t *m);
double dcs_model_ffn_params(const dcs_model_t *m, int64_t layer);
double dcs_model_params(const dcs_model_t *m);
/* Parameters a token goes through (MoE: top_k routed + shared experts). */
double dcs_model_active_params(const dcs_model_t *m);
/* Parameters of the routed experts, all layers (0 for dense models): what
 * expert parallelism shards. */
double dcs_model_routed_params(const dcs_model_t *m);

#endif
