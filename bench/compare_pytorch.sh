#!/usr/bin/env bash
# compare_pytorch.sh: helix's EPIANN against the PyTorch peer, in one run, on the same machine and threads.
# Alternates ours (A) and PyTorch (B) `rounds` times for training and for inference at batch 64 (paper size),
# each run under /usr/bin/time -v; prints every run, then the medians of examples/s, their ratio, and the peak
# resident memory (max RSS) of both.
# Usage: bench/compare_pytorch.sh [build dir = build] [rounds = 3] [steps per run = 6]
# Environment: EPIANN_TORCH_PEER (default ../shared/peers/epiann_torch.py next to the repository), THREADS (2),
# BATCH (64). The peer needs Debian's python3-torch (/usr/bin/python3) with libopenblas0-pthread.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
rounds=${2:-3}
steps=${3:-6}
threads=${THREADS:-2}
batch=${BATCH:-64}
peer=${EPIANN_TORCH_PEER:-$root/../shared/peers/epiann_torch.py}
ours=$build/bench/epiann_throughput
[[ -x $ours ]] || { echo "compare_pytorch.sh: $ours not built (make epiann_throughput in $build)" >&2; exit 2; }
[[ -f $peer ]] || { echo "compare_pytorch.sh: PyTorch peer $peer not found (set EPIANN_TORCH_PEER)" >&2; exit 2; }
if [[ ! -x /usr/bin/time ]]; then  # GNU time, for the peak resident memory
  if [[ $(id -u) -eq 0 ]]; then apt-get install -y time >/dev/null; else sudo apt-get install -y time >/dev/null; fi
fi

log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
# run <label> <mode> <command...>: prints "label mode examples/s max_rss_kib"
run() {
  local label=$1 mode=$2
  shift 2
  OMP_NUM_THREADS=$threads /usr/bin/time -v "$@" >"$log/out" 2>"$log/time"
  local rate rss
  rate=$(grep -o 'examples/s=[0-9.]*' "$log/out" | cut -d= -f2)
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log/time")
  echo "$label $mode $rate $rss"
}

echo "# $(date -u +%FT%TZ) $(uname -n), $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg); threads=$threads batch=$batch steps=$steps"
results=$log/results
for mode in train infer; do
  for ((r = 1; r <= rounds; ++r)); do
    run helix "$mode" "$ours" --mode "$mode" --batch "$batch" --steps "$steps" --threads "$threads" | tee -a "$results"
    run pytorch "$mode" /usr/bin/python3 "$peer" --mode "$mode" --batch "$batch" --steps "$steps" --threads "$threads" | tee -a "$results"
  done
done

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
echo
printf '%-6s %14s %14s %8s %14s %14s\n' mode helix_ex/s torch_ex/s ratio helix_rss_MiB torch_rss_MiB
for mode in train infer; do
  ours_rate=$(awk -v m="$mode" '$1 == "helix" && $2 == m {print $3}' "$results" | median)
  peer_rate=$(awk -v m="$mode" '$1 == "pytorch" && $2 == m {print $3}' "$results" | median)
  ours_rss=$(awk -v m="$mode" '$1 == "helix" && $2 == m {print $4}' "$results" | median)
  peer_rss=$(awk -v m="$mode" '$1 == "pytorch" && $2 == m {print $4}' "$results" | median)
  awk -v m="$mode" -v a="$ours_rate" -v b="$peer_rate" -v ra="$ours_rss" -v rb="$peer_rss" \
    'BEGIN {printf "%-6s %14.1f %14.1f %7.1fx %14.0f %14.0f\n", m, a, b, a / b, ra / 1024, rb / 1024}'
done
