// The CPU side of layer_cases.hpp (see cpu_case_runner.hpp).
#include "cpu_case_runner.hpp"
#include "layer_cases.hpp"

namespace helix_cuda_test {

#define HELIX_DEFINE_CPU_CASE(name, In, Model, T, kind, mode) \
    case_results cpu_##name() { return run_cpu<In, Model, T>(kind, mode); }
HELIX_CUDA_LAYER_CASES(HELIX_DEFINE_CPU_CASE)

}  // namespace helix_cuda_test
