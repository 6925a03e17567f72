// EPI-Mind, as NWAFUniyu/EPI-Mind's models.py and transfomer.py define it (ARCHITECTURES.md,
// section 5): per side a 6-mer embedding (100-d), a convolution 72 x 36 + ReLU and a max-pool of 20, sinusoidal
// positions, dropout 0.1, and its own 4-layer post-norm transformer encoder (8 heads of 9 channels, no projection
// biases and no output projection, feed-forward 256, LayerNorm eps 1e-8) whose 4 layers share one attention and
// one feed-forward block (each layer has its own two norms); a global max-pool per side; then [e * p, |e - p|],
// dense 50 + ReLU and a one-unit dense (logit). Output <1>.
// Attention: the last encoder layer's self-attention of each side (mean over heads).
#pragma once

#include <cstddef>

#include <helix/helix.hpp>

#include "models/keras.hpp"
#include "models/variant.hpp"

namespace epiann {

template <std::size_t Dim, std::size_t Channels, std::size_t Width, std::size_t Pool, std::size_t Heads, std::size_t FeedForward,
          std::size_t Layers>
auto epi_mind_spec() {
    using namespace helix;
    // Layers encoder layers sharing one attention and one feed-forward block, each with its own two norms.
    const auto encoder = repeat<Layers>(
        seq{with_name<"attention">(residual{multi_head_attention<Heads, 0, queries::first, projections::bare>{0.1f}}),
            per_repeat{layer_norm{1e-8}},
            with_name<"feed_forward">(residual{seq{dense<FeedForward>{}, relu{}, dense<Channels>{}}}),
            per_repeat{layer_norm{1e-8}}});
    const auto branch = seq{kmer_embedding<Dim>(),
                            with_name<"conv">(conv1d<Channels, Width, bias::on>{}), relu{}, max_pool1d<Pool>{},
                            sinusoidal_positions{}, dropout{0.1f},
                            with_name<"encoder">(encoder),
                            global_max_pool{}};  // <Channels>
    return seq{with_name<"branches">(halves{with_name<"enhancer">(branch), with_name<"promoter">(branch)}),
               concat_of{along<axis::channels>, multiply{}, abs_difference{}},  // <2 Channels>
               with_name<"hidden">(dense<50>{}), relu{}, with_name<"logit">(dense<1>{})};
}

// Its attention: each side's last encoder layer, mean over heads; a bin's importance is the most any bin of the
// same side attends to it.
template <std::size_t LE, std::size_t LP>
struct epi_mind_variant : zoo_variant<LE, LP> {
    static constexpr const char* attention = "each side's self-attention in its last encoder layer (mean over heads)";
    static bin_geometry enhancer_bins() { return kmer_bins(LE, 36, 20); }
    static bin_geometry promoter_bins() { return kmer_bins(LP, 36, 20); }
    template <class Net>
    static pair_attention read_attention(const Net& net, std::size_t b) {
        const auto e = helix::find<"branches.enhancer.encoder.3.attention.fn">(net);
        const auto p = helix::find<"branches.promoter.encoder.3.attention.fn">(net);
        const auto ew = decltype(e)::bound_type::mean_attention(e.cache, e.batch, b);
        const auto pw = decltype(p)::bound_type::mean_attention(p.cache, p.batch, b);
        const std::size_t le = enhancer_bins().bins(), lp = promoter_bins().bins();
        return {column_max({ew.data(), le * le}, le, le), column_max({pw.data(), lp * lp}, lp, lp), {}};
    }
};
struct epi_mind_original : epi_mind_variant<3000, 2000> {
    static constexpr const char *name = "epi-mind", *architecture = "EPI-Mind", *size = "original",
                                *summary = "per side 6-mer embedding 100, conv 72 x 36, pool 20, 4-layer encoder (8 heads, "
                                           "shared weights), max-pool; [e * p, |e - p|]; dense 50";
    static auto spec(float) { return epi_mind_spec<100, 72, 36, 20, 8, 256, 4>(); }
};
struct epi_mind_reduced : epi_mind_variant<1000, 800> {
    static constexpr const char *name = "epi-mind-small", *architecture = "EPI-Mind", *size = "reduced",
                                *summary = "per side 6-mer embedding 16, conv 32 x 36, pool 20, 4-layer encoder (8 heads, "
                                           "shared weights, feed-forward 64), max-pool; [e * p, |e - p|]; dense 50";
    static auto spec(float) { return epi_mind_spec<16, 32, 36, 20, 8, 64, 4>(); }
};

}  // namespace epiann
