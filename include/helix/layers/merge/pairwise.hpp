// add, subtract, multiply, abs_difference: element-wise merges of a pair of equal shapes into one tensor:
// pair_of<S, S> -> S.
//   add             a + b          torch: a + b
//   subtract        a - b          torch: a - b   (the first half minus the second)
//   multiply        a * b          torch: a * b
//   abs_difference  |a - b|        torch: (a - b).abs(); where a == b the gradient is 0 (sign(0) = 0, as PyTorch)
// Requires: a pair whose halves have the same shape. No parameters, no cache (backward reads the inputs).
#pragma once

#include <type_traits>

#include "helix/backend/cpu/ops.hpp"
#include "helix/kernels/merge.hpp"
#include "helix/layers/layer.hpp"

namespace helix {

template <class Op>
struct pairwise {
    template <io_type In>
    struct bind : parameterless {
    private:
        // One message per layer, named after it (a static_assert message must be a literal).
        template <class O>
        static constexpr bool is = std::is_same_v<Op, O>;
        static_assert(!is<kernels::add_op> || is_pair_v<In>,
                      "add: input is a single tensor; add sums the two halves of a pair_of<S, S> element by element "
                      "(make a pair with branches<> or halves<>)");
        static_assert(!is<kernels::subtract_op> || is_pair_v<In>,
                      "subtract: input is a single tensor; subtract takes the second half of a pair_of<S, S> from "
                      "the first, element by element (make a pair with branches<> or halves<>)");
        static_assert(!is<kernels::multiply_op> || is_pair_v<In>,
                      "multiply: input is a single tensor; multiply takes the product of the two halves of a "
                      "pair_of<S, S>, element by element (make a pair with branches<> or halves<>)");
        static_assert(!is<kernels::abs_difference_op> || is_pair_v<In>,
                      "abs_difference: input is a single tensor; abs_difference takes |first - second| of the two "
                      "halves of a pair_of<S, S>, element by element (make a pair with branches<> or halves<>)");
        using pair_in = detail::pair_or<In>;
        static constexpr bool same_shapes =
            !is_pair_v<In> || (is_shape_v<typename pair_in::first_type> &&
                               std::is_same_v<typename pair_in::first_type, typename pair_in::second_type>);
        static_assert(!is<kernels::add_op> || same_shapes,
                      "add: the two halves of the pair must be single tensors of the same shape (use concat<axis> to join halves of "
                      "different shapes)");
        static_assert(!is<kernels::subtract_op> || same_shapes,
                      "subtract: the two halves of the pair must be single tensors of the same shape");
        static_assert(!is<kernels::multiply_op> || same_shapes,
                      "multiply: the two halves of the pair must be single tensors of the same shape");
        static_assert(!is<kernels::abs_difference_op> || same_shapes,
                      "abs_difference: the two halves of the pair must be single tensors of the same shape");

    public:
        using input = pair_in;
        using output = detail::shape_or<typename pair_in::first_type>;
        using spec = pairwise;
        static constexpr std::size_t cache_size = 0;

        bind() = default;
        explicit bind(const pairwise&) {}

        template <class T, class Ctx>
        void forward(Ctx& ctx, const T*, view_t<const T, input, device_of<Ctx>> in,
                     view_t<T, output, device_of<Ctx>> out, T*) const {
            check_batch(in.first.batch(), in.second.batch(), Op::name);
            check_batch(in.first.batch(), out.batch(), Op::name);
            ops_of<Ctx>::for_each(ctx, out.size(),
                                  kernels::binary_forward<Op, T>{in.first.data(), in.second.data(), out.data()});
        }

        template <class T, class Ctx>
        void backward(Ctx& ctx, const T*, T*, view_t<const T, input, device_of<Ctx>> in,
                      view_t<const T, output, device_of<Ctx>>, view_t<const T, output, device_of<Ctx>> dout,
                      view_t<T, input, device_of<Ctx>> din, T*) const {
            if (din.empty()) return;
            ops_of<Ctx>::for_each(ctx, dout.size(),
                                  kernels::binary_backward<Op, T>{in.first.data(), in.second.data(), dout.data(),
                                                                  din.first.data(), din.second.data()});
        }
    };
};

using add = pairwise<kernels::add_op>;
using subtract = pairwise<kernels::subtract_op>;
using multiply = pairwise<kernels::multiply_op>;
using abs_difference = pairwise<kernels::abs_difference_op>;

}  // namespace helix
