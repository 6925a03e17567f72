// Leak canaries: predictors that read no sequence, scored on a split's test set beside any model. If one of them
// scores well, the split rewards memorising elements rather than reading DNA, and a model's figures on it say
// little about what it learned. "Training" below means every labelled pair outside the test set (training and
// validation pairs: both are labels a model's developer has seen).
//   overlap    a test pair scores 1 when both its windows overlap the windows of one training positive
//              (same chromosome, enhancer window with enhancer window, promoter with promoter), else 0
//   propensity each element's positive rate among the training pairs it appears in (Laplace-smoothed towards the
//              training base rate; unseen elements get the base rate); a pair scores the mean of its two elements
//   distance   the distance between enhancer and promoter midpoints, oriented (near or far scores higher) by
//              whichever direction ranks the training pairs better
// Requires: every pair has a label and a set (train, validation or test); the test set is non-empty.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "evaluate/metrics.hpp"

namespace epiann {

struct canary_pair {
    std::string enhancer_chromosome, promoter_chromosome;
    long long enhancer_start, enhancer_end;  // the enhancer's window, 0-based half-open
    long long promoter_start, promoter_end;  // the promoter's window
    std::string enhancer_id, promoter_id;    // element identity (e.g. "chr1:100-300")
    int label = 0;
    enum class set : std::uint8_t { train, validation, test } in = set::train;
};

struct canary_scores {
    std::string name;
    std::vector<double> scores;  // one per test pair, in input order
    classification_report report;
};

// The three canaries on the test pairs.
std::vector<canary_scores> leak_canaries(std::span<const canary_pair> pairs);

}  // namespace epiann
