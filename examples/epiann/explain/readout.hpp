// What `epiann explain` reads from a model: per explained pair its probability and each element's bin importance,
// whatever the model's attention is (EPIANN's cross-attention matrices, an attention pooling's weights, a
// transformer's self-attention), with the bins' positions in the windows.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "data/windows.hpp"
#include "explain/attention_map.hpp"

namespace epiann {

// One explained pair: its windows, probability, and each element's bin importance.
struct explained_pair {
    std::size_t pair = 0;
    int label = 0;
    double probability = 0;
    pair_windows windows;
    std::vector<float> enhancer_bins, promoter_bins;
    std::size_t top_enhancer_bin = 0, top_promoter_bin = 0;  // the strongest enhancer-promoter cell
    float top_cell = 0;
    // How much the pair map's rows differ (helix::attribution::row_dependence: 0 when every enhancer bin attends to
    // the promoter bins alike); -1 for a model without a pair map.
    double map_row_dependence = -1;
};

// The report's example: the most confident positive pair, with its pair map (enhancer bins x promoter bins) when
// the model has one (otherwise matrix is empty).
struct example_attention {
    std::size_t index = SIZE_MAX;  // into the explained pairs
    std::size_t rows = 0, cols = 0;
    std::vector<float> matrix;
    std::string meaning;  // what a cell is
};

struct attention_readout {
    std::vector<explained_pair> pairs;
    example_attention example;
    bin_geometry enhancer, promoter;
    std::string kind;  // what the importance is read from, in words
};

// One model's attention for one pair, before it becomes an explained_pair: the two sides' bin importance and, when
// the model has one, a pair map (rows: enhancer bins, columns: promoter bins).
struct pair_attention {
    std::vector<float> enhancer, promoter, map;
};

// Fills the importance and strongest cell of `e` from `a` (the strongest cell: the map's largest, or, without a map,
// the pair of each side's most important bins with the smaller of their two importances), and makes `e` (at `index`
// of `so_far`) the example when it is the most confident positive so far.
void take_attention(explained_pair& e, pair_attention&& a, std::size_t index, const std::vector<explained_pair>& so_far,
                    example_attention& example);

}  // namespace epiann
