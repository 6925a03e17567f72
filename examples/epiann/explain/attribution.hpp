// What `epiann explain --methods` computes besides attention: per-base scores of every explained pair's two windows
// from the model's gradients or from mutating it (helix/attribution), all of the interaction logit, and how well
// they find a simulated grammar's planted sites.
//
// Per-base score, higher where a base supports the interaction (one-hot input x, gradient g = d logit / d x):
//   saliency              max over the four letters of |g| (Simonyan et al.; unsigned)
//   input_x_gradient      g at the letter the base holds (x . g)
//   integrated_gradients  the base's attributions summed over letters, from a dinucleotide-shuffled (or zero)
//                         reference of the sides chosen (the others held at themselves)
//   ism                   logit(x) - mean over the three substitutions of logit(x with the base substituted)
// Gradients do not reach the bases of a model that reads k-mer tokens (a lookup): those models get attention and
// ism only. Regions: the per-base scores summed over 40 bp bins (same size as EPIANN's 44 bp attention bins).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "explain/attention_map.hpp"

namespace epiann {

enum class attribution_method { attention, saliency, input_x_gradient, integrated_gradients, ism };

const char* method_name(attribution_method m);
// What one method costs per pair, in forwards and backwards, for the help text and the log.
std::string method_cost(attribution_method m, std::size_t steps);
// "attention,ism" -> the methods, in the order given, each once; input_error naming the unknown one otherwise.
std::vector<attribution_method> parse_methods(const std::string& list);

struct attribution_options {
    std::size_t steps = 32;           // integrated gradients' path points
    std::string reference = "shuffle";  // integrated gradients' reference: shuffle (dinucleotide) or zero
    std::string vary = "both";        // the sides that move from their reference: both, enhancer, promoter
    std::uint64_t seed = 1;           // of the shuffles (pair i's sides draw streams 2i and 2i + 1)
    bool hypothetical = false;        // keep positive pairs' one-hot windows and hypothetical contributions (TF-MoDISco)
};

// Whether a method has hypothetical contributions (a score for every letter at every base, TF-MoDISco's input).
bool has_hypothetical(attribution_method m);
// TF-MoDISco's hypothetical contributions from a window's raw attributions (rows x 4): the gradient (saliency,
// input x gradient) or the substitution effects (ism) with each base's mean over the four letters removed, so that
// a letter scores what it adds over the others (Majdandzic et al. 2023's correction for one-hot gradients).
std::vector<float> hypothetical_contributions(std::span<const float> raw);

// One pair's per-base scores, one value per base of each window.
struct base_scores {
    std::vector<float> enhancer, promoter;
};

struct attribution_readout {
    std::vector<double> probabilities;  // per explained pair
    std::vector<base_scores> pairs;
    // Integrated gradients' completeness check per pair: the sum of its attributions against logit(x) - logit(x').
    std::vector<double> attribution_sums, output_differences;
    // With attribution_options::hypothetical, per positive pair (empty for the others): each side's one-hot window and
    // hypothetical contributions, rows x 4.
    std::vector<base_scores> one_hot, hypothetical;
};

// For one pair: how occluding each region of one element changes the input x gradient of each region of the other
// (helix::attribution::cross_effects), both ways.
struct pair_cross_effects {
    std::size_t region = 40;  // bases per region
    std::size_t enhancer_regions = 0, promoter_regions = 0;
    std::vector<double> enhancer_to_promoter;  // enhancer_regions x promoter_regions: enhancer region occluded
    std::vector<double> promoter_to_enhancer;  // promoter_regions x enhancer_regions: promoter region occluded
};

// One window's per-base score from its raw attributions (rows x 4 values, the method's own) and its one-hot rows.
std::vector<float> per_base_scores(attribution_method m, std::span<const float> one_hot, std::span<const float> raw);

// The regions' bins for per-base scores: 40 bp, SAME-style (every base in one bin).
bin_geometry method_bins(std::size_t window);
// Sum of the per-base scores in each bin.
std::vector<float> bin_sums(const bin_geometry& g, std::span<const float> bases);

}  // namespace epiann
