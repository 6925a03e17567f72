// Keras defaults the published models rely on without writing them (ARCHITECTURES.md, "Conventions"), spelled once
// for every model of the zoo.
#pragma once

#include <cstddef>

#include <helix/helix.hpp>

namespace epiann {

// Keras BatchNormalization(): epsilon 1e-3, momentum 0.99 (the old value's weight; helix's momentum is the new
// batch's, 0.01).
inline helix::batch_norm keras_batch_norm() { return helix::batch_norm{1e-3, 0.01}; }

// Keras 1's LSTM as SPEID uses it: sequence output, hard_sigmoid gates (its inner_activation default). Its one 4H
// bias is helix's two (their sum); Keras' forget-bias-1 and orthogonal recurrent initialisation are not reproduced.
template <std::size_t H>
using keras1_lstm = helix::lstm<H, helix::rnn_output::sequence, helix::rnn_direction::forward, helix::gate_activation::hard_sigmoid>;

// Standalone Keras 2.x's GRU(H, return_sequences=True) as EPIVAN and EPI-DLMH use it: the reset gate applied before
// the recurrent product (reset_after=False, one bias of 3H) and hard_sigmoid gates, the default up to Keras 2.2 (EPIVAN
// imports keras.engine.topology, which later versions dropped; 2.3 changed the default to sigmoid).
template <std::size_t H>
using keras_gru = helix::gru<H, helix::rnn_output::sequence, helix::rnn_direction::forward, helix::gate_activation::hard_sigmoid,
                             helix::reset_gate::before>;

// The 6-mer tokens of EPIVAN's sequence_processing.py, shared by EPIVAN, EPI-DLMH, EPI-Mind and EPI-Trans: Keras'
// pad_sequences pre-pads the L - 5 ids with 5 zeros ('null', the id of any 6-mer with an N). Five N rows before the
// one-hot window give the same ids: every one of the first five 6-mers holds an N (helix id 4096 = EPIVAN's 0).
inline auto keras_kmer_ids() { return helix::seq{helix::pad<5, 0>{}, helix::kmer_tokens<6>{}}; }

// Over an embedding the convolution is conv1d + relu + max_pool1d, not the fused conv1d_relu_max_pool1d: the fused
// layer gathers table columns for one-hot rows (SPEID, EPIANN) and falls back to a sparse loop on dense input, where
// conv1d's products are about twice as fast (1.8x for a training step on <1000, 16>, 32 filters of 36, batch 64, one
// thread). The parameters are the same.

// A 6-mer embedding, 4097 x Dim (4096 k-mers and N), started at random unless `--embedding FILE.npy` loads a
// pre-trained matrix into each side's table (train/pretrained: rows in kmer_tokens' order).
template <std::size_t Dim>
auto kmer_embedding() {
    return helix::seq{keras_kmer_ids(), helix::with_name<"embedding">(helix::embedding<4097, Dim>{})};
}

}  // namespace epiann
