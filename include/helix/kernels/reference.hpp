// Plain-loop reference implementations: the oracle every fast path and every backend is tested against.
// Written for clarity, not speed; one sample at a time, row-major channel-last, as in the layers.
#pragma once

#include <cstddef>
#include <limits>

namespace helix::kernels::reference {

// y[l, f] = sum_{w, c} x[l + w, c] * weight[w, c, f] (+ bias[f]); valid padding, stride 1.
template <class T>
void conv1d(const T* x, std::size_t length, std::size_t channels, const T* weight, const T* bias, std::size_t filters,
            std::size_t width, T* y) {
    for (std::size_t l = 0; l + width <= length; ++l)
        for (std::size_t f = 0; f < filters; ++f) {
            T s = bias ? bias[f] : T(0);
            for (std::size_t w = 0; w < width; ++w)
                for (std::size_t c = 0; c < channels; ++c) s += x[(l + w) * channels + c] * weight[(w * channels + c) * filters + f];
            y[l * filters + f] = s;
        }
}

// Max over windows of `width` every `stride` positions, with `pad_before` positions of -infinity before the
// input and as many as needed after it; out_length outputs.
template <class T>
void max_pool1d(const T* x, std::size_t length, std::size_t channels, std::size_t width, std::size_t stride,
                std::size_t pad_before, std::size_t out_length, T* y) {
    for (std::size_t o = 0; o < out_length; ++o)
        for (std::size_t c = 0; c < channels; ++c) {
            T m = -std::numeric_limits<T>::infinity();
            for (std::size_t w = 0; w < width; ++w) {
                const std::ptrdiff_t l = std::ptrdiff_t(o * stride + w) - std::ptrdiff_t(pad_before);
                if (l >= 0 && std::size_t(l) < length && x[std::size_t(l) * channels + c] > m) m = x[std::size_t(l) * channels + c];
            }
            y[o * channels + c] = m;
        }
}

// y[r, j] = sum_i x[r, i] * weight[i, j] + bias[j] for each of `rows` rows.
template <class T>
void dense(const T* x, std::size_t rows, std::size_t in, const T* weight, const T* bias, std::size_t out, T* y) {
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t j = 0; j < out; ++j) {
            T s = bias ? bias[j] : T(0);
            for (std::size_t i = 0; i < in; ++i) s += x[r * in + i] * weight[i * out + j];
            y[r * out + j] = s;
        }
}

}  // namespace helix::kernels::reference
