// identity: passes its input through unchanged: X -> X for any io_type (one tensor or a pair_of). No parameters,
// no cache. PyTorch: nn.Identity. A branch of concat_of<> or branches<> that keeps
// the input itself (concat_of<axis::channels, identity, f> is [x, f(x)]).
#pragma once

#include "helix/backend/cpu/ops.hpp"
#include "helix/layers/layer.hpp"

namespace helix {

struct identity {
    template <io_type In>
    struct bind : parameterless {
        using input = In;
        using output = In;
        using spec = identity;
        static constexpr std::size_t cache_size = 0;

        bind() = default;
        explicit bind(const identity&) {}

        template <class T, class Ctx>
        void forward(Ctx& ctx, const T*, view_t<const T, input, device_of<Ctx>> in,
                     view_t<T, output, device_of<Ctx>> out, T*) const {
            check_batch(in.batch(), out.batch(), "identity");
            copy_all(ctx, in, out);
        }

        template <class T, class Ctx>
        void backward(Ctx& ctx, const T*, T*, view_t<const T, input, device_of<Ctx>>,
                      view_t<const T, output, device_of<Ctx>>, view_t<const T, output, device_of<Ctx>> dout,
                      view_t<T, input, device_of<Ctx>> din, T*) const {
            if (din.empty()) return;
            copy_all(ctx, dout, din);
        }

    private:
        template <class Ctx, class Src, class Dst>
        static void copy_all(Ctx& ctx, Src src, Dst dst) {
            if constexpr (requires { dst.first; }) {
                copy_all(ctx, src.first, dst.first);
                copy_all(ctx, src.second, dst.second);
            } else {
                ops_of<Ctx>::copy(ctx, src.data(), dst.data(), dst.size());
            }
        }
    };
};

}  // namespace helix
