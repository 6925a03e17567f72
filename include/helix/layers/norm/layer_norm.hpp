// layer_norm{eps}: normalisation over the last axis, PyTorch's nn.LayerNorm(C) (elementwise_affine, bias on):
//   y = (x - mean) / sqrt(var + eps) * weight + bias, mean and biased var over the C values of each row.
// Requires: one tensor <..., C> (<C>, <L, C>, ...), eps >= 0 (default 1e-5). Output shape = input shape.
// Parameters: weight [C] (gamma; init() sets it to 1 whatever the initialiser), bias [C] (beta; init 0) = PyTorch's
// state_dict names and layout. Cache: each row's mean and 1 / sqrt(var + eps) (2 values per row).
// Device-generic (ops_of<Ctx>): the same code runs on the CPU and on CUDA.
#pragma once

#include <cmath>
#include <string>

#include "helix/backend/cpu/ops.hpp"
#include "helix/core/error.hpp"
#include "helix/core/ops.hpp"
#include "helix/kernels/norm_pool.hpp"
#include "helix/layers/layer.hpp"

namespace helix {

struct layer_norm {
    double eps = 1e-5;

    layer_norm() = default;
    explicit layer_norm(double e) : eps(e) { validate(e); }

    static void validate(double e) {
        if (!(e >= 0.0 && std::isfinite(e)))
            throw argument_error("layer_norm: eps must be finite and >= 0, got " + std::to_string(e));
    }

    template <io_type In>
    struct bind {
        static_assert(is_shape_v<In>,
                      "layer_norm: input is a pair of tensors; layer_norm takes one tensor (wrap it in twin<> to "
                      "normalise both halves with the same weights)");
        using input = detail::shape_or<In>;
        using output = input;
        using spec = layer_norm;
        static constexpr std::size_t channels = input::last;
        static constexpr std::size_t rows = input::rows;  // rows normalised per sample
        static constexpr std::size_t param_size = 2 * channels;
        static constexpr std::size_t cache_size = 2 * rows;

        double eps = 1e-5;
        bind() = default;
        explicit bind(const layer_norm& s) : eps(s.eps) { validate(s.eps); }

        void describe(param_list& pl) const {
            pl.add("weight", {channels}, param_kind::weight, channels, channels, 0);
            pl.initialise_last(param_init::constant, 1.0);
            pl.add("bias", {channels}, param_kind::bias, channels, channels, channels);
            pl.initialise_last(param_init::constant, 0.0);
        }

        template <class T, class Ctx>
        void forward(Ctx& ctx, const T* params, view_t<const T, input, device_of<Ctx>> in,
                     view_t<T, output, device_of<Ctx>> out, T* cache) const {
            check_batch(in.batch(), out.batch(), "layer_norm");
            ops_of<Ctx>::for_each(ctx, in.batch() * rows,
                                  kernels::layer_norm_forward<T>{in.data(), out.data(), params, params + channels,
                                                                 cache, channels, T(eps)});
        }

        template <class T, class Ctx>
        void backward(Ctx& ctx, const T* params, T* grads, view_t<const T, input, device_of<Ctx>> in,
                      view_t<const T, output, device_of<Ctx>>, view_t<const T, output, device_of<Ctx>> dout,
                      view_t<T, input, device_of<Ctx>> din, T* cache) const {
            const std::size_t m = in.batch() * rows;
            ops_of<Ctx>::for_each(ctx, channels,
                                  kernels::layer_norm_param_grads<T>{in.data(), dout.data(), cache, grads, m, channels});
            if (din.empty()) return;
            ops_of<Ctx>::for_each(ctx, m,
                                  kernels::layer_norm_input_grad<T>{in.data(), dout.data(), params, cache, din.data(),
                                                                    channels});
        }
    };
};

}  // namespace helix
