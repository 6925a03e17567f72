// repeat<N>(block): `block` applied N times in sequence, x_{k+1} = block(x_k), with ONE parameter set shared by the N
// applications (ALBERT's cross-layer sharing; EPI-Mind's 4 encoder layers, which share one attention and one
// feed-forward block). The gradients of the N applications add into that set; each application has its own cache and
// its own stored output, so backward is exact. The type is repeated<N, Block>. PyTorch: a module called N times in a
// loop of forward() (`for _ in range(N): x = block(x)`).
//
// per_repeat{layer}: a part of the block that is NOT shared: it has N parameter sets, application k uses set k
// (EPI-Mind's LayerNorms, created inside the Keras loop). It may sit at any depth of seq, residual, named (with_name),
// twin, branches and halves inside the block:
//   repeat<4>(seq{residual{multi_head_attention<8>{0.1f}}, per_repeat{layer_norm{1e-8}},
//                 residual{seq{dense<256>{}, relu{}, dense<72>{}}}, per_repeat{layer_norm{1e-8}}})
// Mechanism: repeat rewrites the block's spec once per application k, turning each per_repeat{layer} into
// "copy k of N" (detail::per_repeat_copy<Layer, k, N>), so each application is its own bound type that knows, at
// compile time, which copy it uses. A per_repeat outside a repeat (or inside a composite repeat does not rewrite, such
// as concat_of, or inside another per_repeat) is one static_assert. per_repeat belongs to the innermost repeat.
//
// Requires: the block's output shape equals its input shape (one static_assert otherwise); N >= 1.
// Parameters: the block's, once, under "block." (or under the block's with_name<> name); a per_repeat part holds its
// N sets one after the other, named "r0." .. "r<N-1>." below the part's own name: EPI-Mind's stack above has
// "block.0.in_proj_weight", ..., "block.1.r0.weight", "block.1.r0.bias", "block.1.r1.weight", ..., "block.2.0.weight".
// Each set is described by the layer itself, so init() and buffers (batch_norm's running statistics,
// param_kind::buffer) treat every copy as they treat the layer alone.
// Cache (per sample): the outputs of applications 0 .. N-2, then each application's cache, then (N > 1) two buffers
// that backward passes the gradient through.
// Inspection (nn/inspect.hpp): the N applications are the children "0" .. "<N-1>" (each one the whole block, with its
// own input, output and cache); a per_repeat part has one child, "r<k>" in application k: the layer with set k.
// EPI-Mind's third layer's attention: find<"encoder.2.0.fn">(net).
// Device-generic: the same code runs on the CPU and on CUDA (it only calls its parts).
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "helix/layers/layer.hpp"
#include "helix/nn/named.hpp"
#include "helix/nn/seq.hpp"

namespace helix {

// Composites repeat looks into (their definitions come with their own headers).
template <class F>
struct residual;
template <class Layer>
struct twin;
template <class A, class B>
struct branches;
template <class A, class B>
struct halves;

template <class Layer>
struct per_repeat;

namespace detail {

// "r<K>" with static storage: the path segment and name part of per_repeat's copy K.
template <std::size_t K>
struct repeat_copy_text {
    static constexpr std::array<char, index_text<K>::digits + 1> text = [] {
        std::array<char, index_text<K>::digits + 1> t{};
        t[0] = 'r';
        for (std::size_t i = 0; i < index_text<K>::digits; ++i) t[i + 1] = index_text<K>::text[i];
        return t;
    }();
    static constexpr std::string_view view{text.data(), text.size()};
};

// per_repeat{layer} as application K of N sees it: N parameter sets of the layer, this application uses set K.
template <class Layer, std::size_t K, std::size_t N>
struct per_repeat_copy {
    Layer layer;

    per_repeat_copy() = default;
    explicit per_repeat_copy(Layer l) : layer(std::move(l)) {}

    template <io_type In>
    struct bind {
        using layer_bound = typename Layer::template bind<In>;
        using input = typename layer_bound::input;
        using output = typename layer_bound::output;
        static constexpr std::size_t copy_size = layer_bound::param_size;  // one set
        static constexpr std::size_t param_size = N * copy_size;
        static constexpr std::size_t cache_size = layer_bound::cache_size;
        static constexpr std::size_t copy = K;

        layer_bound layer;

        bind() = default;
        explicit bind(const per_repeat_copy& spec) : layer(spec.layer) {}

        // A with_name<> layer keeps its name in its parent's paths and parameter names.
        static std::string layer_name()
            requires requires { layer_bound::layer_name(); }
        {
            return layer_bound::layer_name();
        }
        static constexpr std::string_view layer_name_view()
            requires requires { layer_bound::layer_name_view(); }
        {
            return layer_bound::layer_name_view();
        }

        void describe(param_list& pl) const {
            for (std::size_t c = 0; c < N; ++c) {
                std::string part = "r";  // appended, not "r" + to_string: GCC 12 warns falsely (-Wrestrict) on that
                part += std::to_string(c);
                pl.child(part, c * copy_size, [&](param_list& p) { layer.describe(p); });
            }
        }

        // Inspection: one child, the layer with this application's set, "r<K>".
        static constexpr std::size_t children = 1;
        template <std::size_t I>
        static constexpr std::string_view child_name() {
            static_assert(I == 0, "per_repeat: it has one child, child 0 (the layer with this application's set)");
            return repeat_copy_text<K>::view;
        }
        template <std::size_t I, class Self>
        static auto child_ref(const Self& self) {
            static_assert(I == 0, "per_repeat: it has one child, child 0 (the layer with this application's set)");
            using T = typename Self::value_type;
            using D = typename Self::device_type;
            return make_layer_ref<layer_bound, T, D>(self.layer->layer, self.params + K * copy_size, self.input,
                                                     self.output, self.cache, self.batch);
        }

        template <class T, class Ctx>
        void forward(Ctx& ctx, const T* params, view_t<const T, input, device_of<Ctx>> in,
                     view_t<T, output, device_of<Ctx>> out, T* cache) const {
            detail::forward_layer<T>(layer, ctx, params + K * copy_size, in, out, cache);
        }

        template <class T, class Ctx>
        void backward(Ctx& ctx, const T* params, T* grads, view_t<const T, input, device_of<Ctx>> in,
                      view_t<const T, output, device_of<Ctx>> out, view_t<const T, output, device_of<Ctx>> dout,
                      view_t<T, input, device_of<Ctx>> din, T* cache) const {
            detail::backward_layer<T>(layer, ctx, params + K * copy_size, grads + K * copy_size, in, out, dout, din,
                                      cache);
        }
    };
};

// The block's spec as application K of N sees it: every per_repeat{layer} it reaches becomes per_repeat_copy<layer,
// K, N>. Layers it does not look into are kept as they are (a repeat inside keeps its own per_repeat parts).
template <class Spec, std::size_t K, std::size_t N>
struct repeat_rebind {
    using type = Spec;
    static const Spec& apply(const Spec& s) { return s; }
};
template <class Spec, std::size_t K, std::size_t N>
using repeat_rebind_t = typename repeat_rebind<Spec, K, N>::type;

template <class Layer, std::size_t K, std::size_t N>
struct repeat_rebind<per_repeat<Layer>, K, N> {
    using type = per_repeat_copy<Layer, K, N>;
    static type apply(const per_repeat<Layer>& s) { return type(s.layer); }
};
template <class... Ls, std::size_t K, std::size_t N>
struct repeat_rebind<seq<Ls...>, K, N> {
    using type = seq<repeat_rebind_t<Ls, K, N>...>;
    static type apply(const seq<Ls...>& s) {
        return std::apply([](const Ls&... ls) { return type(repeat_rebind<Ls, K, N>::apply(ls)...); }, s.layers);
    }
};
template <class F, std::size_t K, std::size_t N>
struct repeat_rebind<residual<F>, K, N> {
    using type = residual<repeat_rebind_t<F, K, N>>;
    static type apply(const residual<F>& s) { return type(repeat_rebind<F, K, N>::apply(s.fn)); }
};
template <fixed_string Name, class L, std::size_t K, std::size_t N>
struct repeat_rebind<named<Name, L>, K, N> {
    using type = named<Name, repeat_rebind_t<L, K, N>>;
    static type apply(const named<Name, L>& s) { return type(repeat_rebind<L, K, N>::apply(s.layer)); }
};
template <class L, std::size_t K, std::size_t N>
struct repeat_rebind<twin<L>, K, N> {
    using type = twin<repeat_rebind_t<L, K, N>>;
    static type apply(const twin<L>& s) { return type(repeat_rebind<L, K, N>::apply(s.layer)); }
};
template <class A, class B, std::size_t K, std::size_t N>
struct repeat_rebind<branches<A, B>, K, N> {
    using type = branches<repeat_rebind_t<A, K, N>, repeat_rebind_t<B, K, N>>;
    static type apply(const branches<A, B>& s) {
        return type(repeat_rebind<A, K, N>::apply(s.first), repeat_rebind<B, K, N>::apply(s.second));
    }
};
template <class A, class B, std::size_t K, std::size_t N>
struct repeat_rebind<halves<A, B>, K, N> {
    using type = halves<repeat_rebind_t<A, K, N>, repeat_rebind_t<B, K, N>>;
    static type apply(const halves<A, B>& s) {
        return type(repeat_rebind<A, K, N>::apply(s.first), repeat_rebind<B, K, N>::apply(s.second));
    }
};

// The N applications' bound types, as a tuple.
template <class Block, std::size_t N, class In, class Ks>
struct repeat_applications;
template <class Block, std::size_t N, class In, std::size_t... K>
struct repeat_applications<Block, N, In, std::index_sequence<K...>> {
    using type = std::tuple<typename repeat_rebind_t<Block, K, N>::template bind<In>...>;
};

template <class>
inline constexpr bool per_repeat_misplaced = false;

}  // namespace detail

// per_repeat{layer}: see the top of this file. Bound on its own (outside a repeat) it is an error.
template <class Layer>
struct per_repeat {
    Layer layer;

    per_repeat() = default;
    explicit per_repeat(Layer l) : layer(std::move(l)) {}

    template <io_type In>
    struct bind : detail::per_repeat_copy<Layer, 0, 1>::template bind<In> {
        static_assert(detail::per_repeat_misplaced<In>,
                      "per_repeat: this layer is not inside a repeat<N>(block), so it has no application to take its "
                      "own parameters for; put it in the block of a repeat (inside seq, residual, with_name, twin, "
                      "branches or halves: repeat does not look into other composites nor into another per_repeat)");
        using base = typename detail::per_repeat_copy<Layer, 0, 1>::template bind<In>;
        bind() = default;
        explicit bind(const per_repeat& spec) : base(detail::per_repeat_copy<Layer, 0, 1>(spec.layer)) {}
    };
};

template <class Layer>
per_repeat(Layer) -> per_repeat<Layer>;

template <std::size_t N, class Block>
struct repeated {
    static_assert(N > 0, "repeat: the number of applications N must be at least 1");
    Block block;

    repeated() = default;
    explicit repeated(Block b) : block(std::move(b)) {}

    template <io_type In>
    struct bind {
        static constexpr std::size_t count = N > 0 ? N : 1;  // applications (N = 0: the static_assert above)
        using applications =
            typename detail::repeat_applications<Block, count, In, std::make_index_sequence<count>>::type;
        template <std::size_t K>
        using application = std::tuple_element_t<K, applications>;  // application K's bound block

        static constexpr bool keeps_shape =
            std::is_same_v<typename application<0>::output, typename application<0>::input>;
        static_assert(keeps_shape,
                      "repeat: the block's output must have its input's shape (x_{k+1} = block(x_k) feeds each output "
                      "back in); end the block with a layer that restores the input's channels, e.g. dense<C>{} on "
                      "<..., C>");

        using input = typename application<0>::input;
        using output = input;
        static constexpr std::size_t param_size = application<0>::param_size;

    private:
        static constexpr std::size_t io = io_size<input>;
        // Per-sample offsets inside the cache: outputs of applications 0 .. N-2, their caches, two gradient buffers.
        static constexpr std::size_t inter_total = (count - 1) * io;
        template <std::size_t K>
        static constexpr std::size_t cache_offset = [] {
            std::size_t s = inter_total;
            [&]<std::size_t... J>(std::index_sequence<J...>) {
                ((s += application<J>::cache_size), ...);
            }(std::make_index_sequence<K>{});
            return s;
        }();
        static constexpr std::size_t grad_offset = cache_offset<count>;

    public:
        static constexpr std::size_t cache_size = grad_offset + (count > 1 ? 2 * io : 0);

        applications apps;

        bind() = default;
        explicit bind(const repeated& spec) : apps(make(spec.block, std::make_index_sequence<count>{})) {}

        template <std::size_t K>
        const application<K>& get() const noexcept {
            return std::get<K>(apps);
        }

        // Application K's cache inside this layer's cache for a batch.
        template <std::size_t K, class T>
        static T* application_cache(T* cache, std::size_t batch) noexcept {
            return cache + batch * cache_offset<K>;
        }

        void describe(param_list& pl) const {
            using B = application<0>;
            if constexpr (requires { B::layer_name(); })
                pl.child(B::layer_name(), 0, [&](param_list& p) { std::get<0>(apps).describe(p); });
            else
                pl.child("block", 0, [&](param_list& p) { std::get<0>(apps).describe(p); });
        }

        // Inspection: the N applications, "0" .. "<N-1>".
        static constexpr std::size_t children = count;
        template <std::size_t K>
        static constexpr std::string_view child_name() {
            return detail::index_text<K>::view;
        }
        template <std::size_t K, class Self>
        static auto child_ref(const Self& self) {
            using T = typename Self::value_type;
            using D = typename Self::device_type;
            const std::size_t batch = self.batch;
            if constexpr (keeps_shape) {
                const auto in = [&] {
                    if constexpr (K == 0) return self.input;
                    else return view_at<input, const T, D>(self.cache + batch * (K - 1) * io, batch);
                }();
                const auto out = [&] {
                    if constexpr (K == count - 1) return self.output;
                    else return view_at<input, const T, D>(self.cache + batch * K * io, batch);
                }();
                return make_layer_ref<application<K>, T, D>(std::get<K>(self.layer->apps), self.params, in, out,
                                                            self.cache + batch * cache_offset<K>, batch);
            } else {
                return self;  // after the static_assert above
            }
        }

        template <class T, class Ctx>
        void forward(Ctx& ctx, const T* params, view_t<const T, input, device_of<Ctx>> in,
                     view_t<T, output, device_of<Ctx>> out, T* cache) const {
            if constexpr (keeps_shape) {
                using D = device_of<Ctx>;
                const std::size_t batch = in.batch();
                check_batch(batch, out.batch(), "repeat");
                [&]<std::size_t... K>(std::index_sequence<K...>) {
                    (detail::forward_layer<T>(std::get<K>(apps), ctx, params, in_of<K, T, D>(in, cache, batch),
                                              out_of<K, T, D>(out, cache, batch), cache + batch * cache_offset<K>),
                     ...);
                }(std::make_index_sequence<count>{});
            }
        }

        // Applications in reverse order, each adding into the one gradient set.
        template <class T, class Ctx>
        void backward(Ctx& ctx, const T* params, T* grads, view_t<const T, input, device_of<Ctx>> in,
                      view_t<const T, output, device_of<Ctx>> out, view_t<const T, output, device_of<Ctx>> dout,
                      view_t<T, input, device_of<Ctx>> din, T* cache) const {
            if constexpr (keeps_shape) {
                const std::size_t batch = in.batch();
                [&]<std::size_t... R>(std::index_sequence<R...>) {
                    (backward_application<count - 1 - R, T>(ctx, params, grads, in, out, dout, din, cache, batch), ...);
                }(std::make_index_sequence<count>{});
            }
        }

    private:
        template <std::size_t... K>
        static applications make(const Block& block, std::index_sequence<K...>) {
            return applications(application<K>(detail::repeat_rebind<Block, K, count>::apply(block))...);
        }

        template <std::size_t K, class T, class D>
        static auto in_of(view_t<const T, input, D> in, T* cache, std::size_t batch) {
            if constexpr (K == 0) return in;
            else return view_at<input, const T, D>(cache + batch * (K - 1) * io, batch);
        }
        template <std::size_t K, class T, class D>
        static auto out_of(view_t<T, output, D> out, T* cache, std::size_t batch) {
            if constexpr (K == count - 1) return out;
            else return view_at<input, T, D>(cache + batch * K * io, batch);
        }
        // The gradient with respect to the output of application J (J < count - 1) lives in buffer J % 2.
        template <std::size_t J, class T>
        static T* grad_buffer_of(T* cache, std::size_t batch) {
            return cache + batch * (grad_offset + (J % 2) * io);
        }

        template <std::size_t K, class T, class Ctx, class D = device_of<Ctx>>
        void backward_application(Ctx& ctx, const T* params, T* grads, view_t<const T, input, D> in,
                                  view_t<const T, output, D> out, view_t<const T, output, D> dout,
                                  view_t<T, input, D> din, T* cache, std::size_t batch) const {
            const auto app_out = [&] {
                if constexpr (K == count - 1) return out;
                else return view_at<input, const T, D>(cache + batch * K * io, batch);
            }();
            const auto app_dout = [&] {
                if constexpr (K == count - 1) return dout;
                else return view_at<input, const T, D>(grad_buffer_of<K>(cache, batch), batch);
            }();
            const auto app_din = [&] {
                if constexpr (K == 0) return din;
                else return view_at<input, T, D>(grad_buffer_of<K - 1>(cache, batch), batch);
            }();
            detail::backward_layer<T>(std::get<K>(apps), ctx, params, grads, in_of<K, T, D>(in, cache, batch), app_out,
                                      app_dout, app_din, cache + batch * cache_offset<K>);
        }
    };
};

// repeat<N>(block): the spec repeated<N, Block> (N is given, the block's type deduced).
template <std::size_t N, class Block>
repeated<N, Block> repeat(Block block) {
    return repeated<N, Block>(std::move(block));
}

}  // namespace helix
