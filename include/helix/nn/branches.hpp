// branches<A, B>: two layers applied to the same input: X -> pair_of<A(X), B(X)>. Runs two heads on one trunk,
// or two attention directions on one pair. Parameters: A's, then B's (named "0." and "1.", or by named<>).
// Backward adds both layers' input gradients.
#pragma once

#include <string_view>
#include <utility>

#include "helix/layers/layer.hpp"

namespace helix {

template <class A, class B>
struct branches {
    A first;
    B second;

    branches() = default;
    branches(A a, B b) : first(std::move(a)), second(std::move(b)) {}

    template <io_type In>
    struct bind {
        using first_bound = typename A::template bind<In>;
        using second_bound = typename B::template bind<In>;
        using input = In;
        using output = pair_of<typename first_bound::output, typename second_bound::output>;
        static constexpr std::size_t param_size = first_bound::param_size + second_bound::param_size;
        // The two caches, then room for the second layer's input gradient before it is added to the first's.
        static constexpr std::size_t cache_size = first_bound::cache_size + second_bound::cache_size + io_size<In>;

        first_bound first;
        second_bound second;

        bind() = default;
        explicit bind(const branches& spec) : first(spec.first), second(spec.second) {}

        // The first (I = 0) or second (I = 1) layer's cache inside this layer's cache for a batch.
        template <std::size_t I, class T>
        static T* child_cache(T* cache, std::size_t batch) noexcept {
            static_assert(I < 2, "branches: child_cache<0> is the first layer's, child_cache<1> the second's");
            return I == 0 ? cache : cache + batch * first_bound::cache_size;
        }

        void describe(param_list& pl) const {
            pl.child(detail::part_name<first_bound>(0), 0, [&](param_list& p) { first.describe(p); });
            pl.child(detail::part_name<second_bound>(1), first_bound::param_size, [&](param_list& p) { second.describe(p); });
        }

        // Inspection (nn/inspect.hpp): both layers read this layer's input; "0" and "1" (or their names) in paths.
        static constexpr std::size_t children = 2;
        template <std::size_t I>
        static constexpr std::string_view child_name() {
            if constexpr (I == 0) return detail::part_name_view<first_bound, 0>();
            else return detail::part_name_view<second_bound, 1>();
        }
        template <std::size_t I, class Self>
        static auto child_ref(const Self& self) {
            using T = typename Self::value_type;
            using D = typename Self::device_type;
            if constexpr (I == 0)
                return make_layer_ref<first_bound, T, D>(self.layer->first, self.params, self.input, self.output.first,
                                                         self.cache, self.batch);
            else
                return make_layer_ref<second_bound, T, D>(self.layer->second, self.params + first_bound::param_size,
                                                          self.input, self.output.second,
                                                          self.cache + self.batch * first_bound::cache_size, self.batch);
        }

        template <class T, class Ctx>
        void forward(Ctx& ctx, const T* params, view_t<const T, input, device_of<Ctx>> in,
                     view_t<T, output, device_of<Ctx>> out, T* cache) const {
            const std::size_t batch = in.batch();
            detail::forward_layer<T>(first, ctx, params, in, out.first, cache);
            detail::forward_layer<T>(second, ctx, params + first_bound::param_size, in, out.second,
                                     cache + batch * first_bound::cache_size);
        }

        template <class T, class Ctx>
        void backward(Ctx& ctx, const T* params, T* grads, view_t<const T, input, device_of<Ctx>> in,
                      view_t<const T, output, device_of<Ctx>> out, view_t<const T, output, device_of<Ctx>> dout,
                      view_t<T, input, device_of<Ctx>> din, T* cache) const {
            using D = device_of<Ctx>;
            const std::size_t batch = in.batch();
            T* second_cache = cache + batch * first_bound::cache_size;
            T* scratch = second_cache + batch * second_bound::cache_size;
            detail::backward_layer<T>(first, ctx, params, grads, in, out.first, dout.first, din, cache);
            detail::backward_layer<T>(second, ctx, params + first_bound::param_size, grads + first_bound::param_size,
                                      in, out.second, dout.second,
                                      din.empty() ? view_t<T, input, D>{} : view_at<input, T, D>(scratch, batch),
                                      second_cache);
            if (!din.empty()) add_into(ctx, din, view_at<input, const T, D>(scratch, batch));
        }

    private:
        template <class Ctx, class V, class W>
        static void add_into(Ctx& ctx, V dst, W src) {
            if constexpr (requires { dst.first; }) {
                add_into(ctx, dst.first, src.first);
                add_into(ctx, dst.second, src.second);
            } else if constexpr (std::is_same_v<device_of<Ctx>, cpu>) {
                for (std::size_t i = 0; i < dst.size(); ++i) dst[i] += src[i];
            } else {
                device_ops<device_of<Ctx>>::add(ctx, dst.data(), src.data(), dst.size());
            }
        }
    };
};

template <class A, class B>
branches(A, B) -> branches<A, B>;

}  // namespace helix
