// bidirectional<RNN> / bidirectional{rnn}: PyTorch's bidirectional=True for one recurrent layer. Two independent
// copies, each with its own parameters: RNN over the sequence as given, and RNN::reversed (the same layer run from
// position L-1 to 0), outputs concatenated on channels:
//   rnn_output::sequence: <L, I> -> <L, 2H>; position t holds [forward h_t | backward state at t] (PyTorch's output)
//   rnn_output::last:     <L, I> -> <2H>, [forward h at L-1 | backward h at position 0] (cat(h_n[0], h_n[1]))
// Requires: RNN a forward-direction rnn spec (lstm<H, out> or gru<H, out>: anything naming `reversed` and giving
// reverse()). Parameters: "forward.*" then "backward.*", the child's names: forward.weight_ih = weight_ih_l0,
// forward.weight_hh = weight_hh_l0, forward.bias_ih = bias_ih_l0, forward.bias_hh = bias_hh_l0, and backward.* =
// the same with _l0_reverse (a Keras-form gru, reset_gate::before, has one forward.bias / backward.bias of 3H, as
// Keras' GRU). Input gradients of both directions add. Inspection: children "forward" and "backward"
// (their outputs live in this layer's cache).
#pragma once

#include <cstddef>
#include <string_view>
#include <type_traits>

#include "helix/backend/cpu/ops.hpp"
#include "helix/kernels/recurrent.hpp"
#include "helix/layers/layer.hpp"
#include "helix/layers/recurrent/rnn.hpp"

namespace helix {

namespace detail {
template <class L>
concept reversible_rnn = requires(const L& l) {
    typename L::reversed;
    { L::direction } -> std::convertible_to<rnn_direction>;
    l.reverse();
};
template <class L, bool = reversible_rnn<L>>
struct reversed_or_self {
    using type = L;
};
template <class L>
struct reversed_or_self<L, true> {
    using type = typename L::reversed;
};
template <class L>
constexpr bool is_forward_rnn() {
    if constexpr (reversible_rnn<L>) return L::direction == rnn_direction::forward;
    else return true;
}
// What bidirectional binds in place of its directions when it is misused, so that its static_assert is the only
// error reported.
struct rnn_stand_in {
    template <io_type In>
    struct bind {
        using input = In;
        using output = shape<1, 1>;
        static constexpr std::size_t param_size = 0;
        static constexpr std::size_t cache_size = 0;
        bind() = default;
        explicit bind(const rnn_stand_in&) {}
        void describe(param_list&) const {}
        template <class T, class Ctx, class... Views>
        void forward(Ctx&, const T*, Views...) const {}
        template <class T, class Ctx, class... Views>
        void backward(Ctx&, const T*, T*, Views...) const {}
    };
};
}  // namespace detail

template <class RNN>
struct bidirectional {
    RNN rnn;

    bidirectional() = default;
    explicit bidirectional(RNN r) : rnn(r) {}

    template <io_type In>
    struct bind {
        static_assert(detail::reversible_rnn<RNN>,
                      "bidirectional: the layer has no reversed direction; bidirectional takes a recurrent layer "
                      "(lstm<H, rnn_output> or gru<H, rnn_output>)");
        static_assert(detail::is_forward_rnn<RNN>(),
                      "bidirectional: give the forward-direction layer (lstm<H, out>, not rnn_direction::reverse); "
                      "bidirectional makes the reversed copy itself");
        static_assert(is_shape_v<In>,
                      "bidirectional: input is a pair of tensors; bidirectional takes one <length, channels> tensor "
                      "(wrap it in twin<> to run the same recurrent layers over both halves, or halves<> for one each)");
        static_assert(!is_shape_v<In> || detail::shape_or<In>::rank == 2,
                      "bidirectional: input must be one <length, channels> tensor (a sequence of feature vectors)");

    private:
        static constexpr bool valid = detail::reversible_rnn<RNN> && detail::is_forward_rnn<RNN>() && is_shape_v<In> &&
                                      detail::shape_or<In>::rank == 2;
        using in_shape = std::conditional_t<valid, detail::shape_or<In>, shape<1, 1>>;
        using forward_spec = std::conditional_t<valid, RNN, detail::rnn_stand_in>;
        using backward_spec = std::conditional_t<valid, typename detail::reversed_or_self<RNN>::type,
                                                 detail::rnn_stand_in>;

    public:
        using forward_bound = typename forward_spec::template bind<in_shape>;
        using backward_bound = typename backward_spec::template bind<in_shape>;
        using child_output = typename forward_bound::output;
        static_assert(!valid || std::is_same_v<child_output, typename backward_bound::output>,
                      "bidirectional: the two directions must give the same output shape");
        using input = in_shape;
        using output = with_last<child_output, 2 * child_output::last>;
        static constexpr std::size_t child_out = io_size<child_output>;
        static constexpr std::size_t param_size = forward_bound::param_size + backward_bound::param_size;

    private:
        // Per-sample cache: both directions' outputs, their caches, then the split output gradient and the backward
        // direction's input gradient (added to the forward one's).
        static constexpr std::size_t backward_out_offset = child_out;
        static constexpr std::size_t forward_cache_offset = 2 * child_out;
        static constexpr std::size_t backward_cache_offset = forward_cache_offset + forward_bound::cache_size;
        static constexpr std::size_t dout_offset = backward_cache_offset + backward_bound::cache_size;
        static constexpr std::size_t din_offset = dout_offset + 2 * child_out;

    public:
        static constexpr std::size_t cache_size = din_offset + io_size<in_shape>;

        forward_bound forward_rnn;
        backward_bound backward_rnn;

        bind() = default;
        explicit bind(const bidirectional& spec) : forward_rnn(forward_of(spec)), backward_rnn(backward_of(spec)) {}

        void describe(param_list& pl) const {
            pl.child("forward", 0, [&](param_list& p) { forward_rnn.describe(p); });
            pl.child("backward", forward_bound::param_size, [&](param_list& p) { backward_rnn.describe(p); });
        }

        // Inspection (nn/inspect.hpp): "forward" and "backward", each with its own output (in this layer's cache).
        static constexpr std::size_t children = 2;
        template <std::size_t I>
        static constexpr std::string_view child_name() {
            return I == 0 ? std::string_view("forward") : std::string_view("backward");
        }
        template <std::size_t I, class Self>
        static auto child_ref(const Self& self) {
            using T = typename Self::value_type;
            using D = typename Self::device_type;
            const std::size_t b = self.batch;
            if constexpr (I == 0)
                return make_layer_ref<forward_bound, T, D>(self.layer->forward_rnn, self.params, self.input,
                                                           view_at<child_output, const T, D>(self.cache, b),
                                                           self.cache + b * forward_cache_offset, b);
            else
                return make_layer_ref<backward_bound, T, D>(
                    self.layer->backward_rnn, self.params + forward_bound::param_size, self.input,
                    view_at<child_output, const T, D>(self.cache + b * backward_out_offset, b),
                    self.cache + b * backward_cache_offset, b);
        }

        template <class T, class Ctx>
        void forward(Ctx& ctx, const T* params, view_t<const T, input, device_of<Ctx>> in,
                     view_t<T, output, device_of<Ctx>> out, T* cache) const {
            using D = device_of<Ctx>;
            const std::size_t batch = in.batch();
            check_batch(batch, out.batch(), "bidirectional");
            T* f_out = cache;
            T* b_out = cache + batch * backward_out_offset;
            detail::forward_layer<T>(forward_rnn, ctx, params, in, view_at<child_output, T, D>(f_out, batch),
                                     cache + batch * forward_cache_offset);
            detail::forward_layer<T>(backward_rnn, ctx, params + forward_bound::param_size, in,
                                     view_at<child_output, T, D>(b_out, batch), cache + batch * backward_cache_offset);
            constexpr std::size_t c = child_output::last;
            ops_of<Ctx>::for_each(ctx, out.size(), kernels::concat_channels<T>{f_out, b_out, out.data(), c, c});
        }

        template <class T, class Ctx>
        void backward(Ctx& ctx, const T* params, T* grads, view_t<const T, input, device_of<Ctx>> in,
                      view_t<const T, output, device_of<Ctx>>, view_t<const T, output, device_of<Ctx>> dout,
                      view_t<T, input, device_of<Ctx>> din, T* cache) const {
            using D = device_of<Ctx>;
            const std::size_t batch = in.batch();
            const T* f_out = cache;
            const T* b_out = cache + batch * backward_out_offset;
            T* f_dout = cache + batch * dout_offset;
            T* b_dout = f_dout + batch * child_out;
            T* b_din = cache + batch * din_offset;
            constexpr std::size_t c = child_output::last;
            ops_of<Ctx>::for_each(ctx, dout.size(), kernels::split_channels<T>{dout.data(), f_dout, b_dout, c, c});
            detail::backward_layer<T>(forward_rnn, ctx, params, grads, in,
                                      view_at<child_output, const T, D>(f_out, batch),
                                      view_at<child_output, const T, D>(static_cast<const T*>(f_dout), batch), din,
                                      cache + batch * forward_cache_offset);
            detail::backward_layer<T>(backward_rnn, ctx, params + forward_bound::param_size,
                                      grads + forward_bound::param_size, in,
                                      view_at<child_output, const T, D>(b_out, batch),
                                      view_at<child_output, const T, D>(static_cast<const T*>(b_dout), batch),
                                      din.empty() ? view_t<T, input, D>{} : view_at<input, T, D>(b_din, batch),
                                      cache + batch * backward_cache_offset);
            if (!din.empty()) ops_of<Ctx>::add(ctx, din.data(), static_cast<const T*>(b_din), din.size());
        }

    private:
        static const forward_spec& forward_of(const bidirectional& spec) {
            if constexpr (valid) return spec.rnn;
            else return stand_in();
        }
        static backward_spec backward_of(const bidirectional& spec) {
            if constexpr (valid) return spec.rnn.reverse();
            else return stand_in();
        }
        static const detail::rnn_stand_in& stand_in() {
            static const detail::rnn_stand_in s{};
            return s;
        }
    };
};

template <class RNN>
bidirectional(RNN) -> bidirectional<RNN>;

}  // namespace helix
