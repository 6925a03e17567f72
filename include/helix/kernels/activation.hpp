// Element-wise activation functions as HELIX_HD functors: one definition serves the CPU (parallel_for)
// and CUDA (grid-stride launch). Backward passes read the forward *output* y, which relu, sigmoid and tanh
// can differentiate from without keeping the input; an op whose derivative needs the input (gelu) declares
// `static constexpr bool backward_from_input = true` and its backward(x, dy) gets the input x instead.
#pragma once

#include <cmath>

#include "helix/core/hd.hpp"

namespace helix::kernels {

struct relu_op {
    static constexpr const char* name = "relu";
    template <class T>
    HELIX_HD static T forward(T x) {
        return x > T(0) ? x : T(0);
    }
    template <class T>
    HELIX_HD static T backward(T y, T dy) {
        return y > T(0) ? dy : T(0);
    }
};

struct sigmoid_op {
    static constexpr const char* name = "sigmoid";
    template <class T>
    HELIX_HD static T forward(T x) {
        // Two branches so that exp never overflows.
        if (x >= T(0)) return T(1) / (T(1) + std::exp(-x));
        const T e = std::exp(x);
        return e / (T(1) + e);
    }
    template <class T>
    HELIX_HD static T backward(T y, T dy) {
        return dy * y * (T(1) - y);
    }
};

struct tanh_op {
    static constexpr const char* name = "tanh";
    template <class T>
    HELIX_HD static T forward(T x) {
        return std::tanh(x);
    }
    template <class T>
    HELIX_HD static T backward(T y, T dy) {
        return dy * (T(1) - y * y);
    }
};

// GELU, exact (erf) form, PyTorch's F.gelu default: x Phi(x), Phi the standard normal CDF. Backward from the input:
// d/dx = Phi(x) + x phi(x), phi the standard normal density.
struct gelu_op {
    static constexpr const char* name = "gelu";
    static constexpr bool backward_from_input = true;
    template <class T>
    HELIX_HD static T forward(T x) {
        return T(0.5) * x * (T(1) + std::erf(x * T(0.70710678118654752440)));
    }
    template <class T>
    HELIX_HD static T backward(T x, T dy) {
        const T cdf = T(0.5) * (T(1) + std::erf(x * T(0.70710678118654752440)));
        const T pdf = T(0.39894228040143267794) * std::exp(T(-0.5) * x * x);
        return dy * (cdf + x * pdf);
    }
};

// Whether Op's backward takes the forward input x (backward(x, dy)) rather than the output y (backward(y, dy)).
template <class Op>
inline constexpr bool backward_from_input = requires { requires Op::backward_from_input; };

}  // namespace helix::kernels
