// Top-k selection of one row, HELIX_HD: the CUDA top_k_pool runs it per sample and the host test checks it
// against a full sort. Guarantees: idx[0..k) holds the positions of the k largest values in descending order,
// ties to the lowest index (as the CPU's partial_sort with an index tie-break); NaN values come last, in index
// order. Requires 0 < k <= n. Cost O(n k), fine for k = 32.
#pragma once

#include <cstddef>
#include <cstdint>

#include "helix/core/hd.hpp"

namespace helix::kernels {

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
