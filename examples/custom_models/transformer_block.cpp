// A transformer encoder on DNA: convolution, positions, one encoder block (multi-head self-attention, residual
// connections, layer norm, feed-forward), global max pooling. Learns the two-motif task of motif_task.hpp.
// (docs/07-custom-models.md walks through it.)
#include <cstdio>

#include <helix/helix.hpp>

#include "motif_task.hpp"

using namespace helix;

// One post-norm encoder block, as torch.nn.TransformerEncoderLayer(Dim, Heads, Hidden, activation="gelu").
template <std::size_t Dim, std::size_t Heads, std::size_t Hidden>
auto encoder_block(float rate) {
    return seq{residual{seq{multi_head_attention<Heads>{}, dropout{rate}}}, layer_norm{},
               residual{seq{dense<Hidden>{}, gelu{}, dropout{rate}, dense<Dim>{}, dropout{rate}}}, layer_norm{}};
}

int main() {
    using dna = shape<200, 4>;
    auto net = make_network<dna>(seq{conv1d<32, 9, bias::on>{}, relu{}, max_pool1d<4>{}, sinusoidal_positions{},
                                     with_name<"encoder">(encoder_block<32, 4, 64>(0.1f)), global_max_pool{}, dense<1>{}});
    net.init(/*seed=*/1);
    std::printf("transformer: %zu parameters\n", net.parameters().size());
    const custom_models::motif_task<200> train(3000, 1), held_out(1000, 2);
    const double accuracy = custom_models::train_and_report(net, train, held_out, /*epochs=*/10);

    // Reading the model: the attention weights of the first held-out example, averaged over the four heads.
    cpu_context ctx;
    set_mode(ctx, mode::inference);
    net.forward(ctx, tensor_view<const float, dna>(held_out.x.data(), 1));
    const auto attention = find<"encoder.0.fn.0">(net);
    const auto weights = decltype(attention)::bound_type::mean_attention(attention.cache, 1, 0);
    std::size_t strongest = 0;
    for (std::size_t j = 0; j < 48; ++j)
        if (weights(0, 0, j) > weights(0, 0, strongest)) strongest = j;
    std::printf("position 0 attends most to position %zu (weight %.3f)\n", strongest, double(weights(0, 0, strongest)));
    return accuracy > 0.85 ? 0 : 1;
}
