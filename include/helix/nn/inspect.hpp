// Reading a model after forward(): find<"path">(net) locates a layer by its path ("attention.enhancer_queries",
// "trunk.first.conv", "head.0"), and gives a layer_ref (layers/layer.hpp): the bound
// layer, its parameters, its input and output views and its cache. So interpretation code reads any intermediate
// output, or a layer's own record (additive_cross_attention::attention(ref.cache, b), multi_head_attention's
// weights), without index arithmetic. layer_paths(net) lists every path with its output shape.
//
// Paths: the parts of seq, branches, halves and concat_of are their positions or with_name<> names, as in parameter
// names; twin's two applications are "first" and "second" (parameter names skip them: one shared set), residual's
// layer "fn" (or its with_name<> name), bidirectional's "forward" and "backward". named<> adds its name once. A wrong
// path is one static_assert.
// Requires: a forward() since the last change of batch; the views are valid until the next forward(). The parts of
// an auxiliary<> head skipped in inference (its output NaN) still hold what an earlier forward left: read them after
// a forward in mode::training or mode::evaluation.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "helix/layers/layer.hpp"
#include "helix/nn/named.hpp"

namespace helix {

namespace detail {
template <class>
inline constexpr bool always_false = false;

constexpr std::size_t segment_end(std::string_view path, std::size_t from) {
    const std::size_t dot = path.find('.', from);
    return dot == std::string_view::npos ? path.size() : dot;
}

// The index of B's part named `segment`, or B::children when none is.
template <class B>
constexpr std::size_t part_index(std::string_view segment) {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
        std::size_t found = B::children;
        ((found == B::children && B::template child_name<I>() == segment ? (found = I) : found), ...);
        return found;
    }(std::make_index_sequence<B::children>{});
}

template <class B>
concept has_parts = requires { B::children; };

template <fixed_string Path, std::size_t From, class Ref>
auto find_from(const Ref& ref) {
    using B = typename Ref::bound_type;
    constexpr std::string_view path{Path.text, sizeof(Path.text) - 1};
    if constexpr (From >= path.size()) {
        return ref;
    } else if constexpr (!has_parts<B>) {
        static_assert(always_false<B>, "find: the path goes on below a layer that has no parts (a leaf layer such as dense)");
        return ref;
    } else {
        constexpr std::size_t end = segment_end(path, From);
        constexpr std::size_t index = part_index<B>(path.substr(From, end - From));
        if constexpr (index == B::children) {
            static_assert(always_false<B>, "find: no part of that name in the path (parts are named by their position, "
                                           "0, 1, ..., or by with_name<>; twin's halves are first and second; "
                                           "layer_paths(net) lists them)");
            return ref;
        } else {
            return find_from<Path, end + 1>(B::template child_ref<index>(ref));
        }
    }
}

template <class Ref, class F>
void visit_layers(const Ref& ref, const std::string& path, F& f) {
    f(path, ref);
    using B = typename Ref::bound_type;
    if constexpr (has_parts<B>) {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (visit_layers(B::template child_ref<I>(ref),
                          (path.empty() ? "" : path + ".") + std::string(B::template child_name<I>()), f),
             ...);
        }(std::make_index_sequence<B::children>{});
    }
}

template <class IO>
std::string io_string() {
    return IO::str();
}
}  // namespace detail

// The layer at `Path` in net's model after its latest forward(); find<"">(net) is the whole model.
template <fixed_string Path, class Net>
auto find(const Net& net) {
    return detail::find_from<Path, 0>(net.root());
}

// f(path, layer_ref) for the model and every part inside it, parents before their parts ("" is the model).
template <class Net, class F>
void visit_layers(const Net& net, F&& f) {
    detail::visit_layers(net.root(), std::string(), f);
}

struct layer_path {
    std::string path;    // what find<> takes
    std::string output;  // the per-sample output shape, e.g. "<100, 256>" or "pair(<100, 256>, <67, 256>)"
};

// Every path of the model with its output shape, parents first (needs no forward()).
template <class Net>
std::vector<layer_path> layer_paths(const Net& net) {
    std::vector<layer_path> paths;
    visit_layers(net, [&](const std::string& path, const auto& ref) {
        using B = typename std::remove_cvref_t<decltype(ref)>::bound_type;
        paths.push_back({path, detail::io_string<typename B::output>()});
    });
    return paths;
}

}  // namespace helix
