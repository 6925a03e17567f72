// One output of the fused convolution + ReLU + max-pool (layers/conv1d_relu_max_pool1d.hpp), HELIX_HD: what the
// CUDA kernel computes per (sample, pooled position, filter), and a second, independent formulation of the CPU
// backend's blocked one-hot kernels (backend/cpu/conv_relu_pool.hpp) that the host tests compare against them: on
// one-hot input, with sizes.group the CPU's table group, bit for bit. Any input works; zero inputs (all but one
// channel of one-hot DNA) are skipped.
#pragma once

#include <cstddef>
#include <cstdint>

#include "helix/core/hd.hpp"
#include "helix/kernels/pool.hpp"

namespace helix::kernels {

template <class T>
struct pooled_value {
    T value;             // max(0, max over the window of the convolution)
    std::int32_t where;  // conv position of the maximum (first on ties; the window's start when nothing wins)
};

struct conv_pool_sizes {
    std::size_t length, channels, filters, width;            // input <length, channels>, weights [width, channels, filters]
    std::size_t pool_width, pool_stride, pad_before;          // pooling over the length - width + 1 conv positions
    // Adjacent taps summed on their own before they join the accumulator: the CPU's one-hot table group
    // (backend/cpu/conv_relu_pool.hpp, conv_pool_geometry::group), so that on one-hot input both backends make the
    // same additions in the same order and pick the same argmax even between near-equal pool values.
    std::size_t group = 1;
    HELIX_HD constexpr std::size_t conv_length() const { return length - width + 1; }
};

// x: one sample <length, channels>; bias may be null.
template <class T>
HELIX_HD pooled_value<T> conv_relu_pool_at(const conv_pool_sizes& s, const T* x, const T* weight, const T* bias,
                                           std::size_t o, std::size_t f) {
    const index_range win = pool_window(o, s.pool_width, s.pool_stride, s.pad_before, s.conv_length());
    bool any = false;
    T best = 0;
    std::int32_t where = std::int32_t(win.lo);
    for (std::size_t l = win.lo; l < win.hi; ++l) {
        T acc = bias ? bias[f] : T(0);
        for (std::size_t first = 0; first < s.width; first += s.group) {
            T part = 0;  // the group's taps, in tap order, as a row of the CPU's table holds them
            const std::size_t last = first + s.group < s.width ? first + s.group : s.width;
            for (std::size_t w = first; w < last; ++w)
                for (std::size_t c = 0; c < s.channels; ++c) {
                    const T v = x[(l + w) * s.channels + c];
                    if (v != T(0)) part += v * weight[(w * s.channels + c) * s.filters + f];
                }
            acc += part;
        }
        if (!any || acc > best) {
            best = acc;
            where = std::int32_t(l);
            any = true;
        }
    }
    return {best > T(0) ? best : T(0), where};
}

}  // namespace helix::kernels
