#!/usr/bin/env bash
# Builds and runs every dcsim GPU microbenchmark on this machine's GPU 0 and
# writes the results to OUTDIR:
#   meta.yaml       GPU, driver, CUDA, clocks, date, command
#   gemm.csv        cuBLASLt GEMM and batched GEMM (gemm.cu)
#   membound.csv    bandwidth-bound kernels (membound.cu)
#   attention.csv   FlashAttention through PyTorch SDPA (attention.py)
#   power.csv       NVML board power: idle, sustained GEMM, sustained copy
#   log.txt         everything printed
# usage: tests/kernels/run.sh OUTDIR [--quick]
# Reads the GPU's settings; never changes clocks, power limits or modes.
set -euo pipefail
out=${1:?usage: run.sh OUTDIR [--quick]}
quick=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
exec > >(tee "$out/log.txt") 2>&1
bin=$(mktemp -d)
start=$(date +%s)

q() { nvidia-smi --query-gpu="$1" --format=csv,noheader,nounits -i 0 | head -1; }
cat > "$out/meta.yaml" <<META
# Measurement record for the CSVs beside this file.
gpu_name: "$(q name)"
driver_version: "$(q driver_version)"
cuda_compiler: "$(nvcc --version | tail -1)"
torch: "$(python3 -c 'import torch; print(torch.__version__, torch.version.cuda)' 2>/dev/null || echo none)"
max_sm_clock_mhz: $(q clocks.max.sm)
max_mem_clock_mhz: $(q clocks.max.mem)
power_limit_w: $(q power.limit)
memory_total_mib: $(q memory.total)
sm_count: $(python3 -c 'import torch; print(torch.cuda.get_device_properties(0).multi_processor_count)' 2>/dev/null || echo 0)
l2_bytes: $(python3 -c 'import torch; print(torch.cuda.get_device_properties(0).L2_cache_size)' 2>/dev/null || echo 0)
date_utc: "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
hostname: "$(hostname)"
command: "tests/kernels/run.sh OUTDIR $quick"
META
cat "$out/meta.yaml"

echo "== build"
arch=sm_90a
nvcc -O3 -std=c++17 -arch=$arch -o "$bin/gemm" "$here/gemm.cu" -lcublasLt & p1=$!
nvcc -O3 -std=c++17 -arch=$arch -o "$bin/membound" "$here/membound.cu" & p2=$!
nvcc -O3 -std=c++17 -arch=$arch -o "$bin/power" "$here/power.cu" -lcublasLt -ldl -lpthread & p3=$!
# Wait for the compilers by pid: a bare `wait` would also wait for the tee
# above (bash >= 5.1 waits for process substitutions), which never ends.
wait $p1 $p2 $p3
echo "built in $(( $(date +%s) - start )) s"

# Each benchmark runs even if another failed; failures are listed at the end.
failed=""
step() {
  local name=$1; shift
  echo "== $name"
  "$@" || failed="$failed $name"
  echo "elapsed $(( $(date +%s) - start )) s"
}
step gemm "$bin/gemm" "$out/gemm.csv" $quick
step membound "$bin/membound" "$out/membound.csv" $quick
step attention env PYTHONUNBUFFERED=1 python3 "$here/attention.py" "$out" $quick
step power "$bin/power" "$out/power.csv" $quick
echo "== rows"
wc -l "$out"/*.csv
echo "total $(( $(date +%s) - start )) s"
[ -z "$failed" ] || { echo "FAILED:$failed"; exit 1; }
