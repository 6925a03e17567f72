// Element-wise and small reduction kernels the layers share. They take plain sizes and pointers, never a bound
// layer type: nvcc 13's front end cannot write kernels whose types mention class-type template arguments
// (named<"conv", ...>, C++20) into its generated host code, so every kernel is instantiated from code like this.
#pragma once

#include <cstddef>
#include <cstdint>

#include "helix/backend/cuda/launch.cuh"
#include "helix/core/rng.hpp"

namespace helix::cuda {

template <class Op, class T>
void map_forward(const context& ctx, const T* x, T* y, std::size_t n, const char* what) {
    parallel_for(ctx, n, HELIX_DEVICE_LAMBDA(std::size_t i) { y[i] = Op::forward(x[i]); }, what);
}
template <class Op, class T>
void map_backward(const context& ctx, const T* y, const T* dy, T* dx, std::size_t n, const char* what) {
    parallel_for(ctx, n, HELIX_DEVICE_LAMBDA(std::size_t i) { dx[i] = Op::backward(y[i], dy[i]); }, what);
}
template <class T>
void add(const context& ctx, T* dst, const T* src, std::size_t n, const char* what) {
    parallel_for(ctx, n, HELIX_DEVICE_LAMBDA(std::size_t i) { dst[i] += src[i]; }, what);
}
template <class T>
void multiply(const context& ctx, const T* a, const T* b, T* out, std::size_t n, const char* what) {
    parallel_for(ctx, n, HELIX_DEVICE_LAMBDA(std::size_t i) { out[i] = a[i] * b[i]; }, what);
}
// y[r, j] = row[j] for rows r < m (a bias broadcast before a product with beta = 1).
template <class T>
void fill_rows(const context& ctx, T* y, const T* row, std::size_t m, std::size_t n, const char* what) {
    parallel_for(ctx, m * n, HELIX_DEVICE_LAMBDA(std::size_t i) { y[i] = row[i % n]; }, what);
}
// dst[j] += sum over rows r < m of x[r, j]: one thread per column, rows in order.
template <class T>
void add_column_sums(const context& ctx, const T* x, std::size_t m, std::size_t n, T* dst, const char* what) {
    parallel_for(ctx, n, HELIX_DEVICE_LAMBDA(std::size_t j) {
        T s = 0;
        for (std::size_t r = 0; r < m; ++r) s += x[r * n + j];
        dst[j] += s;
    }, what);
}
// Inverted dropout: mask[k] = 0 or keep_scale from draw first + k of the generator (1 when inactive), y = x mask.
template <class T>
void dropout_forward(const context& ctx, const T* x, T* y, T* mask, std::size_t n, counter_rng rng,
                     std::uint64_t first, float rate, T keep_scale, bool active) {
    parallel_for(ctx, n, HELIX_DEVICE_LAMBDA(std::size_t k) {
        const T m = !active ? T(1) : (rng.uniform(first + k) > rate ? keep_scale : T(0));
        mask[k] = m;
        y[k] = x[k] * m;
    }, "dropout");
}

// *first = min(*first, the index of the first NaN or infinite value of x[0, n)); *first starts as no_index. The
// minimum is the same whatever the order of the atomics, so the result is deterministic.
inline constexpr std::int32_t no_index = 0x7fffffff;
template <class T>
void find_first_non_finite(const context& ctx, const T* x, std::size_t n, std::int32_t* first, const char* what) {
    parallel_for(ctx, n, HELIX_DEVICE_LAMBDA(std::size_t i) {
        if (!(x[i] - x[i] == T(0))) atomicMin(first, std::int32_t(i));
    }, what);
}
inline void set_indices(const context& ctx, std::int32_t* at, std::size_t n, std::int32_t value) {
    parallel_for(ctx, n, HELIX_DEVICE_LAMBDA(std::size_t i) { at[i] = value; }, "set_indices");
}

}  // namespace helix::cuda
