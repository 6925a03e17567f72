#!/usr/bin/env bash
# faults.sh EPIANN DEMO_DIR WORK CASE: one fault case of docs/reliability.md against the epiann CLI, on the files of
# `epiann demo --quick` (DEMO_DIR). Each case states what a user would do and what must happen: no silently wrong
# result, no input overwritten, no crash, exit code 2 with a plain message naming what is wrong.
set -uo pipefail
epiann="$1"; demo="$2"; work="$3/$4"; case="$4"
rm -rf "$work"; mkdir -p "$work"; cd "$work" || exit 1
genome="$demo/data/genome.fa"; model="$demo/run/model.safetensors"
head -400 "$demo/data/pairs.csv" > pairs.csv

fail() { echo "FAIL ($case): $*"; exit 1; }
# expect CODE REGEX COMMAND...: the exit code and a stderr line matching REGEX.
expect() {
  local code="$1" regex="$2"; shift 2
  "$@" > out.log 2> err.log
  local status=$?
  echo "\$ epiann ${*:2}"; echo "  exit $status: $(head -c 300 err.log)"
  [[ "$status" == "$code" ]] || fail "exit code $status, expected $code"
  [[ -z "$regex" ]] || grep -Eq -- "$regex" err.log || fail "stderr does not match: $regex"
}
same() { cmp -s "$1" "$2" || fail "$1 changed"; }
no_temporaries() { ! compgen -G "${1:-.}/*.tmp-*" > /dev/null || fail "temporaries left: $(ls "${1:-.}"/*.tmp-*)"; }
small_train=(--genome "$genome" --model small --validation-limit 200 --threads 2)

case "$case" in
overwrite_inputs)  # outputs that name an input, directly or through a link, or each other
  cp pairs.csv keep.csv; cp "$model" model.safetensors; cp model.safetensors keep.safetensors
  expect 2 "pairs.csv \(--out\) is the input pairs.csv \(--pairs\)" \
    "$epiann" predict --checkpoint model.safetensors --genome "$genome" --pairs pairs.csv --out pairs.csv
  expect 2 "is the input .* \(--checkpoint\)" \
    "$epiann" predict --checkpoint model.safetensors --genome "$genome" --pairs pairs.csv --out model.safetensors
  ln -s pairs.csv link.tsv
  expect 2 "link.tsv \(--out\) is the input pairs.csv" \
    "$epiann" predict --checkpoint model.safetensors --genome "$genome" --pairs pairs.csv --out link.tsv
  printf 'chr1\t1000\t2000\tchr1\t50000\t51000\n' > new.bedpe; cp new.bedpe keep.bedpe
  expect 2 "new.bedpe \(the BEDPE written beside --out\) is the input new.bedpe \(--pairs\)" \
    "$epiann" predict --checkpoint model.safetensors --genome "$genome" --pairs new.bedpe --out new.tsv
  expect 2 "--out and the BEDPE written beside --out would be the same file" \
    "$epiann" predict --checkpoint model.safetensors --genome "$genome" --pairs pairs.csv --out scores.bedpe
  expect 2 "pairs.csv \(--out\) is the input pairs.csv \(--pairs\)" \
    "$epiann" windows --pairs pairs.csv --genome "$genome" --out pairs.csv
  expect 2 "is the input .*genome.fa \(--genome\)" \
    "$epiann" windows --pairs pairs.csv --genome "$genome" --out "$genome"
  expect 2 "exists and is not a directory" "$epiann" train "${small_train[@]}" --pairs pairs.csv --out pairs.csv
  mkdir ev; cp pairs.csv ev/test_pairs.csv
  expect 2 "test_pairs.csv in --out\) is the input .* \(--pairs\)" \
    "$epiann" evaluate --checkpoint model.safetensors --genome "$genome" --pairs ev/test_pairs.csv --out ev
  same pairs.csv keep.csv; same model.safetensors keep.safetensors; same new.bedpe keep.bedpe; same ev/test_pairs.csv keep.csv
  [[ ! -e new.tsv && ! -e scores.bedpe && ! -e ev/evaluation.json ]] || fail "an output was written"
  ;;
nonfinite_checkpoint)  # one NaN or one +inf weight
  for value in nan inf; do
    /usr/bin/python3 - "$model" bad.safetensors "$value" <<'EOF'
import json, struct, sys
data = bytearray(open(sys.argv[1], 'rb').read())
n = struct.unpack('<Q', data[:8])[0]
header = json.loads(data[8:8 + n])
name = sorted(k for k in header if k != '__metadata__')[0]
start = 8 + n + header[name]['data_offsets'][0]
data[start + 4:start + 8] = struct.pack('<f', float(sys.argv[3]))
open(sys.argv[2], 'wb').write(data)
print(name)
EOF
    expect 2 "bad.safetensors.*holds 1 non-finite value .*index 1" \
      "$epiann" predict --checkpoint bad.safetensors --genome "$genome" --pairs pairs.csv --out scores.tsv
    [[ ! -e scores.tsv && ! -e scores.bedpe ]] || fail "outputs written from a non-finite checkpoint"
  done
  ;;
options)  # numeric options out of range: refused before any file is read
  for bad in "--batch-positives 0" "--batch-negatives 0" "--threads 100000" "--threads -3" "--learning-rate -1" \
             "--learning-rate nan" "--epochs 0" "--patience 0" "--dropout 1.5" "--validation-limit -1"; do
    # shellcheck disable=SC2086
    expect 2 "^${bad%% *}: expected" "$epiann" train "${small_train[@]}" --pairs pairs.csv --out run $bad
  done
  expect 2 "^--threads: expected" "$epiann" predict --checkpoint "$model" --genome "$genome" --pairs pairs.csv --out s.tsv --threads 100000
  expect 2 "^--p-value: expected" "$epiann" explain --checkpoint "$model" --genome "$genome" --pairs pairs.csv --out x --p-value 0
  expect 2 "^--permutations: expected" "$epiann" explain --checkpoint "$model" --genome "$genome" --pairs pairs.csv --out x --permutations 0
  expect 2 "label-noise must lie" "$epiann" simulate --out sim --label-noise 0.7
  [[ ! -e run && ! -e x && ! -e sim && ! -e s.tsv ]] || fail "an output was written"
  ;;
resume_moved)  # a run moved elsewhere resumes where it is now, from any working directory; other options are refused
  "$epiann" train "${small_train[@]}" --pairs "$demo/data/pairs.csv" --epochs 1 --steps-per-epoch 2 --out first > train.log 2>&1 || fail "train"
  mkdir moved; mv first moved/run
  (cd / && "$epiann" train --resume "$work/moved/run" --threads 1) > resume.log 2>&1 || fail "resume: $(cat resume.log)"
  grep -q "resuming $work/moved/run after epoch 1" resume.log || fail "did not resume the moved run: $(cat resume.log)"
  [[ ! -e first ]] || fail "the old place was written"
  expect 2 "--epochs cannot be changed when resuming" "$epiann" train --resume moved/run --epochs 5
  expect 2 "--genome cannot be changed when resuming" "$epiann" train --resume moved/run --genome "$genome"
  ;;
rerun_refused)  # train --out over a finished run: refused, or replaced whole with --overwrite; one process per run
  "$epiann" train "${small_train[@]}" --pairs "$demo/data/pairs.csv" --epochs 2 --steps-per-epoch 2 --out run > t1.log 2>&1 || fail "train"
  cp run/model.safetensors old_model.safetensors
  expect 2 "holds a training run already .*--resume run.*--overwrite" \
    "$epiann" train "${small_train[@]}" --pairs "$demo/data/pairs.csv" --epochs 1 --steps-per-epoch 2 --out run
  same run/model.safetensors old_model.safetensors
  # --overwrite with an input error: the old run stays whole.
  expect 2 "missing.csv" "$epiann" train "${small_train[@]}" --pairs missing.csv --epochs 1 --steps-per-epoch 2 --out run --overwrite
  same run/model.safetensors old_model.safetensors
  "$epiann" train "${small_train[@]}" --pairs "$demo/data/pairs.csv" --epochs 1 --steps-per-epoch 2 --out run --overwrite > t2.log 2>&1 || fail "overwrite"
  [[ "$(wc -l < run/log.jsonl)" == 1 ]] || fail "the old run's log survived"
  # A second process on the same directory while the first trains.
  "$epiann" train "${small_train[@]}" --pairs "$demo/data/pairs.csv" --epochs 200 --steps-per-epoch 50 --out busy > busy.log 2>&1 &
  pid=$!
  for _ in $(seq 50); do [[ -e busy/run.json ]] && break; sleep 0.2; done
  expect 2 "another epiann process is training in this directory" "$epiann" train --resume busy
  expect 2 "another epiann process is training in this directory" \
    "$epiann" train "${small_train[@]}" --pairs "$demo/data/pairs.csv" --out busy --overwrite
  kill -TERM "$pid"; wait "$pid"
  no_temporaries busy
  ;;
duplicate_pairs)  # repeated lines kept once (never on both sides of a split); one pair with two labels refused
  { cat pairs.csv; sed -n '2,101p' pairs.csv; } > repeated.csv
  expect 0 "100 repeated pair lines \(the first on line 401\) left out" \
    "$epiann" windows --pairs repeated.csv --genome "$genome" --split paper --out windows.tsv
  [[ "$(($(wc -l < windows.tsv) - 1))" == 399 ]] || fail "expected 399 windows, found $(($(wc -l < windows.tsv) - 1))"
  label=$(awk -F, 'NR == 2 { print $3 }' pairs.csv)
  { cat pairs.csv; awk -F, -v OFS=, 'NR == 2 { $3 = 1 - $3; print }' pairs.csv; } > conflicting.csv
  expect 2 "conflicting.csv:401: the pair .* has label $((1 - label)) here and label $label on line 2" \
    "$epiann" windows --pairs conflicting.csv --genome "$genome" --split paper --out w2.tsv
  ;;
evaluate_seen)  # evaluate on another split of the training file: refused, or scored with a loud warning
  expect 2 "test pairs of this split .* were training or validation pairs of .*--allow-seen-pairs" \
    "$epiann" evaluate --checkpoint "$model" --genome "$genome" --pairs "$demo/data/pairs.csv" --split paper --out ev
  [[ ! -e ev ]] || fail "evaluate wrote outputs"
  expect 0 "warning: [0-9]+ of the [0-9]+ test pairs were training or validation pairs" \
    "$epiann" evaluate --checkpoint "$model" --genome "$genome" --pairs "$demo/data/pairs.csv" --split paper --out ev --allow-seen-pairs
  grep -q '"seen_pairs": [1-9]' ev/evaluation.json || fail "evaluation.json does not record the seen pairs"
  expect 0 "" "$epiann" evaluate --checkpoint "$model" --genome "$genome" --pairs "$demo/data/pairs.csv" --out own
  grep -q '"seen_pairs": 0' own/evaluation.json || fail "its own split has seen pairs"
  ;;
output_sets)  # a failure late in a command leaves none of its outputs, no temporaries and no empty directory
  mkdir scores.interact
  expect 2 "scores.interact: is not a regular file \(a directory\)" \
    "$epiann" predict --checkpoint "$model" --genome "$genome" --pairs pairs.csv --out scores.tsv
  [[ ! -e scores.tsv && ! -e scores.bedpe ]] || fail "part of the output set was written"
  no_temporaries
  printf 'chr1\t10\n' > bad.narrowPeak
  expect 2 "bad.narrowPeak:1" "$epiann" explain --checkpoint "$model" --genome "$genome" --pairs "$demo/data/pairs.csv" \
    --out ex --max-pairs 50 --peaks bad.narrowPeak
  [[ ! -e ex ]] || fail "explain left $(ls ex)"
  # Temporaries of a killed process are removed by the next command writing there.
  sleep 30 & dead=$!; kill -9 "$dead"; wait "$dead" 2> /dev/null
  touch "s.tsv.tmp-$dead" "notes.tmp-$dead"
  expect 0 "removed 1 temporary file that a killed process left in" "$epiann" predict --checkpoint "$model" --genome "$genome" --pairs pairs.csv --out s.tsv
  [[ -e "notes.tmp-$dead" ]] || fail "a user's file that looks like a temporary was removed"
  rm "notes.tmp-$dead"
  no_temporaries
  # A run whose inputs fail leaves nothing behind: no run.json, no split, no lock, no directory.
  { cat "$demo/data/pairs.csv"; echo "SIM|chrQ:100-300,SIM|chr2:5000-5200,1"; } > bad_chromosome.csv
  expect 2 "unknown chromosome \"chrQ\"" "$epiann" train "${small_train[@]}" --pairs bad_chromosome.csv --epochs 1 --steps-per-epoch 2 --out failed_run
  [[ ! -e failed_run ]] || fail "a failed train left $(ls -A failed_run)"
  ;;
split_options)  # split options that would be silently unused are refused; a split file is recorded as what it holds
  expect 2 "--split-file gives the whole split" "$epiann" train "${small_train[@]}" --pairs "$demo/data/pairs.csv" \
    --split-file "$demo/run/split.tsv" --split paper --out r1
  expect 2 "--fold chooses the held-out chromosomes" "$epiann" evaluate --checkpoint "$model" --genome "$genome" \
    --pairs "$demo/data/pairs.csv" --fold 3 --out e1
  expect 2 "--split-seed seeds the random --split paper" "$epiann" train "${small_train[@]}" --pairs "$demo/data/pairs.csv" \
    --split chromosome --split-seed 7 --out r2
  "$epiann" train "${small_train[@]}" --pairs "$demo/data/pairs.csv" --split paper --epochs 1 --steps-per-epoch 2 --out paper_run \
    > p.log 2>&1 || fail "paper run: $(tail -2 p.log)"
  "$epiann" train "${small_train[@]}" --pairs "$demo/data/pairs.csv" --split-file paper_run/split.tsv --epochs 1 \
    --steps-per-epoch 2 --out from_file > f.log 2>&1 || fail "split-file run: $(tail -2 f.log)"
  grep -q '"kind": "paper"' from_file/run.json || fail "run.json does not record the split file's kind"
  expect 0 "" "$epiann" evaluate --checkpoint from_file/model.safetensors --genome "$genome" --pairs "$demo/data/pairs.csv" --out ev
  grep -q '"seen_pairs": 0' ev/evaluation.json || fail "the split file's own test set holds seen pairs"
  expect 0 "explaining 40 pairs" "$epiann" explain --checkpoint "$model" --genome "$genome" --pairs pairs.csv --set all \
    --max-pairs 40 --permutations 2 --out ex
  ;;
rerun_data)  # simulate over a set, resume without a state, a changed pair file: refused with the reason
  sim=(--enhancers 400 --promoters 100 --positives 100 --negatives-per-positive 2)
  "$epiann" simulate "${sim[@]}" --out sim > s1.log 2>&1 || fail "simulate: $(tail -2 s1.log)"
  cp sim/pairs.csv keep.csv
  expect 2 "holds a simulated set already .*--overwrite" "$epiann" simulate "${sim[@]}" --seed 2 --out sim
  same sim/pairs.csv keep.csv
  expect 0 "" "$epiann" simulate "${sim[@]}" --seed 2 --out sim --overwrite
  ! cmp -s sim/pairs.csv keep.csv || fail "--overwrite did not replace the set"
  cp "$demo/data/pairs.csv" all.csv
  "$epiann" train "${small_train[@]}" --pairs all.csv --epochs 2 --steps-per-epoch 2 --out run > t.log 2>&1 || fail "train"
  rm run/state.safetensors
  expect 2 "has a training log but no state.safetensors" "$epiann" train --resume run
  "$epiann" train "${small_train[@]}" --pairs all.csv --epochs 3 --steps-per-epoch 2 --out run2 > t2.log 2>&1 || fail "train"
  sed -i '$d' all.csv
  expect 2 "cannot resume: the pair file .*all.csv has changed since the run started" "$epiann" train --resume run2
  [[ "$(wc -c < err.log)" -lt 600 ]] || fail "a message of $(wc -c < err.log) bytes"
  ;;
more_messages)  # the second pass's messages
  expect 2 "^--seed: expected a whole number >= 0, got -1" "$epiann" train "${small_train[@]}" --pairs pairs.csv --out r --seed -1
  expect 2 "^--enhancer-window: expected a whole number >= 1, got 0" "$epiann" windows --pairs pairs.csv --genome "$genome" \
    --enhancer-window 0 --out w.tsv
  expect 2 "^--enhancers: expected a whole number >= 1, got -5" "$epiann" simulate --enhancers -5 --out sim
  expect 2 "^--learning-rate: expected a learning rate from 1e-30 to 1e30, got 1e-50" "$epiann" train "${small_train[@]}" \
    --pairs pairs.csv --out r --learning-rate 1e-50
  expect 2 "is not a regular file \(a pipe\?\)" "$epiann" windows --pairs pairs.csv --genome <(cat "$genome") --out w.tsv
  expect 2 "is a training state .*not a model" "$epiann" predict --checkpoint "$demo/run/state.safetensors" --genome "$genome" \
    --pairs pairs.csv --out s.tsv
  awk -F, 'NR == 1 || $3 == 0' pairs.csv > negatives.csv
  "$epiann" predict --checkpoint "$model" --genome "$genome" --pairs negatives.csv --out n.tsv > out.txt 2>&1 || fail "predict"
  grep -q "AUROC and AUPR are undefined: the file has no positive pair" out.txt || fail "no word on the undefined AUROC"
  sed 's/^chr/x/' "$demo/data/occupancy.narrowPeak" > renamed.narrowPeak
  expect 2 "renamed.narrowPeak: none of its [0-9]+ peaks lies on a chromosome of the genome" "$epiann" explain \
    --checkpoint "$model" --genome "$genome" --pairs "$demo/data/pairs.csv" --max-pairs 20 --peaks renamed.narrowPeak --out ex
  mkdir -p rep/run; cp "$demo/run/log.jsonl" "$demo/run/run.json" rep/run/; echo '[]' > rep/run/evaluation.json
  expect 2 "does not hold what epiann wrote there" "$epiann" report rep
  expect 2 "cannot create it: File name too long|File name too long" "$epiann" predict --checkpoint "$model" --genome "$genome" \
    --pairs pairs.csv --out "$(printf 'x%.0s' $(seq 300)).tsv"
  long="$(printf 'y%.0s' $(seq 250))"
  expect 0 "" "$epiann" windows --pairs pairs.csv --genome "$genome" --out "$long"
  [[ -s "$long" ]] || fail "a legal 250-byte name was not written"
  # An output through a link is written where the link points; a pipe or a device is refused, never replaced.
  echo old > target.tsv; ln -s target.tsv link.tsv
  expect 0 "" "$epiann" windows --pairs pairs.csv --genome "$genome" --out link.tsv
  [[ -L link.tsv ]] && grep -q "^pair" target.tsv || fail "the link was replaced, or its target not written"
  mkfifo fifo.tsv
  expect 2 "fifo.tsv: is not a regular file \(a pipe" "$epiann" windows --pairs pairs.csv --genome "$genome" --out fifo.tsv
  [[ -p fifo.tsv ]] || fail "the pipe was replaced by a file"
  expect 2 "is a directory: give the checkpoint in it" "$epiann" predict --checkpoint "$demo/run" --genome "$genome" \
    --pairs pairs.csv --out s.tsv
  expect 2 "is not a safetensors checkpoint" "$epiann" predict --checkpoint "$genome" --genome "$genome" --pairs pairs.csv --out s.tsv
  expect 2 "audit: --fold chooses the held-out chromosomes" "$epiann" audit --pairs pairs.csv --split paper --fold 3
  expect 2 "windows: --seed seeds the random --split paper" "$epiann" windows --pairs pairs.csv --genome "$genome" \
    --split chromosome --seed 2 --out w.tsv
  awk -F'\t' -v OFS='\t' '{ $2 += 100000000; $3 += 100000000; print }' "$demo/data/occupancy.narrowPeak" > beyond.narrowPeak
  expect 2 "beyond.narrowPeak: none of its [0-9]+ peaks lies on a chromosome of the genome .* within its length" "$epiann" \
    explain --checkpoint "$model" --genome "$genome" --pairs "$demo/data/pairs.csv" --max-pairs 20 --peaks beyond.narrowPeak --out ex
  awk -F'\t' -v OFS='\t' '$1 == "cooperates" { $2 = "MA0018.4" } { print }' "$demo/data/grammar.tsv" > other_grammar.tsv
  expect 2 "other_grammar.tsv: its cooperating pair .* is not cooperating in" "$epiann" explain --checkpoint "$model" \
    --genome "$genome" --pairs "$demo/data/pairs.csv" --max-pairs 20 --truth "$demo/data/truth.tsv" --grammar other_grammar.tsv --out ex
  [[ ! -e ex ]] || fail "explain left $(ls -A ex)"
  ;;
exit_codes)  # an output directory that cannot be made: exit 2 and a plain message
  touch afile
  expect 2 "^epiann: error: afile/sub \(--out\): cannot create the directory: .*afile is not a directory" \
    "$epiann" train "${small_train[@]}" --pairs pairs.csv --out afile/sub
  expect 2 "^epiann: error: .*cannot create the directory" \
    "$epiann" evaluate --checkpoint "$model" --genome "$genome" --pairs "$demo/data/pairs.csv" --out afile/sub
  expect 2 "^epiann: error: .*cannot create the directory" \
    "$epiann" explain --checkpoint "$model" --genome "$genome" --pairs "$demo/data/pairs.csv" --out afile/sub
  expect 2 "^epiann: error: .*cannot create the directory" "$epiann" simulate --out afile/sub
  ! grep -q "internal error" err.log || fail "internal error"
  ;;
explain_nothing)  # no test pairs in the file: nothing to explain
  awk -F, 'NR == 1 || ($1 !~ /\|chr(1|10|15|21):/ && $2 !~ /\|chr(1|10|15|21):/)' "$demo/data/pairs.csv" > train_only.csv
  expect 2 "nothing to explain: the checkpoint's chromosome split leaves no test pairs" \
    "$epiann" explain --checkpoint "$model" --genome "$genome" --pairs train_only.csv --out ex
  [[ ! -e ex ]] || fail "explain wrote $(ls ex)"
  ;;
pipe_input)  # a pair file read from a pipe gives what the file gives
  "$epiann" predict --checkpoint "$model" --genome "$genome" --pairs pairs.csv --out file.tsv > /dev/null 2>&1 || fail "predict"
  "$epiann" predict --checkpoint "$model" --genome "$genome" --pairs <(cat pairs.csv) --out pipe.tsv > /dev/null 2> err.log ||
    fail "predict from a pipe: $(cat err.log)"
  cmp -s file.tsv pipe.tsv || fail "scores from a pipe differ"
  gzip -c pairs.csv > pairs.csv.gz
  "$epiann" predict --checkpoint "$model" --genome "$genome" --pairs <(cat pairs.csv.gz) --out gz.tsv > /dev/null 2>&1 || fail "gzip pipe"
  cmp -s file.tsv gz.tsv || fail "scores from a gzip pipe differ"
  ;;
messages)  # inputs whose messages used to mislead
  printf '\xEF\xBB\xBF' > bom.csv; cat pairs.csv >> bom.csv
  expect 0 "" "$epiann" windows --pairs bom.csv --genome "$genome" --out bom.tsv
  printf 'enhancer_name,promoter_name,label\nSIM|chr1:100-300,SIM|chr1:50\0000-5200,1\n' > nul.csv
  expect 2 "nul.csv:2: a NUL byte at column 29" "$epiann" windows --pairs nul.csv --genome "$genome" --out n.tsv
  printf 'enhancer_name,promoter_name,label\nSIM|chr21:500-500,SIM|chr1:5000-5200,1\n' > empty.csv
  expect 2 "empty.csv:2: empty region \"SIM\|chr21:500-500\"" "$epiann" windows --pairs empty.csv --genome "$genome" --out e.tsv
  expect 2 "is a directory, not a genome file" "$epiann" windows --pairs pairs.csv --genome "$demo/data" --out d.tsv
  { echo "enhancer_name,promoter_name,label"; printf 'SIM|chr1:100-300,SIM|'; head -c 10000000 /dev/zero | tr '\0' x; echo ':1-5,1'; } > long.csv
  expect 2 "characters\)" "$epiann" windows --pairs long.csv --genome "$genome" --out l.tsv
  [[ "$(wc -c < err.log)" -lt 1000 ]] || fail "a message of $(wc -c < err.log) bytes"
  mkdir run; echo '{"genome": 3}' > run/run.json
  expect 2 "run.json: not a valid run description" "$epiann" train --resume run
  ! grep -q "json.exception" err.log || fail "raw JSON library text"
  printf 'chr1\t1000\nchr1\t2000\n' > sizes.txt
  expect 2 "sizes.txt:2: chromosome \"chr1\" is listed twice \(first on line 1\)" \
    "$epiann" windows --pairs pairs.csv --chrom-sizes sizes.txt --out s.tsv
  expect 2 "--truth requires --grammar" "$epiann" explain --checkpoint "$model" --genome "$genome" --pairs pairs.csv \
    --out x --truth "$demo/data/truth.tsv"
  expect 2 "--baseline-motifs requires --genome" "$epiann" audit --pairs pairs.csv --baseline-motifs "$demo/data/grammar.tsv"
  ;;
stale_index)  # a FASTA re-wrapped at 50 bases per line under its old 60-base index
  fold -w 50 "$genome" > genome.fa; cp "$genome.fai" genome.fa.fai
  expect 2 "genome.fa.*samtools faidx" "$epiann" predict --checkpoint "$model" --genome genome.fa --pairs pairs.csv --out s.tsv
  [[ ! -e s.tsv ]] || fail "scores written from a stale index"
  # One line of 59 bases and a later one of 61: length, first and last lines as indexed, the lines between moved.
  awk 'NR == 100 { c = substr($0, 60, 1); print substr($0, 1, 59); next } NR == 105 { print c $0; next } { print }' \
    "$genome" > ragged.fa
  cp "$genome.fai" ragged.fa.fai
  expect 2 "ragged.fa.fai:1: sequence .* has no line end after base 5940 .*samtools faidx" \
    "$epiann" predict --checkpoint "$model" --genome ragged.fa --pairs pairs.csv --out s.tsv
  ;;
*) fail "unknown case" ;;
esac
echo "PASS ($case)"
