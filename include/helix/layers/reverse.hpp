// reverse: one tensor with its first (length) axis reversed: <L, ...> -> <L, ...>, row l of the output is row
// L - 1 - l of the input (a rank-1 <N> is reversed element by element). PyTorch (batch_first): torch.flip(x, [1]).
// The reverse strand's order for a sequence model, or the backward direction of a recurrent layer. No parameters,
// no cache; backward reverses the gradient the same way.
#pragma once

#include "helix/backend/cpu/ops.hpp"
#include "helix/kernels/merge.hpp"
#include "helix/layers/layer.hpp"

namespace helix {

struct reverse {
    template <io_type In>
    struct bind : parameterless {
        static_assert(is_shape_v<In>,
                      "reverse: input is a pair of tensors; reverse takes one tensor (wrap it in twin<> to reverse "
                      "both halves)");
        using input = detail::shape_or<In>;
        using output = input;
        using spec = reverse;
        static constexpr std::size_t cache_size = 0;
        static constexpr std::size_t length = input::first;
        static constexpr std::size_t width = input::size / length;  // values per position

        bind() = default;
        explicit bind(const reverse&) {}

        template <class T, class Ctx>
        void forward(Ctx& ctx, const T*, view_t<const T, input, device_of<Ctx>> in,
                     view_t<T, output, device_of<Ctx>> out, T*) const {
            check_batch(in.batch(), out.batch(), "reverse");
            ops_of<Ctx>::for_each(ctx, out.size(), kernels::reverse_rows<T>{in.data(), out.data(), length, width});
        }

        template <class T, class Ctx>
        void backward(Ctx& ctx, const T*, T*, view_t<const T, input, device_of<Ctx>>,
                      view_t<const T, output, device_of<Ctx>>, view_t<const T, output, device_of<Ctx>> dout,
                      view_t<T, input, device_of<Ctx>> din, T*) const {
            if (din.empty()) return;
            ops_of<Ctx>::for_each(ctx, din.size(), kernels::reverse_rows<T>{dout.data(), din.data(), length, width});
        }
    };
};

}  // namespace helix
