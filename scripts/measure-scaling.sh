#!/usr/bin/env bash
# Training and prediction throughput of epiann on this machine in three layouts: 1 process x 1 thread, 2 MPI ranks x
# 1 thread, 1 process x 2 threads (docs/06-scaling.md). Needs a build with MPI (build/). Prints a Markdown table.
# Usage: scripts/measure-scaling.sh [WORK_DIR] [REPEATS]   (environment: MODEL=paper|small, STEPS=training steps,
#   BUILD_DIR=build directory, default build/)
#   training:   epoch 2 of a run of STEPS batches of 32 + 32 per epoch (the log's epoch time; it includes scoring 64
#               validation pairs), examples per second
#   prediction: `epiann predict` on 2048 and on 64 pairs; the difference removes start-up (model, genome index), so
#               pairs/s and CPU ms/pair are the marginal cost of a pair
# Each figure is the best of REPEATS runs (default 3): the machine may be shared.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
epiann="${BUILD_DIR:-$root/build}/examples/epiann/epiann"
work="${1:-/tmp/epiann-scaling}"; repeats="${2:-3}"
model="${MODEL:-paper}"; steps="${STEPS:-8}"
[[ -x "$epiann" ]] || { echo "measure-scaling: build epiann first (cmake --build build --target epiann)" >&2; exit 1; }
command -v mpirun > /dev/null || { echo "measure-scaling: mpirun not found (apt-get install openmpi-bin)" >&2; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mkdir -p "$work"

data="$work/data"
[[ -s "$data/pairs.csv" ]] ||
  "$epiann" simulate --out "$data" --enhancers 2000 --promoters 500 --positives 1000 --negatives-per-positive 4 > /dev/null
head -n 65 "$data/pairs.csv" > "$work/pairs_64.csv"
head -n 2049 "$data/pairs.csv" > "$work/pairs_2048.csv"

# launch LAYOUT COMMAND...: runs COMMAND as 1x1, 2x1 (mpirun, one core per rank) or 1x2, timed into $work/time
# (wall, user and system seconds; mpirun's include its ranks').
launch() {
  local layout="$1"; shift
  local timed=(/usr/bin/time -f "%e %U %S" -o "$work/time")
  case "$layout" in
    1x1) OMP_NUM_THREADS=1 "${timed[@]}" "$@" --threads 1 ;;
    2x1) "${timed[@]}" mpirun -np 2 --bind-to core --map-by core -x OMP_NUM_THREADS=1 "$@" --threads 1 ;;
    1x2) OMP_NUM_THREADS=2 "${timed[@]}" "$@" --threads 2 ;;
  esac
}
# best_of N LAYOUT COMMAND...: the smallest "wall cpu" pair (seconds) over N runs.
best_of() {
  local n="$1"; shift
  for ((i = 0; i < n; ++i)); do
    launch "$@" > "$work/last.out" 2>&1 || { cat "$work/last.out" >&2; exit 1; }
    awk '{ print $1, $2 + $3 }' "$work/time"
  done | sort -g | head -n 1
}

train_args=(train --genome "$data/genome.fa" --pairs "$data/pairs.csv" --model "$model" --split chromosome --fold 0
            --epochs 2 --patience 5 --steps-per-epoch "$steps" --validation-limit 64 --seed 3)
echo "| layout | training examples/s | prediction pairs/s | prediction CPU ms/pair |"
echo "|---|---|---|---|"
for layout in 1x1 2x1 1x2; do
  best_train=0
  for ((i = 0; i < repeats; ++i)); do
    rm -rf "$work/run_$layout"
    launch "$layout" "$epiann" "${train_args[@]}" --out "$work/run_$layout" > "$work/train.out" 2>&1 ||
      { cat "$work/train.out" >&2; exit 1; }
    rate=$(sed -n 2p "$work/run_$layout/log.jsonl" | sed -E 's/.*"examples":([0-9]+).*"seconds":([0-9.e+-]+).*/\1 \2/' |
           awk '{ printf "%.1f", $1 / $2 }')
    best_train=$(awk -v a="$best_train" -v b="$rate" 'BEGIN { print (b > a ? b : a) }')
  done
  checkpoint="$work/run_$layout/model.safetensors"
  predict=(predict --checkpoint "$checkpoint" --genome "$data/genome.fa" --out "$work/scores_$layout.tsv")
  read -r wall_small cpu_small < <(best_of "$repeats" "$layout" "$epiann" "${predict[@]}" --pairs "$work/pairs_64.csv")
  read -r wall_large cpu_large < <(best_of "$repeats" "$layout" "$epiann" "${predict[@]}" --pairs "$work/pairs_2048.csv")
  awk -v l="$layout" -v t="$best_train" -v ws="$wall_small" -v wl="$wall_large" -v cs="$cpu_small" -v cl="$cpu_large" \
    'BEGIN { printf "| %s | %s | %.0f | %.2f |\n", l, t, 1984 / (wl - ws), 1000 * (cl - cs) / 1984 }'
done
echo
echo "model $model, $steps steps of 64 examples per epoch, best of $repeats; $(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p')); load average $(cut -d' ' -f1-3 /proc/loadavg)"
