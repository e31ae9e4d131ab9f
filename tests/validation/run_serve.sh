#!/usr/bin/env bash
# Times LLM serving steps (prefill, decode) with tests/validation/serve_step.py:
# Llama 3 8B on one GPU always, and Llama 3 70B with tensor parallelism over
# 4 GPUs (torchrun) when the host has at least 4. Writes
# OUTDIR/serve_<gpu>.csv, OUTDIR/serve_<gpu>_meta.txt (GPU, driver, clocks,
# power limit, software, the script's notes) and OUTDIR/serve_<gpu>_log.txt.
# NVLink multicast off. SERVE_BUDGET (s, default 450) bounds the whole run;
# SERVE_ARGS, if set, is added to each serve_step.py command (testing).
# usage: tests/validation/run_serve.sh OUTDIR
set -uo pipefail
out=${1:?usage: run_serve.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
export NCCL_NVLS_ENABLE=0 TORCH_SYMM_MEM_DISABLE_MULTICAST=1 NVSHMEM_DISABLE_NVLS=1
export PYTHONUNBUFFERED=1
gpus=$(nvidia-smi -L | wc -l)
tag=$(nvidia-smi --query-gpu=name --format=csv,noheader -i 0 | tr ' ' '_' | tr -cd 'A-Za-z0-9_')
csv="$out/serve_$tag.csv"
meta="$out/serve_${tag}_meta.txt"
exec > >(tee "$out/serve_${tag}_log.txt") 2>&1
rm -f "$csv" "$meta"
budget=${SERVE_BUDGET:-450}
left() { echo $((budget - SECONDS)); }
{
  echo "run_serve.sh $(date -u '+%Y-%m-%d %H:%M UTC'), $gpus GPU(s)"
  nvidia-smi --query-gpu=index,name,driver_version,clocks.max.sm,clocks.sm,clocks.mem,power.limit,memory.total --format=csv
  python3 -c 'import torch; print("torch", torch.__version__, "CUDA", torch.version.cuda, "NCCL", torch.cuda.nccl.version())' || true
} | tee "$meta"

if [ "$gpus" -ge 4 ]; then t8=$(( $(left) * 2 / 5 )); else t8=$(( $(left) - 10 )); fi
echo "== llama3-8b tp 1 (limit ${t8} s)"
CUDA_VISIBLE_DEVICES=0 timeout "$t8" python3 "$here/serve_step.py" --model llama3-8b \
  --meta "$meta" ${SERVE_ARGS:-} "$csv" || echo "== llama3-8b tp 1 exited with status $?"

if [ "$gpus" -ge 4 ]; then
  t70=$(( $(left) - 10 ))
  echo "== llama3-70b tp 4 (limit ${t70} s)"
  CUDA_VISIBLE_DEVICES=0,1,2,3 timeout "$t70" torchrun --standalone --nproc_per_node=4 \
    "$here/serve_step.py" --model llama3-70b --meta "$meta" ${SERVE_ARGS:-} "$csv"
  rc=$?
  n70=$(grep -c '^llama3-70b,.*,decode,' "$csv" 2>/dev/null || true)
  if [ "$rc" -ne 0 ] && [ "${n70:-0}" -eq 0 ] && [ "$(left)" -gt 90 ]; then
    # a hang with collectives inside CUDA graphs: the decode steps again, eager
    echo "== llama3-70b tp 4 exited with status $rc before any decode row: decode again with --no-graphs"
    echo "llama3-70b tp 4: first run exited $rc before any decode row; decode rerun with --no-graphs" >>"$meta"
    CUDA_VISIBLE_DEVICES=0,1,2,3 timeout "$(( $(left) - 10 ))" torchrun --standalone \
      --nproc_per_node=4 "$here/serve_step.py" --model llama3-70b --phases decode \
      --no-graphs --meta "$meta" ${SERVE_ARGS:-} "$csv" || echo "== rerun exited with status $?"
  elif [ "$rc" -ne 0 ]; then
    echo "== llama3-70b tp 4 exited with status $rc"
  fi
fi
nvidia-smi --query-gpu=index,clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv || true
if [ -f "$csv" ]; then
  echo "== $csv: $(($(wc -l <"$csv") - 1)) rows, ${SECONDS} s"
  cat "$csv"
else
  echo "== no rows written (${SECONDS} s)"
fi
