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
#include <type_traits>

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

// A layer's implementation on a device other than the CPU, specialised for each layer spec by that device's
// backend (backend/cuda/layers.cuh). Leaf bound layers name their spec as `spec`; their CPU code stays in the layer,
// so CPU builds never see device code.
template <class Spec, class Device>
struct device_layer;

// What composites need from a device besides layers (adding one gradient into another); specialised likewise.
template <class Device>
struct device_ops;

namespace detail {
// Composites call their children through these. A child whose own forward accepts the context (every layer on
// the CPU, composites on any device) runs it; otherwise the device's implementation of the child's spec runs.
template <class T, class L, class Ctx, class In, class Out>
void forward_layer(const L& layer, Ctx& ctx, const T* params, In in, Out out, T* cache) {
    if constexpr (requires { layer.template forward<T>(ctx, params, in, out, cache); })
        layer.template forward<T>(ctx, params, in, out, cache);
    else
        device_layer<typename L::spec, device_of<Ctx>>::template forward<T>(layer, ctx, params, in, out, cache);
}

template <class T, class L, class Ctx, class In, class Out, class DOut, class DIn>
void backward_layer(const L& layer, Ctx& ctx, const T* params, T* grads, In in, Out out, DOut dout, DIn din,
                    T* cache) {
    if constexpr (requires { layer.template backward<T>(ctx, params, grads, in, out, dout, din, cache); })
        layer.template backward<T>(ctx, params, grads, in, out, dout, din, cache);
    else
        device_layer<typename L::spec, device_of<Ctx>>::template backward<T>(layer, ctx, params, grads, in, out, dout,
                                                                             din, cache);
}

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
