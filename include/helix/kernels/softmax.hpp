// Softmax of one row and its backward pass, HELIX_HD: the reference for the CPU's vectorised attention
// (backend/cpu/attention.hpp uses fast_exp) and the code the CUDA attention kernel runs per row.
#pragma once

#include <cmath>
#include <cstddef>

#include "helix/core/hd.hpp"

namespace helix::kernels {

// row = softmax(row) over n values; subtracting the maximum first keeps exp from overflowing.
template <class T>
HELIX_HD void softmax_row(T* row, std::size_t n) {
    T top = row[0];
    for (std::size_t j = 1; j < n; ++j) top = row[j] > top ? row[j] : top;
    T sum = 0;
    for (std::size_t j = 0; j < n; ++j) sum += (row[j] = std::exp(row[j] - top));
    const T scale = T(1) / sum;
    for (std::size_t j = 0; j < n; ++j) row[j] *= scale;
}

// Given a = softmax(s) and g = dL/da, overwrites g with dL/ds = a * (g - sum_j a_j g_j).
template <class T>
HELIX_HD void softmax_backward_row(const T* a, T* g, std::size_t n) {
    T dot = 0;
    for (std::size_t j = 0; j < n; ++j) dot += a[j] * g[j];
    for (std::size_t j = 0; j < n; ++j) g[j] = a[j] * (g[j] - dot);
}

// s = sum_d v_d tanh(q_d + k_{d * k_step}): one additive-attention score. k_step lets the CPU read its transposed
// key projections (step = padded row length) and CUDA its row-major ones (step = 1).
template <class T>
HELIX_HD T additive_score(const T* q, const T* k, std::size_t k_step, const T* v, std::size_t dim) {
    T s = 0;
    for (std::size_t d = 0; d < dim; ++d) s += v[d] * std::tanh(q[d] + k[d * k_step]);
    return s;
}

}  // namespace helix::kernels
