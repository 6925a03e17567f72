// CUDA kernels of top_k_pool (layers/top_k_pool.hpp): one thread per sample runs kernels::select_top_k (tested
// on the host against a sort). O(n k) per sample is small next to the products around it in EPIANN (6,700 values,
// k = 32); a block-wide selection would be the next step if it ever shows in a profile.
// Cache: the chosen indices (std::int32_t), the CPU's layout.
#pragma once

#include <cstddef>
#include <cstdint>

#include "helix/backend/cuda/launch.cuh"
#include "helix/kernels/top_k.hpp"

namespace helix::cuda {

template <class T>
void top_k_forward(const context& ctx, std::size_t n, std::size_t k, std::size_t batch, const T* x, T* y,
                   std::int32_t* chosen, std::size_t chosen_stride) {
    parallel_for(ctx, batch, HELIX_DEVICE_LAMBDA(std::size_t b) {
        std::int32_t* idx = chosen + b * chosen_stride;
        kernels::select_top_k(x + b * n, n, k, idx);
        for (std::size_t r = 0; r < k; ++r) y[b * k + r] = x[b * n + std::size_t(idx[r])];
    }, "top_k_forward");
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
