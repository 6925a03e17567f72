#!/usr/bin/env bash
# Installs the Debian packages helix and epiann need to build and test. Safe to run repeatedly:
# apt-get runs only when a package is missing. Usage: scripts/install-deps.sh [--peers | --clang]
#   --peers  also the optional PyTorch/scikit-learn peers used by benchmarks and fixture scripts.
#   --clang  also clang with libFuzzer, the sanitizer runtimes and OpenMP (scripts/fuzz.sh, scripts/sanitize.sh).
set -euo pipefail

packages=(build-essential cmake pkg-config
          libeigen3-dev libopenblas-dev libxtensor-dev xtl-dev catch2 libbenchmark-dev
          libhts-dev libbigwig-dev libcurl4-gnutls-dev libcli11-dev nlohmann-json3-dev zlib1g-dev
          libopenmpi-dev openmpi-bin python3 python3-numpy)
if [[ "${1:-}" == "--peers" ]]; then
  packages+=(python3-torch python3-sklearn libopenblas0-pthread)
fi
if [[ "${1:-}" == "--clang" ]]; then
  packages+=(clang libclang-rt-dev libomp-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

sudo=""
if ((EUID != 0)); then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=sudo
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
