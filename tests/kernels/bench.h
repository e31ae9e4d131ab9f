/* bench.h - what every dcsim GPU microbenchmark shares: error checks on every
 * CUDA call and launch, random (never zero) input data, and timing done the
 * way GPU timing must be done.
 *
 * Timing: warm-up launches first; then a rough single-launch time sets how
 * many launches fill one window of about 2 ms; WINDOWS windows are timed
 * with CUDA events; the figure is the median over windows of window time /
 * launches, with the 10th and 90th percentiles beside it. Launch i of a
 * window uses input set i % nsets, so the inputs rotate through more memory
 * than the L2 cache holds. */
#ifndef DCS_BENCH_H
#define DCS_BENCH_H

#include <cuda_runtime.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CK(call)                                                               \
    do {                                                                       \
        cudaError_t e_ = (call);                                               \
        if (e_ != cudaSuccess) {                                               \
            fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #call,      \
                    cudaGetErrorString(e_));                                   \
            exit(1);                                                           \
        }                                                                      \
    } while (0)

/* After every kernel launch. */
#define CK_LAUNCH() CK(cudaGetLastError())

enum { WINDOWS = 7 };
/* Bytes of distinct input the rotation must cover: over twice the L2 cache
 * (50 MB on H100, 60 MB on H200). */
static const size_t ROTATE_BYTES = 160ull << 20;

/* Uniform in [lo, hi) from a counter hash: data for benchmarks, not a
 * simulation random stream. */
__device__ __forceinline__ float hash_uniform(uint64_t i, uint64_t seed,
                                              float lo, float hi)
{
    uint64_t z = i * 0x9e3779b97f4a7c15ull + seed;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    float u = (float)(z >> 40) * (1.0f / 16777216.0f);
    return lo + (hi - lo) * u;
}

template <typename T>
__global__ void fill_kernel(T *x, size_t n, uint64_t seed, float lo, float hi)
{
    size_t stride = (size_t)gridDim.x * blockDim.x;
    for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += stride)
        x[i] = (T)hash_uniform(i, seed, lo, hi);
}

/* Fills n elements of x with uniform values in [lo, hi). */
template <typename T>
static void fill_random(T *x, size_t n, uint64_t seed, float lo = -1.0f,
                        float hi = 1.0f)
{
    fill_kernel<T><<<1024, 256>>>(x, n, seed, lo, hi);
    CK_LAUNCH();
}

typedef struct timing {
    double median_us, p10_us, p90_us; /* per launch */
    int reps;                         /* launches timed in all */
} timing_t;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Times launch(ctx, i) as described at the top. */
template <typename F> static timing_t time_launches(F launch)
{
    cudaEvent_t e0, e1;
    CK(cudaEventCreate(&e0));
    CK(cudaEventCreate(&e1));
    for (int i = 0; i < 3; i++)
        launch(i);
    CK(cudaDeviceSynchronize());
    /* Rough time of one launch, from 3 more. */
    CK(cudaEventRecord(e0));
    for (int i = 0; i < 3; i++)
        launch(i);
    CK(cudaEventRecord(e1));
    CK(cudaEventSynchronize(e1));
    float ms = 0;
    CK(cudaEventElapsedTime(&ms, e0, e1));
    double one_ms = ms / 3.0;
    int per = one_ms > 0 ? (int)(2.0 / one_ms) + 1 : 1000;
    if (per > 1000)
        per = 1000;
    if (per < 1)
        per = 1;
    double t[WINDOWS];
    int it = 0;
    for (int w = 0; w < WINDOWS; w++) {
        CK(cudaEventRecord(e0));
        for (int r = 0; r < per; r++)
            launch(it++);
        CK(cudaEventRecord(e1));
        CK(cudaEventSynchronize(e1));
        CK(cudaEventElapsedTime(&ms, e0, e1));
        t[w] = ms * 1000.0 / per;
    }
    CK(cudaGetLastError());
    qsort(t, WINDOWS, sizeof t[0], cmp_double);
    CK(cudaEventDestroy(e0));
    CK(cudaEventDestroy(e1));
    timing_t out = {t[WINDOWS / 2], t[WINDOWS / 10],
                    t[WINDOWS - 1 - WINDOWS / 10], per * WINDOWS};
    return out;
}

/* Input sets needed so that the rotation covers ROTATE_BYTES. */
static int rotation_sets(size_t set_bytes, int max_sets)
{
    size_t n = (ROTATE_BYTES + set_bytes - 1) / (set_bytes ? set_bytes : 1);
    if (n < 1)
        n = 1;
    if (n > (size_t)max_sets)
        n = (size_t)max_sets;
    return (int)n;
}

/* The op columns shared by every CSV, in dcsim's op vocabulary. */
static const char *const OP_COLUMNS =
    "op,dtype,m,n,k,batch,heads,seq,kv_seq,head_dim,causal,pass";

#endif
