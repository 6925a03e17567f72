// The marginal-motif baseline: a logistic regression that sees which motifs each element carries, enhancer and
// promoter separately, but not how they pair (no interaction terms):
//   logit = b + sum_m w_m [enhancer has m] + sum_m u_m [promoter has m]
// Fitted on the training pairs (L2-penalised, full-batch Adam, deterministic), scored on the test pairs. A model
// that beats it has learned something about the pairing; a model that merely matches it has learned which
// elements tend to interact.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace epiann {

struct baseline_pair {
    std::size_t enhancer = 0, promoter = 0;  // indices into the element motif lists
    int label = 0;
    bool train = false, test = false;
};

struct baseline_options {
    double l2 = 1e-3;          // per training pair
    std::size_t iterations = 400;
    double learning_rate = 0.05;
};

// motifs_of_enhancer[e]: the distinct motif indices (< motif_count) found in enhancer e's window; the same for
// promoters. Returns one probability per test pair, in input order.
std::vector<double> marginal_motif_baseline(std::span<const baseline_pair> pairs,
                                            const std::vector<std::vector<std::uint32_t>>& motifs_of_enhancer,
                                            const std::vector<std::vector<std::uint32_t>>& motifs_of_promoter,
                                            std::size_t motif_count, const baseline_options& options = {});

}  // namespace epiann
