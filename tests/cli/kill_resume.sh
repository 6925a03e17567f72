#!/usr/bin/env bash
# kill_resume.sh EPIANN DEMO_DIR WORK: a training run killed with SIGKILL at several moments and resumed each time
# ends exactly like an uninterrupted run with the same seed: same log (timings aside), same model bytes.
set -euo pipefail
epiann="$1"; demo="$2"; work="$3"
rm -rf "$work"; mkdir -p "$work"
args=(--genome "$demo/data/genome.fa" --pairs "$demo/data/pairs.csv" --model small --split chromosome --fold 0
      --epochs 5 --patience 5 --steps-per-epoch 60 --validation-limit 300 --seed 7 --threads 2)
"$epiann" train "${args[@]}" --out "$work/straight" > "$work/straight.out" 2>&1

"$epiann" train "${args[@]}" --out "$work/killed" > "$work/killed.out" 2>&1 &
pid=$!
kills=0
for delay in 1.5 2.5 3.5 4.5 5.5; do
  sleep "$delay"
  if kill -0 "$pid" 2>/dev/null; then
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    kills=$((kills + 1))
    # Nothing half-written may remain visible under a final name; temporaries are allowed to linger.
    "$epiann" train --resume "$work/killed" >> "$work/killed.out" 2>&1 &
    pid=$!
  fi
done
wait "$pid"
echo "killed $kills times"
strip() { sed -E 's/"(train_)?seconds":[0-9.e+-]+,//g' "$1"; }
diff <(strip "$work/straight/log.jsonl") <(strip "$work/killed/log.jsonl") || { echo "FAIL: logs differ"; exit 1; }
# The weights: the bytes after the safetensors header (whose metadata records the epoch's wall time).
weights() { local n; n=$(od -An -t u8 -N 8 "$1" | tr -d ' '); tail -c +$((8 + n + 1)) "$1"; }
cmp <(weights "$work/straight/model.safetensors") <(weights "$work/killed/model.safetensors") || { echo "FAIL: weights differ"; exit 1; }
cmp <(weights "$work/straight/state.safetensors") <(weights "$work/killed/state.safetensors") || { echo "FAIL: optimizer state differs"; exit 1; }
[[ "$kills" -ge 1 ]] || { echo "FAIL: the run finished before it could be killed"; exit 1; }
echo "resumed run equals the uninterrupted one ($(wc -l < "$work/killed/log.jsonl") epochs)"
