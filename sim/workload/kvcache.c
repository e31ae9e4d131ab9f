/* kvcache.c - paged KV-cache block accounting: counts of GPU and host
 * blocks per sequence slot, and the admission order of running sequences
 * as a doubly linked list threaded through the slots, so that admitting,
 * growing, releasing and naming the LIFO victim are all O(1). */
#include "workload/kvcache.h"

#include <math.h>
#include <stdlib.h>

#include "engine/error.h"

int64_t dcs_kv_blocks_for(int64_t tokens, int block_tokens)
{
    if (tokens <= 0)
        return 0;
    return (tokens - 1) / block_tokens + 1;
}

void dcs_kv_config_default(dcs_kv_config_t *cfg)
{
    cfg->total_blocks = 0;
    cfg->block_tokens = 16;
    cfg->watermark_frac = 0.01;
    cfg->host_blocks = 0;
    cfg->block_bytes = 0;
    cfg->max_seqs = 0;
}

int dcs_kv_init(dcs_kv_cache_t *kv, const dcs_kv_config_t *cfg)
{
    kv->seqs = NULL;
    if (cfg->total_blocks < 1 || cfg->block_tokens < 1 ||
        !(cfg->watermark_frac >= 0 && cfg->watermark_frac < 1) ||
        cfg->host_blocks < 0 || cfg->max_seqs < 1)
        return DCS_EINVAL;
    kv->seqs = calloc((size_t)cfg->max_seqs, sizeof *kv->seqs);
    if (!kv->seqs)
        return DCS_ENOMEM;
    for (int i = 0; i < cfg->max_seqs; i++)
        kv->seqs[i].prev = kv->seqs[i].next = -1;
    kv->total_blocks = cfg->total_blocks;
    /* vLLM: int(watermark * num_gpu_blocks), truncated. */
    kv->watermark_blocks =
        (int64_t)floor(cfg->watermark_frac * (double)cfg->total_blocks);
    kv->used_blocks = 0;
    kv->host_blocks = cfg->host_blocks;
    kv->host_used_blocks = 0;
    kv->block_tokens = cfg->block_tokens;
    kv->block_bytes = cfg->block_bytes;
    kv->max_seqs = cfg->max_seqs;
    kv->running = 0;
    kv->swapped = 0;
    kv->stats = (dcs_kv_stats_t){0};
    kv->first = kv->last = -1;
    return 0;
}

void dcs_kv_destroy(dcs_kv_cache_t *kv)
{
    free(kv->seqs);
    kv->seqs = NULL;
}

static dcs_kv_seq_t *slot(const dcs_kv_cache_t *kv, int seq)
{
    return seq >= 0 && seq < kv->max_seqs ? &kv->seqs[seq] : NULL;
}

/* Appends running slot `seq` as the newest in admission order. */
static void order_push(dcs_kv_cache_t *kv, int seq)
{
    dcs_kv_seq_t *s = &kv->seqs[seq];
    s->prev = kv->last;
    s->next = -1;
    if (kv->last >= 0)
        kv->seqs[kv->last].next = seq;
    else
        kv->first = seq;
    kv->last = seq;
}

static void order_remove(dcs_kv_cache_t *kv, int seq)
{
    dcs_kv_seq_t *s = &kv->seqs[seq];
    if (s->prev >= 0)
        kv->seqs[s->prev].next = s->next;
    else
        kv->first = s->next;
    if (s->next >= 0)
        kv->seqs[s->next].prev = s->prev;
    else
        kv->last = s->prev;
    s->prev = s->next = -1;
}

int64_t dcs_kv_free_blocks(const dcs_kv_cache_t *kv)
{
    return kv->total_blocks - kv->used_blocks;
}

int64_t dcs_kv_host_free_blocks(const dcs_kv_cache_t *kv)
{
    return kv->host_blocks - kv->host_used_blocks;
}

double dcs_kv_usage(const dcs_kv_cache_t *kv)
{
    return (double)kv->used_blocks / (double)kv->total_blocks;
}

int dcs_kv_can_admit(const dcs_kv_cache_t *kv, int64_t tokens)
{
    int64_t need = dcs_kv_blocks_for(tokens, kv->block_tokens);
    return dcs_kv_free_blocks(kv) - need >= kv->watermark_blocks;
}

int dcs_kv_ever_admits(const dcs_kv_cache_t *kv, int64_t tokens)
{
    int64_t need = dcs_kv_blocks_for(tokens, kv->block_tokens);
    return kv->total_blocks - need >= kv->watermark_blocks;
}

int dcs_kv_admit(dcs_kv_cache_t *kv, int seq, int64_t tokens)
{
    dcs_kv_seq_t *s = slot(kv, seq);
    if (!s || tokens < 0)
        return DCS_EINVAL;
    if (s->state != DCS_KV_IDLE)
        return DCS_ESTATE;
    if (!dcs_kv_can_admit(kv, tokens))
        return DCS_KV_FULL;
    s->tokens = tokens;
    s->blocks = dcs_kv_blocks_for(tokens, kv->block_tokens);
    s->state = DCS_KV_RUNNING;
    kv->used_blocks += s->blocks;
    kv->running++;
    order_push(kv, seq);
    return 0;
}

int dcs_kv_grow(dcs_kv_cache_t *kv, int seq, int64_t new_tokens)
{
    dcs_kv_seq_t *s = slot(kv, seq);
    if (!s)
        return DCS_EINVAL;
    if (s->state != DCS_KV_RUNNING)
        return DCS_ESTATE;
    if (new_tokens < s->tokens)
        return DCS_EINVAL;
    int64_t blocks = dcs_kv_blocks_for(new_tokens, kv->block_tokens);
    if (blocks - s->blocks > dcs_kv_free_blocks(kv))
        return DCS_KV_FULL;
    kv->used_blocks += blocks - s->blocks;
    s->blocks = blocks;
    s->tokens = new_tokens;
    return 0;
}

int dcs_kv_release(dcs_kv_cache_t *kv, int seq)
{
    dcs_kv_seq_t *s = slot(kv, seq);
    if (!s)
        return DCS_EINVAL;
    if (s->state == DCS_KV_RUNNING) {
        order_remove(kv, seq);
        kv->used_blocks -= s->blocks;
        kv->running--;
    } else if (s->state == DCS_KV_SWAPPED) {
        kv->host_used_blocks -= s->blocks;
        kv->swapped--;
    } else {
        return DCS_ESTATE;
    }
    s->tokens = s->blocks = 0;
    s->state = DCS_KV_IDLE;
    return 0;
}

int dcs_kv_victim(const dcs_kv_cache_t *kv)
{
    return kv->last;
}

int dcs_kv_preempt(dcs_kv_cache_t *kv, int seq, dcs_kv_preempt_mode_t mode,
                   uint64_t *bytes_moved)
{
    dcs_kv_seq_t *s = slot(kv, seq);
    if (bytes_moved)
        *bytes_moved = 0;
    if (!s || (mode != DCS_KV_RECOMPUTE && mode != DCS_KV_SWAP))
        return DCS_EINVAL;
    if (s->state != DCS_KV_RUNNING)
        return DCS_ESTATE;
    if (mode == DCS_KV_SWAP) {
        if (s->blocks > dcs_kv_host_free_blocks(kv))
            return DCS_KV_FULL;
        uint64_t bytes = (uint64_t)s->blocks * kv->block_bytes;
        order_remove(kv, seq);
        kv->used_blocks -= s->blocks;
        kv->host_used_blocks += s->blocks;
        kv->running--;
        kv->swapped++;
        s->state = DCS_KV_SWAPPED;
        kv->stats.swaps_out++;
        kv->stats.blocks_swapped_out += s->blocks;
        kv->stats.bytes_swapped_out += bytes;
        if (bytes_moved)
            *bytes_moved = bytes;
    } else {
        order_remove(kv, seq);
        kv->used_blocks -= s->blocks;
        kv->running--;
        s->tokens = s->blocks = 0;
        s->state = DCS_KV_IDLE;
        kv->stats.recomputes++;
    }
    kv->stats.preemptions++;
    return 0;
}

int dcs_kv_can_swap_in(const dcs_kv_cache_t *kv, int seq)
{
    const dcs_kv_seq_t *s = slot(kv, seq);
    return s && s->state == DCS_KV_SWAPPED &&
           dcs_kv_free_blocks(kv) - s->blocks >= kv->watermark_blocks;
}

int dcs_kv_swap_in(dcs_kv_cache_t *kv, int seq, uint64_t *bytes_moved)
{
    dcs_kv_seq_t *s = slot(kv, seq);
    if (bytes_moved)
        *bytes_moved = 0;
    if (!s)
        return DCS_EINVAL;
    if (s->state != DCS_KV_SWAPPED)
        return DCS_ESTATE;
    if (!dcs_kv_can_swap_in(kv, seq))
        return DCS_KV_FULL;
    uint64_t bytes = (uint64_t)s->blocks * kv->block_bytes;
    kv->host_used_blocks -= s->blocks;
    kv->used_blocks += s->blocks;
    kv->swapped--;
    kv->running++;
    s->state = DCS_KV_RUNNING;
    order_push(kv, seq);
    kv->stats.swaps_in++;
    kv->stats.blocks_swapped_in += s->blocks;
    kv->stats.bytes_swapped_in += bytes;
    if (bytes_moved)
        *bytes_moved = bytes;
    return 0;
}

dcs_kv_state_t dcs_kv_seq_state(const dcs_kv_cache_t *kv, int seq)
{
    const dcs_kv_seq_t *s = slot(kv, seq);
    return s ? (dcs_kv_state_t)s->state : DCS_KV_IDLE;
}

int64_t dcs_kv_seq_tokens(const dcs_kv_cache_t *kv, int seq)
{
    const dcs_kv_seq_t *s = slot(kv, seq);
    return s ? s->tokens : 0;
}

int64_t dcs_kv_seq_blocks(const dcs_kv_cache_t *kv, int seq)
{
    const dcs_kv_seq_t *s = slot(kv, seq);
    return s ? s->blocks : 0;
}
