#!/usr/bin/env bash
# atomic_outputs.sh SOURCE_DIR: every file the epiann application writes goes through helix::atomic_file
# (helix::write_file_atomically, epiann::output_file, the safetensors and npy writers). The one exception is the
# bigWig writer, which hands libBigWig a temporary path and renames it after fsync (tracks/coverage.cpp). Any other
# way of opening a file for writing fails this test.
set -uo pipefail
src="$1/examples/epiann"
found=$(grep -rnE 'std::ofstream|std::fstream|fopen\(|freopen\(|O_WRONLY|O_RDWR|O_CREAT|gzopen\([^)]*"[wa]|bwOpen\(' "$src" \
        | grep -v 'tracks/coverage.cpp:.*bwOpen(temp.c_str(), nullptr, "w")')
if [[ -n "$found" ]]; then
  echo "FAIL: files opened for writing outside helix::atomic_file:"
  echo "$found"
  exit 1
fi
writers=$(grep -rlE 'write_file_atomically|output_file [a-z]+\(|save_model|save_training_state|write_bigwig' "$src" | wc -l)
echo "every output of $src goes through the atomic path ($writers files write outputs)"
[[ "$writers" -ge 10 ]]  # the check above must be looking at the real sources
