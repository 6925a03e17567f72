// Windows: the fixed-length stretch of sequence the model reads around each element (DESIGN section 6).
//
// A window of length T around an element [s, e) of length L starts at s - ceil((T - L) / 2) when L < T and at
// s + ceil((L - T) / 2) when L >= T (BED-correct centring; the original EPIANN R code sits one base further left
// for elements shorter than the window). Augmentation shifts the whole window by an offset (training positives
// only: -450, -400, ..., +500 by default). A window that would leave its chromosome is moved inside it, keeping
// its length (so the model's input never runs off the sequence); a chromosome shorter than the window is an
// input_error. The element's start and end inside the window are recorded (clamped to it) for the coordinate heads.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "data/pairs.hpp"

namespace epiann {

struct window {
    interval span;                         // the window in the genome
    long long element_start = 0, element_end = 0;  // the element inside the window, clamped to [0, length)
    bool moved_inside = false;             // true when the chromosome end forced the window inward
};

struct window_options {
    long long enhancer_length = 3000, promoter_length = 2000;
    std::vector<long long> augmentation_offsets = default_augmentation();
    // The paper shifts positives only, so position becomes a label cue (shifted: positive; centred: negative) that
    // the centred test set then contradicts. Shifting negatives the same way removes the cue.
    bool augment_negatives = false;

    static std::vector<long long> default_augmentation() { return augmentation(-450, 50, 20); }
    static std::vector<long long> augmentation(long long first, long long step, int count) {
        std::vector<long long> v;
        for (int k = 0; k < count; ++k) v.push_back(first + k * step);
        return v;
    }
};

// Length of a chromosome, or nothing when unknown.
using chromosome_lengths = std::function<std::optional<long long>(const std::string&)>;

// The window of `length` around `element`, shifted by `offset`. `where` names the pair for error messages.
window make_window(const interval& element, long long length, long long offset, const chromosome_lengths& lengths,
                   const std::string& where);

struct pair_windows {
    window enhancer, promoter;
};

pair_windows make_pair_windows(const pair_record& pair, const window_options& options, long long offset,
                               const chromosome_lengths& lengths, const std::string& path);

// Chromosome lengths from a UCSC chrom.sizes file (name<TAB>length per line).
chromosome_lengths read_chromosome_sizes(const std::string& path);

}  // namespace epiann
