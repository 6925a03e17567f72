// halves<A, B>: a pair with a layer for each half: pair_of<X, Y> -> pair_of<A(X), B(Y)>, each layer with
// its own parameters (twin<L> is the shared-parameter case). Parameters: A's, then B's.
// swap_halves: pair_of<X, Y> -> pair_of<Y, X>, so one attention layer can look in either direction.
#pragma once

#include <algorithm>
#include <string_view>
#include <utility>

#include "helix/layers/layer.hpp"

namespace helix {

template <class A, class B>
struct halves {
    A first;
    B second;

    halves() = default;
    halves(A a, B b) : first(std::move(a)), second(std::move(b)) {}

    template <io_type In>
    struct bind {
        static_assert(is_pair_v<In>, "halves: input is a single tensor; halves<A, B> takes a pair_of<X, Y>");

    private:
        using pair_in = detail::pair_or<In, pair_of<shape<1, 1>, shape<1, 1>>>;

    public:
        using first_bound = typename A::template bind<typename pair_in::first_type>;
        using second_bound = typename B::template bind<typename pair_in::second_type>;
        using input = pair_of<typename first_bound::input, typename second_bound::input>;
        using output = pair_of<typename first_bound::output, typename second_bound::output>;
        static constexpr std::size_t param_size = first_bound::param_size + second_bound::param_size;
        static constexpr std::size_t cache_size = first_bound::cache_size + second_bound::cache_size;

        first_bound first;
        second_bound second;

        bind() = default;
        explicit bind(const halves& spec) : first(spec.first), second(spec.second) {}

        void describe(param_list& pl) const {
            pl.child(detail::part_name<first_bound>(0), 0, [&](param_list& p) { first.describe(p); });
            pl.child(detail::part_name<second_bound>(1), first_bound::param_size, [&](param_list& p) { second.describe(p); });
        }

        // Inspection (nn/inspect.hpp): the layers of the two halves, "0" and "1" (or their names) in paths.
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
                return make_layer_ref<first_bound, T, D>(self.layer->first, self.params, self.input.first,
                                                         self.output.first, self.cache, self.batch);
            else
                return make_layer_ref<second_bound, T, D>(self.layer->second, self.params + first_bound::param_size,
                                                          self.input.second, self.output.second,
                                                          self.cache + self.batch * first_bound::cache_size, self.batch);
        }

        template <class T, class Ctx>
        void forward(Ctx& ctx, const T* params, view_t<const T, input, device_of<Ctx>> in,
                     view_t<T, output, device_of<Ctx>> out, T* cache) const {
            detail::forward_layer<T>(first, ctx, params, in.first, out.first, cache);
            detail::forward_layer<T>(second, ctx, params + first_bound::param_size, in.second, out.second,
                                     cache + in.batch() * first_bound::cache_size);
        }

        template <class T, class Ctx>
        void backward(Ctx& ctx, const T* params, T* grads, view_t<const T, input, device_of<Ctx>> in,
                      view_t<const T, output, device_of<Ctx>> out, view_t<const T, output, device_of<Ctx>> dout,
                      view_t<T, input, device_of<Ctx>> din, T* cache) const {
            detail::backward_layer<T>(first, ctx, params, grads, in.first, out.first, dout.first, din.first, cache);
            detail::backward_layer<T>(second, ctx, params + first_bound::param_size, grads + first_bound::param_size,
                                      in.second, out.second, dout.second, din.second,
                                      cache + in.batch() * first_bound::cache_size);
        }
    };
};

template <class A, class B>
halves(A, B) -> halves<A, B>;

struct swap_halves {
    template <io_type In>
    struct bind : parameterless {
        static_assert(is_pair_v<In>, "swap_halves: input is a single tensor; swap_halves exchanges the halves of a pair_of<X, Y>");
        using input = detail::pair_or<In>;
        using output = pair_of<typename input::second_type, typename input::first_type>;
        static constexpr std::size_t cache_size = 0;
        using spec = swap_halves;

        bind() = default;
        explicit bind(const swap_halves&) {}

        template <class T>
        void forward(const cpu_context&, const T*, view_t<const T, input> in, view_t<T, output> out, T*) const {
            std::copy(in.first.data(), in.first.data() + in.first.size(), out.second.data());
            std::copy(in.second.data(), in.second.data() + in.second.size(), out.first.data());
        }
        template <class T>
        void backward(const cpu_context&, const T*, T*, view_t<const T, input>, view_t<const T, output>,
                      view_t<const T, output> dout, view_t<T, input> din, T*) const {
            if (din.empty()) return;
            std::copy(dout.second.data(), dout.second.data() + dout.second.size(), din.first.data());
            std::copy(dout.first.data(), dout.first.data() + dout.first.size(), din.second.data());
        }
    };
};

}  // namespace helix
