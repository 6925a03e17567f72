// lstm<H, rnn_output::sequence, rnn_direction::forward, gate_activation::sigmoid>: PyTorch's one-layer
// nn.LSTM(I, H, batch_first=True) with a zero initial state: <L, I> -> <L, H> (every h_t, PyTorch's `output`) or, with
// rnn_output::last, <H> (h_L, h_n).
//   i, f, o = sigmoid(W_i* x_t + b_i* + W_h* h_{t-1} + b_h*),  g = tanh(same),
//   c_t = f c_{t-1} + i g,  h_t = o tanh(c_t)
// gate_activation::hard_sigmoid puts clip(0.2 x + 0.5, 0, 1) in place of sigmoid for i, f, o (Keras 1's
// inner_activation='hard_sigmoid', Keras 2's recurrent_activation; g and tanh(c) stay tanh).
// rnn_direction::reverse runs from position L-1 to 0 (PyTorch's reverse direction; see rnn.hpp); bidirectional<>
// (nn/bidirectional.hpp) runs one of each.
// Parameters (PyTorch's names and layout, so a state_dict maps 1:1): weight_ih [4H, I], weight_hh [4H, H],
// bias_ih [4H], bias_hh [4H], rows in gate order i, f, g, o (weight_ih_l0 ... of nn.LSTM). Keras' one bias is
// bias_ih + bias_hh (load it into one, zeros into the other); its kernel is weight_ih^T, gate order i, f, c, o.
// Initialisation: every tensor describes fan_in = H, so `net.init(seed, init::fan_in_uniform{})` draws all four from
// U(-1/sqrt(H), 1/sqrt(H)), PyTorch's reset_parameters (the default glorot_uniform uses fan_out = 4H and zero biases).
// Fast path: all input projections as one product over batch * L rows, then per step one [batch x H] x [H x 4H]
// product and one element kernel over batch * H (kernels/recurrent.hpp); backward through time from the gates kept in
// the cache (per sample 6 L H + 2 H values), weight gradients as one product each over batch * L rows.
// Requires: input <L, I>. Guarantees: backward overwrites the cached gates with their gradients, so one backward
// follows each forward (as networks do); runs on any device through ops<Device>.
#pragma once

#include <cstddef>

#include "helix/backend/cpu/ops.hpp"
#include "helix/kernels/recurrent.hpp"
#include "helix/layers/layer.hpp"
#include "helix/layers/recurrent/rnn.hpp"

namespace helix {

template <std::size_t H, rnn_output Out = rnn_output::sequence, rnn_direction Dir = rnn_direction::forward,
          gate_activation G = gate_activation::sigmoid>
struct lstm {
    static_assert(H > 0, "lstm: the hidden size must be positive");
    static constexpr std::size_t hidden = H;
    static constexpr rnn_output output_kind = Out;
    static constexpr rnn_direction direction = Dir;
    static constexpr gate_activation gates_activation = G;
    using reversed = lstm<H, Out, opposite(Dir), G>;
    constexpr reversed reverse() const noexcept { return {}; }

    template <io_type In>
    struct bind {
        static_assert(is_shape_v<In>,
                      "lstm: input is a pair of tensors; lstm takes one <length, channels> tensor (wrap it in twin<> "
                      "to run the same lstm over both halves)");
        static_assert(!is_shape_v<In> || detail::shape_or<In>::rank == 2,
                      "lstm: input must be <length, channels> (rank 2): a sequence of feature vectors, positions on "
                      "the first axis");

    private:
        using in_shape = std::conditional_t<is_shape_v<In> && detail::shape_or<In>::rank == 2, detail::shape_or<In>,
                                            shape<1, 1>>;

    public:
        using input = in_shape;
        using output = std::conditional_t<Out == rnn_output::sequence, shape<in_shape::first, H>, shape<H>>;
        using spec = lstm;
        static constexpr std::size_t length = in_shape::first;
        static constexpr std::size_t in_features = in_shape::last;
        static constexpr std::size_t gates = 4 * H;
        static constexpr std::size_t weight_ih_size = gates * in_features;
        static constexpr std::size_t weight_hh_size = gates * H;
        static constexpr std::size_t param_size = weight_ih_size + weight_hh_size + 2 * gates;
        // Per sample: gates [L, 4H], cell [L, H], prev [L, H], then dh [H] and dc [H] for backward.
        static constexpr std::size_t cache_size = length * (gates + 2 * H) + 2 * H;

        bind() = default;
        explicit bind(const lstm&) {}

        void describe(param_list& pl) const {
            pl.add("weight_ih", {gates, in_features}, param_kind::weight, H, gates, 0);
            pl.add("weight_hh", {gates, H}, param_kind::weight, H, gates, weight_ih_size);
            pl.add("bias_ih", {gates}, param_kind::bias, H, gates, weight_ih_size + weight_hh_size);
            pl.add("bias_hh", {gates}, param_kind::bias, H, gates, weight_ih_size + weight_hh_size + gates);
        }

        // The cache's regions for a batch (kernels/recurrent.hpp describes them).
        template <class T>
        struct regions {
            T* gates;
            T* cell;
            T* prev;
            T* dh;
            T* dc;
        };
        template <class T>
        static regions<T> cache_regions(T* cache, std::size_t batch) noexcept {
            T* g = cache;
            T* c = g + batch * length * gates;
            T* p = c + batch * length * H;
            T* dh = p + batch * length * H;
            return {g, c, p, dh, dh + batch * H};
        }

        // The regions of the samples from `first` on, inside a batch's regions (each region is batch-major).
        template <class T>
        static regions<T> share_of(const regions<T>& r, std::size_t first) noexcept {
            return {r.gates + first * length * gates, r.cell + first * length * H, r.prev + first * length * H,
                    r.dh + first * H, r.dc + first * H};
        }

        template <class T, class Ctx>
        void forward(Ctx& ctx, const T* params, view_t<const T, input, device_of<Ctx>> in,
                     view_t<T, output, device_of<Ctx>> out, T* cache) const {
            detail::rnn_forward(*this, ctx, params, in, out, cache, "lstm");
        }

        template <class T, class Ctx>
        void backward(Ctx& ctx, const T* params, T* grads, view_t<const T, input, device_of<Ctx>> in,
                      view_t<const T, output, device_of<Ctx>>, view_t<const T, output, device_of<Ctx>> dout,
                      view_t<T, input, device_of<Ctx>> din, T* cache) const {
            detail::rnn_backward(*this, ctx, params, grads, in, dout, din, cache);
        }

        // One share of the batch (detail::rnn_forward / rnn_backward split it).
        // Forward over `batch` samples from x (batch-major) into y, with their cache regions r.
        template <class T, class Ctx>
        void forward_share(Ctx& ctx, const T* params, const T* x, T* y, const regions<T>& r, std::size_t batch) const {
            using ops = ops_of<Ctx>;
            const T* w_ih = params;
            const T* w_hh = params + weight_ih_size;
            const T* b_ih = w_hh + weight_hh_size;
            const T* b_hh = b_ih + gates;
            // Every input projection at once: gates [B L, 4H] = x [B L, I] weight_ih^T.
            ops::template gemm<T>(ctx, trans::no, trans::yes, batch * length, gates, in_features, T(1), x,
                                  in_features, w_ih, in_features, T(0), r.gates, gates);
            const detail::rnn_steps steps{length, Dir == rnn_direction::reverse};
            for (std::size_t s = 0; s < length; ++s) {
                const std::size_t pos = steps.position(s);
                if (s > 0)  // gates_t += h_{t-1} weight_hh^T, rows of every sample at this position
                    ops::template gemm<T>(ctx, trans::no, trans::yes, batch, gates, H, T(1), r.prev + pos * H,
                                          length * H, w_hh, H, T(1), r.gates + pos * gates, length * gates);
                kernels::rnn_output_slot<T> slot{y, 0, 0, true};
                if constexpr (Out == rnn_output::sequence) slot.stride = length * H, slot.offset = pos * H;
                else slot.stride = H, slot.active = s + 1 == length;
                ops::for_each(ctx, batch * H,
                              kernels::lstm_step_forward<T, H, G>{r.gates, r.cell, r.prev, b_ih, b_hh, slot, length,
                                                               pos, s > 0 ? steps.position(s - 1) : 0,
                                                               s + 1 < length ? steps.position(s + 1) : 0, s == 0,
                                                               s + 1 < length}, rnn_step_work);
            }
        }

        // Backward over `batch` samples: adds their parameter gradients into grads, writes dx when it is not null.
        template <class T, class Ctx>
        void backward_share(Ctx& ctx, const T* params, T* grads, const T* x, const T* dy, T* dx, const regions<T>& r,
                            std::size_t batch) const {
            using ops = ops_of<Ctx>;
            const T* w_ih = params;
            const T* w_hh = params + weight_ih_size;
            T* g_wih = grads;
            T* g_whh = grads + weight_ih_size;
            T* g_bih = g_whh + weight_hh_size;
            ops::fill(ctx, r.dh, T(0), batch * H);
            ops::fill(ctx, r.dc, T(0), batch * H);
            const detail::rnn_steps steps{length, Dir == rnn_direction::reverse};
            for (std::size_t s = length; s-- > 0;) {
                const std::size_t pos = steps.position(s);
                kernels::rnn_output_slot<const T> slot{dy, 0, 0, true};
                if constexpr (Out == rnn_output::sequence) slot.stride = length * H, slot.offset = pos * H;
                else slot.stride = H, slot.active = s + 1 == length;
                ops::for_each(ctx, batch * H,
                              kernels::lstm_step_backward<T, H, G>{r.gates, r.cell, r.dh, r.dc, slot, length, pos,
                                                                s > 0 ? steps.position(s - 1) : 0, s == 0},
                              rnn_step_work);
                if (s > 0)  // dh_{t-1} = dgates_t weight_hh
                    ops::template gemm<T>(ctx, trans::no, trans::no, batch, H, gates, T(1), r.gates + pos * gates,
                                          length * gates, w_hh, H, T(0), r.dh, H);
            }
            // The gates now hold their gradients, every sample and position: one product per weight.
            const std::size_t rows = batch * length;
            ops::template gemm<T>(ctx, trans::yes, trans::no, gates, in_features, rows, T(1), r.gates, gates, x,
                                  in_features, T(1), g_wih, in_features);
            ops::template gemm<T>(ctx, trans::yes, trans::no, gates, H, rows, T(1), r.gates, gates, r.prev, H, T(1),
                                  g_whh, H);
            ops::for_each(ctx, gates, kernels::add_bias_gradients<T>{r.gates, g_bih, g_bih + gates, rows, gates});
            if (dx == nullptr) return;
            ops::template gemm<T>(ctx, trans::no, trans::no, rows, in_features, gates, T(1), r.gates, gates, w_ih,
                                  in_features, T(0), dx, in_features);
        }
    };
};

}  // namespace helix
