// first_half, second_half: one half of a pair: pair_of<A, B> -> A (first_half) or B (second_half). The other half
// gets a zero input gradient. With concat_of they spell feature sets such as [e, p, e - p, e * p]:
// concat_of<axis::channels, first_half, second_half, subtract, multiply>. No parameters, no cache.
// PyTorch: selecting one tensor of a tuple, `e, p = x`.
#pragma once

#include <type_traits>

#include "helix/backend/cpu/ops.hpp"
#include "helix/layers/layer.hpp"

namespace helix {

namespace detail {
template <bool Second>
struct select_half {
    template <io_type In>
    struct bind : parameterless {
        static_assert(Second || is_pair_v<In>,
                      "first_half: input is a single tensor; first_half selects the first half of a pair_of<A, B>");
        static_assert(!Second || is_pair_v<In>,
                      "second_half: input is a single tensor; second_half selects the second half of a pair_of<A, B>");
        using input = detail::pair_or<In>;
        using output = std::conditional_t<Second, typename input::second_type, typename input::first_type>;
        using spec = select_half;
        static constexpr std::size_t cache_size = 0;

        bind() = default;
        explicit bind(const select_half&) {}

        template <class T, class Ctx>
        void forward(Ctx& ctx, const T*, view_t<const T, input, device_of<Ctx>> in,
                     view_t<T, output, device_of<Ctx>> out, T*) const {
            check_batch(in.first.batch(), in.second.batch(), Second ? "second_half" : "first_half");
            copy_all(ctx, chosen(in), out);
        }

        template <class T, class Ctx>
        void backward(Ctx& ctx, const T*, T*, view_t<const T, input, device_of<Ctx>>,
                      view_t<const T, output, device_of<Ctx>>, view_t<const T, output, device_of<Ctx>> dout,
                      view_t<T, input, device_of<Ctx>> din, T*) const {
            if (din.empty()) return;
            copy_all(ctx, dout, chosen(din));
            if constexpr (Second) zero_all(ctx, din.first);
            else zero_all(ctx, din.second);
        }

    private:
        template <class V>
        static auto chosen(V v) {
            if constexpr (Second) return v.second;
            else return v.first;
        }
        // A half may itself be a pair: each of its tensors alike.
        template <class Ctx, class Src, class Dst>
        static void copy_all(Ctx& ctx, Src src, Dst dst) {
            if constexpr (requires { dst.first; }) {
                copy_all(ctx, src.first, dst.first);
                copy_all(ctx, src.second, dst.second);
            } else {
                ops_of<Ctx>::copy(ctx, src.data(), dst.data(), dst.size());
            }
        }
        template <class Ctx, class Dst>
        static void zero_all(Ctx& ctx, Dst dst) {
            if constexpr (requires { dst.first; }) {
                zero_all(ctx, dst.first);
                zero_all(ctx, dst.second);
            } else {
                using V = std::remove_cvref_t<decltype(*dst.data())>;
                ops_of<Ctx>::fill(ctx, dst.data(), V(0), dst.size());
            }
        }
    };
};
}  // namespace detail

using first_half = detail::select_half<false>;
using second_half = detail::select_half<true>;

}  // namespace helix
