#!/usr/bin/env bash
# mpi_matches_single.sh EPIANN COMPARE_CHECKPOINTS MPIEXEC WORK: data-parallel training and sharded prediction under
# MPI against one process, on a tiny simulated set with the small model, one thread per rank.
#   1. One step (global batch 32 + 32, same seed): 2 ranks reach the same averaged gradient (Adam's first moment) and
#      the same parameters as 1 process within float tolerance; the worst element is printed.
#   2. Six steps: per-epoch training and validation losses agree to 1e-3 (relative).
#   3. A 2-rank run stopped after epoch 1 and resumed by 2 ranks ends bit-identical to an uninterrupted 2-rank run.
#   4. Sharded prediction (2 and 3 ranks) writes files byte-identical to one process.
#   5. A diverging 2-rank run stops every rank with exit code 3 and writes no checkpoint (no rank left waiting).
set -euo pipefail
epiann="$1"; compare="$2"; mpiexec="$3"; work="$4"
rm -rf "$work"; mkdir -p "$work"
mpirun() { local n="$1"; shift; "$mpiexec" -np "$n" --oversubscribe --allow-run-as-root --bind-to none "$@"; }
fail() { echo "FAIL: $*"; exit 1; }

"$epiann" simulate --out "$work/data" --enhancers 400 --promoters 100 --positives 200 --negatives-per-positive 4 > /dev/null
common=(--genome "$work/data/genome.fa" --pairs "$work/data/pairs.csv" --model small --split chromosome --fold 0
        --patience 5 --validation-limit 100 --seed 3 --threads 1)

# 1. One step. Adam's first moment after one step is 0.1 x the step's gradient. Parameters move by about the
# learning rate (1e-3) per step whatever the gradient's size, so components whose gradient is near zero carry float
# noise into the update: 5e-5 is 5 % of one step.
one_step=("${common[@]}" --epochs 1 --steps-per-epoch 1)
"$epiann" train "${one_step[@]}" --out "$work/step_1p" > "$work/step_1p.out" 2>&1
mpirun 2 "$epiann" train "${one_step[@]}" --out "$work/step_2r" > "$work/step_2r.out" 2>&1 || { cat "$work/step_2r.out"; fail "2-rank training"; }
grep -q "training on 2 MPI ranks" "$work/step_2r.out" || fail "training did not run on 2 ranks"
echo "after one step, 2 ranks against 1 process:"
"$compare" "$work/step_2r/state.safetensors" "$work/step_1p/state.safetensors" optimizer.m 1e-4 1e-6 || fail "gradients differ"
"$compare" "$work/step_2r/state.safetensors" "$work/step_1p/state.safetensors" model. 0 5e-5 || fail "parameters differ"

# 2. Six steps over two epochs: float differences grow (Adam, top-k selection), the losses stay the same.
six=("${common[@]}" --epochs 2 --steps-per-epoch 3)
"$epiann" train "${six[@]}" --out "$work/six_1p" > "$work/six_1p.out" 2>&1
mpirun 2 "$epiann" train "${six[@]}" --out "$work/six_2r" > "$work/six_2r.out" 2>&1 || { cat "$work/six_2r.out"; fail "2-rank training"; }
echo "after six steps (information, not a bound):"
"$compare" "$work/six_2r/state.safetensors" "$work/six_1p/state.safetensors" model. 0 1e-6 || true
losses() { sed -E 's/.*"train_loss":([^,]+),.*"validation_loss":([^,}]+).*/\1 \2/' "$1/log.jsonl"; }
paste <(losses "$work/six_1p") <(losses "$work/six_2r") | awk '
  { for (i = 1; i <= 2; ++i) { d = ($i - $(i + 2)) / $i; if (d < 0) d = -d; if (d > worst) worst = d } ++n }
  END { printf "losses of %d epochs agree to %.2g (relative)\n", n, worst; exit !(n == 2 && worst < 1e-3) }' ||
  fail "losses differ"

# 3. Resume across ranks: every rank reads the state file rank 0 wrote.
mpirun 2 "$epiann" train "${common[@]}" --steps-per-epoch 2 --epochs 3 --out "$work/straight" > "$work/straight.out" 2>&1 ||
  { cat "$work/straight.out"; fail "straight run"; }
mpirun 2 "$epiann" train "${common[@]}" --steps-per-epoch 2 --epochs 1 --out "$work/resumed" > "$work/resumed.out" 2>&1 ||
  { cat "$work/resumed.out"; fail "first epoch"; }
sed -i -E 's/"epochs": 1,/"epochs": 3,/' "$work/resumed/run.json"  # the same run, asked for more epochs
mpirun 2 "$epiann" train --resume "$work/resumed" >> "$work/resumed.out" 2>&1 || { cat "$work/resumed.out"; fail "resume"; }
grep -q "resuming .* after epoch 1" "$work/resumed.out" || fail "the run did not resume"
[[ $(grep -c "resuming" "$work/resumed.out") -eq 1 ]] || fail "more than one rank reported the resumption"
strip() { sed -E 's/"(train_)?seconds":[0-9.e+-]+,//g' "$1"; }
diff <(strip "$work/straight/log.jsonl") <(strip "$work/resumed/log.jsonl") || fail "resumed log differs"
weights() { local n; n=$(od -An -t u8 -N 8 "$1" | tr -d ' '); tail -c +$((8 + n + 1)) "$1"; }
cmp <(weights "$work/straight/state.safetensors") <(weights "$work/resumed/state.safetensors") || fail "resumed state differs"
echo "a 2-rank run resumed by 2 ranks after epoch 1 equals the uninterrupted run"

# 4. Sharded prediction: the same bytes as one process, for an even and an uneven share of the batches.
predict=(predict --checkpoint "$work/straight/model.safetensors" --genome "$work/data/genome.fa" --pairs "$work/data/pairs.csv" --threads 1)
mkdir -p "$work/p1" "$work/p2" "$work/p3"
"$epiann" "${predict[@]}" --out "$work/p1/scores.tsv" > /dev/null
pairs=$(($(wc -l < "$work/data/pairs.csv") - 1))
[[ $(wc -l < "$work/p1/scores.tsv") -eq $((pairs + 1)) ]] || fail "single-process prediction has the wrong length"
for n in 2 3; do
  mpirun "$n" "$epiann" "${predict[@]}" --out "$work/p$n/scores.tsv" > "$work/p$n.out" 2>&1 || { cat "$work/p$n.out"; fail "$n-rank prediction"; }
  for f in scores.tsv scores.bedpe scores.interact; do
    cmp "$work/p1/$f" "$work/p$n/$f" || fail "$n-rank $f differs from one process"
  done
  [[ $(grep -c "^scored" "$work/p$n.out") -eq 1 ]] || fail "more than one rank reported"
done
echo "sharded prediction on 2 and 3 ranks: $pairs pairs, byte-identical to one process"

# 5. Divergence: every rank sees the same summed gradient, so the whole job stops with the diverged exit code.
set +e
timeout 120 "$mpiexec" -np 2 --oversubscribe --allow-run-as-root --bind-to none "$epiann" train "${common[@]}" --epochs 2 \
  --steps-per-epoch 4 --learning-rate 1e30 --out "$work/diverged" > "$work/diverged.out" 2>&1
status=$?
set -e
[[ $status -eq 3 ]] || { cat "$work/diverged.out"; fail "diverging 2-rank run: exit code $status, expected 3"; }
grep -q "training diverged at epoch 1, step" "$work/diverged.out" || fail "no divergence message"
[[ ! -e "$work/diverged/model.safetensors" ]] || fail "a diverged run wrote a checkpoint"
echo "a diverging 2-rank run stops with exit code 3 and no checkpoint"
