// softmax: y = exp(x) / sum exp(x) over the last axis of one tensor of any shape (<C>, <L, C>, ...), each row
// shifted by its maximum first so exp never overflows. PyTorch: F.softmax(x, dim=-1) / nn.Softmax(dim=-1).
// Output shape = input shape; no parameters, no cache: backward reads the output, dx = y (dy - sum_j y_j dy_j).
// Uses kernels::softmax_row and softmax_backward_row (the rows attention normalises). Device-generic (ops_of<Ctx>).
#pragma once

#include "helix/backend/cpu/ops.hpp"
#include "helix/core/ops.hpp"
#include "helix/kernels/norm_pool.hpp"
#include "helix/layers/layer.hpp"

namespace helix {

struct softmax {
    template <io_type In>
    struct bind : parameterless {
        static_assert(is_shape_v<In>,
                      "softmax: input is a pair of tensors; softmax takes one tensor (wrap it in twin<> to apply it "
                      "to both halves)");
        using input = detail::shape_or<In>;
        using output = input;
        using spec = softmax;
        static constexpr std::size_t channels = input::last;
        static constexpr std::size_t rows = input::rows;
        static constexpr std::size_t cache_size = 0;

        bind() = default;
        explicit bind(const softmax&) {}

        template <class T, class Ctx>
        void forward(Ctx& ctx, const T*, view_t<const T, input, device_of<Ctx>> in,
                     view_t<T, output, device_of<Ctx>> out, T*) const {
            check_batch(in.batch(), out.batch(), "softmax");
            ops_of<Ctx>::for_each(ctx, in.batch() * rows,
                                  kernels::softmax_rows_forward<T>{in.data(), out.data(), channels});
        }

        template <class T, class Ctx>
        void backward(Ctx& ctx, const T*, T*, view_t<const T, input, device_of<Ctx>>,
                      view_t<const T, output, device_of<Ctx>> out, view_t<const T, output, device_of<Ctx>> dout,
                      view_t<T, input, device_of<Ctx>> din, T*) const {
            if (din.empty()) return;
            ops_of<Ctx>::for_each(ctx, out.batch() * rows,
                                  kernels::softmax_rows_backward<T>{out.data(), dout.data(), din.data(), channels});
        }
    };
};

}  // namespace helix
