// cuda_network<Net>: a host network's forward and backward run on a CUDA device, behind the host network's own
// interface (forward, backward, zero_grad, parameters, gradients, model_cache), so train() and score() take it
// unchanged. Declarations only: the definitions are compiled by nvcc in cuda_network.cu, explicitly instantiated
// for the model variants; this header needs no CUDA headers.
//
// Where the state lives: parameters, gradients and (after the first adam_step) Adam's moments stay on the device
// between steps. A training step moves the input batch (through pinned memory), the outputs and their gradient, and
// two status words; the host's arenas are brought up to date only when they are read: parameters() and gradients()
// copy the device's values home first when those changed there (checkpoints, the MPI gradient sum), and their
// non-const overloads mark the device copy stale, so a write through them (loading a checkpoint, initialising,
// a host optimiser) reaches the device before it next computes. Evaluation and prediction upload the parameters
// once. The trainer reads the next batch while the device computes the backward pass and sends it ahead
// (prefetch), so the input's copy overlaps the step's compute. Dropout draws from the host context's generator and batch share (copied in and back), so masks are those
// the CPU would use. Bytes per training step of the paper model at batch 64 (docs/04-backends.md): about 50 MB
// when the parameters went up and the gradients came down every step, 5.1 MB now.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <helix/core/context.hpp>
#include <helix/core/tensor.hpp>
#include <helix/layers/layer.hpp>
#include <helix/nn/parameters.hpp>
#include <helix/optim/adam.hpp>

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
    // Sends the next batch ahead, on a copy stream, while the device still computes the current step; the forward()
    // that gets the same host tensors (unchanged in between) uses it instead of copying again.
    void prefetch(helix::view_t<const float, input> next);
    void backward(helix::cpu_context& ctx, helix::view_t<const float, input> in);
    void zero_grad();

    template <class Init>
    void init(std::uint64_t seed, const Init& initializer) {
        parameters();  // first: marks the device copy stale (and brings newer device weights home, to be replaced)
        host_.init(seed, initializer);
    }
    // The host arenas, current when returned (see the top of this file).
    std::span<float> parameters();
    std::span<const float> parameters() const;
    std::span<float> gradients();
    std::span<const float> gradients() const;
    const std::vector<helix::param_info>& parameter_info() const noexcept { return host_.parameter_info(); }
    // The model's cache of the latest forward(), downloaded on first use.
    const float* model_cache() const;
    std::size_t batch() const noexcept { return batch_; }
    // The model located after the latest forward() (helix::find<"path"> starts here): host copies of its parameters,
    // output and cache, and the caller's input.
    helix::layer_ref<bound_type, float> root() const {
        return {&host_.model(), parameters().data(), input_, output_, model_cache(), batch_};
    }

    // One step of `optimizer` (its settings, and its state when it has taken steps on the host) on the device; the
    // moments then stay there (sync_optimizer brings them home). The gradients are checked first and the step is
    // skipped when one is not finite, as the host trainer does; the weights are checked after it.
    struct step_check {
        std::string gradient, weight;  // "NAME[i] = nan" for the first non-finite value, or empty
    };
    step_check adam_step(helix::adam<float>& optimizer);
    // Copies Adam's moments and step count from the device into `optimizer` (before a checkpoint is written).
    void sync_optimizer(helix::adam<float>& optimizer) const;

private:
    struct impl;
    Net& host_;
    std::unique_ptr<impl> impl_;
    std::size_t batch_ = 0;
    helix::view_t<const float, input> input_{};
    helix::view_t<const float, output> output_{};
};

}  // namespace epiann
