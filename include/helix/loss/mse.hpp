// mse: mean squared error over every value (PyTorch's mse_loss with reduction='mean').
// Writes d(loss)/d(prediction) scaled by `weight` into `grad` when it is given, and returns weight * loss.
#pragma once

#include "helix/core/tensor.hpp"

namespace helix {

template <class T, class S, class D>
T mse(tensor_view<const T, S, D> prediction, tensor_view<const T, S, D> target, tensor_view<T, S, D> grad = {},
      T weight = T(1)) {
    check_batch(prediction.batch(), target.batch(), "mse (target)");
    if (!grad.empty()) check_batch(prediction.batch(), grad.batch(), "mse (gradient)");
    const std::size_t n = prediction.size();
    if (n == 0) return T(0);
    double total = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const T d = prediction[i] - target[i];
        total += double(d) * double(d);
        if (!grad.empty()) grad[i] = weight * T(2) * d / T(n);
    }
    return weight * T(total / double(n));
}

}  // namespace helix
