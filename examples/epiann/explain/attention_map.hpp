// From EPIANN's attention matrices to regions of the genome.
//
// Bins: after the convolution (width W, valid) and the SAME max-pool (width P, stride P) a window of L bases has
// ceil((L - W + 1) / P) bins; bin k pools convolution outputs [k P - pad, k P - pad + P) (clipped), where pad is
// the SAME padding before, and each convolution output p reads bases [p, p + W). So bin k covers
// [max(0, k P - pad), min(L - W + 1, k P - pad + P) + W - 1): 44 bp at a 30 bp stride in the paper's model.
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

    std::size_t conv_length() const { return window - width + 1; }
    std::size_t bins() const { return (conv_length() + pool - 1) / pool; }
    std::size_t pad_before() const { return (bins() * pool - conv_length()) / 2; }
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
