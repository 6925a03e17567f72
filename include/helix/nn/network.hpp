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

#include <algorithm>
#include <cstdint>
#include <span>
#include <type_traits>
#include <vector>

#include "helix/core/context.hpp"
#include "helix/core/tensor.hpp"
#include "helix/layers/layer.hpp"
#include "helix/nn/init.hpp"
#include "helix/nn/parameters.hpp"

namespace helix {

namespace detail {
// Whether the pair view V, its halves exchanged, would be the pair view Want.
template <class V, class Want>
inline constexpr bool swapped_halves = false;
template <class A, class B, class WA, class WB>
inline constexpr bool swapped_halves<pair_view<A, B>, pair_view<WA, WB>> =
    std::is_convertible_v<B, WA> && std::is_convertible_v<A, WB>;
}  // namespace detail

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
        for (const auto& p : info_.items())
            if (p.kind == param_kind::buffer) buffers_.push_back(p);
    }

    // Fills the parameters from `seed` with the given initialiser (Glorot uniform by default), except the tensors
    // whose layer prescribes their start (param_info::init_rule: layer_norm's scale, buffers, embeddings).
    template <class Init = init::glorot_uniform>
    void init(std::uint64_t seed, const Init& initializer = {}) {
        const auto& items = info_.items();
        for (std::size_t i = 0; i < items.size(); ++i) {
            T* values = params_.data() + items[i].offset;
            counter_rng rng(seed, i);
            switch (items[i].init_rule) {
            case param_init::constant: std::fill(values, values + items[i].size, T(items[i].initial)); break;
            case param_init::normal:
                for (std::size_t j = 0; j < items[i].size; ++j) values[j] = T(items[i].initial * rng.next_normal());
                break;
            case param_init::initializer: initializer(items[i], values, rng); break;
            }
        }
    }

    // Whether the model has buffers (state that is not trained, such as batch_norm's running statistics).
    bool has_buffers() const noexcept { return !buffers_.empty(); }
    // The buffers' places in the parameter arena (offset, size), for optimisers to leave them alone.
    const std::vector<param_info>& buffer_info() const noexcept { return buffers_; }

    // The output of forward(): a view of it (so it indexes like one), plus `gradient`, the buffer the loss
    // writes d(loss)/d(output) into before backward(). Both are valid until the next forward().
    struct result : view_t<const T, output> {
        view_t<T, output> gradient;
    };

    result forward(cpu_context& ctx, view_t<const T, In> in) {
        reserve(in.batch());
        input_ = in;
        model_.template forward<T>(ctx, params_.data(), in, output_view(), cache());
        return {output_view(), output_gradient()};
    }

    // Any other input: one readable error instead of a failed conversion (the halves of a pair in the wrong order, or
    // not the model's input at all).
    template <class V>
        requires(!std::is_convertible_v<const V&, view_t<const T, In>>)
    result forward(cpu_context&, const V&) {
        constexpr bool swapped = detail::swapped_halves<V, view_t<const T, In>>;
        static_assert(!swapped, "network::forward: the halves of the input pair are in the wrong order: the model's "
                                "input is pair_of<First, Second> and make_pair_view(first, second) must give First first");
        static_assert(swapped, "network::forward: the input is not the model's input (network<In, Model, T>: a view or "
                               "tensor of scalar T and per-sample shape In, or make_pair_view of the two halves of a "
                               "pair_of In)");
        return {};
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

    // The whole model located after the latest forward() (nn/inspect.hpp's find<"path">(net) starts here): its
    // parameters, the input that forward() read (the caller's memory: keep it alive to read it), output and cache.
    layer_ref<bound_type, T> root() const noexcept {
        return {&model_, params_.data(), input_, view_at<output, const T>(workspace_.data(), batch_), model_cache(), batch_};
    }

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
    std::vector<param_info> buffers_;
    view_t<const T, In> input_{};
    std::size_t batch_ = 0;
};

// make_network<In>(seq{...}): the network type deduced from a model value.
template <io_type In, class T = float, class Model>
network<In, Model, T> make_network(const Model& spec) {
    return network<In, Model, T>(spec);
}

}  // namespace helix
