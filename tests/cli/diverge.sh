#!/usr/bin/env bash
# diverge.sh EPIANN DEMO_DIR WORK: `epiann train` with a learning rate so large that the weights overflow must stop
# in its first epoch with exit code 3 and a message naming the epoch and step, write no checkpoint, and leave no run
# directory (nothing could be resumed from it).
set -uo pipefail
epiann="$1"; demo="$2"; work="$3"
rm -rf "$work"
"$epiann" train --genome "$demo/data/genome.fa" --pairs "$demo/data/pairs.csv" --model small --split chromosome --fold 0 \
  --epochs 2 --steps-per-epoch 8 --validation-limit 100 --seed 7 --threads 2 --learning-rate 1e30 --out "$work" \
  > "$work.out" 2>&1
status=$?
tail -2 "$work.out"
[[ "$status" == 3 ]] || { echo "FAIL: exit code $status, expected 3"; exit 1; }
grep -Eq "^epiann: error: training diverged at epoch 1, step [0-9]+: " "$work.out" || { echo "FAIL: message"; exit 1; }
for f in model.safetensors state.safetensors log.jsonl; do
  [[ ! -e "$work/$f" ]] || { echo "FAIL: $f written by a diverged epoch"; exit 1; }
done
[[ ! -e "$work" ]] || { echo "FAIL: the diverged run left $(ls -A "$work")"; exit 1; }
echo "divergence stops training with exit code 3, and leaves no run behind"
