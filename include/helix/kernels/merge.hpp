// Kernels of the merge family (layers/merge/*, nn/residual.hpp, nn/concat_of.hpp, layers/reverse.hpp) as HELIX_HD
// functors run by ops_of<Ctx>::for_each: one index per output element, so every element is written by exactly one
// call (no atomics, the same bits on every run). Blocks: a tensor seen as `units` rows of `width` values, placed
// into (or taken from) a wider row of `row_width` values at `offset`; that is concatenation along any axis.
#pragma once

#include <cmath>
#include <cstddef>

#include "helix/core/hd.hpp"

namespace helix::kernels {

// dst[u * row_width + offset + j] = src[u * width + j]   (i = u * width + j)
template <class T>
struct place_block {
    const T* src;
    T* dst;
    std::size_t width, row_width, offset;
    HELIX_HD void operator()(std::size_t i) const {
        const std::size_t u = i / width, j = i % width;
        dst[u * row_width + offset + j] = src[i];
    }
};

// dst[u * width + j] = src[u * row_width + offset + j]   (the inverse of place_block)
template <class T>
struct take_block {
    const T* src;
    T* dst;
    std::size_t width, row_width, offset;
    HELIX_HD void operator()(std::size_t i) const {
        const std::size_t u = i / width, j = i % width;
        dst[i] = src[u * row_width + offset + j];
    }
};

// out[i] = a[i] + b[i]
template <class T>
struct sum_of {
    const T* a;
    const T* b;
    T* out;
    HELIX_HD void operator()(std::size_t i) const { out[i] = a[i] + b[i]; }
};

// The element-wise merges: forward(a, b) and the two partial derivatives times dy.
struct add_op {
    static constexpr const char* name = "add";
    template <class T>
    HELIX_HD static T forward(T a, T b) {
        return a + b;
    }
    template <class T>
    HELIX_HD static T grad_first(T, T, T dy) {
        return dy;
    }
    template <class T>
    HELIX_HD static T grad_second(T, T, T dy) {
        return dy;
    }
};

struct subtract_op {
    static constexpr const char* name = "subtract";
    template <class T>
    HELIX_HD static T forward(T a, T b) {
        return a - b;
    }
    template <class T>
    HELIX_HD static T grad_first(T, T, T dy) {
        return dy;
    }
    template <class T>
    HELIX_HD static T grad_second(T, T, T dy) {
        return -dy;
    }
};

struct multiply_op {
    static constexpr const char* name = "multiply";
    template <class T>
    HELIX_HD static T forward(T a, T b) {
        return a * b;
    }
    template <class T>
    HELIX_HD static T grad_first(T, T b, T dy) {
        return dy * b;
    }
    template <class T>
    HELIX_HD static T grad_second(T a, T, T dy) {
        return dy * a;
    }
};

// |a - b|; the derivative uses sign(a - b) with sign(0) = 0 (PyTorch's abs backward): equal inputs get no gradient.
struct abs_difference_op {
    static constexpr const char* name = "abs_difference";
    template <class T>
    HELIX_HD static T sign(T d) {
        return d > T(0) ? T(1) : (d < T(0) ? T(-1) : T(0));
    }
    template <class T>
    HELIX_HD static T forward(T a, T b) {
        return std::abs(a - b);
    }
    template <class T>
    HELIX_HD static T grad_first(T a, T b, T dy) {
        return dy * sign(a - b);
    }
    template <class T>
    HELIX_HD static T grad_second(T a, T b, T dy) {
        return -dy * sign(a - b);
    }
};

template <class Op, class T>
struct binary_forward {
    const T* a;
    const T* b;
    T* out;
    HELIX_HD void operator()(std::size_t i) const { out[i] = Op::forward(a[i], b[i]); }
};

// da and db each written once per element.
template <class Op, class T>
struct binary_backward {
    const T* a;
    const T* b;
    const T* dout;
    T* da;
    T* db;
    HELIX_HD void operator()(std::size_t i) const {
        da[i] = Op::grad_first(a[i], b[i], dout[i]);
        db[i] = Op::grad_second(a[i], b[i], dout[i]);
    }
};

// out[r] = sum_c a[r * width + c] b[r * width + c]: one call per row (position).
template <class T>
struct row_dot {
    const T* a;
    const T* b;
    T* out;
    std::size_t width;
    HELIX_HD void operator()(std::size_t r) const {
        T s = T(0);
        for (std::size_t c = 0; c < width; ++c) s += a[r * width + c] * b[r * width + c];
        out[r] = s;
    }
};

// da[i] = dout[row] b[i], db[i] = dout[row] a[i].
template <class T>
struct row_dot_backward {
    const T* a;
    const T* b;
    const T* dout;
    T* da;
    T* db;
    std::size_t width;
    HELIX_HD void operator()(std::size_t i) const {
        const T g = dout[i / width];
        da[i] = g * b[i];
        db[i] = g * a[i];
    }
};

// Each sample's `length` rows of `width` values in reverse order: dst row r = src row length - 1 - r.
template <class T>
struct reverse_rows {
    const T* src;
    T* dst;
    std::size_t length, width;
    HELIX_HD void operator()(std::size_t i) const {
        const std::size_t per = length * width;
        const std::size_t s = i / per, k = i % per;
        const std::size_t r = k / width, w = k % width;
        dst[i] = src[s * per + (length - 1 - r) * width + w];
    }
};

// pad: dst (length + before + after rows of `width` values per sample) is src's rows with zero rows around them.
template <class T>
struct pad_rows {
    const T* src;
    T* dst;
    std::size_t length, width, before, after;
    HELIX_HD void operator()(std::size_t i) const {
        const std::size_t per = (length + before + after) * width;
        const std::size_t s = i / per, k = i % per;
        const std::size_t r = k / width, w = k % width;
        dst[i] = r >= before && r < before + length ? src[(s * length + r - before) * width + w] : T(0);
    }
};

// pad's backward: dst (length rows) takes the gradient of the rows src (length + before + after rows) got from them.
template <class T>
struct crop_rows {
    const T* src;
    T* dst;
    std::size_t length, width, before, after;
    HELIX_HD void operator()(std::size_t i) const {
        const std::size_t per = length * width;
        const std::size_t s = i / per, k = i % per;
        dst[i] = src[s * (length + before + after) * width + before * width + k];
    }
};

}  // namespace helix::kernels
