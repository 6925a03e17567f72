// Fused 1-D convolution + ReLU + max-pool kernels for one sample, channel-last, stride-1 valid convolution.
//
// Represents: y[o, f] = max(0, max over the pool window of conv[l, f]), conv[l, f] = sum_{w, c} x[l + w, c] W[w, c, f]
// (+ bias[f]), with the argmax position l of every pooled value; the pre-pool activations are never stored.
// How: the convolution accumulates, for each output position, one filter column per tap of a precomputed table. On
// one-hot input (DNA: A, C, G, T, and N as an all-zero row) each row is one of Channels + 1 symbols, so the table
// holds, for every group of adjacent taps (3, 2 or 1) and every combination of their symbols, the sum of their weight
// columns (an N selects zeros): Width / group column additions per output instead of Width x Channels multiply-adds,
// with no branch. The triple table of EPIANN (5 tap triples x 125 symbol triples x 256 filters) is 640 KB: a pass
// over 64 filters reads a 160 KB slice of it, from L2; the largest group whose table stays under 1 MB is used. Any
// other input takes the general path (a list of the
// non-zero values of each row); both are exact up to rounding. The loops over a block of filters are written for
// the compiler to vectorise; run_kernel picks AVX-512 or AVX2 at run time (isa.hpp). The weight gradient on one-hot
// input adds into the same table layout (Width / 2 scattered additions per pooled value) and is folded back to
// [Width, Channels, Filters] once per batch.
// Requires: row-major channel-last input <Length, Channels>, weights [Width, Channels, Filters].
// Guarantees: ties in the pool go to the first position, as in max_pool1d; a pooled value of 0 (all conv values
// <= 0) passes no gradient, as relu then max_pool1d would.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "helix/backend/cpu/isa.hpp"
#include "helix/kernels/fast_math.hpp"
#include "helix/kernels/pool.hpp"

namespace helix::backend::cpu {

// The sizes of one fused convolution + ReLU + pool, all compile-time.
template <std::size_t Length, std::size_t Channels, std::size_t Filters, std::size_t Width, std::size_t PoolWidth,
          std::size_t PoolStride, std::size_t PadBefore, std::size_t OutLength>
struct conv_pool_geometry {
    static constexpr std::size_t length = Length, channels = Channels, filters = Filters, width = Width;
    static constexpr std::size_t conv_length = Length - Width + 1;
    static constexpr std::size_t out_length = OutLength;
    // The one-hot table: `group` adjacent taps share a row per combination of their symbols (Channels + 1 symbols:
    // the channels and N, whose weights are zero). Each tap more per group saves Width / group - Width / (group + 1)
    // additions per output but multiplies the table by `symbols`: the largest group of at most 3 whose table holds
    // at most 2^18 values (1 MB of floats) is used.
    static constexpr std::size_t symbols = Channels + 1;
    static constexpr std::size_t table_values(std::size_t taps) noexcept {
        std::size_t rows = 1;
        for (std::size_t g = 0; g < taps; ++g) rows *= symbols;
        return rows * ((Width + taps - 1) / taps) * Filters;
    }
    static constexpr std::size_t max_table_values = std::size_t{1} << 18;
    static constexpr std::size_t group =
        Width >= 3 && table_values(3) <= max_table_values ? 3 : table_values(2) <= max_table_values ? 2 : 1;
    static constexpr std::size_t groups = (Width + group - 1) / group;  // taps past Width have zero weights
    static constexpr std::size_t table_rows = table_values(group) / groups / Filters;
    static constexpr std::size_t tap_stride = table_rows * Filters;
    static constexpr std::size_t table_size = groups * tap_stride;
    // Filters are processed in blocks small enough for the accumulators to stay in registers.
    static constexpr std::size_t block = Filters >= 64 ? 64 : Filters;
    static constexpr std::size_t full_blocks = Filters / block;
    static constexpr std::size_t tail = Filters % block;

    // The pool window [lo, hi) of output o over conv positions (SAME padding never wins, so it is clipped).
    static constexpr std::size_t window_lo(std::size_t o) noexcept {
        return kernels::pool_window(o, PoolWidth, PoolStride, PadBefore, conv_length).lo;
    }
    static constexpr std::size_t window_hi(std::size_t o) noexcept {
        return kernels::pool_window(o, PoolWidth, PoolStride, PadBefore, conv_length).hi;
    }
};

// The symbols of table row r: the symbol of tap g (< group) of the group; the first tap is the most significant
// digit of r in base `symbols`.
template <class G>
constexpr std::size_t row_symbol(std::size_t r, std::size_t g) noexcept {
    for (std::size_t later = g + 1; later < G::group; ++later) r /= G::symbols;
    return r % G::symbols;
}

// The one-hot table [groups, table_rows, Filters] from the weights [Width, Channels, Filters]: row r of group t is
// the sum over its taps of the weight column of the tap's symbol (nothing for N or for a tap past Width).
template <class G, class T>
void build_padded_table(const T* weight, T* table) {
    for (std::size_t t = 0; t < G::groups; ++t)
        for (std::size_t r = 0; r < G::table_rows; ++r) {
            T* row = table + t * G::tap_stride + r * G::filters;
            std::fill_n(row, G::filters, T(0));
            for (std::size_t g = 0; g < G::group; ++g) {
                const std::size_t tap = t * G::group + g, symbol = row_symbol<G>(r, g);
                if (tap >= G::width || symbol >= G::channels) continue;
                const T* column = weight + (tap * G::channels + symbol) * G::filters;
                for (std::size_t f = 0; f < G::filters; ++f) row[f] += column[f];
            }
        }
}

// Adds a gradient in the table layout to the weight gradient [Width, Channels, Filters] (the transpose of
// build_padded_table; rows of N and taps past Width are dropped).
template <class G, class T>
void fold_table_gradient(const T* dtable, T* dweight) {
    for (std::size_t t = 0; t < G::groups; ++t)
        for (std::size_t r = 0; r < G::table_rows; ++r) {
            const T* row = dtable + t * G::tap_stride + r * G::filters;
            for (std::size_t g = 0; g < G::group; ++g) {
                const std::size_t tap = t * G::group + g, symbol = row_symbol<G>(r, g);
                if (tap >= G::width || symbol >= G::channels) continue;
                T* column = dweight + (tap * G::channels + symbol) * G::filters;
                for (std::size_t f = 0; f < G::filters; ++f) column[f] += row[f];
            }
        }
}

// The symbol of one input row: the channel holding a 1 (Channels when the row is all zero, N), or -1 when the row is
// not one-hot. Four float channels (DNA) take four compares and a table instead of a branch per channel: with random
// sequence those branches were mispredicted at almost every position (5 % of an inference step).
template <std::size_t Channels, class T>
int one_hot_symbol(const T* row) {
#if defined(__SSE2__)
    if constexpr (std::is_same_v<T, float> && Channels == 4) {
        const __m128 v = _mm_loadu_ps(row);
        const int set = _mm_movemask_ps(_mm_cmpneq_ps(v, _mm_setzero_ps()));  // NaN counts as set, and is not 1
        const int ones = _mm_movemask_ps(_mm_cmpeq_ps(v, _mm_set1_ps(1.0f)));
        static constexpr std::int8_t symbol_of_set_bits[16] = {4, 0, 1, -1, 2, -1, -1, -1, 3, -1, -1, -1, -1, -1, -1, -1};
        return set == ones ? symbol_of_set_bits[set] : -1;
    }
#endif
    int symbol = int(Channels);
    for (std::size_t c = 0; c < Channels; ++c)
        if (row[c] != T(0)) {
            if (row[c] != T(1) || symbol != int(Channels)) return -1;
            symbol = int(c);
        }
    return symbol;
}

// One-hot encoding of a sample: row_offset[p] is the offset, inside a group of the table, of the row for the
// symbols at p .. p + group - 1 (positions past the end read as N). Returns false when some row of x is neither
// one-hot nor all zero.
template <class G, class T>
bool encode_one_hot(const T* x, std::int32_t* row_offset) {
    for (std::size_t p = 0; p < G::length; ++p) {
        const int symbol = one_hot_symbol<G::channels>(x + p * G::channels);
        if (symbol < 0) return false;
        row_offset[p] = std::int32_t(symbol);  // turned into an offset below
    }
    for (std::size_t p = 0; p < G::length; ++p) {  // in increasing p: row_offset[p + g] still holds a symbol
        std::size_t row = std::size_t(row_offset[p]);
        for (std::size_t g = 1; g < G::group; ++g)
            row = row * G::symbols + (p + g < G::length ? std::size_t(row_offset[p + g]) : G::channels);
        row_offset[p] = std::int32_t(row * G::filters);
    }
    return true;
}

// The non-zero values of a sample, row by row: entries start[p] .. start[p + 1] of column/value.
template <class T>
struct sparse_rows {
    std::vector<std::uint32_t> start;
    std::vector<std::uint32_t> column;  // c * Filters: the offset of W[w, c, :] inside tap w
    std::vector<T> value;

    template <class G>
    void build(const T* x) {
        start.assign(G::length + 1, 0);
        column.clear();
        value.clear();
        for (std::size_t p = 0; p < G::length; ++p) {
            for (std::size_t c = 0; c < G::channels; ++c)
                if (const T v = x[p * G::channels + c]; v != T(0)) {
                    column.push_back(std::uint32_t(c * G::filters));
                    value.push_back(v);
                }
            start[p + 1] = std::uint32_t(column.size());
        }
    }
};

// Forward of one sample on one-hot input: pooled y [OutLength, Filters] and, with Positions, argmax [OutLength,
// Filters]. Without Positions (inference) the pool is a plain maximum: a compare and two blends fewer per vector of
// every position, a quarter of the work with the triple table.
template <class G, class T, bool HasBias, bool Positions = true>
struct conv_pool_one_hot_forward {
    template <std::size_t B>
    HELIX_ALWAYS_INLINE static void block(const T* table, const std::int32_t* row_offset, const T* bias,
                                          std::size_t f0, T* y, std::int32_t* arg) {
        for (std::size_t o = 0; o < G::out_length; ++o) {
            const std::size_t lo = G::window_lo(o), hi = G::window_hi(o);
            alignas(64) T best[B];
            alignas(64) std::int32_t where[B];
#pragma omp simd
            for (std::size_t j = 0; j < B; ++j) {
                best[j] = -std::numeric_limits<T>::infinity();
                where[j] = std::int32_t(lo);
            }
            for (std::size_t l = lo; l < hi; ++l) {
                alignas(64) T acc[B];
#pragma omp simd
                for (std::size_t j = 0; j < B; ++j) acc[j] = HasBias ? bias[f0 + j] : T(0);
                for (std::size_t t = 0; t < G::groups; ++t) {
                    const T* column = table + t * G::tap_stride + row_offset[l + t * G::group] + f0;
#pragma omp simd
                    for (std::size_t j = 0; j < B; ++j) acc[j] += column[j];
                }
#pragma omp simd
                for (std::size_t j = 0; j < B; ++j) {
                    const bool better = acc[j] > best[j];
                    best[j] = better ? acc[j] : best[j];
                    if constexpr (Positions) where[j] = better ? std::int32_t(l) : where[j];
                }
            }
            T* yo = y + o * G::filters + f0;
#pragma omp simd
            for (std::size_t j = 0; j < B; ++j) yo[j] = best[j] > T(0) ? best[j] : T(0);
            if constexpr (Positions) std::copy_n(where, B, arg + o * G::filters + f0);
        }
    }

    // Float with whole vectors of 16 filters: the same loop on vector types, V vectors (up to 64 filters) at a time,
    // every loop over the V vectors unrolled so that accumulators, maxima and positions stay in registers.
    template <std::size_t... C>
    HELIX_ALWAYS_INLINE static void vector_block(const float* table, const std::int32_t* row_offset, const float* bias,
                                                 std::size_t f0, float* y, std::int32_t* arg, std::index_sequence<C...>) {
        using kernels::f32x16;
        using i32x16 = kernels::i32x16;
        constexpr std::size_t V = sizeof...(C);
        const auto load = [](f32x16& v, const float* p) { std::memcpy(&v, p, sizeof v); };
        f32x16 start[V];
        if constexpr (HasBias) (load(start[C], bias + f0 + 16 * C), ...);
        else ((start[C] = HELIX_F32X16(0.0f)), ...);
        for (std::size_t o = 0; o < G::out_length; ++o) {
            const std::size_t lo = G::window_lo(o), hi = G::window_hi(o);
            f32x16 best[V] = {};
            i32x16 where[V] = {};
            ((best[C] = HELIX_F32X16(-std::numeric_limits<float>::infinity())), ...);
            ((where[C] = i32x16{} + std::int32_t(lo)), ...);
            for (std::size_t l = lo; l < hi; ++l) {
                f32x16 acc[V];
                ((acc[C] = start[C]), ...);
                for (std::size_t t = 0; t < G::groups; ++t) {
                    const float* column = table + t * G::tap_stride + row_offset[l + t * G::group] + f0;
                    f32x16 col[V];
                    (load(col[C], column + 16 * C), ...);
                    ((acc[C] += col[C]), ...);
                }
                if constexpr (Positions) {
                    const i32x16 position = i32x16{} + std::int32_t(l);
                    ((where[C] = acc[C] > best[C] ? position : where[C]), ...);
                }
                ((best[C] = acc[C] > best[C] ? acc[C] : best[C]), ...);
            }
            const f32x16 zero = HELIX_F32X16(0.0f);
            ((best[C] = best[C] > zero ? best[C] : zero), ...);
            (std::memcpy(y + o * G::filters + f0 + 16 * C, &best[C], sizeof(f32x16)), ...);
            if constexpr (Positions)
                (std::memcpy(arg + o * G::filters + f0 + 16 * C, &where[C], sizeof(i32x16)), ...);
        }
    }

    HELIX_ALWAYS_INLINE static void run(const T* table, const std::int32_t* row_offset, const T* bias, T* y,
                                        std::int32_t* arg) {
        if constexpr (std::is_same_v<T, float> && G::filters % 16 == 0) {
            constexpr std::size_t V = 4;  // 64 filters per pass (measured faster than 32, whose slice fits L1)
            constexpr std::size_t full = G::filters / (16 * V), tail_vectors = G::filters % (16 * V) / 16;
            for (std::size_t b = 0; b < full; ++b)
                vector_block(table, row_offset, bias, b * 16 * V, y, arg, std::make_index_sequence<V>{});
            if constexpr (tail_vectors > 0)
                vector_block(table, row_offset, bias, full * 16 * V, y, arg, std::make_index_sequence<tail_vectors>{});
        } else {
            for (std::size_t b = 0; b < G::full_blocks; ++b)
                block<G::block>(table, row_offset, bias, b * G::block, y, arg);
            if constexpr (G::tail > 0) block<G::tail>(table, row_offset, bias, G::full_blocks * G::block, y, arg);
        }
    }
};

// Forward of one sample on any input, through the list of its non-zero values.
template <class G, class T, bool HasBias>
struct conv_pool_sparse_forward {
    template <std::size_t B>
    HELIX_ALWAYS_INLINE static void block(const T* weight, const sparse_rows<T>& rows, const T* bias, std::size_t f0,
                                          T* y, std::int32_t* arg) {
        for (std::size_t o = 0; o < G::out_length; ++o) {
            const std::size_t lo = G::window_lo(o), hi = G::window_hi(o);
            alignas(64) T best[B];
            alignas(64) std::int32_t where[B];
            for (std::size_t j = 0; j < B; ++j) {
                best[j] = -std::numeric_limits<T>::infinity();
                where[j] = std::int32_t(lo);
            }
            for (std::size_t l = lo; l < hi; ++l) {
                alignas(64) T acc[B];
                for (std::size_t j = 0; j < B; ++j) acc[j] = HasBias ? bias[f0 + j] : T(0);
                for (std::size_t w = 0; w < G::width; ++w)
                    for (std::uint32_t k = rows.start[l + w]; k < rows.start[l + w + 1]; ++k) {
                        const T v = rows.value[k];
                        const T* column = weight + w * G::channels * G::filters + rows.column[k] + f0;
#pragma omp simd
                        for (std::size_t j = 0; j < B; ++j) acc[j] += v * column[j];
                    }
#pragma omp simd
                for (std::size_t j = 0; j < B; ++j) {
                    const bool better = acc[j] > best[j];
                    best[j] = better ? acc[j] : best[j];
                    where[j] = better ? std::int32_t(l) : where[j];
                }
            }
            for (std::size_t j = 0; j < B; ++j) {
                y[o * G::filters + f0 + j] = best[j] > T(0) ? best[j] : T(0);
                arg[o * G::filters + f0 + j] = where[j];
            }
        }
    }

    HELIX_ALWAYS_INLINE static void run(const T* weight, const sparse_rows<T>* rows, const T* bias, T* y,
                                        std::int32_t* arg) {
        for (std::size_t b = 0; b < G::full_blocks; ++b) block<G::block>(weight, *rows, bias, b * G::block, y, arg);
        if constexpr (G::tail > 0) block<G::tail>(weight, *rows, bias, G::full_blocks * G::block, y, arg);
    }
};

// Weight (and bias) gradient of one sample: only the argmax position of each pooled value with y > 0 receives
// its gradient, so this touches OutLength x Filters x Width weights, not conv_length x Filters x Width x Channels.
template <class G, class T, bool HasBias>
void conv_pool_weight_gradient(const T* x, const T* y, const T* dy, const std::int32_t* arg, T* dweight, T* dbias) {
    for (std::size_t i = 0; i < G::out_length * G::filters; ++i) {
        const T g = dy[i];
        if (!(y[i] > T(0)) || g == T(0)) continue;
        const std::size_t f = i % G::filters, l = std::size_t(arg[i]);
        if constexpr (HasBias) dbias[f] += g;
        for (std::size_t w = 0; w < G::width; ++w) {
            const T* xr = x + (l + w) * G::channels;
            T* dw = dweight + w * G::channels * G::filters + f;
            for (std::size_t c = 0; c < G::channels; ++c)
                if (xr[c] != T(0)) dw[c * G::filters] += xr[c] * g;
        }
    }
}

// The same on one-hot input, branch-free: row_offset from encode_one_hot; dtable has the table's layout (its N rows
// collect the gradient of N positions, dropped by fold_table_gradient).
template <class G, class T>
void conv_pool_weight_gradient_one_hot(const std::int32_t* row_offset, const T* y, const T* dy, const std::int32_t* arg,
                                       T* dtable) {
    for (std::size_t o = 0; o < G::out_length; ++o)
        for (std::size_t f = 0; f < G::filters; ++f) {
            const std::size_t i = o * G::filters + f;
            const T g = y[i] > T(0) ? dy[i] : T(0);
            const std::int32_t* offsets = row_offset + arg[i];
            T* d = dtable + f;
            for (std::size_t t = 0; t < G::groups; ++t) d[t * G::tap_stride + std::size_t(offsets[t * G::group])] += g;
        }
}

// Input gradient of one sample (overwrites dx [Length, Channels]).
template <class G, class T>
void conv_pool_input_gradient(const T* weight, const T* y, const T* dy, const std::int32_t* arg, T* dx) {
    std::fill_n(dx, G::length * G::channels, T(0));
    for (std::size_t i = 0; i < G::out_length * G::filters; ++i) {
        const T g = dy[i];
        if (!(y[i] > T(0)) || g == T(0)) continue;
        const std::size_t f = i % G::filters, l = std::size_t(arg[i]);
        for (std::size_t w = 0; w < G::width; ++w)
            for (std::size_t c = 0; c < G::channels; ++c)
                dx[(l + w) * G::channels + c] += g * weight[(w * G::channels + c) * G::filters + f];
    }
}

}  // namespace helix::backend::cpu
