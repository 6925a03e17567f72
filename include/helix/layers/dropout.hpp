// dropout{rate}: while training, zeroes each value with probability `rate` and scales the survivors by
// 1 / (1 - rate) (inverted dropout), so inference is the identity. The run-time rate is in [0, 1).
// Random numbers come from the context's counter-based generator: a forward pass reserves one draw per
// value of the global batch (ctx.share) and reads those of its own samples, so masks depend neither on the
// thread count nor on how a batch is split over processes. The mask is cached for backward (training only; in
// eval mode backward passes the gradient through, as forward did).
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "helix/backend/cpu/philox.hpp"
#include "helix/core/parallel_for.hpp"
#include "helix/layers/layer.hpp"

namespace helix {

struct dropout {
    float rate = 0.5f;

    dropout() = default;
    explicit dropout(float r) : rate(r) { validate(r); }

    static void validate(float r) {
        if (!(r >= 0.0f && r < 1.0f))
            throw argument_error("dropout: rate must be in [0, 1), got " + std::to_string(r));
    }

    template <io_type In>
    struct bind : parameterless {
        static_assert(is_shape_v<In>,
                      "dropout: input is a pair of tensors; dropout takes one tensor (wrap it in twin<> to apply it "
                      "to both halves, or merge the halves into one tensor first with concat<axis>, add, subtract, multiply, abs_difference, dot or concat_of<>)");
        using input = detail::shape_or<In>;
        using output = input;
        using spec = dropout;  // names the layer to other backends (device_layer)
        static constexpr std::size_t cache_size = input::size;  // the scale applied to each value: 0 or 1/(1-rate)

        float rate = 0.5f;
        bind() = default;
        explicit bind(const dropout& spec) : rate(spec.rate) { validate(spec.rate); }

        template <class T>
        void forward(cpu_context& ctx, const T*, view_t<const T, input> in, view_t<T, output> out, T* cache) const {
            check_batch(in.batch(), out.batch(), "dropout");
            const bool active = ctx.training && rate > 0.0f;
            std::uint64_t first = 0;
            if (active) {
                const share_draws draws = draws_of_share(ctx.share, in.batch(), input::size, "dropout");
                first = ctx.rng.reserve(draws.reserved) + draws.offset;
            }
            const T keep_scale = T(1) / (T(1) - T(rate));
            const counter_rng& rng = ctx.rng;
            parallel_for(ctx, in.batch(), [&](std::size_t b) {
                const T* x = in.sample(b);
                T* y = out.sample(b);
                T* mask = cache + b * cache_size;
                if (!active) {  // no mask: backward in eval mode passes the gradient through unscaled
                    std::copy_n(x, input::size, y);
                    return;
                }
                thread_local std::vector<float> uniforms;  // this thread's
                uniforms.resize(input::size);
                backend::cpu::fill_uniforms(rng, first + b * input::size, input::size, uniforms.data());
                for (std::size_t i = 0; i < input::size; ++i) {
                    mask[i] = uniforms[i] > rate ? keep_scale : T(0);
                    y[i] = x[i] * mask[i];
                }
            });
        }

        template <class T>
        void backward(const cpu_context& ctx, const T*, T*, view_t<const T, input>, view_t<const T, output>,
                      view_t<const T, output> dout, view_t<T, input> din, T* cache) const {
            if (din.empty()) return;
            const bool active = ctx.training && rate > 0.0f;  // as in the forward pass it follows
            parallel_for(ctx, din.batch(), [&](std::size_t b) {
                const T* dy = dout.sample(b);
                const T* mask = cache + b * cache_size;
                T* dx = din.sample(b);
                if (!active) std::copy_n(dy, input::size, dx);
                else
                    for (std::size_t i = 0; i < input::size; ++i) dx[i] = dy[i] * mask[i];
            });
        }
    };
};

}  // namespace helix
