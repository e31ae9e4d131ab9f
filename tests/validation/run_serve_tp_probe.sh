#!/usr/bin/env bash
# Splits the graphed tensor-parallel decode step of serve_step.py (Llama 3
# 70B, tp 4) with tests/validation/serve_tp_probe.py, then re-times a few of
# its decode rows with serve_step.py itself (lease-to-lease spread). Writes
# OUTDIR/serve_tp_probe_<tag>.csv, OUTDIR/allreduce_<tag>.csv,
# OUTDIR/serve_rerun_<tag>.csv, OUTDIR/serve_tp_probe_<tag>_meta.txt
# (GPUs, driver, clocks before and after, software, topology, date) and
# OUTDIR/serve_tp_probe_<tag>_log.txt. NVLink multicast off. Needs 4 GPUs.
# PROBE_BUDGET (s, default 540) bounds the whole run; TAG (default
# h200-sxm) names the files; PROBE_ARGS is added to the probe's command
# (--profile: the graphs' kernels too; --suffix S: S after the tag in the
# probe's file names).
# usage: tests/validation/run_serve_tp_probe.sh OUTDIR
set -uo pipefail
out=${1:?usage: run_serve_tp_probe.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
export NCCL_NVLS_ENABLE=0 TORCH_SYMM_MEM_DISABLE_MULTICAST=1 NVSHMEM_DISABLE_NVLS=1
export PYTHONUNBUFFERED=1
tag=${TAG:-h200-sxm}
meta="$out/serve_tp_probe_${tag}_meta.txt"
exec > >(tee "$out/serve_tp_probe_${tag}_log.txt") 2>&1
budget=${PROBE_BUDGET:-540}
left() { echo $((budget - SECONDS)); }
gpus=$(nvidia-smi -L | wc -l)
{
  echo "run_serve_tp_probe.sh $(date -u '+%Y-%m-%d %H:%M UTC'), $gpus GPU(s); NCCL_NVLS_ENABLE=$NCCL_NVLS_ENABLE; PROBE_ARGS='${PROBE_ARGS:-}'"
  nvidia-smi --query-gpu=index,name,driver_version,clocks.max.sm,clocks.sm,clocks.mem,power.limit,memory.total,temperature.gpu --format=csv
  python3 -c 'import torch; print("torch", torch.__version__, "CUDA", torch.version.cuda, "NCCL", torch.cuda.nccl.version())' || true
  nvidia-smi topo -m 2>/dev/null | head -6 || true
} | tee "$meta"
if [ "$gpus" -lt 4 ]; then echo "needs 4 GPUs, found $gpus"; exit 1; fi

echo "== serve_tp_probe.py llama3-70b tp 4 (limit $(( $(left) - 150 )) s)"
CUDA_VISIBLE_DEVICES=0,1,2,3 timeout "$(( $(left) - 150 ))" torchrun --standalone --nproc_per_node=4 \
  "$here/serve_tp_probe.py" --model llama3-70b --tag "$tag" \
  --budget-s "$(( $(left) - 240 ))" ${PROBE_ARGS:-} "$out" || echo "== probe exited with status $?"

rerun="$out/serve_rerun_${tag}.csv"
rm -f "$rerun"
if [ "$(left)" -gt 60 ]; then
  echo "== serve_step.py llama3-70b tp 4, a few decode rows again (limit $(( $(left) - 10 )) s)"
  CUDA_VISIBLE_DEVICES=0,1,2,3 timeout "$(( $(left) - 10 ))" torchrun --standalone --nproc_per_node=4 \
    "$here/serve_step.py" --model llama3-70b --phases decode \
    --decode 1x512,8x512,64x512,8x8192,64x2048 --meta "$meta" "$rerun" \
    || echo "== serve_step.py exited with status $?"
fi
{
  echo "after: $(date -u '+%Y-%m-%d %H:%M UTC'), ${SECONDS} s"
  nvidia-smi --query-gpu=index,clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv || true
} | tee -a "$meta"
for f in "$out"/serve_tp_probe_"$tag"*.csv "$out"/allreduce_"$tag"*.csv "$rerun"; do
  [ -f "$f" ] && { echo "== $f"; cat "$f"; }
done
