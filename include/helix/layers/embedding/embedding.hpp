// embedding<Vocab, Dim>: a lookup table, PyTorch's nn.Embedding(Vocab, Dim): token ids <L> (or <L, 1>) ->
// <L, Dim>, out[p] = weight[id_p]. Ids are T values holding exact integers (kmer_tokens<K> makes them; float holds
// every integer up to 2^24 exactly).
// Parameters: weight [Vocab, Dim] (PyTorch's layout and name, `weight`; row i is token i's vector), started at
// N(0, 1) like torch whatever initialiser init() is given (param_init::normal, sd 1; described with fan_in Vocab and
// fan_out Dim, helix's [in, out] convention of a dense layer on one-hot ids). A pre-trained matrix (dna2vec's 6-mers,
// [4097, 100]) goes in with load_parameter_npy (helix/io/pretrained.hpp).
// Requires: input <L> or <L, 1>; Vocab, Dim > 0.
// Guarantees: an id outside [0, Vocab), fractional, NaN or infinite never reads another row: its whole output row is
// NaN (loud: the loss becomes NaN) and it adds no gradient. (The check runs on the device, per lookup: a host-side
// check cannot read device pointers.) The input gradient is zero (ids are indices, not values).
// The weight gradient reaches only the rows used, each the sum over every position (and sample) that used it, in
// position order: race-free and deterministic. On the CPU one index per weight column walks the positions
// (rows x Dim work, any vocabulary); on other devices one index per weight row scans the ids (Vocab x rows
// comparisons, parallel over the vocabulary). Both add in the same order: the same bits.
// Not supported: padding_idx, max_norm, sparse gradients (load a zero row for a padding id; it still trains).
#pragma once

#include <cstddef>
#include <type_traits>

#include "helix/backend/cpu/ops.hpp"
#include "helix/kernels/embedding.hpp"
#include "helix/layers/layer.hpp"

namespace helix {

template <std::size_t Vocab, std::size_t Dim>
struct embedding {
    static_assert(Vocab > 0, "embedding: the vocabulary must hold at least one token");
    static_assert(Dim > 0, "embedding: the embedding dimension must be positive");

    template <io_type In>
    struct bind {
    private:
        static constexpr bool is_ids = [] {
            if constexpr (is_shape_v<In>) return In::rank == 1 || (In::rank == 2 && In::last == 1);
            else return false;
        }();

    public:
        static_assert(is_shape_v<In>,
                      "embedding: input is a pair of tensors; embedding takes one tensor of token ids (wrap it in "
                      "twin<> to embed both halves with one table)");
        static_assert(!is_shape_v<In> || is_ids,
                      "embedding: input must be token ids <length> or <length, 1>, got a matrix with more than one "
                      "channel (one-hot DNA? put kmer_tokens<K> before it; continuous features: use dense)");

        using input = std::conditional_t<is_ids, detail::shape_or<In>, shape<1>>;
        static constexpr std::size_t length = input::first;
        using output = shape<length, Dim>;
        using spec = embedding;
        static constexpr std::size_t vocabulary = Vocab, dim = Dim;
        static constexpr std::size_t param_size = Vocab * Dim;
        static constexpr std::size_t cache_size = 0;

        bind() = default;
        explicit bind(const embedding&) {}

        void describe(param_list& pl) const {
            pl.add("weight", {Vocab, Dim}, param_kind::weight, Vocab, Dim, 0);
            pl.initialise_last(param_init::normal, 1.0);  // torch's nn.Embedding: N(0, 1)
        }

        template <class T, class Ctx>
        void forward(Ctx& ctx, const T* params, view_t<const T, input, device_of<Ctx>> in,
                     view_t<T, output, device_of<Ctx>> out, T*) const {
            check_batch(in.batch(), out.batch(), "embedding");
            if constexpr (std::is_same_v<device_of<Ctx>, cpu>)  // a row per index: contiguous copies
                ops_of<Ctx>::for_each(ctx, in.batch() * length,
                                      kernels::embedding_lookup_rows<T>{in.data(), params, out.data(), Vocab, Dim}, Dim);
            else  // a value per index: every device thread busy
                ops_of<Ctx>::for_each(ctx, in.batch() * length * Dim,
                                      kernels::embedding_lookup<T>{in.data(), params, out.data(), Vocab, Dim});
        }

        template <class T, class Ctx>
        void backward(Ctx& ctx, const T*, T* grads, view_t<const T, input, device_of<Ctx>> in,
                      view_t<const T, output, device_of<Ctx>>, view_t<const T, output, device_of<Ctx>> dout,
                      view_t<T, input, device_of<Ctx>> din, T*) const {
            const std::size_t rows = in.batch() * length;
            if constexpr (std::is_same_v<device_of<Ctx>, cpu>)  // one pass over the positions, rows contiguous
                ops_of<Ctx>::for_each(
                    ctx, 1, kernels::embedding_grad_in_order<T>{in.data(), dout.data(), grads, rows, Vocab, Dim});
            else
                ops_of<Ctx>::for_each(
                    ctx, Vocab, kernels::embedding_grad_by_row<T>{in.data(), dout.data(), grads, rows, Vocab, Dim});
            if (din.empty()) return;
            ops_of<Ctx>::fill(ctx, din.data(), T(0), rows);
        }
    };
};

}  // namespace helix
