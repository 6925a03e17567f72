// FASTA with its samtools .fai index (genome/genome.cpp, through htslib's faidx). The input is the FASTA, a NUL
// byte, then the .fai text; every sequence the index names is fetched at its ends and in the middle.
#include <algorithm>
#include <cstring>
#include <string_view>

#include "common/errors.hpp"
#include "fuzz_support.hpp"
#include "genome/genome.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto* nul = static_cast<const std::uint8_t*>(std::memchr(data, 0, size));
    const std::size_t fasta_size = nul ? std::size_t(nul - data) : size;
    const std::string fasta = fuzz::write_input("genome.fa", data, fasta_size);
    if (nul) fuzz::write_file(fasta + ".fai", nul + 1, size - fasta_size - 1);
    else std::filesystem::remove(fasta + ".fai");
    try {
        const auto g = epiann::genome::open(fasta);
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
        }
    } catch (const epiann::input_error&) {
    }
    return 0;
}
