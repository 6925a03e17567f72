// relu, sigmoid, tanh, gelu: element-wise activations for any shape (each half of a pair alike is not
// supported: wrap in twin<> to apply to both halves). Output shape = input shape; no parameters, no cache.
// Backward reads the output (relu, sigmoid, tanh) or, for an Op with backward_from_input (gelu), the input.
#pragma once

#include "helix/core/parallel_for.hpp"
#include "helix/kernels/activation.hpp"
#include "helix/layers/layer.hpp"

namespace helix {

template <class Op>
struct elementwise {
    template <io_type In>
    struct bind : parameterless {
        static_assert(is_shape_v<In>,
                      "activation (relu/sigmoid/tanh): input is a pair of tensors; an activation takes one tensor "
                      "(wrap it in twin<> to apply it to both halves, or merge the halves into one tensor first with concat<axis>, add, subtract, multiply, abs_difference, dot or concat_of<>)");
        using input = detail::shape_or<In>;
        using output = input;
        using spec = elementwise;  // names the layer to other backends (device_layer)
        static constexpr std::size_t cache_size = 0;

        bind() = default;
        explicit bind(const elementwise&) {}

        template <class T>
        void forward(const cpu_context& ctx, const T*, view_t<const T, input> in, view_t<T, output> out, T*) const {
            check_batch(in.batch(), out.batch(), Op::name);
            parallel_for(ctx, in.batch(), [&](std::size_t b) {
                const T* x = in.sample(b);
                T* y = out.sample(b);
                for (std::size_t i = 0; i < input::size; ++i) y[i] = Op::forward(x[i]);
            });
        }

        template <class T>
        void backward(const cpu_context& ctx, const T*, T*, view_t<const T, input> in, view_t<const T, output> out,
                      view_t<const T, output> dout, view_t<T, input> din, T*) const {
            if (din.empty()) return;
            parallel_for(ctx, out.batch(), [&](std::size_t b) {
                // What Op::backward differentiates from: the output y, or the input x for gelu.
                const T* y = kernels::backward_from_input<Op> ? in.sample(b) : out.sample(b);
                const T* dy = dout.sample(b);
                T* dx = din.sample(b);
                for (std::size_t i = 0; i < input::size; ++i) dx[i] = Op::backward(y[i], dy[i]);
            });
        }
    };
};

using relu = elementwise<kernels::relu_op>;
using sigmoid = elementwise<kernels::sigmoid_op>;
using tanh = elementwise<kernels::tanh_op>;
using gelu = elementwise<kernels::gelu_op>;  // exact (erf) form, as PyTorch's F.gelu

}  // namespace helix
