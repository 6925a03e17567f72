// epiann explain: what a model reads in each pair, where in the genome, and which motifs and motif pairs live there.
//
// For each explained pair (the test set of the checkpoint's split by default) and each method of --methods:
// attention (the model's attention matrices, bin importance as the paper defines it, explain/attention_map.hpp) or
// a per-base attribution of the interaction logit (saliency, input x gradient, integrated gradients, in-silico
// mutagenesis; explain/attribution.hpp). Per method: per-base importance tracks, the top regions of each element,
// motif enrichment in them (against random regions of the same sizes) and TF-pair enrichment (positives against
// negatives); attention also gives the top enhancer-bin/promoter-bin cells. Attention's files keep their names
// (importance.bw, ...), another method's carry its name (importance_ism.bw, ...). With the simulator's truth.tsv
// it measures per method how well it recovers the planted grammar, per base and by region.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace epiann {

struct explain_request {
    std::string checkpoint, genome, pairs, out;
    std::string motifs, truth, grammar;  // truth and grammar: a simulated set's files (optional)
    std::string peaks;                   // narrowPeak (DNase, ATAC): open-chromatin overlap of the top regions
    std::string set = "test";            // test, or all
    std::size_t max_pairs = 0;           // 0: every pair of the set
    bool balanced = false;               // with max_pairs: as many positive as negative pairs (else each class's share)
    std::size_t top_regions = 5;
    double p_value = 1e-4;
    std::size_t permutations = 100;
    bool all_sites = false;  // keep every motif hit, not only the most significant of overlapping ones
    std::string device = "cpu";  // cpu or cuda
    int threads = 0;
    std::string methods;               // comma-separated (explain/attribution.hpp); empty: explain_methods' default
    std::size_t steps = 32;            // integrated gradients' path points
    std::string reference = "shuffle";  // integrated gradients' reference: shuffle or zero
    std::string vary = "both";         // the sides integrated gradients moves from the reference
    bool modisco = false;              // also TF-MoDISco's inputs: positive pairs' windows and hypothetical contributions
};

struct model_entry;
enum class attribution_method;
// The methods a request asks of a model: --methods, checked against what the model has (input_error for attention
// on a model without, or a gradient method on a k-mer model); by default attention where the model has it and
// input x gradient where gradients reach the bases (ism for a model with neither).
std::vector<attribution_method> explain_methods(const explain_request& request, const model_entry& model);

// The files run_explain writes into request.out for these methods (names relative to it).
std::vector<std::string> explain_outputs(const explain_request& request, const std::vector<attribution_method>& methods);

// Writes the outputs into request.out and returns the summary (also written as summary.json).
nlohmann::json run_explain(const explain_request& request);

}  // namespace epiann
