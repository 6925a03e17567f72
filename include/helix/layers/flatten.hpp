// flatten: <D0, D1, ...> -> <D0 * D1 * ...>. The layout is already row-major, so this is a copy.
#pragma once

#include <algorithm>

#include "helix/layers/layer.hpp"

namespace helix {

struct flatten {
    template <io_type In>
    struct bind : parameterless {
        static_assert(is_shape_v<In>,
                      "flatten: input is a pair of tensors; flatten takes one tensor (wrap it in twin<> to flatten "
                      "both halves, or merge the halves into one tensor first with concat<axis>, add, subtract, multiply, abs_difference, dot or concat_of<>)");
        using input = detail::shape_or<In>;
        using output = shape<input::size>;
        using spec = flatten;  // names the layer to other backends (device_layer)
        static constexpr std::size_t cache_size = 0;

        bind() = default;
        explicit bind(const flatten&) {}

        template <class T>
        void forward(const cpu_context&, const T*, view_t<const T, input> in, view_t<T, output> out, T*) const {
            check_batch(in.batch(), out.batch(), "flatten");
            std::copy(in.data(), in.data() + in.size(), out.data());
        }
        template <class T>
        void backward(const cpu_context&, const T*, T*, view_t<const T, input>, view_t<const T, output>,
                      view_t<const T, output> dout, view_t<T, input> din, T*) const {
            if (!din.empty()) std::copy(dout.data(), dout.data() + dout.size(), din.data());
        }
    };
};

}  // namespace helix
