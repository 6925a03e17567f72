#!/usr/bin/env bash
# compare_layers.sh: the layers of the second wave, helix (bench/layer_speed) against PyTorch (bench/layers_torch.py),
# in one run, on the same machine and threads. Per case, alternates helix and PyTorch `rounds` times (one process
# each, training and inference), prints every run, then the medians over the rounds of ms per batch and their
# ratio, torch time / helix time (above 1: helix is faster). best_ratio is the same for the runs' fastest samples
# (best_ms), less sensitive to other work on a shared machine.
# Usage: bench/compare_layers.sh [build dir = build] [rounds = 3]
#   (layer_speed is looked for as <build dir>/bench/layer_speed, then <build dir>/layer_speed)
# Environment: THREADS (2), BATCH (32), REPEATS (7: timed samples per run), CASES (comma-separated; default every case
# both programs know), TORCH_PYTHON (/usr/bin/python3: Debian's python3-torch with libopenblas0-pthread),
# TORCH2_PYTHON (optional: the python of a venv with PyTorch 2.x; then its eager and torch.compile runs are added).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
rounds=${2:-3}
threads=${THREADS:-2}
batch=${BATCH:-32}
repeats=${REPEATS:-7}
torch_python=${TORCH_PYTHON:-/usr/bin/python3}
torch2_python=${TORCH2_PYTHON:-}
peer=$root/bench/layers_torch.py
ours=$build/bench/layer_speed
[[ -x $ours ]] || ours=$build/layer_speed
[[ -x $ours ]] || { echo "compare_layers.sh: layer_speed not built in $build (make layer_speed)" >&2; exit 2; }
"$torch_python" -c 'import torch' 2>/dev/null ||
  { echo "compare_layers.sh: $torch_python has no torch (set TORCH_PYTHON)" >&2; exit 2; }
if [[ -n $torch2_python ]] && ! "$torch2_python" -c 'import torch' 2>/dev/null; then
  echo "compare_layers.sh: TORCH2_PYTHON=$torch2_python has no torch: skipping PyTorch 2.x" >&2
  torch2_python=
fi

log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
# The cases both know, in helix's order (or CASES); those only PyTorch knows are reported as left out.
"$ours" --list | awk '{print $1}' >"$log/ours"
"$torch_python" "$peer" --list | awk '{print $1}' >"$log/peer"
if [[ -n ${CASES:-} ]]; then tr ',' '\n' <<<"$CASES" >"$log/want"; else cp "$log/ours" "$log/want"; fi
cases=$(grep -Fxf "$log/ours" "$log/want" | grep -Fxf "$log/peer" || true)
left_out=$(grep -Fvxf "$log/ours" "$log/peer" || true)
unknown=$(grep -Fvxf "$log/ours" "$log/want" | grep -Fvxf "$log/peer" || true)
[[ -z $unknown ]] || { echo "compare_layers.sh: no case $(tr "\n" " " <<<"$unknown")(see layer_speed --list)" >&2; exit 2; }
[[ -n $cases ]] || { echo "compare_layers.sh: no case that both programs know" >&2; exit 2; }

common=(--threads "$threads" --batch "$batch" --repeats "$repeats")
torch_version() { "$1" -c 'import torch; print(torch.__version__)'; }
echo "# $(date -u +%FT%TZ) $(uname -n), $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg); threads=$threads" \
  "batch=$batch repeats=$repeats rounds=$rounds; torch $(torch_version "$torch_python")" \
  "${torch2_python:+and $(torch_version "$torch2_python") ($torch2_python)}"
# shellcheck disable=SC2086 # one line of the names
[[ -z $left_out ]] || echo "# not in helix's layer_speed (left out):" $left_out
# run <label> <case> <command...>: prints "label case mode ms_per_batch best_ms" per mode
results=$log/results
run() {
  local label=$1 name=$2
  shift 2
  OMP_NUM_THREADS=$threads "$@" --case "$name" "${common[@]}" >"$log/out" ||
    { echo "compare_layers.sh: $label failed on $name:" >&2; cat "$log/out" >&2; return 1; }
  sed -n 's/^case=\([^ ]*\) mode=\([^ ]*\) ms_per_batch=\([^ ]*\) .*best_ms=\([^ ]*\).*/\1 \2 \3 \4/p' "$log/out" |
    awk -v l="$label" '{print l, $1, $2, $3, $4}' | tee -a "$results"
}
for name in $cases; do
  for ((r = 1; r <= rounds; ++r)); do
    run helix "$name" "$ours"
    run torch "$name" "$torch_python" "$peer"
    if [[ -n $torch2_python ]]; then
      run torch2 "$name" "$torch2_python" "$peer"
      run torch2c "$name" "$torch2_python" "$peer" --compile
    fi
  done
done

median() {
  sort -g | awk '{v[NR] = $1}
    END {if (NR == 0) print "nan"; else print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
# med <label> <case> <mode> <column: 4 = ms_per_batch, 5 = best_ms>
med() { awk -v l="$1" -v c="$2" -v m="$3" -v k="$4" '$1 == l && $2 == c && $3 == m {print $k}' "$results" | median; }
labels=(torch)
[[ -n $torch2_python ]] && labels+=(torch2 torch2c)
echo
header=$(printf '%-20s %-5s %10s' case mode helix_ms)
for l in "${labels[@]}"; do header+=$(printf ' %10s %7s %10s' "${l}_ms" ratio best_ratio); done
echo "$header"
for name in $cases; do
  for mode in train infer; do
    ours_ms=$(med helix "$name" "$mode" 4)
    ours_best=$(med helix "$name" "$mode" 5)
    line=$(printf '%-20s %-5s %10.3f' "$name" "$mode" "$ours_ms")
    for l in "${labels[@]}"; do
      peer_ms=$(med "$l" "$name" "$mode" 4)
      peer_best=$(med "$l" "$name" "$mode" 5)
      line+=$(awk -v a="$ours_ms" -v b="$peer_ms" -v ab="$ours_best" -v bb="$peer_best" 'BEGIN {
        if (b == "nan") printf " %10s %7s %10s", "-", "-", "-"
        else printf " %10.3f %6.2fx %9.2fx", b, b / a, bb / ab }')
    done
    echo "$line"
  done
done
echo "# $(date -u +%FT%TZ) done, load: $(cut -d' ' -f1-3 /proc/loadavg)"
