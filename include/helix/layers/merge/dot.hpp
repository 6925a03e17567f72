// dot: the dot product of the two halves of a pair over their last (channel) axis:
//   pair_of<<N>, <N>>       -> <1>     torch: (a * b).sum(-1, keepdim=True)
//   pair_of<<L, C>, <L, C>> -> <L>     torch: (a * b).sum(-1)   (one product per position)
// (higher ranks drop the last axis likewise). Requires: a pair of equal shapes. No parameters, no cache.
#pragma once

#include <type_traits>
#include <utility>

#include "helix/backend/cpu/ops.hpp"
#include "helix/kernels/merge.hpp"
#include "helix/layers/layer.hpp"

namespace helix {

namespace detail {
// shape<D0, ..., Dn-1> without its last extent; shape<1> for a rank-1 shape.
template <class S>
struct drop_last;
template <std::size_t... Ds>
struct drop_last<shape<Ds...>> {
    template <std::size_t... Is>
    static auto make(std::index_sequence<Is...>) -> shape<shape<Ds...>::dims[Is]...>;
    using type = std::conditional_t<(sizeof...(Ds) == 1), shape<1>,
                                    decltype(make(std::make_index_sequence<(sizeof...(Ds) > 1 ? sizeof...(Ds) - 1
                                                                                               : 1)>{}))>;
};
}  // namespace detail

struct dot {
    template <io_type In>
    struct bind : parameterless {
        static_assert(is_pair_v<In>,
                      "dot: input is a single tensor; dot multiplies the two halves of a pair_of<S, S> and sums over "
                      "the last axis (make a pair with branches<> or halves<>)");

    private:
        using pair_in = detail::pair_or<In>;
        static_assert(!is_pair_v<In> || (is_shape_v<typename pair_in::first_type> &&
                                         std::is_same_v<typename pair_in::first_type, typename pair_in::second_type>),
                      "dot: the two halves of the pair must be single tensors of the same shape");
        using half = detail::shape_or<typename pair_in::first_type>;

    public:
        using input = pair_in;
        using output = typename detail::drop_last<half>::type;
        using spec = dot;
        static constexpr std::size_t cache_size = 0;
        static constexpr std::size_t width = half::last;  // channels summed over
        static constexpr std::size_t rows = half::rows;   // products per sample

        bind() = default;
        explicit bind(const dot&) {}

        template <class T, class Ctx>
        void forward(Ctx& ctx, const T*, view_t<const T, input, device_of<Ctx>> in,
                     view_t<T, output, device_of<Ctx>> out, T*) const {
            check_batch(in.first.batch(), in.second.batch(), "dot (the two halves of the pair)");
            check_batch(in.first.batch(), out.batch(), "dot");
            ops_of<Ctx>::for_each(ctx, in.batch() * rows,
                                  kernels::row_dot<T>{in.first.data(), in.second.data(), out.data(), width});
        }

        template <class T, class Ctx>
        void backward(Ctx& ctx, const T*, T*, view_t<const T, input, device_of<Ctx>> in,
                      view_t<const T, output, device_of<Ctx>>, view_t<const T, output, device_of<Ctx>> dout,
                      view_t<T, input, device_of<Ctx>> din, T*) const {
            if (din.empty()) return;
            ops_of<Ctx>::for_each(ctx, in.first.size(),
                                  kernels::row_dot_backward<T>{in.first.data(), in.second.data(), dout.data(),
                                                               din.first.data(), din.second.data(), width});
        }
    };
};

}  // namespace helix
