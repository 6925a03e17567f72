#!/usr/bin/env bash
# Installs what is missing (Debian packages), builds, and runs the main job on the embedded default.
# For now the main job is the quickstart model (examples/quickstart); `epiann demo` replaces it when it lands.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install-deps.sh"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$root/build" -j "$(nproc)" --target quickstart
mkdir -p "$root/build/demo"
cd "$root/build/demo"
exec "$root/build/examples/quickstart" "$@"
