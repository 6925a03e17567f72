#!/usr/bin/env bash
# compare_zoo.sh: SPEID and EPI-Mind at their authors' sizes, helix (bench/zoo_speed) against PyTorch
# (bench/zoo_torch.py: Debian's 1.13, and PyTorch 2.x eager, torch.compile and bf16 autocast when TORCH2_PYTHON names a
# venv with it), alternated `rounds` times in one run, same threads and batch. Prints every run, then per case and mode
# the median ms per batch of each configuration and helix's speed-up over the fastest PyTorch configuration.
# Usage: bench/compare_zoo.sh [build dir = build] [rounds = 3]
# Environment: THREADS (2), BATCH (64), REPEATS (5), CASES (speid,epi_mind), TORCH_PYTHON (/usr/bin/python3),
# TORCH2_PYTHON (e.g. the venv of scripts/install-deps.sh --peers; empty: PyTorch 2.x is skipped).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
rounds=${2:-3}
threads=${THREADS:-2}; batch=${BATCH:-64}; repeats=${REPEATS:-5}; cases=${CASES:-speid,epi_mind}
torch_python=${TORCH_PYTHON:-/usr/bin/python3}; torch2_python=${TORCH2_PYTHON:-}
cmake --build "$build" --target zoo_speed > /dev/null
ours=$build/bench/zoo_speed
peer=$root/bench/zoo_torch.py
common=(--threads "$threads" --batch "$batch" --repeats "$repeats" --case "$cases")
configs=("helix|$ours" "torch1.13|$torch_python $peer")
if [[ -n $torch2_python ]]; then
  configs+=("torch2-eager|$torch2_python $peer" "torch2-compile|$torch2_python $peer --compile" "torch2-bf16|$torch2_python $peer --bf16")
fi
log=$(mktemp); trap 'rm -f "$log"' EXIT
echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); threads=$threads batch=$batch rounds=$rounds cases=$cases"
for ((r = 1; r <= rounds; ++r)); do
  for c in "${configs[@]}"; do
    name=${c%%|*}; cmd=${c#*|}
    # shellcheck disable=SC2086 # the command and its options
    $cmd "${common[@]}" 2>&1 | sed "s/^/$name /" | tee -a "$log"
  done
done
python3 - "$log" <<'PY'
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) < 4 or not parts[1].startswith("case="):
        continue
    f = dict(p.split("=", 1) for p in parts[1:])
    runs[(f["case"], f["mode"], parts[0])].append(float(f["ms_per_batch"]))
print("\ncase            mode   configuration     median ms/batch   helix speed-up over it")
keys = sorted({(c, m) for c, m, _ in runs})
for case, mode in keys:
    ours = statistics.median(runs[(case, mode, "helix")]) if (case, mode, "helix") in runs else None
    fastest = None
    for (c, m, conf), v in sorted(runs.items()):
        if c != case or m != mode:
            continue
        ms = statistics.median(v)
        print(f"{case:15s} {mode:6s} {conf:17s} {ms:12.1f}      {'' if ours is None or conf == 'helix' else f'{ms / ours:.2f}x'}")
        if conf != "helix" and (fastest is None or ms < fastest[1]):
            fastest = (conf, ms)
    if ours and fastest:
        print(f"{case:15s} {mode:6s} -> against the fastest PyTorch ({fastest[0]}): {fastest[1] / ours:.2f}x")
PY
