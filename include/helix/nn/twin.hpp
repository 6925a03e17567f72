// twin<Layer>: one layer, one parameter set, applied to both halves of a pair: pair_of<A, B> ->
// pair_of<Layer(A), Layer(B)>. The halves may differ in length (EPIANN's 3000 bp enhancer and 2000 bp
// promoter share one convolution). Gradients of both applications add into the one parameter set.
// Requires: the layer's parameter count does not depend on the input length.
#pragma once

#include <string_view>
#include <utility>

#include "helix/layers/layer.hpp"

namespace helix {

template <class Layer>
struct twin {
    Layer layer;

    twin() = default;
    explicit twin(Layer l) : layer(std::move(l)) {}

    template <io_type In>
    struct bind {
        static_assert(is_pair_v<In>,
                      "twin: input is a single tensor; twin<> applies one layer to both halves of a pair_of<A, B>");

    private:
        using in_pair = detail::pair_or<In, pair_of<shape<1, 1>, shape<1, 1>>>;

    public:
        using first_bound = typename Layer::template bind<typename in_pair::first_type>;
        using second_bound = typename Layer::template bind<typename in_pair::second_type>;
        static_assert(first_bound::param_size == second_bound::param_size,
                      "twin: the layer has a different number of parameters for the two halves, so they cannot share "
                      "one parameter set (a dense layer on inputs of different lengths, for example)");

        using input = pair_of<typename first_bound::input, typename second_bound::input>;
        using output = pair_of<typename first_bound::output, typename second_bound::output>;
        static constexpr std::size_t param_size = first_bound::param_size;
        static constexpr std::size_t cache_size = first_bound::cache_size + second_bound::cache_size;

        first_bound first;
        second_bound second;

        bind() = default;
        explicit bind(const twin& spec) : first(spec.layer), second(spec.layer) {}

        void describe(param_list& pl) const { first.describe(pl); }

        // Inspection (nn/inspect.hpp): the layer's two applications, "first" and "second" in paths.
        static constexpr std::size_t children = 2;
        template <std::size_t I>
        static constexpr std::string_view child_name() {
            return I == 0 ? std::string_view("first") : std::string_view("second");
        }
        template <std::size_t I, class Self>
        static auto child_ref(const Self& self) {
            using T = typename Self::value_type;
            using D = typename Self::device_type;
            if constexpr (I == 0)
                return make_layer_ref<first_bound, T, D>(self.layer->first, self.params, self.input.first,
                                                         self.output.first, self.cache, self.batch);
            else
                return make_layer_ref<second_bound, T, D>(self.layer->second, self.params, self.input.second,
                                                          self.output.second,
                                                          self.cache + self.batch * first_bound::cache_size, self.batch);
        }

        template <class T, class Ctx>
        void forward(Ctx& ctx, const T* params, view_t<const T, input, device_of<Ctx>> in,
                     view_t<T, output, device_of<Ctx>> out, T* cache) const {
            check_batch(in.first.batch(), in.second.batch(), "twin (the two halves of the pair)");
            detail::forward_layer<T>(first, ctx, params, in.first, out.first, cache);
            detail::forward_layer<T>(second, ctx, params, in.second, out.second, cache + in.batch() * first_bound::cache_size);
        }

        template <class T, class Ctx>
        void backward(Ctx& ctx, const T* params, T* grads, view_t<const T, input, device_of<Ctx>> in,
                      view_t<const T, output, device_of<Ctx>> out, view_t<const T, output, device_of<Ctx>> dout,
                      view_t<T, input, device_of<Ctx>> din, T* cache) const {
            detail::backward_layer<T>(first, ctx, params, grads, in.first, out.first, dout.first, din.first, cache);
            detail::backward_layer<T>(second, ctx, params, grads, in.second, out.second, dout.second, din.second,
                                      cache + in.batch() * first_bound::cache_size);
        }
    };
};

template <class Layer>
twin(Layer) -> twin<Layer>;

}  // namespace helix
