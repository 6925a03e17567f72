// The cases of the CUDA backend test: every layer at EPIANN's sizes (3000 / 2000 bp windows, 256 filters, pooled
// lengths 100 and 67, attention 32, top-32, coordinate heads on 17,152 and 25,600 values), plus composites and the
// whole paper model. Each case is a network type and an input kind; run_case (case_runner.hpp) fills parameters,
// input and output gradient from fixed seeds, so the CPU side (cpu_reference.cpp, compiled by the C++ compiler, the
// real CPU backend) and the CUDA side (cuda_backend_test.cu) see identical values.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <helix/helix.hpp>

#include "model.hpp"

namespace helix_cuda_test {

using namespace helix;

enum class input_kind { one_hot, normal };

struct case_result {
    std::vector<float> output, input_gradient, parameter_gradient, cache;
    double loss = 0;  // unused by layer cases
};

inline constexpr std::size_t batch = 8;  // EPIANN trains with 64; 8 keeps the CPU side quick

using paper_model = decltype(epiann::epiann_spec_sized<3000, 2000, 256, 15, 30, 32, 32, 32, 128, 64>());
using paper_input = epiann::epiann_input<3000, 2000>;

// X(name, input io_type, model type, input kind, training)
#define HELIX_CUDA_CASES(X)                                                                                           \
    X(conv_relu_pool_enhancer, shape<3000 HELIX_COMMA 4>,                                                             \
      conv1d_relu_max_pool1d<256 HELIX_COMMA 15 HELIX_COMMA 30 HELIX_COMMA 30 HELIX_COMMA padding::same>,             \
      input_kind::one_hot, false)                                                                                     \
    X(conv_relu_pool_promoter_bias, shape<2000 HELIX_COMMA 4>,                                                        \
      conv1d_relu_max_pool1d<256 HELIX_COMMA 15 HELIX_COMMA 30 HELIX_COMMA 30 HELIX_COMMA padding::same               \
                                 HELIX_COMMA bias::on>,                                                               \
      input_kind::normal, false)                                                                                      \
    X(conv1d_plain, shape<200 HELIX_COMMA 4>, conv1d<32 HELIX_COMMA 15 HELIX_COMMA bias::on>, input_kind::normal,     \
      false)                                                                                                          \
    X(max_pool_same, shape<1986 HELIX_COMMA 256>, max_pool1d<30 HELIX_COMMA 30 HELIX_COMMA padding::same>,            \
      input_kind::normal, false)                                                                                      \
    X(max_pool_overlapping, shape<101 HELIX_COMMA 8>, max_pool1d<4 HELIX_COMMA 2>, input_kind::normal, false)         \
    X(dropout_training, shape<100 HELIX_COMMA 256>, dropout, input_kind::normal, true)                                \
    X(attention_enhancer_queries, pair_of<shape<100 HELIX_COMMA 256> HELIX_COMMA shape<67 HELIX_COMMA 256>>,          \
      additive_cross_attention<32 HELIX_COMMA queries::first>, input_kind::normal, false)                             \
    X(attention_promoter_queries, pair_of<shape<100 HELIX_COMMA 256> HELIX_COMMA shape<67 HELIX_COMMA 256>>,          \
      additive_cross_attention<32 HELIX_COMMA queries::second>, input_kind::normal, false)                            \
    X(bilinear_map, pair_of<shape<67 HELIX_COMMA 256> HELIX_COMMA shape<100 HELIX_COMMA 256>>, bilinear<>,            \
      input_kind::normal, false)                                                                                      \
    X(top_k, shape<67 HELIX_COMMA 100>, top_k_pool<32>, input_kind::normal, false)                                    \
    X(dense_hidden, shape<32>, dense<32>, input_kind::normal, false)                                                  \
    X(dense_coordinates, shape<25600>, dense<128>, input_kind::normal, false)                                         \
    X(dense_rows, shape<100 HELIX_COMMA 256>, dense<32 HELIX_COMMA bias::off>, input_kind::normal, false)             \
    X(relu_act, shape<128>, relu, input_kind::normal, false)                                                          \
    X(sigmoid_act, shape<128>, sigmoid, input_kind::normal, false)                                                    \
    X(tanh_act, shape<128>, helix::tanh, input_kind::normal, false)                                                   \
    X(flatten_r, shape<67 HELIX_COMMA 256>, flatten, input_kind::normal, false)                                       \
    X(swap, pair_of<shape<100 HELIX_COMMA 8> HELIX_COMMA shape<67 HELIX_COMMA 8>>, swap_halves, input_kind::normal,   \
      false)                                                                                                          \
    X(epiann_paper, paper_input, paper_model, input_kind::one_hot, true)

#define HELIX_COMMA ,

#define HELIX_DECLARE_CASE(name, In, Model, kind, training) \
    case_result cpu_##name();                               \
    case_result cuda_##name();
HELIX_CUDA_CASES(HELIX_DECLARE_CASE)
#undef HELIX_DECLARE_CASE

}  // namespace helix_cuda_test
