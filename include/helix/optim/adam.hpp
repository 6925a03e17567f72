// adam: Adam with bias correction and PyTorch's defaults (lr 1e-3, betas 0.9 / 0.999, eps 1e-8):
//   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
//   p -= lr / (1 - b1^t) * m / (sqrt(v / (1 - b2^t)) + eps)
// weight_decay adds weight_decay * p to g first (L2, as torch.optim.Adam does; not AdamW).
// State (m, v, t) is exposed so that checkpoints can resume training exactly. step(net, ctx) splits the update across
// the context's threads (element-wise, so the result does not depend on the split).
#pragma once

#include <algorithm>
#include <cmath>
#include <span>

#include "helix/core/aligned_buffer.hpp"
#include "helix/core/error.hpp"
#include "helix/core/parallel_for.hpp"
#include "helix/kernels/optim.hpp"
#include "helix/optim/keep_buffers.hpp"

namespace helix {

template <class T = float>
struct adam {
    T lr = T(1e-3);
    T beta1 = T(0.9);
    T beta2 = T(0.999);
    T eps = T(1e-8);
    T weight_decay = T(0);

    explicit adam(T learning_rate = T(1e-3), T beta1_ = T(0.9), T beta2_ = T(0.999), T eps_ = T(1e-8),
                  T weight_decay_ = T(0))
        : lr(learning_rate), beta1(beta1_), beta2(beta2_), eps(eps_), weight_decay(weight_decay_) {}

    template <class Net>
    void step(Net& net, const cpu_context& ctx = cpu_context(1)) {
        const keep_buffers keep(net);  // batch_norm's running statistics are state, not parameters
        step(net.parameters(), std::span<const T>(net.gradients()), ctx);
    }

    void step(std::span<T> params, std::span<const T> grads, const cpu_context& ctx = cpu_context(1)) {
        if (params.size() != grads.size())
            throw shape_error("adam: " + std::to_string(params.size()) + " parameters but " +
                              std::to_string(grads.size()) + " gradients");
        if (m_.size() != params.size()) {
            m_.resize(params.size());
            v_.resize(params.size());
            t_ = 0;
        }
        ++t_;
        const double bc1 = 1.0 - std::pow(double(beta1), double(t_));
        const double bc2 = 1.0 - std::pow(double(beta2), double(t_));
        const kernels::adam_update<T> update{beta1, beta2, eps, weight_decay, T(double(lr) / bc1), T(1.0 / std::sqrt(bc2))};
        constexpr std::size_t chunk = 1 << 16;
        const std::size_t n = params.size();
        T* p = params.data();
        const T* g = grads.data();
        T* m = m_.data();
        T* v = v_.data();
        parallel_for(ctx, (n + chunk - 1) / chunk, [&](std::size_t c) {
            const std::size_t end = std::min(n, (c + 1) * chunk);
#pragma omp simd
            for (std::size_t i = c * chunk; i < end; ++i) update(p[i], m[i], v[i], g[i]);
        });
    }

    std::size_t steps() const noexcept { return t_; }
    std::span<T> first_moment() noexcept { return {m_.data(), m_.size()}; }
    std::span<T> second_moment() noexcept { return {v_.data(), v_.size()}; }
    // Restores state saved from first_moment(), second_moment() and steps().
    void restore(std::span<const T> m, std::span<const T> v, std::size_t t) {
        if (m.size() != v.size()) throw shape_error("adam::restore: moment sizes differ");
        m_.resize(m.size());
        v_.resize(v.size());
        for (std::size_t i = 0; i < m.size(); ++i) {
            m_[i] = m[i];
            v_[i] = v[i];
        }
        t_ = t;
    }

private:
    aligned_buffer<T> m_, v_;
    std::size_t t_ = 0;
};

}  // namespace helix
