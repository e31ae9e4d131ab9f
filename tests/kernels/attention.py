#!/usr/bin/env python3
"""FlashAttention microbenchmark for dcsim's attention op cost model.

What it measures
    The GPU time of torch.nn.functional.scaled_dot_product_attention (SDPA)
    in bf16 on one CUDA device, for three sections:
      * op=attention, pass=fwd  : prefill / training forward,
                                  q,k,v = [batch, heads, seq, head_dim]
      * op=decode_attention     : one query token against a KV cache,
                                  q = [batch, heads, 1, head_dim],
                                  k,v = [batch, kv_heads, kv_seq, head_dim]
                                  (grouped-query attention when kv_heads < heads)
      * op=attention, pass=bwd  : training backward; only out.backward(dout)
                                  is timed, the forward of every repetition
                                  runs outside the timed region.
    The backend is pinned with torch.nn.attention.sdpa_kernel: FLASH_ATTENTION
    first; if SDPA refuses it (RuntimeError) the shape is retried with
    EFFICIENT_ATTENTION, and if that is refused too the shape is skipped with
    a note on stderr. The backend that ran is recorded in the `backend` column;
    nothing falls back silently.

How
    * Data: random normal bf16 (torch.manual_seed(0)), never zeros.
    * Rotating inputs: when one input set (q,k,v [+dout]) is under 128 MiB,
      several independent sets (>= 256 MiB in all, at most 64 sets) are kept
      and cycled through across repetitions, so inputs are not served from
      the 50-60 MB L2 cache.
    * Warm-up: 3 untimed calls (the first also picks the backend); the wall
      time of the last two sets the repetition count so that each shape's
      timed loop takes ~0.15 s (at least 5, at most 200 repetitions).
    * Every repetition is timed with its own pair of
      torch.cuda.Event(enable_timing=True) around the SDPA call (fwd/decode)
      or around out.backward(dout) (bwd). For short calls (< 300 us) a
      torch.cuda._sleep kernel is queued before each chunk of repetitions,
      outside the timed regions, so the CPU can queue the chunk ahead of the
      GPU and the events see GPU time rather than Python/launch overhead.
    * time_us is the median, time_us_p10 / time_us_p90 the 10th / 90th
      percentiles of the individual repetitions; reps is their count.
    * After each shape: torch.cuda.synchronize(), and one
      torch.isfinite(...).all() check of the output (and, for bwd, of the
      gradients); a non-finite result aborts the run loudly.
    * torch.cuda.OutOfMemoryError skips the shape with a note on stderr.
    * Rows are written and flushed as they are produced, so a timeout still
      leaves data. A global deadline (~140 s) skips the remaining shapes,
      with a note, so the whole run stays under ~150 s on an H100.

FLOP accounting (flops column; tflops = flops / time_us / 1e6)
    attention fwd : 4 * batch * heads * seq * kv_seq * head_dim
                    (two matmuls, QK^T and PV, 2 FLOPs per MAC),
                    halved when causal (seq == kv_seq here).
    attention bwd : 2.5 x the forward count (FlashAttention-2 accounting:
                    5 matmuls in the backward against 2 in the forward; the
                    recomputation of QK^T is counted).
    decode        : 4 * batch * heads * 1 * kv_seq * head_dim (never causal).

CSV columns (dcsim op vocabulary first; m, n, k are 0 for attention ops):
    op,dtype,m,n,k,batch,heads,seq,kv_seq,head_dim,causal,pass,kv_heads,
    backend,time_us,time_us_p10,time_us_p90,reps,flops,tflops
    For decode_attention, seq = 1 (query tokens) and kv_seq = cache length.

Usage
    python3 tests/kernels/attention.py OUTDIR [--quick]
    writes OUTDIR/attention.csv; --quick runs ~5 shapes per section.
"""

import argparse
import csv
import gc
import math
import os
import statistics
import sys
import time
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel

HEADER = [
    "op", "dtype", "m", "n", "k", "batch", "heads", "seq", "kv_seq",
    "head_dim", "causal", "pass", "kv_heads", "backend", "time_us",
    "time_us_p10", "time_us_p90", "reps", "flops", "tflops",
]

DTYPE = torch.bfloat16
DTYPE_NAME = "bf16"
ELEM = 2                          # bytes per bf16 element

MEM_LIMIT_BYTES = 40e9            # skip shapes that would need more than this
ROTATE_BELOW_BYTES = 128 << 20    # rotate input sets smaller than this ...
ROTATE_TARGET_BYTES = 256 << 20   # ... until all sets together reach this
MAX_SETS = 64

WARMUP = 3
MIN_REPS = 5
MAX_REPS = 200
TARGET_LOOP_S = 0.15              # wall time of one shape's timed loop

SLEEP_BELOW_S = 300e-6            # pre-queue with torch.cuda._sleep below this
SLEEP_CHUNK = 32                  # repetitions queued behind one sleep kernel
SLEEP_MAX_S = 0.03
SLEEP_CYCLES_PER_S = 2.0e9        # ~H100/H200 SM clock; only sizes the sleep

DEADLINE_S = 140.0                # skip what is left after this (whole run)

T0 = time.perf_counter()


def note(msg):
    print(f"[{time.perf_counter() - T0:7.1f}s] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# Shapes
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Shape:
    op: str           # "attention" | "decode_attention"
    pas: str          # "fwd" | "bwd"
    batch: int
    heads: int
    kv_heads: int
    seq: int          # query tokens (1 for decode)
    kv_seq: int
    head_dim: int
    causal: int

    def flops(self):
        f = 4 * self.batch * self.heads * self.seq * self.kv_seq * self.head_dim
        if self.causal:
            assert self.seq == self.kv_seq, "causal FLOP halving assumes seq == kv_seq"
            f //= 2
        if self.pas == "bwd":
            f = f * 5 // 2
        return f

    def q_elems(self):
        return self.batch * self.heads * self.seq * self.head_dim

    def kv_elems(self, heads=None):
        h = self.kv_heads if heads is None else heads
        return self.batch * h * self.kv_seq * self.head_dim

    def set_bytes(self, kv_heads=None):
        """Bytes of one input set: q, k, v (+ dout for bwd)."""
        qe = self.q_elems()
        kve = self.kv_elems(kv_heads)
        n_q = 2 if self.pas == "bwd" else 1      # dout has q's shape
        return ELEM * (n_q * qe + 2 * kve)

    def extra_bytes(self, kv_heads=None):
        """Rough workspace beside the input sets (outputs, grads, lse, ...)."""
        qe = self.q_elems()
        kve = self.kv_elems(kv_heads)
        rows = self.batch * self.heads * self.seq
        if self.pas == "bwd":
            # out, dq/dk/dv, fp32 dq accumulator, lse + softmax_d (fp32)
            return ELEM * (qe + qe + 2 * kve) + 4 * qe + 8 * rows + (64 << 20)
        # two outputs alive at once, lse, split-kv accumulators (decode)
        return ELEM * 2 * qe + 4 * rows + 4 * rows * self.head_dim * 2 + (64 << 20)

    def desc(self):
        kvh = f" kvh={self.kv_heads}" if self.kv_heads != self.heads else ""
        return (f"{self.op} {self.pas} b={self.batch} h={self.heads}{kvh} "
                f"s={self.seq} kv={self.kv_seq} d={self.head_dim} causal={self.causal}")


# (batch, heads, seq): batch * seq is 8k..64k tokens; heads 64 only for hd 64.
ATTN_HD64 = [
    (16, 8, 512), (64, 16, 512), (64, 64, 512),
    (16, 16, 1024), (32, 32, 1024),
    (16, 16, 1536),
    (4, 8, 2048), (16, 32, 2048), (8, 64, 2048),
    (4, 16, 3000),
    (4, 16, 4096), (8, 32, 4096), (4, 64, 4096),
    (2, 32, 6144),
    (1, 16, 8192), (4, 32, 8192), (2, 64, 8192),
    (1, 32, 16384), (1, 64, 16384),
    (1, 16, 32768),
]
ATTN_HD128 = [
    (32, 8, 512), (64, 16, 512), (128, 32, 512),
    (16, 16, 1024), (32, 32, 1024),
    (16, 16, 1536),
    (4, 8, 2048), (16, 16, 2048), (16, 32, 2048),
    (4, 32, 3000),
    (2, 16, 4096), (8, 32, 4096),
    (2, 32, 6144),
    (1, 8, 8192), (4, 32, 8192),
    (1, 16, 16384),
    (1, 8, 32768), (1, 16, 32768),
]

DECODE_HEAD_DIM = 128
DECODE_HEADS = [(32, 32), (32, 8), (64, 8)]          # (heads, kv_heads)
DECODE_KV_ALL = [512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072]
DECODE_KV_SPARSE = [512, 2048, 8192, 32768, 131072]  # for the large batches
DECODE_BATCH_KV = [(1, DECODE_KV_ALL), (8, DECODE_KV_ALL),
                   (32, DECODE_KV_SPARSE), (64, DECODE_KV_SPARSE)]


def attention_shapes(pas):
    out = []
    for hd, grid in ((64, ATTN_HD64), (128, ATTN_HD128)):
        for causal in (0, 1):
            for b, h, s in grid:
                out.append(Shape("attention", pas, b, h, h, s, s, hd, causal))
    return out


def decode_shapes():
    out = []
    dropped = 0
    for h, kvh in DECODE_HEADS:
        for b, kvs in DECODE_BATCH_KV:
            for kv in kvs:
                sh = Shape("decode_attention", "fwd", b, h, kvh, 1, kv,
                           DECODE_HEAD_DIM, 0)
                if ELEM * 2 * sh.kv_elems() > MEM_LIMIT_BYTES:
                    dropped += 1
                    continue
                out.append(sh)
    return out, dropped


def pick_quick(shapes, n=5):
    if len(shapes) <= n:
        return shapes
    idx = sorted({round(i * (len(shapes) - 1) / (n - 1)) for i in range(n)})
    return [shapes[i] for i in idx]


# --------------------------------------------------------------------------
# Measurement
# --------------------------------------------------------------------------

BACKEND_NAMES = {
    SDPBackend.FLASH_ATTENTION: "flash",
    SDPBackend.EFFICIENT_ATTENTION: "efficient",
}

_SLEEP = getattr(torch.cuda, "_sleep", None)

# Substrings of RuntimeError messages that mean the GPU is in a bad state;
# those abort the run instead of being treated as "backend refused".
_FATAL_MARKERS = ("CUDA error", "illegal memory", "device-side assert",
                  "unspecified launch failure", "CUBLAS_STATUS", "cudaError")


class NotRun(Exception):
    """The shape is skipped (reason in the message)."""


def percentile(sorted_xs, p):
    n = len(sorted_xs)
    if n == 1:
        return sorted_xs[0]
    pos = p / 100.0 * (n - 1)
    lo = int(math.floor(pos))
    hi = min(lo + 1, n - 1)
    return sorted_xs[lo] + (sorted_xs[hi] - sorted_xs[lo]) * (pos - lo)


def n_sets_for(set_bytes):
    if set_bytes >= ROTATE_BELOW_BYTES:
        return 1
    return max(2, min(MAX_SETS, math.ceil(ROTATE_TARGET_BYTES / set_bytes)))


def check_memory(need, what):
    if need > MEM_LIMIT_BYTES:
        raise NotRun(f"{what} needs ~{need / 1e9:.1f} GB > {MEM_LIMIT_BYTES / 1e9:.0f} GB limit")
    free, _total = torch.cuda.mem_get_info()
    if need > 0.95 * free:
        raise NotRun(f"{what} needs ~{need / 1e9:.1f} GB, only {free / 1e9:.1f} GB free")


def randn(shape, requires_grad=False):
    return torch.randn(shape, device="cuda", dtype=DTYPE, requires_grad=requires_grad)


def make_sets(sh, n_sets):
    b, h, kvh, s, kv, d = sh.batch, sh.heads, sh.kv_heads, sh.seq, sh.kv_seq, sh.head_dim
    grad = sh.pas == "bwd"
    sets = []
    for _ in range(n_sets):
        q = randn((b, h, s, d), grad)
        k = randn((b, kvh, kv, d), grad)
        v = randn((b, kvh, kv, d), grad)
        if grad:
            sets.append((q, k, v, randn((b, h, s, d))))
        else:
            sets.append((q, k, v))
    return sets


def expand_set(st, groups):
    # GQA fallback: replicate each KV head `groups` times (heads h*g..h*g+g-1
    # share KV head h, as in enable_gqa). Done once, before timing: the
    # expansion's cost is NOT timed, only the SDPA call is.
    q, k, v = st[0], st[1], st[2]
    return (q, k.repeat_interleave(groups, dim=1), v.repeat_interleave(groups, dim=1)) + tuple(st[3:])


def make_rep(sh, sets, mode):
    """Returns rep(i, start, end) running one repetition on set i % n.

    start/end are CUDA events (or None for untimed calls); they bracket the
    SDPA call (fwd, decode) or out.backward(dout) only (bwd)."""
    causal = bool(sh.causal)
    kw = {"enable_gqa": True} if mode == "gqa" else {}
    n = len(sets)

    if sh.pas == "fwd":
        def rep(i, start, end):
            q, k, v = sets[i % n][:3]
            with torch.no_grad():
                if start is not None:
                    start.record()
                out = F.scaled_dot_product_attention(q, k, v, is_causal=causal, **kw)
                if end is not None:
                    end.record()
            return out
        return rep

    def rep(i, start, end):
        q, k, v, dout = sets[i % n]
        q.grad = None
        k.grad = None
        v.grad = None
        out = F.scaled_dot_product_attention(q, k, v, is_causal=causal, **kw)  # untimed
        if start is not None:
            start.record()
        out.backward(dout)
        if end is not None:
            end.record()
        return out
    return rep


def is_refusal(err):
    msg = str(err)
    return not any(m in msg for m in _FATAL_MARKERS)


def timed_loop(rep, reps, est_s):
    starts = [torch.cuda.Event(enable_timing=True) for _ in range(reps)]
    ends = [torch.cuda.Event(enable_timing=True) for _ in range(reps)]
    use_sleep = _SLEEP is not None and est_s < SLEEP_BELOW_S
    chunk = SLEEP_CHUNK if use_sleep else reps
    out = None
    gc.disable()      # no collector pauses while repetitions are queued
    try:
        for c0 in range(0, reps, chunk):
            c1 = min(reps, c0 + chunk)
            if use_sleep:
                # Untimed: keeps the GPU busy while the CPU queues the chunk.
                sleep_s = min(SLEEP_MAX_S, 1.5 * (c1 - c0) * est_s)
                _SLEEP(int(sleep_s * SLEEP_CYCLES_PER_S))
            for i in range(c0, c1):
                out = rep(i, starts[i], ends[i])
    finally:
        gc.enable()
    torch.cuda.synchronize()
    times_us = [s.elapsed_time(e) * 1000.0 for s, e in zip(starts, ends)]
    return times_us, out


def variants_for(sh):
    """(SDPBackend, mode) in the order they are tried; mode is
    'plain', 'gqa' (enable_gqa=True) or 'expand' (KV heads replicated)."""
    out = []
    for be in (SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION):
        if sh.kv_heads != sh.heads:
            out += [(be, "gqa"), (be, "expand")]
        else:
            out.append((be, "plain"))
    return out


def run_shape(sh):
    """Measures one shape; returns a CSV row dict. Raises NotRun to skip."""
    groups = sh.heads // sh.kv_heads
    set_bytes = sh.set_bytes()
    n_sets = n_sets_for(set_bytes)
    check_memory(n_sets * set_bytes + sh.extra_bytes(), "shape")
    sets = make_sets(sh, n_sets)

    chosen = None
    for be, mode in variants_for(sh):
        name = BACKEND_NAMES[be]
        probe_sets = sets
        if mode == "expand":
            exp_bytes = sh.set_bytes(sh.heads)
            try:
                check_memory(n_sets * (set_bytes + exp_bytes) + sh.extra_bytes(sh.heads),
                             f"{name} with KV expanded to {sh.heads} heads")
            except NotRun as e:
                note(f"  {sh.desc()}: {e}; not trying it")
                continue
            probe_sets = [expand_set(sets[0], groups)]
        try:
            with sdpa_kernel([be]):
                make_rep(sh, probe_sets, mode)(0, None, None)   # warm-up call 1
            torch.cuda.synchronize()
        except torch.cuda.OutOfMemoryError:
            raise
        except RuntimeError as e:
            if not is_refusal(e):
                raise
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            note(f"  {sh.desc()}: backend {name} ({mode}) refused: {first}")
            continue
        chosen = (be, mode)
        del probe_sets
        break
    if chosen is None:
        raise NotRun("no SDPA backend (flash, efficient) accepted it")
    be, mode = chosen
    backend = BACKEND_NAMES[be]

    if mode == "expand":
        # Replace set by set so natives are freed as expanded copies appear.
        # The expansion is not timed; kv_heads keeps the real KV head count.
        note(f"  {sh.desc()}: {backend} refused enable_gqa; KV expanded with "
             f"repeat_interleave (expansion untimed)")
        for i in range(len(sets)):
            sets[i] = expand_set(sets[i], groups)

    rep = make_rep(sh, sets, mode)
    with sdpa_kernel([be]):
        # Warm-up calls 2 and 3, wall-timed to size the repetition count.
        torch.cuda.synchronize()
        t = time.perf_counter()
        for i in range(1, WARMUP):
            rep(i, None, None)
        torch.cuda.synchronize()
        est_s = (time.perf_counter() - t) / max(1, WARMUP - 1)
        reps = int(max(MIN_REPS, min(MAX_REPS, TARGET_LOOP_S / max(est_s, 1e-6))))
        times_us, out = timed_loop(rep, reps, est_s)

    torch.cuda.synchronize()
    checks = [("out", out)]
    if sh.pas == "bwd":
        q, k, v = sets[(reps - 1) % len(sets)][:3]
        checks += [("dq", q.grad), ("dk", k.grad), ("dv", v.grad)]
    for what, tns in checks:
        if tns is None or not bool(torch.isfinite(tns).all()):
            raise SystemExit(f"FATAL: non-finite or missing {what} for {sh.desc()} "
                             f"(backend {backend}); aborting")

    ts = sorted(times_us)
    med = statistics.median(ts)
    flops = sh.flops()
    return {
        "op": sh.op, "dtype": DTYPE_NAME, "m": 0, "n": 0, "k": 0,
        "batch": sh.batch, "heads": sh.heads, "seq": sh.seq, "kv_seq": sh.kv_seq,
        "head_dim": sh.head_dim, "causal": sh.causal, "pass": sh.pas,
        "kv_heads": sh.kv_heads, "backend": backend,
        "time_us": f"{med:.3f}",
        "time_us_p10": f"{percentile(ts, 10):.3f}",
        "time_us_p90": f"{percentile(ts, 90):.3f}",
        "reps": reps, "flops": flops,
        "tflops": f"{flops / med / 1e6:.3f}",
    }


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------

def describe_device():
    props = torch.cuda.get_device_properties(0)
    l2 = getattr(props, "L2_cache_size", None)
    impl = None
    fn = getattr(torch.nn.attention, "current_flash_attention_impl", None)
    if fn is not None:
        try:
            impl = fn()
        except Exception as e:  # informational only
            impl = f"? ({type(e).__name__})"
    note(f"torch {torch.__version__}, CUDA {torch.version.cuda}, "
         f"{props.name} (sm_{props.major}{props.minor}, "
         f"{props.total_memory / 2**30:.0f} GiB"
         + (f", L2 {l2 / 2**20:.0f} MiB" if l2 else "") + ")"
         + (f", flash impl {impl}" if impl is not None else ""))
    if _SLEEP is None:
        note("torch.cuda._sleep not available: short calls are timed without pre-queueing")


def main():
    ap = argparse.ArgumentParser(description="FlashAttention (SDPA) microbenchmark")
    ap.add_argument("outdir", help="directory for attention.csv")
    ap.add_argument("--quick", action="store_true", help="~5 shapes per section (smoke test)")
    args = ap.parse_args()

    if not torch.cuda.is_available():
        sys.exit("attention.py: CUDA is not available")
    os.makedirs(args.outdir, exist_ok=True)
    path = os.path.join(args.outdir, "attention.csv")

    torch.manual_seed(0)
    describe_device()

    dec, dropped = decode_shapes()
    if dropped:
        note(f"decode grid: {dropped} combinations dropped (KV cache > "
             f"{MEM_LIMIT_BYTES / 1e9:.0f} GB)")
    # Decode runs before bwd so that, if the deadline hits, the cheapest
    # section is not the one lost.
    sections = [
        ("attention fwd", attention_shapes("fwd")),
        ("decode_attention fwd", dec),
        ("attention bwd", attention_shapes("bwd")),
    ]
    if args.quick:
        sections = [(name, pick_quick(shs)) for name, shs in sections]
    note("planned: " + ", ".join(f"{name} {len(shs)}" for name, shs in sections))

    counts = {}
    skipped = {}
    best = None
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=HEADER)
        w.writeheader()
        f.flush()
        for name, shapes in sections:
            t_sec = time.perf_counter()
            n_ok = n_skip = 0
            for j, sh in enumerate(shapes):
                if time.perf_counter() - T0 > DEADLINE_S:
                    n_skip += len(shapes) - j
                    note(f"  deadline ({DEADLINE_S:.0f} s) passed: skipping the "
                         f"{len(shapes) - j} remaining shapes of {name}, from {sh.desc()}")
                    break
                row = None
                reason = None
                try:
                    row = run_shape(sh)
                except torch.cuda.OutOfMemoryError as e:
                    first = str(e).strip().splitlines()[0] if str(e).strip() else ""
                    reason = f"out of memory ({first[:120]})"
                except NotRun as e:
                    reason = str(e)
                if row is None:
                    # Outside the except block, so the traceback's references
                    # to the tensors are gone before the cache is emptied.
                    note(f"  SKIP {sh.desc()}: {reason}")
                    n_skip += 1
                    gc.collect()
                else:
                    w.writerow(row)
                    f.flush()
                    n_ok += 1
                    key = (row["op"], row["pass"])
                    counts[key] = counts.get(key, 0) + 1
                    tf = float(row["tflops"])
                    if best is None or tf > best[0]:
                        best = (tf, sh.desc(), row["backend"])
                    print(f"  {sh.desc():<70} {row['backend']:<9} "
                          f"{float(row['time_us']):11.1f} us  {tf:7.1f} TFLOP/s  "
                          f"reps {row['reps']}", file=sys.stderr, flush=True)
                torch.cuda.empty_cache()
            skipped[name] = n_skip
            note(f"section {name}: {n_ok} rows, {n_skip} skipped, "
                 f"{time.perf_counter() - t_sec:.1f} s")

    print(f"wrote {path}  ({time.perf_counter() - T0:.1f} s)", flush=True)
    for (op, pas), n in sorted(counts.items()):
        print(f"  {op:<17} {pas}: {n} rows", flush=True)
    for name, n in skipped.items():
        if n:
            print(f"  {name}: {n} shapes skipped (see stderr)", flush=True)
    if best is not None:
        print(f"  max {best[0]:.1f} TFLOP/s: {best[1]} ({best[2]})", flush=True)
    else:
        print("  no rows measured", flush=True)


if __name__ == "__main__":
    main()
