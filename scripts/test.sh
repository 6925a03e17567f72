#!/usr/bin/env bash
# Installs what is missing (Debian packages), builds everything in build/ (Release, -O2) and runs every test.
# The output ends with CTest's summary. Usage: scripts/test.sh [extra ctest arguments, e.g. -R genome]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install-deps.sh"
jobs="$(nproc)"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$root/build" -j "$jobs"
cd "$root/build"
ctest -j "$jobs" --output-on-failure "$@"
