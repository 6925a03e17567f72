// The EPIANN instances the application is built with, as Variants of models/jobs.hpp (models/epiann.cpp makes them
// catalog entries). Window lengths and layer sizes are compile-time shapes, so each variant is one instantiation of
// epiann_network (Variant::network). (`network` and `spec` spell their sizes out: GCC 12 crashes on Variant::sizes as
// a template argument.)
//   paper  3000 / 2000 bp windows, 256 filters: the published model (the default of `epiann train`)
//   small  1000 / 800 bp windows, 64 filters, otherwise the same: the size the simulator was calibrated with
//          and the one `epiann demo` trains, so the demo finishes in minutes on two cores
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "common/errors.hpp"
#include "explain/attention_map.hpp"
#include "explain/readout.hpp"
#include "models/epiann.hpp"

namespace epiann {

// What both EPIANN variants share as Variants of models/jobs.hpp: the paper's initialisation and loss, the CUDA
// mirror, and attention read from the two cross-attention matrices (bin importance as the paper defines it,
// explain/attention_map.hpp).
template <class Self>
struct epiann_variant {
    static constexpr const char* architecture = "EPIANN";
    static constexpr const char* default_init = "paper";
    static constexpr float label_loss_weight = 10;
    static constexpr bool cuda = true;
    static constexpr const char* attention = "the two cross-attention matrices (the paper's row and column maxima)";
    static constexpr const char* map_meaning = "row: enhancer bin (query), column: promoter bin; rows sum to 1";
    static bin_geometry enhancer_bins() { return {Self::enhancer_window, Self::sizes.width, Self::sizes.pool}; }
    static bin_geometry promoter_bins() { return {Self::promoter_window, Self::sizes.width, Self::sizes.pool}; }
    template <class Net>
    static pair_attention read_attention(const Net& net, std::size_t b) {
        const auto a = enhancer_attention(net, b);  // LE' x LP'
        const auto p = promoter_attention(net, b);  // LP' x LE'
        constexpr std::size_t le = decltype(a)::shape_type::first, lp = decltype(p)::shape_type::first;
        pair_attention r;
        r.map.assign(a.data(), a.data() + le * lp);
        r.promoter = column_max(r.map, le, lp);
        r.enhancer = column_max({p.data(), lp * le}, lp, le);
        return r;
    }
};

struct paper_variant : epiann_variant<paper_variant> {
    static constexpr const char *name = "paper", *size = "original",
                                *summary = "shared conv 256 x 15 + ReLU, max-pool 30; cross-attention both ways; bilinear map, "
                                           "top-32 pool; dense 32; coordinate heads";
    static constexpr std::size_t enhancer_window = 3000, promoter_window = 2000;
    static constexpr long long augment_first = -450, augment_step = 50;  // the paper's 20 shifts, -450..+500
    static constexpr model_sizes sizes{};
    using network = epiann_network<enhancer_window, promoter_window, model_sizes{}, float>;
    static auto spec(float dropout) { return epiann_spec<3000, 2000>(dropout); }
};

struct small_variant : epiann_variant<small_variant> {
    static constexpr const char *name = "small", *size = "reduced",
                                *summary = "as paper with 64 filters and 1000 / 800 bp windows";
    static constexpr std::size_t enhancer_window = 1000, promoter_window = 800;
    // 20 shifts, -135..+150: the paper's +-500 bp would push sites near an element's centre out of an 800 bp window.
    static constexpr long long augment_first = -135, augment_step = 15;
    static constexpr model_sizes sizes{.filters = 64};
    using network = epiann_network<enhancer_window, promoter_window, model_sizes{.filters = 64}, float>;
    static auto spec(float dropout) { return epiann_spec<1000, 800, model_sizes{.filters = 64}>(dropout); }
};

// device/cuda_network.cu instantiates the CUDA mirror for these types, spelled without model_sizes.
static_assert(std::is_same_v<paper_variant::network,
                             helix::network<epiann_input<3000, 2000>,
                                            decltype(epiann_spec_sized<3000, 2000, 256, 15, 30, 32, 32, 32, 128, 64>()), float>>);
static_assert(std::is_same_v<small_variant::network,
                             helix::network<epiann_input<1000, 800>,
                                            decltype(epiann_spec_sized<1000, 800, 64, 15, 30, 32, 32, 32, 128, 64>()), float>>);

}  // namespace epiann
