// avg_pool1d<Width, Stride = Width>: the mean over windows along the length axis, per channel, valid padding:
// <L, C> -> <(L - Width) / Stride + 1, C>; output o averages positions [o Stride, o Stride + Width). Positions past the
// last whole window are not read (their gradient is 0). PyTorch: nn.AvgPool1d(Width, Stride) on (N, C, L)
// (padding 0, ceil_mode False); Keras: AveragePooling1D(Width, Stride, padding="valid").
// Requires: one tensor <length, channels> with length >= Width; Width, Stride > 0. No parameters, no cache.
// Device-generic (ops_of<Ctx>): the same code runs on the CPU and on CUDA.
#pragma once

#include "helix/backend/cpu/ops.hpp"
#include "helix/core/ops.hpp"
#include "helix/kernels/norm_pool.hpp"
#include "helix/layers/layer.hpp"

namespace helix {

template <std::size_t Width, std::size_t Stride = Width>
struct avg_pool1d {
    static_assert(Width > 0 && Stride > 0, "avg_pool1d: Width and Stride must be positive");

    template <io_type In>
    struct bind : parameterless {
        static_assert(is_shape_v<In>,
                      "avg_pool1d: input is a pair of tensors; avg_pool1d takes one <length, channels> tensor "
                      "(wrap it in twin<> to pool both halves)");
        static_assert(!is_shape_v<In> || detail::shape_or<In>::rank == 2,
                      "avg_pool1d: input must have rank 2, <length, channels>");
        static_assert(!is_shape_v<In> || detail::shape_or<In>::rank != 2 || Width <= detail::shape_or<In>::first,
                      "avg_pool1d: pool width is larger than the input length");

    private:
        static constexpr bool valid_input =
            is_shape_v<In> && detail::shape_or<In>::rank == 2 && Width <= detail::shape_or<In>::first;

    public:
        using input = std::conditional_t<valid_input, detail::shape_or<In>, shape<Width, 1>>;
        static constexpr std::size_t length = input::first;
        static constexpr std::size_t channels = input::last;
        static constexpr std::size_t out_length = (length - Width) / Stride + 1;
        using output = shape<out_length, channels>;
        using spec = avg_pool1d;
        static constexpr std::size_t cache_size = 0;

        bind() = default;
        explicit bind(const avg_pool1d&) {}

        template <class T, class Ctx>
        void forward(Ctx& ctx, const T*, view_t<const T, input, device_of<Ctx>> in,
                     view_t<T, output, device_of<Ctx>> out, T*) const {
            check_batch(in.batch(), out.batch(), "avg_pool1d");
            ops_of<Ctx>::for_each(ctx, out.size(),
                                  kernels::avg_pool_forward<T>{in.data(), out.data(), length, out_length, channels,
                                                               Width, Stride});
        }

        template <class T, class Ctx>
        void backward(Ctx& ctx, const T*, T*, view_t<const T, input, device_of<Ctx>>,
                      view_t<const T, output, device_of<Ctx>>, view_t<const T, output, device_of<Ctx>> dout,
                      view_t<T, input, device_of<Ctx>> din, T*) const {
            if (din.empty()) return;
            ops_of<Ctx>::for_each(ctx, din.size(),
                                  kernels::avg_pool_backward<T>{dout.data(), din.data(), length, out_length, channels,
                                                                Width, Stride});
        }
    };
};

}  // namespace helix
