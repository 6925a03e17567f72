// chrom.sizes files (data/windows.cpp: read_chromosome_sizes), the genome-free source of chromosome lengths.
#include "common/errors.hpp"
#include "data/windows.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = fuzz::write_input("chrom.sizes", data, size);
    try {
        const auto lengths = epiann::read_chromosome_sizes(path);
        for (const char* name : {"chr1", "chrX", ""})
            if (const auto n = lengths(name)) fuzz::require(*n >= 0);
    } catch (const epiann::input_error&) {
    }
    return 0;
}
