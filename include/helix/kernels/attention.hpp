// The element-wise parts of the device-generic attention layers (layers/attention/): HELIX_HD functors that
// ops_of<Ctx>::for_each runs on the CPU (OpenMP) and on CUDA (a grid-stride kernel). They capture pointers and sizes
// by value. Every output element is written by exactly one index (sums run over a fixed order inside one index),
// so results are deterministic on every backend.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "helix/backend/cpu/philox.hpp"
#include "helix/core/hd.hpp"
#include "helix/core/rng.hpp"
#include "helix/kernels/softmax.hpp"

namespace helix::kernels {

// y[i] = row[i % n]: a bias broadcast over rows of n values, before a product with beta = 1.
template <class T>
struct broadcast_rows {
    T* y;
    const T* row;
    std::size_t n;
    HELIX_HD void operator()(std::size_t i) const { y[i] = row[i % n]; }
};

// dst[j] += sum over r < rows of src[r * ld + j], for column j (one index per column, rows in order): a bias
// gradient.
template <class T>
struct add_column_sums {
    const T* src;
    std::size_t rows, ld;
    T* dst;
    HELIX_HD void operator()(std::size_t j) const {
        T s = 0;
        for (std::size_t r = 0; r < rows; ++r) s += src[r * ld + j];
        dst[j] += s;
    }
};

// Row i of n values (at a + i * n) becomes its softmax.
template <class T>
struct softmax_rows {
    T* a;
    std::size_t n;
    HELIX_HD void operator()(std::size_t i) const { softmax_row(a + i * n, n); }
};

// Given the softmax rows a, overwrites the gradient g of row i with the gradient of the scores.
template <class T>
struct softmax_backward_rows {
    const T* a;
    T* g;
    std::size_t n;
    HELIX_HD void operator()(std::size_t i) const { softmax_backward_row(a + i * n, g + i * n, n); }
};

// Inverted dropout of n attention weights, drawn as layers/dropout.hpp draws: mask[k] = keep_scale when draw
// first + k of the generator (seed, stream) exceeds rate, else 0; dropped[k] = a[k] * mask[k]. Index g covers the
// weights whose draws share one Philox call (draws 4 (first / 4 + g) .. + 3): one call per 4 weights. Run it for
// groups(first, n) indices.
template <class T>
struct attention_dropout {
    const T* a;
    T* mask;
    T* dropped;
    std::size_t n;
    std::uint64_t seed, stream, first;
    float rate;
    T keep_scale;
    static std::size_t groups(std::uint64_t first, std::size_t n) {
        return n == 0 ? 0 : std::size_t((first + n - 1) / 4 - first / 4 + 1);
    }
    HELIX_HD void operator()(std::size_t g) const {
        const std::uint64_t group = first / 4 + g;
        const philox4x32::counter words = random_group(seed, stream, group);
        for (std::uint64_t lane = 0; lane < 4; ++lane) {
            const std::uint64_t draw = 4 * group + lane;
            if (draw < first || draw >= first + n) continue;
            const std::size_t k = std::size_t(draw - first);
            const T m = uniform_from_bits(words[lane]) > rate ? keep_scale : T(0);
            mask[k] = m;
            dropped[k] = a[k] * m;
        }
    }
};

// The same on the CPU (host code only): index c covers weights [c chunk, (c + 1) chunk), their uniforms drawn 16
// Philox counters at a time (backend/cpu/philox.hpp), the same bits as the scalar generator.
template <class T>
struct attention_dropout_chunks {
    static constexpr std::size_t chunk = 1024;
    const T* a;
    T* mask;
    T* dropped;
    std::size_t n;
    counter_rng rng;
    std::uint64_t first;
    float rate;
    T keep_scale;
    static std::size_t chunks(std::size_t n) { return (n + chunk - 1) / chunk; }
    void operator()(std::size_t c) const {
        const std::size_t begin = c * chunk, len = std::min(chunk, n - begin);
        float u[chunk];
        backend::cpu::fill_uniforms(rng, first + begin, len, u);
        for (std::size_t k = 0; k < len; ++k) {
            const T m = u[k] > rate ? keep_scale : T(0);
            mask[begin + k] = m;
            dropped[begin + k] = a[begin + k] * m;
        }
    }
};

// dst[k] = a[k] * b[k] (dst may be a or b).
template <class T>
struct multiply_values {
    T* dst;
    const T* a;
    const T* b;
    HELIX_HD void operator()(std::size_t k) const { dst[k] = a[k] * b[k]; }
};

// x[i] = tanh(x[i]).
template <class T>
struct tanh_values {
    T* x;
    HELIX_HD void operator()(std::size_t i) const { x[i] = std::tanh(x[i]); }
};

// g[i] *= 1 - y[i]^2, with y = tanh(z): the gradient through tanh.
template <class T>
struct tanh_backward_values {
    T* g;
    const T* y;
    HELIX_HD void operator()(std::size_t i) const { g[i] *= T(1) - y[i] * y[i]; }
};

// Softmax over positions for attention pooling. Index i = b * rows + r: the scores s of sample b are
// [length, rows] (one column per attention row); a[(b * rows + r) * length + l] = softmax over l of
// s[(b * length + l) * rows + r].
template <class T>
struct position_softmax {
    const T* s;
    T* a;
    std::size_t length, rows;
    HELIX_HD void operator()(std::size_t i) const {
        const std::size_t b = i / rows, r = i % rows;
        const T* col = s + b * length * rows + r;
        T* row = a + i * length;
        T top = col[0];
        for (std::size_t l = 1; l < length; ++l) top = col[l * rows] > top ? col[l * rows] : top;
        T sum = 0;
        for (std::size_t l = 0; l < length; ++l) sum += (row[l] = std::exp(col[l * rows] - top));
        const T scale = T(1) / sum;
        for (std::size_t l = 0; l < length; ++l) row[l] *= scale;
    }
};

// Its backward pass: given a and da (both [rows, length] per sample), writes the score gradient in the scores'
// layout, ds[(b * length + l) * rows + r] = a_l (da_l - sum_m a_m da_m).
template <class T>
struct position_softmax_backward {
    const T* a;
    const T* da;
    T* ds;
    std::size_t length, rows;
    HELIX_HD void operator()(std::size_t i) const {
        const std::size_t b = i / rows, r = i % rows;
        const T* ar = a + i * length;
        const T* gr = da + i * length;
        T dot = 0;
        for (std::size_t l = 0; l < length; ++l) dot += ar[l] * gr[l];
        T* col = ds + b * length * rows + r;
        for (std::size_t l = 0; l < length; ++l) col[l * rows] = ar[l] * (gr[l] - dot);
    }
};

}  // namespace helix::kernels
