/* membound.cu - memory-bound ops as CUDA C kernels written for bandwidth.
 *
 * bf16 tensors (Adam: fp32 master weights, gradients and moments), 16-byte
 * vector loads and stores, grid-stride loops, fp32 arithmetic:
 *   copy, elementwise_add, gelu (tanh form), silu_mul   over m elements
 *   layernorm, rmsnorm, softmax    over m rows of n (one block a row, the
 *                                  row held in registers: read once)
 *   embedding                      m lookups of width n from a 128,256-row
 *                                  table (Llama 3's vocabulary)
 *   adam                           over m parameters
 * Sizes: the main tensor from 64 KiB to 4 GiB. The `bytes` column is the
 * fewest bytes the op must move through memory (each input read once, each
 * output written once); gbps = bytes / time.
 *
 * usage: membound OUT.csv [--quick] */
#include <cuda_bf16.h>
#include <math.h>
#include <vector>

#include "bench.h"

typedef __nv_bfloat16 bf16;
/* Eight bf16 values, always moved as one uint4: a plain struct copy
 * compiles to four 4-byte loads, which halves the bandwidth. */
typedef struct __align__(16) bf16x8 {
    __nv_bfloat162 h[4];
} bf16x8;

__device__ __forceinline__ bf16x8 ld8(const bf16x8 *p)
{
    uint4 t = *reinterpret_cast<const uint4 *>(p);
    bf16x8 v;
    memcpy(&v, &t, sizeof v);
    return v;
}

__device__ __forceinline__ void st8(bf16x8 *p, bf16x8 v)
{
    uint4 t;
    memcpy(&t, &v, sizeof t);
    *reinterpret_cast<uint4 *>(p) = t;
}

static int sm_count;

static dim3 grid_for(size_t vectors)
{
    size_t blocks = (vectors + 255) / 256;
    size_t cap = (size_t)sm_count * 8;
    return dim3((unsigned)(blocks < cap ? (blocks ? blocks : 1) : cap));
}

__global__ void copy_k(const bf16x8 *x, bf16x8 *y, size_t nv)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < nv;
         i += (size_t)gridDim.x * blockDim.x)
        st8(&y[i], ld8(&x[i]));
}

__global__ void add_k(const bf16x8 *a, const bf16x8 *b, bf16x8 *y, size_t nv)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < nv;
         i += (size_t)gridDim.x * blockDim.x) {
        bf16x8 p = ld8(&a[i]), q = ld8(&b[i]), r;
        for (int j = 0; j < 4; j++)
            r.h[j] = __hadd2(p.h[j], q.h[j]);
        st8(&y[i], r);
    }
}

__device__ __forceinline__ float gelu_f(float x)
{
    return 0.5f * x * (1.0f + tanhf(0.7978845608f * (x + 0.044715f * x * x * x)));
}

__global__ void gelu_k(const bf16x8 *x, bf16x8 *y, size_t nv)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < nv;
         i += (size_t)gridDim.x * blockDim.x) {
        bf16x8 p = ld8(&x[i]), r;
        for (int j = 0; j < 4; j++) {
            float2 f = __bfloat1622float2(p.h[j]);
            r.h[j] = __floats2bfloat162_rn(gelu_f(f.x), gelu_f(f.y));
        }
        st8(&y[i], r);
    }
}

__global__ void silu_mul_k(const bf16x8 *a, const bf16x8 *b, bf16x8 *y,
                           size_t nv)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < nv;
         i += (size_t)gridDim.x * blockDim.x) {
        bf16x8 p = ld8(&a[i]), q = ld8(&b[i]), r;
        for (int j = 0; j < 4; j++) {
            float2 f = __bfloat1622float2(p.h[j]), g = __bfloat1622float2(q.h[j]);
            r.h[j] = __floats2bfloat162_rn(f.x / (1.0f + __expf(-f.x)) * g.x,
                                           f.y / (1.0f + __expf(-f.y)) * g.y);
        }
        st8(&y[i], r);
    }
}

/* Sum over the block of v (blockDim.x a multiple of 32, <= 1024). */
__device__ float block_sum(float v)
{
    __shared__ float part[32];
    for (int o = 16; o > 0; o >>= 1)
        v += __shfl_xor_sync(0xffffffffu, v, o);
    if ((threadIdx.x & 31) == 0)
        part[threadIdx.x >> 5] = v;
    __syncthreads();
    float t = threadIdx.x < (blockDim.x >> 5) ? part[threadIdx.x] : 0.0f;
    for (int o = 16; o > 0; o >>= 1)
        t += __shfl_xor_sync(0xffffffffu, t, o);
    __syncthreads();
    return t;
}

__device__ float block_max(float v)
{
    __shared__ float part[32];
    for (int o = 16; o > 0; o >>= 1)
        v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    if ((threadIdx.x & 31) == 0)
        part[threadIdx.x >> 5] = v;
    __syncthreads();
    float t = threadIdx.x < (blockDim.x >> 5) ? part[threadIdx.x] : -INFINITY;
    for (int o = 16; o > 0; o >>= 1)
        t = fmaxf(t, __shfl_xor_sync(0xffffffffu, t, o));
    __syncthreads();
    return t;
}

/* kind 0 layernorm (weight, bias), 1 rmsnorm (weight), 2 softmax. One block
 * per row, VPT 16-byte vectors per thread held in registers: the row is
 * read from memory once, all its loads in flight together, and written
 * once, as production fused norms do. nv = vectors per row = VPT x
 * blockDim.x. */
template <int VPT>
__global__ void rows_k(const bf16x8 *x, const bf16x8 *w, const bf16x8 *bias,
                       bf16x8 *y, int nv, int kind)
{
    const bf16x8 *row = x + (size_t)blockIdx.x * nv;
    bf16x8 *out = y + (size_t)blockIdx.x * nv;
    float n = nv * 8.0f;
    bf16x8 v[VPT];
    for (int j = 0; j < VPT; j++)
        v[j] = ld8(&row[threadIdx.x + j * blockDim.x]);
    float a = 0, b = 0, mx = -INFINITY;
    for (int j = 0; j < VPT; j++)
        for (int h = 0; h < 4; h++) {
            float2 f = __bfloat1622float2(v[j].h[h]);
            a += f.x + f.y;
            b += f.x * f.x + f.y * f.y;
            mx = fmaxf(mx, fmaxf(f.x, f.y));
        }
    float sub = 0, scale = 1;
    if (kind == 0) {
        float mean = block_sum(a) / n;
        float var = block_sum(b) / n - mean * mean;
        scale = rsqrtf(var + 1e-5f);
        sub = mean;
    } else if (kind == 1) {
        scale = rsqrtf(block_sum(b) / n + 1e-6f);
    } else {
        sub = block_max(mx);
        float s = 0;
        for (int j = 0; j < VPT; j++)
            for (int h = 0; h < 4; h++) {
                float2 f = __bfloat1622float2(v[j].h[h]);
                s += __expf(f.x - sub) + __expf(f.y - sub);
            }
        scale = 1.0f / block_sum(s);
    }
    for (int j = 0; j < VPT; j++) {
        int i = threadIdx.x + j * blockDim.x;
        bf16x8 r, wv = v[j], bv = v[j];
        if (kind < 2)
            wv = ld8(&w[i]);
        if (kind == 0)
            bv = ld8(&bias[i]);
        for (int h = 0; h < 4; h++) {
            float2 f = __bfloat1622float2(v[j].h[h]);
            float2 g = __bfloat1622float2(wv.h[h]);
            float2 c = __bfloat1622float2(bv.h[h]);
            float2 o;
            if (kind == 0) {
                o.x = (f.x - sub) * scale * g.x + c.x;
                o.y = (f.y - sub) * scale * g.y + c.y;
            } else if (kind == 1) {
                o.x = f.x * scale * g.x;
                o.y = f.y * scale * g.y;
            } else {
                o.x = __expf(f.x - sub) * scale;
                o.y = __expf(f.y - sub) * scale;
            }
            r.h[h] = __floats2bfloat162_rn(o.x, o.y);
        }
        st8(&out[i], r);
    }
}

/* out[i, :] = table[idx[i], :]; one block per lookup. */
__global__ void embedding_k(const bf16x8 *table, const int *idx, bf16x8 *out,
                            int nv)
{
    const bf16x8 *src = table + (size_t)idx[blockIdx.x] * nv;
    bf16x8 *dst = out + (size_t)blockIdx.x * nv;
    for (int i = threadIdx.x; i < nv; i += blockDim.x)
        st8(&dst[i], ld8(&src[i]));
}

__global__ void index_k(int *idx, int m, int rows, uint64_t seed)
{
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < m;
         i += gridDim.x * blockDim.x)
        idx[i] = (int)(hash_uniform(i, seed, 0.0f, 1.0f) * rows) % rows;
}

/* One AdamW step over float4 vectors of parameters. */
__global__ void adam_k(float4 *p, const float4 *g, float4 *m, float4 *v,
                       size_t nv, float lr, float b1, float b2, float eps,
                       float wd, float c1, float c2)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < nv;
         i += (size_t)gridDim.x * blockDim.x) {
        float4 pp = p[i], gg = g[i], mm = m[i], vv = v[i];
        float *P = &pp.x, *G = &gg.x, *M = &mm.x, *V = &vv.x;
        for (int j = 0; j < 4; j++) {
            M[j] = b1 * M[j] + (1 - b1) * G[j];
            V[j] = b2 * V[j] + (1 - b2) * G[j] * G[j];
            P[j] -= lr * (M[j] * c1 / (sqrtf(V[j] * c2) + eps) + wd * P[j]);
        }
        p[i] = pp;
        m[i] = mm;
        v[i] = vv;
    }
}

static void row(FILE *out, const char *op, const char *dtype, long m, long n,
                timing_t t, double bytes)
{
    fprintf(out, "%s,%s,%ld,%ld,0,0,0,0,0,0,0,fwd,%.3f,%.3f,%.3f,%d,%.6g,%.2f\n",
            op, dtype, m, n, t.median_us, t.p10_us, t.p90_us, t.reps, bytes,
            bytes / (t.median_us * 1e-6) / 1e9);
    fflush(out);
}

/* Allocates `sets` copies of `bytes` (each 256-byte aligned) in one block. */
static char *alloc_sets(size_t bytes, int sets, size_t *stride)
{
    *stride = (bytes + 255) / 256 * 256;
    char *p;
    CK(cudaMalloc(&p, *stride * sets));
    return p;
}

/* Elementwise ops over m bf16 elements (tensor bytes = 2m). */
static void elementwise(FILE *out, size_t tensor_bytes)
{
    size_t m = tensor_bytes / 2, nv = m / 8;
    const char *ops[] = {"copy", "elementwise_add", "gelu", "silu_mul"};
    int inputs[] = {1, 2, 1, 2};
    for (int o = 0; o < 4; o++) {
        size_t stride;
        size_t set_bytes = tensor_bytes * inputs[o];
        int sets = rotation_sets(set_bytes, 64);
        char *in = alloc_sets(set_bytes, sets, &stride);
        bf16 *y;
        CK(cudaMalloc(&y, tensor_bytes));
        fill_random((bf16 *)in, stride * sets / 2, 3 + o);
        dim3 grid = grid_for(nv);
        timing_t t = time_launches([&](int i) {
            const bf16x8 *a = (const bf16x8 *)(in + (i % sets) * stride);
            const bf16x8 *b = a + nv;
            switch (o) {
            case 0:
                copy_k<<<grid, 256>>>(a, (bf16x8 *)y, nv);
                break;
            case 1:
                add_k<<<grid, 256>>>(a, b, (bf16x8 *)y, nv);
                break;
            case 2:
                gelu_k<<<grid, 256>>>(a, (bf16x8 *)y, nv);
                break;
            default:
                silu_mul_k<<<grid, 256>>>(a, b, (bf16x8 *)y, nv);
            }
            CK_LAUNCH();
        });
        row(out, ops[o], "bf16", (long)m, 0, t,
            (double)tensor_bytes * (inputs[o] + 1));
        CK(cudaFree(in));
        CK(cudaFree(y));
    }
}

/* Row ops: m rows of n bf16 values (tensor bytes = 2mn). */
static void rowwise(FILE *out, size_t tensor_bytes, int n)
{
    long m = (long)(tensor_bytes / 2 / n);
    if (m < 1)
        return;
    int nv = n / 8;
    const char *ops[] = {"layernorm", "rmsnorm", "softmax"};
    for (int kind = 0; kind < 3; kind++) {
        size_t stride, bytes = (size_t)m * n * 2;
        int sets = rotation_sets(bytes, 64);
        char *in = alloc_sets(bytes, sets, &stride);
        bf16 *y, *w;
        CK(cudaMalloc(&y, bytes));
        CK(cudaMalloc(&w, (size_t)n * 2 * 2));
        fill_random((bf16 *)in, stride * sets / 2, 11 + kind);
        fill_random(w, (size_t)n * 2, 17);
        /* 1 vector per thread up to 256 threads, then 2, 4, 8 per thread
         * (n = 1024: 128 x 1; 4096: 256 x 2; 16384: 256 x 8). */
        int vpt = nv <= 256 ? 1 : nv / 256;
        int threads = nv / vpt;
        timing_t t = time_launches([&](int i) {
            const bf16x8 *in_i = (const bf16x8 *)(in + (i % sets) * stride);
            const bf16x8 *wp = (const bf16x8 *)w, *bp = (const bf16x8 *)(w + n);
            switch (vpt) {
            case 1:
                rows_k<1><<<(unsigned)m, threads>>>(in_i, wp, bp, (bf16x8 *)y, nv, kind);
                break;
            case 2:
                rows_k<2><<<(unsigned)m, threads>>>(in_i, wp, bp, (bf16x8 *)y, nv, kind);
                break;
            case 4:
                rows_k<4><<<(unsigned)m, threads>>>(in_i, wp, bp, (bf16x8 *)y, nv, kind);
                break;
            default:
                rows_k<8><<<(unsigned)m, threads>>>(in_i, wp, bp, (bf16x8 *)y, nv, kind);
            }
            CK_LAUNCH();
        });
        double params = kind == 0 ? 2.0 * n * 2 : kind == 1 ? n * 2.0 : 0;
        row(out, ops[kind], "bf16", m, n, t, 2.0 * bytes + params);
        CK(cudaFree(in));
        CK(cudaFree(y));
        CK(cudaFree(w));
    }
}

/* Embedding: m lookups of width n from a 128,256-row table (Llama 3's
 * vocabulary: larger than L2, as real tables are). */
static void embedding(FILE *out, size_t out_bytes, int n)
{
    long m = (long)(out_bytes / 2 / n);
    if (m < 1)
        return;
    const int rows = 128256;
    bf16 *table, *y;
    int *idx;
    CK(cudaMalloc(&table, (size_t)rows * n * 2));
    CK(cudaMalloc(&y, (size_t)m * n * 2));
    int sets = rotation_sets((size_t)m * n * 2, 16);
    CK(cudaMalloc(&idx, (size_t)m * sets * sizeof(int)));
    fill_random(table, (size_t)rows * n, 23);
    index_k<<<256, 256>>>(idx, (int)(m * sets), rows, 29);
    CK_LAUNCH();
    int threads = n / 8 < 256 ? n / 8 : 256;
    timing_t t = time_launches([&](int i) {
        embedding_k<<<(unsigned)m, threads>>>((const bf16x8 *)table,
                                              idx + (i % sets) * m,
                                              (bf16x8 *)y, n / 8);
        CK_LAUNCH();
    });
    row(out, "embedding", "bf16", m, n, t,
        2.0 * m * n * 2 + (double)m * sizeof(int));
    CK(cudaFree(table));
    CK(cudaFree(y));
    CK(cudaFree(idx));
}

/* Adam over m fp32 parameters (tensor bytes = 4m). */
static void adam(FILE *out, size_t tensor_bytes)
{
    size_t m = tensor_bytes / 4, nv = m / 4;
    size_t stride;
    int sets = rotation_sets(4 * tensor_bytes, 16);
    char *base = alloc_sets(4 * tensor_bytes, sets, &stride);
    fill_random((float *)base, stride * sets / 4, 31, 0.0f, 1.0f);
    dim3 grid = grid_for(nv);
    timing_t t = time_launches([&](int i) {
        float4 *p = (float4 *)(base + (i % sets) * stride);
        adam_k<<<grid, 256>>>(p, p + nv, p + 2 * nv, p + 3 * nv, nv, 1e-4f,
                              0.9f, 0.95f, 1e-8f, 0.1f, 1.1f, 1.05f);
        CK_LAUNCH();
    });
    /* read p, g, m, v; write p, m, v */
    row(out, "adam", "fp32", (long)m, 0, t, 7.0 * tensor_bytes);
    CK(cudaFree(base));
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: membound OUT.csv [--quick]\n");
        return 2;
    }
    int quick = argc > 2 && !strcmp(argv[2], "--quick");
    FILE *out = fopen(argv[1], "w");
    if (!out) {
        perror(argv[1]);
        return 1;
    }
    CK(cudaDeviceGetAttribute(&sm_count, cudaDevAttrMultiProcessorCount, 0));
    fprintf(out, "%s,time_us,time_us_p10,time_us_p90,reps,bytes,gbps\n",
            OP_COLUMNS);
    std::vector<size_t> sizes; /* 64 KiB .. 4 GiB, x2 steps */
    for (size_t s = 64u << 10; s <= (4ull << 30); s *= 2)
        sizes.push_back(s);
    if (quick)
        sizes = {1u << 20, 256u << 20};
    int rows = 0;
    for (size_t s : sizes) {
        elementwise(out, s);
        adam(out, s);
        rows += 5;
    }
    for (size_t i = 0; i < sizes.size(); i += quick ? 1 : 2) {
        for (int n : {1024, 4096, 16384}) {
            rowwise(out, sizes[i], n);
            embedding(out, sizes[i], n);
            rows += 4;
        }
    }
    fclose(out);
    printf("membound: about %d rows\n", rows);
    return 0;
}
