#!/usr/bin/env bash
# gpu-check.sh: the first run of helix's CUDA backend on a GPU machine that comes bare (NVIDIA driver, CUDA toolkit,
# CMake, ninja, a compiler, maybe a Python with PyTorch; no network, no Debian packages), in one go, in under 8 minutes.
#
#   scripts/gpu-check.sh --pack        here, with apt: download the Debian packages the GPU build needs (Eigen 3.4,
#                                      Catch2 2.13) into gpu-pack/ (ignored by git) and unpack them into gpu-pack/root
#   scripts/gpu-check.sh               on the GPU machine (gpu-pack/ copied along): configure build-gpu/ for CUDA
#                                      against gpu-pack/root only, build cuda_backend_test and epiann_gpu_throughput,
#                                      run the test, time EPIANN (paper model, train and infer, batch 64 and 512) with
#                                      helix and with the PyTorch peer bench/epiann_torch_gpu.py, run the test under
#                                      compute-sanitizer memcheck and racecheck, print one summary
#   scripts/gpu-check.sh --build-only  configure and build only (no GPU needed); the two programs must then report
#                                      "no CUDA device" (exit 77) or run
#
# Every step has a time limit and the whole run a deadline (HELIX_GPU_CHECK_BUDGET, 470 s); a failing step does not
# stop the others (only those that need its result). Exit status 0 only when every step passed; a skipped step
# (no PyTorch with CUDA, no time left) counts as not passed.
# The build is minimal (cmake/helix_gpu_check.cmake): helix, Eigen, OpenMP (the compiler's), CUDA and Catch2's CMake
# package; no htslib, CLI11, nlohmann-json, libBigWig, curl, zlib or Google Benchmark. Environment (all optional):
#   CUDA_HOME (/usr/local/cuda)  CUDA_ARCH (90)  CXX (g++)  PYTHON (the first python3 whose torch sees CUDA)
#   BUILD_DIR (build-gpu)  PACK_DIR (gpu-pack)  STEPS (10, timed steps per benchmark run)  TORCH_FLAGS (e.g. --bf16)
#   HELIX_GPU_CHECK_BUDGET (470 s)  HELIX_GPU_CHECK_OUT (a folder that receives the logs and the summary)
#   HELIX_GPU_CHECK_FRESH (1: remove the build folder first; 0 keeps it)  HELIX_GPU_CHECK_BUILD_LIMIT (330 s)
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build-gpu}"
pack="${PACK_DIR:-$root/gpu-pack}"
cuda_home="${CUDA_HOME:-/usr/local/cuda}"
budget="${HELIX_GPU_CHECK_BUDGET:-470}"
steps="${STEPS:-10}"
pack_limit_mb=60
# The Debian packages the GPU build needs: Eigen (header-only) and Catch2 (only its CMake package is used: tests/ asks
# for it; cuda_backend_test does not include it). OpenMP and CUDA come with the compiler and the toolkit.
pack_packages=(libeigen3-dev catch2)

usage() { sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; }

now() { if [[ -n "${EPOCHREALTIME:-}" ]]; then echo "${EPOCHREALTIME/,/.}"; else date +%s.%N; fi; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}'; }

# ---------------------------------------------------------------------------------------------------------------
# --pack: here, with Debian's archive reachable.
unpack_deb() {  # unpack_deb <deb> <dest>: dpkg-deb where there is one, otherwise ar + tar
  local deb=$1 dest=$2 member
  mkdir -p "$dest"
  if command -v dpkg-deb >/dev/null; then
    dpkg-deb -x "$deb" "$dest"
  else
    member="$(ar t "$deb" | grep '^data\.tar')" || return 1
    ar p "$deb" "$member" | tar -xa -C "$dest" -f - 2>/dev/null || ar p "$deb" "$member" | tar -xJ -C "$dest" -f -
  fi
}

do_pack() {
  command -v apt-get >/dev/null || { echo "gpu-check.sh --pack: needs apt-get (Debian or Ubuntu)" >&2; return 2; }
  mkdir -p "$pack/debs"
  rm -f "$pack"/debs/*.deb
  echo "Downloading ${pack_packages[*]} into $pack/debs"
  if ! (cd "$pack/debs" && apt-get download "${pack_packages[@]}"); then
    echo "apt-get download failed; running apt-get update and trying again"
    apt-get update -qq || { echo "gpu-check.sh --pack: apt-get update failed" >&2; return 1; }
    (cd "$pack/debs" && apt-get download "${pack_packages[@]}") || { echo "gpu-check.sh --pack: apt-get download failed" >&2; return 1; }
  fi
  rm -rf "$pack/root"
  : >"$pack/MANIFEST"
  local deb
  for deb in "$pack"/debs/*.deb; do
    unpack_deb "$deb" "$pack/root" || { echo "gpu-check.sh --pack: cannot unpack $deb" >&2; return 1; }
    printf '%s %s %s\n' "$(dpkg-deb -f "$deb" Package)" "$(dpkg-deb -f "$deb" Version)" \
      "$(sha256sum "$deb" | cut -d' ' -f1)" >>"$pack/MANIFEST"
  done
  local f
  for f in usr/share/eigen3/cmake/Eigen3Config.cmake usr/lib/cmake/Catch2/Catch2Config.cmake; do
    [[ -f $pack/root/$f ]] || { echo "gpu-check.sh --pack: no $f in $pack/root" >&2; return 1; }
  done
  local bytes mb
  bytes="$(du -sb "$pack" | cut -f1)"
  mb="$(awk -v b="$bytes" 'BEGIN {printf "%.1f", b / 1048576}')"
  echo "Packed (package version sha256):"
  sed 's/^/  /' "$pack/MANIFEST"
  echo "$pack: $mb MB ($bytes bytes; root/ $(du -sh "$pack/root" | cut -f1)), limit $pack_limit_mb MB"
  if ((bytes > pack_limit_mb * 1048576)); then
    echo "gpu-check.sh --pack: $pack is larger than $pack_limit_mb MB" >&2
    return 1
  fi
  echo "Carry $(basename "$pack") to the GPU machine (it is ignored by git), then run scripts/gpu-check.sh there."
}

# ---------------------------------------------------------------------------------------------------------------
# Steps: each runs under `timeout`, logs to $logs/<name>.log and is recorded for the summary.
declare -a step_names=() step_status=() step_seconds=() step_notes=()
declare -A rate=()  # rate[<impl> <mode> <batch>] = examples/s
failed=0
start="$(now)"
logs="$build/gpu-check-logs"

record() {  # record <name> <PASS|FAIL|SKIP> <seconds> <note>
  step_names+=("$1"); step_status+=("$2"); step_seconds+=("$3"); step_notes+=("$4")
  [[ $2 == PASS ]] || failed=1
  printf '[gpu-check] %-34s %s %ss %s\n' "$1" "$2" "$3" "$4"
}

# Seconds left before the deadline, at most $1.
limit() {
  awk -v cap="$1" -v s="$start" -v now="$(now)" -v b="$budget" 'BEGIN {l = b - (now - s); l = l < cap ? l : cap; printf "%d", l < 0 ? 0 : l}'
}

# launch <name> <cap seconds> <command...>: in the background; collect <name> waits and returns its exit status.
declare -A bg_pid=() bg_start=() bg_limit=()
launch() {
  local name=$1 cap=$2 t
  shift 2
  t="$(limit "$cap")"
  bg_limit[$name]=$t
  bg_start[$name]="$(now)"
  if ((t < 5)); then
    echo 124 >"$logs/$name.rc"
    echo "not started: no time left before the deadline (${budget} s)" >"$logs/$name.log"
    bg_pid[$name]=""
    return
  fi
  ( timeout -k 10 "$t" "$@" >"$logs/$name.log" 2>&1; echo $? >"$logs/$name.rc" ) &
  bg_pid[$name]=$!
}
collect() {  # sets collected_seconds; returns the command's exit status (124: time limit)
  local name=$1
  [[ -n ${bg_pid[$name]} ]] && wait "${bg_pid[$name]}"
  collected_seconds="$(elapsed "${bg_start[$name]}")"
  return "$(cat "$logs/$name.rc" 2>/dev/null || echo 1)"
}
run_step() {  # run_step <name> <cap> <command...>: in the foreground; returns its exit status
  local name=$1
  launch "$@"
  collect "$name"
}
why() {  # why <rc> <limit>: a few words on an exit status
  case $1 in
    0) echo "" ;;
    124 | 137) echo "time limit ($2 s)" ;;
    77) echo "exit 77 (no CUDA device)" ;;
    *) echo "exit $1" ;;
  esac
}
show_log() {  # show_log <name> [lines]: the log, or its tail
  local name=$1 lines=${2:-0}
  echo "----- $name ($logs/$name.log) -----"
  if ((lines > 0)) && (($(wc -l <"$logs/$name.log") > lines)); then
    echo "... (last $lines lines)"
    tail -n "$lines" "$logs/$name.log"
  else
    cat "$logs/$name.log"
  fi
}

find_tool() {  # find_tool <name> <candidate paths...>: the first executable, else the PATH's
  local name=$1 c
  shift
  for c in "$@"; do [[ -x $c ]] && { echo "$c"; return 0; }; done
  command -v "$name" 2>/dev/null
}

# ---------------------------------------------------------------------------------------------------------------
preflight() {
  local t0 notes=() ok=1 v
  t0="$(now)"
  nvcc="$(find_tool nvcc "$cuda_home/bin/nvcc" /usr/local/cuda-*/bin/nvcc)" || nvcc=""
  cmake_bin="$(find_tool cmake)" || cmake_bin=""
  ninja_bin="$(find_tool ninja)" || ninja_bin=""
  cxx="${CXX:-$(find_tool g++ || find_tool c++ || true)}"
  if [[ -n $nvcc ]]; then
    v="$("$nvcc" --version | sed -n 's/.*release \([0-9.]*\).*/\1/p')"
    toolkit="CUDA $v ($nvcc)"; notes+=("nvcc $v")
  else
    toolkit="no nvcc"; notes+=("NO nvcc in $cuda_home/bin or PATH"); ok=0
  fi
  if [[ -n $cmake_bin ]]; then
    cmake_version="$("$cmake_bin" --version | head -1 | awk '{print $3}')"; notes+=("cmake $cmake_version")
  else
    cmake_version=none; notes+=("NO cmake"); ok=0
  fi
  if [[ -n $ninja_bin ]]; then
    notes+=("ninja $("$ninja_bin" --version)")
  else
    notes+=("no ninja: Unix Makefiles")
  fi
  if [[ -n $cxx ]] && command -v "$cxx" >/dev/null; then
    cxx_version="$("$cxx" --version | head -1)"; notes+=("$cxx_version")
    if ! echo '#include <omp.h>
int main() { return omp_get_max_threads() > 0 ? 0 : 1; }' | "$cxx" -fopenmp -x c++ - -o "$logs/omp_probe" >/dev/null 2>&1; then
      notes+=("NO OpenMP with $cxx -fopenmp"); ok=0
    fi
  else
    cxx_version=none; notes+=("NO C++ compiler (g++)"); ok=0
  fi
  if [[ -f $pack/root/usr/share/eigen3/cmake/Eigen3Config.cmake && -f $pack/root/usr/lib/cmake/Catch2/Catch2Config.cmake ]]; then
    notes+=("pack: $(awk '{printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2}' "$pack/MANIFEST" 2>/dev/null)")
  elif compgen -G "$pack/debs/*.deb" >/dev/null; then
    local deb
    for deb in "$pack"/debs/*.deb; do unpack_deb "$deb" "$pack/root" || ok=0; done
    notes+=("pack unpacked here from $pack/debs")
  else
    notes+=("NO $pack/root (run scripts/gpu-check.sh --pack where apt works, and copy gpu-pack along)"); ok=0
  fi
  if ((ok)); then record preflight PASS "$(elapsed "$t0")" "${notes[*]}"
  else record preflight FAIL "$(elapsed "$t0")" "$(IFS=';'; echo "${notes[*]}")"; fi
}

gpu_info() {
  local t0 q
  t0="$(now)"
  smi="$(find_tool nvidia-smi /usr/bin/nvidia-smi /usr/local/nvidia/bin/nvidia-smi)" || smi=""
  gpu_name=unknown; gpu_driver=unknown; gpu_cc=""; gpu_memory=unknown
  if [[ -z $smi ]]; then
    record nvidia-smi FAIL "$(elapsed "$t0")" "no nvidia-smi"
    return
  fi
  if q="$(timeout 30 "$smi" --query-gpu=name,driver_version,memory.total,compute_cap --format=csv,noheader 2>/dev/null | head -1)" &&
     [[ -n $q ]]; then
    IFS=',' read -r gpu_name gpu_driver gpu_memory gpu_cc <<<"$q"
    gpu_name="$(echo "$gpu_name" | xargs)"; gpu_driver="$(echo "$gpu_driver" | xargs)"
    gpu_memory="$(echo "$gpu_memory" | xargs)"; gpu_cc="$(echo "$gpu_cc" | xargs)"
    gpu_cuda="$(timeout 30 "$smi" 2>/dev/null | sed -n 's/.*CUDA Version: *\([0-9.]*\).*/\1/p' | head -1)"
    record nvidia-smi PASS "$(elapsed "$t0")" "$gpu_name, driver $gpu_driver (CUDA ${gpu_cuda:-?}), cc $gpu_cc, $gpu_memory"
  else
    record nvidia-smi FAIL "$(elapsed "$t0")" "nvidia-smi lists no GPU: $(timeout 30 "$smi" -L 2>&1 | head -1)"
  fi
}

configure_and_build() {
  local arch="${CUDA_ARCH:-90}" generator=() rc
  if [[ -z ${CUDA_ARCH:-} && -n ${gpu_cc:-} && ${gpu_cc//./} != 90 && ${gpu_cc//./} =~ ^[0-9]+$ ]]; then
    arch="${gpu_cc//./}"
    echo "[gpu-check] the GPU has compute capability $gpu_cc: building for sm_$arch instead of sm_90"
  fi
  [[ -n ${ninja_bin:-} ]] && generator=(-G Ninja "-DCMAKE_MAKE_PROGRAM=$ninja_bin")
  built=0
  if [[ -z ${cmake_bin:-} || -z ${nvcc:-} ]]; then
    record configure FAIL 0 "no cmake or no nvcc"
    record build SKIP 0 "configure failed"
    return
  fi
  # Only the pack: Eigen and Catch2 from gpu-pack/root, and nothing else found on the machine (no BLAS, MPI, xtensor).
  # The tests directory is configured (it defines cuda_backend_test); only the two targets are built.
  run_step configure 120 "$cmake_bin" -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DHELIX_GPU_CHECK=ON -DHELIX_BUILD_BENCH=ON -DHELIX_BUILD_EXAMPLES=ON -DHELIX_BUILD_TESTS=ON \
    -DHELIX_ENABLE_CUDA=ON "-DCMAKE_CUDA_COMPILER=$nvcc" "-DCMAKE_CUDA_ARCHITECTURES=$arch" \
    "-DCMAKE_CXX_COMPILER=$cxx" -DHELIX_USE_BLAS=OFF -DHELIX_ENABLE_MPI=OFF -DCMAKE_DISABLE_FIND_PACKAGE_xtensor=ON \
    "-DEigen3_DIR=$pack/root/usr/share/eigen3/cmake" "-DCatch2_DIR=$pack/root/usr/lib/cmake/Catch2" \
    "-DCMAKE_PREFIX_PATH=$pack/root/usr"
  rc=$?
  if ((rc != 0)); then
    show_log configure 40
    record configure FAIL "$collected_seconds" "$(why $rc "${bg_limit[configure]}")"
    record build SKIP 0 "configure failed"
    return
  fi
  record configure PASS "$collected_seconds" "sm_$arch, Eigen3_DIR=$(sed -n 's/^Eigen3_DIR:[A-Z]*=//p' "$build/CMakeCache.txt")"
  run_step build "${HELIX_GPU_CHECK_BUILD_LIMIT:-330}" "$cmake_bin" --build "$build" -j "$(nproc)" --target cuda_backend_test epiann_gpu_throughput
  rc=$?
  if ((rc != 0)); then
    show_log build 60
    record build FAIL "$collected_seconds" "$(why $rc "${bg_limit[build]}")"
    return
  fi
  show_log build 5
  built=1
  record build PASS "$collected_seconds" "cuda_backend_test, epiann_gpu_throughput ($(nproc) jobs)"
}

test_exe() { echo "$build/tests/cuda_backend_test"; }
bench_exe() { echo "$build/bench/epiann_gpu_throughput"; }

run_test() {
  local rc
  if ((!built)); then record cuda_backend_test SKIP 0 "not built"; return; fi
  run_step cuda_backend_test 90 env OMP_NUM_THREADS=4 "$(test_exe)"
  rc=$?
  show_log cuda_backend_test
  local summary
  summary="$(grep -E '^[0-9]+ failures|^FAIL:|^skipped' "$logs/cuda_backend_test.log" | tail -1)"
  if ((rc == 0)); then record cuda_backend_test PASS "$collected_seconds" "$summary"
  else record cuda_backend_test FAIL "$collected_seconds" "$(why $rc "${bg_limit[cuda_backend_test]}") $summary"; fi
}

# Throughput of one implementation/configuration; the rate goes into rate[].
bench_run() {  # bench_run <impl> <mode> <batch> <cap> <command...>
  local impl=$1 mode=$2 batch=$3 cap=$4 name rc r
  shift 4
  name="bench_${impl}_${mode}_${batch}"
  run_step "$name" "$cap" "$@"
  rc=$?
  r="$(grep -o 'examples/s=[0-9.]*' "$logs/$name.log" | tail -1 | cut -d= -f2)"
  cat "$logs/$name.log"
  if ((rc == 0)) && [[ -n $r ]]; then
    rate["$impl $mode $batch"]=$r
    record "$name" PASS "$collected_seconds" "$r examples/s"
  elif ((rc == 77)); then
    record "$name" SKIP "$collected_seconds" "$(tail -1 "$logs/$name.log")"
  else
    record "$name" FAIL "$collected_seconds" "$(why $rc "${bg_limit[$name]}") $(tail -1 "$logs/$name.log" | cut -c1-120)"
  fi
}

run_helix_bench() {
  local mode batch path
  for path in device mirror; do
    for mode in train infer; do
      for batch in 64 512; do
        if ((!built)); then record "bench_helix-${path}_${mode}_${batch}" SKIP 0 "not built"; continue; fi
        bench_run "helix-$path" "$mode" "$batch" 60 env OMP_NUM_THREADS=8 "$(bench_exe)" --path "$path" --mode "$mode" \
          --batch "$batch" --steps "$steps" --threads 8 --size paper
      done
    done
  done
}

find_torch_python() {  # sets python_bin and torch_version, or leaves python_bin empty
  local c v
  python_bin=""
  for c in ${PYTHON:-} python3 /usr/bin/python3 /usr/local/bin/python3 /opt/conda/bin/python3 python; do
    command -v "$c" >/dev/null 2>&1 || continue
    if v="$(timeout 120 "$c" -c 'import torch, sys; ok = torch.cuda.is_available(); print(torch.__version__, "cuda", torch.version.cuda, "device" if ok else "no-device"); sys.exit(0 if ok else 3)' 2>/dev/null)"; then
      python_bin="$(command -v "$c")"; torch_version="$v"; return 0
    fi
    [[ -n $v ]] && torch_seen="$c: torch $v"
  done
  return 1
}

run_torch_bench() {
  local mode batch t0
  t0="$(now)"
  torch_seen=""
  local flags=()
  read -r -a flags <<<"${TORCH_FLAGS:-}"
  if ! find_torch_python; then
    echo "[gpu-check] PyTorch: no python3 with torch that sees a CUDA device${torch_seen:+ ($torch_seen)}; the PyTorch peer is skipped"
    record torch SKIP "$(elapsed "$t0")" "no python3 with a CUDA torch${torch_seen:+ ($torch_seen)}"
    return
  fi
  record torch PASS "$(elapsed "$t0")" "$python_bin: torch $torch_version"
  for mode in train infer; do
    for batch in 64 512; do
      bench_run torch "$mode" "$batch" 90 "$python_bin" "$root/bench/epiann_torch_gpu.py" --device cuda --mode "$mode" \
        --batch "$batch" --steps "$steps" --threads 8 "${flags[@]}"
    done
  done
}

run_sanitizers() {
  local san tool rc
  if ((!built)); then
    record memcheck SKIP 0 "not built"; record racecheck SKIP 0 "not built"; return
  fi
  san="$(find_tool compute-sanitizer "$cuda_home/bin/compute-sanitizer" "$cuda_home/compute-sanitizer/compute-sanitizer" \
    "$cuda_home/extras/compute-sanitizer/compute-sanitizer" /usr/local/cuda-*/bin/compute-sanitizer)" || san=""
  if [[ -z $san ]]; then
    record memcheck FAIL 0 "no compute-sanitizer in $cuda_home/bin, $cuda_home/compute-sanitizer or PATH"
    record racecheck FAIL 0 "no compute-sanitizer"
    return
  fi
  # Both at once (nothing is timed now); each gets what is left of the budget.
  for tool in memcheck racecheck; do
    launch "$tool" 400 env OMP_NUM_THREADS=4 "$san" --tool "$tool" --error-exitcode 99 "$(test_exe)"
  done
  for tool in memcheck racecheck; do
    collect "$tool"
    rc=$?
    show_log "$tool" 25
    local summary
    summary="$(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY|^[0-9]+ failures' "$logs/$tool.log" | tr '\n' ' ' | sed 's/========= //g')"
    if ((rc == 0)); then record "$tool" PASS "$collected_seconds" "$summary"
    else record "$tool" FAIL "$collected_seconds" "$(why $rc "${bg_limit[$tool]}") $summary"; fi
  done
}

# build-only: the programs start and say there is no device (77), or run (0).
run_smoke() {
  local rc
  if ((!built)); then return; fi
  run_step smoke_cuda_backend_test 60 "$(test_exe)"
  rc=$?
  if ((rc == 0 || rc == 77)); then record smoke_cuda_backend_test PASS "$collected_seconds" "exit $rc: $(tail -1 "$logs/smoke_cuda_backend_test.log")"
  else record smoke_cuda_backend_test FAIL "$collected_seconds" "exit $rc: $(tail -1 "$logs/smoke_cuda_backend_test.log")"; fi
  run_step smoke_epiann_gpu_throughput 60 "$(bench_exe)" --steps 1 --batch 2
  rc=$?
  if ((rc == 0 || rc == 77)); then record smoke_epiann_gpu_throughput PASS "$collected_seconds" "exit $rc: $(tail -1 "$logs/smoke_epiann_gpu_throughput.log")"
  else record smoke_epiann_gpu_throughput FAIL "$collected_seconds" "exit $rc: $(tail -1 "$logs/smoke_epiann_gpu_throughput.log")"; fi
}

summary() {
  local i mode batch h m t
  {
    echo
    echo "================ helix GPU check: summary ================"
    echo "machine: $(uname -n), $(nproc) cores; $(date -u +%FT%TZ); total $(elapsed "$start") s (budget $budget s)"
    echo "GPU:     ${gpu_name:-not queried}, driver ${gpu_driver:-?} (CUDA ${gpu_cuda:-?}), compute capability ${gpu_cc:-?}, ${gpu_memory:-?}"
    echo "tools:   ${toolkit:-?}; ${cxx_version:-?}; cmake ${cmake_version:-?}; torch ${torch_version:-none}${python_bin:+ ($python_bin)}"
    printf '%-34s %-5s %8s  %s\n' step status seconds note
    for i in "${!step_names[@]}"; do
      printf '%-34s %-5s %8s  %s\n' "${step_names[$i]}" "${step_status[$i]}" "${step_seconds[$i]}" "${step_notes[$i]:0:150}"
    done
    if [[ $mode_arg == full ]]; then
      echo
      echo "EPIANN paper model (3000/2000 bp), examples/s, median of $steps steps; device: helix::cuda::network + cuda::adam;"
      echo "mirror: epiann::cuda_network, what epiann --device cuda runs; device/torch: helix-device over torch"
      printf '%-6s %6s %14s %14s %14s %10s\n' mode batch helix-device helix-mirror "torch${TORCH_FLAGS:+ $TORCH_FLAGS}" device/torch
      for mode in train infer; do
        for batch in 64 512; do
          h="${rate["helix-device $mode $batch"]:-}"; m="${rate["helix-mirror $mode $batch"]:-}"; t="${rate["torch $mode $batch"]:-}"
          printf '%-6s %6s %14s %14s %14s %10s\n' "$mode" "$batch" "${h:--}" "${m:--}" "${t:--}" \
            "$(if [[ -n $h && -n $t ]]; then awk -v a="$h" -v b="$t" 'BEGIN {printf "%.2fx", a / b}'; else echo -; fi)"
        done
      done
    fi
    echo "logs: $logs"
    if ((failed)); then echo "RESULT: FAIL (not every step passed)"; else echo "RESULT: PASS (every step passed)"; fi
  } | tee "$logs/summary.txt"
}

# ---------------------------------------------------------------------------------------------------------------
mode_arg=full
case "${1:-}" in
  --pack) do_pack; exit $? ;;
  --build-only) mode_arg=build ;;
  "") ;;
  -h | --help) usage; exit 0 ;;
  *) echo "usage: scripts/gpu-check.sh [--pack | --build-only | --help]" >&2; exit 2 ;;
esac

case "$(cd "$build" 2>/dev/null && pwd || echo "$build")" in
  / | "$root" | "$root/build") echo "gpu-check.sh: refusing to use $build as the build folder (BUILD_DIR)" >&2; exit 2 ;;
esac
if [[ ${HELIX_GPU_CHECK_FRESH:-1} != 0 ]]; then rm -rf "$build"; fi
mkdir -p "$logs"
echo "[gpu-check] $root -> $build ($mode_arg), budget $budget s"
preflight
built=0
if [[ $mode_arg == full ]]; then gpu_info; fi
configure_and_build
if [[ $mode_arg == full ]]; then
  run_test
  run_helix_bench
  run_torch_bench
  run_sanitizers
else
  run_smoke
fi
summary
if [[ -n ${HELIX_GPU_CHECK_OUT:-} ]]; then
  mkdir -p "$HELIX_GPU_CHECK_OUT" && cp "$logs"/*.log "$logs/summary.txt" "$HELIX_GPU_CHECK_OUT"/ 2>/dev/null
fi
exit "$failed"
