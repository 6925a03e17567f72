// References for attributions of one-hot sequence <L, C> (DNA: C = 4, channels A, C, G, T; an N is an all-zero row).
//   zero reference            all zeros (a tensor that is not filled)
//   dinucleotide_shuffle      a random sequence with exactly the dinucleotide counts of the original, and its first
//                             and last letter (Altschul and Erickson 1985): the reference that keeps GC content and
//                             CpG frequency, so an attribution reflects motifs rather than composition
// The shuffle draws from counter_rng(seed, stream): the same seed and stream give the same sequence everywhere.
// A row that is not one-hot (an N, or soft values) is a letter of its own and comes back as an all-zero row.
// Requires: in and out hold L * C values each and do not overlap.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "helix/core/error.hpp"
#include "helix/core/rng.hpp"
#include "helix/core/tensor.hpp"

namespace helix::attribution {

// The letter of each row: the channel holding the row's single 1 (others 0), or C for anything else.
template <class T>
std::vector<std::uint8_t> letters_of(std::span<const T> one_hot, std::size_t channels) {
    std::vector<std::uint8_t> s(one_hot.size() / channels);
    for (std::size_t l = 0; l < s.size(); ++l) {
        std::size_t ones = 0, hot = channels;
        for (std::size_t c = 0; c < channels; ++c) {
            const T v = one_hot[l * channels + c];
            if (v == T(1)) ++ones, hot = c;
            else if (v != T(0)) ones = 2;
        }
        s[l] = static_cast<std::uint8_t>(ones == 1 ? hot : channels);
    }
    return s;
}

// Altschul-Erickson on letters 0..alphabet-1: each letter's outgoing transitions are shuffled, except that every
// letter but the last one keeps one transition aside as its last exit, drawn so that the last exits lead to the last
// letter without a cycle; the Eulerian walk through the shuffled transitions then uses every one of them.
inline std::vector<std::uint8_t> dinucleotide_shuffle_letters(const std::vector<std::uint8_t>& s, std::size_t alphabet,
                                                              counter_rng& rng) {
    const std::size_t n = s.size();
    if (n <= 2) return s;
    std::vector<std::vector<std::uint8_t>> next(alphabet);
    for (std::size_t i = 0; i + 1 < n; ++i) next[s[i]].push_back(s[i + 1]);
    const std::uint8_t last = s[n - 1];
    std::vector<std::size_t> exit(alphabet, 0);
    for (;;) {
        for (std::size_t v = 0; v < alphabet; ++v)
            if (v != last && !next[v].empty()) exit[v] = rng.next_below(next[v].size());
        bool tree = true;  // every letter with transitions reaches `last` through last exits
        for (std::size_t v = 0; v < alphabet && tree; ++v) {
            std::size_t u = v, hops = 0;
            while (u != last && !next[u].empty() && hops <= alphabet) u = next[u][exit[u]], ++hops;
            tree = next[v].empty() || u == last;
        }
        if (tree) break;
    }
    for (std::size_t v = 0; v < alphabet; ++v) {
        auto& e = next[v];
        if (e.empty()) continue;
        const std::size_t keep = v == last ? e.size() : e.size() - 1;
        if (v != last) std::swap(e[exit[v]], e.back());
        for (std::size_t i = keep; i > 1; --i) std::swap(e[i - 1], e[rng.next_below(i)]);  // Fisher-Yates
    }
    std::vector<std::uint8_t> out(n);
    std::vector<std::size_t> used(alphabet, 0);
    out[0] = s[0];
    for (std::size_t i = 1; i < n; ++i) out[i] = next[out[i - 1]][used[out[i - 1]]++];
    return out;
}

template <class T>
void dinucleotide_shuffle(std::span<const T> in, std::span<T> out, std::size_t channels, std::uint64_t seed,
                          std::uint64_t stream = 0) {
    if (channels == 0 || in.size() % channels != 0 || out.size() != in.size())
        throw shape_error("dinucleotide_shuffle: " + std::to_string(in.size()) + " values in, " +
                          std::to_string(out.size()) + " out, for rows of " + std::to_string(channels) + " channels");
    counter_rng rng(seed, stream);
    const auto shuffled = dinucleotide_shuffle_letters(letters_of(in, channels), channels + 1, rng);
    std::fill(out.begin(), out.end(), T(0));
    for (std::size_t l = 0; l < shuffled.size(); ++l)
        if (shuffled[l] < channels) out[l * channels + shuffled[l]] = T(1);
}

// Every sample of a batch of one-hot sequence, sample b drawn from stream b (the same shuffle of a sample whatever
// the batch it is in, when its index is kept).
template <class T, std::size_t L, std::size_t C>
void dinucleotide_shuffle(tensor_view<const T, shape<L, C>> in, tensor_view<T, shape<L, C>> out, std::uint64_t seed,
                          std::uint64_t first_stream = 0) {
    check_batch(in.batch(), out.batch(), "dinucleotide_shuffle");
    for (std::size_t b = 0; b < in.batch(); ++b)
        dinucleotide_shuffle(std::span<const T>(in.sample(b), L * C), std::span<T>(out.sample(b), L * C), C, seed,
                             first_stream + b);
}

}  // namespace helix::attribution
