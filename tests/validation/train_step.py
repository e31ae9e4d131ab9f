"""train_step.py - time real training iterations of small GPT models.

The measurements dcsim's training model is validated against: one
iteration (forward, backward, optimizer step) of a GPT-style decoder in
plain PyTorch, so its shape is known exactly:
  * pre-LayerNorm blocks, learned positions, biases, GeLU FFN of 4 x hidden,
    tied embeddings (the GPT-2/GPT-3 layout);
  * attention through scaled_dot_product_attention (the flash backend);
  * mixed precision: fp32 master weights, bf16 autocast, fused AdamW;
  * data parallel with DistributedDataParallel when run under torchrun
    (gradients all-reduced in bf16 buckets as DDP does, overlapped with
    backward).
Timing: CUDA events around each iteration after 3 warm-up iterations,
median of 10; random token ids (never zeros); loss checked finite.

usage: python3 train_step.py OUT.csv               (one GPU)
       torchrun --standalone --nproc_per_node=N train_step.py OUT.csv
Writes (rank 0) one row per configuration; appends when OUT.csv exists.
"""
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.attention
import torch.nn.functional as F

# (name, layers, hidden, heads, micro_batch, seq)
CONFIGS = [
    ("gpt-350m", 24, 1024, 16, 8, 2048),
    ("gpt-760m", 24, 1536, 16, 8, 2048),
    ("gpt-1.3b", 24, 2048, 16, 4, 2048),
    ("gpt-1.3b", 24, 2048, 16, 8, 2048),
]
VOCAB = 50304  # GPT-2's 50,257 padded to a multiple of 64, as Megatron does


class Block(nn.Module):
    def __init__(self, h, heads):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(h)
        self.qkv = nn.Linear(h, 3 * h)
        self.proj = nn.Linear(h, h)
        self.ln2 = nn.LayerNorm(h)
        self.fc1 = nn.Linear(h, 4 * h)
        self.fc2 = nn.Linear(4 * h, h)

    def forward(self, x):
        b, s, h = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(h, dim=2)
        q = q.view(b, s, self.heads, h // self.heads).transpose(1, 2)
        k = k.view(b, s, self.heads, h // self.heads).transpose(1, 2)
        v = v.view(b, s, self.heads, h // self.heads).transpose(1, 2)
        with torch.nn.attention.sdpa_kernel(
                [torch.nn.attention.SDPBackend.FLASH_ATTENTION]):
            a = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.proj(a.transpose(1, 2).reshape(b, s, h))
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self, layers, h, heads, seq):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, h)
        self.pos = nn.Embedding(seq, h)
        self.blocks = nn.ModuleList(Block(h, heads) for _ in range(layers))
        self.ln = nn.LayerNorm(h)

    def forward(self, idx, targets):
        s = idx.shape[1]
        x = self.tok(idx) + self.pos(torch.arange(s, device=idx.device))
        for blk in self.blocks:
            x = blk(x)
        logits = F.linear(self.ln(x), self.tok.weight)  # tied output
        return F.cross_entropy(logits.float().view(-1, VOCAB), targets.view(-1))


def main():
    out = sys.argv[1]
    ddp = "LOCAL_RANK" in os.environ
    rank = int(os.environ.get("RANK", 0))
    world = int(os.environ.get("WORLD_SIZE", 1))
    local = int(os.environ.get("LOCAL_RANK", 0))
    torch.cuda.set_device(local)
    if ddp:
        torch.distributed.init_process_group("nccl")
    torch.manual_seed(1234 + rank)
    dev = torch.device("cuda", local)
    name = torch.cuda.get_device_name(dev)
    rows = []
    for cname, layers, h, heads, b, s in CONFIGS:
        model = GPT(layers, h, heads, s).to(dev)
        params = sum(p.numel() for p in model.parameters())
        if ddp:
            model = nn.parallel.DistributedDataParallel(
                model, device_ids=[local], gradient_as_bucket_view=True)
        opt = torch.optim.AdamW(model.parameters(), lr=1e-4, fused=True)
        idx = torch.randint(1, VOCAB, (b, s), device=dev)
        tgt = torch.randint(1, VOCAB, (b, s), device=dev)
        times = []
        torch.cuda.reset_peak_memory_stats(dev)
        for it in range(13):
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
        times.sort()
        ms = times[len(times) // 2]
        peak = torch.cuda.max_memory_allocated(dev) / 2**30
        tokens = b * s * world
        # 6 N tokens + attention 12 L s^2 h per sequence (fwd+bwd, causal
        # halving not applied: the usual MFU convention)
        flops = 6 * params * tokens + 12 * layers * s * s * h * b * world
        row = (f"{cname},{layers},{h},{4 * h},{heads},{VOCAB},{s},{b},{world},"
               f"bf16,{params},{ms:.3f},{times[1]:.3f},{times[-2]:.3f},"
               f"{tokens / (ms / 1000):.1f},{flops / (ms / 1000) / world / 1e12:.2f},"
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
                        "micro_batch,gpus,dtype,params,time_ms,time_ms_p10,"
                        "time_ms_p90,tokens_per_s,model_tflops_per_gpu,"
                        "peak_mem_gib,gpu,torch\n")
            f.write("\n".join(rows) + "\n")
    if ddp:
        torch.distributed.destroy_process_group()


if __name__ == "__main__":
    main()
