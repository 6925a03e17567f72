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

#include "models/epiann.hpp"

namespace helix_cuda_test {

using namespace helix;

enum class input_kind { one_hot, normal };
// training: dropout on; evaluation: off, auxiliary heads computed (a validation loss); inference: off, auxiliary
// heads left as NaN (predict).
enum class mode { training, evaluation, inference };

// One forward and backward at one batch size.
struct case_result {
    std::vector<float> output, input_gradient, parameter_gradient, parameters;  // parameters: after the step's forward
};
// Every batch of a case, in order, through one network: the second batch is smaller than the first, so the device
// network reuses its workspace and scratch; `tensors` splits the parameter arena for the per-tensor comparison.
struct case_results {
    std::vector<case_result> batches;
    std::vector<param_info> tensors;
};

inline constexpr std::size_t batches[] = {8, 3};  // EPIANN trains with 64; 8 keeps the CPU side quick
inline constexpr std::size_t largest_batch = 8;

using paper_model = decltype(epiann::epiann_spec_sized<3000, 2000, 256, 15, 30, 32, 32, 32, 128, 64>());
using paper_input = epiann::epiann_input<3000, 2000>;

// X(name, input io_type, model type, value type, input kind, mode)
#define HELIX_CUDA_CASES(X)                                                                                             \
    X(conv_relu_pool_enhancer, shape<3000 HELIX_COMMA 4>,                                                               \
      conv1d_relu_max_pool1d<256 HELIX_COMMA 15 HELIX_COMMA 30 HELIX_COMMA 30 HELIX_COMMA padding::same>,               \
      float, input_kind::one_hot, mode::evaluation)                                                                     \
    X(conv_relu_pool_promoter_bias, shape<2000 HELIX_COMMA 4>,                                                          \
      conv1d_relu_max_pool1d<256 HELIX_COMMA 15 HELIX_COMMA 30 HELIX_COMMA 30 HELIX_COMMA padding::same                 \
                                 HELIX_COMMA bias::on>,                                                                 \
      float, input_kind::normal, mode::evaluation)                                                                      \
    X(conv1d_plain, shape<200 HELIX_COMMA 4>, conv1d<32 HELIX_COMMA 15 HELIX_COMMA bias::on>, float, input_kind::normal, \
      mode::evaluation)                                                                                                 \
    X(max_pool_same, shape<1986 HELIX_COMMA 256>, max_pool1d<30 HELIX_COMMA 30 HELIX_COMMA padding::same>,              \
      float, input_kind::normal, mode::evaluation)                                                                      \
    X(max_pool_overlapping, shape<101 HELIX_COMMA 8>, max_pool1d<4 HELIX_COMMA 2>, float, input_kind::normal, mode::evaluation) \
    X(dropout_training, shape<100 HELIX_COMMA 256>, dropout, float, input_kind::normal, mode::training)                 \
    X(attention_enhancer_queries, pair_of<shape<100 HELIX_COMMA 256> HELIX_COMMA shape<67 HELIX_COMMA 256>>,            \
      additive_cross_attention<32 HELIX_COMMA queries::first>, float, input_kind::normal, mode::evaluation)             \
    X(attention_promoter_queries, pair_of<shape<100 HELIX_COMMA 256> HELIX_COMMA shape<67 HELIX_COMMA 256>>,            \
      additive_cross_attention<32 HELIX_COMMA queries::second>, float, input_kind::normal, mode::evaluation)            \
    X(bilinear_map, pair_of<shape<67 HELIX_COMMA 256> HELIX_COMMA shape<100 HELIX_COMMA 256>>, bilinear<>,              \
      float, input_kind::normal, mode::evaluation)                                                                      \
    X(top_k, shape<67 HELIX_COMMA 100>, top_k_pool<32>, float, input_kind::normal, mode::evaluation)                    \
    X(dense_hidden, shape<32>, dense<32>, float, input_kind::normal, mode::evaluation)                                  \
    X(dense_coordinates, shape<25600>, dense<128>, float, input_kind::normal, mode::evaluation)                         \
    X(dense_rows, shape<100 HELIX_COMMA 256>, dense<32 HELIX_COMMA bias::off>, float, input_kind::normal, mode::evaluation) \
    X(relu_act, shape<128>, relu, float, input_kind::normal, mode::evaluation)                                          \
    X(sigmoid_act, shape<128>, sigmoid, float, input_kind::normal, mode::evaluation)                                    \
    X(tanh_act, shape<128>, helix::tanh, float, input_kind::normal, mode::evaluation)                                   \
    X(flatten_r, shape<67 HELIX_COMMA 256>, flatten, float, input_kind::normal, mode::evaluation)                       \
    X(swap, pair_of<shape<100 HELIX_COMMA 8> HELIX_COMMA shape<67 HELIX_COMMA 8>>, swap_halves, float, input_kind::normal, \
      mode::evaluation)                                                                                                 \
    X(epiann_paper, paper_input, paper_model, float, input_kind::one_hot, mode::training)                               \
    X(epiann_paper_inference, paper_input, paper_model, float, input_kind::one_hot, mode::inference)                    \
    X(mlp_double, shape<40>, seq<dense<32> HELIX_COMMA relu HELIX_COMMA dropout HELIX_COMMA dense<4>>, double,          \
      input_kind::normal, mode::training)

#define HELIX_COMMA ,

#define HELIX_DECLARE_CASE(name, In, Model, T, kind, mode)                                                              \
    case_results cpu_##name();                                                                                          \
    case_results cuda_##name();
HELIX_CUDA_CASES(HELIX_DECLARE_CASE)
#undef HELIX_DECLARE_CASE

// epiann's cuda_network (examples/epiann/device) against the host network it mirrors: a few training steps of the
// small model from the same start, host Adam on both; returns the number of mismatches (cuda_network_check.cpp).
int check_cuda_network();

}  // namespace helix_cuda_test
