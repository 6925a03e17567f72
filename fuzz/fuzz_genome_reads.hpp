// Shared by the genome fuzz targets (FASTA, .2bit): what every successfully opened genome must satisfy. Each
// sequence is read at its ends and in the middle; a read may be refused (input_error), but what it returns must
// have the length asked for and only A, C, G, T and N.
#pragma once

#include <algorithm>
#include <string>

#include "common/errors.hpp"
#include "fuzz_support.hpp"
#include "genome/genome.hpp"

namespace fuzz {

// Reads every sequence of `g`; calls after_sequence(name, length) after each, for a target's own checks.
template <class AfterSequence>
void read_every_sequence(const epiann::genome& g, AfterSequence after_sequence) {
    require(!g.chromosomes().empty());
    for (const auto& name : g.chromosomes()) {
        const auto length = g.length(name);
        require(length.has_value() && *length >= 0);
        const long long n = *length, w = std::min(n, 64LL);
        for (long long start : {0LL, n / 2 - w / 2, n - w}) {
            if (start < 0) continue;
            try {
                const std::string s = g.sequence(name, start, start + w);
                require(s.size() == std::size_t(w));
                require(s.find_first_not_of("ACGTN") == std::string::npos);
            } catch (const epiann::input_error&) {
            }
        }
        after_sequence(name, n);
    }
}

}  // namespace fuzz
