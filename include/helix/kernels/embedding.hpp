// Functors of the embedding family (kmer_tokens, embedding, sinusoidal_positions, learned_positions), written once
// with a HELIX_HD call operator: ops<Device>::for_each runs them on the host (OpenMP) and on CUDA (grid-stride).
// Each captures pointers and sizes by value; one index writes one output element (or owns one gradient element),
// so no two indices ever write the same place.
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>

#include "helix/core/hd.hpp"

namespace helix::kernels {

// The id of a token value: true, with `id` set, when `v` is an integer in [0, vocab); false for anything else
// (negative, too large, fractional, NaN, infinite). Compared in double, so that every id a float holds exactly
// (up to 2^24) is judged exactly, whatever the vocabulary size.
template <class T>
HELIX_HD inline bool token_id(T v, std::size_t vocab, std::size_t& id) {
    const double x = double(v);
    if (!(x >= 0.0 && x < double(vocab))) return false;  // NaN fails both comparisons
    id = std::size_t(x);
    return double(id) == x;
}

// kmer_tokens: out[b, p] = the id of the k-mer starting at position p of sample b, first base most significant
// (A 0, C 1, G 2, T 3); `invalid` (4^K) when any of its K rows is not exactly one-hot (an N row is all zero).
template <class T>
struct kmer_ids {
    const T* in;            // [batch, length, 4]
    T* out;                 // [batch, positions]
    std::size_t length, positions, k, invalid;
    HELIX_HD void operator()(std::size_t i) const {
        const std::size_t b = i / positions, p = i % positions;
        const T* row = in + (b * length + p) * 4;
        std::size_t id = 0;
        for (std::size_t j = 0; j < k; ++j, row += 4) {
            std::size_t ones = 0, base = 0;
            bool binary = true;
            for (std::size_t c = 0; c < 4; ++c) {
                if (row[c] == T(1)) ++ones, base = c;
                else if (!(row[c] == T(0))) binary = false;  // also NaN
            }
            if (!binary || ones != 1) {
                out[i] = T(invalid);
                return;
            }
            id = id * 4 + base;
        }
        out[i] = T(id);
    }
};

// embedding forward: out[r, d] = weight[id_r, d]; NaN in the whole row when ids[r] is not a valid id.
template <class T>
struct embedding_lookup {
    const T* ids;     // [rows]
    const T* weight;  // [vocab, dim]
    T* out;           // [rows, dim]
    std::size_t vocab, dim;
    HELIX_HD void operator()(std::size_t i) const {
        const std::size_t r = i / dim, d = i % dim;
        std::size_t id = 0;
        out[i] = token_id(ids[r], vocab, id) ? weight[id * dim + d] : std::numeric_limits<T>::quiet_NaN();
    }
};

// The same lookup, one index per position: copies a whole row (the CPU's form: contiguous, no division per value).
template <class T>
struct embedding_lookup_rows {
    const T* ids;
    const T* weight;
    T* out;
    std::size_t vocab, dim;
    HELIX_HD void operator()(std::size_t r) const {
        std::size_t id = 0;
        T* o = out + r * dim;
        if (!token_id(ids[r], vocab, id)) {
            for (std::size_t d = 0; d < dim; ++d) o[d] = std::numeric_limits<T>::quiet_NaN();
            return;
        }
        const T* w = weight + id * dim;
        for (std::size_t d = 0; d < dim; ++d) o[d] = w[d];
    }
};

// embedding weight gradient in one pass over the positions, in order (the CPU's form: index 0 only, contiguous rows;
// every gradient element gets its additions in position order, as with the other two schemes: the same bits).
template <class T>
struct embedding_grad_in_order {
    const T* ids;
    const T* dout;
    T* grads;
    std::size_t rows, vocab, dim;
    HELIX_HD void operator()(std::size_t) const {
        for (std::size_t r = 0; r < rows; ++r) {
            std::size_t id = 0;
            if (!token_id(ids[r], vocab, id)) continue;
            T* g = grads + id * dim;
            const T* dy = dout + r * dim;
            for (std::size_t d = 0; d < dim; ++d) g[d] += dy[d];
        }
    }
};

// embedding weight gradient, one index per weight ROW v: scans every id of the batch in order and adds the output
// gradient of each position that used row v. Work vocab x rows comparisons; parallel over the vocabulary (the
// scheme for devices with many threads).
template <class T>
struct embedding_grad_by_row {
    const T* ids;   // [rows]
    const T* dout;  // [rows, dim]
    T* grads;       // [vocab, dim]
    std::size_t rows, vocab, dim;
    HELIX_HD void operator()(std::size_t v) const {
        T* g = grads + v * dim;
        for (std::size_t r = 0; r < rows; ++r) {
            std::size_t id = 0;
            if (!token_id(ids[r], vocab, id) || id != v) continue;
            const T* dy = dout + r * dim;
            for (std::size_t d = 0; d < dim; ++d) g[d] += dy[d];
        }
    }
};

// embedding weight gradient, one index per weight COLUMN d: walks the positions in order and adds dout[r, d] into
// grads[id_r, d]. Work rows x dim, whatever the vocabulary (the scheme for the CPU's few threads). For every weight
// element the additions come in the same order as in embedding_grad_by_row, so both give the same bits.
template <class T>
struct embedding_grad_by_column {
    const T* ids;   // [rows]
    const T* dout;  // [rows, dim]
    T* grads;       // [vocab, dim]
    std::size_t rows, vocab, dim;
    HELIX_HD void operator()(std::size_t d) const {
        for (std::size_t r = 0; r < rows; ++r) {
            std::size_t id = 0;
            if (token_id(ids[r], vocab, id)) grads[id * dim + d] += dout[r * dim + d];
        }
    }
};

// The sinusoidal encoding of Vaswani et al. (the PyTorch tutorial's PositionalEncoding) at (pos, c) of a table
// with `channels` channels: sin(pos w) on even c, cos(pos w) on odd c, w = exp(-(c - c % 2) ln(10000) / channels).
// Computed in double whatever T.
HELIX_HD inline double sinusoid(std::size_t pos, std::size_t c, std::size_t channels) {
    const double w = std::exp(-double(c - c % 2) * (std::log(10000.0) / double(channels)));
    const double a = double(pos) * w;
    return c % 2 == 0 ? std::sin(a) : std::cos(a);
}

// sinusoidal_positions: out = in + pe, per element of [batch, length, channels].
template <class T>
struct add_sinusoid {
    const T* in;
    T* out;
    std::size_t length, channels;
    HELIX_HD void operator()(std::size_t i) const {
        const std::size_t c = i % channels, pos = (i / channels) % length;
        out[i] = T(double(in[i]) + sinusoid(pos, c, channels));
    }
};

// learned_positions: out = in + table, the table [length, channels] broadcast over the batch.
template <class T>
struct add_table {
    const T* in;
    const T* table;
    T* out;
    std::size_t table_size;  // length x channels
    HELIX_HD void operator()(std::size_t i) const { out[i] = in[i] + table[i % table_size]; }
};

// learned_positions weight gradient: one index per table element, summing the batch in order.
template <class T>
struct table_grad {
    const T* dout;  // [batch, table_size]
    T* grads;       // [table_size]
    std::size_t table_size, batch;
    HELIX_HD void operator()(std::size_t j) const {
        T s = T(0);
        for (std::size_t b = 0; b < batch; ++b) s += dout[b * table_size + j];
        grads[j] += s;
    }
};

}  // namespace helix::kernels
