"""serve_tp_probe.py - where a graphed tensor-parallel decode step's time goes.

serve_step.py's 70B decode at tp 4 replays one CUDA graph per step with
two all-reduces per layer (after attention and after the FFN). This probe
splits that step, on the same model code (serve_step.Model, its graph
capture and its timing: CUDA events, warm-up 5, 20 repetitions, each the
slowest rank's time, ranks aligned before it):

  probe CSV, one row per decode configuration (batch, context):
    full_ms      the step as serve_step.py times it (graph replay)
    nocomm_ms    the same step captured with the 2 x layers block
                 all-reduces left out (compute alone; the embedding
                 all-reduce and the logits all-gather stay)
    nocomm_rank_min_ms / _max_ms  each rank's own median of that
    full_rank_min_ms / _max_ms    and of the full step (events on one rank
                 see the waits for the others)
    ar_graph_us  2 x layers all-reduces of batch x hidden bf16 alone, back
                 to back in one graph: replay / count
    ar_eager_us  the same, launched eagerly back to back
  allreduce CSV, the latency microbenchmark (per all-reduce, bf16, sum):
    mode eager       n all-reduces launched back to back
    mode graph       n all-reduces captured in one graph, replayed
    mode graph_gap   n x (a copy of gap_bytes + an all-reduce) in one
                     graph, less n copies alone in another: the cost of an
                     all-reduce placed between kernels
    gap_us is the copy's own time (copies alone / n).

  kernels CSV (--profile): for each configuration, rank 0's kernels in
    one replay of the full and of the nocomm graph (torch.profiler over 3
    replays, per step): variant, kernel name, calls, total_us. The
    collectives' kernels include their wait for the other ranks.

usage: torchrun --standalone --nproc_per_node=4 serve_tp_probe.py \\
           --model llama3-70b OUTDIR [--tag h200-sxm]
"""
import argparse
import datetime
import gc
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_step as S  # noqa: E402  (sets the NVLink-multicast variables)
import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402

# the decode rows of serve_step.py's 70B plan (batch, context)
DECODE = ((1, 512), (1, 2048), (8, 512), (1, 8192), (8, 2048), (32, 512),
          (64, 512), (8, 8192), (32, 2048), (128, 512), (64, 2048),
          (32, 8192), (128, 2048))
AR_BYTES = (2048, 16384, 65536, 131072, 262144, 524288, 1048576, 2097152,
            4194304)
GAP_BYTES = (0, 16 << 20, 64 << 20)  # copies of about 8 and 32 us (4 TB/s)
PROBE_HEADER = ("model,layers,hidden,tp,batch,context_len,full_ms,full_p10_ms,"
                "full_p90_ms,nocomm_ms,nocomm_p10_ms,nocomm_p90_ms,"
                "full_rank_min_ms,full_rank_max_ms,nocomm_rank_min_ms,"
                "nocomm_rank_max_ms,allreduces,ar_bytes,ar_graph_us,"
                "ar_eager_us,gpu,torch")
AR_HEADER = "tp,bytes,mode,gap_bytes,gap_us,n,time_us,time_us_p10,time_us_p90,gpu,torch"


def rank_times(ctx, fn, warm, reps):
    """serve_step's timing, keeping every rank's times: (slowest rank per
    repetition, [each rank's median])."""
    for _ in range(warm):
        fn()
    times = []
    for _ in range(reps):
        ctx.align()
        e0 = torch.cuda.Event(enable_timing=True)
        e1 = torch.cuda.Event(enable_timing=True)
        e0.record()
        fn()
        e1.record()
        e1.synchronize()
        times.append(e0.elapsed_time(e1))
    t = torch.tensor(times, dtype=torch.float32, device=ctx.dev)
    out = torch.empty((ctx.tp, reps), dtype=torch.float32, device=ctx.dev)
    dist.all_gather_into_tensor(out, t)
    per_rank = out.tolist()
    slowest = [max(r[i] for r in per_rank) for i in range(reps)]
    return slowest, [statistics.median(r) for r in per_rank]


def kernel_profile(ctx, g, reps=3):
    """[(kernel name, calls per replay, us per replay)] of one graph's
    replays on this rank, largest first."""
    from torch.profiler import ProfilerActivity, profile
    ctx.align()
    g.replay()
    ctx.align()
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        for _ in range(reps):
            g.replay()
        ctx.sync()
    ctx.align()
    out = []
    for k in prof.key_averages():
        us = getattr(k, "device_time_total", None)
        if us is None:
            us = getattr(k, "cuda_time_total", 0.0)
        if us > 0:
            out.append((k.key, k.count / reps, us / reps))
    return sorted(out, key=lambda t: -t[2])


def graph_of(ctx, body):
    """serve_step's capture: warm up on a side stream, then capture."""
    g, _ = S.capture_graph(ctx, body)
    return g


def ar_bench(ctx, nbytes, mode, gap_bytes, n, reps):
    """Per all-reduce, microseconds: list over repetitions (slowest rank)."""
    x = torch.empty(nbytes // 2, dtype=torch.bfloat16, device=ctx.dev).normal_()
    src = dst = None
    if gap_bytes:
        src = torch.empty(gap_bytes // 2, dtype=torch.bfloat16, device=ctx.dev).normal_()
        dst = torch.empty_like(src)

    def ars():
        for _ in range(n):
            if gap_bytes:
                dst.copy_(src)
            dist.all_reduce(x)
        return x

    def copies():
        for _ in range(n):
            dst.copy_(src)
        return dst

    gap_us = 0.0
    if mode == "eager":
        t, _ = rank_times(ctx, ars, 3, reps)
    else:
        g = graph_of(ctx, ars)
        t, _ = rank_times(ctx, g.replay, 3, reps)
        del g
        if gap_bytes:
            gc_ = graph_of(ctx, copies)
            tc, _ = rank_times(ctx, gc_.replay, 3, reps)
            del gc_
            c = statistics.median(tc)
            gap_us = c / n * 1e3
            t = [v - c for v in t]
    return [v / n * 1e3 for v in t], gap_us


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--model", default="llama3-70b")
    ap.add_argument("--tag", default="gpu")
    ap.add_argument("--layers", type=int, default=0, help="override (testing)")
    ap.add_argument("--decode", default=None, help="BxC,BxC,... (default: the 70B plan)")
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--ar-n", type=int, default=100)
    ap.add_argument("--budget-s", type=float, default=330.0,
                    help="stop starting decode configurations after this")
    ap.add_argument("--pg-timeout", type=int, default=180)
    ap.add_argument("--profile", action="store_true",
                    help="also each graph's kernels (kernels CSV)")
    ap.add_argument("--skip-ar", action="store_true",
                    help="no all-reduce microbenchmark")
    ap.add_argument("--suffix", default="", help="added to the file names")
    args = ap.parse_args()
    args.meta = None
    t_start = time.time()

    torch.set_grad_enabled(False)
    ctx = S.Ctx(args)
    if not ctx.dist or not ctx.cuda:
        raise SystemExit("run under torchrun on GPUs (tp > 1)")
    tag = args.tag
    os.makedirs(args.outdir, exist_ok=True)
    ver = torch.__version__
    gpu = ctx.gpu
    nccl = ".".join(str(v) for v in torch.cuda.nccl.version())

    # -- 1. the all-reduce latency microbenchmark --------------------------
    ar_rows = []
    modes = () if args.skip_ar else (("eager", (0,)), ("graph", (0,)),
                                      ("graph_gap", GAP_BYTES[1:]))
    for mode, gaps in modes:
        for gap in gaps:
            for nb in AR_BYTES:
                t, gap_us = ar_bench(ctx, nb, "eager" if mode == "eager" else "graph",
                                     gap, args.ar_n, args.reps)
                med, p10, p90 = S.stats(t)
                ar_rows.append(f"{ctx.tp},{nb},{mode},{gap},{gap_us:.3f},{args.ar_n},"
                               f"{med:.3f},{p10:.3f},{p90:.3f},\"{gpu}\",{ver}")
                ctx.log(f"all-reduce {mode:9} gap {gap >> 20:3d} MiB ({gap_us:6.2f} us) "
                        f"{nb:>8} B: {med:8.3f} us (p10 {p10:.3f}, p90 {p90:.3f})")
                gc.collect()
                torch.cuda.empty_cache()
    if ctx.rank == 0 and ar_rows:
        with open(os.path.join(args.outdir, f"allreduce_{tag}{args.suffix}.csv"), "w") as f:
            f.write(AR_HEADER + "\n" + "\n".join(ar_rows) + "\n")

    # -- 2. the decode steps, split ---------------------------------------
    shape = S.load_shape(args.model)
    layers = args.layers or shape["layers"]
    cfgs = ([tuple(int(s) for s in c.split("x")) for c in args.decode.split(",")]
            if args.decode else list(DECODE))
    maxpos = max(c for _, c in cfgs) + 2
    m = S.Model(ctx, shape, layers, "vocab", torch.bfloat16, max(maxpos, 66))
    got = S.pick_attention(ctx, m)
    m.attn_prefill, m.attn_decode = got["prefill"][1], got["decode"][1]
    ctx.log(f"model {args.model}: {layers} layers, tp {ctx.tp}; decode attention "
            f"{got['decode'][0]}; NCCL {nccl}; {time.time() - t_start:.0f} s so far")
    real_ar = m.ar
    nar = 2 * layers
    probe_path = os.path.join(args.outdir, f"serve_tp_probe_{tag}{args.suffix}.csv")
    kern_path = os.path.join(args.outdir, f"serve_tp_kernels_{tag}{args.suffix}.csv")
    if ctx.rank == 0:
        with open(probe_path, "w") as f:
            f.write(PROBE_HEADER + "\n")
        if args.profile:
            with open(kern_path, "w") as f:
                f.write("batch,context_len,variant,kernel,calls,total_us\n")
    for b, c in cfgs:
        if ctx.agree_min(int(time.time() - t_start < args.budget_s)) == 0:
            ctx.log(f"decode B={b} C={c}: not started, past the budget")
            continue
        t0 = time.time()
        cache = m.new_cache(b, c + 1)
        gen = torch.Generator(device=ctx.dev)
        gen.manual_seed(11 + 1000 * b + c)
        ids = torch.randint(1, m.vocab, (b,), device=ctx.dev, generator=gen)

        def step():
            return m.decode(ids, c, cache)
        res, graphs = {}, {}
        for what in ("full", "nocomm"):
            m.ar = real_ar if what == "full" else (lambda x: x)
            graphs[what] = graph_of(ctx, step)
            res[what] = rank_times(ctx, graphs[what].replay, 5, args.reps)
        m.ar = real_ar
        # profiled only after both are timed: once, with each graph profiled
        # right after its timing, the nocomm graph timed after the full
        # one's profile ran 0.7-1.1 ms slower than without (cause not
        # established)
        for what in ("full", "nocomm") if args.profile else ():
            ks = kernel_profile(ctx, graphs[what])
            if ctx.rank == 0:
                with open(kern_path, "a") as f:
                    for name, calls, us in ks:
                        name = name.replace('"', "'")
                        f.write(f'{b},{c},{what},"{name[:160]}",{calls:g},{us:.3f}\n')
        del graphs
        gc.collect()
        x = torch.empty(b, shape["hidden"], dtype=torch.bfloat16, device=ctx.dev).normal_()

        def ars():
            for _ in range(nar):
                dist.all_reduce(x)
            return x
        g = graph_of(ctx, ars)
        tg, _ = rank_times(ctx, g.replay, 3, args.reps)
        del g
        te, _ = rank_times(ctx, ars, 3, args.reps)
        del cache, x
        gc.collect()
        torch.cuda.empty_cache()
        f_med, f_p10, f_p90 = S.stats(res["full"][0])
        n_med, n_p10, n_p90 = S.stats(res["nocomm"][0])
        row = (f"{args.model},{layers},{shape['hidden']},{ctx.tp},{b},{c},"
               f"{f_med:.3f},{f_p10:.3f},{f_p90:.3f},{n_med:.3f},{n_p10:.3f},{n_p90:.3f},"
               f"{min(res['full'][1]):.3f},{max(res['full'][1]):.3f},"
               f"{min(res['nocomm'][1]):.3f},{max(res['nocomm'][1]):.3f},"
               f"{nar},{b * shape['hidden'] * 2},"
               f"{statistics.median(tg) / nar * 1e3:.3f},{statistics.median(te) / nar * 1e3:.3f},"
               f"\"{gpu}\",{ver}")
        if ctx.rank == 0:
            with open(probe_path, "a") as f:
                f.write(row + "\n")
        ctx.log(f"decode B={b:3d} C={c:5d}: full {f_med:7.3f} ms, nocomm {n_med:7.3f} ms, "
                f"diff/AR {(f_med - n_med) / nar * 1e3:6.2f} us, AR graph "
                f"{statistics.median(tg) / nar * 1e3:6.2f} us, eager "
                f"{statistics.median(te) / nar * 1e3:6.2f} us  [{time.time() - t0:.1f} s]")
    ctx.log(f"probe done in {time.time() - t_start:.0f} s "
            f"({datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC)")
    ctx.align()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
