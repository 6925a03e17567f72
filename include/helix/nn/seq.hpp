// seq<Layers...>: layers applied one after another, each bound to the previous one's output.
//
// seq{conv1d<64, 9>{}, relu{}, max_pool1d<4>{}, flatten{}, dense<1>{}} builds the spec from values (so run-time
// settings such as dropout rates can be given); seq<conv1d<64, 9>, relu, ...> names the same type.
// Bound: parameters are the children's, one after the other, named "0.", "1.", ... (or by named<>); the cache of a seq holds
// every intermediate output, the children's caches, and two buffers that backward passes gradients through.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "helix/layers/layer.hpp"

namespace helix {

namespace detail {
// Binds each layer to the previous output: bound_chain<In, L0, L1, ...>::type = tuple<L0::bind<In>, ...>.
template <class In, class... Ls>
struct bound_chain {
    using type = std::tuple<>;
};
template <class In, class L, class... Rest>
struct bound_chain<In, L, Rest...> {
    using head = typename L::template bind<In>;
    using type = decltype(std::tuple_cat(std::declval<std::tuple<head>>(),
                                         std::declval<typename bound_chain<typename head::output, Rest...>::type>()));
};
}  // namespace detail

template <class... Layers>
struct seq {
    static_assert(sizeof...(Layers) > 0, "seq: give at least one layer");
    std::tuple<Layers...> layers;

    seq() = default;
    explicit seq(Layers... ls) : layers(std::move(ls)...) {}

    template <io_type In>
    struct bind {
        using bound_layers = typename detail::bound_chain<In, Layers...>::type;
        static constexpr std::size_t count = sizeof...(Layers);
        template <std::size_t I>
        using child = std::tuple_element_t<I, bound_layers>;

        using input = typename child<0>::input;
        using output = typename child<count - 1>::output;

    private:
        template <class F, std::size_t... I>
        static constexpr std::size_t sum([[maybe_unused]] F f, std::index_sequence<I...>) {
            return (std::size_t{0} + ... + f(std::integral_constant<std::size_t, I>{}));
        }
        template <std::size_t I>
        static constexpr std::size_t param_offset =
            sum([](auto i) { return child<i>::param_size; }, std::make_index_sequence<I>{});
        // Per-sample offsets inside the cache: intermediates first, then the children's caches, then gradients.
        template <std::size_t I>  // output of child I, for I < count - 1
        static constexpr std::size_t inter_offset =
            sum([](auto i) { return io_size<typename child<i>::output>; }, std::make_index_sequence<I>{});
        static constexpr std::size_t inter_total = inter_offset<count - 1>;
        template <std::size_t I>
        static constexpr std::size_t child_cache_offset =
            inter_total + sum([](auto i) { return child<i>::cache_size; }, std::make_index_sequence<I>{});
        static constexpr std::size_t grad_offset = child_cache_offset<count>;
        static constexpr std::size_t grad_buffer = [] {
            std::size_t m = 0;
            [&]<std::size_t... I>(std::index_sequence<I...>) {
                ((m = std::max(m, io_size<typename child<I>::output>)), ...);
            }(std::make_index_sequence<count - 1>{});
            return m;
        }();

    public:
        static constexpr std::size_t param_size = param_offset<count>;
        static constexpr std::size_t cache_size = grad_offset + (count > 1 ? 2 * grad_buffer : 0);

        bound_layers layers;

        bind() = default;
        explicit bind(const seq& spec)
            : layers(std::apply([](const Layers&... ls) { return bound_layers(ls...); }, spec.layers)) {}

        template <std::size_t I>
        child<I>& get() noexcept {
            return std::get<I>(layers);
        }
        template <std::size_t I>
        const child<I>& get() const noexcept {
            return std::get<I>(layers);
        }

        // Child I's cache inside this layer's cache for a batch (to read what a layer keeps, e.g. attention).
        template <std::size_t I, class T>
        static T* child_cache(T* cache, std::size_t batch) noexcept {
            return cache + batch * child_cache_offset<I>;
        }

        // Inspection (nn/inspect.hpp): child I's input is the previous child's output, kept in this layer's cache.
        static constexpr std::size_t children = count;
        template <std::size_t I>
        static constexpr std::string_view child_name() {
            return detail::part_name_view<child<I>, I>();
        }
        template <std::size_t I, class Self>
        static auto child_ref(const Self& self) {
            using T = typename Self::value_type;
            using D = typename Self::device_type;
            const std::size_t batch = self.batch;
            const auto in = [&] {
                if constexpr (I == 0) return self.input;
                else return view_at<typename child<I>::input, const T, D>(self.cache + batch * inter_offset<I - 1>, batch);
            }();
            const auto out = [&] {
                if constexpr (I == count - 1) return self.output;
                else return view_at<typename child<I>::output, const T, D>(self.cache + batch * inter_offset<I>, batch);
            }();
            return make_layer_ref<child<I>, T, D>(self.layer->template get<I>(), self.params + param_offset<I>, in, out,
                                                  self.cache + batch * child_cache_offset<I>, batch);
        }

        void describe(param_list& pl) const {
            [&]<std::size_t... I>(std::index_sequence<I...>) {
                (pl.child(detail::part_name<child<I>>(I), param_offset<I>, [&](param_list& p) { std::get<I>(layers).describe(p); }),
                 ...);
            }(std::make_index_sequence<count>{});
        }

        template <class T, class Ctx>
        void forward(Ctx& ctx, const T* params, view_t<const T, input, device_of<Ctx>> in,
                     view_t<T, output, device_of<Ctx>> out, T* cache) const {
            const std::size_t batch = in.batch();
            using D = device_of<Ctx>;
            [&]<std::size_t... I>(std::index_sequence<I...>) {
                (detail::forward_layer<T>(std::get<I>(layers), ctx, params + param_offset<I>,
                                          in_of<I, T, D>(in, cache, batch), out_of<I, T, D>(out, cache, batch),
                                          cache + batch * child_cache_offset<I>),
                 ...);
            }(std::make_index_sequence<count>{});
        }

        template <class T, class Ctx>
        void backward(Ctx& ctx, const T* params, T* grads, view_t<const T, input, device_of<Ctx>> in,
                      view_t<const T, output, device_of<Ctx>> out, view_t<const T, output, device_of<Ctx>> dout,
                      view_t<T, input, device_of<Ctx>> din, T* cache) const {
            const std::size_t batch = in.batch();
            [&]<std::size_t... R>(std::index_sequence<R...>) {
                (backward_child<count - 1 - R, T>(ctx, params, grads, in, out, dout, din, cache, batch), ...);
            }(std::make_index_sequence<count>{});
        }

    private:
        template <std::size_t I, class T, class D>
        static auto in_of(view_t<const T, input, D> in, T* cache, std::size_t batch) {
            if constexpr (I == 0) return in;
            else
                return view_at<typename child<I>::input, const T, D>(cache + batch * inter_offset<I - 1>, batch);
        }
        template <std::size_t I, class T, class D>
        static auto out_of(view_t<T, output, D> out, T* cache, std::size_t batch) {
            if constexpr (I == count - 1) return out;
            else return view_at<typename child<I>::output, T, D>(cache + batch * inter_offset<I>, batch);
        }
        // Gradient with respect to the output of child J (J < count - 1) lives in buffer J % 2.
        template <std::size_t J, class T>
        static T* grad_buffer_of(T* cache, std::size_t batch) {
            return cache + batch * (grad_offset + (J % 2) * grad_buffer);
        }

        template <std::size_t I, class T, class Ctx, class D = device_of<Ctx>>
        void backward_child(Ctx& ctx, const T* params, T* grads, view_t<const T, input, D> in,
                            view_t<const T, output, D> out, view_t<const T, output, D> dout, view_t<T, input, D> din,
                            T* cache, std::size_t batch) const {
            using C = child<I>;
            auto child_out = [&] {
                if constexpr (I == count - 1) return out;
                else return view_at<typename C::output, const T, D>(cache + batch * inter_offset<I>, batch);
            }();
            auto child_dout = [&] {
                if constexpr (I == count - 1) return dout;
                else return view_at<typename C::output, const T, D>(grad_buffer_of<I>(cache, batch), batch);
            }();
            auto child_din = [&] {
                if constexpr (I == 0) return din;
                else return view_at<typename C::input, T, D>(grad_buffer_of<I - 1>(cache, batch), batch);
            }();
            detail::backward_layer<T>(std::get<I>(layers), ctx, params + param_offset<I>, grads + param_offset<I>,
                                      in_of<I, T, D>(in, cache, batch), child_out, child_dout, child_din,
                                      cache + batch * child_cache_offset<I>);
        }
    };
};

template <class... Layers>
seq(Layers...) -> seq<Layers...>;

}  // namespace helix
