// Optimisers on device arenas: one thread per parameter runs the HELIX_HD update of kernels/optim.hpp, the same
// code as the CPU's adam and sgd. State lives on the device; download_state / restore move it to and from the
// host for checkpoints.
#pragma once

#include <cmath>
#include <span>

#include "helix/backend/cuda/elementwise.cuh"
#include "helix/backend/cuda/launch.cuh"
#include "helix/kernels/optim.hpp"
#include "helix/nn/parameters.hpp"

namespace helix::cuda {

namespace detail {
// An optimiser step over the whole arena must leave the network's buffers (param_kind::buffer, batch_norm's running
// statistics) untouched: save() copies them into `saved` (device memory kept by the optimiser, so no allocation per
// step), restore() copies them back. Both are no-ops for a network without buffers.
template <class T>
struct device_buffer_keeper {
    device_buffer<T> saved;

    template <class Net>
    void save(context& ctx, Net& net) { move<true>(ctx, net); }
    template <class Net>
    void restore(context& ctx, Net& net) { move<false>(ctx, net); }

private:
    template <bool Save, class Net>
    void move(context& ctx, Net& net) {
        if constexpr (requires { net.has_buffers(); }) {
            if (!net.has_buffers()) return;
            std::size_t total = 0;
            for (const auto& p : net.parameter_info())
                if (p.kind == param_kind::buffer) total += p.size;
            if (Save && saved.size() != total) saved.resize(total, ctx.stream());
            std::size_t at = 0;
            for (const auto& p : net.parameter_info())
                if (p.kind == param_kind::buffer) {
                    T* arena = net.parameters_device() + p.offset;
                    if constexpr (Save) copy_on_device(ctx.stream(), static_cast<const T*>(arena), saved.data() + at, p.size);
                    else copy_on_device(ctx.stream(), static_cast<const T*>(saved.data() + at), arena, p.size);
                    at += p.size;
                }
        }
    }
};
}  // namespace detail

template <class T = float>
struct adam {
    T lr = T(1e-3), beta1 = T(0.9), beta2 = T(0.999), eps = T(1e-8), weight_decay = T(0);

    explicit adam(T learning_rate = T(1e-3), T beta1_ = T(0.9), T beta2_ = T(0.999), T eps_ = T(1e-8),
                  T weight_decay_ = T(0))
        : lr(learning_rate), beta1(beta1_), beta2(beta2_), eps(eps_), weight_decay(weight_decay_) {}

    template <class Net>
    void step(context& ctx, Net& net) {
        buffers_.save(ctx, net);  // batch_norm's running statistics are state, not parameters
        step(ctx, net.parameters_device(), net.gradients_device(), net.parameter_count());
        buffers_.restore(ctx, net);
    }

    // skip_unless_none: when not null, the update is skipped while *skip_unless_none != no_index (a bad gradient
    // found on the device by find_first_non_finite), so that it never reaches the weights or the moments. The step
    // count still advances (reading the flag would cost a synchronisation): a caller stops after a skipped step.
    void step(context& ctx, T* params, const T* grads, std::size_t n, const std::int32_t* skip_unless_none = nullptr) {
        if (m_.size() != n) {
            m_.resize(n, ctx.stream());
            v_.resize(n, ctx.stream());
            t_ = 0;
        }
        ++t_;
        const double bc1 = 1.0 - std::pow(double(beta1), double(t_));
        const double bc2 = 1.0 - std::pow(double(beta2), double(t_));
        const kernels::adam_update<T> update{beta1, beta2, eps, weight_decay, T(double(lr) / bc1), T(1.0 / std::sqrt(bc2))};
        T* m = m_.data();
        T* v = v_.data();
        parallel_for(ctx, n, HELIX_DEVICE_LAMBDA(std::size_t i) {
            if (skip_unless_none != nullptr && *skip_unless_none != no_index) return;
            update(params[i], m[i], v[i], grads[i]);
        }, "adam");
    }

    std::size_t steps() const noexcept { return t_; }
    void download_state(context& ctx, std::span<T> m, std::span<T> v) const {
        if (m.size() != m_.size() || v.size() != v_.size()) throw shape_error("cuda::adam::download_state: size mismatch");
        copy_to_host(ctx.stream(), m_.data(), m.data(), m.size());
        copy_to_host(ctx.stream(), v_.data(), v.data(), v.size());
    }
    void restore(context& ctx, std::span<const T> m, std::span<const T> v, std::size_t t) {
        if (m.size() != v.size()) throw shape_error("cuda::adam::restore: moment sizes differ");
        m_.resize(m.size(), ctx.stream());  // zeroed before the copies below, in the same stream
        v_.resize(v.size(), ctx.stream());
        copy_to_device(ctx.stream(), m.data(), m_.data(), m.size());
        copy_to_device(ctx.stream(), v.data(), v_.data(), v.size());
        t_ = t;
    }

private:
    device_buffer<T> m_, v_;
    std::size_t t_ = 0;
    detail::device_buffer_keeper<T> buffers_;
};

template <class T = float>
struct sgd {
    T lr = T(0.01), momentum = T(0), weight_decay = T(0);

    explicit sgd(T learning_rate = T(0.01), T momentum_ = T(0), T weight_decay_ = T(0))
        : lr(learning_rate), momentum(momentum_), weight_decay(weight_decay_) {}

    template <class Net>
    void step(context& ctx, Net& net) {
        buffers_.save(ctx, net);  // batch_norm's running statistics are state, not parameters
        step(ctx, net.parameters_device(), net.gradients_device(), net.parameter_count());
        buffers_.restore(ctx, net);
    }

    void step(context& ctx, T* params, const T* grads, std::size_t n) {
        const bool use_velocity = momentum != T(0);
        if (use_velocity && velocity_.size() != n) velocity_.resize(n, ctx.stream());
        const kernels::sgd_update<T> update{lr, momentum, weight_decay, steps_ == 0};
        T* velocity = use_velocity ? velocity_.data() : nullptr;
        parallel_for(ctx, n, HELIX_DEVICE_LAMBDA(std::size_t i) {
            update(params[i], velocity ? velocity + i : nullptr, grads[i]);
        }, "sgd");
        ++steps_;
    }
    std::size_t steps() const noexcept { return steps_; }

private:
    device_buffer<T> velocity_;
    std::size_t steps_ = 0;
    detail::device_buffer_keeper<T> buffers_;
};

}  // namespace helix::cuda
