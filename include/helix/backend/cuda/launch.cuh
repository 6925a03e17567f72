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

// Sums of `parts` contiguous pieces of x (n values), one block each (a strided loop, then a tree in shared
// memory): part[p] = the sum of piece p. With the second pass below, a sum of any length in a fixed order: the
// same bits on every run, without atomics.
template <class T>
__global__ void partial_sums_kernel(const T* x, std::size_t n, std::size_t piece, T* part) {
    __shared__ T lane[256];
    const std::size_t begin = std::size_t(blockIdx.x) * piece, end = begin + piece < n ? begin + piece : n;
    T s = 0;
    for (std::size_t i = begin + threadIdx.x; i < end; i += blockDim.x) s += x[i];
    lane[threadIdx.x] = s;
    __syncthreads();
    for (unsigned half = blockDim.x / 2; half > 0; half /= 2) {
        if (threadIdx.x < half) lane[threadIdx.x] += lane[threadIdx.x + half];
        __syncthreads();
    }
    if (threadIdx.x == 0) part[blockIdx.x] = lane[0];
}
// *dst += part[0] + ... + part[parts - 1], one block.
template <class T>
__global__ void add_partial_sums_kernel(const T* part, std::size_t parts, T* dst) {
    __shared__ T lane[256];
    T s = 0;
    for (std::size_t i = threadIdx.x; i < parts; i += blockDim.x) s += part[i];
    lane[threadIdx.x] = s;
    __syncthreads();
    for (unsigned half = blockDim.x / 2; half > 0; half /= 2) {
        if (threadIdx.x < half) lane[threadIdx.x] += lane[threadIdx.x + half];
        __syncthreads();
    }
    if (threadIdx.x == 0) *dst += lane[0];
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

// *dst += x[0] + ... + x[n-1] (dst on the device): pieces of at least 4096 values, one block each (up to 1024
// blocks), then one block over the pieces' sums, always in the same order.
template <class T>
void sum_into(context& ctx, const T* x, std::size_t n, T* dst, const char* what) {
    if (n == 0) return;
    const std::size_t piece = std::max<std::size_t>(4096, (n + 1023) / 1024), parts = (n + piece - 1) / piece;
    T* part = ctx.partials<T>(parts);
    detail::partial_sums_kernel<T><<<unsigned(parts), block_size, 0, ctx.stream()>>>(x, n, piece, part);
    HELIX_CUDA_CHECK_LAUNCH(what);
    detail::add_partial_sums_kernel<T><<<1, block_size, 0, ctx.stream()>>>(part, parts, dst);
    HELIX_CUDA_CHECK_LAUNCH(what);
}

}  // namespace helix::cuda
