// motif_scanner: finds transcription-factor binding sites in DNA windows with position weight matrices.
//
// Score of a site: sum over motif positions of log2(p_motif(base) / p_background(base)), where the background is
// the window's own base composition (its GC fraction, in 1 % steps; A = T and C = G), on both strands.
// A site is reported when its score reaches the threshold whose p-value under that background is at most
// `p_value` (default 1e-4), computed from the exact score distribution: scores are rounded to 1/`resolution` bits
// and the distribution of their sum over independent background positions is convolved position by position
// (as MOODS and FIMO do). Thresholds are cached per (motif, GC step). N positions never score a site.
// Guarantees: deterministic; scan() is safe to call from several threads at once.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace epiann {

// A motif's probabilities per position (A, C, G, T; each row sums to 1, pseudocounts applied by the caller).
struct position_matrix {
    std::string id, name;
    std::vector<std::array<double, 4>> probabilities;
};

struct motif_site {
    std::size_t motif = 0;        // index into the scanner's motifs
    std::size_t position = 0;     // 0-based start in the scanned sequence
    char strand = '+';            // '-': the reverse complement of the motif matched
    double score = 0;             // log2 odds
};

class motif_scanner {
public:
    explicit motif_scanner(std::vector<position_matrix> motifs, double p_value = 1e-4, double resolution = 100);
    ~motif_scanner();

    // Every site of every motif in `sequence` (A, C, G, T, N; upper case), sorted by position, then motif.
    std::vector<motif_site> scan(std::string_view sequence) const;
    // The same against a background of GC fraction `gc` (rounded to 1 %) instead of the sequence's own.
    std::vector<motif_site> scan(std::string_view sequence, double gc) const;

    // The log2-odds threshold of `motif` for a background with GC fraction gc (rounded to 1 %).
    double threshold(std::size_t motif, double gc) const;
    // P(score >= s) for a random background sequence with GC fraction gc (exact up to the rounding), for scores
    // at or above the threshold (the sites scan() reports); 1 below it, where the distribution is not kept.
    double p_value_of(std::size_t motif, double gc, double score) const;

    const std::vector<position_matrix>& motifs() const noexcept { return motifs_; }

private:
    struct background_tables;  // integer score tables and thresholds for one GC step
    const background_tables& tables(int gc_percent) const;

    std::vector<position_matrix> motifs_;
    double p_value_, resolution_;
    mutable std::mutex mutex_;
    mutable std::array<std::unique_ptr<background_tables>, 101> cache_;
};

// Similar matrices (USF1, USF2, TFE3 and MITF all read CACGTG) hit the same bases. Among overlapping sites keep
// only the most significant (lowest p-value under background `gc`; ties: the earlier site), so that each stretch
// of DNA votes for one motif. Returns the kept sites sorted by position.
std::vector<motif_site> most_significant_sites(const motif_scanner& scanner, std::vector<motif_site> sites, double gc);

// GC fraction of the A, C, G, T bases of a sequence (N excluded); 0.5 when it has none.
double gc_fraction(std::string_view sequence);

}  // namespace epiann
