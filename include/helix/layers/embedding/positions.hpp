// Position encodings added to a sequence of vectors, <L, C> -> <L, C>.
//   sinusoidal_positions   out = in + pe, the fixed encoding of Vaswani et al. as the PyTorch tutorial's
//                          PositionalEncoding builds it: pe[pos, 2i] = sin(pos / 10000^(2i / C)),
//                          pe[pos, 2i + 1] = cos(pos / 10000^(2i / C)), pos from 0. No parameters; computed on the fly
//                          in double (the tutorial tabulates it in float32: agreement within float rounding). An odd C
//                          (which the tutorial cannot build) ends with a sine channel. The tutorial's dropout and the
//                          Transformer's sqrt(d_model) scaling of the embeddings are separate layers.
//   learned_positions      out = in + weight, a trained table weight [L, C] (the `weight` of an nn.Embedding(L, C)
//                          looked up at arange(L), as BERT's position_embeddings): started at N(0, 1) like
//                          nn.Embedding, whatever initialiser init() is given (param_init::normal, sd 1).
// Requires: input <L, C> (one tensor). Guarantees: the input gradient is the output gradient; learned_positions
// adds the batch's sum of output gradients into its table's gradient (one index per table element: deterministic).
#pragma once

#include <cstddef>
#include <type_traits>

#include "helix/backend/cpu/ops.hpp"
#include "helix/kernels/embedding.hpp"
#include "helix/layers/layer.hpp"

namespace helix {

namespace detail {
template <class In>
constexpr bool positions_input_ok() {
    if constexpr (is_shape_v<In>) return In::rank == 2;
    else return false;
}
}  // namespace detail

struct sinusoidal_positions {
    template <io_type In>
    struct bind : parameterless {
        static_assert(is_shape_v<In>,
                      "sinusoidal_positions: input is a pair of tensors; it takes one <length, channels> tensor (wrap "
                      "it in twin<> to encode both halves)");
        static_assert(!is_shape_v<In> || detail::positions_input_ok<In>(),
                      "sinusoidal_positions: input must be <length, channels> (a sequence of vectors, e.g. an "
                      "embedding's output)");
        using input = std::conditional_t<detail::positions_input_ok<In>(), detail::shape_or<In>, shape<1, 1>>;
        using output = input;
        using spec = sinusoidal_positions;
        static constexpr std::size_t length = input::first, channels = input::last;
        static constexpr std::size_t cache_size = 0;

        bind() = default;
        explicit bind(const sinusoidal_positions&) {}

        template <class T, class Ctx>
        void forward(Ctx& ctx, const T*, view_t<const T, input, device_of<Ctx>> in,
                     view_t<T, output, device_of<Ctx>> out, T*) const {
            check_batch(in.batch(), out.batch(), "sinusoidal_positions");
            ops_of<Ctx>::for_each(ctx, in.batch() * input::size,
                                  kernels::add_sinusoid<T>{in.data(), out.data(), length, channels});
        }

        template <class T, class Ctx>
        void backward(Ctx& ctx, const T*, T*, view_t<const T, input, device_of<Ctx>>,
                      view_t<const T, output, device_of<Ctx>>, view_t<const T, output, device_of<Ctx>> dout,
                      view_t<T, input, device_of<Ctx>> din, T*) const {
            if (din.empty()) return;
            ops_of<Ctx>::copy(ctx, dout.data(), din.data(), dout.batch() * input::size);
        }
    };
};

struct learned_positions {
    template <io_type In>
    struct bind {
        static_assert(is_shape_v<In>,
                      "learned_positions: input is a pair of tensors; it takes one <length, channels> tensor (wrap it "
                      "in twin<> to share one table between both halves)");
        static_assert(!is_shape_v<In> || detail::positions_input_ok<In>(),
                      "learned_positions: input must be <length, channels> (a sequence of vectors, e.g. an "
                      "embedding's output)");
        using input = std::conditional_t<detail::positions_input_ok<In>(), detail::shape_or<In>, shape<1, 1>>;
        using output = input;
        using spec = learned_positions;
        static constexpr std::size_t length = input::first, channels = input::last;
        static constexpr std::size_t param_size = input::size;
        static constexpr std::size_t cache_size = 0;

        bind() = default;
        explicit bind(const learned_positions&) {}

        void describe(param_list& pl) const {
            pl.add("weight", {length, channels}, param_kind::weight, length, channels, 0);
            pl.initialise_last(param_init::normal, 1.0);  // nn.Embedding(L, C)'s N(0, 1)
        }

        template <class T, class Ctx>
        void forward(Ctx& ctx, const T* params, view_t<const T, input, device_of<Ctx>> in,
                     view_t<T, output, device_of<Ctx>> out, T*) const {
            check_batch(in.batch(), out.batch(), "learned_positions");
            ops_of<Ctx>::for_each(ctx, in.batch() * input::size,
                                  kernels::add_table<T>{in.data(), params, out.data(), input::size});
        }

        template <class T, class Ctx>
        void backward(Ctx& ctx, const T*, T* grads, view_t<const T, input, device_of<Ctx>>,
                      view_t<const T, output, device_of<Ctx>>, view_t<const T, output, device_of<Ctx>> dout,
                      view_t<T, input, device_of<Ctx>> din, T*) const {
            ops_of<Ctx>::for_each(ctx, input::size,
                                  kernels::table_grad<T>{dout.data(), grads, input::size, dout.batch()});
            if (din.empty()) return;
            ops_of<Ctx>::copy(ctx, dout.data(), din.data(), dout.batch() * input::size);
        }
    };
};

}  // namespace helix
