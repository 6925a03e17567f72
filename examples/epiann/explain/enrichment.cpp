#include "explain/enrichment.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <helix/core/rng.hpp>

#include "explain/statistics.hpp"

namespace epiann {
namespace {

bool inside(const std::vector<std::pair<std::size_t, std::size_t>>& regions, std::size_t position) {
    return std::any_of(regions.begin(), regions.end(), [&](const auto& r) { return position >= r.first && position < r.second; });
}

}  // namespace

std::vector<std::uint32_t> motifs_in_regions(const element_scan& e) {
    std::vector<std::uint32_t> out;
    for (const auto& [motif, centre] : e.sites)
        if (inside(e.regions, centre)) out.push_back(motif);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::vector<motif_enrichment_row> motif_enrichment(std::span<const element_scan> elements, std::size_t motif_count,
                                                   std::size_t permutations, std::uint64_t seed) {
    std::vector<motif_enrichment_row> rows(motif_count);
    for (std::size_t m = 0; m < motif_count; ++m) rows[m].motif = std::uint32_t(m);
    std::vector<std::vector<double>> null(motif_count, std::vector<double>(permutations, 0.0));
    std::vector<std::uint8_t> covered;
    for (std::size_t e = 0; e < elements.size(); ++e) {
        const auto& el = elements[e];
        for (const auto& [motif, centre] : el.sites) {
            if (motif >= motif_count) throw std::invalid_argument("motif enrichment: motif index out of range");
            ++rows[motif].sites;
            rows[motif].in_regions += inside(el.regions, centre);
        }
        // The same regions at random places in the same window, once per permutation.
        helix::counter_rng rng(seed, e);
        for (std::size_t k = 0; k < permutations; ++k) {
            covered.assign(el.window, 0);
            for (const auto& [begin, end] : el.regions) {
                const std::size_t size = std::min(end - begin, el.window);
                const std::size_t start = rng.next_below(el.window - size + 1);
                std::fill(covered.begin() + std::ptrdiff_t(start), covered.begin() + std::ptrdiff_t(start + size), 1);
            }
            for (const auto& [motif, centre] : el.sites)
                if (centre < el.window && covered[centre]) null[motif][k] += 1;
        }
    }
    for (std::size_t m = 0; m < motif_count; ++m) {
        auto& r = rows[m];
        if (r.sites == 0) continue;
        double mean = 0, sq = 0;
        for (double v : null[m]) mean += v;
        mean /= double(std::max<std::size_t>(permutations, 1));
        for (double v : null[m]) sq += (v - mean) * (v - mean);
        const double sd = permutations > 1 ? std::sqrt(sq / double(permutations - 1)) : 0;
        r.observed_fraction = double(r.in_regions) / double(r.sites);
        r.expected_fraction = mean / double(r.sites);
        r.fold = mean > 0 ? double(r.in_regions) / mean : (r.in_regions > 0 ? INFINITY : 1);
        r.z = (double(r.in_regions) - mean) / std::max(sd, 0.5);  // floor: a null without spread is not certainty
        r.p_value = permutation_p_value(double(r.in_regions), null[m]);
    }
    std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.z > b.z; });
    return rows;
}

std::vector<tf_pair_row> tf_pair_enrichment(std::span<const pair_scan> pairs, std::size_t motif_count,
                                            std::size_t min_positive) {
    std::vector<std::uint32_t> positive(motif_count * motif_count, 0), negative(motif_count * motif_count, 0);
    std::uint64_t positives = 0, negatives = 0;
    for (const auto& p : pairs) {
        const auto e = motifs_in_regions(*p.enhancer), q = motifs_in_regions(*p.promoter);
        auto& table = p.label == 1 ? positive : negative;
        (p.label == 1 ? positives : negatives) += 1;
        for (auto m : e)
            for (auto n : q) ++table[std::size_t(m) * motif_count + n];
    }
    std::vector<tf_pair_row> rows;
    for (std::size_t m = 0; m < motif_count; ++m)
        for (std::size_t n = 0; n < motif_count; ++n) {
            const std::uint64_t pw = positive[m * motif_count + n], nw = negative[m * motif_count + n];
            if (pw < min_positive) continue;
            tf_pair_row r{std::uint32_t(m), std::uint32_t(n), pw, positives - pw, nw, negatives - nw};
            const auto f = fisher_exact(r.positive_with, r.positive_without, r.negative_with, r.negative_without);
            r.p_value = f.p_value;
            r.odds_ratio = f.odds_ratio;
            rows.push_back(r);
        }
    std::vector<double> p;
    for (const auto& r : rows) p.push_back(r.p_value);
    const auto q = benjamini_hochberg(p);
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i].q_value = q[i];
    // Enrichment, not depletion, is what a cooperating pair shows: rank enriched pairs first.
    std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
        const bool ea = a.odds_ratio > 1, eb = b.odds_ratio > 1;
        if (ea != eb) return ea;
        if (a.p_value != b.p_value) return a.p_value < b.p_value;
        return a.odds_ratio > b.odds_ratio;
    });
    return rows;
}

}  // namespace epiann
