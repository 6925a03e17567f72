#include "explain/readout.hpp"

#include <algorithm>
#include <vector>

#include <helix/attribution/cross_effects.hpp>

namespace epiann {

void take_attention(explained_pair& e, pair_attention&& a, std::size_t index, const std::vector<explained_pair>& so_far,
                    example_attention& example) {
    const std::size_t rows = a.enhancer.size(), cols = a.promoter.size();
    if (!a.map.empty()) {
        const auto best = std::size_t(std::max_element(a.map.begin(), a.map.end()) - a.map.begin());
        e.top_enhancer_bin = best / cols;
        e.top_promoter_bin = best % cols;
        e.top_cell = a.map[best];
        const std::vector<double> map(a.map.begin(), a.map.end());
        e.map_row_dependence = helix::attribution::row_dependence(map, rows, cols);
    } else {
        e.top_enhancer_bin = std::size_t(std::max_element(a.enhancer.begin(), a.enhancer.end()) - a.enhancer.begin());
        e.top_promoter_bin = std::size_t(std::max_element(a.promoter.begin(), a.promoter.end()) - a.promoter.begin());
        e.top_cell = std::min(a.enhancer[e.top_enhancer_bin], a.promoter[e.top_promoter_bin]);
    }
    if (e.label == 1 && (example.index == SIZE_MAX || e.probability > so_far[example.index].probability)) {
        example.index = index;
        example.rows = a.map.empty() ? 0 : rows;
        example.cols = a.map.empty() ? 0 : cols;
        example.matrix = std::move(a.map);  // empty: the model has no pair map
    }
    e.enhancer_bins = std::move(a.enhancer);
    e.promoter_bins = std::move(a.promoter);
}

}  // namespace epiann
