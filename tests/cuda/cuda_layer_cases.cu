// The CUDA side of layer_cases.hpp (see cuda_case_runner.cuh).
#include "cuda_case_runner.cuh"
#include "layer_cases.hpp"

namespace helix_cuda_test {

#define HELIX_DEFINE_CUDA_CASE(name, In, Model, T, kind, mode) \
    case_results cuda_##name() { return run_cuda<In, Model, T>(kind, mode); }
HELIX_CUDA_LAYER_CASES(HELIX_DEFINE_CUDA_CASE)

}  // namespace helix_cuda_test
