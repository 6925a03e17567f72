// The EPIANN instances the application is built with. Window lengths and layer sizes are compile-time shapes,
// so each variant is one instantiation of epiann_network (Variant::network); with_model_variant() picks one by
// name at run time. (`network` spells its sizes out: GCC 12 crashes on Variant::sizes as a template argument.)
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
#include "model.hpp"

namespace epiann {

struct paper_variant {
    static constexpr const char* name = "paper";
    static constexpr std::size_t enhancer_window = 3000, promoter_window = 2000;
    static constexpr long long augment_first = -450, augment_step = 50;  // the paper's 20 shifts, -450..+500
    static constexpr model_sizes sizes{};
    using network = epiann_network<enhancer_window, promoter_window, model_sizes{}, float>;
};

struct small_variant {
    static constexpr const char* name = "small";
    static constexpr std::size_t enhancer_window = 1000, promoter_window = 800;
    // 20 shifts, -135..+150: the paper's +-500 bp would push sites near an element's centre out of an 800 bp window.
    static constexpr long long augment_first = -135, augment_step = 15;
    static constexpr model_sizes sizes{.filters = 64};
    using network = epiann_network<enhancer_window, promoter_window, model_sizes{.filters = 64}, float>;
};

// device/cuda_network.cu instantiates the CUDA mirror for these types, spelled without model_sizes.
static_assert(std::is_same_v<paper_variant::network,
                             helix::network<epiann_input<3000, 2000>,
                                            decltype(epiann_spec_sized<3000, 2000, 256, 15, 30, 32, 32, 32, 128, 64>()), float>>);
static_assert(std::is_same_v<small_variant::network,
                             helix::network<epiann_input<1000, 800>,
                                            decltype(epiann_spec_sized<1000, 800, 64, 15, 30, 32, 32, 32, 128, 64>()), float>>);

inline constexpr const char* model_variant_names = "paper, small";

// Calls f.template operator()<Variant>() for the variant called `name`; input_error for any other name.
template <class F>
decltype(auto) with_model_variant(std::string_view name, F&& f) {
    if (name == paper_variant::name) return std::forward<F>(f).template operator()<paper_variant>();
    if (name == small_variant::name) return std::forward<F>(f).template operator()<small_variant>();
    throw input_error("unknown model \"" + std::string(name) + "\": expected one of " + model_variant_names);
}

}  // namespace epiann
