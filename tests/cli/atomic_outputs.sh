#!/usr/bin/env bash
# atomic_outputs.sh SOURCE_DIR: every file the epiann application writes goes through helix::atomic_file
# (helix::write_file_atomically, epiann::output_file, the safetensors and npy writers). The bigWig writer
# hands libBigWig the temporary path of an atomic_file (mode written_elsewhere, tracks/coverage.cpp). Any other
# way of opening a file for writing fails this test, except the training run's lock file (pipeline/runs.cpp), which
# holds no data, and the live log of a run `compare` starts (pipeline/compare.cpp: what the child prints as it goes).
set -uo pipefail
src="$1/examples/epiann"
found=$(grep -rnE 'std::ofstream|std::fstream|fopen\(|freopen\(|O_WRONLY|O_RDWR|O_CREAT|gzopen\([^)]*"[wa]|bwOpen\(' "$src" \
        | grep -v 'tracks/coverage.cpp:.*bwOpen(temp.c_str(), nullptr, "w")' \
        | grep -v 'pipeline/runs.cpp:.*O_RDWR | O_CREAT | O_CLOEXEC, 0666);  // a lock, never an output' \
        | grep -v 'pipeline/compare.cpp:.*O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);  // a live log, never a result')
if [[ -n "$found" ]]; then
  echo "FAIL: files opened for writing outside helix::atomic_file:"
  echo "$found"
  exit 1
fi
writers=$(grep -rlE 'write_file_atomically|output_file [a-z]+\(|save_model|save_training_state|write_bigwig' "$src" | wc -l)
echo "every output of $src goes through the atomic path ($writers files write outputs)"
[[ "$writers" -ge 10 ]]  # the check above must be looking at the real sources
