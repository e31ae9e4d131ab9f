#!/usr/bin/env bash
# Runs tests/kernels/eager.py on GPU 0 (host dispatch per kernel of eager
# PyTorch, GPU time per kernel in CUDA graphs and back to back, elementwise
# kernels on strided views): OUTDIR/eager_<gpu>.csv, OUTDIR/eager_<gpu>_meta.txt
# (GPU, driver, clocks, power limit, CPU, software) and OUTDIR/eager_<gpu>_log.txt.
# usage: tests/kernels/run_eager.sh OUTDIR
set -uo pipefail
out=${1:?usage: run_eager.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
tag=$(nvidia-smi --query-gpu=name --format=csv,noheader -i 0 | tr ' ' '_' | tr -cd 'A-Za-z0-9_')
export PYTHONUNBUFFERED=1
{
  echo "run_eager.sh $(date -u '+%Y-%m-%d %H:%M UTC')"
  nvidia-smi --query-gpu=index,name,driver_version,clocks.max.sm,clocks.sm,power.limit --format=csv -i 0
  lscpu | grep -E 'Model name|^CPU\(s\)|MHz' || true
  python3 -c 'import torch; print("torch", torch.__version__, "CUDA", torch.version.cuda)'
} > "$out/eager_${tag}_meta.txt" 2>&1
CUDA_VISIBLE_DEVICES=0 timeout "${EAGER_BUDGET:-240}" python3 "$here/eager.py" "$out/eager_$tag.csv" \
  2>&1 | tee "$out/eager_${tag}_log.txt"
