// Per-value terms of the losses, HELIX_HD: loss/*.hpp sums them on the host, backend/cuda/loss.cuh computes them
// on the device (and sums on the host in the same order).
#pragma once

#include <cmath>

#include "helix/core/hd.hpp"

namespace helix::kernels {

// max(x, 0) - x y + log(1 + exp(-|x|)): BCE on a logit without overflow.
template <class T>
HELIX_HD T bce_with_logits_term(T x, T y) {
    return (x > T(0) ? x : T(0)) - x * y + std::log1p(std::exp(-std::abs(x)));
}
// d/dx of the term: sigmoid(x) - y, with sigmoid in the form that never overflows.
template <class T>
HELIX_HD T bce_with_logits_slope(T x, T y) {
    const T p = x >= T(0) ? T(1) / (T(1) + std::exp(-x)) : std::exp(x) / (T(1) + std::exp(x));
    return p - y;
}

}  // namespace helix::kernels
