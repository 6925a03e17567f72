// The second wave's layers on CUDA against the CPU (the cases of cases.hpp are the first wave's and EPIANN's): every
// new layer at the sizes the published EPI models use, in the modes that matter (dropout and batch statistics in
// training), plus compositions (a transformer encoder block, a conv - BiLSTM trunk, the matching heuristic). Compiled
// in a translation unit of their own on each side (cuda_layer_cases.cu, cpu_layer_cases.cpp), so nvcc works on two
// sources in parallel.
#pragma once

#include "cases.hpp"
#include "helix/nn/repeat.hpp"

namespace helix_cuda_test {

// Specs with run-time settings the table cannot spell: dropout on the attention weights.
struct mha_with_dropout : multi_head_attention<4> {
    mha_with_dropout() { dropout = 0.1f; }
};
// EPI-Trans's attention: 9 bare heads of 8 on the 388 concatenated bins, attention dropout 0.1.
struct mha_bare_epi_trans : multi_head_attention<9, 0, queries::first, projections::bare> {
    mha_bare_epi_trans() { dropout = 0.1f; }
};
using encoder_block = seq<residual<multi_head_attention<8>>, layer_norm,
                          residual<seq<dense<128>, gelu, dense<64>>>, layer_norm>;
// EPI-Mind's encoder stack (nn/repeat.hpp): one attention and feed-forward shared by 3 layers, norms per layer.
using shared_encoder = repeated<3, seq<residual<multi_head_attention<8>>, per_repeat<layer_norm>,
                                       residual<seq<dense<128>, relu, dense<64>>>, per_repeat<layer_norm>>>;

// X(name, input io_type, model type, value type, input kind, mode)
#define HELIX_CUDA_LAYER_CASES(X)                                                                                        \
    X(mha_self, shape<100 HELIX_COMMA 64>, multi_head_attention<8>, float, input_kind::normal, mode::evaluation)        \
    X(mha_cross_second_asks, pair_of<shape<100 HELIX_COMMA 64> HELIX_COMMA shape<67 HELIX_COMMA 64>>,                   \
      multi_head_attention<4 HELIX_COMMA 0 HELIX_COMMA queries::second>, float, input_kind::normal, mode::training)     \
    X(mha_head_dim, shape<50 HELIX_COMMA 32>, multi_head_attention<4 HELIX_COMMA 16>, float, input_kind::normal,         \
      mode::evaluation)                                                                                                 \
    X(mha_dropout_training, shape<60 HELIX_COMMA 32>, mha_with_dropout, float, input_kind::normal, mode::training)      \
    X(mha_bare_epi_trans, shape<388 HELIX_COMMA 72>, mha_bare_epi_trans, float, input_kind::normal, mode::training)     \
    X(mha_bare_cross_head_dim, pair_of<shape<148 HELIX_COMMA 72> HELIX_COMMA shape<98 HELIX_COMMA 72>>,                 \
      multi_head_attention<8 HELIX_COMMA 9 HELIX_COMMA queries::second HELIX_COMMA projections::bare>, float,           \
      input_kind::normal, mode::evaluation)                                                                             \
    X(attention_pooling_epivan, shape<100 HELIX_COMMA 100>, attention_pooling<50>, float, input_kind::normal,            \
      mode::evaluation)                                                                                                 \
    X(attention_pooling_structured, shape<100 HELIX_COMMA 64>, attention_pooling<32 HELIX_COMMA 4>, float,               \
      input_kind::normal, mode::training)                                                                               \
    X(layer_norm_rows, shape<100 HELIX_COMMA 256>, layer_norm, float, input_kind::normal, mode::evaluation)             \
    X(batch_norm_training, shape<100 HELIX_COMMA 64>, batch_norm, float, input_kind::normal, mode::training)            \
    X(batch_norm_evaluation, shape<100 HELIX_COMMA 64>, batch_norm, float, input_kind::normal, mode::evaluation)        \
    X(global_max_pool_channels, shape<100 HELIX_COMMA 256>, global_max_pool, float, input_kind::normal, mode::evaluation) \
    X(global_avg_pool_channels, shape<100 HELIX_COMMA 256>, global_avg_pool, float, input_kind::normal, mode::evaluation) \
    X(avg_pool_overlapping, shape<101 HELIX_COMMA 8>, avg_pool1d<4 HELIX_COMMA 2>, float, input_kind::normal,            \
      mode::evaluation)                                                                                                 \
    X(gelu_activation, shape<100 HELIX_COMMA 256>, gelu, float, input_kind::normal, mode::evaluation)                   \
    X(softmax_rows, shape<100 HELIX_COMMA 32>, softmax, float, input_kind::normal, mode::evaluation)                    \
    X(kmer_tokens_6, shape<3000 HELIX_COMMA 4>, kmer_tokens<6>, float, input_kind::one_hot, mode::evaluation)           \
    X(kmer_embedding_dna2vec, shape<3000 HELIX_COMMA 4>, seq<kmer_tokens<6> HELIX_COMMA embedding<4097 HELIX_COMMA 100>>, \
      float, input_kind::one_hot, mode::evaluation)                                                                     \
    X(sinusoidal_positions_r, shape<2995 HELIX_COMMA 100>, sinusoidal_positions, float, input_kind::normal,              \
      mode::evaluation)                                                                                                 \
    X(learned_positions_r, shape<2995 HELIX_COMMA 100>, learned_positions, float, input_kind::normal, mode::evaluation) \
    X(identity_pair, pair_of<shape<100 HELIX_COMMA 64> HELIX_COMMA shape<67 HELIX_COMMA 64>>, identity, float,          \
      input_kind::normal, mode::evaluation)                                                                             \
    X(concat_length, pair_of<shape<100 HELIX_COMMA 256> HELIX_COMMA shape<67 HELIX_COMMA 256>>, concat<axis::length>,   \
      float, input_kind::normal, mode::evaluation)                                                                      \
    X(concat_channels, pair_of<shape<100 HELIX_COMMA 64> HELIX_COMMA shape<100 HELIX_COMMA 32>>,                        \
      concat<axis::channels>, float, input_kind::normal, mode::evaluation)                                              \
    X(add_pair, pair_of<shape<100 HELIX_COMMA 64> HELIX_COMMA shape<100 HELIX_COMMA 64>>, add, float, input_kind::normal, \
      mode::evaluation)                                                                                                 \
    X(subtract_pair, pair_of<shape<100 HELIX_COMMA 64> HELIX_COMMA shape<100 HELIX_COMMA 64>>, subtract, float,         \
      input_kind::normal, mode::evaluation)                                                                             \
    X(multiply_pair, pair_of<shape<100 HELIX_COMMA 64> HELIX_COMMA shape<100 HELIX_COMMA 64>>, multiply, float,         \
      input_kind::normal, mode::evaluation)                                                                             \
    X(abs_difference_pair, pair_of<shape<100 HELIX_COMMA 64> HELIX_COMMA shape<100 HELIX_COMMA 64>>, abs_difference,    \
      float, input_kind::normal, mode::evaluation)                                                                      \
    X(dot_positions, pair_of<shape<100 HELIX_COMMA 64> HELIX_COMMA shape<100 HELIX_COMMA 64>>, dot, float,              \
      input_kind::normal, mode::evaluation)                                                                             \
    X(dot_vectors, pair_of<shape<256> HELIX_COMMA shape<256>>, dot, float, input_kind::normal, mode::evaluation)        \
    X(first_half_pair, pair_of<shape<100 HELIX_COMMA 64> HELIX_COMMA shape<67 HELIX_COMMA 64>>, first_half, float,      \
      input_kind::normal, mode::evaluation)                                                                             \
    X(second_half_pair, pair_of<shape<100 HELIX_COMMA 64> HELIX_COMMA shape<67 HELIX_COMMA 64>>, second_half, float,    \
      input_kind::normal, mode::evaluation)                                                                             \
    X(reverse_length, shape<100 HELIX_COMMA 256>, reverse, float, input_kind::normal, mode::evaluation)                 \
    X(pad_length, shape<100 HELIX_COMMA 64>, pad<5 HELIX_COMMA 2>, float, input_kind::normal, mode::evaluation)         \
    X(conv_same, shape<300 HELIX_COMMA 4>, seq<same_padding<40> HELIX_COMMA conv1d<64 HELIX_COMMA 40 HELIX_COMMA bias::on>>, \
      float, input_kind::one_hot, mode::evaluation)                                                                     \
    X(residual_mlp, shape<100 HELIX_COMMA 64>, residual<seq<dense<64> HELIX_COMMA relu HELIX_COMMA dense<64>>>, float,  \
      input_kind::normal, mode::evaluation)                                                                             \
    X(matching_heuristic, pair_of<shape<256> HELIX_COMMA shape<256>>,                                                   \
      seq<concat_of<axis::channels HELIX_COMMA first_half HELIX_COMMA second_half HELIX_COMMA subtract HELIX_COMMA      \
                        multiply> HELIX_COMMA dense<32>>,                                                               \
      float, input_kind::normal, mode::evaluation)                                                                      \
    X(dot_abs_difference, pair_of<shape<256> HELIX_COMMA shape<256>>,                                                   \
      concat_of<axis::channels HELIX_COMMA dot HELIX_COMMA abs_difference>, float, input_kind::normal, mode::evaluation) \
    X(concat_of_length, shape<100 HELIX_COMMA 64>, concat_of<axis::length HELIX_COMMA identity HELIX_COMMA reverse>,    \
      float, input_kind::normal, mode::evaluation)                                                                      \
    X(norm_pool_trunk, shape<200 HELIX_COMMA 4>,                                                                        \
      seq<conv1d<32 HELIX_COMMA 9> HELIX_COMMA batch_norm HELIX_COMMA gelu HELIX_COMMA avg_pool1d<4> HELIX_COMMA        \
          layer_norm HELIX_COMMA global_max_pool HELIX_COMMA dense<2> HELIX_COMMA softmax>,                             \
      float, input_kind::one_hot, mode::training)                                                                       \
    X(transformer_encoder_block, shape<100 HELIX_COMMA 64>, encoder_block, float, input_kind::normal, mode::training)   \
    X(repeat_shared_encoder, shape<100 HELIX_COMMA 64>, shared_encoder, float, input_kind::normal, mode::training)     \
    X(repeat_per_repeat_batch_norm, shape<100 HELIX_COMMA 64>,                                                          \
      repeated<3 HELIX_COMMA seq<dense<64> HELIX_COMMA per_repeat<batch_norm> HELIX_COMMA relu>>, float,               \
      input_kind::normal, mode::training)                                                                               \
    HELIX_CUDA_RECURRENT_CASES(X)

// The recurrent layers' cases (lstm, gru, bidirectional).
#define HELIX_CUDA_RECURRENT_CASES(X)                                                                                    \
    X(lstm_sequence, shape<200 HELIX_COMMA 64>, lstm<64>, float, input_kind::normal, mode::evaluation)                  \
    X(lstm_last_reverse, shape<100 HELIX_COMMA 32>,                                                                     \
      lstm<32 HELIX_COMMA rnn_output::last HELIX_COMMA rnn_direction::reverse>, float, input_kind::normal,              \
      mode::evaluation)                                                                                                 \
    X(gru_sequence, shape<100 HELIX_COMMA 32>, gru<32>, float, input_kind::normal, mode::evaluation)                    \
    X(gru_last, shape<100 HELIX_COMMA 32>, gru<32 HELIX_COMMA rnn_output::last>, float, input_kind::normal,              \
      mode::evaluation)                                                                                                 \
    X(bidirectional_lstm, shape<100 HELIX_COMMA 32>, bidirectional<lstm<32>>, float, input_kind::normal, mode::training) \
    X(bidirectional_gru_last_dense, shape<100 HELIX_COMMA 32>,                                                          \
      seq<bidirectional<gru<16 HELIX_COMMA rnn_output::last>> HELIX_COMMA dense<1>>, float, input_kind::normal,         \
      mode::evaluation)                                                                                                 \
    X(conv_bilstm_trunk, shape<400 HELIX_COMMA 4>,                                                                      \
      seq<conv1d<64 HELIX_COMMA 20 HELIX_COMMA bias::on> HELIX_COMMA relu HELIX_COMMA max_pool1d<10> HELIX_COMMA        \
          bidirectional<lstm<32>> HELIX_COMMA global_max_pool HELIX_COMMA dense<1>>,                                    \
      float, input_kind::one_hot, mode::training)                                                                       \
    X(bigru_keras_epivan, shape<246 HELIX_COMMA 64>,                                                                    \
      bidirectional<gru<50 HELIX_COMMA rnn_output::sequence HELIX_COMMA rnn_direction::forward HELIX_COMMA             \
                        gate_activation::hard_sigmoid HELIX_COMMA reset_gate::before>>,                                 \
      float, input_kind::normal, mode::training)                                                                        \
    X(gru_reset_before_last_reverse, shape<100 HELIX_COMMA 32>,                                                         \
      gru<32 HELIX_COMMA rnn_output::last HELIX_COMMA rnn_direction::reverse HELIX_COMMA gate_activation::sigmoid      \
              HELIX_COMMA reset_gate::before>,                                                                          \
      float, input_kind::normal, mode::evaluation)                                                                      \
    X(gru_hard_sigmoid, shape<100 HELIX_COMMA 32>,                                                                      \
      gru<32 HELIX_COMMA rnn_output::sequence HELIX_COMMA rnn_direction::forward HELIX_COMMA                           \
              gate_activation::hard_sigmoid>,                                                                           \
      float, input_kind::normal, mode::evaluation)                                                                      \
    X(bilstm_hard_sigmoid_speid, shape<246 HELIX_COMMA 64>,                                                             \
      bidirectional<lstm<50 HELIX_COMMA rnn_output::sequence HELIX_COMMA rnn_direction::forward HELIX_COMMA            \
                         gate_activation::hard_sigmoid>>,                                                               \
      float, input_kind::normal, mode::training)

#define HELIX_DECLARE_LAYER_CASE(name, In, Model, T, kind, mode)                                                         \
    case_results cpu_##name();                                                                                          \
    case_results cuda_##name();
HELIX_CUDA_LAYER_CASES(HELIX_DECLARE_LAYER_CASE)
#undef HELIX_DECLARE_LAYER_CASE

}  // namespace helix_cuda_test
