#!/usr/bin/env bash
# Builds power.cu and measures board power through NVML on GPU 0 (see the
# phases in power.cu), writing OUTDIR/power.csv, OUTDIR/power_meta.yaml and
# OUTDIR/power_log.txt. With --comm, also NCCL all-reduces over every GPU of
# the host (NCCL from the machine's PyTorch, NVLink multicast off).
# usage: tests/kernels/run_power.sh OUTDIR [--comm] [--quick]
# Reads the GPU's settings; never changes clocks, power limits or modes.
set -euo pipefail
out=${1:?usage: run_power.sh OUTDIR [--comm] [--quick]}
shift
comm=0 quick=""
for a in "$@"; do
  case $a in
    --comm) comm=1 ;;
    --quick) quick=--quick ;;
    *) echo "run_power.sh: unknown argument '$a'" >&2; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
exec > >(tee "$out/power_log.txt") 2>&1
export NCCL_NVLS_ENABLE=0
bin=$(mktemp -d)
gpus=$(nvidia-smi -L | wc -l)
q() { nvidia-smi --query-gpu="$1" --format=csv,noheader,nounits -i 0 | head -1; }
cat > "$out/power_meta.yaml" <<META
# Measurement record for power.csv beside this file.
gpu_name: "$(q name)"
gpus_on_host: $gpus
driver_version: "$(q driver_version)"
cuda_compiler: "$(nvcc --version | tail -1)"
max_sm_clock_mhz: $(q clocks.max.sm)
max_mem_clock_mhz: $(q clocks.max.mem)
power_limit_w: $(q power.limit)
default_power_limit_w: $(q power.default_limit)
date_utc: "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
command: "tests/kernels/run_power.sh OUTDIR $*"
META
cat "$out/power_meta.yaml"
args=()
if [ "$comm" = 1 ] && [ "$gpus" -ge 2 ]; then
  nccl_dir=$(python3 -c 'import nvidia.nccl as m; print(list(m.__path__)[0])')
  echo "NCCL from $nccl_dir"
  nvcc -O3 -std=c++17 -arch=sm_90a -DDCS_NCCL -I"$nccl_dir/include" \
    -o "$bin/power" "$here/power.cu" -lcublasLt -ldl -lpthread \
    -L"$nccl_dir/lib" -l:libnccl.so.2 -Xlinker -rpath="$nccl_dir/lib"
  args=(--comm "$gpus")
else
  nvcc -O3 -std=c++17 -arch=sm_90a -o "$bin/power" "$here/power.cu" \
    -lcublasLt -ldl -lpthread
fi
"$bin/power" "$out/power.csv" $quick "${args[@]}"
wc -l "$out/power.csv"
