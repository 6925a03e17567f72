// cuda::context: what a CUDA computation needs besides its data, the device counterpart of cpu_context.
// Represents: a device, a stream every helix kernel and copy is ordered on, a cuBLAS handle bound to that stream,
// the counter-based generator dropout draws from (the same Philox stream as the CPU's, so the same seed gives the
// same masks on both), the training and auxiliary_outputs flags (as cpu_context's), and a scratch area that layers borrow within one call.
// Requires: a CUDA device (device_count() > 0); otherwise the constructor throws helix::cuda_error "no CUDA device".
#pragma once

#include <cstdint>
#include <string>

#include "helix/backend/cuda/buffer.cuh"
#include "helix/core/batch_share.hpp"
#include "helix/core/device.hpp"
#include "helix/core/rng.hpp"

namespace helix::cuda {

// The number of usable devices; 0 when the query fails for any reason (no driver, a driver older than the
// runtime, no device): callers treat every failure as "no device".
inline int device_count() noexcept {
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess) {
        cudaGetLastError();
        return 0;
    }
    return n;
}

// Why device_count() is 0, in words ("" when there is a device).
inline std::string device_problem() {
    int n = 0;
    const cudaError_t status = cudaGetDeviceCount(&n);
    if (status != cudaSuccess) {
        cudaGetLastError();
        return std::string("cudaGetDeviceCount: ") + cudaGetErrorName(status) + " (" + cudaGetErrorString(status) + ")";
    }
    return n > 0 ? std::string() : std::string("cudaGetDeviceCount found 0 devices");
}

class context {
public:
    using device_type = cuda_device;

    explicit context(std::uint64_t seed = 0, int device = 0) : rng(seed) {
        if (device_count() <= device) throw cuda_error("no CUDA device: " + device_problem());
        HELIX_CUDA_CHECK(cudaSetDevice(device));
        HELIX_CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
        try {
            HELIX_CUDA_CHECK(cublasCreate(&blas_));
            HELIX_CUDA_CHECK(cublasSetStream(blas_, stream_));
        } catch (...) {
            cudaStreamDestroy(stream_);
            throw;
        }
    }
    context(const context&) = delete;
    context& operator=(const context&) = delete;
    ~context() {
        if (blas_) cublasDestroy(blas_);
        if (stream_) cudaStreamDestroy(stream_);
    }

    cudaStream_t stream() const noexcept { return stream_; }
    cublasHandle_t blas() const noexcept { return blas_; }
    // Waits for all work on the stream; errors of earlier kernels (asynchronous) are reported here.
    void synchronize() const { HELIX_CUDA_CHECK(cudaStreamSynchronize(stream_)); }

    // At least n values of T of device memory, valid until the next scratch() call. Growing it waits for the
    // stream first, so kernels that still use the old area are not disturbed.
    template <class T>
    T* scratch(std::size_t n) {
        return area_of<T>(scratch_, n);
    }

    // At least n values of T for the partial sums of a reduction (launch.cuh, the weight gradients), valid until the
    // next partials() call; apart from scratch(), so a layer reduces while it holds its scratch area.
    template <class T>
    T* partials(std::size_t n) {
        return area_of<T>(partials_, n);
    }

    counter_rng rng;
    bool training = false;
    bool auxiliary_outputs = false;  // as cpu_context::auxiliary_outputs
    batch_share share;               // as cpu_context::share: dropout draws by position in the global batch

private:
    template <class T>
    T* area_of(device_buffer<unsigned char>& area, std::size_t n) {
        const std::size_t bytes = n * sizeof(T);
        if (bytes > area.size()) {
            synchronize();
            area.resize(bytes, stream_);
        }
        return reinterpret_cast<T*>(area.data());
    }

    cudaStream_t stream_ = nullptr;
    cublasHandle_t blas_ = nullptr;
    device_buffer<unsigned char> scratch_, partials_;
};

}  // namespace helix::cuda
