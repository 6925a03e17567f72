// UCSC .2bit (genome/genome.cpp, our own reader): header, index, records, N blocks; every sequence is fetched at
// its ends and in the middle.
#include <algorithm>

#include "common/errors.hpp"
#include "fuzz_support.hpp"
#include "genome/genome.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = fuzz::write_input("genome.2bit", data, size);
    try {
        const auto g = epiann::genome::open(path);
        fuzz::require(!g->chromosomes().empty());
        for (const auto& name : g->chromosomes()) {
            const auto length = g->length(name);
            fuzz::require(length.has_value() && *length >= 0);
            const long long n = *length, w = std::min(n, 64LL);
            for (long long start : {0LL, n / 2 - w / 2, n - w}) {
                if (start < 0) continue;
                try {
                    const std::string s = g->sequence(name, start, start + w);
                    fuzz::require(s.size() == std::size_t(w));
                    fuzz::require(s.find_first_not_of("ACGTN") == std::string::npos);
                } catch (const epiann::input_error&) {
                }
            }
            try {  // one base past the end must be refused
                (void)g->sequence(name, n, n + 1);
                fuzz::require(false);
            } catch (const epiann::input_error&) {
            }
        }
    } catch (const epiann::input_error&) {
    }
    return 0;
}
