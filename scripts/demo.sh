#!/usr/bin/env bash
# Installs what is missing (Debian packages), builds, and runs the main job on the embedded default:
# `epiann demo` (simulate the benchmark, train with chromosomes held out, evaluate, audit). Output in ./epiann-demo/.
# Extra arguments go to `epiann demo` (e.g. --out DIR, --seed N, --quick).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install-deps.sh"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$root/build" -j "$(nproc)" --target epiann
exec "$root/build/examples/epiann/epiann" demo "$@"
