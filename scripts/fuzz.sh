#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang (-fsanitize=fuzzer,address,undefined) in build-fuzz/ and runs
# each for a bounded time, one after the other, starting from its committed seeds (fuzz/corpus/<target>/, never
# modified) and the inputs earlier runs found (build-fuzz/corpus/<target>/). Prints executions and findings per
# target; a crashing input is saved as build-fuzz/artifacts/<target>/crash-* (or leak-, oom-, timeout-) and makes
# the script exit 1. A finding stops its target: fix it, add the input to tests/fuzz_regression_test.cpp, run again.
# Usage: scripts/fuzz.sh [seconds per target, default 60] [target ...]   (targets: see fuzz/CMakeLists.txt)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-60}"
shift || true
"$root/scripts/install-deps.sh" --clang
build="$root/build-fuzz"
CXX=clang++ CC=clang cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
  -DHELIX_BUILD_FUZZERS=ON -DHELIX_BUILD_TESTS=OFF -DHELIX_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j 2 --target fuzzers

targets=("$@")
if ((${#targets[@]} == 0)); then
  mapfile -t targets < <(sed -n 's/^set(helix_fuzz_targets \(.*\))$/\1/p' "$root/fuzz/CMakeLists.txt" | tr ' ' '\n')
fi
# The targets write each input to a scratch file: on tmpfs that is about 20x faster than on disk.
if [[ -d /dev/shm && -w /dev/shm ]]; then export TMPDIR="/dev/shm/helix-fuzz-$$"; else export TMPDIR="$build/tmp"; fi
mkdir -p "$TMPDIR"
trap 'rm -rf "$TMPDIR"' EXIT
failed=0
printf '%-22s %12s %10s %8s %s\n' target executions "exec/s" crashes "corpus (seeds -> now)"
for t in "${targets[@]}"; do
  corpus="$build/corpus/$t" artifacts="$build/artifacts/$t"
  rm -rf "$artifacts"  # a run reports its own findings only (earlier ones live on as regression tests)
  mkdir -p "$corpus" "$artifacts"
  seeds=$(find "$root/fuzz/corpus/$t" -type f | wc -l)
  log="$build/fuzz_$t.log"
  status=0
  # -rss_limit_mb: a parser must not need gigabytes for a small input; -timeout: nor seconds.
  "$build/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" "$root/fuzz/corpus/$t" >"$log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  crashes=$(find "$artifacts" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | wc -l)
  printf '%-22s %12s %10s %8s %s\n' "$t" "${execs:-?}" "${rate:-?}" "$crashes" "$seeds -> $(find "$corpus" -type f | wc -l)"
  if ((status != 0 || crashes > 0)); then
    failed=1
    echo "  $t: exit $status; see $log and $artifacts/" >&2
    grep -m3 -E "ERROR|SUMMARY|runtime error" "$log" | sed 's/^/  /' >&2 || true
  fi
done
exit "$failed"
