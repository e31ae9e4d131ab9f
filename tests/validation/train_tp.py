"""train_tp.py - time real training iterations with tensor parallelism.

The same GPT layout as train_step.py (pre-LayerNorm, learned positions,
biases, GeLU FFN of 4 x hidden, tied embeddings, flash SDPA, bf16
autocast, fp32 master weights, fused AdamW), split Megatron-style over the
torchrun world (tp = world size, no data parallelism):
  * QKV and FFN-up split by columns (heads and FFN width / tp), the output
    projection and FFN-down by rows, their outputs all-reduced (NCCL, bf16)
    forward, and the inputs' gradients all-reduced backward: 2 + 2
    all-reduces of micro_batch x seq x hidden per block;
  * the embedding and the tied LM head replicated on every rank (each rank
    computes the full logits; no vocabulary-parallel cross-entropy), as are
    the norms and the row-parallel biases.
Timing: CUDA events around each iteration after 3 warm-up iterations,
median of 10; random token ids; loss checked finite.

usage: torchrun --standalone --nproc_per_node=N train_tp.py OUT.csv
Writes (rank 0) one row per configuration; appends when OUT.csv exists.
"""
import math
import os
import sys

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.attention
import torch.nn.functional as F

# (name, layers, hidden, heads, micro_batch, seq)
CONFIGS = [
    ("gpt-760m", 24, 1536, 16, 8, 2048),
    ("gpt-1.3b", 24, 2048, 16, 8, 2048),
    ("gpt-2.7b", 32, 2560, 32, 4, 2048),
]
VOCAB = 50304


class CopyToTP(torch.autograd.Function):
    """Identity forward; all-reduce of the gradient backward."""

    @staticmethod
    def forward(ctx, x):
        return x

    @staticmethod
    def backward(ctx, g):
        g = g.contiguous()
        dist.all_reduce(g)
        return g


class ReduceFromTP(torch.autograd.Function):
    """All-reduce forward; identity backward."""

    @staticmethod
    def forward(ctx, x):
        x = x.contiguous()
        dist.all_reduce(x)
        return x

    @staticmethod
    def backward(ctx, g):
        return g


class Block(nn.Module):
    def __init__(self, h, heads, tp):
        super().__init__()
        self.hl, self.hd = heads // tp, h // heads
        self.ln1 = nn.LayerNorm(h)
        self.qkv = nn.Linear(h, 3 * h // tp)
        self.proj = nn.Linear(h // tp, h, bias=False)
        self.proj_bias = nn.Parameter(torch.zeros(h))
        self.ln2 = nn.LayerNorm(h)
        self.fc1 = nn.Linear(h, 4 * h // tp)
        self.fc2 = nn.Linear(4 * h // tp, h, bias=False)
        self.fc2_bias = nn.Parameter(torch.zeros(h))

    def forward(self, x):
        b, s, h = x.shape
        w = self.hl * self.hd
        q, k, v = self.qkv(CopyToTP.apply(self.ln1(x))).split(w, dim=2)
        q = q.view(b, s, self.hl, self.hd).transpose(1, 2)
        k = k.view(b, s, self.hl, self.hd).transpose(1, 2)
        v = v.view(b, s, self.hl, self.hd).transpose(1, 2)
        with torch.nn.attention.sdpa_kernel(
                [torch.nn.attention.SDPBackend.FLASH_ATTENTION]):
            a = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        o = self.proj(a.transpose(1, 2).reshape(b, s, w))
        x = x + ReduceFromTP.apply(o) + self.proj_bias
        y = self.fc2(F.gelu(self.fc1(CopyToTP.apply(self.ln2(x))),
                            approximate="tanh"))
        return x + ReduceFromTP.apply(y) + self.fc2_bias


class GPT(nn.Module):
    def __init__(self, layers, h, heads, seq, tp):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, h)
        self.pos = nn.Embedding(seq, h)
        self.blocks = nn.ModuleList(Block(h, heads, tp) for _ in range(layers))
        self.ln = nn.LayerNorm(h)

    def forward(self, idx, targets):
        s = idx.shape[1]
        x = self.tok(idx) + self.pos(torch.arange(s, device=idx.device))
        for blk in self.blocks:
            x = blk(x)
        logits = F.linear(self.ln(x), self.tok.weight)
        return F.cross_entropy(logits.float().view(-1, VOCAB), targets.view(-1))


def main():
    out = sys.argv[1]
    rank = int(os.environ["RANK"])
    tp = int(os.environ["WORLD_SIZE"])
    local = int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(local)
    dist.init_process_group("nccl")
    dev = torch.device("cuda", local)
    name = torch.cuda.get_device_name(dev)
    rows = []
    for cname, layers, h, heads, b, s in CONFIGS:
        torch.manual_seed(1234 + rank)
        model = GPT(layers, h, heads, s, tp).to(dev)
        params = sum(p.numel() for p in model.parameters())
        opt = torch.optim.AdamW(model.parameters(), lr=1e-4, fused=True)
        # every rank sees the same tokens (tensor parallelism)
        g = torch.Generator(device=dev).manual_seed(99)
        idx = torch.randint(1, VOCAB, (b, s), device=dev, generator=g)
        tgt = torch.randint(1, VOCAB, (b, s), device=dev, generator=g)
        times = []
        for it in range(13):
            dist.barrier()
            e0 = torch.cuda.Event(enable_timing=True)
            e1 = torch.cuda.Event(enable_timing=True)
            e0.record()
            with torch.autocast("cuda", dtype=torch.bfloat16):
                loss = model(idx, tgt)
            loss.backward()
            opt.step()
            opt.zero_grad(set_to_none=True)
            e1.record()
            torch.cuda.synchronize()
            if not math.isfinite(loss.item()):
                raise SystemExit(f"non-finite loss in {cname}")
            if it >= 3:
                times.append(e0.elapsed_time(e1))
        t = torch.tensor(times, device=dev)
        dist.all_reduce(t, op=dist.ReduceOp.MAX)  # the slowest rank
        times = sorted(t.tolist())
        ms = times[len(times) // 2]
        peak = torch.cuda.max_memory_allocated(dev) / 2**30
        full = 12 * layers * h * h + VOCAB * h  # the unsplit model, roughly
        tokens = b * s
        flops = 6 * full * tokens + 12 * layers * s * s * h * b
        row = (f"{cname},{layers},{h},{4 * h},{heads},{VOCAB},{s},{b},{tp},"
               f"{tp},bf16,{params},{ms:.3f},{times[1]:.3f},{times[-2]:.3f},"
               f"{tokens / (ms / 1000):.1f},{flops / (ms / 1000) / tp / 1e12:.2f},"
               f"{peak:.2f},\"{name}\",{torch.__version__}")
        rows.append(row)
        if rank == 0:
            print(row, flush=True)
        del model, opt
        torch.cuda.empty_cache()
    if rank == 0:
        new = not os.path.exists(out)
        with open(out, "a") as f:
            if new:
                f.write("model,layers,hidden,ffn_hidden,heads,vocab,seq,"
                        "micro_batch,gpus,tp,dtype,params_per_rank,time_ms,"
                        "time_ms_p10,time_ms_p90,tokens_per_s,"
                        "model_tflops_per_gpu,peak_mem_gib,gpu,torch\n")
            f.write("\n".join(rows) + "\n")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
