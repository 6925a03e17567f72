// cuda_network<Net>: a host network's forward and backward run on a CUDA device, behind the host network's own
// interface (forward, backward, zero_grad, parameters, gradients, model_cache), so train() and score() take it
// unchanged. Declarations only: the definitions are compiled by nvcc in cuda_network.cu, explicitly instantiated
// for the model variants; this header needs no CUDA headers.
// How: the host network's parameters stay the master copy. forward() uploads them and the input, runs the device
// network, and downloads the output; backward() uploads the output gradient and downloads the parameter gradients
// into the host arena, where the host optimiser (and checkpointing) work as before. Dropout draws from the host
// context's generator (copied in and back), so masks are those the CPU would use. The parameter upload and gradient
// download cost 2 x 22 MB per step for the paper model: simple, and small next to the step itself on a GPU.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <helix/core/context.hpp>
#include <helix/core/tensor.hpp>
#include <helix/nn/parameters.hpp>

namespace epiann {

// "" when a CUDA device answers, otherwise why not (any error of the query counts as no device).
std::string cuda_device_problem();

template <class Net>
class cuda_network {
public:
    using bound_type = typename Net::bound_type;
    using input = typename Net::input;
    using output = typename Net::output;
    using value_type = float;

    explicit cuda_network(Net& host);
    ~cuda_network();
    cuda_network(const cuda_network&) = delete;
    cuda_network& operator=(const cuda_network&) = delete;

    struct result : helix::view_t<const float, output> {
        helix::view_t<float, output> gradient;
    };
    result forward(helix::cpu_context& ctx, helix::view_t<const float, input> in);
    void backward(helix::cpu_context& ctx, helix::view_t<const float, input> in);
    void zero_grad();

    template <class Init>
    void init(std::uint64_t seed, const Init& initializer) {
        host_.init(seed, initializer);
    }
    std::span<float> parameters() noexcept { return host_.parameters(); }
    std::span<const float> parameters() const noexcept { return host_.parameters(); }
    std::span<float> gradients() noexcept { return host_.gradients(); }
    std::span<const float> gradients() const noexcept { return host_.gradients(); }
    const std::vector<helix::param_info>& parameter_info() const noexcept { return host_.parameter_info(); }
    // The model's cache of the latest forward(), downloaded on first use.
    const float* model_cache() const;
    std::size_t batch() const noexcept { return batch_; }

private:
    struct impl;
    Net& host_;
    std::unique_ptr<impl> impl_;
    std::size_t batch_ = 0;
};

}  // namespace epiann
