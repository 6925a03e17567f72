// The EPIANN workload every benchmark here times: a batch of random one-hot pairs (enhancer LE bp, promoter LP bp)
// with labels and coordinate targets, a training step (forward, 10 x BCE + MSE + MSE, backward, Adam) and an
// inference pass, exactly what ../shared/peers/epiann_torch.py times for PyTorch.
#pragma once

#include <cstdint>

#include <helix/helix.hpp>

#include "models/epiann.hpp"

namespace helix_bench {

template <std::size_t LE, std::size_t LP>
struct epiann_batch {
    helix::tensor<float, helix::shape<LE, 4>> enhancer;
    helix::tensor<float, helix::shape<LP, 4>> promoter;
    helix::tensor<float, helix::shape<1>> label;
    helix::tensor<float, helix::shape<2>> enhancer_coords, promoter_coords;

    epiann_batch(std::size_t batch, std::uint64_t seed)
        : enhancer(batch), promoter(batch), label(batch), enhancer_coords(batch), promoter_coords(batch) {
        helix::counter_rng rng(seed);
        for (std::size_t b = 0; b < batch; ++b) {
            for (std::size_t l = 0; l < LE; ++l) enhancer(b, l, rng.next_below(4)) = 1.0f;
            for (std::size_t l = 0; l < LP; ++l) promoter(b, l, rng.next_below(4)) = 1.0f;
            label[b] = float(b % 2);
            for (std::size_t k = 0; k < 2; ++k) {
                enhancer_coords(b, k) = float(rng.next_normal());
                promoter_coords(b, k) = float(rng.next_normal());
            }
        }
    }
    auto input() const { return helix::make_pair_view(enhancer.cview(), promoter.cview()); }
    std::size_t size() const { return label.batch(); }
};

// EPIANN's loss (10 x BCE + MSE + MSE) on the latest forward pass, writing the output gradient.
template <class Result, std::size_t LE, std::size_t LP>
float epiann_loss(const Result& out, const epiann_batch<LE, LP>& b) {
    return helix::bce_with_logits(out.first, b.label.cview(), out.gradient.first, 10.0f) +
           helix::mse(out.second.first, b.enhancer_coords.cview(), out.gradient.second.first) +
           helix::mse(out.second.second, b.promoter_coords.cview(), out.gradient.second.second);
}

template <class Net, std::size_t LE, std::size_t LP>
float train_step(Net& net, helix::adam<float>& optimizer, helix::cpu_context& ctx, const epiann_batch<LE, LP>& b) {
    ctx.training = true;
    const auto out = net.forward(ctx, b.input());
    const float loss = epiann_loss(out, b);
    net.zero_grad();
    net.backward(ctx, b.input());
    optimizer.step(net, ctx);
    return loss;
}

// Inference: the interaction probabilities of the batch, written to `probability`.
template <class Net, std::size_t LE, std::size_t LP>
void infer(Net& net, helix::cpu_context& ctx, const epiann_batch<LE, LP>& b, float* probability) {
    ctx.training = false;
    const auto out = net.forward(ctx, b.input());
    for (std::size_t i = 0; i < b.size(); ++i) probability[i] = helix::kernels::sigmoid_op::forward(out.first[i]);
}

// EPIANN with the trunk as separate layers (conv1d, relu, max_pool1d): the reference the fused model is checked
// against. Same parameter names and layout as epiann::epiann_spec (model.hpp), so one arena serves both.
template <std::size_t LE, std::size_t LP, epiann::model_sizes S = epiann::model_sizes{}>
auto reference_epiann_spec(float dropout_rate = 0.2f) {
    using namespace helix;
    using attention = additive_cross_attention<S.attention, queries::first>;
    using reverse_attention = additive_cross_attention<S.attention, queries::second>;
    const auto trunk = seq{with_name<"conv">(conv1d<S.filters, S.width>{}), relu{},
                           max_pool1d<S.pool, S.pool, padding::same>{}, dropout{dropout_rate}};
    const auto coordinates = seq{flatten{}, with_name<"hidden1">(dense<S.coord_hidden1>{}), relu{},
                                 with_name<"hidden2">(dense<S.coord_hidden2>{}), relu{}, with_name<"out">(dense<2>{})};
    const auto interaction = seq{with_name<"map">(bilinear<>{}), top_k_pool<S.top_k>{},
                                 with_name<"hidden">(dense<S.hidden>{}), relu{}, dropout{dropout_rate},
                                 with_name<"logit">(dense<1>{})};
    return seq{with_name<"trunk">(twin{trunk}),
               with_name<"attention">(branches{with_name<"promoter_queries">(reverse_attention{}),
                                               with_name<"enhancer_queries">(attention{})}),
               with_name<"head">(branches{with_name<"interaction">(interaction),
                                          with_name<"coordinates">(auxiliary{halves{
                                              with_name<"enhancer">(coordinates), with_name<"promoter">(coordinates)}})})};
}

}  // namespace helix_bench
