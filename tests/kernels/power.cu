/* power.cu - board power through NVML while the GPU idles and while
 * kernels run sustained, for fitting and checking dcsim's power model
 * (sim/hw/power.c). Phases:
 *   idle        nothing launched (a context exists, as in a running job)
 *   gemm        dense bf16 GEMM 8192^3 (cuBLASLt), back to back
 *   copy        bandwidth-bound copy of 2 GiB over all SMs
 *   copy_sm     the same copy on one block per SM (a lower HBM rate)
 *   copy_q      the same copy on a quarter of the SMs (lower still)
 *   gemm_4096   bf16 GEMM 4096^3, back to back
 *   gemm_1024   bf16 GEMM 1024^3, back to back (launch gaps, lower rate)
 *   gemm_fp8    fp8 (e4m3 in, bf16 out) GEMM 8192^3
 *   gemm_duty   bf16 8192^3 GEMMs for about 10 ms, then 10 ms idle
 *   allreduce   (--comm G, built with -DDCS_NCCL) NCCL bf16 all-reduce of
 *               256 MiB over G GPUs of the host, back to back
 *   allreduce_s the same with 256 KiB (latency-bound)
 * A sampler thread reads board power, SM and memory clocks, temperature and
 * the energy counter of GPU 0 every 50 ms; each phase runs 12 s and its
 * first 3 s (ramp-up) are marked warmup=1.
 *
 * NVML is loaded at run time (libnvidia-ml.so.1, from the driver), so this
 * builds without NVML's header. The card's settings are only read, never
 * changed.
 *
 * usage: power OUT.csv [--quick] [--comm G]
 * Columns: phase,t_s,warmup,power_w,sm_clock_mhz,mem_clock_mhz,temp_c,
 * energy_j (counter since the phase began), phase_tflops, phase_gbps
 * (throughput achieved over the whole phase: HBM bytes for the copies,
 * bytes all-reduced per GPU per second for the all-reduces). */
#include <cublasLt.h>
#include <cuda_bf16.h>
#include <cuda_fp8.h>
#include <dlfcn.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#ifdef DCS_NCCL
#include <nccl.h>
#endif

typedef void *nvml_device_t;
typedef struct nvml {
    int (*init)(void);
    int (*shutdown)(void);
    int (*handle_by_index)(unsigned, nvml_device_t *);
    int (*power_usage)(nvml_device_t, unsigned *);           /* mW */
    int (*clock_info)(nvml_device_t, int, unsigned *);       /* MHz */
    int (*temperature)(nvml_device_t, int, unsigned *);      /* deg C */
    int (*total_energy)(nvml_device_t, unsigned long long *); /* mJ */
    nvml_device_t dev;
} nvml_t;

static nvml_t nvml;

static void *sym(void *lib, const char *name)
{
    void *p = dlsym(lib, name);
    if (!p) {
        fprintf(stderr, "power: NVML has no %s\n", name);
        exit(1);
    }
    return p;
}

static void nvml_open(void)
{
    void *lib = dlopen("libnvidia-ml.so.1", RTLD_NOW);
    if (!lib) {
        fprintf(stderr, "power: cannot load NVML: %s\n", dlerror());
        exit(1);
    }
    nvml.init = (int (*)(void))sym(lib, "nvmlInit_v2");
    nvml.shutdown = (int (*)(void))sym(lib, "nvmlShutdown");
    nvml.handle_by_index = (int (*)(unsigned, nvml_device_t *))sym(
        lib, "nvmlDeviceGetHandleByIndex_v2");
    nvml.power_usage = (int (*)(nvml_device_t, unsigned *))sym(
        lib, "nvmlDeviceGetPowerUsage");
    nvml.clock_info = (int (*)(nvml_device_t, int, unsigned *))sym(
        lib, "nvmlDeviceGetClockInfo");
    nvml.temperature = (int (*)(nvml_device_t, int, unsigned *))sym(
        lib, "nvmlDeviceGetTemperature");
    nvml.total_energy = (int (*)(nvml_device_t, unsigned long long *))sym(
        lib, "nvmlDeviceGetTotalEnergyConsumption");
    if (nvml.init() != 0 || nvml.handle_by_index(0, &nvml.dev) != 0) {
        fprintf(stderr, "power: NVML init failed\n");
        exit(1);
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

typedef struct sample {
    double t_s, power_w, energy_j;
    unsigned sm_mhz, mem_mhz, temp_c;
} sample_t;

typedef struct sampler {
    volatile int stop;
    double t0;
    unsigned long long e0;
    sample_t s[1024];
    int n;
} sampler_t;

static void *sample_loop(void *arg)
{
    sampler_t *sp = (sampler_t *)arg;
    while (!sp->stop && sp->n < 1024) {
        sample_t *x = &sp->s[sp->n];
        unsigned mw = 0;
        unsigned long long mj = 0;
        nvml.power_usage(nvml.dev, &mw);
        nvml.clock_info(nvml.dev, 1 /* SM */, &x->sm_mhz);
        nvml.clock_info(nvml.dev, 2 /* MEM */, &x->mem_mhz);
        nvml.temperature(nvml.dev, 0 /* GPU */, &x->temp_c);
        nvml.total_energy(nvml.dev, &mj);
        x->t_s = now_s() - sp->t0;
        x->power_w = mw / 1000.0;
        x->energy_j = (mj - sp->e0) / 1000.0;
        sp->n++;
        usleep(50000);
    }
    return NULL;
}

static double PHASE_S = 12.0, WARMUP_S = 3.0; /* --quick: 3 s, 1 s */

/* Runs `work` (one chunk of launches; returns its FLOPs and bytes) until the
 * phase time is up, sampling meanwhile, and writes the phase's rows. */
template <typename F>
static void phase(FILE *out, const char *name, F work)
{
    sampler_t *sp = (sampler_t *)calloc(1, sizeof *sp);
    sp->t0 = now_s();
    nvml.total_energy(nvml.dev, &sp->e0);
    pthread_t th;
    pthread_create(&th, NULL, sample_loop, sp);
    double flops = 0, bytes = 0, start = now_s(), counted_from = 0;
    while (now_s() - start < PHASE_S) {
        double f = 0, b = 0;
        work(&f, &b);
        CK(cudaDeviceSynchronize());
        if (now_s() - start >= WARMUP_S) {
            if (counted_from == 0)
                counted_from = now_s();
            else {
                flops += f;
                bytes += b;
            }
        }
    }
    double span = now_s() - counted_from;
    sp->stop = 1;
    pthread_join(th, NULL);
    for (int i = 0; i < sp->n; i++) {
        sample_t *x = &sp->s[i];
        fprintf(out, "%s,%.3f,%d,%.3f,%u,%u,%u,%.3f,%.3f,%.2f\n", name, x->t_s,
                x->t_s < WARMUP_S, x->power_w, x->sm_mhz, x->mem_mhz,
                x->temp_c, x->energy_j, flops / span / 1e12,
                bytes / span / 1e9);
    }
    fflush(out);
    printf("power: %-5s %d samples, %.1f TFLOP/s, %.1f GB/s\n", name, sp->n,
           flops / span / 1e12, bytes / span / 1e9);
    free(sp);
}

__global__ void copy_k(const uint4 *x, uint4 *y, size_t nv)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < nv;
         i += (size_t)gridDim.x * blockDim.x)
        y[i] = x[i];
}

/* A cuBLASLt GEMM of n^3 in the TN layout, two input sets. */
typedef struct gemm {
    cublasLtHandle_t lt;
    cublasLtMatmulDesc_t desc;
    cublasLtMatrixLayout_t la, ld;
    cublasLtMatmulAlgo_t algo;
    void *a, *b, *d, *ws;
    long n;
    size_t in_elem; /* bytes per input element */
} gemm_t;

static const size_t WS_BYTES = 32u << 20;

static void gemm_init(gemm_t *g, long n, int fp8)
{
    g->n = n;
    g->in_elem = fp8 ? 1 : 2;
    cublasLtCreate(&g->lt);
    cublasLtMatmulDescCreate(&g->desc, CUBLAS_COMPUTE_32F, CUDA_R_32F);
    cublasOperation_t ta = CUBLAS_OP_T, tb = CUBLAS_OP_N;
    cublasLtMatmulDescSetAttribute(g->desc, CUBLASLT_MATMUL_DESC_TRANSA, &ta,
                                   sizeof ta);
    cublasLtMatmulDescSetAttribute(g->desc, CUBLASLT_MATMUL_DESC_TRANSB, &tb,
                                   sizeof tb);
    cublasLtMatrixLayoutCreate(&g->la, fp8 ? CUDA_R_8F_E4M3 : CUDA_R_16BF, n,
                               n, n);
    cublasLtMatrixLayoutCreate(&g->ld, CUDA_R_16BF, n, n, n);
    cublasLtMatmulPreference_t pref;
    cublasLtMatmulPreferenceCreate(&pref);
    size_t ws_bytes = WS_BYTES;
    cublasLtMatmulPreferenceSetAttribute(
        pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws_bytes,
        sizeof ws_bytes);
    cublasLtMatmulHeuristicResult_t heur;
    int found = 0;
    if (cublasLtMatmulAlgoGetHeuristic(g->lt, g->desc, g->la, g->la, g->ld,
                                       g->ld, pref, 1, &heur,
                                       &found) != CUBLAS_STATUS_SUCCESS ||
        !found) {
        fprintf(stderr, "power: no GEMM algorithm for n=%ld fp8=%d\n", n, fp8);
        exit(1);
    }
    g->algo = heur.algo;
    cublasLtMatmulPreferenceDestroy(pref);
    CK(cudaMalloc(&g->a, 2 * n * n * g->in_elem));
    CK(cudaMalloc(&g->b, 2 * n * n * g->in_elem));
    CK(cudaMalloc(&g->d, n * n * 2));
    CK(cudaMalloc(&g->ws, WS_BYTES));
    if (fp8) {
        fill_random((__nv_fp8_e4m3 *)g->a, 2 * n * n, 41);
        fill_random((__nv_fp8_e4m3 *)g->b, 2 * n * n, 43);
    } else {
        fill_random((__nv_bfloat16 *)g->a, 2 * n * n, 41);
        fill_random((__nv_bfloat16 *)g->b, 2 * n * n, 43);
    }
}

/* Launches `count` GEMMs; returns their FLOPs. */
static double gemm_run(gemm_t *g, int count)
{
    float alpha = 1, beta = 0;
    long nn = g->n * g->n;
    for (int i = 0; i < count; i++) {
        char *a = (char *)g->a + (i & 1) * nn * g->in_elem;
        char *b = (char *)g->b + (i & 1) * nn * g->in_elem;
        if (cublasLtMatmul(g->lt, g->desc, &alpha, a, g->la, b, g->la, &beta,
                           g->d, g->ld, g->d, g->ld, &g->algo, g->ws, WS_BYTES,
                           0) != CUBLAS_STATUS_SUCCESS) {
            fprintf(stderr, "power: GEMM failed\n");
            exit(1);
        }
    }
    return count * 2.0 * g->n * g->n * g->n;
}

static void gemm_free(gemm_t *g)
{
    CK(cudaFree(g->a));
    CK(cudaFree(g->b));
    CK(cudaFree(g->d));
    CK(cudaFree(g->ws));
    cublasLtMatrixLayoutDestroy(g->la);
    cublasLtMatrixLayoutDestroy(g->ld);
    cublasLtMatmulDescDestroy(g->desc);
    cublasLtDestroy(g->lt);
}

/* Launches of a bf16 GEMM of n^3 that take about `ms` milliseconds at
 * 600 TFLOP/s, at least one. */
static int launches_for(long n, double ms)
{
    double one_ms = 2.0 * n * n * n / 600e12 * 1e3;
    int k = (int)(ms / one_ms);
    return k > 0 ? k : 1;
}

#ifdef DCS_NCCL
/* All-reduces of `bytes` of bf16 over `g` GPUs of this host, from one
 * thread (grouped calls). */
static void comm_phases(FILE *out, int g)
{
    ncclComm_t comms[8];
    int devs[8];
    cudaStream_t st[8];
    void *buf[8];
    size_t max_bytes = 256u << 20;
    for (int i = 0; i < g; i++)
        devs[i] = i;
    if (ncclCommInitAll(comms, g, devs) != ncclSuccess) {
        fprintf(stderr, "power: ncclCommInitAll failed\n");
        exit(1);
    }
    for (int i = 0; i < g; i++) {
        CK(cudaSetDevice(i));
        CK(cudaStreamCreate(&st[i]));
        CK(cudaMalloc(&buf[i], max_bytes));
        fill_random((__nv_bfloat16 *)buf[i], max_bytes / 2, 50 + i);
    }
    CK(cudaSetDevice(0));
    size_t sizes[2] = {max_bytes, 256u << 10};
    const char *names[2] = {"allreduce", "allreduce_s"};
    for (int k = 0; k < 2; k++) {
        size_t bytes = sizes[k];
        int reps = k == 0 ? 8 : 400;
        phase(out, names[k], [&](double *f, double *by) {
            for (int r = 0; r < reps; r++) {
                ncclGroupStart();
                for (int i = 0; i < g; i++)
                    ncclAllReduce(buf[i], buf[i], bytes / 2, ncclBfloat16,
                                  ncclSum, comms[i], st[i]);
                ncclGroupEnd();
            }
            for (int i = 0; i < g; i++) {
                CK(cudaSetDevice(i));
                CK(cudaStreamSynchronize(st[i]));
            }
            CK(cudaSetDevice(0));
            *f = 0;
            *by = (double)reps * bytes;
        });
    }
    for (int i = 0; i < g; i++) {
        CK(cudaSetDevice(i));
        CK(cudaFree(buf[i]));
        ncclCommDestroy(comms[i]);
    }
    CK(cudaSetDevice(0));
}
#endif

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: power OUT.csv [--quick] [--comm G]\n");
        return 2;
    }
    int comm_gpus = 0;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--quick")) {
            PHASE_S = 3.0;
            WARMUP_S = 1.0;
        } else if (!strcmp(argv[i], "--comm") && i + 1 < argc) {
            comm_gpus = atoi(argv[++i]);
        } else {
            fprintf(stderr, "power: unknown argument '%s'\n", argv[i]);
            return 2;
        }
    }
#ifndef DCS_NCCL
    if (comm_gpus > 0) {
        fprintf(stderr, "power: --comm needs a build with -DDCS_NCCL\n");
        return 2;
    }
#endif
    FILE *out = fopen(argv[1], "w");
    if (!out) {
        perror(argv[1]);
        return 1;
    }
    nvml_open();
    fprintf(out, "phase,t_s,warmup,power_w,sm_clock_mhz,mem_clock_mhz,temp_c,"
                 "energy_j,phase_tflops,phase_gbps\n");

    /* Idle: nothing launched; the context exists, as in a running job. */
    CK(cudaFree(0));
    phase(out, "idle", [](double *f, double *b) {
        *f = *b = 0;
        usleep(100000);
    });

    gemm_t g;
    gemm_init(&g, 8192, 0);
    phase(out, "gemm", [&](double *f, double *by) {
        *f = gemm_run(&g, 20);
        *by = 0;
    });

    /* Bandwidth-bound copies of 2 GiB: all SMs, one block per SM, a
     * quarter of the SMs. */
    size_t bytes = 2ull << 30;
    uint4 *x, *y;
    CK(cudaMalloc(&x, bytes));
    CK(cudaMalloc(&y, bytes));
    fill_random((float *)x, bytes / 4, 47);
    int sms;
    CK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0));
    struct {
        const char *name;
        int blocks;
    } copies[3] = {{"copy", sms * 8}, {"copy_sm", sms}, {"copy_q", sms / 4}};
    for (int c = 0; c < 3; c++) {
        int blocks = copies[c].blocks;
        phase(out, copies[c].name, [&](double *f, double *by) {
            for (int i = 0; i < 20; i++) {
                copy_k<<<blocks, 256>>>(x, y, bytes / 16);
                CK_LAUNCH();
            }
            *f = 0;
            *by = 20 * 2.0 * bytes;
        });
    }
    CK(cudaFree(x));
    CK(cudaFree(y));

    /* Smaller GEMMs, then fp8, then the duty cycle on the 8192^3 one. */
    long sizes[2] = {4096, 1024};
    const char *names[2] = {"gemm_4096", "gemm_1024"};
    for (int k = 0; k < 2; k++) {
        gemm_t s;
        gemm_init(&s, sizes[k], 0);
        int count = launches_for(sizes[k], 30);
        phase(out, names[k], [&](double *f, double *by) {
            *f = gemm_run(&s, count);
            *by = 0;
        });
        gemm_free(&s);
    }
    gemm_t f8;
    gemm_init(&f8, 8192, 1);
    phase(out, "gemm_fp8", [&](double *f, double *by) {
        *f = gemm_run(&f8, 40);
        *by = 0;
    });
    gemm_free(&f8);
    int burst = launches_for(8192, 10);
    phase(out, "gemm_duty", [&](double *f, double *by) {
        *f = gemm_run(&g, burst);
        CK(cudaDeviceSynchronize());
        usleep(10000);
        *by = 0;
    });
    gemm_free(&g);

#ifdef DCS_NCCL
    if (comm_gpus > 1)
        comm_phases(out, comm_gpus);
#endif
    fclose(out);
    nvml.shutdown();
    return 0;
}
