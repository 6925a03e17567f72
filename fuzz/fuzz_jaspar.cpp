// JASPAR .pfm motif files (motifs/pfm.cpp). Parsed motifs are turned into probabilities and scanned over a short
// sequence (motifs/scan.cpp), as `audit` and `explain` do.
#include <cmath>

#include "common/errors.hpp"
#include "fuzz_support.hpp"
#include "motifs/pfm.hpp"
#include "motifs/scan.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = fuzz::write_input("motifs.pfm", data, size);
    try {
        const auto motifs = epiann::read_jaspar(path);
        fuzz::require(!motifs.empty());
        std::vector<epiann::position_matrix> matrices;
        for (const auto& m : motifs) {
            fuzz::require(!m.id.empty() && m.length() > 0);
            fuzz::require(m.consensus().size() == m.length());
            auto p = m.probabilities();
            for (const auto& row : p.probabilities)
                for (double v : row) fuzz::require(std::isfinite(v) && v > 0 && v <= 1);
            if (matrices.size() < 3 && m.length() <= 30) matrices.push_back(std::move(p));
        }
        if (!matrices.empty()) {
            const epiann::motif_scanner scanner(std::move(matrices));
            const auto sites = scanner.scan("ACGTTGACGCAGGGCGCCTAGATTACANNNNACGTACGTTTTAAAGGGCCCAAATTTGGGCCCACGTGCATGCAGTC");
            for (const auto& s : sites) fuzz::require(s.motif < scanner.motifs().size());
        }
    } catch (const epiann::input_error&) {
    }
    return 0;
}
