/* gemm.cu - GEMM and batched GEMM through cuBLASLt, the library production
 * frameworks call.
 *
 * D[m,n] = A[m,k] B[k,n] in the "TN" layout cuBLASLt needs for fp8 (A
 * stored k x m and transposed), used for every dtype alike:
 *   fp32 (compute 32F), tf32 (fp32 data, compute 32F_FAST_TF32), bf16 and
 *   fp16 (compute 32F, output in the input dtype), fp8 (e4m3 inputs, bf16
 *   output, compute 32F).
 * Shapes: transformer projections (QKV, attention out, FFN up and down) for
 * 1 to 32k tokens and hidden sizes 1k-16k, tensor-parallel shards of them,
 * odd sizes, square and skinny sweeps; batched GEMMs shaped like attention
 * score products and MoE experts. Algorithm: cuBLASLt's first heuristic
 * choice with a 32 MiB workspace, as frameworks do.
 *
 * usage: gemm OUT.csv [--quick]
 * Writes one row per shape: the op columns, then time_us (median),
 * time_us_p10, time_us_p90, reps, flops, tflops. */
#include <cublasLt.h>
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp8.h>
#include <math.h>
#include <vector>

#include "bench.h"

#define CK_LT(call)                                                            \
    do {                                                                       \
        cublasStatus_t s_ = (call);                                            \
        if (s_ != CUBLAS_STATUS_SUCCESS) {                                     \
            fprintf(stderr, "%s:%d: %s: cublas status %d\n", __FILE__,         \
                    __LINE__, #call, (int)s_);                                 \
            exit(1);                                                           \
        }                                                                      \
    } while (0)

typedef enum { FP32, TF32, BF16, FP16, FP8 } dtype_t;
static const char *const DTYPE_NAMES[] = {"fp32", "tf32", "bf16", "fp16",
                                          "fp8"};

typedef struct shape {
    dtype_t dtype;
    long m, n, k, batch; /* batch 0: plain gemm */
} shape_t;

static size_t in_bytes(dtype_t d)
{
    return d == FP32 || d == TF32 ? 4 : d == FP8 ? 1 : 2;
}

static size_t out_bytes(dtype_t d)
{
    return d == FP32 || d == TF32 ? 4 : 2;
}

static cudaDataType_t in_type(dtype_t d)
{
    switch (d) {
    case FP32:
    case TF32:
        return CUDA_R_32F;
    case BF16:
        return CUDA_R_16BF;
    case FP16:
        return CUDA_R_16F;
    default:
        return CUDA_R_8F_E4M3;
    }
}

static cudaDataType_t out_type(dtype_t d)
{
    switch (d) {
    case FP32:
    case TF32:
        return CUDA_R_32F;
    case FP16:
        return CUDA_R_16F;
    default:
        return CUDA_R_16BF;
    }
}

static void fill(dtype_t d, void *p, size_t n, uint64_t seed)
{
    switch (d) {
    case FP32:
    case TF32:
        fill_random((float *)p, n, seed);
        break;
    case BF16:
        fill_random((__nv_bfloat16 *)p, n, seed);
        break;
    case FP16:
        fill_random((__half *)p, n, seed);
        break;
    case FP8:
        fill_random((__nv_fp8_e4m3 *)p, n, seed);
        break;
    }
}

static cublasLtHandle_t lt;
static void *workspace;
static const size_t WORKSPACE_BYTES = 32u << 20;

static cublasLtMatrixLayout_t layout(cudaDataType_t t, long rows, long cols,
                                     long ld, long batch)
{
    cublasLtMatrixLayout_t l;
    CK_LT(cublasLtMatrixLayoutCreate(&l, t, rows, cols, ld));
    if (batch > 0) {
        int32_t count = (int32_t)batch;
        int64_t stride = (int64_t)rows * cols;
        CK_LT(cublasLtMatrixLayoutSetAttribute(
            l, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &count, sizeof count));
        CK_LT(cublasLtMatrixLayoutSetAttribute(
            l, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &stride,
            sizeof stride));
    }
    return l;
}

/* Times one shape; returns 0, or -1 when cuBLASLt offers no algorithm. */
static int run_shape(const shape_t *s, FILE *out)
{
    long b = s->batch > 0 ? s->batch : 1;
    size_t a_elems = (size_t)s->m * s->k * b, b_elems = (size_t)s->k * s->n * b;
    size_t d_elems = (size_t)s->m * s->n * b;
    size_t set_bytes = (a_elems + b_elems) * in_bytes(s->dtype);
    int nsets = rotation_sets(set_bytes, 16);

    cublasComputeType_t compute =
        s->dtype == TF32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
    cublasLtMatmulDesc_t desc;
    CK_LT(cublasLtMatmulDescCreate(&desc, compute, CUDA_R_32F));
    cublasOperation_t ta = CUBLAS_OP_T, tb = CUBLAS_OP_N;
    CK_LT(cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSA,
                                         &ta, sizeof ta));
    CK_LT(cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSB,
                                         &tb, sizeof tb));
    cublasLtMatrixLayout_t la = layout(in_type(s->dtype), s->k, s->m, s->k,
                                       s->batch);
    cublasLtMatrixLayout_t lb = layout(in_type(s->dtype), s->k, s->n, s->k,
                                       s->batch);
    cublasLtMatrixLayout_t ld = layout(out_type(s->dtype), s->m, s->n, s->m,
                                       s->batch);
    cublasLtMatmulPreference_t pref;
    CK_LT(cublasLtMatmulPreferenceCreate(&pref));
    CK_LT(cublasLtMatmulPreferenceSetAttribute(
        pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &WORKSPACE_BYTES,
        sizeof WORKSPACE_BYTES));
    cublasLtMatmulHeuristicResult_t heur;
    int found = 0;
    cublasStatus_t hs = cublasLtMatmulAlgoGetHeuristic(lt, desc, la, lb, ld, ld,
                                                       pref, 1, &heur, &found);
    int rc = 0;
    if (hs != CUBLAS_STATUS_SUCCESS || found == 0) {
        fprintf(stderr, "gemm: no algorithm for %s m=%ld n=%ld k=%ld batch=%ld\n",
                DTYPE_NAMES[s->dtype], s->m, s->n, s->k, s->batch);
        rc = -1;
    } else {
        char *a = NULL, *bm = NULL, *d = NULL;
        CK(cudaMalloc(&a, a_elems * in_bytes(s->dtype) * nsets));
        CK(cudaMalloc(&bm, b_elems * in_bytes(s->dtype) * nsets));
        CK(cudaMalloc(&d, d_elems * out_bytes(s->dtype)));
        fill(s->dtype, a, a_elems * nsets, 1);
        fill(s->dtype, bm, b_elems * nsets, 2);
        CK(cudaMemset(d, 0xff, d_elems * out_bytes(s->dtype))); /* poison */
        float alpha = 1.0f, beta = 0.0f;
        size_t a_step = a_elems * in_bytes(s->dtype);
        size_t b_step = b_elems * in_bytes(s->dtype);
        timing_t t = time_launches([&](int i) {
            int set = i % nsets;
            CK_LT(cublasLtMatmul(lt, desc, &alpha, a + set * a_step, la,
                                 bm + set * b_step, lb, &beta, d, ld, d, ld,
                                 &heur.algo, workspace, WORKSPACE_BYTES, 0));
        });
        /* The output was written and is finite (inputs in [-1, 1)). */
        float probe[4];
        if (s->dtype == FP32 || s->dtype == TF32) {
            CK(cudaMemcpy(probe, d, sizeof probe, cudaMemcpyDeviceToHost));
        } else {
            uint16_t raw[4];
            CK(cudaMemcpy(raw, d, sizeof raw, cudaMemcpyDeviceToHost));
            for (int i = 0; i < 4; i++) {
                uint32_t bits = s->dtype == FP16 ? 0 : (uint32_t)raw[i] << 16;
                memcpy(&probe[i], &bits, 4);
                if (s->dtype == FP16)
                    probe[i] = __half2float(*(__half *)&raw[i]);
            }
        }
        for (int i = 0; i < 4 && i < (int)d_elems; i++)
            if (!isfinite(probe[i])) {
                fprintf(stderr, "gemm: non-finite output for %s m=%ld n=%ld "
                                "k=%ld\n",
                        DTYPE_NAMES[s->dtype], s->m, s->n, s->k);
                exit(1);
            }
        double flops = 2.0 * s->m * s->n * s->k * b;
        fprintf(out, "%s,%s,%ld,%ld,%ld,%ld,0,0,0,0,0,fwd,%.3f,%.3f,%.3f,%d,%.6g,%.3f\n",
                s->batch > 0 ? "bmm" : "gemm", DTYPE_NAMES[s->dtype], s->m,
                s->n, s->k, s->batch, t.median_us, t.p10_us, t.p90_us, t.reps,
                flops, flops / (t.median_us * 1e-6) / 1e12);
        fflush(out);
        CK(cudaFree(a));
        CK(cudaFree(bm));
        CK(cudaFree(d));
    }
    cublasLtMatmulPreferenceDestroy(pref);
    cublasLtMatrixLayoutDestroy(la);
    cublasLtMatrixLayoutDestroy(lb);
    cublasLtMatrixLayoutDestroy(ld);
    cublasLtMatmulDescDestroy(desc);
    return rc;
}

/* The four projections of a transformer layer for `tokens` tokens of width
 * `hidden` (FFN 4x), each dimension divided by the tensor-parallel degree
 * on the side Megatron splits. */
static void projections(std::vector<shape_t> &v, dtype_t d, long tokens,
                        long hidden, long tp)
{
    v.push_back({d, tokens, 3 * hidden / tp, hidden, 0}); /* QKV, column */
    v.push_back({d, tokens, hidden, hidden / tp, 0});     /* out, row */
    v.push_back({d, tokens, 4 * hidden / tp, hidden, 0}); /* FFN up, column */
    v.push_back({d, tokens, hidden, 4 * hidden / tp, 0}); /* FFN down, row */
}

static std::vector<shape_t> all_shapes(int quick)
{
    std::vector<shape_t> v;
    if (quick) {
        projections(v, BF16, 2048, 4096, 1);
        projections(v, FP8, 2048, 4096, 1);
        v.push_back({FP32, 1024, 1024, 1024, 0});
        v.push_back({TF32, 1024, 1024, 1024, 0});
        v.push_back({FP16, 1024, 1024, 1024, 0});
        v.push_back({BF16, 512, 512, 128, 64});
        return v;
    }
    const long tok_bf16[] = {1,    4,    16,   64,   128,  256,  512,
                             1024, 2048, 4096, 8192, 16384, 32768};
    const long hid_bf16[] = {1024, 2048, 4096, 8192, 12288, 16384};
    for (long t : tok_bf16)
        for (long h : hid_bf16)
            projections(v, BF16, t, h, 1);
    const long tok_tp[] = {1, 16, 256, 2048, 8192};
    for (long t : tok_tp)
        for (long tp : {2L, 4L, 8L})
            projections(v, BF16, t, 8192, tp);
    /* Odd sizes: not multiples of the tile sizes. */
    const long odd[][3] = {{1000, 5000, 3000}, {777, 4097, 1023},
                           {3001, 3001, 3001}, {129, 8191, 4095},
                           {5, 10000, 7000},   {2049, 1537, 6143},
                           {12345, 2000, 1000}, {100, 100, 100},
                           {4100, 11000, 4100}, {63, 255, 511},
                           {33, 12289, 4096},  {8000, 8000, 80}};
    for (auto &o : odd)
        v.push_back({BF16, o[0], o[1], o[2], 0});
    for (long s : {256L, 512L, 1024L, 2048L, 4096L, 6144L, 8192L, 12288L,
                   16384L})
        v.push_back({BF16, s, s, s, 0});
    for (long m : {1L, 2L, 8L, 32L, 96L})
        for (long nk : {4096L, 16384L})
            v.push_back({BF16, m, nk, nk, 0});
    for (long t : {1L, 16L, 128L, 1024L, 4096L, 16384L})
        for (long h : {2048L, 4096L, 8192L, 16384L})
            projections(v, FP16, t, h, 1);
    for (long s : {512L, 2048L, 8192L})
        v.push_back({FP16, s, s, s, 0});
    for (long t : {16L, 128L, 1024L, 4096L, 16384L, 32768L})
        for (long h : {2048L, 4096L, 8192L, 16384L})
            projections(v, FP8, t, h, 1);
    for (long s : {1024L, 4096L, 16384L})
        v.push_back({FP8, s, s, s, 0});
    for (long t : {16L, 128L, 1024L, 4096L, 8192L})
        for (long h : {1024L, 4096L, 8192L})
            projections(v, TF32, t, h, 1);
    for (long t : {16L, 128L, 1024L, 4096L})
        for (long h : {1024L, 4096L, 8192L})
            projections(v, FP32, t, h, 1);
    for (long s : {1024L, 4096L})
        v.push_back({FP32, s, s, s, 0});
    /* Batched: attention-score-like (batch x heads, seq, seq, head_dim) and
     * (.., seq, head_dim, seq), and MoE experts (experts, tokens, ffn, h). */
    for (dtype_t d : {BF16, FP16})
        for (long seq : {512L, 1024L, 2048L, 4096L})
            for (long bh : {16L, 64L, 256L}) {
                if (bh * seq * seq > (1L << 31))
                    continue;
                v.push_back({d, seq, seq, 128, bh});
                v.push_back({d, seq, 128, seq, bh});
            }
    for (long experts : {8L, 16L})
        for (long tok : {128L, 512L, 2048L, 8192L})
            v.push_back({BF16, tok, 14336 / (experts / 8), 4096, experts});
    return v;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: gemm OUT.csv [--quick]\n");
        return 2;
    }
    int quick = argc > 2 && !strcmp(argv[2], "--quick");
    FILE *out = fopen(argv[1], "w");
    if (!out) {
        perror(argv[1]);
        return 1;
    }
    CK_LT(cublasLtCreate(&lt));
    CK(cudaMalloc(&workspace, WORKSPACE_BYTES));
    fprintf(out, "%s,time_us,time_us_p10,time_us_p90,reps,flops,tflops\n",
            OP_COLUMNS);
    std::vector<shape_t> shapes = all_shapes(quick);
    int done = 0, skipped = 0;
    for (const shape_t &s : shapes) {
        if (run_shape(&s, out) == 0)
            done++;
        else
            skipped++;
    }
    fclose(out);
    CK(cudaFree(workspace));
    cublasLtDestroy(lt);
    printf("gemm: %d shapes timed, %d without an algorithm\n", done, skipped);
    return 0;
}
