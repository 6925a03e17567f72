// Element-wise activation functions as HELIX_HD functors: one definition serves the CPU (parallel_for)
// and CUDA (grid-stride launch). Backward passes read the forward *output* y, which every one of these
// can differentiate from without keeping the input.
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

}  // namespace helix::kernels
