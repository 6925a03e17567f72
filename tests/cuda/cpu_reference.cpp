// The CPU side of the CUDA backend test: each case through helix::network on the CPU backend, compiled by the C++
// compiler with the project's flags (so this is the CPU code users run, SIMD paths included).
#include "cpu_case_runner.hpp"

namespace helix_cuda_test {

#define HELIX_DEFINE_CPU_CASE(name, In, Model, T, kind, mode) \
    case_results cpu_##name() { return run_cpu<In, Model, T>(kind, mode); }
HELIX_CUDA_CASES(HELIX_DEFINE_CPU_CASE)

}  // namespace helix_cuda_test
