"""serve_step.py - time real LLM serving steps (prefill and decode).

The measurements dcsim's inference model is validated against: the two
steps of serving a Llama-style decoder, in plain PyTorch with random bf16
weights (nothing downloaded), so the shapes are known exactly:
  * shapes read from workloads/models/<model>.yaml (layers, hidden,
    ffn_hidden, heads, kv_heads, vocab); head dim hidden / heads;
  * RMSNorm, rotary positions (theta 500,000), grouped-query attention
    (kv_heads K/V heads), SwiGLU FFN (gate and up in one GEMM), no biases,
    untied LM head;
  * tensor parallel over the torchrun world, Megatron-style: QKV and
    gate/up split by columns (heads, kv_heads and ffn_hidden / tp on each
    rank), o_proj and down by rows, one NCCL all-reduce (bf16) of the
    block's activations after attention and one after the FFN per layer;
  * embedding and LM head split by vocabulary over tp (the default, as
    vLLM: masked lookup + all-reduce, local logits + all-gather), or
    whole on every rank with --head replicated (no collective);
  * prefill: B prompts of P tokens, causal attention through
    scaled_dot_product_attention (the backend probed at start: flash, then
    cuDNN, efficient, math; GQA natively if the backend takes it, else K/V
    repeated), K and V written into a preallocated cache, logits for the
    last token of each sequence only;
  * decode: one new token for each of B sequences at position C, each
    attending to its cache of C tokens (random, already there) plus its
    own (C + 1 keys), K/V appended to the cache, logits for all B tokens.
    The step is captured in a CUDA graph and its replays timed (vLLM
    style); the same step run eagerly is timed too (eager_ms).
Timing: CUDA events around each step after warm-up (prefill 3 + 12
timed, decode 5 + 20 timed, eager and graph), median and p10/p90 (nearest
rank); under tp the slowest rank's time per repetition, ranks aligned by
an all-reduce before each. Random token ids (never zero), random K/V.
Configurations estimated not to fit in free memory are skipped (logged);
an error in one configuration (out of memory, say) is logged and the rest
go on.

usage: python3 serve_step.py --model llama3-8b OUT.csv [--meta META.txt]
       torchrun --standalone --nproc_per_node=4 serve_step.py \\
           --model llama3-70b OUT.csv [--meta META.txt]
Writes (rank 0) one row per configuration as it finishes; appends when
OUT.csv exists (header only when new).
"""
import argparse
import datetime
import gc
import math
import os
import statistics
import threading
import time
import traceback

# NVLink multicast stays off whatever the caller's environment says (it can
# take a shared host's GPUs out of service)
os.environ["NCCL_NVLS_ENABLE"] = "0"
os.environ["TORCH_SYMM_MEM_DISABLE_MULTICAST"] = "1"
os.environ["NVSHMEM_DISABLE_NVLS"] = "1"

import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402
import torch.nn.functional as F  # noqa: E402

try:
    from torch.nn.attention import SDPBackend, sdpa_kernel
except ImportError:  # torch < 2.3
    SDPBackend = sdpa_kernel = None

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(HERE, "..", "..", "workloads", "models")
SHAPE_KEYS = ("layers", "hidden", "ffn_hidden", "heads", "kv_heads", "vocab")
# used only when the yaml is not found
BUILTIN = {
    "llama3-8b": (32, 4096, 14336, 32, 8, 128256),
    "llama3-70b": (80, 8192, 28672, 64, 8, 128256),
}
# prefill (batches, prompt lengths, max batch x prompt),
# decode (batches, contexts, max batch x context)
PLANS = {
    "llama3-8b": ((1, 4, 16), (128, 512, 2048, 8192), 32768,
                  (1, 8, 32, 64, 128, 256), (512, 2048, 8192), 262144),
    "llama3-70b": ((1, 4), (128, 512, 2048, 8192), 16384,
                   (1, 8, 32, 64, 128), (512, 2048, 8192), 262144),
}
ROPE_THETA = 500000.0
EPS = 1e-5
HEADER = ("model,layers,hidden,ffn_hidden,heads,kv_heads,vocab,tp,phase,"
          "batch,prompt_len,context_len,time_ms,time_ms_p10,time_ms_p90,"
          "eager_ms,tokens_per_s,peak_mem_gib,gpu,torch")
GIB = 2**30


def load_shape(name):
    path = os.path.join(MODELS, name + ".yaml")
    if os.path.exists(path):
        kv = {}
        with open(path) as f:
            for line in f:
                line = line.split("#", 1)[0].strip()
                if ":" in line:
                    k, v = line.split(":", 1)
                    kv[k.strip()] = v.strip()
        return {k: int(kv[k]) for k in SHAPE_KEYS}
    return dict(zip(SHAPE_KEYS, BUILTIN[name]))


if hasattr(F, "rms_norm"):
    def rmsnorm(x, w):
        return F.rms_norm(x, (x.shape[-1],), w, EPS)
else:
    def rmsnorm(x, w):
        xf = x.float()
        xf = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + EPS)
        return xf.to(x.dtype) * w


def rope(x, cos, sin):
    half = x.shape[-1] // 2
    rot = torch.cat((-x[..., half:], x[..., :half]), dim=-1)
    return x * cos + rot * sin


def manual_attention(q, k, v, causal):
    """Reference (float32): q (B, H, Lq, D), k/v (B, Hkv, Lk, D)."""
    g = q.shape[1] // k.shape[1]
    if g > 1:
        k = k.repeat_interleave(g, dim=1)
        v = v.repeat_interleave(g, dim=1)
    s = (q.float() @ k.float().transpose(-1, -2)) / math.sqrt(q.shape[-1])
    if causal:
        lq, lk = s.shape[-2], s.shape[-1]
        keep = torch.ones(lq, lk, dtype=torch.bool, device=q.device).tril(lk - lq)
        s = s.masked_fill(~keep, float("-inf"))
    return (s.softmax(-1) @ v.float()).to(q.dtype)


class Attention:
    """scaled_dot_product_attention pinned to one backend (None: manual)."""

    def __init__(self, backend, native_gqa):
        self.backend, self.native_gqa = backend, native_gqa

    def __call__(self, q, k, v, causal):
        g = q.shape[1] // k.shape[1]
        if self.backend is None:
            return manual_attention(q, k, v, causal)
        kw = {}
        if g > 1:
            if self.native_gqa:
                kw["enable_gqa"] = True
            else:
                k = k.repeat_interleave(g, dim=1)
                v = v.repeat_interleave(g, dim=1)
        with sdpa_kernel([self.backend]):
            return F.scaled_dot_product_attention(q, k, v, is_causal=causal, **kw)


class Ctx:
    """Device, ranks, logging, timing."""

    def __init__(self, args):
        self.args = args
        self.dist = "WORLD_SIZE" in os.environ and int(os.environ["WORLD_SIZE"]) > 1
        self.rank = int(os.environ.get("RANK", 0))
        self.tp = int(os.environ.get("WORLD_SIZE", 1))
        local = int(os.environ.get("LOCAL_RANK", 0))
        self.cuda = torch.cuda.is_available()
        if self.cuda:
            torch.cuda.set_device(local)
            self.dev = torch.device("cuda", local)
            self.gpu = torch.cuda.get_device_name(self.dev)
        else:
            self.dev = torch.device("cpu")
            self.gpu = "cpu"
        if self.dist:
            kw = dict(timeout=datetime.timedelta(seconds=args.pg_timeout))
            backend = "nccl" if self.cuda else "gloo"
            try:
                dist.init_process_group(backend, device_id=self.dev if self.cuda else None, **kw)
            except TypeError:
                dist.init_process_group(backend, **kw)
        self.one = torch.ones(1, device=self.dev)
        self.meta_lines = []

    def log(self, msg, all_ranks=False):
        if self.rank == 0 or all_ranks:
            pre = f"[rank {self.rank}] " if self.dist else ""
            print(pre + msg, flush=True)

    def meta(self, msg):
        self.log("META " + msg)
        self.meta_lines.append(msg)
        if self.rank == 0 and self.args.meta:
            with open(self.args.meta, "a") as f:
                f.write(msg + "\n")

    def sync(self):
        if self.cuda:
            torch.cuda.synchronize(self.dev)

    def align(self):
        """All ranks idle and at the same point."""
        if self.dist:
            dist.all_reduce(self.one, op=dist.ReduceOp.MAX)
        self.sync()

    def agree_min(self, value):
        """The smallest of each rank's integer."""
        if not self.dist:
            return int(value)
        t = torch.tensor([int(value)], dtype=torch.int64, device=self.dev)
        dist.all_reduce(t, op=dist.ReduceOp.MIN)
        return int(t.item())

    def max_over_ranks(self, values):
        if not self.dist:
            return list(values)
        t = torch.tensor(values, dtype=torch.float32, device=self.dev)
        dist.all_reduce(t, op=dist.ReduceOp.MAX)
        return t.tolist()

    def timed(self, fn, warm, reps):
        for _ in range(warm):
            fn()
        times = []
        for _ in range(reps):
            self.align()
            if self.cuda:
                e0 = torch.cuda.Event(enable_timing=True)
                e1 = torch.cuda.Event(enable_timing=True)
                e0.record()
                fn()
                e1.record()
                e1.synchronize()
                times.append(e0.elapsed_time(e1))
            else:
                t0 = time.perf_counter()
                fn()
                times.append((time.perf_counter() - t0) * 1e3)
        return self.max_over_ranks(times)

    def avail_bytes(self):
        """Free device memory, the allocator's cached blocks included."""
        if not self.cuda:
            return None
        free, _ = torch.cuda.mem_get_info(self.dev)
        return free + torch.cuda.memory_reserved(self.dev) - torch.cuda.memory_allocated(self.dev)


def stats(times):
    s = sorted(times)
    n = len(s)

    def pick(q):
        return s[min(n - 1, max(0, int(round(q * (n - 1)))))]
    return statistics.median(s), pick(0.1), pick(0.9)


class Model:
    def __init__(self, ctx, shape, layers, head, dtype, maxpos):
        self.ctx, self.dtype, self.head = ctx, dtype, head
        tp, rank, dev = ctx.tp, ctx.rank, ctx.dev
        self.tp, self.dev = tp, dev
        self.layers = layers
        h, heads, kvh = shape["hidden"], shape["heads"], shape["kv_heads"]
        ffn, vocab = shape["ffn_hidden"], shape["vocab"]
        for what, n in (("heads", heads), ("kv_heads", kvh), ("ffn_hidden", ffn)):
            if n % tp:
                raise SystemExit(f"{what} {n} not divisible by tp {tp}")
        if head == "vocab" and vocab % tp:
            raise SystemExit(f"vocab {vocab} not divisible by tp {tp}")
        self.h, self.vocab = h, vocab
        self.hd = h // heads
        self.hl, self.kvl, self.ffl = heads // tp, kvh // tp, ffn // tp
        self.qw, self.kw = self.hl * self.hd, self.kvl * self.hd
        self.vl = vocab // tp if head == "vocab" else vocab
        self.v0 = rank * self.vl if head == "vocab" else 0
        torch.manual_seed(1000 + rank)

        def rnd(*shape_, std=1.0, mean=0.0):
            return torch.empty(shape_, dtype=dtype, device=dev).normal_(mean, std)
        self.w = []
        for _ in range(layers):
            self.w.append(dict(
                n1=rnd(h, std=0.05, mean=1.0),
                qkv=rnd(self.qw + 2 * self.kw, h, std=h ** -0.5),
                o=rnd(h, self.qw, std=(heads * self.hd) ** -0.5),
                n2=rnd(h, std=0.05, mean=1.0),
                gu=rnd(2 * self.ffl, h, std=h ** -0.5),
                down=rnd(h, self.ffl, std=ffn ** -0.5)))
        self.emb = rnd(self.vl, h)
        self.nf = rnd(h, std=0.05, mean=1.0)
        self.lm = rnd(self.vl, h, std=h ** -0.5)
        inv = 1.0 / (ROPE_THETA ** (torch.arange(0, self.hd, 2, dtype=torch.float32) / self.hd))
        f = torch.outer(torch.arange(maxpos, dtype=torch.float32), inv)
        f = torch.cat((f, f), dim=-1)
        self.cos = f.cos().to(dtype).to(dev)
        self.sin = f.sin().to(dtype).to(dev)
        self.params = sum(t.numel() for d in self.w for t in d.values()) \
            + self.emb.numel() + self.nf.numel() + self.lm.numel()
        self.attn_prefill = self.attn_decode = None
        self.use_agit = ctx.cuda and hasattr(dist, "all_gather_into_tensor")

    @staticmethod
    def weight_bytes(shape, layers, tp, head, esize=2):
        h, heads, kvh = shape["hidden"], shape["heads"], shape["kv_heads"]
        hd = h // heads
        per = (h * (heads + 2 * kvh) * hd + heads * hd * h + 3 * h * shape["ffn_hidden"]) // tp + 2 * h
        v = shape["vocab"] // tp if head == "vocab" else shape["vocab"]
        return esize * (layers * per + 2 * v * h + h)

    def kv_bytes(self, b, length):
        return self.layers * 2 * b * length * self.kw * (torch.finfo(self.dtype).bits // 8)

    def act_bytes(self, tokens, b):
        es = torch.finfo(self.dtype).bits // 8
        per_tok = 4 * self.h + 2 * (self.qw + 2 * self.kw) + 2 * self.qw + 3 * self.ffl
        return int(1.25 * tokens * per_tok * es + 4 * tokens * self.hl * 4
                   + 4 * b * self.vocab * es)

    # -- pieces ---------------------------------------------------------
    def ar(self, x):
        if self.tp > 1:
            dist.all_reduce(x)
        return x

    def embed(self, ids):
        if self.head == "vocab" and self.tp > 1:
            loc = ids - self.v0
            mask = (loc < 0) | (loc >= self.vl)
            x = F.embedding(loc.masked_fill(mask, 0), self.emb)
            x = x.masked_fill(mask.unsqueeze(-1), 0)
            dist.all_reduce(x)
            return x
        return F.embedding(ids, self.emb)

    def logits(self, x):
        y = F.linear(rmsnorm(x, self.nf), self.lm)  # (B, vocab / tp)
        if self.head == "vocab" and self.tp > 1:
            out = torch.empty((self.tp,) + tuple(y.shape), dtype=y.dtype, device=y.device)
            if self.use_agit:
                dist.all_gather_into_tensor(out, y)
            else:
                dist.all_gather(list(out.unbind(0)), y)
            y = out.permute(1, 0, 2).reshape(y.shape[0], self.tp * self.vl)
        return y

    def ffn(self, x, w):
        g, u = F.linear(rmsnorm(x, w["n2"]), w["gu"]).chunk(2, dim=-1)
        return x + self.ar(F.linear(F.silu(g) * u, w["down"]))

    def new_cache(self, b, length):
        """Per layer (K, V), each (B, length, kv_heads / tp, head_dim), random."""
        return [tuple(torch.empty(b, length, self.kvl, self.hd, dtype=self.dtype,
                                  device=self.dev).normal_() for _ in range(2))
                for _ in range(self.layers)]

    # -- the two steps --------------------------------------------------
    def prefill(self, ids, cache):
        """ids (B, P); writes cache[:, :P]; logits of the last tokens."""
        b, p = ids.shape
        hl, kvl, hd = self.hl, self.kvl, self.hd
        x = self.embed(ids)
        cos = self.cos[:p].view(p, 1, hd)
        sin = self.sin[:p].view(p, 1, hd)
        for w, (kc, vc) in zip(self.w, cache):
            q, k, v = F.linear(rmsnorm(x, w["n1"]), w["qkv"]).split(
                (self.qw, self.kw, self.kw), dim=-1)
            q = rope(q.view(b, p, hl, hd), cos, sin)
            k = rope(k.view(b, p, kvl, hd), cos, sin)
            v = v.view(b, p, kvl, hd)
            kc[:, :p].copy_(k)
            vc[:, :p].copy_(v)
            a = self.attn_prefill(q.transpose(1, 2), k.transpose(1, 2),
                                  v.transpose(1, 2), True)  # (B, hl, P, hd)
            a = a.transpose(1, 2).reshape(b, p, self.qw)
            x = x + self.ar(F.linear(a, w["o"]))
            x = self.ffn(x, w)
        return self.logits(x[:, -1])

    def decode(self, ids, pos, cache):
        """ids (B,) at position pos; writes cache[:, pos], attends to
        cache[:, :pos + 1]; logits (B, vocab)."""
        b = ids.shape[0]
        hl, kvl, hd = self.hl, self.kvl, self.hd
        x = self.embed(ids)
        cos = self.cos[pos:pos + 1]
        sin = self.sin[pos:pos + 1]
        for w, (kc, vc) in zip(self.w, cache):
            q, k, v = F.linear(rmsnorm(x, w["n1"]), w["qkv"]).split(
                (self.qw, self.kw, self.kw), dim=-1)
            q = rope(q.view(b, hl, hd), cos, sin)
            k = rope(k.view(b, kvl, hd), cos, sin)
            kc[:, pos].copy_(k)
            vc[:, pos].copy_(v.view(b, kvl, hd))
            a = self.attn_decode(q.view(b, 1, hl, hd).transpose(1, 2),
                                 kc[:, :pos + 1].transpose(1, 2),
                                 vc[:, :pos + 1].transpose(1, 2), False)  # (B, hl, 1, hd)
            x = x + self.ar(F.linear(a.reshape(b, self.qw), w["o"]))
            x = self.ffn(x, w)
        return self.logits(x)


def rel_err(a, b):
    a, b = a.float(), b.float()
    return ((a - b).norm() / b.norm().clamp_min(1e-30)).item()


def pick_attention(ctx, m):
    """First backend that runs each step's attention on its real layout
    and matches a float32 reference; records SDPA's own default choice."""
    choices = []
    if sdpa_kernel is not None and hasattr(F, "scaled_dot_product_attention"):
        order = ("FLASH_ATTENTION", "CUDNN_ATTENTION", "EFFICIENT_ATTENTION", "MATH")
        if not ctx.cuda:
            order = ("MATH",)
        for name in order:
            be = getattr(SDPBackend, name, None)
            if be is None:
                continue
            choices.append((name.lower() + "+enable_gqa", Attention(be, True)))
            choices.append((name.lower() + "+repeat_kv", Attention(be, False)))
    choices.append(("manual", Attention(None, False)))
    hl, kvl, hd, dt, dev = m.hl, m.kvl, m.hd, m.dtype, m.dev
    b, p = 2, 256
    qkv = torch.randn(b, p, m.qw + 2 * m.kw, device=dev).to(dt)
    q, k, v = qkv.split((m.qw, m.kw, m.kw), dim=-1)
    pre = (q.view(b, p, hl, hd).transpose(1, 2), k.view(b, p, kvl, hd).transpose(1, 2),
           v.view(b, p, kvl, hd).transpose(1, 2), True)
    kc = torch.randn(b, p + 1, kvl, hd, device=dev).to(dt)
    vc = torch.randn(b, p + 1, kvl, hd, device=dev).to(dt)
    qd = torch.randn(b, hl, hd, device=dev).to(dt)
    dec = (qd.view(b, 1, hl, hd).transpose(1, 2), kc.transpose(1, 2), vc.transpose(1, 2), False)
    names = {}
    if SDPBackend is not None:
        try:
            names = {int(v_): k_ for k_, v_ in SDPBackend.__members__.items()}
        except Exception:
            pass
    got = {}
    for phase, args in (("prefill", pre), ("decode", dec)):
        default = "?"
        try:
            i = torch._fused_sdp_choice(args[0], args[1], args[2], None, 0.0, args[3],
                                        enable_gqa=True)
            default = names.get(int(i), str(i))
        except Exception as e:
            default = f"unknown ({type(e).__name__})"
        ref = manual_attention(*args)
        for name, att in choices:
            try:
                out = att(*args)
                ctx.sync()
                err = rel_err(out, ref)
                if not torch.isfinite(out.float()).all().item() or err > 2e-2:
                    ctx.log(f"attention {phase} {name}: rejected, rel err {err:.2e}")
                    continue
                got[phase] = (name, att, err, default)
                break
            except Exception as e:
                ctx.log(f"attention {phase} {name}: {type(e).__name__}: {str(e)[:160]}")
    return got


def capture_graph(ctx, step):
    """Warm up on a side stream, then capture one step (vLLM's way).
    No collective after the capture: the caller agrees on success first,
    so that a rank whose capture failed never leaves the others waiting."""
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        for _ in range(2):
            step()
    torch.cuda.current_stream().wait_stream(s)
    ctx.align()
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g, capture_error_mode="thread_local"):
        y = step()
    ctx.sync()
    return g, y


def graph_smoke(ctx, m, limit_s):
    """Capture a small decode step (B=2, C=64), replay it and check it
    against eager, then run eagerly again (collectives of graphs and eager
    ones on one communicator). Returns (ok, note). A hang ends the process
    with exit status 3 after limit_s, so that the caller can run the
    decode steps again with --no-graphs."""
    def bail():
        print(f"[rank {ctx.rank}] CUDA-graph smoke test still running after "
              f"{limit_s} s: exiting with status 3", flush=True)
        os._exit(3)
    timer = threading.Timer(limit_s, bail)
    timer.daemon = True
    timer.start()
    try:
        b, c = 2, 64
        cache = m.new_cache(b, c + 1)
        gen = torch.Generator(device=ctx.dev)
        gen.manual_seed(3)
        ids = torch.randint(1, m.vocab, (b,), device=ctx.dev, generator=gen)

        def step():
            return m.decode(ids, c, cache)
        y0 = step().float()
        g = y = None
        note = "ok"
        try:
            g, y = capture_graph(ctx, step)
            ok = 1
        except Exception as e:
            ok = 0
            note = f"capture failed: {type(e).__name__}: {str(e)[:200]}"
            ctx.log(note, all_ranks=True)
        if ctx.agree_min(ok):
            for _ in range(3):
                g.replay()
            ctx.align()
            err = rel_err(y, y0)
            ok = 1 if err < 1e-2 else 0  # NaN fails too
            if not ok:
                note = f"replay differs from eager (rel err {err:.1e})"
                ctx.log(note, all_ranks=True)
            ok = ctx.agree_min(ok)
            if not ok and note == "ok":
                note = "replay differs from eager on another rank"
            step()
            ctx.align()
        elif note == "ok":
            note = "capture failed on another rank"
        del g, y
    finally:
        timer.cancel()
    return ok, note


def run_prefill(ctx, m, b, p):
    cache = m.new_cache(b, p)
    gen = torch.Generator(device=ctx.dev)
    gen.manual_seed(7 + 1000 * b + p)  # the same tokens on every rank
    ids = torch.randint(1, m.vocab, (b, p), device=ctx.dev, generator=gen)
    out = {}

    def step():
        out["y"] = m.prefill(ids, cache)
    times = ctx.timed(step, ctx.args.prefill_warm, ctx.args.prefill_reps)
    ok = ctx.agree_min(torch.isfinite(out["y"].float()).all().item())
    if not ok:
        raise RuntimeError("non-finite logits")
    med, p10, p90 = stats(times)
    return med, p10, p90, None, b * p / (med / 1e3)


def run_decode(ctx, m, b, c):
    cache = m.new_cache(b, c + 1)
    gen = torch.Generator(device=ctx.dev)
    gen.manual_seed(11 + 1000 * b + c)
    ids = torch.randint(1, m.vocab, (b,), device=ctx.dev, generator=gen)

    def step():
        return m.decode(ids, c, cache)
    times = ctx.timed(step, ctx.args.decode_warm, ctx.args.decode_reps)
    eager, _, _ = stats(times)
    y_eager = step().float()
    if not ctx.agree_min(torch.isfinite(y_eager).all().item()):
        raise RuntimeError("non-finite logits")
    gm = None
    if ctx.graphs:
        g = y = None
        try:
            g, y = capture_graph(ctx, step)
            ok = 1
        except Exception as e:
            ok = 0
            ctx.graph_note = f"capture failed: {type(e).__name__}: {str(e)[:200]}"
            ctx.log(ctx.graph_note, all_ranks=True)
        if ctx.agree_min(ok):
            gtimes = ctx.timed(g.replay, ctx.args.decode_warm, ctx.args.decode_reps)
            ctx.sync()
            err = rel_err(y, y_eager)
            ctx.graph_err = max(ctx.graph_err, err)
            ctx.graph_rows += 1
            gm = stats(gtimes)
        else:
            ctx.graphs = False  # no more tries in this run
            if ctx.graph_note == "ok":
                ctx.graph_note = "capture failed on another rank"
        del g, y
    if gm is None:
        return None, None, None, eager, b / (eager / 1e3)
    return gm[0], gm[1], gm[2], eager, b / (gm[0] / 1e3)


def self_check(ctx, m):
    """Decode after a prefill of P tokens must give the logits a prefill
    of P + 1 tokens gives for its last token (checks RoPE positions, the
    cache layout and writes, GQA head grouping)."""
    b, p = 2, 64
    gen = torch.Generator(device=ctx.dev)
    gen.manual_seed(5)
    ids = torch.randint(1, m.vocab, (b, p + 1), device=ctx.dev, generator=gen)
    ref = m.prefill(ids, m.new_cache(b, p + 1))
    cache = m.new_cache(b, p + 1)
    m.prefill(ids[:, :p].contiguous(), cache)
    out = m.decode(ids[:, p].contiguous(), p, cache)
    return rel_err(out, ref)


def fmt(x, nd=3):
    return "" if x is None else f"{x:.{nd}f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--model", default="llama3-8b")
    ap.add_argument("--meta", default=None, help="append run notes here (rank 0)")
    ap.add_argument("--head", choices=("vocab", "replicated"), default="vocab")
    ap.add_argument("--layers", type=int, default=0, help="override (testing)")
    ap.add_argument("--shape", default=None,
                    help="layers,hidden,ffn,heads,kv_heads,vocab (testing)")
    ap.add_argument("--prefill", default=None, help="BxP,BxP,... (default: plan)")
    ap.add_argument("--decode", default=None, help="BxC,BxC,... (default: plan)")
    ap.add_argument("--phases", default="prefill,decode")
    ap.add_argument("--dtype", default="bf16", choices=("bf16", "fp32"))
    ap.add_argument("--no-graphs", action="store_true")
    ap.add_argument("--prefill-warm", type=int, default=3)
    ap.add_argument("--prefill-reps", type=int, default=12)
    ap.add_argument("--decode-warm", type=int, default=5)
    ap.add_argument("--decode-reps", type=int, default=20)
    ap.add_argument("--margin-gib", type=float, default=2.0)
    ap.add_argument("--pg-timeout", type=int, default=180)
    ap.add_argument("--smoke-timeout", type=int, default=120)
    args = ap.parse_args()

    torch.set_grad_enabled(False)
    ctx = Ctx(args)
    ctx.graphs = ctx.cuda and not args.no_graphs
    ctx.graph_note = "ok" if ctx.graphs else "not tried"
    ctx.graph_err = 0.0
    ctx.graph_rows = 0
    dtype = torch.bfloat16 if args.dtype == "bf16" else torch.float32
    if args.shape:
        shape = dict(zip(SHAPE_KEYS, (int(s) for s in args.shape.split(","))))
    else:
        shape = load_shape(args.model)
    plan = PLANS.get(args.model, PLANS["llama3-8b"])

    def parse(spec, bs, ls, cap):
        if spec:
            return [tuple(int(s) for s in t.split("x")) for t in spec.split(",") if t]
        return sorted(((b, n) for b in bs for n in ls if b * n <= cap),
                      key=lambda t: (t[0] * t[1], t[0]))
    phases = args.phases.split(",")
    prefill_cfgs = parse(args.prefill, *plan[:3]) if "prefill" in phases else []
    decode_cfgs = parse(args.decode, *plan[3:]) if "decode" in phases else []
    maxpos = max([p for _, p in prefill_cfgs] + [c + 1 for _, c in decode_cfgs] + [65]) + 1

    layers = args.layers or shape["layers"]
    if ctx.cuda:
        free = ctx.avail_bytes()
        wb = Model.weight_bytes(shape, layers, ctx.tp, args.head)
        ctx.log(f"free {free / GIB:.1f} GiB, weights {wb / GIB:.1f} GiB per rank")
        if wb + 6 * GIB > free:
            per = Model.weight_bytes(shape, 1, ctx.tp, args.head) - \
                Model.weight_bytes(shape, 0, ctx.tp, args.head)
            fit = int((free - 6 * GIB - Model.weight_bytes(shape, 0, ctx.tp, args.head)) // per)
            layers = max(1, min(layers, fit))
        layers = ctx.agree_min(layers)
    t0 = time.time()
    m = Model(ctx, shape, layers, args.head, dtype, maxpos)
    ctx.align()
    ctx.log(f"model {args.model}: {layers} layers, {m.params / 1e9:.3f} B params per rank, "
            f"built in {time.time() - t0:.1f} s")

    ver = f"torch {torch.__version__}"
    if ctx.cuda:
        ver += f", CUDA {torch.version.cuda}"
        try:
            ver += ", NCCL " + ".".join(str(x) for x in torch.cuda.nccl.version())
        except Exception:
            pass
        ver += f", cuDNN {torch.backends.cudnn.version()}"
    ctx.meta(f"--- serve_step.py {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC: "
             f"{args.model} tp {ctx.tp}, {layers} of {shape['layers']} layers, "
             f"{m.params * 2 / GIB:.2f} GiB of weights per rank; {ctx.gpu}; {ver}")
    ctx.meta("layout: RMSNorm, RoPE (theta 500000), GQA, SwiGLU, no biases, untied LM head; "
             + ("embedding and LM head split by vocabulary over tp (masked lookup + all-reduce; "
                "logits all-gathered)" if args.head == "vocab" and ctx.tp > 1 else
                "embedding and LM head whole on every rank" if ctx.tp > 1 else
                "embedding and LM head whole (tp 1)")
             + f"; per layer 2 all-reduces (bf16) over tp {ctx.tp}")
    got = pick_attention(ctx, m)
    for phase in ("prefill", "decode"):
        if phase not in got:
            raise SystemExit(f"no attention backend works for {phase}")
    m.attn_prefill = got["prefill"][1]
    m.attn_decode = got["decode"][1]
    impl = ""
    try:
        impl = f"; flash impl {torch.nn.attention.current_flash_attention_impl()}"
    except Exception:
        pass
    ctx.meta("attention: prefill " + "{} (rel err {:.1e} vs fp32; SDPA default: {})".format(
        got["prefill"][0], got["prefill"][2], got["prefill"][3]) + ", decode "
        + "{} (rel err {:.1e}; SDPA default: {}){}".format(
            got["decode"][0], got["decode"][2], got["decode"][3], impl))
    try:
        err = self_check(ctx, m)
        ctx.meta(f"self-check: decode after prefill vs prefill of P+1, logits rel err {err:.2e}"
                 + (" (ok)" if err < 5e-2 else " (HIGH)"))
    except Exception as e:
        ctx.meta(f"self-check failed: {type(e).__name__}: {str(e)[:200]}")
    gc.collect()
    if ctx.cuda:
        torch.cuda.empty_cache()

    rows, skipped, failed = [], [], []
    for phase, cfgs in (("prefill", prefill_cfgs), ("decode", decode_cfgs)):
        if phase == "decode" and cfgs and ctx.graphs:
            try:
                ok, note = graph_smoke(ctx, m, args.smoke_timeout)
            except Exception as e:
                ok, note = 0, f"{type(e).__name__}: {str(e)[:200]}"
            ok = ctx.agree_min(ok)
            ctx.log(f"CUDA-graph smoke test: {note}")
            if not ok:
                ctx.graphs = False
                ctx.graph_note = "smoke test failed: " + note
            gc.collect()
            torch.cuda.empty_cache()
        for b, n in cfgs:
            label = f"{phase} B={b} {'P' if phase == 'prefill' else 'C'}={n}"
            if phase == "prefill":
                need = m.kv_bytes(b, n) + m.act_bytes(b * n, b)
            else:
                need = m.kv_bytes(b, n + 1) + 3 * m.act_bytes(b, b)
            avail = ctx.avail_bytes()
            fits = avail is None or need + args.margin_gib * GIB <= avail
            if not ctx.agree_min(fits):
                msg = f"{label}: skipped, needs ~{need / GIB:.1f} GiB, {avail / GIB:.1f} GiB free"
                ctx.log(msg)
                skipped.append(msg)
                continue
            if ctx.cuda:
                torch.cuda.reset_peak_memory_stats(ctx.dev)
            t0 = time.time()
            res, err = None, None
            try:
                if phase == "prefill":
                    res = run_prefill(ctx, m, b, n)
                else:
                    res = run_decode(ctx, m, b, n)
            except Exception as e:
                err = f"{type(e).__name__}: {str(e)[:300]}"
                ctx.log(f"{label}: FAILED {err}", all_ranks=True)
                if "out of memory" not in str(e):
                    traceback.print_exc()
            gc.collect()
            if ctx.cuda:
                torch.cuda.empty_cache()
            if not ctx.agree_min(res is not None):
                failed.append(f"{label}: {err or 'failed on another rank'}")
                continue
            peak = 0.0
            if ctx.cuda:
                peak = ctx.max_over_ranks([torch.cuda.max_memory_allocated(ctx.dev) / GIB])[0]
            ms, p10, p90, eager, tps = res
            row = (f"{args.model},{layers},{shape['hidden']},{shape['ffn_hidden']},"
                   f"{shape['heads']},{shape['kv_heads']},{shape['vocab']},{ctx.tp},{phase},"
                   f"{b},{n if phase == 'prefill' else ''},{n if phase == 'decode' else ''},"
                   f"{fmt(ms)},{fmt(p10)},{fmt(p90)},{fmt(eager)},{tps:.1f},{peak:.2f},"
                   f"\"{ctx.gpu}\",{torch.__version__}")
            rows.append((phase, b, n, ms, eager, tps, peak))
            if ctx.rank == 0:
                new = not os.path.exists(args.out) or os.path.getsize(args.out) == 0
                with open(args.out, "a") as f:
                    if new:
                        f.write(HEADER + "\n")
                    f.write(row + "\n")
                    f.flush()
            ctx.log(f"{label}: {row}  [{time.time() - t0:.1f} s]")

    ctx.meta("decode CUDA graphs: " + ctx.graph_note
             + f"; {ctx.graph_rows} decode rows timed from graph replays"
             + (f", graph vs eager logits max rel err {ctx.graph_err:.1e}"
                if ctx.graph_rows else ""))
    for s in skipped:
        ctx.meta("skipped " + s)
    for s in failed:
        ctx.meta("FAILED " + s)
    ctx.log("")
    ctx.log(f"{args.model} tp {ctx.tp} on {ctx.gpu}: {len(rows)} rows, "
            f"{len(skipped)} skipped, {len(failed)} failed")
    ctx.log(f"{'phase':8} {'B':>4} {'P/C':>5} {'ms':>9} {'eager':>9} {'tok/s':>11} {'GiB':>6}")
    for phase, b, n, ms, eager, tps, peak in rows:
        ctx.log(f"{phase:8} {b:>4} {n:>5} {fmt(ms):>9} {fmt(eager):>9} {tps:>11.1f} {peak:>6.1f}")
    if ctx.dist:
        ctx.align()
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
