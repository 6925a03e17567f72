#!/usr/bin/env bash
# explain_outputs.sh EPIANN DEMO_DIR: `epiann explain` on the quick demo's run writes every output, with content: by
# default attention's and input x gradient's; then integrated gradients and ISM on a few pairs, with their checks.
set -euo pipefail
epiann="$1"; demo="$2"; out="$demo/explain_check"
rm -rf "$out"
"$epiann" explain --checkpoint "$demo/run/model.safetensors" --genome "$demo/data/genome.fa" --pairs "$demo/data/pairs.csv" \
  --truth "$demo/data/truth.tsv" --grammar "$demo/data/grammar.tsv" --max-pairs 400 --permutations 20 --out "$out" > "$out.log"
for f in importance.bedGraph importance.bw top_regions.bed top_bin_pairs.bedpe top_bin_pairs.interact motif_enrichment.tsv tf_pairs.tsv summary.json \
         importance_input_x_gradient.bedGraph importance_input_x_gradient.bw top_regions_input_x_gradient.bed \
         motif_enrichment_input_x_gradient.tsv tf_pairs_input_x_gradient.tsv; do
  [[ -s "$out/$f" ]] || { echo "FAIL: $f missing or empty"; exit 1; }
done
# Five regions per element, two elements per pair, 400 pairs (the stratified subset may round by one).
regions=$(($(wc -l < "$out/top_regions.bed") - 1))
(( regions >= 3990 && regions <= 4010 )) || { echo "FAIL: $regions top regions"; exit 1; }
grep -q '"top_enhancer_regions_hold_cooperating_site"' "$out/summary.json" || { echo "FAIL: no recovery figures"; exit 1; }
grep -q '"cross_effects"' "$out/example_pair.json" || { echo "FAIL: example_pair.json has no cross effects"; exit 1; }
head -c 4 "$out/importance.bw" | od -An -t x1 | grep -Eq "26 fc 8f 88|88 8f fc 26" || { echo "FAIL: importance.bw is not a bigWig"; exit 1; }
python3 - "$out/summary.json" <<'PY' || { echo "FAIL: summary.json lacks a method's figures"; exit 1; }
import json, sys
s = json.load(open(sys.argv[1]))
assert s["method"] == "attention", s["method"]
p = s["pairwise"]  # how much attention's rows differ, and the example's cross-effect map's
assert 0 <= p["attention_row_dependence_mean"] <= 1 and p["positive_pairs_with_map"] > 0, p
assert 0 <= p["example_cross_effect_row_dependence"] <= 1, p
for m in ("attention", "input_x_gradient"):
    r = s["methods"][m]
    assert 0 <= r["recovery"]["top_enhancer_regions_hold_cooperating_site"] <= 1, m
    for side in ("enhancer", "promoter"):
        b = r["per_base"][side]
        assert 0 < b["planted_base_fraction"] < 1 and 0 < b["auprc"] <= 1, (m, side, b)
PY
# Integrated gradients and ISM on a balanced 30 pairs (15 positive): their files, completeness within 5 % (median) at
# 64 steps.
"$epiann" explain --checkpoint "$demo/run/model.safetensors" --genome "$demo/data/genome.fa" --pairs "$demo/data/pairs.csv" \
  --truth "$demo/data/truth.tsv" --grammar "$demo/data/grammar.tsv" --max-pairs 30 --balanced --permutations 5 --out "$out/more" \
  --methods integrated_gradients,ism --steps 64 --modisco --set all > "$out/more.log" 2>&1 || { echo "FAIL: explain --methods: $(tail -c 300 "$out/more.log")"; exit 1; }
for f in importance_integrated_gradients.bw importance_ism.bw top_regions_ism.bed tf_pairs_integrated_gradients.tsv summary.json \
         modisco_enhancer_sequences.npz modisco_promoter_sequences.npz modisco_ism_enhancer.npz modisco_ism_promoter.npz; do
  [[ -s "$out/more/$f" ]] || { echo "FAIL: --methods: $f missing or empty"; exit 1; }
done
[[ ! -e "$out/more/importance.bw" && ! -e "$out/more/example_pair.json" ]] || { echo "FAIL: attention's files without attention"; exit 1; }
python3 - "$out/more/summary.json" <<'PY' || { echo "FAIL: integrated gradients' completeness"; exit 1; }
import json, sys
s = json.load(open(sys.argv[1]))
c = s["methods"]["integrated_gradients"]["completeness"]
assert c["pairs"] >= 3 and c["median_relative_gap"] < 0.05, c
assert s["method"] == "integrated_gradients" and "ism" in s["methods"]
assert s["subset"] == "balanced" and s["pairs"] == 30 and s["methods"]["ism"]["recovery"]["positive_pairs"] == 15, s
PY
# TF-MoDISco's inputs: N x 4 x L, one-hot sequences and hypothetical contributions that sum to 0 over the letters
# (integrated gradients has none: no file). Read with numpy where it is installed (python3-numpy).
[[ ! -e "$out/more/modisco_integrated_gradients_enhancer.npz" ]] || { echo "FAIL: a modisco file for integrated gradients"; exit 1; }
if python3 -c "import numpy" 2> /dev/null; then
  python3 - "$out/more" <<'PY' || { echo "FAIL: the modisco files"; exit 1; }
import json, sys, numpy as np
d = sys.argv[1]
n = json.load(open(d + "/summary.json"))["modisco"]["positive_pairs"]
for side, length in (("enhancer", 1000), ("promoter", 800)):
    x = np.load(f"{d}/modisco_{side}_sequences.npz")["arr_0"]
    h = np.load(f"{d}/modisco_ism_{side}.npz")["arr_0"]
    assert x.shape == h.shape == (n, 4, length) and n >= 1, (x.shape, h.shape, n)
    assert set(np.unique(x)) <= {0.0, 1.0} and (x.sum(axis=1) <= 1).all()
    assert np.abs(h.sum(axis=1)).max() < 1e-4 and np.abs(h).max() > 0
PY
fi
"$epiann" explain --checkpoint "$demo/run/model.safetensors" --genome "$demo/data/genome.fa" --pairs "$demo/data/pairs.csv" \
  --out "$out/bad" --methods attention,lrp > "$out/bad.log" 2>&1 && { echo "FAIL: an unknown method was accepted"; exit 1; }
grep -q 'unknown method "lrp"' "$out/bad.log" && [[ ! -e "$out/bad" ]] || { echo "FAIL: unknown method message: $(cat "$out/bad.log")"; exit 1; }
echo "explain wrote every output ($regions top regions), and integrated gradients and ISM theirs"
