/* test_kvcache.c - paged KV-cache block accounting.
 *
 * Invariants, each on a hand-worked case in the test's comment:
 * - a sequence of t tokens holds ceil(t / block_tokens) blocks, and growing
 *   it allocates a block only when the last one is full;
 * - a grow that does not fit changes nothing; the LIFO victim is the
 *   running sequence admitted (or swapped in) last, and preempting it makes
 *   the grow fit;
 * - recompute frees the victim's blocks; swap moves them to the host pool
 *   and back, counting the bytes moved (blocks x block bytes), and a host
 *   pool too small refuses the swap, changing nothing;
 * - admission and swap-in keep vLLM's watermark (floor of 1% of the
 *   blocks) free; growth may take every block;
 * - releasing everything returns every count to where it started, and
 *   blocks are conserved under a long random mix of operations;
 * - misuse (slot out of range, wrong state, shrinking) is refused. */
#include <check.h>
#include <stdlib.h>

#include "engine/error.h"
#include "engine/rng.h"
#include "workload/kvcache.h"

/* K and V of a Llama-2-7B-like model (32 layers, width 4096, fp16) for one
 * block of 16 tokens: 2 x 32 x 4096 x 2 B x 16 = 8,388,608 B = 8 MiB. */
#define BLOCK_BYTES (2ull * 32 * 4096 * 2 * 16)

static void init_cache(dcs_kv_cache_t *kv, int64_t total, double watermark,
                       int64_t host, int max_seqs)
{
    dcs_kv_config_t cfg;
    dcs_kv_config_default(&cfg);
    cfg.total_blocks = total;
    cfg.watermark_frac = watermark;
    cfg.host_blocks = host;
    cfg.block_bytes = BLOCK_BYTES;
    cfg.max_seqs = max_seqs;
    ck_assert_int_eq(dcs_kv_init(kv, &cfg), 0);
}

/* The three prompts of the hand cases, on 10 blocks of 16 tokens without a
 * watermark: A (slot 0) 40 tokens -> 3 blocks (16 + 16 + 8), B (slot 1)
 * 30 -> 2 blocks, C (slot 2) 50 -> 4 blocks (48 < 50): 9 used, 1 free.
 * Then A decodes to 48 tokens (3 x 16: still 3 blocks) and to 49, which
 * needs a 4th block: the 1 free block holds it, leaving 0 free. */
static void admit_abc(dcs_kv_cache_t *kv)
{
    ck_assert_int_eq(dcs_kv_admit(kv, 0, 40), 0);
    ck_assert_int_eq(dcs_kv_admit(kv, 1, 30), 0);
    ck_assert_int_eq(dcs_kv_admit(kv, 2, 50), 0);
    ck_assert_int_eq(dcs_kv_seq_blocks(kv, 0), 3);
    ck_assert_int_eq(dcs_kv_seq_blocks(kv, 1), 2);
    ck_assert_int_eq(dcs_kv_seq_blocks(kv, 2), 4);
    ck_assert_int_eq(kv->used_blocks, 9);
    ck_assert_int_eq(dcs_kv_free_blocks(kv), 1);
    ck_assert_double_eq_tol(dcs_kv_usage(kv), 0.9, 1e-12);
    for (int64_t t = 41; t <= 48; t++)
        ck_assert_int_eq(dcs_kv_grow(kv, 0, t), 0);
    ck_assert_int_eq(dcs_kv_seq_blocks(kv, 0), 3);
    ck_assert_int_eq(kv->used_blocks, 9);
    ck_assert_int_eq(dcs_kv_grow(kv, 0, 49), 0);
    ck_assert_int_eq(dcs_kv_seq_tokens(kv, 0), 49);
    ck_assert_int_eq(dcs_kv_seq_blocks(kv, 0), 4);
    ck_assert_int_eq(dcs_kv_free_blocks(kv), 0);
}

START_TEST(test_blocks_for)
{
    /* ceil(t / 16) by hand. */
    ck_assert_int_eq(dcs_kv_blocks_for(0, 16), 0);
    ck_assert_int_eq(dcs_kv_blocks_for(-5, 16), 0);
    ck_assert_int_eq(dcs_kv_blocks_for(1, 16), 1);
    ck_assert_int_eq(dcs_kv_blocks_for(16, 16), 1);
    ck_assert_int_eq(dcs_kv_blocks_for(17, 16), 2);
    ck_assert_int_eq(dcs_kv_blocks_for(30, 16), 2);
    ck_assert_int_eq(dcs_kv_blocks_for(40, 16), 3);
    ck_assert_int_eq(dcs_kv_blocks_for(48, 16), 3);
    ck_assert_int_eq(dcs_kv_blocks_for(49, 16), 4);
    ck_assert_int_eq(dcs_kv_blocks_for(7, 1), 7);
    /* 128k tokens of context in blocks of 16: 131072 / 16 = 8192. */
    ck_assert_int_eq(dcs_kv_blocks_for(131072, 16), 8192);
}
END_TEST

START_TEST(test_grow_preempt_recompute)
{
    /* After admit_abc: A 4 blocks, B 2, C 4; 0 free.
     * B decodes from 30 to 33 tokens: ceil(33/16) = 3 blocks, one more,
     *   none free -> refused, B still 30 tokens in 2 blocks.
     * The victim is C, admitted last. Recompute frees its 4 blocks:
     *   6 used, 4 free; C must re-prefill its 50 tokens later.
     * B's grow now fits: 7 used, 3 free.
     * C's 50 tokens need 4 blocks: 3 free -> not admitted.
     * The victim is now B (order A, B). A finishes: 4 blocks back, 3 used,
     *   7 free: C is admitted again (7 used) and is the newest, so the
     *   victim again. */
    dcs_kv_cache_t kv;
    init_cache(&kv, 10, 0, 0, 4);
    admit_abc(&kv);
    ck_assert_int_eq(dcs_kv_grow(&kv, 1, 33), DCS_KV_FULL);
    ck_assert_int_eq(dcs_kv_seq_tokens(&kv, 1), 30);
    ck_assert_int_eq(dcs_kv_seq_blocks(&kv, 1), 2);
    ck_assert_int_eq(kv.used_blocks, 10);

    int victim = dcs_kv_victim(&kv);
    ck_assert_int_eq(victim, 2);
    int64_t redo_tokens = dcs_kv_seq_tokens(&kv, victim);
    ck_assert_int_eq(redo_tokens, 50);
    uint64_t bytes = 99;
    ck_assert_int_eq(dcs_kv_preempt(&kv, victim, DCS_KV_RECOMPUTE, &bytes), 0);
    ck_assert_uint_eq(bytes, 0);
    ck_assert_int_eq(dcs_kv_seq_state(&kv, 2), DCS_KV_IDLE);
    ck_assert_int_eq(dcs_kv_seq_blocks(&kv, 2), 0);
    ck_assert_int_eq(kv.used_blocks, 6);
    ck_assert_int_eq(kv.running, 2);

    ck_assert_int_eq(dcs_kv_grow(&kv, 1, 33), 0);
    ck_assert_int_eq(kv.used_blocks, 7);
    ck_assert_int_eq(dcs_kv_can_admit(&kv, redo_tokens), 0);
    ck_assert_int_eq(dcs_kv_admit(&kv, 2, redo_tokens), DCS_KV_FULL);
    ck_assert_int_eq(dcs_kv_victim(&kv), 1);

    ck_assert_int_eq(dcs_kv_release(&kv, 0), 0);
    ck_assert_int_eq(kv.used_blocks, 3);
    ck_assert_int_eq(dcs_kv_admit(&kv, 2, redo_tokens), 0);
    ck_assert_int_eq(kv.used_blocks, 7);
    ck_assert_int_eq(dcs_kv_victim(&kv), 2);

    ck_assert_int_eq(kv.stats.preemptions, 1);
    ck_assert_int_eq(kv.stats.recomputes, 1);
    ck_assert_int_eq(kv.stats.swaps_out, 0);
    ck_assert_int_eq(kv.stats.swaps_in, 0);
    ck_assert_uint_eq(kv.stats.bytes_swapped_out, 0);
    dcs_kv_destroy(&kv);
}
END_TEST

START_TEST(test_swap_out_and_in)
{
    /* As above with a host pool of 4 blocks, in swap mode.
     * C's 4 blocks go to the host: 4 x 8 MiB = 33,554,432 B over PCIe;
     *   6 GPU blocks used, host full; C keeps its 50 tokens.
     * B grows to 33: 7 used, 3 free. C needs 4 to come back -> refused.
     * A finishes: 3 used, 7 free; C comes back (7 used, host empty), moving
     *   33,554,432 B again, and is the newest running sequence. */
    dcs_kv_cache_t kv;
    init_cache(&kv, 10, 0, 4, 4);
    admit_abc(&kv);
    ck_assert_int_eq(dcs_kv_grow(&kv, 1, 33), DCS_KV_FULL);
    int victim = dcs_kv_victim(&kv);
    ck_assert_int_eq(victim, 2);
    uint64_t bytes = 0;
    ck_assert_int_eq(dcs_kv_preempt(&kv, victim, DCS_KV_SWAP, &bytes), 0);
    ck_assert_uint_eq(bytes, 33554432ull);
    ck_assert_int_eq(dcs_kv_seq_state(&kv, 2), DCS_KV_SWAPPED);
    ck_assert_int_eq(dcs_kv_seq_tokens(&kv, 2), 50);
    ck_assert_int_eq(dcs_kv_seq_blocks(&kv, 2), 4);
    ck_assert_int_eq(kv.used_blocks, 6);
    ck_assert_int_eq(kv.host_used_blocks, 4);
    ck_assert_int_eq(dcs_kv_host_free_blocks(&kv), 0);
    ck_assert_int_eq(kv.running, 2);
    ck_assert_int_eq(kv.swapped, 1);
    /* A swapped sequence does not grow. */
    ck_assert_int_eq(dcs_kv_grow(&kv, 2, 51), DCS_ESTATE);

    ck_assert_int_eq(dcs_kv_grow(&kv, 1, 33), 0);
    ck_assert_int_eq(dcs_kv_free_blocks(&kv), 3);
    ck_assert_int_eq(dcs_kv_can_swap_in(&kv, 2), 0);
    ck_assert_int_eq(dcs_kv_swap_in(&kv, 2, &bytes), DCS_KV_FULL);
    ck_assert_uint_eq(bytes, 0);
    ck_assert_int_eq(kv.host_used_blocks, 4);
    ck_assert_int_eq(kv.used_blocks, 7);

    ck_assert_int_eq(dcs_kv_release(&kv, 0), 0);
    ck_assert_int_eq(dcs_kv_can_swap_in(&kv, 2), 1);
    ck_assert_int_eq(dcs_kv_swap_in(&kv, 2, &bytes), 0);
    ck_assert_uint_eq(bytes, 33554432ull);
    ck_assert_int_eq(dcs_kv_seq_state(&kv, 2), DCS_KV_RUNNING);
    ck_assert_int_eq(kv.used_blocks, 7);
    ck_assert_int_eq(kv.host_used_blocks, 0);
    ck_assert_int_eq(dcs_kv_victim(&kv), 2);
    /* It decodes on: 50 -> 64 tokens fits its 4 blocks, 65 takes a 5th. */
    ck_assert_int_eq(dcs_kv_grow(&kv, 2, 64), 0);
    ck_assert_int_eq(kv.used_blocks, 7);
    ck_assert_int_eq(dcs_kv_grow(&kv, 2, 65), 0);
    ck_assert_int_eq(kv.used_blocks, 8);

    ck_assert_int_eq(kv.stats.preemptions, 1);
    ck_assert_int_eq(kv.stats.recomputes, 0);
    ck_assert_int_eq(kv.stats.swaps_out, 1);
    ck_assert_int_eq(kv.stats.swaps_in, 1);
    ck_assert_int_eq(kv.stats.blocks_swapped_out, 4);
    ck_assert_int_eq(kv.stats.blocks_swapped_in, 4);
    ck_assert_uint_eq(kv.stats.bytes_swapped_out, 33554432ull);
    ck_assert_uint_eq(kv.stats.bytes_swapped_in, 33554432ull);
    dcs_kv_destroy(&kv);
}
END_TEST

START_TEST(test_swap_host_too_small)
{
    /* A host pool of 3 blocks cannot take C's 4: the swap is refused and
     * nothing changes (C running, 10 used, host empty, no counts); the
     * caller falls back to recompute, which frees the 4 blocks. A swapped
     * sequence that is released gives its host blocks back. */
    dcs_kv_cache_t kv;
    init_cache(&kv, 10, 0, 3, 4);
    admit_abc(&kv);
    uint64_t bytes = 7;
    ck_assert_int_eq(dcs_kv_preempt(&kv, 2, DCS_KV_SWAP, &bytes), DCS_KV_FULL);
    ck_assert_uint_eq(bytes, 0);
    ck_assert_int_eq(dcs_kv_seq_state(&kv, 2), DCS_KV_RUNNING);
    ck_assert_int_eq(kv.used_blocks, 10);
    ck_assert_int_eq(kv.host_used_blocks, 0);
    ck_assert_int_eq(kv.stats.preemptions, 0);
    ck_assert_int_eq(dcs_kv_victim(&kv), 2);
    ck_assert_int_eq(dcs_kv_preempt(&kv, 2, DCS_KV_RECOMPUTE, NULL), 0);
    ck_assert_int_eq(kv.used_blocks, 6);

    /* B (2 blocks) fits the host pool; then release it while swapped. */
    ck_assert_int_eq(dcs_kv_preempt(&kv, 1, DCS_KV_SWAP, NULL), 0);
    ck_assert_int_eq(kv.host_used_blocks, 2);
    ck_assert_int_eq(kv.used_blocks, 4);
    ck_assert_int_eq(dcs_kv_release(&kv, 1), 0);
    ck_assert_int_eq(kv.host_used_blocks, 0);
    ck_assert_int_eq(kv.swapped, 0);
    ck_assert_int_eq(dcs_kv_seq_state(&kv, 1), DCS_KV_IDLE);
    dcs_kv_destroy(&kv);
}
END_TEST

START_TEST(test_watermark)
{
    /* 100 blocks, vLLM's default watermark: floor(0.01 x 100) = 1 block.
     * 1584 tokens = 99 blocks leave 1 free -> admissible; 1585 tokens need
     * 100 blocks, leaving 0 < 1 -> never admissible.
     * Slot 0 takes 800 tokens = 50 blocks. 784 tokens (49 blocks) leave
     * 50 - 49 = 1 -> admitted; 785 tokens (50 blocks) would leave 0: refused
     * by the watermark alone though 50 blocks are free, yet admissible into
     * an empty cache. Slot 1 takes the 784: 99 used, 1 free; growing it to
     * 785 tokens takes the 100th block, watermark or not. */
    dcs_kv_cache_t kv;
    init_cache(&kv, 100, 0.01, 0, 4);
    ck_assert_int_eq(kv.watermark_blocks, 1);
    ck_assert_int_eq(dcs_kv_can_admit(&kv, 1584), 1);
    ck_assert_int_eq(dcs_kv_can_admit(&kv, 1585), 0);
    ck_assert_int_eq(dcs_kv_ever_admits(&kv, 1584), 1);
    ck_assert_int_eq(dcs_kv_ever_admits(&kv, 1585), 0);

    ck_assert_int_eq(dcs_kv_admit(&kv, 0, 800), 0);
    ck_assert_int_eq(kv.used_blocks, 50);
    ck_assert_int_eq(dcs_kv_can_admit(&kv, 784), 1);
    ck_assert_int_eq(dcs_kv_can_admit(&kv, 785), 0);
    ck_assert_int_eq(dcs_kv_ever_admits(&kv, 785), 1);
    ck_assert_int_eq(dcs_kv_admit(&kv, 1, 785), DCS_KV_FULL);
    ck_assert_int_eq(dcs_kv_seq_state(&kv, 1), DCS_KV_IDLE);
    ck_assert_int_eq(kv.used_blocks, 50);
    ck_assert_int_eq(dcs_kv_admit(&kv, 1, 784), 0);
    ck_assert_int_eq(dcs_kv_free_blocks(&kv), 1);
    ck_assert_int_eq(dcs_kv_grow(&kv, 1, 785), 0);
    ck_assert_int_eq(dcs_kv_free_blocks(&kv), 0);
    ck_assert_double_eq_tol(dcs_kv_usage(&kv), 1.0, 1e-12);
    dcs_kv_destroy(&kv);

    /* The watermark truncates: 1% of 150 is 1.5 -> 1; of 99, 0.99 -> 0;
     * of 1000, 10. */
    init_cache(&kv, 150, 0.01, 0, 1);
    ck_assert_int_eq(kv.watermark_blocks, 1);
    dcs_kv_destroy(&kv);
    init_cache(&kv, 99, 0.01, 0, 1);
    ck_assert_int_eq(kv.watermark_blocks, 0);
    dcs_kv_destroy(&kv);
    init_cache(&kv, 1000, 0.01, 0, 1);
    ck_assert_int_eq(kv.watermark_blocks, 10);
    dcs_kv_destroy(&kv);
}
END_TEST

START_TEST(test_watermark_swap_in)
{
    /* 10 blocks, watermark 10% = 1 block, host 4 blocks, 16 tokens/block.
     * A (64 tokens, 4 blocks) and B (64, 4) run: 8 used. B swaps out: 4
     * used. C (16 tokens, 1 block) and D (1 block) are admitted: 6 used,
     * 4 free. B's 4 blocks would leave 0 < 1 -> no swap-in though 4 are
     * free. D finishes: 5 free, 5 - 4 = 1 -> B comes back. */
    dcs_kv_cache_t kv;
    init_cache(&kv, 10, 0.1, 4, 4);
    ck_assert_int_eq(kv.watermark_blocks, 1);
    ck_assert_int_eq(dcs_kv_admit(&kv, 0, 64), 0);
    ck_assert_int_eq(dcs_kv_admit(&kv, 1, 64), 0);
    ck_assert_int_eq(dcs_kv_preempt(&kv, 1, DCS_KV_SWAP, NULL), 0);
    ck_assert_int_eq(dcs_kv_admit(&kv, 2, 16), 0);
    ck_assert_int_eq(dcs_kv_admit(&kv, 3, 16), 0);
    ck_assert_int_eq(dcs_kv_free_blocks(&kv), 4);
    ck_assert_int_eq(dcs_kv_can_swap_in(&kv, 1), 0);
    ck_assert_int_eq(dcs_kv_swap_in(&kv, 1, NULL), DCS_KV_FULL);
    ck_assert_int_eq(dcs_kv_release(&kv, 3), 0);
    ck_assert_int_eq(dcs_kv_swap_in(&kv, 1, NULL), 0);
    ck_assert_int_eq(dcs_kv_free_blocks(&kv), 1);
    dcs_kv_destroy(&kv);
}
END_TEST

START_TEST(test_lifo_order)
{
    /* Admit 0, 1, 2, 3: victim 3. Release 3: victim 2. Release 1 (from the
     * middle): still 2. Preempt 2: victim 0. Admit 1 again: 1. Swap 0 out
     * and back in: 0 is the newest again. Release all: no victim. */
    dcs_kv_cache_t kv;
    init_cache(&kv, 100, 0, 20, 4);
    for (int s = 0; s < 4; s++)
        ck_assert_int_eq(dcs_kv_admit(&kv, s, 20), 0);
    ck_assert_int_eq(dcs_kv_victim(&kv), 3);
    ck_assert_int_eq(dcs_kv_release(&kv, 3), 0);
    ck_assert_int_eq(dcs_kv_victim(&kv), 2);
    ck_assert_int_eq(dcs_kv_release(&kv, 1), 0);
    ck_assert_int_eq(dcs_kv_victim(&kv), 2);
    ck_assert_int_eq(dcs_kv_preempt(&kv, 2, DCS_KV_RECOMPUTE, NULL), 0);
    ck_assert_int_eq(dcs_kv_victim(&kv), 0);
    ck_assert_int_eq(dcs_kv_admit(&kv, 1, 20), 0);
    ck_assert_int_eq(dcs_kv_victim(&kv), 1);
    ck_assert_int_eq(dcs_kv_preempt(&kv, 0, DCS_KV_SWAP, NULL), 0);
    ck_assert_int_eq(dcs_kv_victim(&kv), 1);
    ck_assert_int_eq(dcs_kv_swap_in(&kv, 0, NULL), 0);
    ck_assert_int_eq(dcs_kv_victim(&kv), 0);
    ck_assert_int_eq(dcs_kv_release(&kv, 0), 0);
    ck_assert_int_eq(dcs_kv_victim(&kv), 1);
    ck_assert_int_eq(dcs_kv_release(&kv, 1), 0);
    ck_assert_int_eq(dcs_kv_victim(&kv), -1);
    dcs_kv_destroy(&kv);
}
END_TEST

START_TEST(test_release_restores)
{
    /* Run the swap case's operations, then release every sequence: all
     * counts are back at their start (0 used, 0 on the host, 0 running),
     * every slot idle, and a full-cache prompt is admissible again. */
    dcs_kv_cache_t kv;
    init_cache(&kv, 10, 0, 4, 4);
    admit_abc(&kv);
    ck_assert_int_eq(dcs_kv_preempt(&kv, 2, DCS_KV_SWAP, NULL), 0);
    ck_assert_int_eq(dcs_kv_release(&kv, 0), 0);
    ck_assert_int_eq(dcs_kv_release(&kv, 1), 0);
    ck_assert_int_eq(dcs_kv_release(&kv, 2), 0);
    ck_assert_int_eq(kv.used_blocks, 0);
    ck_assert_int_eq(kv.host_used_blocks, 0);
    ck_assert_int_eq(kv.running, 0);
    ck_assert_int_eq(kv.swapped, 0);
    ck_assert_int_eq(dcs_kv_free_blocks(&kv), 10);
    ck_assert_int_eq(dcs_kv_host_free_blocks(&kv), 4);
    ck_assert_double_eq_tol(dcs_kv_usage(&kv), 0.0, 1e-12);
    ck_assert_int_eq(dcs_kv_victim(&kv), -1);
    for (int s = 0; s < 4; s++) {
        ck_assert_int_eq(dcs_kv_seq_state(&kv, s), DCS_KV_IDLE);
        ck_assert_int_eq(dcs_kv_seq_tokens(&kv, s), 0);
    }
    ck_assert_int_eq(dcs_kv_admit(&kv, 3, 160), 0);
    ck_assert_int_eq(dcs_kv_free_blocks(&kv), 0);
    dcs_kv_destroy(&kv);
}
END_TEST

START_TEST(test_conservation_random)
{
    /* 20,000 random operations on 64 blocks of 16 tokens, 16 slots, a
     * host pool of 24: after each, the GPU and host counts equal the sums
     * recomputed here from each slot's tokens (ceil by integer arithmetic
     * of the test's own), never exceed their pools, and a refused grow
     * changed nothing. */
    dcs_kv_cache_t kv;
    init_cache(&kv, 64, 0.05, 24, 16);
    gsl_rng *rng = dcs_rng_new(3, "test_kvcache");
    int refused = 0, preempted = 0;
    for (int step = 0; step < 20000; step++) {
        int s = (int)gsl_rng_uniform_int(rng, 16);
        int op = (int)gsl_rng_uniform_int(rng, 6);
        dcs_kv_state_t st = dcs_kv_seq_state(&kv, s);
        if (op <= 1 && st == DCS_KV_IDLE) {
            dcs_kv_admit(&kv, s, (int64_t)gsl_rng_uniform_int(rng, 200));
        } else if (op <= 3 && st == DCS_KV_RUNNING) {
            int64_t before = dcs_kv_seq_tokens(&kv, s), used = kv.used_blocks;
            int64_t want = before + (int64_t)gsl_rng_uniform_int(rng, 40);
            if (dcs_kv_grow(&kv, s, want) == DCS_KV_FULL) {
                refused++;
                ck_assert_int_eq(dcs_kv_seq_tokens(&kv, s), before);
                ck_assert_int_eq(kv.used_blocks, used);
                int v = dcs_kv_victim(&kv);
                dcs_kv_preempt_mode_t mode = gsl_rng_uniform_int(rng, 2)
                                                 ? DCS_KV_SWAP
                                                 : DCS_KV_RECOMPUTE;
                if (dcs_kv_preempt(&kv, v, mode, NULL) == DCS_KV_FULL)
                    ck_assert_int_eq(
                        dcs_kv_preempt(&kv, v, DCS_KV_RECOMPUTE, NULL), 0);
                preempted++;
            }
        } else if (op == 4 && st == DCS_KV_SWAPPED) {
            dcs_kv_swap_in(&kv, s, NULL);
        } else if (op == 5 && st != DCS_KV_IDLE) {
            ck_assert_int_eq(dcs_kv_release(&kv, s), 0);
        }
        int64_t gpu = 0, host = 0;
        int running = 0;
        for (int i = 0; i < 16; i++) {
            int64_t t = dcs_kv_seq_tokens(&kv, i);
            int64_t b = t > 0 ? (t + 15) / 16 : 0;
            ck_assert_int_eq(dcs_kv_seq_blocks(&kv, i), b);
            if (dcs_kv_seq_state(&kv, i) == DCS_KV_RUNNING) {
                gpu += b;
                running++;
            } else if (dcs_kv_seq_state(&kv, i) == DCS_KV_SWAPPED) {
                host += b;
            } else {
                ck_assert_int_eq(t, 0);
            }
        }
        ck_assert_int_eq(kv.used_blocks, gpu);
        ck_assert_int_eq(kv.host_used_blocks, host);
        ck_assert_int_eq(kv.running, running);
        ck_assert_int_le(gpu, 64);
        ck_assert_int_le(host, 24);
        ck_assert_int_eq(dcs_kv_victim(&kv) >= 0, running > 0);
    }
    /* The mix exercised the full cache, not only the easy paths. */
    ck_assert_int_gt(refused, 100);
    ck_assert_int_eq(kv.stats.preemptions, preempted);
    ck_assert_int_eq(kv.stats.recomputes + kv.stats.swaps_out, preempted);
    ck_assert_uint_eq(kv.stats.bytes_swapped_out,
                      (uint64_t)kv.stats.blocks_swapped_out * BLOCK_BYTES);
    gsl_rng_free(rng);
    dcs_kv_destroy(&kv);
}
END_TEST

START_TEST(test_misuse)
{
    dcs_kv_config_t cfg;
    dcs_kv_config_default(&cfg);
    ck_assert_int_eq(cfg.block_tokens, 16);
    ck_assert_double_eq(cfg.watermark_frac, 0.01);
    dcs_kv_cache_t kv;
    cfg.total_blocks = 10;
    cfg.max_seqs = 2;
    dcs_kv_config_t bad = cfg;
    bad.total_blocks = 0;
    ck_assert_int_eq(dcs_kv_init(&kv, &bad), DCS_EINVAL);
    bad = cfg;
    bad.block_tokens = 0;
    ck_assert_int_eq(dcs_kv_init(&kv, &bad), DCS_EINVAL);
    bad = cfg;
    bad.watermark_frac = 1.0;
    ck_assert_int_eq(dcs_kv_init(&kv, &bad), DCS_EINVAL);
    bad = cfg;
    bad.watermark_frac = -0.1;
    ck_assert_int_eq(dcs_kv_init(&kv, &bad), DCS_EINVAL);
    bad = cfg;
    bad.host_blocks = -1;
    ck_assert_int_eq(dcs_kv_init(&kv, &bad), DCS_EINVAL);
    bad = cfg;
    bad.max_seqs = 0;
    ck_assert_int_eq(dcs_kv_init(&kv, &bad), DCS_EINVAL);
    dcs_kv_destroy(&kv); /* after a failed init: a no-op */

    ck_assert_int_eq(dcs_kv_init(&kv, &cfg), 0);
    ck_assert_int_eq(dcs_kv_admit(&kv, 2, 10), DCS_EINVAL);
    ck_assert_int_eq(dcs_kv_admit(&kv, -1, 10), DCS_EINVAL);
    ck_assert_int_eq(dcs_kv_admit(&kv, 0, -1), DCS_EINVAL);
    ck_assert_int_eq(dcs_kv_grow(&kv, 0, 10), DCS_ESTATE);
    ck_assert_int_eq(dcs_kv_release(&kv, 0), DCS_ESTATE);
    ck_assert_int_eq(dcs_kv_preempt(&kv, 0, DCS_KV_RECOMPUTE, NULL),
                     DCS_ESTATE);
    ck_assert_int_eq(dcs_kv_swap_in(&kv, 0, NULL), DCS_ESTATE);
    ck_assert_int_eq(dcs_kv_admit(&kv, 0, 20), 0);
    ck_assert_int_eq(dcs_kv_admit(&kv, 0, 20), DCS_ESTATE);
    ck_assert_int_eq(dcs_kv_grow(&kv, 0, 19), DCS_EINVAL);
    ck_assert_int_eq(dcs_kv_seq_tokens(&kv, 0), 20);
    ck_assert_int_eq(dcs_kv_swap_in(&kv, 0, NULL), DCS_ESTATE);
    ck_assert_int_eq(dcs_kv_can_swap_in(&kv, 0), 0);
    /* No host pool: a swap is refused for room. */
    ck_assert_int_eq(dcs_kv_preempt(&kv, 0, DCS_KV_SWAP, NULL), DCS_KV_FULL);
    ck_assert_int_eq(dcs_kv_seq_state(&kv, 5), DCS_KV_IDLE);
    ck_assert_int_eq(dcs_kv_seq_blocks(&kv, -3), 0);
    dcs_kv_destroy(&kv);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("kvcache");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_blocks_for);
    tcase_add_test(tc, test_grow_preempt_recompute);
    tcase_add_test(tc, test_swap_out_and_in);
    tcase_add_test(tc, test_swap_host_too_small);
    tcase_add_test(tc, test_watermark);
    tcase_add_test(tc, test_watermark_swap_in);
    tcase_add_test(tc, test_lifo_order);
    tcase_add_test(tc, test_release_restores);
    tcase_add_test(tc, test_conservation_random);
    tcase_add_test(tc, test_misuse);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
