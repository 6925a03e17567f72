// EPI-Trans, as FMoonlightS/EPI-Trans's model.py defines it (ARCHITECTURES.md, section 6): per
// side a 6-mer embedding (100-d) and a convolution + ReLU + max-pool (enhancer 72 x 80, pool 15; promoter 72 x 61,
// pool 10: 194 positions each), the two concatenated along their length, Keras batch norm, dropout 0.5, sinusoidal
// positions over the joint sequence, dropout 0.1, one post-norm transformer encoder layer (9 heads of 8 channels, no
// projection biases and no output projection, feed-forward 256, LayerNorm eps 1e-8), a global max-pool, dense 50 +
// batch norm + ReLU, and a one-unit dense (logit). Output <1>.
// Attention: the encoder's self-attention over the joint sequence (mean over heads), whose enhancer-to-promoter block
// is a true pair map.
#pragma once

#include <cstddef>

#include <helix/helix.hpp>

#include "models/keras.hpp"
#include "models/variant.hpp"

namespace epiann {

template <std::size_t Dim, std::size_t Channels, std::size_t EnhancerWidth, std::size_t EnhancerPool, std::size_t PromoterWidth,
          std::size_t PromoterPool, std::size_t Heads, std::size_t FeedForward>
auto epi_trans_spec() {
    using namespace helix;
    auto branch = []<std::size_t Width, std::size_t Pool>() {
        return seq{kmer_embedding<Dim>(),
                   with_name<"conv">(conv1d<Channels, Width, bias::on>{}), relu{}, max_pool1d<Pool>{}};
    };
    return seq{with_name<"branches">(halves{with_name<"enhancer">(branch.template operator()<EnhancerWidth, EnhancerPool>()),
                                            with_name<"promoter">(branch.template operator()<PromoterWidth, PromoterPool>())}),
               concat<axis::length>{},  // <LE' + LP', Channels>
               with_name<"norm">(keras_batch_norm()), dropout{0.5f}, sinusoidal_positions{}, dropout{0.1f},
               with_name<"encoder">(seq{with_name<"attention">(residual{multi_head_attention<Heads, 0, queries::first, projections::bare>{0.1f}}), layer_norm{1e-8},
                                        with_name<"feed_forward">(residual{seq{dense<FeedForward>{}, relu{}, dense<Channels>{}}}),
                                        layer_norm{1e-8}}),
               global_max_pool{},  // <Channels>
               with_name<"hidden">(dense<50>{}), with_name<"hidden_norm">(keras_batch_norm()), relu{},
               with_name<"logit">(dense<1>{})};
}

// Its attention: the encoder's self-attention over the joint sequence (mean over heads); the enhancer-to-promoter
// block is the pair map, and a bin's importance is the most any bin of the other side attends to it.
template <std::size_t LE, std::size_t LP>
struct epi_trans_variant : zoo_variant<LE, LP> {
    static constexpr const char* attention = "the encoder's self-attention over the joint sequence (mean over heads)";
    static constexpr const char* map_meaning =
        "row: enhancer bin (query), column: promoter bin; the enhancer-to-promoter block of the joint self-attention "
        "(a row sums to the share its bin pays to the promoter)";
    static bin_geometry enhancer_bins() { return kmer_bins(LE, 80, 15); }
    static bin_geometry promoter_bins() { return kmer_bins(LP, 61, 10); }
    template <class Net>
    static pair_attention read_attention(const Net& net, std::size_t b) {
        const auto layer = helix::find<"encoder.attention.fn">(net);
        const auto w = decltype(layer)::bound_type::mean_attention(layer.cache, layer.batch, b);
        const std::size_t le = enhancer_bins().bins(), lp = promoter_bins().bins(), n = le + lp;
        pair_attention a;
        a.map.resize(le * lp);
        std::vector<float> promoter_asks(lp * le);
        for (std::size_t i = 0; i < le; ++i)
            for (std::size_t j = 0; j < lp; ++j) {
                a.map[i * lp + j] = w.data()[i * n + le + j];
                promoter_asks[j * le + i] = w.data()[(le + j) * n + i];
            }
        a.promoter = column_max(a.map, le, lp);
        a.enhancer = column_max(promoter_asks, lp, le);
        return a;
    }
};
struct epi_trans_original : epi_trans_variant<3000, 2000> {
    static constexpr const char *name = "epi-trans", *architecture = "EPI-Trans", *size = "original",
                                *summary = "per side 6-mer embedding 100, conv 72 x 80 | 61, pool 15 | 10; joined; BN; "
                                           "1 encoder layer (9 heads); max-pool; dense 50";
    static auto spec(float) { return epi_trans_spec<100, 72, 80, 15, 61, 10, 9, 256>(); }
};
struct epi_trans_reduced : epi_trans_variant<1000, 800> {
    static constexpr const char *name = "epi-trans-small", *architecture = "EPI-Trans", *size = "reduced",
                                *summary = "per side 6-mer embedding 16, conv 36 x 80 | 61, pool 15 | 10; joined; BN; "
                                           "1 encoder layer (9 heads, feed-forward 64); max-pool; dense 50";
    static auto spec(float) { return epi_trans_spec<16, 36, 80, 15, 61, 10, 9, 64>(); }
};

}  // namespace epiann
