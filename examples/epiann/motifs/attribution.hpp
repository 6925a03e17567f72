// Which matrix a motif scan credits with a planted site. A ground truth is only useful for judging motif enrichment
// when each planted motif's sites read as that motif: SP1's consensus GGGGCGGGG is also KLF7's and KLF15's, and the
// scan gives it to whichever matches more significantly. attribute_sites() plants each given site in random
// background (GC 50 %, flanks as long as the longest matrix), scans with every matrix, keeps the most significant of
// overlapping hits as `epiann explain` does, and counts which motif holds the planted bases.
// Deterministic for a given seed.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "motifs/scan.hpp"

namespace epiann {

struct site_attribution {
    std::size_t motif = 0;       // the planted motif (index into the scanner's motifs)
    std::size_t sites = 0;       // sites tried
    std::size_t own = 0;         // credited to the planted motif itself
    std::size_t unmatched = 0;   // no hit at all on the planted bases
    std::vector<std::pair<std::size_t, std::size_t>> others;  // (motif, sites credited to it), most first

    double own_fraction() const { return sites == 0 ? 0 : double(own) / double(sites); }
};

site_attribution attribute_sites(const motif_scanner& scanner, std::size_t motif, const std::vector<std::string>& sites,
                                 std::uint64_t seed);

// "SP1 (MA0079.5): 0 of 16 sites read as itself; KLF15 6, PATZ1 5, KLF7 3 and 2 more motifs" (at most `shown`
// other motifs named).
std::string describe(const site_attribution& a, const motif_scanner& scanner, std::size_t shown = 3);

}  // namespace epiann
