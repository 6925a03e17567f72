// conv1d<Filters, Width, Bias>: 1-D convolution, valid padding, stride 1, over <length, channels> input.
//
// Parameters: weight [Width, Channels, Filters] (TensorFlow's layout, that of the original EPIANN code;
// PyTorch's Conv1d weight is [Filters, Channels, Width]), then bias [Filters] when Bias == bias::on.
// Output: <length - Width + 1, Filters>.
// How: in row-major channel-last layout the Width x Channels window starting at position l is one
// contiguous run of memory, so the whole convolution is one matrix product whose left operand has
// overlapping rows (row stride = Channels). No im2col copy is made.
#pragma once

#include "helix/backend/cpu/gemm.hpp"
#include "helix/core/parallel_for.hpp"
#include "helix/layers/layer.hpp"

namespace helix {

template <std::size_t Filters, std::size_t Width, bias Bias = bias::off>
struct conv1d {
    static_assert(Filters > 0 && Width > 0, "conv1d: Filters and Width must be positive");

    template <io_type In>
    struct bind {
        static_assert(is_shape_v<In>,
                      "conv1d: input is a pair of tensors; conv1d takes one <length, channels> tensor "
                      "(wrap it in twin<> to apply one filter bank to both halves)");
        static_assert(!is_shape_v<In> || detail::shape_or<In>::rank == 2,
                      "conv1d: input must have rank 2, <length, channels>");
        static_assert(!is_shape_v<In> || detail::shape_or<In>::rank != 2 || Width <= detail::shape_or<In>::first,
                      "conv1d: kernel width is larger than the input length");

    private:
        using in_shape = std::conditional_t<is_shape_v<In> && detail::shape_or<In>::rank == 2 &&
                                                Width <= detail::shape_or<In>::first,
                                            detail::shape_or<In>, shape<Width, 1>>;

    public:
        static constexpr std::size_t length = in_shape::first;
        static constexpr std::size_t channels = in_shape::last;
        static constexpr std::size_t out_length = length - Width + 1;
        static constexpr std::size_t window = Width * channels;  // one output row reads this many inputs
        using input = in_shape;
        using output = shape<out_length, Filters>;
        using spec = conv1d;  // names the layer to other backends (device_layer)
        static constexpr std::size_t weight_size = window * Filters;
        static constexpr std::size_t param_size = weight_size + (Bias == bias::on ? Filters : 0);
        static constexpr std::size_t cache_size = 0;

        bind() = default;
        explicit bind(const conv1d&) {}

        void describe(param_list& pl) const {
            pl.add("weight", {Width, channels, Filters}, param_kind::weight, window, Width * Filters, 0);
            if constexpr (Bias == bias::on) pl.add("bias", {Filters}, param_kind::bias, window, Filters, weight_size);
        }

        template <class T>
        void forward(const cpu_context& ctx, const T* params, view_t<const T, input> in, view_t<T, output> out,
                     T*) const {
            check_batch(in.batch(), out.batch(), "conv1d");
            using backend::cpu::transpose;
            parallel_for(ctx, in.batch(), [&](std::size_t b) {
                T* y = out.sample(b);
                backend::cpu::gemm<T>(ctx, transpose::no, transpose::no, out_length, Filters, window, T(1),
                                      in.sample(b), channels, params, Filters, T(0), y, Filters);
                if constexpr (Bias == bias::on)
                    for (std::size_t l = 0; l < out_length; ++l)
                        for (std::size_t f = 0; f < Filters; ++f) y[l * Filters + f] += params[weight_size + f];
            });
        }

        template <class T>
        void backward(const cpu_context& ctx, const T* params, T* grads, view_t<const T, input> in,
                      view_t<const T, output>, view_t<const T, output> dout, view_t<T, input> din, T*) const {
            using backend::cpu::transpose;
            // dW += window^T * dY, one product per sample (a multi-threaded one: the sum runs over samples).
            for (std::size_t b = 0; b < in.batch(); ++b) {
                backend::cpu::gemm<T>(ctx, transpose::yes, transpose::no, window, Filters, out_length, T(1),
                                      in.sample(b), channels, dout.sample(b), Filters, T(1), grads, Filters);
                if constexpr (Bias == bias::on) {
                    const T* dy = dout.sample(b);
                    for (std::size_t l = 0; l < out_length; ++l)
                        for (std::size_t f = 0; f < Filters; ++f) grads[weight_size + f] += dy[l * Filters + f];
                }
            }
            if (din.empty()) return;
            // dX[l + w, :] += dY[l, :] * W[w]^T for each tap w: Width products per sample.
            parallel_for(ctx, in.batch(), [&](std::size_t b) {
                T* dx = din.sample(b);
                for (std::size_t i = 0; i < input::size; ++i) dx[i] = T(0);
                for (std::size_t w = 0; w < Width; ++w)
                    backend::cpu::gemm<T>(ctx, transpose::no, transpose::yes, out_length, channels, Filters, T(1),
                                          dout.sample(b), Filters, params + w * channels * Filters, Filters, T(1),
                                          dx + w * channels, channels);
            });
        }
    };
};

}  // namespace helix
