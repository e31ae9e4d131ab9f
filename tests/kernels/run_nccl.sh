#!/usr/bin/env bash
# Builds nccl.cu against the NCCL that ships with the machine's PyTorch and
# measures the collectives on 2 GPUs and, when the host has them, on 4 and 8,
# writing OUTDIR/nccl.csv (one thread per GPU, as training runs: what dcsim
# fits), OUTDIR/nccl_single.csv (one thread for all GPUs, nccl-tests -g:
# kept for comparison), OUTDIR/nccl_meta.yaml and OUTDIR/nccl_log.txt.
# NVLink multicast stays off (NCCL_NVLS_ENABLE=0): on shared hosts it can put
# the GPUs out of service.
# usage: tests/kernels/run_nccl.sh OUTDIR [--quick]
set -euo pipefail
out=${1:?usage: run_nccl.sh OUTDIR [--quick]}
quick=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
exec > >(tee "$out/nccl_log.txt") 2>&1
export NCCL_NVLS_ENABLE=0 TORCH_SYMM_MEM_DISABLE_MULTICAST=1 NVSHMEM_DISABLE_NVLS=1
nccl_dir=$(python3 -c 'import nvidia.nccl as m; print(list(m.__path__)[0])')
echo "NCCL from $nccl_dir"
bin=$(mktemp -d)
nvcc -O3 -std=c++17 -arch=sm_90a -I"$nccl_dir/include" -o "$bin/nccl" "$here/nccl.cu" \
  -L"$nccl_dir/lib" -l:libnccl.so.2 -Xlinker -rpath="$nccl_dir/lib"
gpus=$(nvidia-smi -L | wc -l)
q() { nvidia-smi --query-gpu="$1" --format=csv,noheader,nounits -i 0 | head -1; }
cat > "$out/nccl_meta.yaml" <<META
# Measurement record for nccl.csv beside this file.
gpu_name: "$(q name)"
gpus_on_host: $gpus
driver_version: "$(q driver_version)"
cuda_compiler: "$(nvcc --version | tail -1)"
nccl_from: "$nccl_dir"
nvlink_multicast: "off (NCCL_NVLS_ENABLE=0)"
topology: |
$(nvidia-smi topo -m 2>/dev/null | sed 's/^/  /' || echo "  unavailable")
date_utc: "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
command: "tests/kernels/run_nccl.sh OUTDIR $quick"
META
rm -f "$out/nccl.csv" "$out/nccl_single.csv"
for n in 2 4 8; do
  [ "$n" -le "$gpus" ] || continue
  "$bin/nccl" "$out/nccl.csv" "$n" ${quick:-x} --threads
  "$bin/nccl" "$out/nccl_single.csv" "$n" ${quick:-x} --append
done
wc -l "$out"/nccl*.csv
