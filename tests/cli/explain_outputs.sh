#!/usr/bin/env bash
# explain_outputs.sh EPIANN DEMO_DIR: `epiann explain` on the quick demo's run writes every output, with content.
set -euo pipefail
epiann="$1"; demo="$2"; out="$demo/explain_check"
rm -rf "$out"
"$epiann" explain --checkpoint "$demo/run/model.safetensors" --genome "$demo/data/genome.fa" --pairs "$demo/data/pairs.csv" \
  --truth "$demo/data/truth.tsv" --grammar "$demo/data/grammar.tsv" --max-pairs 400 --permutations 20 --out "$out" > "$out.log"
for f in importance.bedGraph importance.bw top_regions.bed top_bin_pairs.bedpe top_bin_pairs.interact motif_enrichment.tsv tf_pairs.tsv summary.json; do
  [[ -s "$out/$f" ]] || { echo "FAIL: $f missing or empty"; exit 1; }
done
# Five regions per element, two elements per pair, 400 pairs (the stratified subset may round by one).
regions=$(($(wc -l < "$out/top_regions.bed") - 1))
(( regions >= 3990 && regions <= 4010 )) || { echo "FAIL: $regions top regions"; exit 1; }
grep -q '"top_enhancer_regions_hold_cooperating_site"' "$out/summary.json" || { echo "FAIL: no recovery figures"; exit 1; }
head -c 4 "$out/importance.bw" | od -An -t x1 | grep -Eq "26 fc 8f 88|88 8f fc 26" || { echo "FAIL: importance.bw is not a bigWig"; exit 1; }
echo "explain wrote every output ($regions top regions)"
