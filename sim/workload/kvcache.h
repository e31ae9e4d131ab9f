/* kvcache.h - paged KV-cache block accounting for one serving replica.
 *
 * PagedAttention (Kwon et al. 2023, "Efficient Memory Management for Large
 * Language Model Serving with PagedAttention", SOSP '23; the vLLM engine)
 * keeps each sequence's keys and values in fixed-size blocks of
 * `block_tokens` tokens (vLLM's default: 16), allocated on demand, so a
 * sequence of t tokens holds ceil(t / block_tokens) blocks and wastes at
 * most one partly filled block. Blocks are interchangeable, so this module
 * counts them and keeps no block tables: every operation is O(1), with no
 * per-token or per-block work. Not modelled: prefix caching and blocks
 * shared between sequences (parallel sampling, beam search); one sequence
 * per request.
 *
 * Sequences are named by the caller's slot index, 0 .. max_seqs - 1 (the
 * replica's batch slots, or the caller's request table). A slot is IDLE
 * (holds nothing), RUNNING (its blocks on the GPU) or SWAPPED (its blocks
 * in the host-memory pool).
 *
 * Rules, as vLLM's v0 block manager applies them:
 * - admission (and swap-in) leaves a watermark of free blocks, by default
 *   floor(1% of total_blocks) (vLLM's `watermark=0.01`, truncated as
 *   vLLM's int() does), so that running sequences can grow a while before
 *   a new one forces a preemption;
 * - growth (a prefill chunk, a decoded token) may take every free block;
 * - when growth fails, the running sequence admitted most recently (LIFO:
 *   admission and swap-in both append to the order) is preempted, which may
 *   be the growing sequence itself; the caller repeats until the growth
 *   fits. Preemption either frees the victim's blocks (recompute: it later
 *   re-prefills its prompt and the tokens generated so far) or moves them
 *   to the host pool (swap: the caller prices the PCIe transfer of the
 *   bytes reported).
 *
 * Results: 0 on success; DCS_KV_FULL (positive: an expected outcome, not an
 * error) when there are not enough free blocks, with nothing changed;
 * DCS_EINVAL for a slot out of range or a bad token count; DCS_ESTATE for
 * an operation the slot's state does not allow (growing an idle sequence,
 * admitting a running one...). */
#ifndef DCS_KVCACHE_H
#define DCS_KVCACHE_H

#include <stdint.h>

enum { DCS_KV_FULL = 1 }; /* not enough free blocks; nothing changed */

typedef enum dcs_kv_state {
    DCS_KV_IDLE = 0, /* holds no blocks */
    DCS_KV_RUNNING,  /* its blocks are on the GPU */
    DCS_KV_SWAPPED   /* its blocks are in the host pool */
} dcs_kv_state_t;

typedef enum dcs_kv_preempt_mode {
    DCS_KV_RECOMPUTE, /* free the blocks; the sequence re-prefills later */
    DCS_KV_SWAP       /* move the blocks to the host pool */
} dcs_kv_preempt_mode_t;

typedef struct dcs_kv_config {
    int64_t total_blocks;  /* GPU blocks for the KV cache (>= 1) */
    int block_tokens;      /* tokens per block (>= 1; vLLM: 16) */
    double watermark_frac; /* fraction of total_blocks admission keeps free,
                              in [0, 1) (vLLM: 0.01) */
    int64_t host_blocks;   /* host-memory swap pool, blocks (0: no swap) */
    uint64_t block_bytes;  /* bytes of one block: K and V of all layers for
                              block_tokens tokens (0: not priced) */
    int max_seqs;          /* sequence slots (>= 1) */
} dcs_kv_config_t;

/* Counters since dcs_kv_init. */
typedef struct dcs_kv_stats {
    int64_t preemptions;        /* sequences preempted, either mode */
    int64_t recomputes;         /* of which by recompute */
    int64_t swaps_out;          /* of which by swap (sequences) */
    int64_t swaps_in;           /* sequences brought back from the host */
    int64_t blocks_swapped_out; /* blocks moved GPU -> host */
    int64_t blocks_swapped_in;  /* blocks moved host -> GPU */
    uint64_t bytes_swapped_out; /* blocks_swapped_out x block_bytes */
    uint64_t bytes_swapped_in;  /* blocks_swapped_in x block_bytes */
} dcs_kv_stats_t;

/* One slot; private to kvcache.c. */
typedef struct dcs_kv_seq {
    int64_t tokens; /* tokens held (running or swapped) */
    int64_t blocks; /* blocks held, ceil(tokens / block_tokens) */
    int state;      /* dcs_kv_state_t */
    int prev, next; /* admission order of running slots (-1: none) */
} dcs_kv_seq_t;

typedef struct dcs_kv_cache {
    /* A caller may read these fields; only kvcache.c changes them. */
    int64_t total_blocks;     /* GPU blocks */
    int64_t watermark_blocks; /* kept free by admission and swap-in */
    int64_t used_blocks;      /* GPU blocks held by running sequences */
    int64_t host_blocks;      /* host pool size, blocks */
    int64_t host_used_blocks; /* host blocks held by swapped sequences */
    int block_tokens;         /* tokens per block */
    uint64_t block_bytes;     /* bytes per block */
    int max_seqs;             /* slots */
    int running;              /* running sequences */
    int swapped;              /* swapped sequences */
    dcs_kv_stats_t stats;
    /* Private. */
    dcs_kv_seq_t *seqs; /* [max_seqs] */
    int first, last;    /* oldest and newest running slot (-1: none) */
} dcs_kv_cache_t;

/* Blocks for `tokens` tokens: ceil(tokens / block_tokens); 0 when
 * tokens <= 0. block_tokens must be >= 1. */
int64_t dcs_kv_blocks_for(int64_t tokens, int block_tokens);

/* vLLM's defaults: block_tokens 16, watermark_frac 0.01; the sizes
 * (total_blocks, host_blocks, block_bytes, max_seqs) are set to 0 for the
 * caller to fill. */
void dcs_kv_config_default(dcs_kv_config_t *cfg);

/* An empty cache: all slots idle, all blocks free, counters 0; the
 * watermark is floor(watermark_frac x total_blocks). Returns 0, DCS_EINVAL
 * for a config out of the ranges above (nothing allocated), or DCS_ENOMEM.
 * O(max_seqs). */
int dcs_kv_init(dcs_kv_cache_t *kv, const dcs_kv_config_t *cfg);
/* Frees the slots; the cache must be initialized again before reuse. */
void dcs_kv_destroy(dcs_kv_cache_t *kv);

/* 1 when a prompt of `tokens` tokens may be admitted now: its blocks leave
 * at least watermark_blocks free. */
int dcs_kv_can_admit(const dcs_kv_cache_t *kv, int64_t tokens);
/* 1 when such a prompt could be admitted into an empty cache; 0 means it
 * never can (vLLM rejects it: prompt too long for the cache). */
int dcs_kv_ever_admits(const dcs_kv_cache_t *kv, int64_t tokens);

/* Admits idle slot `seq` holding `tokens` (>= 0) tokens (a new prompt, or a
 * recomputed sequence's prompt plus its generated tokens): allocates their
 * blocks and makes it the newest running sequence. DCS_KV_FULL when
 * dcs_kv_can_admit says no. */
int dcs_kv_admit(dcs_kv_cache_t *kv, int seq, int64_t tokens);

/* Grows running sequence `seq` to `new_tokens` tokens in all (>= its
 * present count), allocating the blocks this needs (none while the last
 * block has room). Ignores the watermark. DCS_KV_FULL when fewer blocks
 * are free than needed; DCS_EINVAL when new_tokens is below its count. */
int dcs_kv_grow(dcs_kv_cache_t *kv, int seq, int64_t new_tokens);

/* Frees all blocks of a running or swapped sequence (finished or aborted)
 * and makes the slot idle. DCS_ESTATE for an idle slot. */
int dcs_kv_release(dcs_kv_cache_t *kv, int seq);

/* The running sequence to preempt under vLLM's rule: the one admitted (or
 * swapped in) most recently; -1 when none runs. */
int dcs_kv_victim(const dcs_kv_cache_t *kv);

/* Preempts running sequence `seq`. DCS_KV_RECOMPUTE frees its blocks and
 * makes the slot idle (read dcs_kv_seq_tokens before: the caller
 * re-admits that many tokens later) and never fails for room. DCS_KV_SWAP
 * moves its blocks to the host pool (slot SWAPPED, its tokens kept), or
 * returns DCS_KV_FULL when the pool lacks room (vLLM aborts then; a caller
 * may recompute instead). *bytes_moved (when not NULL) gets the bytes
 * copied over PCIe: blocks x block_bytes for a swap, 0 otherwise. */
int dcs_kv_preempt(dcs_kv_cache_t *kv, int seq, dcs_kv_preempt_mode_t mode,
                   uint64_t *bytes_moved);

/* 1 when swapped sequence `seq` may come back now: its blocks leave at
 * least watermark_blocks free on the GPU. 0 for a slot not swapped. */
int dcs_kv_can_swap_in(const dcs_kv_cache_t *kv, int seq);
/* Moves swapped sequence `seq` back to the GPU as the newest running
 * sequence. DCS_KV_FULL when dcs_kv_can_swap_in says no. *bytes_moved as
 * in dcs_kv_preempt. */
int dcs_kv_swap_in(dcs_kv_cache_t *kv, int seq, uint64_t *bytes_moved);

/* Queries. A slot out of range reads as idle (0 tokens, 0 blocks). */
int64_t dcs_kv_free_blocks(const dcs_kv_cache_t *kv);
int64_t dcs_kv_host_free_blocks(const dcs_kv_cache_t *kv);
/* used_blocks / total_blocks, in [0, 1]. */
double dcs_kv_usage(const dcs_kv_cache_t *kv);
dcs_kv_state_t dcs_kv_seq_state(const dcs_kv_cache_t *kv, int seq);
int64_t dcs_kv_seq_tokens(const dcs_kv_cache_t *kv, int seq);
int64_t dcs_kv_seq_blocks(const dcs_kv_cache_t *kv, int seq);

#endif
