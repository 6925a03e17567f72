// EPIANN (Mao, Kostka and Chikina 2017) composed from helix layers, as ../docs/04-epiann-model.md defines it.
//
// Input: a pair of one-hot windows, enhancer <LE, 4> and promoter <LP, 4>. Output, per pair:
//   first           <1>  interaction logit
//   second.first    <2>  enhancer start and end inside its window (z-scored), predicted from r_E
//   second.second   <2>  promoter start and end inside its window (z-scored), predicted from r_P
// The coordinate heads are training targets only: an auxiliary<> head, computed while training or when the caller
// sets ctx.auxiliary_outputs (a validation loss), NaN otherwise, which spares inference about 30 % of its products.
// epiann_model<3000, 2000> is the paper's model (5.6 M parameters); smaller sizes serve tests.
#pragma once

#include <cstddef>

#include <helix/helix.hpp>
#include <helix/nn/inspect.hpp>

namespace epiann {

// The sizes the paper fixes; tests shrink them.
struct model_sizes {
    std::size_t filters = 256, width = 15, pool = 30;  // shared convolution and max-pool
    std::size_t attention = 32;                        // W in R^{filters x attention}, v in R^attention
    std::size_t top_k = 32, hidden = 32;               // interaction head
    std::size_t coord_hidden1 = 128, coord_hidden2 = 64;
};

// The model with its sizes as plain template arguments. epiann_spec forwards here, so both give one type, and the
// type never mentions model_sizes: nvcc 13's front end cannot spell class-type template arguments in the host code it
// generates, so CUDA sources (device/cuda_network.cu) name models through this form.
template <std::size_t LE, std::size_t LP, std::size_t Filters, std::size_t Width, std::size_t Pool, std::size_t Attention,
          std::size_t TopK, std::size_t Hidden, std::size_t CoordHidden1, std::size_t CoordHidden2>
auto epiann_spec_sized(float dropout_rate = 0.2f) {
    using namespace helix;
    using attention = additive_cross_attention<Attention, queries::first>;           // enhancer asks promoter
    using reverse_attention = additive_cross_attention<Attention, queries::second>;  // promoter asks enhancer
    // conv1d, relu and SAME max_pool1d fused: only the pooled values and their positions are kept.
    using conv_relu_pool = conv1d_relu_max_pool1d<Filters, Width, Pool, Pool, padding::same>;
    const auto trunk = seq{with_name<"conv">(conv_relu_pool{}), dropout{dropout_rate}};
    const auto coordinates = seq{flatten{}, with_name<"hidden1">(dense<CoordHidden1>{}), relu{},
                                 with_name<"hidden2">(dense<CoordHidden2>{}), relu{}, with_name<"out">(dense<2>{})};
    const auto interaction = seq{with_name<"map">(bilinear<>{}), top_k_pool<TopK>{},  // M = r_E W r_P^T + b
                                 with_name<"hidden">(dense<Hidden>{}), relu{}, dropout{dropout_rate},
                                 with_name<"logit">(dense<1>{})};
    return seq{with_name<"trunk">(twin{trunk}),  // (h_E <LE', F>, h_P <LP', F>), one filter bank
               with_name<"attention">(branches{with_name<"promoter_queries">(reverse_attention{}),  // r_E <LP', F>
                                               with_name<"enhancer_queries">(attention{})}),        // r_P <LE', F>
               with_name<"head">(branches{with_name<"interaction">(interaction),
                                          with_name<"coordinates">(auxiliary{halves{
                                              with_name<"enhancer">(coordinates), with_name<"promoter">(coordinates)}})})};
}

template <std::size_t LE, std::size_t LP, model_sizes S = model_sizes{}>
auto epiann_spec(float dropout_rate = 0.2f) {
    return epiann_spec_sized<LE, LP, S.filters, S.width, S.pool, S.attention, S.top_k, S.hidden, S.coord_hidden1,
                             S.coord_hidden2>(dropout_rate);
}

template <std::size_t LE, std::size_t LP, model_sizes S = model_sizes{}>
using epiann_model = decltype(epiann_spec<LE, LP, S>());

template <std::size_t LE, std::size_t LP>
using epiann_input = helix::pair_of<helix::shape<LE, 4>, helix::shape<LP, 4>>;

template <std::size_t LE, std::size_t LP, model_sizes S = model_sizes{}, class T = float>
using epiann_network = helix::network<epiann_input<LE, LP>, epiann_model<LE, LP, S>, T>;

template <std::size_t LE, std::size_t LP, model_sizes S = model_sizes{}, class T = float>
epiann_network<LE, LP, S, T> make_epiann(float dropout_rate = 0.2f) {
    return epiann_network<LE, LP, S, T>(epiann_spec<LE, LP, S>(dropout_rate));
}

// The attention matrices of sample b from the network's latest forward pass, read in place (valid until the next
// forward). enhancer_attention: LE' x LP', each enhancer bin's weights over promoter bins (rows sum to 1);
// promoter_attention: LP' x LE', each promoter bin's weights over enhancer bins.
template <class Net>
auto promoter_attention(const Net& net, std::size_t b) {
    const auto layer = helix::find<"attention.promoter_queries">(net);
    return decltype(layer)::bound_type::attention(layer.cache, b);
}

template <class Net>
auto enhancer_attention(const Net& net, std::size_t b) {
    const auto layer = helix::find<"attention.enhancer_queries">(net);
    return decltype(layer)::bound_type::attention(layer.cache, b);
}

}  // namespace epiann
