// network<In, Model, T>: a model bound to its input, owning three contiguous arenas.
//
//   parameters  every parameter of every layer, in the order describe() lists them
//   gradients   same layout; backward adds into it, zero_grad() clears it
//   workspace   output, output gradient and every layer's cache, batch x (compile-time per-sample size)
// forward() returns a view of the output inside the workspace and, as `.gradient`, the buffer the loss
// writes its gradient into; backward() then fills the gradients. The optimiser is one loop over the arena and a
// checkpoint one write of it.
// Requires: backward() gets the input of the latest forward(). Guarantees: the workspace only grows when
// the batch grows.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "helix/core/context.hpp"
#include "helix/core/tensor.hpp"
#include "helix/layers/layer.hpp"
#include "helix/nn/init.hpp"
#include "helix/nn/parameters.hpp"

namespace helix {

template <io_type In, class Model, class T = float>
class network {
public:
    using model_type = Model;
    using bound_type = typename Model::template bind<In>;
    using input = In;
    using output = typename bound_type::output;
    using value_type = T;
    static constexpr std::size_t param_size = bound_type::param_size;
    // Per-sample workspace: output, its gradient, and the model's cache.
    static constexpr std::size_t workspace_per_sample = 2 * io_size<output> + bound_type::cache_size;

    explicit network(const Model& spec = Model{}) : model_(spec), params_(param_size), grads_(param_size) {
        model_.describe(info_);
    }

    // Fills the parameters from `seed` with the given initialiser (Glorot uniform by default).
    template <class Init = init::glorot_uniform>
    void init(std::uint64_t seed, const Init& initializer = {}) {
        const auto& items = info_.items();
        for (std::size_t i = 0; i < items.size(); ++i) {
            counter_rng rng(seed, i);
            initializer(items[i], params_.data() + items[i].offset, rng);
        }
    }

    // The output of forward(): a view of it (so it indexes like one), plus `gradient`, the buffer the loss
    // writes d(loss)/d(output) into before backward(). Both are valid until the next forward().
    struct result : view_t<const T, output> {
        view_t<T, output> gradient;
    };

    result forward(cpu_context& ctx, view_t<const T, In> in) {
        reserve(in.batch());
        model_.template forward<T>(ctx, params_.data(), in, output_view(), cache());
        return {output_view(), output_gradient()};
    }

    // The buffer the loss writes d(loss)/d(output) into, sized for the latest forward() (also its .gradient).
    view_t<T, output> output_gradient() noexcept { return view_at<output, T>(workspace_.data() + batch_ * io_size<output>, batch_); }

    // Adds d(loss)/d(parameters) into gradients(), reading output_gradient(); writes d(loss)/d(input) into
    // `din` when it is given.
    void backward(cpu_context& ctx, view_t<const T, In> in, view_t<T, In> din = {}) {
        check_batch(batch_, in.batch(), "network::backward (input of the latest forward)");
        model_.template backward<T>(ctx, params_.data(), grads_.data(), in, view_t<const T, output>(output_view()),
                                    view_t<const T, output>(output_gradient()), din, cache());
    }

    void zero_grad() noexcept { grads_.fill_zero(); }

    std::span<T> parameters() noexcept { return {params_.data(), params_.size()}; }
    std::span<const T> parameters() const noexcept { return {params_.data(), params_.size()}; }
    std::span<T> gradients() noexcept { return {grads_.data(), grads_.size()}; }
    std::span<const T> gradients() const noexcept { return {grads_.data(), grads_.size()}; }
    const std::vector<param_info>& parameter_info() const noexcept { return info_.items(); }

    // The model's cache for the latest forward(): what layers keep between forward and backward, located
    // with the composites' child_cache<I>() (e.g. the attention matrices of additive_cross_attention).
    const T* model_cache() const noexcept { return workspace_.data() + 2 * batch_ * io_size<output>; }

    bound_type& model() noexcept { return model_; }
    const bound_type& model() const noexcept { return model_; }
    std::size_t batch() const noexcept { return batch_; }
    std::size_t workspace_size() const noexcept { return workspace_.size(); }

private:
    void reserve(std::size_t batch) {
        if (batch * workspace_per_sample > workspace_.size()) workspace_.resize(batch * workspace_per_sample);
        batch_ = batch;
    }
    view_t<T, output> output_view() noexcept { return view_at<output, T>(workspace_.data(), batch_); }
    T* cache() noexcept { return workspace_.data() + 2 * batch_ * io_size<output>; }

    bound_type model_;
    aligned_buffer<T> params_;
    aligned_buffer<T> grads_;
    aligned_buffer<T> workspace_;
    param_list info_;
    std::size_t batch_ = 0;
};

// make_network<In>(seq{...}): the network type deduced from a model value.
template <io_type In, class T = float, class Model>
network<In, Model, T> make_network(const Model& spec) {
    return network<In, Model, T>(spec);
}

}  // namespace helix
