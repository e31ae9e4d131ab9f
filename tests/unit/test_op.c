/* test_op.c - the op vocabulary (sim/hw/op.c) and the op cost model's
 * contract (sim/hw/opcost.c), at library level.
 *
 * Invariants checked:
 *  - every op kind's FLOP and byte counts equal the closed forms of op.h,
 *    written out again below from the definitions (GEMM 2mnk FLOPs, inputs
 *    read once and the output written once; attention 4 x pairs x head_dim,
 *    causal pairs counted with queries aligned to the end of the keys, bwd
 *    2.5 x fwd; and so on), for every dtype's element size, including the
 *    wider outputs of fp8 (bf16) and int8 (int32) GEMMs;
 *  - the roofline is max(FLOPs / peak, bytes / bandwidth) on a device made
 *    up here, both when compute and when memory bounds it;
 *  - with the default parameters (a device never measured) the predicted
 *    time is 0 for idle, positive and no less than half the roofline for
 *    every other kind, and grows with the work: twice the k of a GEMM, four
 *    times the elements of a copy, the bwd pass of attention over its fwd;
 *    a dtype without a peak is not supported by the matrix ops;
 *  - dcs_op_set refuses bad text with one exact message, tells an unknown
 *    key apart (-2), and reads 4e3 as 4000 and an empty cell as 0;
 *  - dcs_op_check refuses impossible shapes with one exact message.
 * Every expected number is computed by hand in the comment beside it; the
 * code under test is never asked for an expected value. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/op.h"
#include "hw/opcost.h"

/* ---- helpers --------------------------------------------------------- */

static dcs_op_t gemm(dcs_dtype_t dtype, int64_t m, int64_t n, int64_t k)
{
    dcs_op_t op;
    dcs_op_init(&op);
    op.kind = DCS_OP_GEMM;
    op.dtype = dtype;
    op.m = m;
    op.n = n;
    op.k = k;
    return op;
}

static dcs_op_t attention(int64_t batch, int64_t heads, int64_t kv_heads,
                          int64_t seq, int64_t kv_seq, int64_t head_dim,
                          int causal, int bwd)
{
    dcs_op_t op;
    dcs_op_init(&op);
    op.kind = DCS_OP_ATTENTION;
    op.batch = batch;
    op.heads = heads;
    op.kv_heads = kv_heads;
    op.seq = seq;
    op.kv_seq = kv_seq;
    op.head_dim = head_dim;
    op.causal = causal;
    op.bwd = bwd;
    return op;
}

static dcs_op_t decode(int64_t batch, int64_t heads, int64_t kv_heads,
                       int64_t kv_seq, int64_t head_dim)
{
    dcs_op_t op;
    dcs_op_init(&op);
    op.kind = DCS_OP_DECODE_ATTENTION;
    op.batch = batch;
    op.heads = heads;
    op.kv_heads = kv_heads;
    op.kv_seq = kv_seq;
    op.head_dim = head_dim;
    return op;
}

/* A memory-bound op of `kind` over m elements or m rows of n. */
static dcs_op_t vector_op(dcs_op_kind_t kind, dcs_dtype_t dtype, int64_t m,
                          int64_t n)
{
    dcs_op_t op;
    dcs_op_init(&op);
    op.kind = kind;
    op.dtype = dtype;
    op.m = m;
    op.n = n;
    return op;
}

/* A device made up for these tests: round numbers, a ridge point of
 * 100e12 / 1e12 = 100 FLOP/byte in bf16, and no fp8. */
static dcs_opcost_device_t made_up_device(void)
{
    dcs_opcost_device_t dev;
    memset(&dev, 0, sizeof dev);
    dev.peak_flops[DCS_FP32] = 10e12;
    dev.peak_flops[DCS_TF32] = 50e12;
    dev.peak_flops[DCS_BF16] = 100e12;
    dev.peak_flops[DCS_FP16] = 100e12;
    dev.peak_flops[DCS_FP8] = 0; /* unsupported */
    dev.peak_flops[DCS_INT8] = 200e12;
    dev.mem_bw_bytes_per_s = 1e12;
    dev.l2_bytes = 40e6;
    dev.sm_count = 100;
    return dev;
}

static void expect_counts(const dcs_op_t *op, double flops, double bytes)
{
    ck_assert_double_eq(dcs_op_flops(op), flops);
    ck_assert_double_eq(dcs_op_bytes(op), bytes);
}

/* ---- FLOP and byte counts -------------------------------------------- */

START_TEST(test_gemm_counts_every_dtype)
{
    /* m=3 n=5 k=7: FLOPs 2*3*5*7 = 210 whatever the dtype. Bytes: A is
     * 3*7 = 21 elements, B 7*5 = 35, C 3*5 = 15.
     *   bf16, fp16: (21 + 35) * 2 + 15 * 2 = 142
     *   fp32, tf32 (stored as fp32): (21 + 35) * 4 + 15 * 4 = 284
     *   fp8: inputs 1 byte, output bf16: 56 * 1 + 15 * 2 = 86
     *   int8: inputs 1 byte, output int32: 56 * 1 + 15 * 4 = 116 */
    dcs_op_t op = gemm(DCS_BF16, 3, 5, 7);
    expect_counts(&op, 210, 142);
    op = gemm(DCS_FP16, 3, 5, 7);
    expect_counts(&op, 210, 142);
    op = gemm(DCS_FP32, 3, 5, 7);
    expect_counts(&op, 210, 284);
    op = gemm(DCS_TF32, 3, 5, 7);
    expect_counts(&op, 210, 284);
    op = gemm(DCS_FP8, 3, 5, 7);
    expect_counts(&op, 210, 86);
    op = gemm(DCS_INT8, 3, 5, 7);
    expect_counts(&op, 210, 116);
    /* Not square in any way: m=1 n=4096 k=4096 bf16, a GEMV.
     * FLOPs 2*4096*4096 = 33554432; bytes (4096 + 16777216) * 2 + 4096 * 2
     * = 33570816. */
    op = gemm(DCS_BF16, 1, 4096, 4096);
    expect_counts(&op, 33554432, 33570816);
}
END_TEST

START_TEST(test_bmm_counts_are_batch_gemms)
{
    /* 4 products of m=3 n=5 k=7: 4 * 210 = 840 FLOPs, 4 * 142 = 568 bytes in
     * bf16, 4 * 86 = 344 in fp8. */
    dcs_op_t op = gemm(DCS_BF16, 3, 5, 7);
    op.kind = DCS_OP_BMM;
    op.batch = 4;
    expect_counts(&op, 840, 568);
    op.dtype = DCS_FP8;
    expect_counts(&op, 840, 344);
}
END_TEST

START_TEST(test_attention_fwd_counts)
{
    /* batch 2, heads 4, seq 8, head_dim 16, bf16 (2 bytes).
     * Non-causal, kv_seq 0 (= seq 8): pairs 8 * 8 = 64, FLOPs 4*2*4*64*16 =
     * 32768. q side 2*4*8*16 = 1024 elements, kv side the same: bytes
     * (2*1024 + 2*1024) * 2 = 8192. */
    dcs_op_t op = attention(2, 4, 0, 8, 0, 16, 0, 0);
    ck_assert_double_eq(dcs_op_attention_pairs(&op), 64);
    expect_counts(&op, 32768, 8192);
    /* kv_seq written out as 8 is the same op. */
    op = attention(2, 4, 0, 8, 8, 16, 0, 0);
    expect_counts(&op, 32768, 8192);
    /* Causal, seq == kv_seq == 8: query i sees i + 1 keys, 1 + ... + 8 = 36
     * pairs; FLOPs 4*2*4*36*16 = 18432. Bytes do not change: 8192. */
    op = attention(2, 4, 0, 8, 0, 16, 1, 0);
    ck_assert_double_eq(dcs_op_attention_pairs(&op), 36);
    expect_counts(&op, 18432, 8192);
    /* Causal, seq 8 against kv_seq 12: queries are the last 8 of 12
     * positions, query i sees 12 - 8 + i + 1 = 5 + i keys: 5 + ... + 12 =
     * 68 pairs (= 8 * 4 + 36). FLOPs 4*2*4*68*16 = 34816. kv side 2*4*12*16
     * = 1536: bytes (2*1024 + 2*1536) * 2 = 10240. */
    op = attention(2, 4, 0, 8, 12, 16, 1, 0);
    ck_assert_double_eq(dcs_op_attention_pairs(&op), 68);
    expect_counts(&op, 34816, 10240);
    /* Non-causal, seq 8 against 12: 96 pairs, FLOPs 4*2*4*96*16 = 49152. */
    op = attention(2, 4, 0, 8, 12, 16, 0, 0);
    ck_assert_double_eq(dcs_op_attention_pairs(&op), 96);
    expect_counts(&op, 49152, 10240);
    /* Grouped-query: kv_heads 2 of 4, kv_seq 12. kv side 2*2*12*16 = 768:
     * bytes (2*1024 + 2*768) * 2 = 7168; FLOPs count query heads: 49152. */
    op = attention(2, 4, 2, 8, 12, 16, 0, 0);
    expect_counts(&op, 49152, 7168);
    /* fp32 doubles the bytes of the first case: 16384. */
    op = attention(2, 4, 0, 8, 0, 16, 0, 0);
    op.dtype = DCS_FP32;
    expect_counts(&op, 32768, 16384);
}
END_TEST

START_TEST(test_attention_bwd_counts)
{
    /* bwd = 2.5 x fwd FLOPs; bytes read q, k, v, o, do and write dq, dk,
     * dv: (4 * q side + 4 * kv side) * e.
     * Non-causal 2,4,8,16: FLOPs 2.5 * 32768 = 81920; bytes (4096 + 4096) *
     * 2 = 16384. */
    dcs_op_t op = attention(2, 4, 0, 8, 0, 16, 0, 1);
    expect_counts(&op, 81920, 16384);
    /* Causal, seq == kv: 2.5 * 18432 = 46080. */
    op = attention(2, 4, 0, 8, 0, 16, 1, 1);
    expect_counts(&op, 46080, 16384);
    /* Causal, seq 8 against 12: 2.5 * 34816 = 87040; bytes (4*1024 +
     * 4*1536) * 2 = 20480. */
    op = attention(2, 4, 0, 8, 12, 16, 1, 1);
    expect_counts(&op, 87040, 20480);
    /* GQA kv_heads 2, kv_seq 12, non-causal: FLOPs 2.5 * 49152 = 122880;
     * bytes (4*1024 + 4*768) * 2 = 14336. */
    op = attention(2, 4, 2, 8, 12, 16, 0, 1);
    expect_counts(&op, 122880, 14336);
}
END_TEST

START_TEST(test_decode_attention_counts)
{
    /* batch 2, heads 8, kv_heads 2, kv_seq 100, head_dim 16, bf16.
     * One query against 100 keys: 100 pairs, FLOPs 4*2*8*100*16 = 102400.
     * Bytes: K and V of the cache 2 * (2*2*100*16) = 12800 elements, q in
     * and o out 2 * (2*8*16) = 512: (12800 + 512) * 2 = 26624. */
    dcs_op_t op = decode(2, 8, 2, 100, 16);
    ck_assert_double_eq(dcs_op_attention_pairs(&op), 100);
    expect_counts(&op, 102400, 26624);
    /* kv_heads 0 means all 8: cache 2 * (2*8*100*16) = 51200 elements,
     * (51200 + 512) * 2 = 103424 bytes; FLOPs unchanged. */
    op = decode(2, 8, 0, 100, 16);
    expect_counts(&op, 102400, 103424);
    /* seq is not part of a decode step: setting it changes nothing. */
    op.seq = 77;
    op.causal = 1;
    expect_counts(&op, 102400, 103424);
}
END_TEST

START_TEST(test_elementwise_counts)
{
    /* m = 1000 elements. Bytes, e = 2 (bf16): copy and gelu read one and
     * write one, 2 * 1000 * 2 = 4000; add and silu_mul read two and write
     * one, 3 * 1000 * 2 = 6000. FLOPs per element, by op.c's convention
     * (op.h does not state these): add 1, gelu 8 (cube, two mul-adds, tanh,
     * scale), silu_mul 5 (exp, add, divide, two multiplies), copy 0. */
    dcs_op_t op = vector_op(DCS_OP_COPY, DCS_BF16, 1000, 0);
    expect_counts(&op, 0, 4000);
    ck_assert_double_eq(dcs_op_out_bytes(&op), 2000);
    op = vector_op(DCS_OP_GELU, DCS_BF16, 1000, 0);
    expect_counts(&op, 8000, 4000);
    ck_assert_double_eq(dcs_op_out_bytes(&op), 2000);
    op = vector_op(DCS_OP_ELEMENTWISE_ADD, DCS_BF16, 1000, 0);
    expect_counts(&op, 1000, 6000);
    ck_assert_double_eq(dcs_op_out_bytes(&op), 2000);
    op = vector_op(DCS_OP_SILU_MUL, DCS_BF16, 1000, 0);
    expect_counts(&op, 5000, 6000);
    ck_assert_double_eq(dcs_op_out_bytes(&op), 2000);
    /* fp32 copy: 2 * 1000 * 4 = 8000; fp8 add: 3 * 1000 * 1 = 3000. */
    op = vector_op(DCS_OP_COPY, DCS_FP32, 1000, 0);
    expect_counts(&op, 0, 8000);
    op = vector_op(DCS_OP_ELEMENTWISE_ADD, DCS_FP8, 1000, 0);
    expect_counts(&op, 1000, 3000);
    /* n plays no part in an op over m elements. */
    op = vector_op(DCS_OP_COPY, DCS_BF16, 1000, 64);
    expect_counts(&op, 0, 4000);
}
END_TEST

START_TEST(test_row_op_counts)
{
    /* m = 1000 rows of n = 64, bf16: the rows are 64000 elements, read
     * once and written once: 2 * 64000 * 2 = 256000 bytes, output 128000.
     *   layernorm + weight and bias (2 * 64 * 2 = 256): 256256
     *   rmsnorm + weight (64 * 2 = 128): 256128
     *   softmax: 256000
     *   embedding + int32 ids (4 * 1000): 260000
     * FLOPs per element (op.c's convention): layernorm 8, rmsnorm 5,
     * softmax 5, embedding 0: 512000, 320000, 320000, 0. */
    dcs_op_t op = vector_op(DCS_OP_LAYERNORM, DCS_BF16, 1000, 64);
    expect_counts(&op, 512000, 256256);
    ck_assert_double_eq(dcs_op_out_bytes(&op), 128000);
    op = vector_op(DCS_OP_RMSNORM, DCS_BF16, 1000, 64);
    expect_counts(&op, 320000, 256128);
    ck_assert_double_eq(dcs_op_out_bytes(&op), 128000);
    op = vector_op(DCS_OP_SOFTMAX, DCS_BF16, 1000, 64);
    expect_counts(&op, 320000, 256000);
    ck_assert_double_eq(dcs_op_out_bytes(&op), 128000);
    op = vector_op(DCS_OP_EMBEDDING, DCS_BF16, 1000, 64);
    expect_counts(&op, 0, 260000);
    ck_assert_double_eq(dcs_op_out_bytes(&op), 128000);
    /* fp32 layernorm: 2 * 64000 * 4 + 2 * 64 * 4 = 512512. The ids stay
     * int32 whatever the dtype: fp32 embedding 512000 + 4000 = 516000. */
    op = vector_op(DCS_OP_LAYERNORM, DCS_FP32, 1000, 64);
    expect_counts(&op, 512000, 512512);
    op = vector_op(DCS_OP_EMBEDDING, DCS_FP32, 1000, 64);
    expect_counts(&op, 0, 516000);
}
END_TEST

START_TEST(test_adam_and_idle_counts)
{
    /* adam over m = 1000 fp32 parameters: read param, grad, m, v and write
     * param, m, v: 7 * 1000 * 4 = 28000 bytes, 3 * 1000 * 4 = 12000 of them
     * written; 12 FLOPs a parameter (op.c): 12000. */
    dcs_op_t op = vector_op(DCS_OP_ADAM, DCS_FP32, 1000, 0);
    expect_counts(&op, 12000, 28000);
    ck_assert_double_eq(dcs_op_out_bytes(&op), 12000);
    /* bf16: 7 * 1000 * 2 = 14000. */
    op = vector_op(DCS_OP_ADAM, DCS_BF16, 1000, 0);
    expect_counts(&op, 12000, 14000);
    /* idle does nothing whatever its fields say. */
    op = gemm(DCS_BF16, 3, 5, 7);
    op.kind = DCS_OP_IDLE;
    op.batch = op.heads = op.seq = op.head_dim = 9;
    expect_counts(&op, 0, 0);
    ck_assert_double_eq(dcs_op_out_bytes(&op), 0);
}
END_TEST

START_TEST(test_names_round_trip)
{
    /* Every kind and dtype has a name that finds it again. */
    static const char *const kinds[] = {"idle",
                                        "gemm",
                                        "bmm",
                                        "attention",
                                        "decode_attention",
                                        "elementwise_add",
                                        "gelu",
                                        "silu_mul",
                                        "copy",
                                        "layernorm",
                                        "rmsnorm",
                                        "softmax",
                                        "embedding",
                                        "adam",
                                        "all_reduce",
                                        "all_gather",
                                        "reduce_scatter",
                                        "all_to_all",
                                        "send_recv",
                                        "broadcast"};
    static const char *const dtypes[] = {"fp32", "tf32", "bf16",
                                         "fp16", "fp8",  "int8"};
    ck_assert_int_eq(sizeof kinds / sizeof *kinds, DCS_OP_NKINDS);
    ck_assert_int_eq(sizeof dtypes / sizeof *dtypes, DCS_NDTYPES);
    for (int i = 0; i < DCS_OP_NKINDS; i++) {
        ck_assert_int_eq(dcs_op_kind_find(kinds[i]), i);
        ck_assert_str_eq(dcs_op_kind_name((dcs_op_kind_t)i), kinds[i]);
    }
    for (int i = 0; i < DCS_NDTYPES; i++) {
        ck_assert_int_eq(dcs_dtype_find(dtypes[i]), i);
        ck_assert_str_eq(dcs_dtype_name((dcs_dtype_t)i), dtypes[i]);
    }
    ck_assert_int_eq(dcs_op_kind_find("GEMM"), -1);
    ck_assert_int_eq(dcs_dtype_find("bfloat16"), -1);
    /* Element sizes: fp32 4, tf32 stored as fp32 4, bf16 2, fp16 2, fp8 1,
     * int8 1. */
    ck_assert_int_eq(dcs_dtype_bytes(DCS_FP32), 4);
    ck_assert_int_eq(dcs_dtype_bytes(DCS_TF32), 4);
    ck_assert_int_eq(dcs_dtype_bytes(DCS_BF16), 2);
    ck_assert_int_eq(dcs_dtype_bytes(DCS_FP16), 2);
    ck_assert_int_eq(dcs_dtype_bytes(DCS_FP8), 1);
    ck_assert_int_eq(dcs_dtype_bytes(DCS_INT8), 1);
}
END_TEST

/* ---- the roofline ------------------------------------------------------ */

START_TEST(test_roofline_compute_bound)
{
    /* gemm 1024^3 bf16: 2 * 1024^3 = 2147483648 FLOPs over 100e12 FLOP/s =
     * 2.147483648e-5 s; its 3 * 1024^2 * 2 = 6291456 bytes take only
     * 6.291456e-6 s at 1e12 B/s. */
    dcs_opcost_device_t dev = made_up_device();
    dcs_op_t op = gemm(DCS_BF16, 1024, 1024, 1024);
    ck_assert_double_eq_tol(dcs_opcost_roofline_s(&dev, &op), 2.147483648e-5,
                            1e-12 * 2.147483648e-5);
    /* fp32's peak is 10x lower: 2.147483648e-4 s. */
    op.dtype = DCS_FP32;
    ck_assert_double_eq_tol(dcs_opcost_roofline_s(&dev, &op), 2.147483648e-4,
                            1e-12 * 2.147483648e-4);
}
END_TEST

START_TEST(test_roofline_memory_bound)
{
    /* m=1 n=4096 k=4096 bf16: 33570816 bytes at 1e12 B/s = 3.3570816e-5 s;
     * its 33554432 FLOPs take 3.3554432e-7 s at 100e12. */
    dcs_opcost_device_t dev = made_up_device();
    dcs_op_t op = gemm(DCS_BF16, 1, 4096, 4096);
    ck_assert_double_eq_tol(dcs_opcost_roofline_s(&dev, &op), 3.3570816e-5,
                            1e-12 * 3.3570816e-5);
    /* copy of 1e6 bf16 elements: 2 * 1e6 * 2 = 4e6 bytes, 4e-6 s. */
    op = vector_op(DCS_OP_COPY, DCS_BF16, 1000000, 0);
    ck_assert_double_eq_tol(dcs_opcost_roofline_s(&dev, &op), 4e-6,
                            1e-12 * 4e-6);
    /* Decode, 2,8,2,100,16: 26624 bytes = 2.6624e-8 s vs 102400 FLOPs =
     * 1.024e-9 s. */
    op = decode(2, 8, 2, 100, 16);
    ck_assert_double_eq_tol(dcs_opcost_roofline_s(&dev, &op), 2.6624e-8,
                            1e-12 * 2.6624e-8);
    /* idle: nothing to do, no time. */
    op = vector_op(DCS_OP_IDLE, DCS_BF16, 0, 0);
    ck_assert_double_eq(dcs_opcost_roofline_s(&dev, &op), 0);
}
END_TEST

/* ---- predicted times with the default parameters ----------------------- */

/* One op of every kind in several shapes, small and large, on the made-up
 * device; each passes dcs_op_check and has a peak there. */
static size_t sample_ops(dcs_op_t *ops, size_t cap)
{
    size_t n = 0;
#define ADD(x)                                                                 \
    do {                                                                       \
        ck_assert_uint_lt(n, cap);                                             \
        ops[n++] = (x);                                                        \
    } while (0)
    ADD(gemm(DCS_BF16, 4096, 4096, 4096));
    ADD(gemm(DCS_BF16, 1, 4096, 4096));
    ADD(gemm(DCS_BF16, 3, 5, 7));
    ADD(gemm(DCS_BF16, 1000, 1000, 1000)); /* not a multiple of 8 */
    ADD(gemm(DCS_FP16, 8192, 1024, 128));
    ADD(gemm(DCS_FP32, 512, 512, 512));
    ADD(gemm(DCS_TF32, 2048, 2048, 2048));
    ADD(gemm(DCS_INT8, 4096, 4096, 4096));
    ADD(gemm(DCS_BF16, 64, 64, 65536)); /* split-K */
    dcs_op_t b = gemm(DCS_BF16, 512, 512, 64);
    b.kind = DCS_OP_BMM;
    b.batch = 64;
    ADD(b);
    for (int bwd = 0; bwd <= 1; bwd++)
        for (int causal = 0; causal <= 1; causal++) {
            ADD(attention(4, 32, 0, 2048, 0, 128, causal, bwd));
            ADD(attention(1, 8, 2, 1000, 3000, 64, causal, bwd));
            ADD(attention(1, 1, 0, 1, 0, 16, causal, bwd));
        }
    /* Decode shapes, memory-bound on this device: 4 b h kv d FLOPs over
     * about 2 b kv_heads kv d e bytes is 2 heads / (kv_heads e) FLOP/byte,
     * here at most 2 * 8 / 2 = 8, far under the ridge of 100. (The decode
     * model has no compute term, so a compute-bound decode is not a fair
     * sample for a lower bound.) */
    ADD(decode(8, 32, 8, 4096, 128));
    ADD(decode(1, 32, 0, 100, 64));
    ADD(decode(64, 64, 8, 8192, 256));
    static const dcs_op_kind_t flat[] = {DCS_OP_COPY, DCS_OP_ELEMENTWISE_ADD,
                                         DCS_OP_GELU, DCS_OP_SILU_MUL,
                                         DCS_OP_ADAM};
    for (size_t i = 0; i < sizeof flat / sizeof *flat; i++) {
        ADD(vector_op(flat[i], DCS_BF16, 1, 0));
        ADD(vector_op(flat[i], DCS_BF16, 1 << 26, 0));
        ADD(vector_op(flat[i], DCS_FP32, 1000003, 0));
    }
    static const dcs_op_kind_t rows[] = {DCS_OP_LAYERNORM, DCS_OP_RMSNORM,
                                         DCS_OP_SOFTMAX, DCS_OP_EMBEDDING};
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        ADD(vector_op(rows[i], DCS_BF16, 1, 1));
        ADD(vector_op(rows[i], DCS_BF16, 16384, 8192));
        ADD(vector_op(rows[i], DCS_FP32, 100, 50000));
    }
#undef ADD
    return n;
}

START_TEST(test_idle_takes_no_time)
{
    dcs_opcost_device_t dev = made_up_device();
    dcs_opcost_params_t p;
    dcs_opcost_defaults(&p);
    dcs_op_t op = vector_op(DCS_OP_IDLE, DCS_BF16, 0, 0);
    ck_assert_double_eq(dcs_opcost_time_s(&dev, &p, &op), 0);
}
END_TEST

START_TEST(test_time_at_least_half_the_roofline)
{
    /* Why half: the model divides FLOPs by peak x efficiency and bytes by
     * bandwidth x efficiency, and adds overheads. The default efficiencies
     * in opcost.h are 0.45 to 0.85, under 1, so each term is at or above
     * its roofline term; even at the fitting bounds (at most 1.2) a term
     * stays above 1 / 1.2 = 0.83 of it. The one term that counts fewer
     * bytes is memory-bound ops' L2 absorption, which removes at most
     * mem_l2_absorb (default 0.5) of the output bytes, and an op's outputs
     * are at most half its bytes (copy: 1 of 2): at least 0.75 of the bytes
     * are left, over an efficiency of at most 0.85. 0.5 x the roofline is
     * a floor that the model's construction keeps with room to spare. */
    dcs_opcost_device_t dev = made_up_device();
    dcs_opcost_params_t p;
    dcs_opcost_defaults(&p);
    dcs_op_t ops[128];
    size_t n = sample_ops(ops, 128);
    int seen[DCS_OP_NKINDS] = {0};
    char msg[256];
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(dcs_op_check(&ops[i], msg, sizeof msg) == 0,
                      "sample %zu: %s", i, msg);
        ck_assert_int_eq(dcs_opcost_supported(&dev, &ops[i]), 1);
        double t = dcs_opcost_time_s(&dev, &p, &ops[i]);
        double roof = dcs_opcost_roofline_s(&dev, &ops[i]);
        ck_assert_msg(isfinite(t) && t > 0, "sample %zu (%s): time %g", i,
                      dcs_op_kind_name(ops[i].kind), t);
        ck_assert_msg(t >= 0.5 * roof,
                      "sample %zu (%s): time %g below half the roofline %g", i,
                      dcs_op_kind_name(ops[i].kind), t, roof);
        seen[ops[i].kind] = 1;
    }
    /* Every kind the op cost model prices (all but idle and the
     * collectives, which the network layer prices) was sampled. */
    for (int k = 1; k <= DCS_OP_ADAM; k++)
        ck_assert_msg(seen[k], "no sample of %s",
                      dcs_op_kind_name((dcs_op_kind_t)k));
}
END_TEST

START_TEST(test_time_grows_with_work)
{
    dcs_opcost_device_t dev = made_up_device();
    dcs_opcost_params_t p;
    dcs_opcost_defaults(&p);
    /* Twice the k of a large GEMM: twice the FLOPs and 1.5x the bytes. */
    dcs_op_t a = gemm(DCS_BF16, 4096, 4096, 4096);
    dcs_op_t b = gemm(DCS_BF16, 4096, 4096, 8192);
    ck_assert_double_gt(dcs_opcost_time_s(&dev, &p, &b),
                        dcs_opcost_time_s(&dev, &p, &a));
    a = gemm(DCS_BF16, 8192, 8192, 8192);
    b = gemm(DCS_BF16, 8192, 8192, 16384);
    ck_assert_double_gt(dcs_opcost_time_s(&dev, &p, &b),
                        dcs_opcost_time_s(&dev, &p, &a));
    /* A copy four times larger: four times the bytes. */
    a = vector_op(DCS_OP_COPY, DCS_BF16, 1 << 24, 0);
    b = vector_op(DCS_OP_COPY, DCS_BF16, 1 << 26, 0);
    ck_assert_double_gt(dcs_opcost_time_s(&dev, &p, &b),
                        dcs_opcost_time_s(&dev, &p, &a));
    /* Attention bwd does 2.5x the FLOPs and twice the bytes of fwd. */
    for (int causal = 0; causal <= 1; causal++) {
        a = attention(4, 32, 0, 2048, 0, 128, causal, 0);
        b = attention(4, 32, 0, 2048, 0, 128, causal, 1);
        ck_assert_double_gt(dcs_opcost_time_s(&dev, &p, &b),
                            dcs_opcost_time_s(&dev, &p, &a));
        a = attention(2, 16, 4, 512, 1024, 64, causal, 0);
        b = attention(2, 16, 4, 512, 1024, 64, causal, 1);
        ck_assert_double_gt(dcs_opcost_time_s(&dev, &p, &b),
                            dcs_opcost_time_s(&dev, &p, &a));
    }
}
END_TEST

START_TEST(test_supported_needs_a_peak)
{
    /* The made-up device has no fp8 peak: no fp8 matrix op runs on it. */
    dcs_opcost_device_t dev = made_up_device();
    dcs_op_t op = gemm(DCS_FP8, 4096, 4096, 4096);
    ck_assert_int_eq(dcs_opcost_supported(&dev, &op), 0);
    op.kind = DCS_OP_BMM;
    op.batch = 2;
    ck_assert_int_eq(dcs_opcost_supported(&dev, &op), 0);
    op = attention(1, 8, 0, 128, 0, 64, 0, 0);
    op.dtype = DCS_FP8;
    ck_assert_int_eq(dcs_opcost_supported(&dev, &op), 0);
    op = decode(1, 8, 0, 128, 64);
    op.dtype = DCS_FP8;
    ck_assert_int_eq(dcs_opcost_supported(&dev, &op), 0);
    /* The dtypes with a peak are. */
    op = gemm(DCS_BF16, 4096, 4096, 4096);
    ck_assert_int_eq(dcs_opcost_supported(&dev, &op), 1);
    op = gemm(DCS_INT8, 4096, 4096, 4096);
    ck_assert_int_eq(dcs_opcost_supported(&dev, &op), 1);
    /* Give the device an fp8 peak and the fp8 GEMM runs. */
    dev.peak_flops[DCS_FP8] = 400e12;
    op = gemm(DCS_FP8, 4096, 4096, 4096);
    ck_assert_int_eq(dcs_opcost_supported(&dev, &op), 1);
}
END_TEST

START_TEST(test_defaults_within_bounds)
{
    /* Every default lies within its own fitting bounds, and every
     * parameter is found by its name. */
    dcs_opcost_params_t p;
    dcs_opcost_defaults(&p);
    for (int i = 0; i < DCS_OPCOST_NPARAMS; i++) {
        double lo, hi;
        dcs_opcost_param_bounds(i, &lo, &hi);
        ck_assert_msg(lo <= p.v[i] && p.v[i] <= hi, "%s = %g outside [%g, %g]",
                      dcs_opcost_param_name(i), p.v[i], lo, hi);
        ck_assert_double_eq(p.v[i], dcs_opcost_param_default(i));
        ck_assert_int_eq(dcs_opcost_param_find(dcs_opcost_param_name(i)), i);
    }
    ck_assert_int_eq(dcs_opcost_param_find("no_such_param"), -1);
}
END_TEST

/* ---- dcs_op_set -------------------------------------------------------- */

static void expect_set_error(const char *key, const char *value,
                             const char *want)
{
    dcs_op_t op;
    char msg[512] = "";
    dcs_op_init(&op);
    ck_assert_int_eq(dcs_op_set(&op, key, value, msg, sizeof msg), -1);
    ck_assert_str_eq(msg, want);
}

START_TEST(test_set_bad_values)
{
    expect_set_error(
        "op", "foo",
        "field 'op': expected one of idle, gemm, bmm, attention, "
        "decode_attention, elementwise_add, gelu, silu_mul, copy, "
        "layernorm, rmsnorm, softmax, embedding, adam, all_reduce, "
        "all_gather, reduce_scatter, all_to_all, send_recv, "
        "broadcast, found 'foo'");
    expect_set_error(
        "op", "",
        "field 'op': expected one of idle, gemm, bmm, attention, "
        "decode_attention, elementwise_add, gelu, silu_mul, copy, "
        "layernorm, rmsnorm, softmax, embedding, adam, all_reduce, "
        "all_gather, reduce_scatter, all_to_all, send_recv, "
        "broadcast, found ''");
    expect_set_error("dtype", "bf17",
                     "field 'dtype': expected one of fp32, tf32, bf16, fp16, "
                     "fp8, int8, found 'bf17'");
    expect_set_error("m", "-3",
                     "field 'm': expected a non-negative integer, found '-3'");
    expect_set_error("m", "abc",
                     "field 'm': expected a non-negative integer, found 'abc'");
    expect_set_error("k", "1.5",
                     "field 'k': expected a non-negative integer, found '1.5'");
    expect_set_error("head_dim", "12x",
                     "field 'head_dim': expected a non-negative integer, "
                     "found '12x'");
    expect_set_error("kv_heads", "-1e3",
                     "field 'kv_heads': expected a non-negative integer, "
                     "found '-1e3'");
    expect_set_error("n", "nan",
                     "field 'n': expected a non-negative integer, found "
                     "'nan'");
    /* 2^64, past int64. */
    expect_set_error("seq", "18446744073709551616",
                     "field 'seq': expected a non-negative integer, found "
                     "'18446744073709551616'");
    expect_set_error("causal", "2",
                     "field 'causal': expected 0 or 1, found '2'");
    expect_set_error("pass", "back",
                     "field 'pass': expected fwd or bwd, found 'back'");
}
END_TEST

START_TEST(test_set_unknown_key)
{
    dcs_op_t op, before;
    char msg[64] = "untouched";
    dcs_op_init(&op);
    memcpy(&before, &op, sizeof op);
    ck_assert_int_eq(dcs_op_set(&op, "foo", "1", msg, sizeof msg), -2);
    ck_assert_int_eq(dcs_op_set(&op, "M", "1", msg, sizeof msg), -2);
    ck_assert_int_eq(dcs_op_set(&op, "predicted_us", "1", msg, sizeof msg), -2);
    ck_assert_int_eq(memcmp(&op, &before, sizeof op), 0);
}
END_TEST

START_TEST(test_set_good_values)
{
    dcs_op_t op;
    char msg[256];
    dcs_op_init(&op);
    ck_assert_int_eq(op.kind, DCS_OP_IDLE);
    ck_assert_int_eq(op.dtype, DCS_BF16);
    ck_assert_int_eq(op.bwd, 0);
    ck_assert_int_eq(dcs_op_set(&op, "op", "attention", msg, sizeof msg), 0);
    ck_assert_int_eq(op.kind, DCS_OP_ATTENTION);
    ck_assert_int_eq(dcs_op_set(&op, "dtype", "fp8", msg, sizeof msg), 0);
    ck_assert_int_eq(op.dtype, DCS_FP8);
    /* 4e3 is an integer written as a float: 4000. */
    ck_assert_int_eq(dcs_op_set(&op, "m", "4e3", msg, sizeof msg), 0);
    ck_assert_int_eq(op.m, 4000);
    ck_assert_int_eq(dcs_op_set(&op, "n", "4096", msg, sizeof msg), 0);
    ck_assert_int_eq(op.n, 4096);
    ck_assert_int_eq(dcs_op_set(&op, "k", "0", msg, sizeof msg), 0);
    ck_assert_int_eq(op.k, 0);
    /* int64 max, 2^63 - 1. */
    ck_assert_int_eq(
        dcs_op_set(&op, "bytes", "9223372036854775807", msg, sizeof msg), 0);
    ck_assert_int_eq(op.bytes, INT64_MAX);
    struct {
        const char *key;
        int64_t *field;
        int64_t want;
    } sizes[] = {
        {"batch", &op.batch, 2},       {"heads", &op.heads, 3},
        {"kv_heads", &op.kv_heads, 5}, {"seq", &op.seq, 7},
        {"kv_seq", &op.kv_seq, 11},    {"head_dim", &op.head_dim, 13},
        {"gpus", &op.gpus, 17},
    };
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        char text[32];
        snprintf(text, sizeof text, "%lld", (long long)sizes[i].want);
        ck_assert_int_eq(dcs_op_set(&op, sizes[i].key, text, msg, sizeof msg),
                         0);
        ck_assert_int_eq(*sizes[i].field, sizes[i].want);
    }
    ck_assert_int_eq(dcs_op_set(&op, "causal", "1", msg, sizeof msg), 0);
    ck_assert_int_eq(op.causal, 1);
    ck_assert_int_eq(dcs_op_set(&op, "pass", "bwd", msg, sizeof msg), 0);
    ck_assert_int_eq(op.bwd, 1);
    ck_assert_int_eq(dcs_op_set(&op, "pass", "fwd", msg, sizeof msg), 0);
    ck_assert_int_eq(op.bwd, 0);
    /* An empty cell is 0 (fwd for pass, not causal), and leaves the dtype
     * as it was. */
    ck_assert_int_eq(dcs_op_set(&op, "m", "", msg, sizeof msg), 0);
    ck_assert_int_eq(op.m, 0);
    ck_assert_int_eq(dcs_op_set(&op, "head_dim", "", msg, sizeof msg), 0);
    ck_assert_int_eq(op.head_dim, 0);
    ck_assert_int_eq(dcs_op_set(&op, "causal", "", msg, sizeof msg), 0);
    ck_assert_int_eq(op.causal, 0);
    ck_assert_int_eq(dcs_op_set(&op, "pass", "bwd", msg, sizeof msg), 0);
    ck_assert_int_eq(dcs_op_set(&op, "pass", "", msg, sizeof msg), 0);
    ck_assert_int_eq(op.bwd, 0);
    ck_assert_int_eq(dcs_op_set(&op, "dtype", "", msg, sizeof msg), 0);
    ck_assert_int_eq(op.dtype, DCS_FP8);
}
END_TEST

/* ---- dcs_op_check ------------------------------------------------------ */

static void expect_check_error(const dcs_op_t *op, const char *want)
{
    char msg[512] = "";
    ck_assert_int_eq(dcs_op_check(op, msg, sizeof msg), -1);
    ck_assert_str_eq(msg, want);
}

START_TEST(test_check_impossible_shapes)
{
    dcs_op_t op = gemm(DCS_BF16, 4096, 4096, 0);
    expect_check_error(&op, "op gemm needs k >= 1, found 0");
    op = gemm(DCS_BF16, 0, 4096, 4096);
    expect_check_error(&op, "op gemm needs m >= 1, found 0");
    op = gemm(DCS_BF16, 4, 4, 4);
    op.kind = DCS_OP_BMM;
    expect_check_error(&op, "op bmm needs batch >= 1, found 0");
    op = attention(2, 8, 0, 128, 0, 0, 0, 0);
    expect_check_error(&op, "op attention needs head_dim >= 1, found 0");
    op = attention(2, 8, 0, 0, 0, 64, 0, 0);
    expect_check_error(&op, "op attention needs seq >= 1, found 0");
    op = attention(0, 8, 0, 128, 0, 64, 0, 0);
    expect_check_error(&op, "op attention needs batch >= 1, found 0");
    op = decode(2, 8, 0, 0, 64);
    expect_check_error(&op, "op decode_attention needs kv_seq >= 1, found 0");
    op = attention(2, 8, 3, 128, 0, 64, 0, 0);
    expect_check_error(&op, "op attention needs kv_heads to divide heads, "
                            "found heads 8 and kv_heads 3");
    op = decode(2, 32, 5, 100, 64);
    expect_check_error(&op, "op decode_attention needs kv_heads to divide "
                            "heads, found heads 32 and kv_heads 5");
    op = attention(2, 8, 0, 128, 64, 64, 1, 0);
    expect_check_error(&op, "causal attention needs kv_seq >= seq, found seq "
                            "128 and kv_seq 64");
    op = decode(2, 8, 0, 100, 64);
    op.bwd = 1;
    expect_check_error(&op, "decode_attention has no bwd pass");
    op = vector_op(DCS_OP_LAYERNORM, DCS_BF16, 1024, 0);
    expect_check_error(&op, "op layernorm needs n >= 1, found 0");
    op = vector_op(DCS_OP_COPY, DCS_BF16, 0, 0);
    expect_check_error(&op, "op copy needs m >= 1, found 0");
    op = vector_op(DCS_OP_ADAM, DCS_BF16, 0, 0);
    expect_check_error(&op, "op adam needs m >= 1, found 0");
}
END_TEST

START_TEST(test_check_possible_shapes)
{
    char msg[256];
    dcs_op_t op = vector_op(DCS_OP_IDLE, DCS_BF16, 0, 0);
    ck_assert_int_eq(dcs_op_check(&op, msg, sizeof msg), 0);
    /* Non-causal attention may attend to fewer keys than queries. */
    op = attention(2, 8, 0, 128, 64, 64, 0, 0);
    ck_assert_int_eq(dcs_op_check(&op, msg, sizeof msg), 0);
    /* Causal with kv_seq 0 means kv_seq = seq. */
    op = attention(2, 8, 2, 128, 0, 64, 1, 1);
    ck_assert_int_eq(dcs_op_check(&op, msg, sizeof msg), 0);
    op = decode(2, 8, 1, 1, 64);
    ck_assert_int_eq(dcs_op_check(&op, msg, sizeof msg), 0);
    op = vector_op(DCS_OP_COPY, DCS_BF16, 1, 0);
    ck_assert_int_eq(dcs_op_check(&op, msg, sizeof msg), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("op");
    TCase *counts = tcase_create("counts");
    tcase_add_test(counts, test_gemm_counts_every_dtype);
    tcase_add_test(counts, test_bmm_counts_are_batch_gemms);
    tcase_add_test(counts, test_attention_fwd_counts);
    tcase_add_test(counts, test_attention_bwd_counts);
    tcase_add_test(counts, test_decode_attention_counts);
    tcase_add_test(counts, test_elementwise_counts);
    tcase_add_test(counts, test_row_op_counts);
    tcase_add_test(counts, test_adam_and_idle_counts);
    tcase_add_test(counts, test_names_round_trip);
    suite_add_tcase(s, counts);
    TCase *cost = tcase_create("cost");
    tcase_add_test(cost, test_roofline_compute_bound);
    tcase_add_test(cost, test_roofline_memory_bound);
    tcase_add_test(cost, test_idle_takes_no_time);
    tcase_add_test(cost, test_time_at_least_half_the_roofline);
    tcase_add_test(cost, test_time_grows_with_work);
    tcase_add_test(cost, test_supported_needs_a_peak);
    tcase_add_test(cost, test_defaults_within_bounds);
    suite_add_tcase(s, cost);
    TCase *parse = tcase_create("parse");
    tcase_add_test(parse, test_set_bad_values);
    tcase_add_test(parse, test_set_unknown_key);
    tcase_add_test(parse, test_set_good_values);
    tcase_add_test(parse, test_check_impossible_shapes);
    tcase_add_test(parse, test_check_possible_shapes);
    suite_add_tcase(s, parse);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
