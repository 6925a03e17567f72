#include "explain/attention_map.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace epiann {

std::pair<std::size_t, std::size_t> bin_geometry::span(std::size_t k) const {
    if (k >= bins()) throw std::out_of_range("bin " + std::to_string(k) + " of " + std::to_string(bins()));
    const long long first = static_cast<long long>(k * pool) - static_cast<long long>(pad_before());
    const long long begin_conv = std::max(0LL, first);
    const long long end_conv = std::min(static_cast<long long>(conv_length()), first + static_cast<long long>(pool));
    const long long shift = static_cast<long long>(lead), last = static_cast<long long>(window);
    return {static_cast<std::size_t>(std::clamp(begin_conv - shift, 0LL, last)),
            static_cast<std::size_t>(std::clamp(end_conv - shift + static_cast<long long>(width) - 1, 0LL, last))};
}

std::vector<float> column_max(std::span<const float> matrix, std::size_t rows, std::size_t cols) {
    if (matrix.size() != rows * cols) throw std::invalid_argument("column_max: matrix size differs from rows x cols");
    std::vector<float> out(cols, 0.f);
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c) out[c] = r == 0 ? matrix[c] : std::max(out[c], matrix[r * cols + c]);
    return out;
}

std::vector<float> base_importance(const bin_geometry& g, std::span<const float> bin_importance) {
    if (bin_importance.size() != g.bins()) throw std::invalid_argument("base_importance: one value per bin expected");
    std::vector<float> out(g.window, 0.f);
    for (std::size_t k = 0; k < g.bins(); ++k) {
        const auto [begin, end] = g.span(k);
        for (std::size_t b = begin; b < end; ++b) out[b] = std::max(out[b], bin_importance[k]);
    }
    return out;
}

std::vector<ranked_bin> top_bins(std::span<const float> bin_importance, std::size_t count) {
    std::vector<std::size_t> order(bin_importance.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return bin_importance[a] > bin_importance[b]; });
    std::vector<ranked_bin> out;
    for (std::size_t i = 0; i < std::min(count, order.size()); ++i) out.push_back({order[i], bin_importance[order[i]]});
    return out;
}

}  // namespace epiann
