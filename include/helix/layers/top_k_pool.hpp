// top_k_pool<K>: the K largest values of each sample (any shape, read flat), sorted in descending order.
// Ties go to the lowest index first, so the result is deterministic; NaN values come last. The cache keeps the chosen indices;
// backward routes each gradient to the one position it came from, every other input gets zero.
#pragma once

#include <algorithm>
#include <cstdint>

#include "helix/core/parallel_for.hpp"
#include "helix/kernels/top_k.hpp"
#include "helix/layers/layer.hpp"

namespace helix {

template <std::size_t K>
struct top_k_pool {
    static_assert(K > 0, "top_k_pool: K must be positive");

    template <io_type In>
    struct bind : parameterless {
        static_assert(is_shape_v<In>,
                      "top_k_pool: input is a pair of tensors; top_k_pool takes one tensor (wrap it in twin<>" ", or merge the halves into one tensor first with concat<axis>, add, subtract, multiply, abs_difference, dot or concat_of<>)");
        static_assert(!is_shape_v<In> || K <= detail::shape_or<In, shape<K>>::size,
                      "top_k_pool: K is larger than the number of values in the input");
        using input = std::conditional_t<is_shape_v<In> && K <= detail::shape_or<In, shape<K>>::size,
                                         detail::shape_or<In, shape<K>>, shape<K>>;
        using output = shape<K>;
        using spec = top_k_pool;  // names the layer to other backends (device_layer)
        static constexpr std::size_t cache_size = K;  // chosen indices, as std::int32_t
        static_assert(input::size < (std::size_t{1} << 24), "top_k_pool: input too large for 32-bit indices");

        bind() = default;
        explicit bind(const top_k_pool&) {}

        template <class T>
        void forward(const cpu_context& ctx, const T*, view_t<const T, input> in, view_t<T, output> out,
                     T* cache) const {
            static_assert(sizeof(T) >= sizeof(std::int32_t));
            check_batch(in.batch(), out.batch(), "top_k_pool");
            parallel_for(ctx, in.batch(), [&](std::size_t b) {
                const T* x = in.sample(b);
                // One pass that rejects most values with one compare against the K-th largest so far (a
                // partial_sort of every index cost twice as much); the CUDA backend runs the same function.
                auto* chosen = reinterpret_cast<std::int32_t*>(cache + b * cache_size);
                kernels::select_top_k(x, input::size, K, chosen);
                T* y = out.sample(b);
                for (std::size_t k = 0; k < K; ++k) y[k] = x[chosen[k]];
            });
        }

        template <class T>
        void backward(const cpu_context& ctx, const T*, T*, view_t<const T, input>, view_t<const T, output>,
                      view_t<const T, output> dout, view_t<T, input> din, T* cache) const {
            if (din.empty()) return;
            parallel_for(ctx, din.batch(), [&](std::size_t b) {
                T* dx = din.sample(b);
                std::fill(dx, dx + input::size, T(0));
                const auto* chosen = reinterpret_cast<const std::int32_t*>(cache + b * cache_size);
                const T* dy = dout.sample(b);
                for (std::size_t k = 0; k < K; ++k) dx[chosen[k]] += dy[k];
            });
        }
    };
};

}  // namespace helix
