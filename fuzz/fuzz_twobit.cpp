// UCSC .2bit (genome/genome.cpp, our own reader): header, index, records, N blocks; every sequence is fetched at
// its ends and in the middle.
#include <string>

#include "common/errors.hpp"
#include "fuzz_genome_reads.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = fuzz::write_input("genome.2bit", data, size);
    try {
        const auto g = epiann::genome::open(path);
        fuzz::read_every_sequence(*g, [&](const std::string& name, long long n) {
            try {  // one base past the end must be refused
                (void)g->sequence(name, n, n + 1);
                fuzz::require(false);
            } catch (const epiann::input_error&) {
            }
        });
    } catch (const epiann::input_error&) {
    }
    return 0;
}
