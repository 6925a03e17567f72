#include "motifs/attribution.hpp"

#include <algorithm>
#include <map>

#include <helix/core/rng.hpp>

namespace epiann {

site_attribution attribute_sites(const motif_scanner& scanner, std::size_t motif, const std::vector<std::string>& sites,
                                 std::uint64_t seed) {
    constexpr double gc = 0.5;
    std::size_t flank = 0;
    for (const auto& m : scanner.motifs()) flank = std::max(flank, m.probabilities.size());
    site_attribution a;
    a.motif = motif;
    std::map<std::size_t, std::size_t> credited;
    helix::counter_rng rng(seed, motif);
    for (const auto& site : sites) {
        std::string sequence;
        for (std::size_t i = 0; i < 2 * flank + site.size(); ++i) sequence += "ACGT"[rng.next_below(4)];
        sequence.replace(flank, site.size(), site);
        const auto kept = most_significant_sites(scanner, scanner.scan(sequence, gc), gc);
        // Kept sites do not overlap one another, but two may each touch the planted bases: the more significant wins.
        double best = 2;
        std::size_t winner = scanner.motifs().size();
        for (const auto& s : kept) {
            const std::size_t end = s.position + scanner.motifs()[s.motif].probabilities.size();
            if (s.position >= flank + site.size() || end <= flank) continue;
            const double p = scanner.p_value_of(s.motif, gc, s.score);
            if (p < best) best = p, winner = s.motif;
        }
        ++a.sites;
        if (winner == motif)
            ++a.own;
        else if (winner == scanner.motifs().size())
            ++a.unmatched;
        else
            ++credited[winner];
    }
    a.others.assign(credited.begin(), credited.end());
    std::stable_sort(a.others.begin(), a.others.end(), [](const auto& x, const auto& y) { return x.second > y.second; });
    return a;
}

std::string describe(const site_attribution& a, const motif_scanner& scanner, std::size_t shown) {
    const auto& m = scanner.motifs()[a.motif];
    std::string s = m.name + " (" + m.id + "): " + std::to_string(a.own) + " of " + std::to_string(a.sites) + " sites read as itself";
    for (std::size_t k = 0; k < a.others.size() && k < shown; ++k)
        s += (k == 0 ? "; " : ", ") + scanner.motifs()[a.others[k].first].name + " " + std::to_string(a.others[k].second);
    if (a.others.size() > shown) s += " and " + std::to_string(a.others.size() - shown) + " more motifs";
    if (a.unmatched > 0) s += "; no hit " + std::to_string(a.unmatched);
    return s;
}

}  // namespace epiann
