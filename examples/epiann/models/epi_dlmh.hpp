// EPI-DLMH, as xzenglab/EPI-DLMH's get_model_max defines it (ARCHITECTURES.md, section 4): per
// side a 6-mer embedding (100-d), a 'same' convolution (enhancer 64 x 60, promoter 64 x 40) + ReLU + max-pool
// (30 and 20, so both sides end at 100 positions), Keras batch normalisation, dropout 0.5, a bidirectional GRU (50,
// Keras form) and attention pooling (50); then the matching heuristic [e, p, e - p, e * p], batch norm, dropout,
// dense 64 + batch norm + ReLU + dropout, and a one-unit dense (logit). Output <1>.
// Attention: each side's pooling weights over its own bins.
#pragma once

#include <cstddef>

#include <helix/helix.hpp>

#include "models/keras.hpp"
#include "models/variant.hpp"

namespace epiann {

template <std::size_t Dim, std::size_t Filters, std::size_t EnhancerWidth, std::size_t EnhancerPool, std::size_t PromoterWidth,
          std::size_t PromoterPool, std::size_t Gru, std::size_t Att, std::size_t Hidden>
auto epi_dlmh_spec() {
    using namespace helix;
    auto branch = []<std::size_t Width, std::size_t Pool>() {
        return seq{kmer_embedding<Dim>(), same_padding<Width>{},  // Keras padding='same': zero vectors around
                   with_name<"conv">(conv1d<Filters, Width, bias::on>{}), relu{}, max_pool1d<Pool>{},
                   with_name<"norm">(keras_batch_norm()), dropout{0.5f},
                   with_name<"bigru">(bidirectional{keras_gru<Gru>{}}),
                   with_name<"attention">(attention_pooling<Att>{})};  // <2 Gru>
    };
    return seq{with_name<"branches">(halves{with_name<"enhancer">(branch.template operator()<EnhancerWidth, EnhancerPool>()),
                                            with_name<"promoter">(branch.template operator()<PromoterWidth, PromoterPool>())}),
               concat_of{along<axis::channels>, first_half{}, second_half{}, subtract{}, multiply{}},  // <8 Gru>
               with_name<"norm">(keras_batch_norm()), dropout{0.5f},
               with_name<"hidden">(dense<Hidden>{}), with_name<"hidden_norm">(keras_batch_norm()), relu{}, dropout{0.5f},
               with_name<"logit">(dense<1>{})};
}

// Its attention: each side's pooling weights over its own bins.
template <std::size_t LE, std::size_t LP>
struct epi_dlmh_variant : zoo_variant<LE, LP> {
    static constexpr const char* attention = "each side's attention pooling weights (AttLayer)";
    static bin_geometry enhancer_bins() { return kmer_bins(LE, 60, 30, true); }
    static bin_geometry promoter_bins() { return kmer_bins(LP, 40, 20, true); }
    template <class Net>
    static pair_attention read_attention(const Net& net, std::size_t b) {
        const auto e = helix::find<"branches.enhancer.attention">(net);
        const auto p = helix::find<"branches.promoter.attention">(net);
        const auto ew = decltype(e)::bound_type::attention(e.cache, e.batch, b);
        const auto pw = decltype(p)::bound_type::attention(p.cache, p.batch, b);
        return {{ew.data(), ew.data() + enhancer_bins().bins()}, {pw.data(), pw.data() + promoter_bins().bins()}, {}};
    }
};
struct epi_dlmh_original : epi_dlmh_variant<3000, 2000> {
    static constexpr const char *name = "epi-dlmh", *architecture = "EPI-DLMH", *size = "original",
                                *summary = "per side 6-mer embedding 100, 'same' conv 64 x 60 | 40, pool 30 | 20, BN, BiGRU 50, "
                                           "attention pooling; [e, p, e - p, e * p]; dense 64";
    static auto spec(float) { return epi_dlmh_spec<100, 64, 60, 30, 40, 20, 50, 50, 64>(); }
};
struct epi_dlmh_reduced : epi_dlmh_variant<1000, 800> {
    static constexpr const char *name = "epi-dlmh-small", *architecture = "EPI-DLMH", *size = "reduced",
                                *summary = "per side 6-mer embedding 16, 'same' conv 32 x 60 | 40, pool 30 | 20, BN, BiGRU 16, "
                                           "attention pooling; [e, p, e - p, e * p]; dense 32";
    static auto spec(float) { return epi_dlmh_spec<16, 32, 60, 30, 40, 20, 16, 16, 32>(); }
};

}  // namespace epiann
