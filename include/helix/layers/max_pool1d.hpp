// max_pool1d<Width, Stride, Padding>: maximum over windows along the length axis, per channel.
//
// padding::valid: out = (length - Width) / Stride + 1, windows never leave the input.
// padding::same (TensorFlow's SAME): out = ceil(length / Stride); the padding needed, max((out - 1) * Stride
// + Width - length, 0), is split with the smaller half before (EPIANN: 2986 -> 100 with 7 before, 7 after).
// Padded positions never win. The cache keeps the winning input position of every output (ties: the first),
// so backward routes each gradient to exactly one input.
#pragma once

#include <cstdint>
#include <algorithm>
#include <limits>

#include "helix/core/parallel_for.hpp"
#include "helix/layers/layer.hpp"

namespace helix {

enum class padding { valid, same };

template <std::size_t Width, std::size_t Stride = Width, padding Padding = padding::valid>
struct max_pool1d {
    static_assert(Width > 0 && Stride > 0, "max_pool1d: Width and Stride must be positive");

    template <io_type In>
    struct bind {
        static_assert(is_shape_v<In>,
                      "max_pool1d: input is a pair of tensors; max_pool1d takes one <length, channels> tensor "
                      "(wrap it in twin<> to pool both halves)");
        static_assert(!is_shape_v<In> || detail::shape_or<In>::rank == 2,
                      "max_pool1d: input must have rank 2, <length, channels>");
        static_assert(!is_shape_v<In> || detail::shape_or<In>::rank != 2 || Padding == padding::same ||
                          Width <= detail::shape_or<In>::first,
                      "max_pool1d: pool width is larger than the input length (use padding::same to pad)");

    private:
        static constexpr bool valid_input = is_shape_v<In> && detail::shape_or<In>::rank == 2 &&
                                            (Padding == padding::same || Width <= detail::shape_or<In>::first);
        using in_shape = std::conditional_t<valid_input, detail::shape_or<In>, shape<Width, 1>>;

    public:
        static constexpr std::size_t length = in_shape::first;
        static constexpr std::size_t channels = in_shape::last;
        static constexpr std::size_t out_length =
            Padding == padding::same ? (length + Stride - 1) / Stride : (length - Width) / Stride + 1;
        static constexpr std::size_t pad_total =
            Padding == padding::same && (out_length - 1) * Stride + Width > length
                ? (out_length - 1) * Stride + Width - length
                : 0;
        static constexpr std::size_t pad_before = pad_total / 2;
        using input = in_shape;
        using output = shape<out_length, channels>;
        using spec = max_pool1d;  // names the layer to other backends (device_layer)
        static constexpr std::size_t param_size = 0;
        // One winning input index (std::int32_t, stored in a slot of T) per output value.
        static constexpr std::size_t cache_size = output::size;
        static_assert(length < (std::size_t{1} << 24), "max_pool1d: input too long for 32-bit argmax indices");

        bind() = default;
        explicit bind(const max_pool1d&) {}
        void describe(param_list&) const {}

        template <class T>
        void forward(const cpu_context& ctx, const T*, view_t<const T, input> in, view_t<T, output> out,
                     T* cache) const {
            static_assert(sizeof(T) >= sizeof(std::int32_t));
            check_batch(in.batch(), out.batch(), "max_pool1d");
            parallel_for(ctx, in.batch(), [&](std::size_t b) {
                const T* x = in.sample(b);
                T* y = out.sample(b);
                auto* arg = reinterpret_cast<std::int32_t*>(cache + b * cache_size);
                for (std::size_t o = 0; o < out_length; ++o) {
                    const std::ptrdiff_t start = std::ptrdiff_t(o * Stride) - std::ptrdiff_t(pad_before);
                    const std::size_t lo = start < 0 ? 0 : std::size_t(start);
                    const std::size_t hi = std::min<std::size_t>(length, std::size_t(start + std::ptrdiff_t(Width)));
                    T* yo = y + o * channels;
                    std::int32_t* ao = arg + o * channels;
                    for (std::size_t c = 0; c < channels; ++c) {
                        yo[c] = x[lo * channels + c];
                        ao[c] = std::int32_t(lo);
                    }
                    for (std::size_t l = lo + 1; l < hi; ++l)
                        for (std::size_t c = 0; c < channels; ++c)
                            if (x[l * channels + c] > yo[c]) {
                                yo[c] = x[l * channels + c];
                                ao[c] = std::int32_t(l);
                            }
                }
            });
        }

        template <class T>
        void backward(const cpu_context& ctx, const T*, T*, view_t<const T, input>, view_t<const T, output>,
                      view_t<const T, output> dout, view_t<T, input> din, T* cache) const {
            if (din.empty()) return;
            parallel_for(ctx, din.batch(), [&](std::size_t b) {
                T* dx = din.sample(b);
                const T* dy = dout.sample(b);
                const auto* arg = reinterpret_cast<const std::int32_t*>(cache + b * cache_size);
                for (std::size_t i = 0; i < input::size; ++i) dx[i] = T(0);
                for (std::size_t i = 0; i < output::size; ++i) dx[std::size_t(arg[i]) * channels + i % channels] += dy[i];
            });
        }
    };
};

}  // namespace helix
