// Top-k selection of one row, HELIX_HD: the CUDA top_k_pool runs it per sample and the host test checks it
// against a full sort. Guarantees: idx[0..k) holds the positions of the k largest values in descending order,
// ties to the lowest index (as the CPU's partial_sort with an index tie-break); NaN values come last, in index
// order. Requires 0 < k <= n. Cost O(n k), fine for k = 32.
#pragma once

#include <cstddef>
#include <cstdint>

#include "helix/core/hd.hpp"

namespace helix::kernels {

// The order select_top_k gives: (a at index ia) comes before (b at index ib) when a is larger, or equal with a lower
// index; NaN after every number, NaNs in index order. A total order: the CUDA top-k picks its k winners with it,
// one block-wide maximum at a time, and gets select_top_k's indices.
template <class T>
HELIX_HD bool top_k_before(T a, std::int32_t ia, T b, std::int32_t ib) {
    const bool a_nan = a != a, b_nan = b != b;
    if (a_nan || b_nan) return a_nan == b_nan ? ia < ib : b_nan;
    return a > b || (!(b > a) && ia < ib);
}

// The pieces of the CUDA block-wide selection (backend/cuda/top_k.cuh), here so that the host tests run them.
// One lane's best value not yet taken (bit i of `taken` set: value i is chosen) among i = lane, lane + lanes, ...;
// index -1 when it has none.
template <class T>
HELIX_HD void top_k_lane_best(const T* row, std::size_t n, std::size_t lane, std::size_t lanes, const unsigned* taken,
                              T& value, std::int32_t& index) {
    value = T(0);
    index = -1;
    for (std::size_t i = lane; i < n; i += lanes) {
        if (taken[i / 32] >> (i % 32) & 1u) continue;
        if (index < 0 || top_k_before(row[i], std::int32_t(i), value, index)) {
            value = row[i];
            index = std::int32_t(i);
        }
    }
}
// (value, index) becomes the better of itself and (other_value, other_index) in top_k_before's order.
template <class T>
HELIX_HD void top_k_keep_better(T& value, std::int32_t& index, T other_value, std::int32_t other_index) {
    if (other_index >= 0 && (index < 0 || top_k_before(other_value, other_index, value, index))) {
        value = other_value;
        index = other_index;
    }
}

template <class T>
HELIX_HD void select_top_k(const T* x, std::size_t n, std::size_t k, std::int32_t* idx) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const T v = x[i];
        if (v != v) continue;  // NaN: after every number
        // Scanning in index order, an equal value never displaces an earlier one: ties go to the lowest index.
        if (count == k && !(v > x[idx[k - 1]])) continue;
        std::size_t pos = count < k ? count++ : k - 1;
        while (pos > 0 && v > x[idx[pos - 1]]) {
            idx[pos] = idx[pos - 1];
            --pos;
        }
        idx[pos] = std::int32_t(i);
    }
    for (std::size_t i = 0; i < n && count < k; ++i)
        if (x[i] != x[i]) idx[count++] = std::int32_t(i);
}

}  // namespace helix::kernels
