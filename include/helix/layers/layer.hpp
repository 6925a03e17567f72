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

#include <array>
#include <concepts>
#include <cstddef>
#include <string>
#include <string_view>
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

// In when it is a shape, otherwise a stand-in so that a failed static_assert is the only error reported: by default
// a pair's first half, so that the layers after a misused one still see a plausible shape (relu on a pair: one error).
template <class In>
struct first_shape {
    using type = shape<1>;
};
template <std::size_t... Ds>
struct first_shape<shape<Ds...>> {
    using type = shape<Ds...>;
};
template <class A, class B>
struct first_shape<pair_of<A, B>> {
    using type = typename first_shape<A>::type;
};
template <class In, class Fallback = typename first_shape<In>::type>
using shape_or = std::conditional_t<is_shape_v<In>, In, Fallback>;

// In when it is a pair; for a single tensor X, pair_of<X, X> by default.
template <class In, class Fallback = std::conditional_t<is_shape_v<In>, pair_of<In, In>, pair_of<shape<1>, shape<1>>>>
using pair_or = std::conditional_t<is_pair_v<In>, In, Fallback>;

// The decimal digits of I with static storage, as a constexpr string_view: "0", "1", ... (child names in paths).
template <std::size_t I>
struct index_text {
    static constexpr std::size_t digits = [] {
        std::size_t n = 1;
        for (std::size_t v = I; v >= 10; v /= 10) ++n;
        return n;
    }();
    static constexpr std::array<char, digits> text = [] {
        std::array<char, digits> t{};
        std::size_t v = I;
        for (std::size_t i = digits; i-- > 0; v /= 10) t[i] = char('0' + v % 10);
        return t;
    }();
    static constexpr std::string_view view{text.data(), digits};
};

// The path segment of a composite's part: its name when it is a named<> layer, otherwise its position.
template <class Bound, std::size_t Index>
constexpr std::string_view part_name_view() {
    if constexpr (requires { Bound::layer_name_view(); }) return Bound::layer_name_view();
    else return index_text<Index>::view;
}

// The name of a composite's part in parameter paths: its position, or its name when it is a named<> layer.
template <class Bound>
std::string part_name(std::size_t index) {
    if constexpr (requires { Bound::layer_name(); }) return Bound::layer_name();
    else return std::to_string(index);
}
}  // namespace detail

// A bound layer located in a network after forward(): the layer, its parameters, its input and output views and
// its cache, for `batch` samples (nn/inspect.hpp finds one by its path). Composites give their children's with
//   static constexpr std::size_t children;                      how many
//   template <std::size_t I> static constexpr std::string_view child_name();   the path segment of child I
//   template <std::size_t I, class Self> static auto child_ref(const Self& self);  child I's layer_ref
// where `self` is the composite's own layer_ref. Valid until the next forward().
template <class Bound, class T, class Device = cpu>
struct layer_ref {
    using bound_type = Bound;
    using value_type = T;
    using device_type = Device;
    const Bound* layer = nullptr;
    const T* params = nullptr;
    view_t<const T, typename Bound::input, Device> input;
    view_t<const T, typename Bound::output, Device> output;
    const T* cache = nullptr;
    std::size_t batch = 0;
};

template <class Child, class T, class Device, class In, class Out>
layer_ref<Child, T, Device> make_layer_ref(const Child& child, const T* params, In in, Out out, const T* cache,
                                           std::size_t batch) {
    return {&child, params, view_t<const T, typename Child::input, Device>(in),
            view_t<const T, typename Child::output, Device>(out), cache, batch};
}

// A layer without parameters or cache describes nothing; element-wise layers inherit these defaults.
struct parameterless {
    static constexpr std::size_t param_size = 0;
    void describe(param_list&) const {}
};

}  // namespace helix
