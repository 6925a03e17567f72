#!/usr/bin/env bash
# predict_matches_evaluate.sh EPIANN DEMO_DIR: `epiann evaluate` on the demo run writes the test pairs and their
# probabilities; `epiann predict` on those pairs must give the same probabilities, digit for digit.
set -euo pipefail
epiann="$1"; demo="$2"; out="$demo/predict_check"
rm -rf "$out"; mkdir -p "$out"
"$epiann" evaluate --checkpoint "$demo/run/model.safetensors" --genome "$demo/data/genome.fa" --pairs "$demo/data/pairs.csv" --out "$out"
"$epiann" predict --checkpoint "$demo/run/model.safetensors" --genome "$demo/data/genome.fa" --pairs "$out/test_pairs.csv" --out "$out/scores.tsv"
cut -f5 "$out/test_predictions.tsv" > "$out/evaluate.col"
cut -f5 "$out/scores.tsv" > "$out/predict.col"
lines=$(wc -l < "$out/evaluate.col")
[[ "$lines" -gt 100 ]] || { echo "FAIL: only $lines test predictions"; exit 1; }
cmp "$out/evaluate.col" "$out/predict.col" || { echo "FAIL: predict differs from evaluate"; exit 1; }
for f in scores.bedpe scores.interact; do [[ -s "$out/$f" ]] || { echo "FAIL: $f missing"; exit 1; }; done
echo "predict reproduces evaluate's $((lines - 1)) test probabilities exactly"
