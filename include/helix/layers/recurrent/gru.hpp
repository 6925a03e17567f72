// gru<H, rnn_output::sequence, rnn_direction::forward, gate_activation::sigmoid, reset_gate::after>: PyTorch's
// one-layer nn.GRU(I, H, batch_first=True) with a zero initial state: <L, I> -> <L, H> (every h_t, PyTorch's `output`)
// or, with rnn_output::last, <H> (h_L, h_n).
//   r = sigmoid(W_ir x + b_ir + W_hr h + b_hr),  z = sigmoid(W_iz x + b_iz + W_hz h + b_hz),
//   n = tanh(W_in x + b_in + r * (W_hn h + b_hn)),  h' = (1 - z) * n + z * h
// rnn_direction::reverse runs from position L-1 to 0 (PyTorch's reverse direction; see rnn.hpp); bidirectional<>
// (nn/bidirectional.hpp) runs one of each.
// Parameters (PyTorch's names and layout, so a state_dict maps 1:1): weight_ih [3H, I], weight_hh [3H, H],
// bias_ih [3H], bias_hh [3H], rows in gate order r, z, n (weight_ih_l0 ... of nn.GRU).
// Keras' GRU (rnn.hpp): gate_activation::hard_sigmoid puts clip(0.2 x + 0.5, 0, 1) in place of sigmoid for r and z
// (Keras <= 2.2's recurrent_activation); reset_gate::before is reset_after=False (standalone Keras 2.x's default):
//   n = tanh(W_in x + W_hn (r * h) + b_n), one bias (r and z as above with b_r, b_z in place of the two biases)
// with parameters weight_ih [3H, I], weight_hh [3H, H], bias [3H], rows r, z, n (Keras: kernel = weight_ih^T,
// recurrent_kernel = weight_hh^T, bias, each with its columns in the order z, r, h).
// Initialisation: every tensor describes fan_in = H, so `net.init(seed, init::fan_in_uniform{})` draws all four from
// U(-1/sqrt(H), 1/sqrt(H)), PyTorch's reset_parameters (the default glorot_uniform uses fan_out = 3H and zero biases).
// Fast path: all input projections as one product over batch * L rows, then per step one [batch x H] x [H x 3H]
// product and one element kernel over batch * H (kernels/recurrent.hpp); backward through time from the gates kept in
// the cache (per sample 7 L H + H values), weight gradients as one product each over batch * L rows. reset_gate::before
// splits each step's product into [H x 2H] (r, z) and, after an element kernel forms r * h, [H x H] (n); backward
// likewise; cache 6 L H + H per sample.
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
          gate_activation G = gate_activation::sigmoid, reset_gate R = reset_gate::after>
struct gru {
    static_assert(H > 0, "gru: the hidden size must be positive");
    static constexpr std::size_t hidden = H;
    static constexpr rnn_output output_kind = Out;
    static constexpr rnn_direction direction = Dir;
    static constexpr gate_activation gates_activation = G;
    static constexpr reset_gate reset = R;
    using reversed = gru<H, Out, opposite(Dir), G, R>;
    constexpr reversed reverse() const noexcept { return {}; }

    template <io_type In>
    struct bind {
        static_assert(is_shape_v<In>,
                      "gru: input is a pair of tensors; gru takes one <length, channels> tensor (wrap it in twin<> "
                      "to run the same gru over both halves)");
        static_assert(!is_shape_v<In> || detail::shape_or<In>::rank == 2,
                      "gru: input must be <length, channels> (rank 2): a sequence of feature vectors, positions on "
                      "the first axis");

    private:
        using in_shape = std::conditional_t<is_shape_v<In> && detail::shape_or<In>::rank == 2, detail::shape_or<In>,
                                            shape<1, 1>>;

    public:
        using input = in_shape;
        using output = std::conditional_t<Out == rnn_output::sequence, shape<in_shape::first, H>, shape<H>>;
        using spec = gru;
        static constexpr std::size_t length = in_shape::first;
        static constexpr std::size_t in_features = in_shape::last;
        static constexpr std::size_t gates = 3 * H;
        static constexpr std::size_t weight_ih_size = gates * in_features;
        static constexpr std::size_t weight_hh_size = gates * H;
        static constexpr bool before = R == reset_gate::before;
        static constexpr std::size_t bias_size = before ? gates : 2 * gates;
        static constexpr std::size_t param_size = weight_ih_size + weight_hh_size + bias_size;
        // The width of hg's rows: 3H, or 2H with reset_gate::before (kernels/recurrent.hpp).
        static constexpr std::size_t hg_width = before ? 2 * H : gates;
        // Per sample: xg [L, 3H], hg [L, hg_width], prev [L, H], then dh [H] for backward.
        static constexpr std::size_t cache_size = length * (gates + hg_width + H) + H;

        bind() = default;
        explicit bind(const gru&) {}

        void describe(param_list& pl) const {
            pl.add("weight_ih", {gates, in_features}, param_kind::weight, H, gates, 0);
            pl.add("weight_hh", {gates, H}, param_kind::weight, H, gates, weight_ih_size);
            if constexpr (before) {
                pl.add("bias", {gates}, param_kind::bias, H, gates, weight_ih_size + weight_hh_size);
            } else {
                pl.add("bias_ih", {gates}, param_kind::bias, H, gates, weight_ih_size + weight_hh_size);
                pl.add("bias_hh", {gates}, param_kind::bias, H, gates, weight_ih_size + weight_hh_size + gates);
            }
        }

        // The cache's regions for a batch (kernels/recurrent.hpp describes them).
        template <class T>
        struct regions {
            T* xg;
            T* hg;
            T* prev;
            T* dh;
        };
        template <class T>
        static regions<T> cache_regions(T* cache, std::size_t batch) noexcept {
            T* x = cache;
            T* h = x + batch * length * gates;
            T* p = h + batch * length * hg_width;
            return {x, h, p, p + batch * length * H};
        }

        // The regions of the samples from `first` on, inside a batch's regions (each region is batch-major).
        template <class T>
        static regions<T> share_of(const regions<T>& r, std::size_t first) noexcept {
            return {r.xg + first * length * gates, r.hg + first * length * hg_width, r.prev + first * length * H,
                    r.dh + first * H};
        }

        template <class T, class Ctx>
        void forward(Ctx& ctx, const T* params, view_t<const T, input, device_of<Ctx>> in,
                     view_t<T, output, device_of<Ctx>> out, T* cache) const {
            detail::rnn_forward(*this, ctx, params, in, out, cache, "gru");
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
            if constexpr (before) forward_before(ctx, params, x, y, r, batch);
            else forward_after(ctx, params, x, y, r, batch);
        }

        // Backward over `batch` samples: adds their parameter gradients into grads, writes dx when it is not null.
        template <class T, class Ctx>
        void backward_share(Ctx& ctx, const T* params, T* grads, const T* x, const T* dy, T* dx, const regions<T>& r,
                            std::size_t batch) const {
            if constexpr (before) backward_before(ctx, params, grads, x, dy, dx, r, batch);
            else backward_after(ctx, params, grads, x, dy, dx, r, batch);
        }

    private:
        // reset_gate::after (PyTorch's form).
        template <class T, class Ctx>
        void forward_after(Ctx& ctx, const T* params, const T* x, T* y, const regions<T>& r, std::size_t batch) const {
            using ops = ops_of<Ctx>;
            const T* w_ih = params;
            const T* w_hh = params + weight_ih_size;
            const T* b_ih = w_hh + weight_hh_size;
            const T* b_hh = b_ih + gates;
            // Every input projection at once: xg [B L, 3H] = x [B L, I] weight_ih^T.
            ops::template gemm<T>(ctx, trans::no, trans::yes, batch * length, gates, in_features, T(1), x,
                                  in_features, w_ih, in_features, T(0), r.xg, gates);
            const detail::rnn_steps steps{length, Dir == rnn_direction::reverse};
            for (std::size_t s = 0; s < length; ++s) {
                const std::size_t pos = steps.position(s);
                if (s > 0)  // hg_t = h_{t-1} weight_hh^T, rows of every sample at this position
                    ops::template gemm<T>(ctx, trans::no, trans::yes, batch, gates, H, T(1), r.prev + pos * H,
                                          length * H, w_hh, H, T(0), r.hg + pos * gates, length * gates);
                kernels::rnn_output_slot<T> slot{y, 0, 0, true};
                if constexpr (Out == rnn_output::sequence) slot.stride = length * H, slot.offset = pos * H;
                else slot.stride = H, slot.active = s + 1 == length;
                ops::for_each(ctx, batch * H,
                              kernels::gru_step_forward<T, H, G>{r.xg, r.hg, r.prev, b_ih, b_hh, slot, length, pos,
                                                              s + 1 < length ? steps.position(s + 1) : 0, s == 0,
                                                              s + 1 < length}, rnn_step_work);
            }
        }

        template <class T, class Ctx>
        void backward_after(Ctx& ctx, const T* params, T* grads, const T* x, const T* dy, T* dx, const regions<T>& r,
                            std::size_t batch) const {
            using ops = ops_of<Ctx>;
            const T* w_ih = params;
            const T* w_hh = params + weight_ih_size;
            T* g_wih = grads;
            T* g_whh = grads + weight_ih_size;
            T* g_bih = g_whh + weight_hh_size;
            T* g_bhh = g_bih + gates;
            ops::fill(ctx, r.dh, T(0), batch * H);
            const detail::rnn_steps steps{length, Dir == rnn_direction::reverse};
            for (std::size_t s = length; s-- > 0;) {
                const std::size_t pos = steps.position(s);
                kernels::rnn_output_slot<const T> slot{dy, 0, 0, true};
                if constexpr (Out == rnn_output::sequence) slot.stride = length * H, slot.offset = pos * H;
                else slot.stride = H, slot.active = s + 1 == length;
                ops::for_each(ctx, batch * H,
                              kernels::gru_step_backward<T, H, G>{r.xg, r.hg, r.prev, r.dh, slot, length, pos, s == 0},
                              rnn_step_work);
                if (s > 0)  // dh_{t-1} = dh z + dhg_t weight_hh
                    ops::template gemm<T>(ctx, trans::no, trans::no, batch, H, gates, T(1), r.hg + pos * gates,
                                          length * gates, w_hh, H, T(1), r.dh, H);
            }
            // xg and hg now hold the pre-activations' gradients, every sample and position: one product per weight.
            const std::size_t rows = batch * length;
            ops::template gemm<T>(ctx, trans::yes, trans::no, gates, in_features, rows, T(1), r.xg, gates, x,
                                  in_features, T(1), g_wih, in_features);
            ops::template gemm<T>(ctx, trans::yes, trans::no, gates, H, rows, T(1), r.hg, gates, r.prev, H, T(1), g_whh,
                                  H);
            ops::for_each(ctx, gates, kernels::add_bias_gradients<T>{r.xg, g_bih, nullptr, rows, gates});
            ops::for_each(ctx, gates, kernels::add_bias_gradients<T>{r.hg, g_bhh, nullptr, rows, gates});
            if (dx == nullptr) return;
            ops::template gemm<T>(ctx, trans::no, trans::no, rows, in_features, gates, T(1), r.xg, gates, w_ih,
                                  in_features, T(0), dx, in_features);
        }

        // reset_gate::before (kernels/recurrent.hpp, gru_before_*): per step [r | z] from h_{t-1} [W_hr; W_hz]^T, then
        // r * h_{t-1}, then its product with W_hn^T, then n and h. The rows r, z of weight_hh are its first 2H rows,
        // n its last H, so both products read weight_hh in place.
        template <class T, class Ctx>
        void forward_before(Ctx& ctx, const T* params, const T* x, T* y, const regions<T>& r,
                            std::size_t batch) const {
            using ops = ops_of<Ctx>;
            const T* w_ih = params;
            const T* w_hh = params + weight_ih_size;
            const T* w_hn = w_hh + 2 * H * H;
            const T* b = w_hh + weight_hh_size;
            const std::size_t ld_h = length * hg_width;
            ops::template gemm<T>(ctx, trans::no, trans::yes, batch * length, gates, in_features, T(1), x,
                                  in_features, w_ih, in_features, T(0), r.xg, gates);
            const detail::rnn_steps steps{length, Dir == rnn_direction::reverse};
            for (std::size_t s = 0; s < length; ++s) {
                const std::size_t pos = steps.position(s);
                T* hg = r.hg + pos * hg_width;
                if (s > 0)  // [W_hr h | W_hz h]
                    ops::template gemm<T>(ctx, trans::no, trans::yes, batch, 2 * H, H, T(1), r.prev + pos * H,
                                          length * H, w_hh, H, T(0), hg, ld_h);
                ops::for_each(ctx, batch * H, kernels::gru_before_gates<T, H, G>{r.xg, r.hg, r.prev, b, length, pos,
                                                                                  s == 0}, rnn_step_work);
                if (s > 0)  // W_hn (r h), beside r h in hg
                    ops::template gemm<T>(ctx, trans::no, trans::yes, batch, H, H, T(1), hg, ld_h, w_hn, H, T(0),
                                          hg + H, ld_h);
                kernels::rnn_output_slot<T> slot{y, 0, 0, true};
                if constexpr (Out == rnn_output::sequence) slot.stride = length * H, slot.offset = pos * H;
                else slot.stride = H, slot.active = s + 1 == length;
                ops::for_each(ctx, batch * H,
                              kernels::gru_before_step_forward<T, H>{r.xg, r.hg, r.prev, b, slot, length, pos,
                                                                     s + 1 < length ? steps.position(s + 1) : 0,
                                                                     s == 0, s + 1 < length}, rnn_step_work);
            }
        }

        template <class T, class Ctx>
        void backward_before(Ctx& ctx, const T* params, T* grads, const T* x, const T* dy, T* dx, const regions<T>& r,
                             std::size_t batch) const {
            using ops = ops_of<Ctx>;
            const T* w_ih = params;
            const T* w_hh = params + weight_ih_size;
            const T* w_hn = w_hh + 2 * H * H;
            T* g_wih = grads;
            T* g_whh = grads + weight_ih_size;
            T* g_b = g_whh + weight_hh_size;
            const std::size_t ld_x = length * gates, ld_h = length * hg_width;
            ops::fill(ctx, r.dh, T(0), batch * H);
            const detail::rnn_steps steps{length, Dir == rnn_direction::reverse};
            for (std::size_t s = length; s-- > 0;) {
                const std::size_t pos = steps.position(s);
                T* xg = r.xg + pos * gates;
                kernels::rnn_output_slot<const T> slot{dy, 0, 0, true};
                if constexpr (Out == rnn_output::sequence) slot.stride = length * H, slot.offset = pos * H;
                else slot.stride = H, slot.active = s + 1 == length;
                ops::for_each(ctx, batch * H,
                              kernels::gru_before_step_backward<T, H, G>{r.xg, r.prev, r.dh, slot, length, pos, s == 0},
                              rnn_step_work);
                if (s == 0) break;  // h_{-1} = 0: r has no gradient (written above) and there is no earlier dh
                // d(r h) = dn W_hn into hg's second half, then dr and dh += d(r h) r, then dh += [dr | dz] [W_hr; W_hz]
                ops::template gemm<T>(ctx, trans::no, trans::no, batch, H, H, T(1), xg + 2 * H, ld_x, w_hn, H, T(0),
                                      r.hg + pos * hg_width + H, ld_h);
                ops::for_each(ctx, batch * H,
                              kernels::gru_before_reset_backward<T, H, G>{r.xg, r.hg, r.prev, r.dh, length, pos},
                              rnn_step_work);
                ops::template gemm<T>(ctx, trans::no, trans::no, batch, H, 2 * H, T(1), xg, ld_x, w_hh, H, T(1), r.dh,
                                      H);
            }
            // xg holds the pre-activations' gradients (the same for the input and the hidden products): weight_ih and
            // the bias from them; weight_hh's rows r, z with h_{t-1}, its rows n with r * h_{t-1} (hg's first half).
            const std::size_t rows = batch * length;
            ops::template gemm<T>(ctx, trans::yes, trans::no, gates, in_features, rows, T(1), r.xg, gates, x,
                                  in_features, T(1), g_wih, in_features);
            ops::template gemm<T>(ctx, trans::yes, trans::no, 2 * H, H, rows, T(1), r.xg, gates, r.prev, H, T(1), g_whh,
                                  H);
            ops::template gemm<T>(ctx, trans::yes, trans::no, H, H, rows, T(1), r.xg + 2 * H, gates, r.hg, hg_width,
                                  T(1), g_whh + 2 * H * H, H);
            ops::for_each(ctx, gates, kernels::add_bias_gradients<T>{r.xg, g_b, nullptr, rows, gates});
            if (dx == nullptr) return;
            ops::template gemm<T>(ctx, trans::no, trans::no, rows, in_features, gates, T(1), r.xg, gates, w_ih,
                                  in_features, T(0), dx, in_features);
        }
    };
};

}  // namespace helix
