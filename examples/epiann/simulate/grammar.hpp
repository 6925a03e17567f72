// A regulatory grammar for the simulator: which enhancer motif cooperates with which promoter motif, and the decoy
// motifs that cooperate with nothing. File format (grammar.tsv; `#` comments; TF names or JASPAR ids):
//   cooperates  EGR1   CTCF        an enhancer carrying EGR1 interacts with a promoter carrying CTCF
//   decoy       enhancer  TP53     planted in enhancers like the others, pairs with nothing
#pragma once

#include <string>
#include <vector>

#include "motifs/pfm.hpp"

namespace epiann {

struct grammar {
    std::vector<std::pair<std::size_t, std::size_t>> cooperating;  // (enhancer motif, promoter motif), indices into motifs
    std::vector<std::size_t> enhancer_decoys, promoter_decoys;

    std::vector<std::size_t> enhancer_pool() const;  // motifs planted in enhancers: cooperating ones, then decoys
    std::vector<std::size_t> promoter_pool() const;
    // The rule: some cooperating (a, b) with a among the enhancer's motifs and b among the promoter's.
    bool interacts(const std::vector<std::size_t>& enhancer_motifs, const std::vector<std::size_t>& promoter_motifs) const;
};

// The default: EGR1-CTCF, USF1-EGR1, NRF1-YY1, GATA1-ZNF143, FOXA1-NFYA; decoys TP53, HNF4A, SOX2 (enhancers) and
// CREB1, REST, TEAD1 (promoters).
grammar default_grammar(const std::vector<motif>& motifs);
grammar read_grammar(const std::string& path, const std::vector<motif>& motifs);
std::string grammar_text(const grammar& g, const std::vector<motif>& motifs);

}  // namespace epiann
