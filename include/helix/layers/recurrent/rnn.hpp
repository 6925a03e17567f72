// What the recurrent layers (lstm.hpp, gru.hpp) share: which outputs they return and which way they run.
//   rnn_output::sequence   every hidden state h_t: <L, I> -> <L, H> (PyTorch's `output`, batch_first)
//   rnn_output::last       the final hidden state only: <L, I> -> <H> (PyTorch's h_n of that direction)
//   rnn_direction::reverse runs from position L-1 down to 0 (PyTorch's `_reverse` direction): position t of the
//                          sequence output holds the state after reading positions L-1 .. t, and `last` is the
//                          state after position 0. bidirectional<> (nn/bidirectional.hpp) builds one of each.
// The Keras forms (the enums are in kernels/recurrent.hpp, whose step kernels take them):
//   gate_activation::sigmoid       PyTorch's gates (and Keras >= 2.3's recurrent_activation='sigmoid')
//   gate_activation::hard_sigmoid  clip(0.2 x + 0.5, 0, 1) for the gates (LSTM i, f, o; GRU r, z), never for the
//                                  tanh of the candidate or the cell: Keras 1 and Keras <= 2.2's default
//                                  recurrent_activation; its derivative is 0.2 strictly inside (-2.5, 2.5), else 0
//   reset_gate::after              GRU: r multiplies W_hn h + b_hn (PyTorch, cuDNN, Keras reset_after=True)
//   reset_gate::before             GRU: r multiplies h before the product, n = tanh(W_in x + W_hn (r h) + b_n), one
//                                  bias of 3H (Keras' reset_after=False, the Keras 2.x default)
// An rnn spec names its opposite direction, with the same options, as `reversed` and makes it with reverse();
// bidirectional relies on that.
#pragma once

#include <algorithm>
#include <cstddef>
#include <type_traits>
#include <vector>

#include "helix/core/device.hpp"
#include "helix/core/error.hpp"
#include "helix/core/parallel_for.hpp"
#include "helix/kernels/recurrent.hpp"

namespace helix {

enum class rnn_output { sequence, last };
enum class rnn_direction { forward, reverse };

// About the operations of one index of a time step's gate functor (a few exponentials), for ops<cpu>::for_each.
inline constexpr std::size_t rnn_step_work = 40;

constexpr rnn_direction opposite(rnn_direction d) noexcept {
    return d == rnn_direction::forward ? rnn_direction::reverse : rnn_direction::forward;
}

namespace detail {
// The position read at step s of a run over `length` positions, forward or reversed.
struct rnn_steps {
    std::size_t length;
    bool reverse;
    constexpr std::size_t position(std::size_t s) const noexcept { return reverse ? length - 1 - s : s; }
};

// run(part, first, count) over the batch. On the CPU the batch is split into one contiguous share per thread and each
// share runs the whole recurrence on its thread (its products and loops single-threaded inside the parallel region):
// one fork and one barrier per layer instead of two per time step, which on a machine shared with other work decides
// the speed (a barrier can wait a whole time slice for a descheduled thread). Elsewhere (CUDA) one call does it all.
// Returns the number of parts (1 when not split).
template <class Ctx>
std::size_t batch_shares(const Ctx& ctx, std::size_t batch) {
    if constexpr (std::is_same_v<device_of<Ctx>, cpu>) return std::max<std::size_t>(1, std::min<std::size_t>(batch, std::size_t(ctx.threads())));
    else return 1;
}

template <class Ctx, class F>
std::size_t over_batch_shares(Ctx& ctx, std::size_t batch, const F& run) {
    if constexpr (std::is_same_v<device_of<Ctx>, cpu>) {
        const std::size_t parts = batch_shares(ctx, batch);
        if (parts > 1) {
            parallel_for(ctx, parts, [&](std::size_t p) {
                const std::size_t first = p * batch / parts;
                run(p, first, (p + 1) * batch / parts - first);
            });
            return parts;
        }
    }
    run(std::size_t{0}, std::size_t{0}, batch);
    return 1;
}

// forward and backward of a recurrent layer R (lstm, gru) over the batch's shares: R gives cache_regions(cache, batch),
// share_of(regions, first), forward_share and backward_share (one share's samples, contiguous in every region).
template <class R, class T, class Ctx, class In, class Out>
void rnn_forward(const R& layer, Ctx& ctx, const T* params, In in, Out out, T* cache, const char* name) {
    check_batch(in.batch(), out.batch(), name);
    const std::size_t batch = in.batch();
    if (batch == 0) return;
    const auto r = R::cache_regions(cache, batch);
    over_batch_shares(ctx, batch, [&](std::size_t, std::size_t first, std::size_t count) {
        layer.template forward_share<T>(ctx, params, in.data() + first * R::input::size,
                                        out.data() + first * R::output::size, R::share_of(r, first), count);
    });
}

template <class T>
struct share_gradients;

template <class R, class T, class Ctx, class In, class Out, class DIn>
void rnn_backward(const R& layer, Ctx& ctx, const T* params, T* grads, In in, Out dout, DIn din, T* cache) {
    const std::size_t batch = in.batch();
    if (batch == 0) return;
    const auto r = R::cache_regions(cache, batch);
    share_gradients<T> shares(R::param_size, batch_shares(ctx, batch));
    over_batch_shares(ctx, batch, [&](std::size_t part, std::size_t first, std::size_t count) {
        layer.template backward_share<T>(ctx, params, shares.of(part, grads), in.data() + first * R::input::size,
                                         dout.data() + first * R::output::size,
                                         din.empty() ? nullptr : din.data() + first * R::input::size,
                                         R::share_of(r, first), count);
    });
    shares.add_into(grads);
}

// The parts' parameter gradients, summed into grads in part order (deterministic for a given thread count).
template <class T>
struct share_gradients {
    std::size_t size, parts;
    std::vector<T> partial;
    share_gradients(std::size_t param_size, std::size_t parts_) : size(param_size), parts(parts_) {
        if (parts > 1) partial.assign(parts * size, T(0));
    }
    T* of(std::size_t part, T* grads) { return parts > 1 ? partial.data() + part * size : grads; }
    void add_into(T* grads) const {
        if (parts < 2) return;
        for (std::size_t p = 0; p < parts; ++p)
            for (std::size_t i = 0; i < size; ++i) grads[i] += partial[p * size + i];
    }
};
}  // namespace detail

}  // namespace helix
