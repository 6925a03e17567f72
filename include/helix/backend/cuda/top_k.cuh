// CUDA kernels of top_k_pool (layers/top_k_pool.hpp). Forward: one block per sample picks the k winners one at a
// time, each a block-wide maximum in kernels::top_k_before's order (larger first, ties to the lowest index, NaN
// last) over the values not yet chosen, marked in a bit set in shared memory: select_top_k's indices (tested on
// the host), with 256 threads per sample instead of one thread scanning 6,700 values. A row too long for the bit
// set (over 256 K values) falls back to one thread per sample running kernels::select_top_k.
// Cache: the chosen indices (std::int32_t), the CPU's layout.
#pragma once

#include <cstddef>
#include <cstdint>

#include "helix/backend/cuda/launch.cuh"
#include "helix/kernels/top_k.hpp"

namespace helix::cuda {

namespace detail {
template <class T>
__global__ void top_k_block_kernel(std::size_t n, std::size_t k, const T* x, T* y, std::int32_t* chosen,
                                   std::size_t chosen_stride) {
    extern __shared__ unsigned taken[];  // one bit per value of the row
    __shared__ T best_value[256];
    __shared__ std::int32_t best_index[256];
    const std::size_t b = blockIdx.x, words = (n + 31) / 32;
    const T* row = x + b * n;
    for (std::size_t w = threadIdx.x; w < words; w += blockDim.x) taken[w] = 0;
    __syncthreads();
    for (std::size_t r = 0; r < k; ++r) {
        kernels::top_k_lane_best(row, n, threadIdx.x, blockDim.x, taken, best_value[threadIdx.x], best_index[threadIdx.x]);
        __syncthreads();
        for (unsigned half = blockDim.x / 2; half > 0; half /= 2) {
            if (threadIdx.x < half)
                kernels::top_k_keep_better(best_value[threadIdx.x], best_index[threadIdx.x], best_value[threadIdx.x + half],
                                           best_index[threadIdx.x + half]);
            __syncthreads();
        }
        if (threadIdx.x == 0) {
            const std::int32_t winner = best_index[0];
            chosen[b * chosen_stride + r] = winner;
            y[b * k + r] = row[winner];
            taken[std::size_t(winner) / 32] |= 1u << (std::size_t(winner) % 32);
        }
        __syncthreads();
    }
}
}  // namespace detail

template <class T>
void top_k_forward(const context& ctx, std::size_t n, std::size_t k, std::size_t batch, const T* x, T* y,
                   std::int32_t* chosen, std::size_t chosen_stride) {
    if (batch == 0) return;
    const std::size_t bit_set_bytes = (n + 31) / 32 * sizeof(unsigned);
    if (bit_set_bytes <= 32 * 1024) {
        detail::top_k_block_kernel<T><<<unsigned(batch), block_size, bit_set_bytes, ctx.stream()>>>(n, k, x, y, chosen,
                                                                                                    chosen_stride);
        HELIX_CUDA_CHECK_LAUNCH("top_k_forward");
        return;
    }
    parallel_for(ctx, batch, HELIX_DEVICE_LAMBDA(std::size_t b) {
        std::int32_t* idx = chosen + b * chosen_stride;
        kernels::select_top_k(x + b * n, n, k, idx);
        for (std::size_t r = 0; r < k; ++r) y[b * k + r] = x[b * n + std::size_t(idx[r])];
    }, "top_k_forward (long rows)");
}

// Overwrites dx [batch, n]: each chosen position gets its gradient, every other position zero.
template <class T>
void top_k_backward(const context& ctx, std::size_t n, std::size_t k, std::size_t batch, const T* dy, T* dx,
                    const std::int32_t* chosen, std::size_t chosen_stride) {
    HELIX_CUDA_CHECK(cudaMemsetAsync(dx, 0, batch * n * sizeof(T), ctx.stream()));
    parallel_for(ctx, batch * k, HELIX_DEVICE_LAMBDA(std::size_t i) {
        const std::size_t b = i / k, r = i % k;
        dx[b * n + std::size_t(chosen[b * chosen_stride + r])] += dy[i];  // indices within a sample are distinct
    }, "top_k_backward");
}

}  // namespace helix::cuda
