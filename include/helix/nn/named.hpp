// named<"conv", Layer>: the same layer, with its parameters named "conv.weight" instead of "0.weight".
// Names are what checkpoints (safetensors) store, so naming the layers of a model makes its checkpoints
// readable and stable when layers are inserted before it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "helix/layers/layer.hpp"

namespace helix {

// A string usable as a template argument: named<"trunk", ...>.
template <std::size_t N>
struct fixed_string {
    char text[N]{};
    constexpr fixed_string(const char (&s)[N]) { std::copy_n(s, N, text); }
    std::string str() const { return std::string(text, N - 1); }
};

template <fixed_string Name, class Layer>
struct named {
    static_assert(sizeof(Name.text) > 1, "named: the name must not be empty");
    Layer layer;

    named() = default;
    explicit named(Layer l) : layer(std::move(l)) {}

    template <io_type In>
    struct bind : Layer::template bind<In> {
        using base = typename Layer::template bind<In>;
        static std::string layer_name() { return Name.str(); }
        static constexpr std::string_view layer_name_view() { return {Name.text, sizeof(Name.text) - 1}; }
        bind() = default;
        explicit bind(const named& spec) : base(spec.layer) {}
    };
};

// with_name<"conv">(conv1d<64, 9>{}): the named<> spec deduced from a layer value.
template <fixed_string Name, class Layer>
named<Name, Layer> with_name(Layer layer) {
    return named<Name, Layer>(std::move(layer));
}

}  // namespace helix
