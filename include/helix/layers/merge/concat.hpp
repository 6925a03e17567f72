// concat<axis::length> and concat<axis::channels>: joins the two halves of a pair into one tensor (torch.cat).
//   concat<axis::length>:   pair_of<<La, C>, <Lb, C>> -> <La + Lb, C>      torch.cat([a, b], dim=1)
//   concat<axis::channels>: pair_of<<L, Ca>, <L, Cb>> -> <L, Ca + Cb>      torch.cat([a, b], dim=-1)
// The channels are the last axis, the length the first (per sample, batch_first): on rank-1 vectors both join
// <Na>, <Nb> into <Na + Nb>. Requires: both halves single tensors of one rank, equal on every other axis.
// No parameters, no cache; backward splits the output gradient. (concat_of<axis, ...> in nn/concat_of.hpp joins
// the outputs of several layers applied to one input; detail::concat_shapes here is their shared arithmetic.)
#pragma once

#include <cstddef>
#include <tuple>
#include <utility>

#include "helix/backend/cpu/ops.hpp"
#include "helix/kernels/merge.hpp"
#include "helix/layers/layer.hpp"

namespace helix {

// The axis a concatenation joins along: the first (length) or the last (channels) axis of each sample.
enum class axis { length, channels };

namespace detail {
template <class S, std::size_t N>
struct replace_first;
template <std::size_t N, std::size_t... Ds>
struct replace_first<shape<Ds...>, N> {
    template <std::size_t... Is>
    static auto make(std::index_sequence<Is...>) -> shape<(Is == 0 ? N : shape<Ds...>::dims[Is])...>;
    using type = decltype(make(std::make_index_sequence<sizeof...(Ds)>{}));
};

// The concatenation of the shapes S... along A: whether they fit, the result, and the block sizes.
// Every quantity is defined (with stand-ins) even when they do not fit, so that a layer's static_assert is
// the only error reported.
template <axis A, class... S>
struct concat_shapes {
    static_assert(sizeof...(S) > 0);
    static constexpr bool all_shapes = (is_shape_v<S> && ...);
    using first = shape_or<std::tuple_element_t<0, std::tuple<S...>>>;
    static constexpr std::size_t rank = first::rank;
    static constexpr bool same_rank = ((shape_or<S>::rank == rank) && ...);
    // The position of the joined axis in each sample.
    static constexpr std::size_t position = A == axis::length ? 0 : rank - 1;

private:
    template <class F>
    static constexpr bool matches_first() {
        if constexpr (F::rank != rank) return false;
        else {
            for (std::size_t d = 0; d < rank; ++d)
                if (d != position && F::dims[d] != first::dims[d]) return false;
            return true;
        }
    }
    template <class F>
    static constexpr std::size_t extent() {
        return F::dims[position < F::rank ? position : F::rank - 1];
    }

public:
    static constexpr bool others_match = (matches_first<shape_or<S>>() && ...);
    static constexpr bool fits = all_shapes && same_rank && others_match;
    static constexpr std::size_t joined = (extent<shape_or<S>>() + ...);
    using type = std::conditional_t<A == axis::length, typename replace_first<first, joined>::type,
                                    with_last<first, joined>>;
    // Each sample is `units` rows; a part contributes `width<F>` values to each row of `type::size / units`.
    static constexpr std::size_t units = [] {
        std::size_t u = 1;
        for (std::size_t d = position; d-- > 0;) u *= first::dims[d];
        return u;
    }();
    template <class F>
    static constexpr std::size_t width = shape_or<F>::size / units;
    static constexpr std::size_t row_width = type::size / units;
};
}  // namespace detail

template <axis Axis>
struct concat {
    template <io_type In>
    struct bind : parameterless {
        static_assert(is_pair_v<In>,
                      "concat: input is a single tensor; concat joins the two halves of a pair_of<A, B> (to join the "
                      "outputs of several layers applied to one tensor, use concat_of<axis, ...>)");

    private:
        using pair_in = detail::pair_or<In>;
        using joined = detail::concat_shapes<Axis, typename pair_in::first_type, typename pair_in::second_type>;
        static_assert(!is_pair_v<In> || joined::all_shapes,
                      "concat: each half of the pair must be one tensor, not itself a pair");
        static_assert(!is_pair_v<In> || !joined::all_shapes || joined::same_rank,
                      "concat: the two halves must have the same rank (flatten one, or give both <length, channels>)");
        static_assert(!is_pair_v<In> || !joined::all_shapes || !joined::same_rank || joined::others_match,
                      "concat: the two halves must have equal extents on every axis but the joined one "
                      "(concat<axis::length> needs equal channels, concat<axis::channels> equal lengths)");

    public:
        using input = pair_in;
        using output = typename joined::type;
        using spec = concat;
        static constexpr std::size_t cache_size = 0;
        static constexpr std::size_t first_width = joined::template width<typename input::first_type>;
        static constexpr std::size_t second_width = joined::template width<typename input::second_type>;

        bind() = default;
        explicit bind(const concat&) {}

        template <class T, class Ctx>
        void forward(Ctx& ctx, const T*, view_t<const T, input, device_of<Ctx>> in,
                     view_t<T, output, device_of<Ctx>> out, T*) const {
            check_batch(in.first.batch(), in.second.batch(), "concat (the two halves of the pair)");
            check_batch(in.first.batch(), out.batch(), "concat");
            using O = ops_of<Ctx>;
            const std::size_t units = in.batch() * joined::units;
            O::for_each(ctx, units * first_width,
                        kernels::place_block<T>{in.first.data(), out.data(), first_width, joined::row_width, 0});
            O::for_each(ctx, units * second_width,
                        kernels::place_block<T>{in.second.data(), out.data(), second_width, joined::row_width,
                                                first_width});
        }

        template <class T, class Ctx>
        void backward(Ctx& ctx, const T*, T*, view_t<const T, input, device_of<Ctx>>,
                      view_t<const T, output, device_of<Ctx>>, view_t<const T, output, device_of<Ctx>> dout,
                      view_t<T, input, device_of<Ctx>> din, T*) const {
            if (din.empty()) return;
            using O = ops_of<Ctx>;
            const std::size_t units = dout.batch() * joined::units;
            O::for_each(ctx, units * first_width,
                        kernels::take_block<T>{dout.data(), din.first.data(), first_width, joined::row_width, 0});
            O::for_each(ctx, units * second_width,
                        kernels::take_block<T>{dout.data(), din.second.data(), second_width, joined::row_width,
                                               first_width});
        }
    };
};

}  // namespace helix
