// Motif and TF-pair enrichment in the regions EPIANN attends to.
//
// motif_enrichment: for each motif, the fraction of its sites (site centre) in the windows that fall inside the
//   top attention regions, against the fraction expected when the same regions are placed uniformly at random in
//   the same windows (`permutations` placements, seeded). Reports fold = observed / expected, a z-score against the
//   permutation null, and the permutation p-value (1 + #{null >= observed}) / (1 + permutations). Motifs are ranked
//   by z-score (fold is noisy for rare motifs).
// tf_pair_enrichment: for each (enhancer motif m, promoter motif n), how many positive and negative pairs have m in
//   the enhancer's top regions and n in the promoter's; Fisher's exact test (two-sided) of that 2x2 table and
//   Benjamini-Hochberg q-values over the pairs tested (those seen in at least `min_positive` positive pairs).
//   Ranked by p-value, then odds ratio.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace epiann {

struct element_scan {
    std::size_t window = 0;                                      // window length
    std::vector<std::pair<std::size_t, std::size_t>> regions;    // top attention regions, window coordinates
    std::vector<std::pair<std::uint32_t, std::size_t>> sites;   // (motif, site centre in the window)
};

struct motif_enrichment_row {
    std::uint32_t motif = 0;
    std::size_t sites = 0, in_regions = 0;
    double observed_fraction = 0, expected_fraction = 0, fold = 0, z = 0, p_value = 1;
};

std::vector<motif_enrichment_row> motif_enrichment(std::span<const element_scan> elements, std::size_t motif_count,
                                                   std::size_t permutations = 200, std::uint64_t seed = 1);

struct pair_scan {
    const element_scan* enhancer = nullptr;
    const element_scan* promoter = nullptr;
    int label = 0;
};

struct tf_pair_row {
    std::uint32_t enhancer_motif = 0, promoter_motif = 0;
    std::uint64_t positive_with = 0, positive_without = 0, negative_with = 0, negative_without = 0;
    double odds_ratio = 0, p_value = 1, q_value = 1;
};

std::vector<tf_pair_row> tf_pair_enrichment(std::span<const pair_scan> pairs, std::size_t motif_count,
                                            std::size_t min_positive = 5);

// The distinct motifs with a site centre inside the element's regions.
std::vector<std::uint32_t> motifs_in_regions(const element_scan& e);

}  // namespace epiann
