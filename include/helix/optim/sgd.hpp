// sgd: stochastic gradient descent with optional momentum and weight decay, PyTorch's update rule:
//   g += weight_decay * p;  v = momentum * v + g (v = g on the first step);  p -= lr * v
// step(params, grads) is one loop over the arenas; the velocity buffer is sized on first use.
#pragma once

#include <span>

#include "helix/core/aligned_buffer.hpp"
#include "helix/core/error.hpp"
#include "helix/kernels/optim.hpp"
#include "helix/optim/keep_buffers.hpp"

namespace helix {

template <class T = float>
struct sgd {
    T lr = T(0.01);
    T momentum = T(0);
    T weight_decay = T(0);

    explicit sgd(T learning_rate = T(0.01), T momentum_ = T(0), T weight_decay_ = T(0))
        : lr(learning_rate), momentum(momentum_), weight_decay(weight_decay_) {}

    template <class Net>
    void step(Net& net) {
        const keep_buffers keep(net);  // batch_norm's running statistics are state, not parameters
        step(net.parameters(), std::span<const T>(net.gradients()));
    }

    void step(std::span<T> params, std::span<const T> grads) {
        if (params.size() != grads.size())
            throw shape_error("sgd: " + std::to_string(params.size()) + " parameters but " +
                              std::to_string(grads.size()) + " gradients");
        const bool use_velocity = momentum != T(0);
        if (use_velocity && velocity_.size() != params.size()) velocity_.resize(params.size());
        const kernels::sgd_update<T> update{lr, momentum, weight_decay, steps_ == 0};
        for (std::size_t i = 0; i < params.size(); ++i) update(params[i], use_velocity ? &velocity_[i] : nullptr, grads[i]);
        ++steps_;
    }

    std::size_t steps() const noexcept { return steps_; }

private:
    aligned_buffer<T> velocity_;
    std::size_t steps_ = 0;
};

}  // namespace helix
