// residual<F> / residual{f}: a residual connection, x + f(x), for a layer f that keeps its input's shape
// (one tensor or a pair: a pair adds half by half). PyTorch: `x + f(x)` in a module's forward.
// Parameters: f's own, under f's own names: residual adds no path segment, so residual{with_name<"attn">(a)} names
// them "attn.*" and residual{dense<8>{}} inside a seq at position 2 names them "2.weight", "2.bias".
// Cache: f's output (f's backward may read it), then f's cache. Backward: din = dout + (f's input gradient).
// Inspection: one child, named by f's named<> name, otherwise "fn".
#pragma once

#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

#include "helix/backend/cpu/ops.hpp"
#include "helix/kernels/merge.hpp"
#include "helix/layers/layer.hpp"

namespace helix {

template <class F>
struct residual {
    F fn;

    residual() = default;
    explicit residual(F f) : fn(std::move(f)) {}

    template <io_type In>
    struct bind {
        using fn_bound = typename F::template bind<In>;
        static constexpr bool keeps_shape = std::is_same_v<typename fn_bound::output, typename fn_bound::input>;
        static_assert(keeps_shape,
                      "residual: the wrapped layer must keep its input's shape (x + f(x) needs f(x) shaped like x); "
                      "give f as many outputs as inputs, e.g. residual{dense<C>{}} on <..., C>");

        using input = typename fn_bound::input;
        using output = input;
        static constexpr std::size_t param_size = fn_bound::param_size;
        static constexpr std::size_t fn_output_size = io_size<typename fn_bound::output>;
        static constexpr std::size_t cache_size = fn_output_size + fn_bound::cache_size;

        fn_bound fn;

        bind() = default;
        explicit bind(const residual& spec) : fn(spec.fn) {}

        void describe(param_list& pl) const {
            if constexpr (requires { fn_bound::layer_name(); })
                pl.child(fn_bound::layer_name(), 0, [&](param_list& p) { fn.describe(p); });
            else
                fn.describe(pl);
        }

        // f's cache inside this layer's cache for a batch.
        template <class T>
        static T* fn_cache(T* cache, std::size_t batch) noexcept {
            return cache + batch * fn_output_size;
        }

        // Inspection (layers/layer.hpp): the one child, f.
        static constexpr std::size_t children = 1;
        template <std::size_t I>
        static constexpr std::string_view child_name() {
            static_assert(I == 0, "residual: it has one child, child 0 (the wrapped layer)");
            if constexpr (requires { fn_bound::layer_name_view(); }) return fn_bound::layer_name_view();
            else return "fn";
        }
        template <std::size_t I, class Self>
        static auto child_ref(const Self& self) {
            static_assert(I == 0, "residual: it has one child, child 0 (the wrapped layer)");
            using T = typename Self::value_type;
            using D = typename Self::device_type;
            return make_layer_ref<fn_bound, T, D>(self.layer->fn, self.params, self.input,
                                                  view_at<typename fn_bound::output, const T, D>(self.cache, self.batch),
                                                  fn_cache(self.cache, self.batch), self.batch);
        }

        template <class T, class Ctx>
        void forward(Ctx& ctx, const T* params, view_t<const T, input, device_of<Ctx>> in,
                     view_t<T, output, device_of<Ctx>> out, T* cache) const {
            if constexpr (keeps_shape) {
                using D = device_of<Ctx>;
                const std::size_t batch = in.batch();
                check_batch(batch, out.batch(), "residual");
                const auto f_out = view_at<typename fn_bound::output, T, D>(cache, batch);
                detail::forward_layer<T>(fn, ctx, params, in, f_out, fn_cache(cache, batch));
                sum_all(ctx, in, view_t<const T, output, D>(f_out), out);
            }
        }

        template <class T, class Ctx>
        void backward(Ctx& ctx, const T* params, T* grads, view_t<const T, input, device_of<Ctx>> in,
                      view_t<const T, output, device_of<Ctx>>, view_t<const T, output, device_of<Ctx>> dout,
                      view_t<T, input, device_of<Ctx>> din, T* cache) const {
            if constexpr (keeps_shape) {
                using D = device_of<Ctx>;
                const std::size_t batch = in.batch();
                const auto f_out = view_at<typename fn_bound::output, const T, D>(cache, batch);
                detail::backward_layer<T>(fn, ctx, params, grads, in, f_out, dout, din, fn_cache(cache, batch));
                if (!din.empty()) add_all(ctx, din, dout);  // the identity path
            }
        }

    private:
        template <class Ctx, class A, class B, class O>
        static void sum_all(Ctx& ctx, A a, B b, O out) {
            if constexpr (requires { out.first; }) {
                sum_all(ctx, a.first, b.first, out.first);
                sum_all(ctx, a.second, b.second, out.second);
            } else {
                using T = std::remove_cvref_t<decltype(*out.data())>;
                ops_of<Ctx>::for_each(ctx, out.size(), kernels::sum_of<T>{a.data(), b.data(), out.data()});
            }
        }
        template <class Ctx, class Dst, class Src>
        static void add_all(Ctx& ctx, Dst dst, Src src) {
            if constexpr (requires { dst.first; }) {
                add_all(ctx, dst.first, src.first);
                add_all(ctx, dst.second, src.second);
            } else {
                ops_of<Ctx>::add(ctx, dst.data(), src.data(), dst.size());
            }
        }
    };
};

template <class F>
residual(F) -> residual<F>;

}  // namespace helix
