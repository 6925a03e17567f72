// Checks for CUDA runtime and cuBLAS calls. Represents: the one place a CUDA status becomes a helix::cuda_error.
// Guarantees: the message names the call (as written at the call site), the CUDA error's name and description,
// and the source line, e.g. "cudaMalloc(&data_, n * sizeof(T)) failed: cudaErrorMemoryAllocation (out of memory)
// at buffer.cuh:30".
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <string>

#include "helix/core/error.hpp"

namespace helix::cuda {

namespace detail {
inline std::string where(const char* file, int line) {
    std::string f = file;
    const auto slash = f.find_last_of('/');
    return (slash == std::string::npos ? f : f.substr(slash + 1)) + ":" + std::to_string(line);
}
}  // namespace detail

inline void check(cudaError_t status, const char* call, const char* file, int line) {
    if (status == cudaSuccess) return;
    cudaGetLastError();  // clear a sticky-free error so that later, unrelated checks do not report it again
    throw cuda_error(std::string(call) + " failed: " + cudaGetErrorName(status) + " (" + cudaGetErrorString(status) +
                     ") at " + detail::where(file, line));
}

inline void check(cublasStatus_t status, const char* call, const char* file, int line) {
    if (status == CUBLAS_STATUS_SUCCESS) return;
    throw cuda_error(std::string(call) + " failed: " + cublasGetStatusName(status) + " (" +
                     cublasGetStatusString(status) + ") at " + detail::where(file, line));
}

}  // namespace helix::cuda

// Wraps a CUDA runtime or cuBLAS call: throws helix::cuda_error naming it when it fails.
#define HELIX_CUDA_CHECK(call) ::helix::cuda::check((call), #call, __FILE__, __LINE__)
// After a kernel launch: launch errors (bad configuration, no device) surface here, named by `what`.
#define HELIX_CUDA_CHECK_LAUNCH(what) ::helix::cuda::check(cudaGetLastError(), what, __FILE__, __LINE__)
