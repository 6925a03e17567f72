// JASPAR position frequency matrices, as the JASPAR "transfac"-derived .pfm files hold them:
//   >MA0139.1_MA0139.1.CTCF        (id before '_'; the TF name after "<id>.")
//   87.0  167.0  281.0  56.0       (one line per position: A C G T counts, tab or space separated)
// `#` lines are comments. input_error with file:line for a malformed row, a matrix without rows or an empty file.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "motifs/scan.hpp"

namespace epiann {

struct motif {
    std::string id, name;
    std::vector<std::array<double, 4>> counts;

    std::size_t length() const { return counts.size(); }
    // Probabilities per position with `pseudocount` added to every base's count.
    position_matrix probabilities(double pseudocount = 0.8) const;
    // The most frequent base at each position (ties: A before C before G before T).
    std::string consensus() const;
};

std::vector<motif> read_jaspar(const std::string& path);

// The motif whose id equals `key`, else whose TF name equals it (case-insensitive); nothing when none does.
std::optional<std::size_t> find_motif(const std::vector<motif>& motifs, const std::string& key);

// Reverse complement of an A/C/G/T/N string.
std::string reverse_complement(std::string_view s);

}  // namespace epiann
