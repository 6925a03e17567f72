#!/usr/bin/env bash
# compare.sh EPIANN DEMO_DIR WORK: `epiann compare` of two models under both splits on the quick demo's data writes
# its table (one row per split and model, plus the canaries and the baseline), JSON and report section, and refuses
# to replace them unless --overwrite.
set -uo pipefail
epiann="$1"; demo="$2"; work="$3"
rm -rf "$work"; mkdir -p "$work"; cd "$work" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
awk 'NR == 1 || NR % 12 == 0' "$demo/data/pairs.csv" > pairs.csv  # every 12th pair: all chromosomes, fewer to score
args=(--genome "$demo/data/genome.fa" --pairs "$work/pairs.csv" --models small,epivan-small --out cmp
      --examples 128 --epochs 1 --validation-limit 100 --threads 2)
"$epiann" compare "${args[@]}" > out.log 2> err.log || fail "compare failed: $(tail -c 600 err.log)"
for f in compare.tsv compare.json compare.md; do [[ -s "cmp/$f" ]] || fail "$f missing"; done
[[ $(grep -c "^chromosome	small	EPIANN\|^chromosome	epivan-small	EPIVAN\|^paper	small	\|^paper	epivan-small	" cmp/compare.tsv) == 4 ]] \
  || fail "compare.tsv lacks a (split, model) row: $(cat cmp/compare.tsv)"
grep -q "overlap" cmp/compare.tsv || fail "compare.tsv has no canary row"
grep -q "What the leaky split adds" cmp/compare.md || fail "compare.md has no split difference"
[[ -s cmp/chromosome/epivan-small/model.safetensors && -s cmp/paper/small/evaluation.json ]] || fail "a run is missing"
"$epiann" compare "${args[@]}" > out.log 2> err.log; status=$?
[[ $status == 2 ]] && grep -q "give --overwrite" err.log || fail "a second compare into cmp was not refused (exit $status)"
"$epiann" compare "${args[@]/small,epivan-small/small,nope}" > out.log 2> err.log; status=$?
[[ $status == 2 ]] && grep -q 'unknown model "nope"' err.log || fail "an unknown model was not refused (exit $status)"
echo "compare wrote its table: $(wc -l < cmp/compare.tsv) rows"
