// cuda::network<In, Model, T>: helix::network's device counterpart, the same three arenas (parameters, gradients,
// workspace) in device memory, so a parameter upload or download is one copy and the optimiser one kernel.
// Layouts equal the host network's: parameters uploaded from a helix::network (or a checkpoint) mean the same,
// and the model's cache downloaded to the host reads with the same accessors (e.g. attention matrices).
// Requires: a cuda::context for every call; backward() gets the input of the latest forward().
#pragma once

#include <span>

#include "helix/backend/cuda/layers.cuh"
#include "helix/nn/network.hpp"

namespace helix::cuda {

template <io_type In, class Model, class T = float>
class network {
public:
    using model_type = Model;
    using bound_type = typename Model::template bind<In>;
    using input = In;
    using output = typename bound_type::output;
    using value_type = T;
    static constexpr std::size_t param_size = bound_type::param_size;
    static constexpr std::size_t workspace_per_sample = 2 * io_size<output> + bound_type::cache_size;

    // The arenas are zeroed in ctx's stream order.
    explicit network(context& ctx, const Model& spec = Model{})
        : model_(spec), params_(param_size, ctx.stream()), grads_(param_size, ctx.stream()) {
        model_.describe(info_);
    }
    // The same layers as a host network's (run-time settings such as dropout rates included).
    network(context& ctx, const bound_type& bound) : model_(bound), params_(param_size, ctx.stream()), grads_(param_size, ctx.stream()) {
        model_.describe(info_);
    }

    struct result : view_t<const T, output, cuda_device> {
        view_t<T, output, cuda_device> gradient;
    };

    result forward(context& ctx, view_t<const T, In, cuda_device> in) {
        reserve(ctx, in.batch());
        helix::detail::forward_layer<T>(model_, ctx, static_cast<const T*>(params_.data()), in, output_view(), cache());
        return {output_view(), output_gradient()};
    }
    view_t<T, output, cuda_device> output_gradient() noexcept {
        return view_at<output, T, cuda_device>(workspace_.data() + batch_ * io_size<output>, batch_);
    }
    void backward(context& ctx, view_t<const T, In, cuda_device> in, view_t<T, In, cuda_device> din = {}) {
        check_batch(batch_, in.batch(), "cuda::network::backward (input of the latest forward)");
        helix::detail::backward_layer<T>(model_, ctx, static_cast<const T*>(params_.data()), grads_.data(), in,
                                         view_t<const T, output, cuda_device>(output_view()),
                                         view_t<const T, output, cuda_device>(output_gradient()), din, cache());
    }
    void zero_grad(context& ctx) {
        HELIX_CUDA_CHECK(cudaMemsetAsync(grads_.data(), 0, param_size * sizeof(T), ctx.stream()));
    }

    // Explicit copies of the arenas: host spans of param_size values.
    void upload_parameters(context& ctx, std::span<const T> host) {
        check_size(host.size(), "upload_parameters");
        copy_to_device(ctx.stream(), host.data(), params_.data(), param_size);
    }
    void download_parameters(context& ctx, std::span<T> host) const {
        check_size(host.size(), "download_parameters");
        copy_to_host(ctx.stream(), params_.data(), host.data(), param_size);
    }
    void download_gradients(context& ctx, std::span<T> host) const {
        check_size(host.size(), "download_gradients");
        copy_to_host(ctx.stream(), grads_.data(), host.data(), param_size);
    }
    // The model's cache of the latest forward(), copied into `host` (resized): what the host network's
    // model_cache() would hold, for the same accessors.
    template <class Vec>
    void download_cache(context& ctx, Vec& host) const {
        host.resize(batch_ * bound_type::cache_size);
        copy_to_host(ctx.stream(), static_cast<const T*>(workspace_.data() + 2 * batch_ * io_size<output>), host.data(),
                     host.size());
    }

    T* parameters_device() noexcept { return params_.data(); }
    const T* gradients_device() const noexcept { return grads_.data(); }
    T* gradients_device() noexcept { return grads_.data(); }
    static constexpr std::size_t parameter_count() noexcept { return param_size; }
    const std::vector<param_info>& parameter_info() const noexcept { return info_.items(); }
    // Buffers (batch_norm's running statistics): updated by training forwards, left alone by the optimisers.
    bool has_buffers() const noexcept {
        for (const auto& p : info_.items())
            if (p.kind == param_kind::buffer) return true;
        return false;
    }
    const bound_type& model() const noexcept { return model_; }
    std::size_t batch() const noexcept { return batch_; }

private:
    static void check_size(std::size_t n, const char* what) {
        if (n != param_size)
            throw shape_error(std::string("cuda::network::") + what + ": expected " + std::to_string(param_size) +
                              " values, got " + std::to_string(n));
    }
    void reserve(context& ctx, std::size_t batch) {
        if (batch * workspace_per_sample > workspace_.size()) workspace_.resize(batch * workspace_per_sample, ctx.stream());
        batch_ = batch;
    }
    view_t<T, output, cuda_device> output_view() noexcept { return view_at<output, T, cuda_device>(workspace_.data(), batch_); }
    T* cache() noexcept { return workspace_.data() + 2 * batch_ * io_size<output>; }

    bound_type model_;
    device_buffer<T> params_, grads_, workspace_;
    param_list info_;
    std::size_t batch_ = 0;
};

}  // namespace helix::cuda
