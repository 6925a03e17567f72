// global_max_pool, global_avg_pool: <L, C> -> <C>, the maximum (global_max_pool) or the mean (global_avg_pool) of each
// channel over all positions. PyTorch: nn.AdaptiveMaxPool1d(1) / nn.AdaptiveAvgPool1d(1) on (N, C, L), squeezed
// (x.amax(dim=1) / x.mean(dim=1) on helix's channel-last (N, L, C)); Keras: GlobalMaxPooling1D / GlobalAveragePooling1D.
// Requires: one tensor <length, channels>. Guarantees: the maximum's gradient goes to one position, the first of ties
// (a NaN wins, so it propagates); no parameters, no cache (backward finds the same position again from the input).
// Device-generic (ops_of<Ctx>): the same code runs on the CPU and on CUDA.
#pragma once

#include "helix/backend/cpu/ops.hpp"
#include "helix/core/ops.hpp"
#include "helix/kernels/norm_pool.hpp"
#include "helix/layers/layer.hpp"

namespace helix {

namespace detail {
// In when it is a <length, channels> shape, otherwise a stand-in so that a failed static_assert is the only error.
template <class In>
using length_channels_or = std::conditional_t<is_shape_v<In> && shape_or<In>::rank == 2, shape_or<In>, shape<1, 1>>;

// The bound layer both global pools share (on a valid input); Max picks the maximum, otherwise the mean.
template <bool Max, class In>
struct global_pool_bind : parameterless {
    static constexpr const char* name = Max ? "global_max_pool" : "global_avg_pool";
    using input = In;
    using output = shape<input::last>;
    static constexpr std::size_t length = input::first;
    static constexpr std::size_t channels = input::last;
    static constexpr std::size_t cache_size = 0;

    template <class T, class Ctx>
    void forward(Ctx& ctx, const T*, view_t<const T, input, device_of<Ctx>> in, view_t<T, output, device_of<Ctx>> out,
                 T*) const {
        check_batch(in.batch(), out.batch(), name);
        if constexpr (Max)
            ops_of<Ctx>::for_each(ctx, in.batch() * channels,
                                  kernels::global_max_forward<T>{in.data(), out.data(), length, channels});
        else
            ops_of<Ctx>::for_each(ctx, in.batch() * channels,
                                  kernels::global_avg_forward<T>{in.data(), out.data(), length, channels});
    }

    template <class T, class Ctx>
    void backward(Ctx& ctx, const T*, T*, view_t<const T, input, device_of<Ctx>> in,
                  view_t<const T, output, device_of<Ctx>>, view_t<const T, output, device_of<Ctx>> dout,
                  view_t<T, input, device_of<Ctx>> din, T*) const {
        if (din.empty()) return;
        if constexpr (Max)
            ops_of<Ctx>::for_each(ctx, in.batch() * channels,
                                  kernels::global_max_backward<T>{in.data(), dout.data(), din.data(), length, channels});
        else
            ops_of<Ctx>::for_each(ctx, in.batch() * length * channels,
                                  kernels::global_avg_backward<T>{dout.data(), din.data(), length, channels});
    }
};
}  // namespace detail

struct global_max_pool {
    template <io_type In>
    struct bind : detail::global_pool_bind<true, detail::length_channels_or<In>> {
        static_assert(is_shape_v<In>,
                      "global_max_pool: input is a pair of tensors; global_max_pool takes one <length, "
                      "channels> tensor (wrap it in twin<> to pool both halves)");
        static_assert(!is_shape_v<In> || detail::shape_or<In>::rank == 2,
                      "global_max_pool: input must have rank 2, <length, channels>");
        using spec = global_max_pool;
        bind() = default;
        explicit bind(const global_max_pool&) {}
    };
};

struct global_avg_pool {
    template <io_type In>
    struct bind : detail::global_pool_bind<false, detail::length_channels_or<In>> {
        static_assert(is_shape_v<In>,
                      "global_avg_pool: input is a pair of tensors; global_avg_pool takes one <length, "
                      "channels> tensor (wrap it in twin<> to pool both halves)");
        static_assert(!is_shape_v<In> || detail::shape_or<In>::rank == 2,
                      "global_avg_pool: input must have rank 2, <length, channels>");
        using spec = global_avg_pool;
        bind() = default;
        explicit bind(const global_avg_pool&) {}
    };
};

}  // namespace helix
