// What a layer is. A layer *spec* (conv1d<256, 15>, dropout{0.2f}) holds the hyperparameters; binding it
// to an input io_type gives a *bound layer* `Spec::bind<In>` that knows, at compile time:
//   input, output                       io_types (a shape or a pair_of shapes)
//   param_size                          parameters, in scalars
//   cache_size                          scalars per sample kept from forward for backward
// and provides, for any scalar type T (float in models, double in gradient checks):
//   forward(ctx, params, in, out, cache)
//   backward(ctx, params, grads, in, out, dout, din, cache)
//   describe(param_list&)               names and shapes of its parameters
// Contract of backward: it *overwrites* din (skipped when din is empty, e.g. for input data) and *adds*
// into grads, so a parameter set shared by several applications (twin) accumulates naturally.
// Invalid compositions are rejected by one static_assert in the bound layer, naming the layer.
#pragma once

#include <concepts>
#include <cstddef>
#include <string>

#include "helix/core/context.hpp"
#include "helix/core/shape.hpp"
#include "helix/core/tensor.hpp"
#include "helix/nn/parameters.hpp"

namespace helix {

enum class bias { off, on };

template <class B>
concept bound_layer = requires(const B& b, param_list& pl) {
    typename B::input;
    typename B::output;
    { B::param_size } -> std::convertible_to<std::size_t>;
    { B::cache_size } -> std::convertible_to<std::size_t>;
    b.describe(pl);
};

namespace detail {
// In when it is a shape, otherwise a stand-in so that a failed static_assert is the only error reported.
template <class In, class Fallback = shape<1>>
using shape_or = std::conditional_t<is_shape_v<In>, In, Fallback>;

template <class In, class Fallback = pair_of<shape<1>, shape<1>>>
using pair_or = std::conditional_t<is_pair_v<In>, In, Fallback>;

// The name of a composite's part in parameter paths: its position, or its name when it is a named<> layer.
template <class Bound>
std::string part_name(std::size_t index) {
    if constexpr (requires { Bound::layer_name(); }) return Bound::layer_name();
    else return std::to_string(index);
}
}  // namespace detail

// A layer without parameters or cache describes nothing; element-wise layers inherit these defaults.
struct parameterless {
    static constexpr std::size_t param_size = 0;
    void describe(param_list&) const {}
};

}  // namespace helix
