#!/usr/bin/env bash
# Times training iterations with tests/validation/train_step.py: on one GPU,
# and with data parallelism on 2 and 4 GPUs when the host has them. Writes
# OUTDIR/train_<gpu>.csv and OUTDIR/train_log.txt. NVLink multicast off.
# usage: tests/validation/run_train.sh OUTDIR
set -euo pipefail
out=${1:?usage: run_train.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
exec > >(tee "$out/train_log.txt") 2>&1
export NCCL_NVLS_ENABLE=0 TORCH_SYMM_MEM_DISABLE_MULTICAST=1 NVSHMEM_DISABLE_NVLS=1
export PYTHONUNBUFFERED=1
gpus=$(nvidia-smi -L | wc -l)
tag=$(nvidia-smi --query-gpu=name --format=csv,noheader -i 0 | tr ' ' '_' | tr -cd 'A-Za-z0-9_')
csv="$out/train_$tag.csv"
rm -f "$csv"
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv
if [ "$gpus" -eq 1 ]; then
  python3 "$here/train_step.py" "$csv"
else
  for n in 2 4 8; do
    [ "$n" -le "$gpus" ] || continue
    torchrun --standalone --nproc_per_node="$n" "$here/train_step.py" "$csv"
  done
fi
wc -l "$csv"
