// pad<Before, After = Before>: zero rows added before and after the first (length) axis: <L, ...> -> <L + Before +
// After, ...>. PyTorch (batch_first <N, L, C>): F.pad(x, (0, 0, Before, After)); Keras: ZeroPadding1D((Before, After)).
// On one-hot DNA a zero row is an N, so pad<5, 0> is the five N positions EPIVAN-style pipelines put before a window.
// same_padding<W>: the padding that makes a width-W convolution keep its input's length (Keras's and PyTorch's
// padding='same' at stride 1: (W - 1) / 2 rows before, W / 2 after), so seq{same_padding<40>{}, conv1d<64, 40>{}} is
// Conv1D(64, 40, padding='same'). No parameters, no cache; backward keeps the gradient of the input's rows.
#pragma once

#include "helix/backend/cpu/ops.hpp"
#include "helix/kernels/merge.hpp"
#include "helix/layers/layer.hpp"

namespace helix {

namespace detail {
template <class S, std::size_t Extra>
struct longer_by;
template <std::size_t L, std::size_t... Rest, std::size_t Extra>
struct longer_by<shape<L, Rest...>, Extra> {
    using type = shape<L + Extra, Rest...>;
};
}  // namespace detail

template <std::size_t Before, std::size_t After = Before>
struct pad {
    static_assert(Before + After > 0, "pad: give at least one row of padding (pad<Before, After>)");

    template <io_type In>
    struct bind : parameterless {
        static_assert(is_shape_v<In>,
                      "pad: input is a pair of tensors; pad takes one tensor (wrap it in twin<> to pad both halves)");
        using input = detail::shape_or<In>;
        using output = typename detail::longer_by<input, Before + After>::type;
        using spec = pad;
        static constexpr std::size_t cache_size = 0;
        static constexpr std::size_t length = input::first;
        static constexpr std::size_t width = input::size / length;  // values per position

        bind() = default;
        explicit bind(const pad&) {}

        template <class T, class Ctx>
        void forward(Ctx& ctx, const T*, view_t<const T, input, device_of<Ctx>> in,
                     view_t<T, output, device_of<Ctx>> out, T*) const {
            check_batch(in.batch(), out.batch(), "pad");
            ops_of<Ctx>::for_each(ctx, out.size(),
                                  kernels::pad_rows<T>{in.data(), out.data(), length, width, Before, After});
        }

        template <class T, class Ctx>
        void backward(Ctx& ctx, const T*, T*, view_t<const T, input, device_of<Ctx>>,
                      view_t<const T, output, device_of<Ctx>>, view_t<const T, output, device_of<Ctx>> dout,
                      view_t<T, input, device_of<Ctx>> din, T*) const {
            if (din.empty()) return;
            ops_of<Ctx>::for_each(ctx, din.size(),
                                  kernels::crop_rows<T>{dout.data(), din.data(), length, width, Before, After});
        }
    };
};

template <std::size_t Width>
using same_padding = pad<(Width - 1) / 2, Width / 2>;

}  // namespace helix
