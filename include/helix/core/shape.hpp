// shape<Ds...>: the per-sample extents of a tensor, known at compile time.
//
// Represents: a row-major, channel-last shape such as shape<3000, 4> (3000 positions, 4 channels).
// The batch is never part of the shape; it is a run-time value carried by tensors and views.
// pair_of<A, B>: the input or output of a layer that takes or returns two tensors (enhancer and
// promoter, queries and keys). Guarantees: every quantity here is a constant expression.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <type_traits>

namespace helix {

template <std::size_t... Ds>
struct shape {
    static_assert(sizeof...(Ds) >= 1, "shape: a shape needs at least one extent (use shape<1> for a scalar)");
    static_assert(((Ds > 0) && ...), "shape: every extent must be positive");

    static constexpr std::size_t rank = sizeof...(Ds);
    static constexpr std::size_t size = (Ds * ...);
    static constexpr std::array<std::size_t, rank> dims{Ds...};

    template <std::size_t I>
    static constexpr std::size_t dim = dims[I];
    static constexpr std::size_t last = dims[rank - 1];
    static constexpr std::size_t first = dims[0];
    // Number of rows when the last axis is the feature axis (1 for a rank-1 shape).
    static constexpr std::size_t rows = size / last;

    static std::string str() {
        std::string s = "<";
        for (std::size_t i = 0; i < rank; ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
        return s + ">";
    }
};

template <class A, class B>
struct pair_of {
    using first_type = A;
    using second_type = B;
    static constexpr std::size_t size = A::size + B::size;
    static std::string str() { return "pair(" + A::str() + ", " + B::str() + ")"; }
};

template <class T>
struct is_shape : std::false_type {};
template <std::size_t... Ds>
struct is_shape<shape<Ds...>> : std::true_type {};

template <class T>
struct is_pair : std::false_type {};
template <class A, class B>
struct is_pair<pair_of<A, B>> : std::true_type {};

template <class T>
inline constexpr bool is_shape_v = is_shape<T>::value;
template <class T>
inline constexpr bool is_pair_v = is_pair<T>::value;

// A layer's input or output: one shape, or a pair of them.
template <class T>
concept io_type = is_shape_v<T> || is_pair_v<T>;

// Per-sample element count of an io_type (the sum of both halves for a pair).
template <io_type IO>
inline constexpr std::size_t io_size = IO::size;

namespace detail {
template <class S, std::size_t N>
struct replace_last;
template <std::size_t N, std::size_t... Ds>
struct replace_last<shape<Ds...>, N> {
    template <std::size_t... Is>
    static auto make(std::index_sequence<Is...>) -> shape<(Is + 1 == sizeof...(Ds) ? N : shape<Ds...>::dims[Is])...>;
    using type = decltype(make(std::make_index_sequence<sizeof...(Ds)>{}));
};
}  // namespace detail

// shape<A, B, C> with its last extent replaced by N: shape<A, B, N>.
template <class S, std::size_t N>
using with_last = typename detail::replace_last<S, N>::type;

}  // namespace helix
