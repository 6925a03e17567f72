#!/usr/bin/env bash
# report_outputs.sh EPIANN DEMO_DIR: the quick demo's report.html holds every figure as inline SVG and needs nothing
# from the network; `epiann report` on the bare run directory says which sections it left out.
set -euo pipefail
epiann="$1"; demo="$2"; html="$demo/report.html"
[[ -s "$html" ]] || { echo "FAIL: $html missing or empty"; exit 1; }
figures=("Training curves: loss" "Training curves: validation AUROC and AUPR" "ROC curves on the test pairs"
         "Precision-recall curves on the test pairs" "Attention of the example pair"
         "Attention along the example enhancer window" "Attention along the example promoter window"
         "Motif enrichment in enhancer attention regions (positive pairs)"
         "Motif enrichment in promoter attention regions (positive pairs)" "TF-pair enrichment"
         "Per-base AUPRC of planted sites, enhancer" "Per-base AUPRC of planted sites, promoter"
         "Cross effects of the example pair")
grep -q "Attribution methods side by side" "$html" || { echo "FAIL: no side-by-side table of the explain methods"; exit 1; }
# The table is the demo's methods/ pass: all five methods on a balanced subset.
for m in attention saliency input_x_gradient integrated_gradients ism; do
  grep -qF "<td>$m</td>" "$html" || { echo "FAIL: method $m missing from the side-by-side table"; exit 1; }
done
grep -qF "as many positive as negative pairs (methods/)" "$html" || { echo "FAIL: the table does not say which pairs it measured"; exit 1; }
for f in "${figures[@]}"; do
  grep -qF "<svg" "$html" && grep -qF "<title>$f</title>" "$html" || { echo "FAIL: figure \"$f\" missing"; exit 1; }
done
(( $(grep -o "<svg" "$html" | wc -l) == ${#figures[@]} )) || { echo "FAIL: expected ${#figures[@]} svg elements"; exit 1; }
if grep -Eq "<script|<link|<img|src=|url\(|https?://[^\"]*\.(js|css|png|woff)" "$html"; then
  echo "FAIL: the report refers to something outside itself"; exit 1
fi
grep -q "not available" "$html" && { echo "FAIL: a section of the demo's report is missing"; exit 1; }
# A run directory alone: training and test sections, the rest named as left out.
out="$demo/report_run_only.html"
rm -f "$out"
"$epiann" report "$demo/run" --explain "$demo/no-such-explain" --out "$out" > "$out.log"
grep -q "left out" "$out.log" || { echo "FAIL: missing sections not reported"; cat "$out.log"; exit 1; }
grep -qF "<title>ROC curves on the test pairs</title>" "$out" || { echo "FAIL: run-only report lacks ROC curves"; exit 1; }
# Not a run: exit 2 with a message naming the directory.
if "$epiann" report "$demo/data" 2> "$out.err"; then echo "FAIL: report accepted a directory without a run"; exit 1; fi
grep -q "not a training run" "$out.err" || { echo "FAIL: unclear error"; cat "$out.err"; exit 1; }
echo "report.html holds ${#figures[@]} figures, self-contained"
