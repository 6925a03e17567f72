// One parameter's optimiser update, HELIX_HD: optim/*.hpp loop over the arena with it on the host,
// backend/cuda/optim.cuh runs it per element on the device.
#pragma once

#include <cmath>

#include "helix/core/hd.hpp"

namespace helix::kernels {

// Adam with bias correction folded into step_size = lr / (1 - b1^t) and inv_sqrt_bc2 = 1 / sqrt(1 - b2^t).
template <class T>
struct adam_update {
    T beta1, beta2, eps, weight_decay, step_size, inv_sqrt_bc2;
    HELIX_HD void operator()(T& p, T& m, T& v, T grad) const {
        const T g = grad + weight_decay * p;
        m = beta1 * m + (T(1) - beta1) * g;
        v = beta2 * v + (T(1) - beta2) * g * g;
        p -= step_size * m / (std::sqrt(v) * inv_sqrt_bc2 + eps);
    }
};

// SGD, PyTorch's rule: velocity = g on the first step, momentum * velocity + g after.
template <class T>
struct sgd_update {
    T lr, momentum, weight_decay;
    bool first_step;
    HELIX_HD void operator()(T& p, T* velocity, T grad) const {
        T g = grad + weight_decay * p;
        if (velocity) {
            *velocity = first_step ? g : momentum * *velocity + g;
            g = *velocity;
        }
        p -= lr * g;
    }
};

}  // namespace helix::kernels
