#!/usr/bin/env bash
# zoo_model.sh EPIANN DEMO_DIR WORK MODEL: a published architecture (models/catalog.hpp) through the whole CLI on the
# quick demo's data, as a user would run it: train (two short epochs), evaluate, predict (the same probabilities as
# evaluate, digit for digit), explain (attention tracks, or a plain refusal for a model without attention), audit with
# its windows, and the options that do not apply to it refused with a message.
set -uo pipefail
epiann="$1"; demo="$2"; work="$3/$4"; model="$4"
rm -rf "$work"; mkdir -p "$work"; cd "$work" || exit 1
genome="$demo/data/genome.fa"; pairs="$work/pairs.csv"
# Every 12th pair of the quick demo (all chromosomes, so every split has training, validation and test pairs): the
# commands read 1,750 pairs, not 21,000, so that each model's checks take seconds.
awk 'NR == 1 || NR % 12 == 0' "$demo/data/pairs.csv" > "$pairs"
fail() { echo "FAIL ($model): $*"; exit 1; }
run() { "$@" > out.log 2> err.log || fail "exit $?: $* :: $(tail -c 400 err.log)"; }
expect() {  # expect CODE REGEX COMMAND...
  local code="$1" regex="$2"; shift 2
  "$@" > out.log 2> err.log; local status=$?
  [[ "$status" == "$code" ]] || fail "exit code $status, expected $code: $* :: $(head -c 300 err.log)"
  grep -Eq -- "$regex" err.log || fail "stderr does not match $regex: $(head -c 300 err.log)"
}

run "$epiann" train --genome "$genome" --pairs "$pairs" --model "$model" --out run --epochs 2 --steps-per-epoch 3 \
  --validation-limit 200 --augment-negatives --threads 2
grep -q "\"name\": \"$model\"" run/run.json || grep -q "\"model\": \"$model\"" run/run.json || fail "run.json does not name $model"
[[ $(wc -l < run/log.jsonl) == 2 ]] || fail "log.jsonl has not two epochs"
run "$epiann" evaluate --checkpoint run/model.safetensors --genome "$genome" --pairs "$pairs" --out eval --threads 2
grep -q '"auroc"' eval/evaluation.json || fail "evaluation.json has no AUROC"
run "$epiann" predict --checkpoint run/model.safetensors --genome "$genome" --pairs eval/test_pairs.csv --out scores.tsv --threads 2
cmp <(cut -f5 eval/test_predictions.tsv) <(cut -f5 scores.tsv) || fail "predict differs from evaluate"

if [[ "$model" == speid* ]]; then
  expect 2 "has no attention" "$epiann" explain --checkpoint run/model.safetensors --genome "$genome" --pairs "$pairs" \
    --methods attention --out explained
  [[ ! -e explained ]] || fail "a refused explain left explained/"
  # Without attention it is explained by input x gradient (one-hot input: gradients reach the bases).
  run "$epiann" explain --checkpoint run/model.safetensors --genome "$genome" --pairs "$pairs" --truth "$demo/data/truth.tsv" \
    --grammar "$demo/data/grammar.tsv" --max-pairs 40 --permutations 5 --out explained --threads 2
  for f in importance_input_x_gradient.bw top_regions_input_x_gradient.bed motif_enrichment_input_x_gradient.tsv summary.json; do
    [[ -s "explained/$f" ]] || fail "explain: $f missing or empty"
  done
  grep -q '"method": "input_x_gradient"' explained/summary.json || fail "summary.json does not name input_x_gradient"
  expect 2 "has no k-mer embedding" "$epiann" train --genome "$genome" --pairs "$pairs" --model "$model" --out run2 \
    --embedding "$work/nothing.npy"
else
  run "$epiann" explain --checkpoint run/model.safetensors --genome "$genome" --pairs "$pairs" --truth "$demo/data/truth.tsv" \
    --grammar "$demo/data/grammar.tsv" --max-pairs 40 --permutations 5 --out explained --threads 2
  for f in importance.bedGraph importance.bw top_regions.bed top_bin_pairs.bedpe motif_enrichment.tsv tf_pairs.tsv summary.json; do
    [[ -s "explained/$f" ]] || fail "explain: $f missing or empty"
  done
  grep -q "\"model\": \"$model\"" explained/summary.json || fail "summary.json does not name the model"
  # Gradients do not reach the bases through a 6-mer embedding: gradient methods are refused, before any output.
  expect 2 "reads 6-mer tokens" "$epiann" explain --checkpoint run/model.safetensors --genome "$genome" --pairs "$pairs" \
    --methods attention,saliency --out refused
  [[ ! -e refused ]] || fail "a refused explain left refused/"
  run "$epiann" report run --explain explained --out report.html
  grep -q "Attention along the example enhancer window" report.html || fail "the report has no attention tracks"
  # It names the run's architecture, not EPIANN, and labels the loss it was trained with (BCE alone).
  grep -q "one of the published sequence-only models" report.html && ! grep -q "<title>EPIANN report" report.html \
    || fail "the report calls the $model run EPIANN"
  grep -q "loss (BCE)" report.html || fail "the report's loss axis is not BCE"
  # A pre-trained matrix of the wrong size is refused, naming the parameter and both shapes.
  python3 -c "
import struct,sys
h=\"{'descr': '<f4', 'fortran_order': False, 'shape': (4097, 3), }\"; h=h+' '*(118-len(h))+'\n'
sys.stdout.buffer.write(b'\x93NUMPY\x01\x00'+struct.pack('<H',len(h))+h.encode()+bytes(4097*3*4))" > wrong.npy
  expect 2 "embedding.weight.*4097" "$epiann" train --genome "$genome" --pairs "$pairs" --model "$model" --out run3 \
    --embedding wrong.npy --epochs 1 --steps-per-epoch 1
  [[ ! -e run3/model.safetensors ]] || fail "a refused embedding left a model"
  # One of the right size (the reduced models' 16 dimensions) starts both sides' tables: after one Adam step of lr
  # 1e-3 every value is within 1e-3 of the file's 0.5.
  python3 -c "
import struct,sys
h=\"{'descr': '<f4', 'fortran_order': False, 'shape': (4097, 16), }\"; h=h+' '*(118-len(h))+'\n'
sys.stdout.buffer.write(b'\x93NUMPY\x01\x00'+struct.pack('<H',len(h))+h.encode()+struct.pack('<f',0.5)*(4097*16))" > right.npy
  run "$epiann" train --genome "$genome" --pairs "$pairs" --model "$model" --out run5 --embedding right.npy --epochs 1 \
    --steps-per-epoch 1 --validation-limit 50 --threads 2
  python3 - run5/model.safetensors <<'PY' || fail "the pre-trained embedding did not reach both tables"
import json, struct, sys
raw = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
header = json.loads(raw[8:8 + n])
tables = [k for k in header if k.endswith("embedding.weight")]
assert len(tables) == 2, tables
for k in tables:
    a, b = header[k]["data_offsets"]
    values = struct.unpack("<%df" % ((b - a) // 4), raw[8 + n + a:8 + n + b])
    assert max(abs(v - 0.5) for v in values) <= 1.01e-3, k
PY
fi
expect 2 "uses its authors' rates" "$epiann" train --genome "$genome" --pairs "$pairs" --model "$model" --out run4 --dropout 0.3
run "$epiann" audit --pairs "$pairs" --genome "$genome" --model "$model" --split chromosome
grep -q "motif" out.log || fail "audit --model printed no baseline"
echo "$model: train, evaluate, predict, explain and audit work"
