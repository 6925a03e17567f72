// EPIVAN (Hong et al.), as hzy95/EPIVAN's model.py defines it (ARCHITECTURES.md, section 3): per side a 6-mer
// embedding (100-d), a convolution 64 x 40 + ReLU and a max-pool of 20, the two sequences concatenated along their
// length, Keras batch normalisation and dropout 0.5, a bidirectional GRU (50 per direction, Keras form) and the
// attention pooling of its AttLayer(50), then a one-unit dense (logit). Output <1>.
// Attention: the pooling's weights over the joint sequence, enhancer bins first, then promoter bins.
#pragma once

#include <cstddef>

#include <helix/helix.hpp>

#include "models/keras.hpp"
#include "models/variant.hpp"

namespace epiann {

template <std::size_t Dim, std::size_t Filters, std::size_t Width, std::size_t Pool, std::size_t Gru, std::size_t Att>
auto epivan_spec() {
    using namespace helix;
    const auto branch = seq{kmer_embedding<Dim>(),  // two tables, both trainable (halves, not twin)
                            with_name<"conv">(conv1d<Filters, Width, bias::on>{}), relu{}, max_pool1d<Pool>{}};
    return seq{with_name<"branches">(halves{with_name<"enhancer">(branch), with_name<"promoter">(branch)}),
               concat<axis::length>{},  // <LE' + LP', Filters>
               with_name<"norm">(keras_batch_norm()), dropout{0.5f},
               with_name<"bigru">(bidirectional{keras_gru<Gru>{}}),
               with_name<"attention">(attention_pooling<Att>{}),  // <2 Gru>
               with_name<"logit">(dense<1>{})};
}

// Its attention: the pooling's weights over the joint sequence, enhancer bins then promoter bins.
template <std::size_t LE, std::size_t LP>
struct epivan_variant : zoo_variant<LE, LP> {
    static constexpr const char* attention = "the attention pooling's weights over the joint sequence (AttLayer)";
    static bin_geometry enhancer_bins() { return kmer_bins(LE, 40, 20); }
    static bin_geometry promoter_bins() { return kmer_bins(LP, 40, 20); }
    template <class Net>
    static pair_attention read_attention(const Net& net, std::size_t b) {
        const auto layer = helix::find<"attention">(net);
        const auto w = decltype(layer)::bound_type::attention(layer.cache, layer.batch, b);
        return split_joint(w.data(), enhancer_bins().bins(), promoter_bins().bins());
    }
};
struct epivan_original : epivan_variant<3000, 2000> {
    static constexpr const char *name = "epivan", *architecture = "EPIVAN", *size = "original",
                                *summary = "per side 6-mer embedding 100, conv 64 x 40, pool 20; joined; BN; BiGRU 50; attention pooling";
    static auto spec(float) { return epivan_spec<100, 64, 40, 20, 50, 50>(); }
};
struct epivan_reduced : epivan_variant<1000, 800> {
    static constexpr const char *name = "epivan-small", *architecture = "EPIVAN", *size = "reduced",
                                *summary = "per side 6-mer embedding 16, conv 32 x 40, pool 20; joined; BN; BiGRU 16; attention pooling";
    static auto spec(float) { return epivan_spec<16, 32, 40, 20, 16, 16>(); }
};

}  // namespace epiann
