// bce_with_logits: binary cross-entropy on logits, averaged over every value (PyTorch's
// binary_cross_entropy_with_logits with reduction='mean').
// Computed as max(x, 0) - x y + log(1 + exp(-|x|)), which never overflows. Targets may be soft (in [0, 1]).
// Writes d(loss)/d(logits) scaled by `weight` into `grad` when it is given, and returns weight * loss.
#pragma once

#include <cmath>

#include "helix/core/tensor.hpp"
#include "helix/kernels/loss.hpp"

namespace helix {

template <class T, class S, class D>
T bce_with_logits(tensor_view<const T, S, D> logits, tensor_view<const T, S, D> targets, tensor_view<T, S, D> grad = {},
                  T weight = T(1)) {
    check_batch(logits.batch(), targets.batch(), "bce_with_logits (targets)");
    if (!grad.empty()) check_batch(logits.batch(), grad.batch(), "bce_with_logits (gradient)");
    const std::size_t n = logits.size();
    if (n == 0) return T(0);
    double total = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const T x = logits[i], y = targets[i];
        total += double(kernels::bce_with_logits_term(x, y));
        if (!grad.empty()) grad[i] = weight * kernels::bce_with_logits_slope(x, y) / T(n);
    }
    return weight * T(total / double(n));
}

}  // namespace helix
