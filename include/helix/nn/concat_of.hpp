// concat_of<axis, L...>: several layers applied to the same input, their outputs joined along `axis`:
// X -> concat(l1(X), l2(X), ...) (torch.cat([l1(x), l2(x), ...], dim=1 for axis::length, dim=-1 for
// axis::channels)). The input may be one tensor or a pair; each layer must give one tensor, and the outputs must
// agree on every axis but the joined one (on rank-1 vectors both axes join the vectors). Input gradients add.
//
// Written as a type, concat_of<axis::channels, first_half, second_half, subtract, multiply> (EPI-DLMH's
// matching features [e, p, e - p, e * p]); as a value, with the axis as a first argument (C++ cannot deduce
// the remaining template arguments once one is given in angle brackets):
//   concat_of{along<axis::channels>, dot{}, abs_difference{}}                   EPI-Mind's [e . p, |e - p|]
// Parameters: the layers', in order, named "0.", "1.", ... (or by named<>). Cache: every layer's output, their
// caches, and two gradient buffers. Inspection: the layers as children "0", "1", ... (or their names).
#pragma once

#include <algorithm>
#include <cstddef>
#include <string_view>
#include <tuple>
#include <utility>

#include "helix/backend/cpu/ops.hpp"
#include "helix/kernels/merge.hpp"
#include "helix/layers/layer.hpp"
#include "helix/layers/merge/concat.hpp"

namespace helix {

// The axis of concat_of as a value: concat_of{along<axis::length>, a, b}.
template <axis A>
struct along_t {
    static constexpr axis value = A;
};
template <axis A>
inline constexpr along_t<A> along{};

template <axis Axis, class... Layers>
struct concat_of {
    static_assert(sizeof...(Layers) > 0, "concat_of: give at least one layer");
    std::tuple<Layers...> layers;

    concat_of() = default;
    explicit concat_of(along_t<Axis>, Layers... ls) : layers(std::move(ls)...) {}

    template <io_type In>
    struct bind {
        using bound_layers = std::tuple<typename Layers::template bind<In>...>;
        static constexpr std::size_t count = sizeof...(Layers);
        template <std::size_t I>
        using child = std::tuple_element_t<I, bound_layers>;

    private:
        using joined = detail::concat_shapes<Axis, typename Layers::template bind<In>::output...>;
        static_assert(joined::all_shapes,
                      "concat_of: every layer must give one tensor, but one gives a pair (merge its halves first, "
                      "e.g. with concat<axis>, add or dot)");
        static_assert(!joined::all_shapes || joined::same_rank,
                      "concat_of: the layers' outputs must have the same rank (flatten the ones that differ)");
        static_assert(!joined::all_shapes || !joined::same_rank || joined::others_match,
                      "concat_of: the layers' outputs must have equal extents on every axis but the joined one "
                      "(axis::channels needs equal lengths, axis::length equal channels)");

        template <class F, std::size_t... I>
        static constexpr std::size_t sum([[maybe_unused]] F f, std::index_sequence<I...>) {
            return (std::size_t{0} + ... + f(std::integral_constant<std::size_t, I>{}));
        }
        template <std::size_t I>
        static constexpr std::size_t param_offset =
            sum([](auto i) { return child<i>::param_size; }, std::make_index_sequence<I>{});
        // Per-sample cache layout: the outputs, the children's caches, a gradient buffer for one output, one for
        // the input (when there are several layers).
        template <std::size_t I>
        static constexpr std::size_t out_offset =
            sum([](auto i) { return io_size<typename child<i>::output>; }, std::make_index_sequence<I>{});
        template <std::size_t I>
        static constexpr std::size_t cache_offset =
            out_offset<count> + sum([](auto i) { return child<i>::cache_size; }, std::make_index_sequence<I>{});
        static constexpr std::size_t dout_offset = cache_offset<count>;
        static constexpr std::size_t largest_output = [] {
            std::size_t m = 0;
            [&]<std::size_t... I>(std::index_sequence<I...>) {
                ((m = std::max(m, io_size<typename child<I>::output>)), ...);
            }(std::make_index_sequence<count>{});
            return m;
        }();
        static constexpr std::size_t din_offset = dout_offset + largest_output;
        template <std::size_t I>
        static constexpr std::size_t block_offset =  // where child I's values start in a row of the output
            sum([](auto i) { return joined::template width<typename child<i>::output>; }, std::make_index_sequence<I>{});

    public:
        using input = In;
        using output = typename joined::type;
        static constexpr std::size_t param_size = param_offset<count>;
        static constexpr std::size_t cache_size = din_offset + (count > 1 ? io_size<In> : 0);

        bound_layers layers;

        bind() = default;
        explicit bind(const concat_of& spec)
            : layers(std::apply([](const Layers&... ls) { return bound_layers(ls...); }, spec.layers)) {}

        template <std::size_t I>
        const child<I>& get() const noexcept {
            return std::get<I>(layers);
        }
        // Child I's cache inside this layer's cache for a batch.
        template <std::size_t I, class T>
        static T* child_cache(T* cache, std::size_t batch) noexcept {
            return cache + batch * cache_offset<I>;
        }

        // Inspection (layers/layer.hpp).
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
            return make_layer_ref<child<I>, T, D>(
                std::get<I>(self.layer->layers), self.params + param_offset<I>, self.input,
                view_at<typename child<I>::output, const T, D>(self.cache + batch * out_offset<I>, batch),
                self.cache + batch * cache_offset<I>, batch);
        }

        void describe(param_list& pl) const {
            [&]<std::size_t... I>(std::index_sequence<I...>) {
                (pl.child(detail::part_name<child<I>>(I), param_offset<I>,
                          [&](param_list& p) { std::get<I>(layers).describe(p); }),
                 ...);
            }(std::make_index_sequence<count>{});
        }

        template <class T, class Ctx>
        void forward(Ctx& ctx, const T* params, view_t<const T, input, device_of<Ctx>> in,
                     view_t<T, output, device_of<Ctx>> out, T* cache) const {
            if constexpr (joined::fits) {
                check_batch(in.batch(), out.batch(), "concat_of");
                [&]<std::size_t... I>(std::index_sequence<I...>) {
                    (forward_child<I, T>(ctx, params, in, out, cache), ...);
                }(std::make_index_sequence<count>{});
            }
        }

        template <class T, class Ctx>
        void backward(Ctx& ctx, const T* params, T* grads, view_t<const T, input, device_of<Ctx>> in,
                      view_t<const T, output, device_of<Ctx>>, view_t<const T, output, device_of<Ctx>> dout,
                      view_t<T, input, device_of<Ctx>> din, T* cache) const {
            if constexpr (joined::fits) {
                [&]<std::size_t... I>(std::index_sequence<I...>) {
                    (backward_child<I, T>(ctx, params, grads, in, dout, din, cache), ...);
                }(std::make_index_sequence<count>{});
            }
        }

    private:
        template <std::size_t I, class T, class Ctx, class D = device_of<Ctx>>
        void forward_child(Ctx& ctx, const T* params, view_t<const T, input, D> in, view_t<T, output, D> out,
                           T* cache) const {
            using O = typename child<I>::output;
            constexpr std::size_t width = joined::template width<O>;
            const std::size_t batch = in.batch();
            T* y = cache + batch * out_offset<I>;
            detail::forward_layer<T>(std::get<I>(layers), ctx, params + param_offset<I>, in,
                                     view_at<O, T, D>(y, batch), cache + batch * cache_offset<I>);
            ops_of<Ctx>::for_each(ctx, batch * io_size<O>,
                                  kernels::place_block<T>{y, out.data(), width, joined::row_width, block_offset<I>});
        }

        template <std::size_t I, class T, class Ctx, class D = device_of<Ctx>>
        void backward_child(Ctx& ctx, const T* params, T* grads, view_t<const T, input, D> in,
                            view_t<const T, output, D> dout, view_t<T, input, D> din, T* cache) const {
            using O = typename child<I>::output;
            constexpr std::size_t width = joined::template width<O>;
            const std::size_t batch = in.batch();
            T* dy = cache + batch * dout_offset;
            ops_of<Ctx>::for_each(ctx, batch * io_size<O>,
                                  kernels::take_block<T>{dout.data(), dy, width, joined::row_width, block_offset<I>});
            // The first layer writes the input gradient, the others write theirs aside and add it.
            const bool aside = I > 0 && !din.empty();
            const auto child_din = aside ? view_at<input, T, D>(cache + batch * din_offset, batch) : din;
            detail::backward_layer<T>(std::get<I>(layers), ctx, params + param_offset<I>, grads + param_offset<I>, in,
                                      view_at<O, const T, D>(cache + batch * out_offset<I>, batch),
                                      view_at<O, const T, D>(dy, batch), child_din, cache + batch * cache_offset<I>);
            if (aside) add_all(ctx, din, view_t<const T, input, D>(child_din));
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

template <axis A, class... Layers>
concat_of(along_t<A>, Layers...) -> concat_of<A, Layers...>;

}  // namespace helix
