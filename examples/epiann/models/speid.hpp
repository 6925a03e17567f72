// SPEID (Singh, Yang, Póczos and Ma 2019), as ma-compbio/SPEID's Keras code defines it (ARCHITECTURES.md, section 1):
// one-hot enhancer and promoter, each through its own convolution (valid, bias) + ReLU + max-pool, the two pooled
// sequences concatenated along their length, Keras batch normalisation and dropout, a bidirectional LSTM over the
// joint sequence (Keras 1 gates: hard_sigmoid), flatten, dense + batch norm + ReLU, and a one-unit dense whose
// logit is batch-normalised too (the sigmoid folds into the loss). Output <1>: the interaction logit.
// Original sizes: pairwise/frozen_model/build_model.py (1024 filters x 40, LSTM 100 per direction, dense 1000:
// 50.4 M parameters), with the ReLU of build_small_model.py (the paper's description). No attention: `epiann
// explain` cannot show attention for it.
#pragma once

#include <cstddef>

#include <helix/helix.hpp>

#include "models/keras.hpp"
#include "models/variant.hpp"

namespace epiann {

template <std::size_t Filters, std::size_t Width, std::size_t Pool, std::size_t Lstm, std::size_t Hidden>
auto speid_spec() {
    using namespace helix;
    // The fused conv1d + ReLU + max-pool: only pooled values and their positions are kept.
    const auto branch = with_name<"conv">(conv1d_relu_max_pool1d<Filters, Width, Pool, Pool, padding::valid, bias::on>{});
    return seq{with_name<"branches">(halves{with_name<"enhancer">(branch), with_name<"promoter">(branch)}),  // separate weights per side
               concat<axis::length>{},                         // <LE' + LP', Filters>
               with_name<"norm1">(keras_batch_norm()), dropout{0.25f},
               with_name<"bilstm">(bidirectional{keras1_lstm<Lstm>{}}),
               with_name<"norm2">(keras_batch_norm()), dropout{0.5f}, flatten{},
               with_name<"hidden">(dense<Hidden>{}), with_name<"norm3">(keras_batch_norm()), relu{}, dropout{0.5f},
               with_name<"logit">(dense<1>{}), with_name<"norm4">(keras_batch_norm())};
}

// The authors' sizes, and the reduced size `epiann compare` and the demo's budget use (64 filters, LSTM 32, dense 128).
struct speid_original : zoo_variant<3000, 2000> {
    static constexpr const char *name = "speid", *architecture = "SPEID", *size = "original",
                                *summary = "per side conv 1024 x 40 + ReLU, max-pool 20; joined along length; BiLSTM 100; dense 1000";
    static auto spec(float) { return speid_spec<1024, 40, 20, 100, 1000>(); }
};
struct speid_reduced : zoo_variant<1000, 800> {
    static constexpr const char *name = "speid-small", *architecture = "SPEID", *size = "reduced",
                                *summary = "per side conv 64 x 40 + ReLU, max-pool 20; joined along length; BiLSTM 32; dense 128";
    static auto spec(float) { return speid_spec<64, 40, 20, 32, 128>(); }
};

}  // namespace epiann
