// parallel_for(ctx, n, f, what): calls f(i) for every i in [0, n) on the device, the CUDA counterpart of the CPU's
// parallel_for: a grid-stride loop, so any n works with a bounded grid. f is a functor or an extended lambda
// (HELIX_DEVICE_LAMBDA) with a __device__ call operator; it is copied to the device, so it captures by value.
// Guarantees: the launch is checked (helix::cuda_error naming `what`); it runs in the context's stream order.
#pragma once

#include <algorithm>
#include <cstddef>

#include "helix/backend/cuda/context.cuh"

#define HELIX_DEVICE_LAMBDA [=] __device__

namespace helix::cuda {

namespace detail {
template <class F>
__global__ void grid_stride_kernel(std::size_t n, F f) {
    const std::size_t step = std::size_t(blockDim.x) * gridDim.x;
    for (std::size_t i = std::size_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) f(i);
}

// One block sums n values (each thread a strided part, then a tree in shared memory) and adds the total to *dst:
// no atomics, so the result is the same on every run.
template <class T>
__global__ void sum_into_kernel(const T* x, std::size_t n, T* dst) {
    __shared__ T part[256];
    T s = 0;
    for (std::size_t i = threadIdx.x; i < n; i += blockDim.x) s += x[i];
    part[threadIdx.x] = s;
    __syncthreads();
    for (unsigned half = blockDim.x / 2; half > 0; half /= 2) {
        if (threadIdx.x < half) part[threadIdx.x] += part[threadIdx.x + half];
        __syncthreads();
    }
    if (threadIdx.x == 0) *dst += part[0];
}
}  // namespace detail

inline constexpr unsigned block_size = 256;

template <class F>
void parallel_for(const context& ctx, std::size_t n, F f, const char* what) {
    if (n == 0) return;
    const std::size_t blocks = std::min<std::size_t>((n + block_size - 1) / block_size, std::size_t{1} << 20);
    detail::grid_stride_kernel<<<unsigned(blocks), block_size, 0, ctx.stream()>>>(n, f);
    HELIX_CUDA_CHECK_LAUNCH(what);
}

// *dst += x[0] + ... + x[n-1] (dst on the device).
template <class T>
void sum_into(const context& ctx, const T* x, std::size_t n, T* dst, const char* what) {
    detail::sum_into_kernel<T><<<1, block_size, 0, ctx.stream()>>>(x, n, dst);
    HELIX_CUDA_CHECK_LAUNCH(what);
}

}  // namespace helix::cuda
