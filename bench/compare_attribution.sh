#!/usr/bin/env bash
# compare_attribution.sh: EPIANN's attributions, helix (bench/attribution_speed) against PyTorch 2.x with Captum
# (bench/attribution_torch.py), on the paper's model, alternated `rounds` times in one run, same threads; prints every
# run, then per method the median pairs/s of each and helix's speed-up.
# Usage: bench/compare_attribution.sh [build dir = build] [rounds = 2]
# Environment: THREADS (2), PAIRS (2: pairs for the gradient methods), ISM_PAIRS (1), STEPS (32), TORCH2_PYTHON (a
# venv's python with torch 2.x and captum: python3 -m venv V && V/bin/pip install torch captum), EPIANN_TORCH_PEER.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
rounds=${2:-2}
threads=${THREADS:-2}; pairs=${PAIRS:-2}; ism_pairs=${ISM_PAIRS:-1}; steps=${STEPS:-32}
python=${TORCH2_PYTHON:?give TORCH2_PYTHON, a python with PyTorch 2.x and captum}
peer=${EPIANN_TORCH_PEER:-$root/../shared/peers/epiann_torch.py}
cmake --build "$build" --target attribution_speed > /dev/null
log=$(mktemp); trap 'rm -f "$log"' EXIT
echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); threads=$threads pairs=$pairs steps=$steps"
for ((r = 1; r <= rounds; ++r)); do
  "$build/bench/attribution_speed" --threads "$threads" --pairs "$pairs" --ism-pairs "$ism_pairs" --steps "$steps" | tee -a "$log"
  "$python" "$root/bench/attribution_torch.py" --peer "$peer" --threads "$threads" --pairs "$pairs" --ism-pairs "$ism_pairs" \
    --steps "$steps" | tee -a "$log"
done
python3 - "$log" <<'PY'
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    if line.startswith("method="):
        f = dict(p.split("=", 1) for p in line.split())
        runs[f["method"]].append(float(f["pairs_per_s"]))
med = {k: statistics.median(v) for k, v in runs.items()}
print("\nmethod                 helix pairs/s   PyTorch pairs/s   helix speed-up")
for ours, theirs in (("attention_forward", "torch_forward"), ("saliency", "torch_saliency"),
                     ("input_x_gradient", "torch_input_x_gradient"), ("integrated_gradients", "torch_integrated_gradients"),
                     ("ism_naive", "torch_ism_naive"), ("ism_conv_pool", "torch_ism_naive")):
    if ours in med and theirs in med:
        print(f"{ours:22s} {med[ours]:12.3f}   {med[theirs]:14.3f}   {med[ours] / med[theirs]:10.2f}x")
PY
