// From a model's attention to regions of the genome.
//
// Bins: after the convolution (each output reading W bases) and the max-pool (width P, stride P) a window of L bases
// has ceil(n / P) bins (SAME pool, EPIANN) or floor(n / P) (valid pool, the Keras models), n the number of
// convolution outputs; bin k pools convolution outputs [k P - pad, k P - pad + P) (clipped), where pad is the SAME
// padding before, and convolution output p reads bases [p - lead, p - lead + W) (clipped to the window). So in the
// paper's model (lead 0) bin k covers [max(0, k P - pad), min(L - W + 1, k P - pad + P) + W - 1): 44 bp at a 30 bp
// stride. lead and trail are bases outside the window that the convolution reads: the five N rows before a 6-mer
// tokenisation (each token reads 6 bases, so a convolution of width w over tokens reads W = w + 5 bases, lead 5),
// and a 'same' convolution's zero padding.
//
// Importance (the paper's row- and column-wise maxima): enhancer_attention (LE' x LP', enhancer bins asking)
// and promoter_attention (LP' x LE', promoter bins asking). Promoter bin j's importance is the most any enhancer
// bin attends to it, max_i enhancer_attention[i][j]; enhancer bin i's is max_j promoter_attention[j][i].
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace epiann {

struct bin_geometry {
    std::size_t window = 0, width = 15, pool = 30;
    bool same_pool = true;  // SAME max-pool (EPIANN); valid otherwise (a last partial pool window is dropped)
    std::size_t lead = 0, trail = 0;

    std::size_t conv_length() const { return window + lead + trail - width + 1; }
    std::size_t bins() const { return same_pool ? (conv_length() + pool - 1) / pool : conv_length() / pool; }
    std::size_t pad_before() const { return same_pool ? (bins() * pool - conv_length()) / 2 : 0; }
    // Bases of bin k inside the window, 0-based half-open.
    std::pair<std::size_t, std::size_t> span(std::size_t k) const;
};

// Column-wise maximum of a rows x cols row-major matrix: one value per column.
std::vector<float> column_max(std::span<const float> matrix, std::size_t rows, std::size_t cols);

// Per-base importance inside the window: each base takes the largest importance of the bins covering it.
std::vector<float> base_importance(const bin_geometry& g, std::span<const float> bin_importance);

struct ranked_bin {
    std::size_t bin;
    float importance;
};
// The `count` most important bins, most important first (ties: lower bin first).
std::vector<ranked_bin> top_bins(std::span<const float> bin_importance, std::size_t count);

}  // namespace epiann
