// dense<N, Bias>: a fully connected layer on the last axis: <..., In> -> <..., N>, y = x W + b.
// On a rank-1 input it is the classic dense layer; on <length, channels> it projects every position with
// the same weights (what attention's W_q and W_k are).
// Parameters: weight [In, N] (TensorFlow's layout; PyTorch's Linear stores [N, In]), then bias [N].
#pragma once

#include "helix/backend/cpu/gemm.hpp"
#include "helix/layers/layer.hpp"

namespace helix {

template <std::size_t N, bias Bias = bias::on>
struct dense {
    static_assert(N > 0, "dense: the number of outputs must be positive");

    template <io_type In>
    struct bind {
        static_assert(is_shape_v<In>,
                      "dense: input is a pair of tensors; dense takes one tensor (wrap it in twin<> to apply the "
                      "same weights to both halves, or merge the halves into one tensor first with concat<axis>, add, subtract, multiply, abs_difference, dot or concat_of<>)");
        using input = detail::shape_or<In>;
        using output = with_last<input, N>;
        using spec = dense;  // names the layer to other backends (device_layer)
        static constexpr std::size_t in_features = input::last;
        static constexpr std::size_t rows = input::rows;  // positions per sample sharing the weights
        static constexpr std::size_t weight_size = in_features * N;
        static constexpr std::size_t param_size = weight_size + (Bias == bias::on ? N : 0);
        static constexpr std::size_t cache_size = 0;

        bind() = default;
        explicit bind(const dense&) {}

        void describe(param_list& pl) const {
            pl.add("weight", {in_features, N}, param_kind::weight, in_features, N, 0);
            if constexpr (Bias == bias::on) pl.add("bias", {N}, param_kind::bias, in_features, N, weight_size);
        }

        template <class T>
        void forward(const cpu_context& ctx, const T* params, view_t<const T, input> in, view_t<T, output> out,
                     T*) const {
            check_batch(in.batch(), out.batch(), "dense");
            using backend::cpu::transpose;
            const std::size_t m = in.batch() * rows;
            T* y = out.data();
            if constexpr (Bias == bias::on)
                for (std::size_t r = 0; r < m; ++r)
                    for (std::size_t j = 0; j < N; ++j) y[r * N + j] = params[weight_size + j];
            backend::cpu::gemm<T>(ctx, transpose::no, transpose::no, m, N, in_features, T(1), in.data(), in_features,
                                  params, N, Bias == bias::on ? T(1) : T(0), y, N);
        }

        template <class T>
        void backward(const cpu_context& ctx, const T* params, T* grads, view_t<const T, input> in,
                      view_t<const T, output>, view_t<const T, output> dout, view_t<T, input> din, T*) const {
            using backend::cpu::transpose;
            const std::size_t m = in.batch() * rows;
            backend::cpu::gemm<T>(ctx, transpose::yes, transpose::no, in_features, N, m, T(1), in.data(), in_features,
                                  dout.data(), N, T(1), grads, N);
            if constexpr (Bias == bias::on) {
                const T* dy = dout.data();
                for (std::size_t r = 0; r < m; ++r)
                    for (std::size_t j = 0; j < N; ++j) grads[weight_size + j] += dy[r * N + j];
            }
            if (din.empty()) return;
            backend::cpu::gemm<T>(ctx, transpose::no, transpose::yes, m, in_features, N, T(1), dout.data(), N, params,
                                  N, T(0), din.data(), in_features);
        }
    };
};

}  // namespace helix
