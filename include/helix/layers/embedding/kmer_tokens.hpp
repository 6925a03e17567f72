// kmer_tokens<K>: one-hot DNA <L, 4> (channels A, C, G, T; an N is an all-zero row) -> <L - K + 1> token ids,
// the overlapping k-mer starting at each position (stride 1), for embedding<kmer_tokens<K>::vocabulary, Dim>.
//   id = sum_j base_j 4^(K-1-j), base A 0, C 1, G 2, T 3, the first base most significant (AAA..A = 0,
//   AA..AC = 1, TT..T = 4^K - 1, the lexicographic order of itertools.product("ACGT", repeat=K));
//   every k-mer with an N, or with any row that is not exactly one-hot (a 0.5, two ones, a NaN), gets 4^K.
// So the vocabulary is 4^K + 1. Ids are stored as T values, exact integers (K <= 12: 4^12 = 2^24 is exact in float).
// Requires: input <L, 4>, 1 <= K <= 12, K <= L. No parameters, no cache.
// Guarantees: the input gradient is zero (a lookup is piecewise constant: no gradient reaches the one-hot input).
// EPIVAN / EPI-Mind (hzy95/EPIVAN, sequence_processing.py) tokenise 6-mers with a Keras Tokenizer fitted on
// itertools.product('acgt', repeat=6): the same order, shifted by one (its id = ours + 1, 1..4096), and every
// k-mer with an N is 'null' = 0, which is also its padding index (pad_sequences adds 5 zeros in front of a 3000 bp
// window's 2995 tokens). To use its embedding_matrix.npy [4097, 100]: helix row i = EPIVAN row (i + 1) mod 4097,
// i.e. np.roll(m, -1, axis=0); helix's N row 4096 is then EPIVAN's row 0.
#pragma once

#include <cstddef>

#include "helix/backend/cpu/ops.hpp"
#include "helix/kernels/embedding.hpp"
#include "helix/layers/layer.hpp"

namespace helix {

template <std::size_t K>
struct kmer_tokens {
    static_assert(K >= 1 && K <= 12,
                  "kmer_tokens: K must be between 1 and 12 (ids up to 4^12 are exact integers in float; "
                  "EPIVAN uses 6)");
    // 4^K k-mers of A, C, G, T, plus one id (4^K) for every k-mer with an N or a row that is not one-hot.
    static constexpr std::size_t vocabulary = (std::size_t{1} << (2 * K)) + 1;
    static constexpr std::size_t invalid_id = vocabulary - 1;

    template <io_type In>
    struct bind : parameterless {
    private:
        static constexpr bool is_dna = [] {
            if constexpr (is_shape_v<In>) return In::rank == 2 && In::last == 4;
            else return false;
        }();

    public:
        static_assert(is_shape_v<In>,
                      "kmer_tokens: input is a pair of tensors; kmer_tokens takes one one-hot DNA tensor <length, 4> "
                      "(wrap it in twin<> to tokenise both halves)");
        static_assert(!is_shape_v<In> || is_dna,
                      "kmer_tokens: input must be one-hot DNA <length, 4> (channels A, C, G, T; an N an all-zero row)");
        static_assert(!is_dna || K <= detail::shape_or<In>::first,
                      "kmer_tokens: K is larger than the input length (no k-mer fits in the sequence)");

        using input = std::conditional_t<is_dna, detail::shape_or<In>, shape<(K >= 1 ? K : 1), 4>>;
        static constexpr std::size_t length = input::first;
        static constexpr std::size_t positions = length >= K ? length - K + 1 : 1;
        using output = shape<positions>;
        using spec = kmer_tokens;
        static constexpr std::size_t vocabulary = kmer_tokens::vocabulary;
        static constexpr std::size_t cache_size = 0;

        bind() = default;
        explicit bind(const kmer_tokens&) {}

        template <class T, class Ctx>
        void forward(Ctx& ctx, const T*, view_t<const T, input, device_of<Ctx>> in,
                     view_t<T, output, device_of<Ctx>> out, T*) const {
            check_batch(in.batch(), out.batch(), "kmer_tokens");
            ops_of<Ctx>::for_each(ctx, in.batch() * positions,
                                  kernels::kmer_ids<T>{in.data(), out.data(), length, positions, K, invalid_id});
        }

        // Overwrites din with zeros: the ids are piecewise constant in the input.
        template <class T, class Ctx>
        void backward(Ctx& ctx, const T*, T*, view_t<const T, input, device_of<Ctx>> in,
                      view_t<const T, output, device_of<Ctx>>, view_t<const T, output, device_of<Ctx>>,
                      view_t<T, input, device_of<Ctx>> din, T*) const {
            if (din.empty()) return;
            ops_of<Ctx>::fill(ctx, din.data(), T(0), in.batch() * input::size);
        }
    };
};

}  // namespace helix
