#!/usr/bin/env python3
"""norm_eager.py - plain PyTorch's RMSNorm kernel at serving shapes.

tests/validation/serve_step.py normalises with torch.nn.functional.rms_norm
(PyTorch's own fused kernel), not with the kernel
tests/kernels/membound.cu measures for the op model. This times that call,
as serve_step.py makes it (serve_step.rmsnorm: bf16 input and weight,
eps 1e-5), on (tokens, width) bf16 inputs, each call captured 20 times in
one CUDA graph (as a graphed decode step runs it) and the graph's replays
timed with CUDA events: 3 warm-ups, median and p10/p90 of 20, per call.
Random inputs, never zero; the output checked against a float64 reference.

Columns as eager.csv: kind (norm), op (rmsnorm), layout (graph), layers
(0), tokens, width, kernels (calls per replay), bytes (input and output,
weight once), time_us (per call), time_us_p10, time_us_p90, gpu, torch.
usage: norm_eager.py OUT.csv
"""
import csv
import importlib.util
import os
import statistics
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "serve_step", os.path.join(HERE, "..", "validation", "serve_step.py"))
ss = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ss)

COLS = ["kind", "op", "layout", "layers", "tokens", "width", "kernels", "bytes",
        "time_us", "time_us_p10", "time_us_p90", "gpu", "torch"]
WIDTHS = (2048, 4096, 8192, 16384)
TOKENS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192)
CALLS = 20


def q(xs, f):
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, int(round(f * (len(s) - 1)))))]


def main():
    out = sys.argv[1]
    torch.set_grad_enabled(False)
    dev = torch.device("cuda", 0)
    gpu = torch.cuda.get_device_name(dev)
    rows = []
    for width in WIDTHS:
        for tokens in TOKENS:
            x = torch.randn(tokens, width, device=dev).to(torch.bfloat16)
            w = (1 + 0.05 * torch.randn(width, device=dev)).to(torch.bfloat16)
            ref = x.double() * torch.rsqrt(x.double().pow(2).mean(-1, keepdim=True) + ss.EPS) \
                * w.double()
            y = ss.rmsnorm(x, w)
            err = ((y.double() - ref).norm() / ref.norm()).item()
            if not err < 1e-2:
                raise SystemExit(f"rmsnorm {tokens}x{width}: rel err {err:.2e}")
            s = torch.cuda.Stream()
            s.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(s):
                for _ in range(2):
                    ss.rmsnorm(x, w)
            torch.cuda.current_stream().wait_stream(s)
            g = torch.cuda.CUDAGraph()
            with torch.cuda.graph(g):
                for _ in range(CALLS):
                    y = ss.rmsnorm(x, w)
            for _ in range(3):
                g.replay()
            torch.cuda.synchronize()
            ts = []
            for _ in range(20):
                e0 = torch.cuda.Event(enable_timing=True)
                e1 = torch.cuda.Event(enable_timing=True)
                e0.record()
                g.replay()
                e1.record()
                e1.synchronize()
                ts.append(e0.elapsed_time(e1) * 1e3 / CALLS)
            nbytes = 2 * (2 * tokens * width + width)
            rows.append(["norm", "rmsnorm", "graph", 0, tokens, width, CALLS, nbytes,
                         f"{statistics.median(ts):.3f}", f"{q(ts, 0.1):.3f}",
                         f"{q(ts, 0.9):.3f}", gpu, torch.__version__])
            print(f"rmsnorm {tokens:5d} x {width:5d}: {statistics.median(ts):7.3f} us "
                  f"({nbytes / statistics.median(ts) / 1e3:7.1f} GB/s), rel err {err:.1e}",
                  flush=True)
            del g
    with open(out, "w", newline="") as f:
        wr = csv.writer(f)
        wr.writerow(COLS)
        wr.writerows(rows)


if __name__ == "__main__":
    main()
