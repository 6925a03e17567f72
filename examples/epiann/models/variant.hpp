// What every model of the zoo shares as a Variant of models/jobs.hpp: its windows, the 20 training shifts of
// positives for those windows, Keras' initialisation, BCE alone as the loss, CPU only. A model's variants derive from
// zoo_variant and add their names, composition (spec) and attention readers.
#pragma once

#include <cstddef>

#include <helix/helix.hpp>
#include <helix/nn/inspect.hpp>

#include "explain/readout.hpp"
#include "models/epiann.hpp"

namespace epiann {

template <std::size_t LE, std::size_t LP>
struct zoo_variant {
    static constexpr std::size_t enhancer_window = LE, promoter_window = LP;
    // The paper's shifts (-450..+500 in 50 bp) for 3000 / 2000 bp windows; -135..+150 in 15 bp for smaller ones,
    // where +-500 bp would push sites near an element's centre out of the window (train/model_variants.hpp).
    static constexpr long long augment_first = LP >= 2000 ? -450 : -135, augment_step = LP >= 2000 ? 50 : 15;
    static constexpr const char* default_init = "keras";
    static constexpr float label_loss_weight = 1;
    static constexpr bool cuda = false;
    static constexpr const char* attention = "";
    static constexpr const char* map_meaning = "";
};

// Bins of a side read through five N rows and 6-mer tokens (models/keras.hpp), then a valid convolution of `width`
// tokens and a valid max-pool; `same_before`: the 'same' padding before a 'same' convolution (EPI-DLMH), which then
// pads width - 1 - same_before after.
inline bin_geometry kmer_bins(std::size_t window, std::size_t width, std::size_t pool, bool same = false) {
    const std::size_t before = same ? (width - 1) / 2 : 0, after = same ? width - 1 - before : 0;
    return {window, width + 5, pool, false, before + 5, after};
}

// Splits weights over a joint sequence (enhancer bins, then promoter bins) into the two sides.
inline pair_attention split_joint(const float* weights, std::size_t enhancer_bins, std::size_t promoter_bins) {
    return {{weights, weights + enhancer_bins}, {weights + enhancer_bins, weights + enhancer_bins + promoter_bins}, {}};
}

}  // namespace epiann
