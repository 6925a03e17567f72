// Checks for CUDA runtime and cuBLAS calls. Represents: the one place a CUDA status becomes a helix::cuda_error.
// Guarantees: the message names the call (as written at the call site), the CUDA error's name and description,
// and the source line, e.g. "cudaMalloc(&data_, n * sizeof(T)) failed: cudaErrorMemoryAllocation (out of memory)
// at buffer.cuh:30".
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <cstdlib>
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

// HELIX_CUDA_SYNC=1 in the environment: every launch is followed by a device synchronisation, so that a fault inside
// a kernel is reported by that kernel's name (otherwise it surfaces later, at an unrelated copy). For debugging: it
// serialises the host and the device.
inline bool synchronise_after_launches() {
    static const bool on = [] {
        const char* v = std::getenv("HELIX_CUDA_SYNC");
        return v != nullptr && *v != '\0' && std::string(v) != "0";
    }();
    return on;
}

inline void check_launch(const char* what, const char* file, int line) {
    check(cudaGetLastError(), what, file, line);
    if (!synchronise_after_launches()) return;
    const cudaError_t status = cudaDeviceSynchronize();
    if (status == cudaSuccess) return;
    cudaGetLastError();
    throw cuda_error(std::string("kernel ") + what + " failed while running: " + cudaGetErrorName(status) + " (" +
                     cudaGetErrorString(status) + "), launched at " + detail::where(file, line) + " (HELIX_CUDA_SYNC)");
}

}  // namespace helix::cuda

// Wraps a CUDA runtime or cuBLAS call: throws helix::cuda_error naming it when it fails.
#define HELIX_CUDA_CHECK(call) ::helix::cuda::check((call), #call, __FILE__, __LINE__)
// After a kernel launch: launch errors (bad configuration, no device) surface here, named by `what`; with
// HELIX_CUDA_SYNC=1, errors while the kernel runs as well.
#define HELIX_CUDA_CHECK_LAUNCH(what) ::helix::cuda::check_launch(what, __FILE__, __LINE__)
