#!/usr/bin/env python3
"""eager.py - what plain PyTorch adds to a model's GPU kernels.

Three microbenchmarks, one CSV (one row each measurement):

* host: the host's time to issue one eager step of a toy decoder
  (tests/validation/serve_step.py's own layer code, hidden 256, so the GPU
  work is negligible and the host sets the pace), divided by the CUDA
  kernels the step launches (counted by the profiler): seconds of Python
  and dispatch per kernel. Rows `host_decode`, `host_prefill`, for toy
  models of 2, 4 and 8 layers.
* graph / stream: the GPU's time per kernel of the same toy step replayed
  as a CUDA graph, and run eagerly with the host far ahead (the stream is
  held by a sleep kernel while at most ~900 kernels are queued: the launch
  queue holds about 1,000), so each measures the GPU side only: what a tiny kernel costs back to back, with and
  without graph launch. Rows `graph_decode`, `stream_decode`.
* strided: elementwise kernels as serve_step.py runs them on views of a
  fused GEMM's output (rotary embedding of q and k from the QKV output,
  SwiGLU's silu and product from the gate/up output), and the same on
  contiguous tensors, at Llama 3 8B widths and 128 to 32,768 tokens: bytes
  moved and GPU time (CUDA events, median of 20 after 3 warm-ups). Rows
  `rope_neg`, `rope_cat`, `rope_mul`, `rope_add`, `silu`, `mul`, each with
  layout `strided` or `contiguous`.

Columns: kind, op, layout, layers, tokens, width, kernels, bytes, time_us,
time_us_p10, time_us_p90, gpu, torch.
usage: eager.py OUT.csv
"""
import csv
import importlib.util
import os
import statistics
import sys
import time
import types

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "serve_step", os.path.join(HERE, "..", "validation", "serve_step.py"))
ss = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ss)

DEV = "cuda"
BF = torch.bfloat16
COLS = ["kind", "op", "layout", "layers", "tokens", "width", "kernels", "bytes",
        "time_us", "time_us_p10", "time_us_p90", "gpu", "torch"]


def q(xs, f):
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, int(round(f * (len(s) - 1)))))]


def count_kernels(fn):
    from torch.profiler import profile, ProfilerActivity
    fn()
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CUDA]) as p:
        fn()
        torch.cuda.synchronize()
    n = 0
    for e in p.events():
        dt = getattr(e, "device_type", None)
        if dt is not None and "CUDA" in str(dt) and not e.name.startswith(("Memcpy", "Memset")):
            n += 1
    return n


def toy(layers):
    ctx = types.SimpleNamespace(tp=1, rank=0, dev=DEV, cuda=True)
    shape = dict(layers=layers, hidden=256, ffn_hidden=512, heads=4, kv_heads=1,
                 vocab=1024)
    m = ss.Model(ctx, shape, layers, "vocab", BF, 64)
    att = ss.Attention(ss.SDPBackend.FLASH_ATTENTION, True)
    m.attn_prefill = m.attn_decode = att
    return m


def host_rows(out, meta):
    for layers in (2, 4, 8):
        m = toy(layers)
        ids1 = torch.randint(1, m.vocab, (1,), device=DEV)
        idsp = torch.randint(1, m.vocab, (1, 8), device=DEV)
        cache = m.new_cache(1, 40)
        steps = {
            "decode": lambda: m.decode(ids1, 16, cache),
            "prefill": lambda: m.prefill(idsp, cache),
        }
        for name, fn in steps.items():
            k = count_kernels(fn)
            for _ in range(20):
                fn()
            torch.cuda.synchronize()
            per = []
            for _ in range(15):
                n = 50
                t0 = time.perf_counter()
                for _ in range(n):
                    fn()
                t1 = time.perf_counter()  # issued; the GPU may still run
                torch.cuda.synchronize()
                per.append((t1 - t0) / n * 1e6)
            out.writerow(["host", name, "eager", layers, 1 if name == "decode" else 8, 256,
                          k, 0, f"{statistics.median(per):.3f}", f"{q(per, 0.1):.3f}",
                          f"{q(per, 0.9):.3f}"] + meta)
            print(f"host {name} layers {layers}: {k} kernels, "
                  f"{statistics.median(per):.1f} us/step, "
                  f"{statistics.median(per) / k:.2f} us/kernel", flush=True)
        # GPU side of the decode step: graph replay and stream back to back
        fn = steps["decode"]
        k = count_kernels(fn)
        s = torch.cuda.Stream()
        s.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(s):
            for _ in range(3):
                fn()
        torch.cuda.current_stream().wait_stream(s)
        g = torch.cuda.CUDAGraph()
        with torch.cuda.graph(g):
            fn()
        for _ in range(5):
            g.replay()
        torch.cuda.synchronize()
        # at most ~900 kernels queued behind the sleep: the launch queue
        # holds about 1,000, and a full queue would pace the GPU by the host
        reps = max(2, 900 // k)
        for kind in ("graph", "stream"):
            per = []
            for _ in range(9):
                torch.cuda._sleep(200_000_000 if kind == "stream" else 1000)
                e0 = torch.cuda.Event(enable_timing=True)
                e1 = torch.cuda.Event(enable_timing=True)
                e0.record()
                for _ in range(reps):
                    g.replay() if kind == "graph" else fn()
                e1.record()
                torch.cuda.synchronize()
                per.append(e0.elapsed_time(e1) * 1e3 / reps)
            out.writerow([kind, "decode", "eager", layers, 1, 256, k, 0,
                          f"{statistics.median(per):.3f}", f"{q(per, 0.1):.3f}",
                          f"{q(per, 0.9):.3f}"] + meta)
            print(f"{kind} decode layers {layers}: {statistics.median(per):.1f} us/step, "
                  f"{statistics.median(per) / k:.2f} us/kernel", flush=True)
        del g, m, cache


def timed(fn):
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    per = []
    for _ in range(20):
        e0 = torch.cuda.Event(enable_timing=True)
        e1 = torch.cuda.Event(enable_timing=True)
        e0.record()
        fn()
        e1.record()
        torch.cuda.synchronize()
        per.append(e0.elapsed_time(e1) * 1e3)
    return statistics.median(per), q(per, 0.1), q(per, 0.9)


def strided_rows(out, meta):
    hd, hq, hkv, ffn = 128, 32, 8, 14336
    qw, kw = hq * hd, hkv * hd
    cos_all = torch.randn(32768, hd, device=DEV, dtype=BF)
    sin_all = torch.randn(32768, hd, device=DEV, dtype=BF)
    for t in (128, 512, 2048, 8192, 32768):
        qkv = torch.randn(t, qw + 2 * kw, device=DEV, dtype=BF)
        cos = cos_all[:t].view(1, t, 1, hd)
        sin = sin_all[:t].view(1, t, 1, hd)
        for which, width, heads in (("q", qw, hq), ("k", kw, hkv)):
            lo = 0 if which == "q" else qw
            view = qkv[:, lo:lo + width].view(1, t, heads, hd)
            for layout in ("strided", "contiguous"):
                x = view if layout == "strided" else view.contiguous()
                half = hd // 2
                m = t * width
                neg = -x[..., half:]
                rot = torch.cat((neg, x[..., :half]), dim=-1)
                a = x * cos
                b = rot * sin
                cases = [
                    ("rope_neg", lambda: -x[..., half:], 2 * (m // 2) * 2),
                    ("rope_cat", lambda: torch.cat((neg, x[..., :half]), dim=-1), 2 * m * 2),
                    ("rope_mul", lambda: x * cos, 2 * m * 2 + t * hd * 2),
                    ("rope_add", lambda: a + b, 3 * m * 2),
                ]
                for op, fn, nbytes in cases:
                    med, p10, p90 = timed(fn)
                    out.writerow(["strided", op + "_" + which, layout, 0, t, width, 1, nbytes,
                                  f"{med:.3f}", f"{p10:.3f}", f"{p90:.3f}"] + meta)
        del qkv
        if t * 2 * ffn * 2 <= 2 ** 31:
            gu = torch.randn(t, 2 * ffn, device=DEV, dtype=BF)
            g0, u0 = gu.chunk(2, dim=-1)
            for layout in ("strided", "contiguous"):
                g = g0 if layout == "strided" else g0.contiguous()
                u = u0 if layout == "strided" else u0.contiguous()
                sg = F.silu(g)
                m = t * ffn
                for op, fn, nbytes in (("silu", lambda: F.silu(g), 2 * m * 2),
                                       ("mul", lambda: sg * u, 3 * m * 2)):
                    med, p10, p90 = timed(fn)
                    out.writerow(["strided", op, layout, 0, t, ffn, 1, nbytes,
                                  f"{med:.3f}", f"{p10:.3f}", f"{p90:.3f}"] + meta)
            del gu
        print(f"strided: {t} tokens done", flush=True)


def main():
    path = sys.argv[1]
    meta = [torch.cuda.get_device_name(0), torch.__version__]
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(COLS)
        host_rows(out, meta)
        f.flush()
        strided_rows(out, meta)


if __name__ == "__main__":
    main()
