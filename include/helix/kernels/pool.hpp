// Index logic of 1-D max-pooling, shared by every backend (HELIX_HD) and tested on the host.
// A pool output o covers input positions [o * stride - pad_before, + width), clipped to [0, length): padded
// positions never win, so clipping is all SAME padding needs.
#pragma once

#include <cstddef>

#include "helix/core/hd.hpp"

namespace helix::kernels {

struct index_range {
    std::size_t lo, hi;  // [lo, hi)
};

// The input positions pool output o reads.
HELIX_HD constexpr index_range pool_window(std::size_t o, std::size_t width, std::size_t stride, std::size_t pad_before,
                                           std::size_t length) noexcept {
    const std::size_t start = o * stride, end = o * stride + width;
    const std::size_t lo = start < pad_before ? 0 : start - pad_before;
    const std::size_t hi = end <= pad_before ? 0 : (end - pad_before < length ? end - pad_before : length);
    return {lo, hi};
}

// The pool outputs whose window contains input position l: the gather form of max-pool backward, which needs no
// atomics (each input gradient is written by one thread, so results do not depend on scheduling).
HELIX_HD constexpr index_range pool_outputs_containing(std::size_t l, std::size_t width, std::size_t stride,
                                                       std::size_t pad_before, std::size_t out_length) noexcept {
    const std::size_t shifted = l + pad_before;  // o covers l iff o * stride <= shifted < o * stride + width
    const std::size_t lo = shifted + 1 > width ? (shifted + 1 - width + stride - 1) / stride : 0;
    const std::size_t last = shifted / stride + 1;
    const std::size_t hi = last < out_length ? last : out_length;
    return {lo, hi > lo ? hi : lo};
}

}  // namespace helix::kernels
