// epiann explain: what EPIANN attends to, where in the genome, and which motifs and motif pairs live there.
//
// For each explained pair (the test set of the checkpoint's split by default): the two attention matrices, bin
// importance as the paper defines it (explain/attention_map.hpp), the top regions of each element, per-base
// importance tracks, and the top enhancer-bin/promoter-bin cells. Then the windows are scanned with JASPAR motifs
// and motif enrichment in the top regions (against random regions of the same sizes) and TF-pair enrichment
// (positives against negatives) are computed. With the simulator's truth.tsv it also measures how well attention
// recovers the planted grammar.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace epiann {

struct explain_request {
    std::string checkpoint, genome, pairs, out;
    std::string motifs, truth, grammar;  // truth and grammar: a simulated set's files (optional)
    std::string peaks;                   // narrowPeak (DNase, ATAC): open-chromatin overlap of the top regions
    std::string set = "test";            // test, or all
    std::size_t max_pairs = 0;           // 0: every pair of the set
    std::size_t top_regions = 5;
    double p_value = 1e-4;
    std::size_t permutations = 100;
    bool all_sites = false;  // keep every motif hit, not only the most significant of overlapping ones
    std::string device = "cpu";  // cpu or cuda
    int threads = 0;
};

// Writes the outputs into request.out and returns the summary (also written as summary.json).
nlohmann::json run_explain(const explain_request& request);

}  // namespace epiann
