// auxiliary<Layer>: a head only training needs, such as EPIANN's coordinate heads (their targets are an auxiliary
// loss; predictions never read them). It runs while ctx.training, or in eval mode when the caller asks for its output
// with ctx.auxiliary_outputs (a validation loss, a golden test). Otherwise forward skips it, which spares inference
// its work, and fills its output with NaN so that a skipped output cannot pass for a value.
// The same layer otherwise: parameters, names, cache and backward are Layer's. Backward after a forward that
// skipped the head throws state_error, since there is no cache to differentiate.
#pragma once

#include <cstring>
#include <type_traits>
#include <utility>

#include "helix/core/error.hpp"
#include "helix/layers/layer.hpp"

namespace helix {

template <class Layer>
struct auxiliary {
    Layer layer;

    auxiliary() = default;
    explicit auxiliary(Layer l) : layer(std::move(l)) {}

    template <io_type In>
    struct bind : Layer::template bind<In> {
        using base = typename Layer::template bind<In>;
        using typename base::input;
        using typename base::output;

        bind() = default;
        explicit bind(const auxiliary& spec) : base(spec.layer) {}

        template <class Ctx>
        static bool runs(const Ctx& ctx) noexcept {
            return ctx.training || ctx.auxiliary_outputs;
        }

        template <class T, class Ctx>
        void forward(Ctx& ctx, const T* params, view_t<const T, input, device_of<Ctx>> in,
                     view_t<T, output, device_of<Ctx>> out, T* cache) const {
            if (runs(ctx)) detail::forward_layer<T>(as_base(), ctx, params, in, out, cache);
            else fill_nan(ctx, out);
        }

        template <class T, class Ctx>
        void backward(Ctx& ctx, const T* params, T* grads, view_t<const T, input, device_of<Ctx>> in,
                      view_t<const T, output, device_of<Ctx>> out, view_t<const T, output, device_of<Ctx>> dout,
                      view_t<T, input, device_of<Ctx>> din, T* cache) const {
            if (!runs(ctx))
                throw state_error("auxiliary head: backward in eval mode, where forward skipped the head; set "
                                  "ctx.training or ctx.auxiliary_outputs before forward");
            detail::backward_layer<T>(as_base(), ctx, params, grads, in, out, dout, din, cache);
        }

    private:
        const base& as_base() const noexcept { return *this; }

        // All bits set is a quiet NaN in float and double, so one byte fill serves every scalar type and device.
        template <class Ctx, class V>
        static void fill_nan(Ctx& ctx, V out) {
            if constexpr (requires { out.first; }) {
                fill_nan(ctx, out.first);
                fill_nan(ctx, out.second);
            } else if constexpr (std::is_same_v<device_of<Ctx>, cpu>) {
                std::memset(out.data(), 0xFF, out.size() * sizeof(*out.data()));
            } else {
                device_ops<device_of<Ctx>>::fill_bytes(ctx, out.data(), 0xFF, out.size());
            }
        }
    };
};

template <class Layer>
auxiliary(Layer) -> auxiliary<Layer>;

}  // namespace helix
