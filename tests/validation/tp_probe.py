"""Probe: where the TP iteration's time goes. For each config and tp:
  full: the measured iteration (as train_tp.py)
  nocomm: the same with the TP all-reduces replaced by nothing
  ar_us: one dist.all_reduce of micro_batch x seq x hidden bf16, in a loop
"""
import os, sys, math
import torch, torch.distributed as dist
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_tp as T

def timeit(model, opt, idx, tgt):
    times = []
    for it in range(13):
        dist.barrier()
        e0 = torch.cuda.Event(enable_timing=True); e1 = torch.cuda.Event(enable_timing=True)
        e0.record()
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = model(idx, tgt)
        loss.backward(); opt.step(); opt.zero_grad(set_to_none=True)
        e1.record(); torch.cuda.synchronize()
        if it >= 3: times.append(e0.elapsed_time(e1))
    t = torch.tensor(times, device=idx.device); dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return sorted(t.tolist())[len(times)//2]

def main():
    out = sys.argv[1]
    rank = int(os.environ["RANK"]); tp = int(os.environ["WORLD_SIZE"]); local = int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(local); dist.init_process_group("nccl"); dev = torch.device("cuda", local)
    rows = []
    for cname, layers, h, heads, b, s in T.CONFIGS:
        torch.manual_seed(1)
        model = T.GPT(layers, h, heads, s, tp).to(dev)
        opt = torch.optim.AdamW(model.parameters(), lr=1e-4, fused=True)
        g = torch.Generator(device=dev).manual_seed(99)
        idx = torch.randint(1, T.VOCAB, (b, s), device=dev, generator=g)
        tgt = torch.randint(1, T.VOCAB, (b, s), device=dev, generator=g)
        full = timeit(model, opt, idx, tgt)
        saved = (T.CopyToTP.apply, T.ReduceFromTP.apply)
        T.CopyToTP.apply = staticmethod(lambda x: x); T.ReduceFromTP.apply = staticmethod(lambda x: x)
        nocomm = timeit(model, opt, idx, tgt)
        T.CopyToTP.apply, T.ReduceFromTP.apply = saved
        x = torch.randn(b, s, h, device=dev, dtype=torch.bfloat16)
        for _ in range(5): dist.all_reduce(x)
        torch.cuda.synchronize(); dist.barrier()
        e0 = torch.cuda.Event(enable_timing=True); e1 = torch.cuda.Event(enable_timing=True)
        e0.record()
        for _ in range(50): dist.all_reduce(x)
        e1.record(); torch.cuda.synchronize()
        ar = e0.elapsed_time(e1) / 50 * 1000
        row = f"{cname},{tp},{b},{full:.3f},{nocomm:.3f},{ar:.1f},{4*layers}"
        rows.append(row)
        if rank == 0: print(row, flush=True)
        del model, opt; torch.cuda.empty_cache()
    if rank == 0:
        new = not os.path.exists(out)
        with open(out, "a") as f:
            if new: f.write("model,tp,micro_batch,full_ms,nocomm_ms,allreduce_us,allreduces\n")
            f.write("\n".join(rows) + "\n")
    dist.destroy_process_group()

if __name__ == "__main__":
    main()
