#!/usr/bin/env bash
# Installs what is missing (Debian packages), builds everything in build/ (Release, -O2) and runs every test.
# The output ends with CTest's summary. Usage: scripts/test.sh [extra ctest arguments, e.g. -R genome]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install-deps.sh"
jobs="$(nproc)"
# CUDA: compile and link the CUDA tests and epiann's CUDA path whenever nvcc is there (CI has it at /usr/local/cuda);
# without a GPU the CUDA test reports itself skipped. HELIX_ENABLE_CUDA=OFF in the environment turns this off.
cuda_args=()
nvcc="$(command -v nvcc || true)"
[[ -z "$nvcc" && -x /usr/local/cuda/bin/nvcc ]] && nvcc=/usr/local/cuda/bin/nvcc
if [[ -n "$nvcc" && "${HELIX_ENABLE_CUDA:-ON}" != "OFF" ]]; then
  cuda_args=(-DHELIX_ENABLE_CUDA=ON "-DCMAKE_CUDA_COMPILER=$nvcc")
  echo "CUDA: $nvcc"
fi
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release "${cuda_args[@]}" >/dev/null
cmake --build "$root/build" -j "$jobs"
cd "$root/build"
ctest -j "$jobs" --output-on-failure "$@"
