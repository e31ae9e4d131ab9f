/* power.cu - board power through NVML while the GPU idles and while a
 * kernel runs sustained: a dense bf16 GEMM (8192^3, cuBLASLt) and a
 * bandwidth-bound copy (2 GiB). A sampler thread reads board power, SM and
 * memory clocks, temperature and the energy counter every 50 ms; each phase
 * runs 12 s and its first 3 s (ramp-up) are marked warmup=1.
 *
 * NVML is loaded at run time (libnvidia-ml.so.1, from the driver), so this
 * builds without NVML's header. The card's settings are only read, never
 * changed.
 *
 * usage: power OUT.csv [--quick]
 * Columns: phase,t_s,warmup,power_w,sm_clock_mhz,mem_clock_mhz,temp_c,
 * energy_j (counter since the phase began), phase_tflops, phase_gbps
 * (throughput achieved over the whole phase). */
#include <cublasLt.h>
#include <cuda_bf16.h>
#include <dlfcn.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

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

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: power OUT.csv [--quick]\n");
        return 2;
    }
    if (argc > 2 && !strcmp(argv[2], "--quick")) {
        PHASE_S = 3.0;
        WARMUP_S = 1.0;
    }
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

    /* Dense bf16 GEMM, 8192^3, two input sets. */
    const long n = 8192;
    cublasLtHandle_t lt;
    cublasLtCreate(&lt);
    cublasLtMatmulDesc_t desc;
    cublasLtMatmulDescCreate(&desc, CUBLAS_COMPUTE_32F, CUDA_R_32F);
    cublasOperation_t ta = CUBLAS_OP_T, tb = CUBLAS_OP_N;
    cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSA, &ta,
                                   sizeof ta);
    cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSB, &tb,
                                   sizeof tb);
    cublasLtMatrixLayout_t l;
    cublasLtMatrixLayoutCreate(&l, CUDA_R_16BF, n, n, n);
    cublasLtMatmulPreference_t pref;
    cublasLtMatmulPreferenceCreate(&pref);
    size_t ws_bytes = 32u << 20;
    cublasLtMatmulPreferenceSetAttribute(
        pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws_bytes,
        sizeof ws_bytes);
    cublasLtMatmulHeuristicResult_t heur;
    int found = 0;
    if (cublasLtMatmulAlgoGetHeuristic(lt, desc, l, l, l, l, pref, 1, &heur,
                                       &found) != CUBLAS_STATUS_SUCCESS ||
        !found) {
        fprintf(stderr, "power: no GEMM algorithm\n");
        return 1;
    }
    __nv_bfloat16 *a, *b, *d;
    void *ws;
    CK(cudaMalloc(&a, 2 * n * n * 2));
    CK(cudaMalloc(&b, 2 * n * n * 2));
    CK(cudaMalloc(&d, n * n * 2));
    CK(cudaMalloc(&ws, ws_bytes));
    fill_random(a, 2 * n * n, 41);
    fill_random(b, 2 * n * n, 43);
    float alpha = 1, beta = 0;
    phase(out, "gemm", [&](double *f, double *by) {
        for (int i = 0; i < 20; i++) {
            if (cublasLtMatmul(lt, desc, &alpha, a + (i & 1) * n * n, l,
                               b + (i & 1) * n * n, l, &beta, d, l, d, l,
                               &heur.algo, ws, ws_bytes, 0) !=
                CUBLAS_STATUS_SUCCESS) {
                fprintf(stderr, "power: GEMM failed\n");
                exit(1);
            }
        }
        *f = 20 * 2.0 * n * n * n;
        *by = 0;
    });
    CK(cudaFree(a));
    CK(cudaFree(b));
    CK(cudaFree(d));
    CK(cudaFree(ws));

    /* Bandwidth-bound copy of 2 GiB. */
    size_t bytes = 2ull << 30;
    uint4 *x, *y;
    CK(cudaMalloc(&x, bytes));
    CK(cudaMalloc(&y, bytes));
    fill_random((float *)x, bytes / 4, 47);
    int sms;
    CK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0));
    phase(out, "copy", [&](double *f, double *by) {
        for (int i = 0; i < 20; i++) {
            copy_k<<<sms * 8, 256>>>(x, y, bytes / 16);
            CK_LAUNCH();
        }
        *f = 0;
        *by = 20 * 2.0 * bytes;
    });
    CK(cudaFree(x));
    CK(cudaFree(y));
    fclose(out);
    nvml.shutdown();
    return 0;
}
