#!/usr/bin/env bash
# cuda_standalone against cpp_standalone on a machine with an NVIDIA GPU, in one go.
#
# From a fresh clone:   bash benchmarks/gpu.sh [OUT_DIR]      (default: gpu_results)
#
# 1. checks the GPU (nvidia-smi) and the CUDA compiler (nvcc on the PATH, or CUDA_PATH);
# 2. installs the project with its `cuda` extra (brian2cuda, nvidia-curand) into a venv of
#    its own, .venv-gpu (or $QUIFER_GPU_VENV), with a Python >= 3.12 found as the Makefile
#    finds it and the versions pinned by requirements.lock, unless that venv is ready;
# 3. runs benchmarks/bench_gpu.py: PING 50k (1 s), full-scale Brunel (1 s) and the
#    actualization loop at batch 1024 (500 ms), each on cpp_standalone and on
#    cuda_standalone, and prints a table; OUT_DIR/gpu_results.md is a markdown snippet
#    (device named) for benchmarks/README.md, OUT_DIR/gpu_results.json the raw numbers.
#
# Everything ends within 10 minutes (QUIFER_GPU_BUDGET seconds, default 570): work that
# would start later is skipped and marked so in the table.  Never part of CI.
#
# Without a GPU: `bash benchmarks/gpu.sh --dry-run` checks the script (tiny networks,
# cpp_standalone built and run, CUDA code generated only); `--generate-only` generates
# the full-size projects for both backends without compiling them.
set -euo pipefail
start=$(date +%s)
budget=${QUIFER_GPU_BUDGET:-570}
cd "$(dirname "$0")/.."

mode=()
out=gpu_results
for arg in "$@"; do
  case "$arg" in
    --dry-run | --generate-only) mode=("$arg") ;;
    -h | --help) sed -n '2,20p' "$0"; exit 0 ;;
    -*) echo "gpu.sh: unknown option $arg (--dry-run, --generate-only)" >&2; exit 2 ;;
    *) out=$arg ;;
  esac
done

if [ ${#mode[@]} -eq 0 ]; then
  if ! command -v nvidia-smi >/dev/null || ! nvidia-smi -L | grep -q GPU; then
    echo "gpu.sh: no NVIDIA GPU found (nvidia-smi -L lists none); this benchmark needs one." >&2
    echo "        'bash benchmarks/gpu.sh --dry-run' checks the script without a GPU." >&2
    exit 2
  fi
  nvidia-smi -L
fi
if [ -n "${CUDA_PATH:-}" ] && [ -x "$CUDA_PATH/bin/nvcc" ]; then
  export PATH="$CUDA_PATH/bin:$PATH"
fi
if ! command -v nvcc >/dev/null; then
  if [ "${mode[*]:-}" != "--dry-run" ] && [ "${mode[*]:-}" != "--generate-only" ]; then
    echo "gpu.sh: nvcc not found; put the CUDA toolkit's bin/ on the PATH or set CUDA_PATH." >&2
    exit 2
  fi
else
  nvcc --version | tail -n 1
fi

# the project's own install with the cuda extra, pinned by the lock, in a venv of its own
venv=${QUIFER_GPU_VENV:-.venv-gpu}
python=$venv/bin/python
if ! "$python" -c 'import brian2cuda, quifer_brian' 2>/dev/null; then
  base=$(sh scripts/find-python.sh)
  echo "installing the package with the cuda extra into $venv (Python: $base)"
  "$base" -m venv "$venv"
  "$python" -m pip install --quiet --upgrade pip
  "$python" -m pip install --quiet -c requirements.lock -e ".[cuda]"
fi
"$python" -c 'import brian2cuda' || {
  echo "gpu.sh: brian2cuda did not install into $venv (the cuda extra)" >&2
  exit 2
}

elapsed=$(($(date +%s) - start))
left=$((budget - elapsed))
echo "set-up took ${elapsed} s; ${left} s left for the benchmark"
if [ "$left" -lt 60 ]; then
  echo "gpu.sh: less than a minute left of the ${budget} s budget after the set-up" >&2
  exit 1
fi
PYTHONUNBUFFERED=1 "$python" benchmarks/bench_gpu.py --out "$out" --budget "$left" \
  "${mode[@]}"
echo "gpu.sh: done in $(($(date +%s) - start)) s; paste $out/gpu_results.md into benchmarks/README.md"
