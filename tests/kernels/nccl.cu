/* nccl.cu - NCCL collectives on the GPUs of one host, in the manner of
 * nccl-tests (single process, one communicator per GPU, every call of a
 * step grouped): all_reduce, all_gather, reduce_scatter, all_to_all
 * (grouped send/recv to every peer), send_recv (each GPU sends to the next
 * and receives from the previous: a ring shift), bf16, 1 KiB to 4 GiB.
 *
 * `bytes` is the per-GPU buffer as dcsim's op vocabulary defines it:
 * all_reduce input, all_gather output, reduce_scatter input, all_to_all send
 * buffer, send_recv message. Timing: CUDA events on GPU 0 around windows of
 * launches, warm-up first, median of 7 windows; every NCCL and CUDA call
 * checked. NVLink multicast (NVLS) must stay off: run with
 * NCCL_NVLS_ENABLE=0 (run_nccl.sh sets it).
 *
 * Two ways to drive the GPUs: one thread for all of them (nccl-tests -g;
 * the launches are serial, so the latency floor grows with the GPU count)
 * and one thread per GPU (nccl-tests -t; launches in parallel, as training
 * processes do). The `mode` column says which: single or threads.
 *
 * usage: nccl OUT.csv GPUS [--quick|x] [--append] [--threads] */
#include <cuda_bf16.h>
#include <pthread.h>
#include <nccl.h>
#include <vector>

#include "bench.h"

#define CK_NCCL(call)                                                          \
    do {                                                                       \
        ncclResult_t r_ = (call);                                              \
        if (r_ != ncclSuccess) {                                               \
            fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #call,      \
                    ncclGetErrorString(r_));                                   \
            exit(1);                                                           \
        }                                                                      \
    } while (0)

enum { MAX_GPUS = 8 };
typedef enum { ALL_REDUCE, ALL_GATHER, REDUCE_SCATTER, ALL_TO_ALL, SEND_RECV } coll_t;
static const char *const NAMES[] = {"all_reduce", "all_gather",
                                    "reduce_scatter", "all_to_all",
                                    "send_recv"};

typedef struct world {
    int n;
    ncclComm_t comm[MAX_GPUS];
    cudaStream_t stream[MAX_GPUS];
    __nv_bfloat16 *send[MAX_GPUS], *recv[MAX_GPUS];
} world_t;

/* One collective on every GPU, grouped. bytes: the per-GPU buffer. */
static void launch(world_t *w, coll_t op, size_t bytes)
{
    size_t elems = bytes / 2, part = elems / w->n;
    CK_NCCL(ncclGroupStart());
    for (int g = 0; g < w->n; g++) {
        CK(cudaSetDevice(g));
        switch (op) {
        case ALL_REDUCE:
            CK_NCCL(ncclAllReduce(w->send[g], w->recv[g], elems, ncclBfloat16,
                                  ncclSum, w->comm[g], w->stream[g]));
            break;
        case ALL_GATHER:
            CK_NCCL(ncclAllGather(w->send[g], w->recv[g], part, ncclBfloat16,
                                  w->comm[g], w->stream[g]));
            break;
        case REDUCE_SCATTER:
            CK_NCCL(ncclReduceScatter(w->send[g], w->recv[g], part,
                                      ncclBfloat16, ncclSum, w->comm[g],
                                      w->stream[g]));
            break;
        case ALL_TO_ALL:
            for (int p = 0; p < w->n; p++) {
                CK_NCCL(ncclSend(w->send[g] + p * part, part, ncclBfloat16, p,
                                 w->comm[g], w->stream[g]));
                CK_NCCL(ncclRecv(w->recv[g] + p * part, part, ncclBfloat16, p,
                                 w->comm[g], w->stream[g]));
            }
            break;
        case SEND_RECV:
            CK_NCCL(ncclSend(w->send[g], elems, ncclBfloat16, (g + 1) % w->n,
                             w->comm[g], w->stream[g]));
            CK_NCCL(ncclRecv(w->recv[g], elems, ncclBfloat16,
                             (g + w->n - 1) % w->n, w->comm[g], w->stream[g]));
            break;
        }
    }
    CK_NCCL(ncclGroupEnd());
}

/* One rank's part of a collective (thread mode). */
static void launch_rank(world_t *w, int g, coll_t op, size_t bytes)
{
    size_t elems = bytes / 2, part = elems / w->n;
    switch (op) {
    case ALL_REDUCE:
        CK_NCCL(ncclAllReduce(w->send[g], w->recv[g], elems, ncclBfloat16,
                              ncclSum, w->comm[g], w->stream[g]));
        break;
    case ALL_GATHER:
        CK_NCCL(ncclAllGather(w->send[g], w->recv[g], part, ncclBfloat16,
                              w->comm[g], w->stream[g]));
        break;
    case REDUCE_SCATTER:
        CK_NCCL(ncclReduceScatter(w->send[g], w->recv[g], part, ncclBfloat16,
                                  ncclSum, w->comm[g], w->stream[g]));
        break;
    case ALL_TO_ALL:
        CK_NCCL(ncclGroupStart());
        for (int p = 0; p < w->n; p++) {
            CK_NCCL(ncclSend(w->send[g] + p * part, part, ncclBfloat16, p,
                             w->comm[g], w->stream[g]));
            CK_NCCL(ncclRecv(w->recv[g] + p * part, part, ncclBfloat16, p,
                             w->comm[g], w->stream[g]));
        }
        CK_NCCL(ncclGroupEnd());
        break;
    case SEND_RECV:
        CK_NCCL(ncclGroupStart());
        CK_NCCL(ncclSend(w->send[g], elems, ncclBfloat16, (g + 1) % w->n,
                         w->comm[g], w->stream[g]));
        CK_NCCL(ncclRecv(w->recv[g], elems, ncclBfloat16,
                         (g + w->n - 1) % w->n, w->comm[g], w->stream[g]));
        CK_NCCL(ncclGroupEnd());
        break;
    }
}

/* Thread mode: every rank runs this; rank 0 times with events on its
 * stream, between barriers, so all ranks run the same windows. */
typedef struct rank_arg {
    world_t *w;
    int g;
    ncclUniqueId id;
    pthread_barrier_t *bar;
    FILE *out;
    size_t max_bytes;
    int ncclv;
} rank_arg_t;

static int shared_per; /* launches per window, decided by rank 0 */

static void *rank_main(void *p)
{
    rank_arg_t *a = (rank_arg_t *)p;
    world_t *w = a->w;
    int g = a->g;
    CK(cudaSetDevice(g));
    CK(cudaStreamCreateWithFlags(&w->stream[g], cudaStreamNonBlocking));
    CK(cudaMalloc(&w->send[g], a->max_bytes));
    CK(cudaMalloc(&w->recv[g], a->max_bytes));
    fill_random(w->send[g], a->max_bytes / 2, 100 + g);
    CK(cudaDeviceSynchronize());
    CK_NCCL(ncclCommInitRank(&w->comm[g], w->n, a->id, g));
    cudaEvent_t e0, e1;
    CK(cudaEventCreate(&e0));
    CK(cudaEventCreate(&e1));
    for (int op = 0; op < 5; op++) {
        for (size_t bytes = 1024; bytes <= a->max_bytes; bytes *= 2) {
            if (bytes / 2 % w->n)
                continue;
            for (int i = 0; i < 3; i++)
                launch_rank(w, g, (coll_t)op, bytes);
            CK(cudaStreamSynchronize(w->stream[g]));
            pthread_barrier_wait(a->bar);
            float ms = 0;
            if (g == 0)
                CK(cudaEventRecord(e0, w->stream[g]));
            for (int i = 0; i < 3; i++)
                launch_rank(w, g, (coll_t)op, bytes);
            if (g == 0)
                CK(cudaEventRecord(e1, w->stream[g]));
            CK(cudaStreamSynchronize(w->stream[g]));
            if (g == 0) {
                CK(cudaEventElapsedTime(&ms, e0, e1));
                int per = (int)(2.0 / (ms / 3.0)) + 1;
                shared_per = per > 200 ? 200 : per;
            }
            pthread_barrier_wait(a->bar);
            int per = shared_per;
            double t[WINDOWS];
            for (int k = 0; k < WINDOWS; k++) {
                pthread_barrier_wait(a->bar);
                if (g == 0)
                    CK(cudaEventRecord(e0, w->stream[g]));
                for (int i = 0; i < per; i++)
                    launch_rank(w, g, (coll_t)op, bytes);
                if (g == 0)
                    CK(cudaEventRecord(e1, w->stream[g]));
                CK(cudaStreamSynchronize(w->stream[g]));
                if (g == 0) {
                    CK(cudaEventElapsedTime(&ms, e0, e1));
                    t[k] = ms * 1000.0 / per;
                }
            }
            if (g == 0) {
                qsort(t, WINDOWS, sizeof t[0], cmp_double);
                double alg = bytes / (t[WINDOWS / 2] * 1e-6) / 1e9;
                double f = op == ALL_REDUCE ? 2.0 * (w->n - 1) / w->n
                           : op == SEND_RECV ? 1.0
                                             : (double)(w->n - 1) / w->n;
                fprintf(a->out,
                        "%s,bf16,0,0,0,0,0,0,0,0,0,fwd,%d,%zu,%.3f,%.3f,%.3f,%d,"
                        "%.3f,%.3f,%d,threads\n",
                        NAMES[op], w->n, bytes, t[WINDOWS / 2], t[0],
                        t[WINDOWS - 1], per * WINDOWS, alg, alg * f, a->ncclv);
                fflush(a->out);
            }
        }
        if (g == 0) {
            printf("nccl: %s on %d GPUs (threads) done\n", NAMES[op], w->n);
            fflush(stdout);
        }
    }
    CK(cudaEventDestroy(e0));
    CK(cudaEventDestroy(e1));
    pthread_barrier_wait(a->bar);
    ncclCommDestroy(w->comm[g]);
    CK(cudaFree(w->send[g]));
    CK(cudaFree(w->recv[g]));
    return NULL;
}

static void sync_all(world_t *w)
{
    for (int g = 0; g < w->n; g++) {
        CK(cudaSetDevice(g));
        CK(cudaStreamSynchronize(w->stream[g]));
    }
}

/* Median time of one collective: events on GPU 0's stream around windows;
 * the other GPUs are synchronized after each window. */
static timing_t time_coll(world_t *w, coll_t op, size_t bytes)
{
    cudaEvent_t e0, e1;
    CK(cudaSetDevice(0));
    CK(cudaEventCreate(&e0));
    CK(cudaEventCreate(&e1));
    for (int i = 0; i < 3; i++)
        launch(w, op, bytes);
    sync_all(w);
    CK(cudaSetDevice(0));
    CK(cudaEventRecord(e0, w->stream[0]));
    for (int i = 0; i < 3; i++)
        launch(w, op, bytes);
    CK(cudaSetDevice(0));
    CK(cudaEventRecord(e1, w->stream[0]));
    sync_all(w);
    float ms;
    CK(cudaEventElapsedTime(&ms, e0, e1));
    int per = (int)(2.0 / (ms / 3.0)) + 1;
    if (per > 200)
        per = 200;
    double t[WINDOWS];
    for (int k = 0; k < WINDOWS; k++) {
        CK(cudaSetDevice(0));
        CK(cudaEventRecord(e0, w->stream[0]));
        for (int i = 0; i < per; i++)
            launch(w, op, bytes);
        CK(cudaSetDevice(0));
        CK(cudaEventRecord(e1, w->stream[0]));
        sync_all(w);
        CK(cudaEventElapsedTime(&ms, e0, e1));
        t[k] = ms * 1000.0 / per;
    }
    qsort(t, WINDOWS, sizeof t[0], cmp_double);
    CK(cudaEventDestroy(e0));
    CK(cudaEventDestroy(e1));
    timing_t out = {t[WINDOWS / 2], t[0], t[WINDOWS - 1], per * WINDOWS};
    return out;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: nccl OUT.csv GPUS [--quick]\n");
        return 2;
    }
    int quick = argc > 3 && !strcmp(argv[3], "--quick");
    world_t w;
    memset(&w, 0, sizeof w);
    w.n = atoi(argv[2]);
    int have = 0;
    CK(cudaGetDeviceCount(&have));
    if (w.n < 2 || w.n > MAX_GPUS || w.n > have) {
        fprintf(stderr, "nccl: GPUS must be 2..%d and at most %d here\n",
                MAX_GPUS, have);
        return 2;
    }
    const char *nvls = getenv("NCCL_NVLS_ENABLE");
    if (!nvls || strcmp(nvls, "0")) {
        fprintf(stderr, "nccl: refusing to run without NCCL_NVLS_ENABLE=0\n");
        return 2;
    }
    size_t max_bytes = quick ? (64u << 20) : (4ull << 30);
    int threads = 0;
    for (int i = 3; i < argc; i++)
        threads |= !strcmp(argv[i], "--threads");
    if (threads) {
        int ncclv = 0;
        CK_NCCL(ncclGetVersion(&ncclv));
        FILE *out = fopen(argv[1], "a");
        if (!out) {
            perror(argv[1]);
            return 1;
        }
        fseek(out, 0, SEEK_END);
        if (ftell(out) == 0)
            fprintf(out, "%s,gpus,bytes,time_us,time_us_p10,time_us_p90,reps,"
                         "algbw_gbps,busbw_gbps,nccl_version,mode\n",
                    OP_COLUMNS);
        ncclUniqueId id;
        CK_NCCL(ncclGetUniqueId(&id));
        pthread_barrier_t bar;
        pthread_barrier_init(&bar, NULL, (unsigned)w.n);
        pthread_t th[MAX_GPUS];
        rank_arg_t args[MAX_GPUS];
        for (int g = 0; g < w.n; g++) {
            args[g] = (rank_arg_t){&w, g, id, &bar, out, max_bytes, ncclv};
            pthread_create(&th[g], NULL, rank_main, &args[g]);
        }
        for (int g = 0; g < w.n; g++)
            pthread_join(th[g], NULL);
        pthread_barrier_destroy(&bar);
        fclose(out);
        return 0;
    }
    int devs[MAX_GPUS];
    for (int g = 0; g < w.n; g++)
        devs[g] = g;
    CK_NCCL(ncclCommInitAll(w.comm, w.n, devs));
    for (int g = 0; g < w.n; g++) {
        CK(cudaSetDevice(g));
        CK(cudaStreamCreateWithFlags(&w.stream[g], cudaStreamNonBlocking));
        /* all_gather's output and all_to_all's buffers are max_bytes. */
        CK(cudaMalloc(&w.send[g], max_bytes));
        CK(cudaMalloc(&w.recv[g], max_bytes));
        fill_random(w.send[g], max_bytes / 2, 100 + g);
        CK(cudaDeviceSynchronize());
    }
    int ncclv = 0;
    CK_NCCL(ncclGetVersion(&ncclv));
    int append = 0;
    for (int i = 3; i < argc; i++)
        append |= !strcmp(argv[i], "--append");
    FILE *out = fopen(argv[1], append ? "a" : "w");
    if (!out) {
        perror(argv[1]);
        return 1;
    }
    fseek(out, 0, SEEK_END); /* append: the header only into an empty file */
    if (ftell(out) == 0)
        fprintf(out, "%s,gpus,bytes,time_us,time_us_p10,time_us_p90,reps,"
                     "algbw_gbps,busbw_gbps,nccl_version,mode\n",
                OP_COLUMNS);
    for (int op = 0; op < 5; op++) {
        for (size_t bytes = 1024; bytes <= max_bytes; bytes *= 2) {
            if (bytes / 2 % w.n)
                continue;
            timing_t t = time_coll(&w, (coll_t)op, bytes);
            double alg = bytes / (t.median_us * 1e-6) / 1e9;
            /* nccl-tests' bus bandwidth factors */
            double f = op == ALL_REDUCE ? 2.0 * (w.n - 1) / w.n
                       : op == SEND_RECV ? 1.0
                                         : (double)(w.n - 1) / w.n;
            fprintf(out,
                    "%s,bf16,0,0,0,0,0,0,0,0,0,fwd,%d,%zu,%.3f,%.3f,%.3f,%d,"
                    "%.3f,%.3f,%d,single\n",
                    NAMES[op], w.n, bytes, t.median_us, t.p10_us, t.p90_us,
                    t.reps, alg, alg * f, ncclv);
            fflush(out);
        }
        printf("nccl: %s on %d GPUs done\n", NAMES[op], w.n);
        fflush(stdout);
    }
    fclose(out);
    for (int g = 0; g < w.n; g++) {
        CK(cudaSetDevice(g));
        CK(cudaFree(w.send[g]));
        CK(cudaFree(w.recv[g]));
        ncclCommDestroy(w.comm[g]);
    }
    return 0;
}
