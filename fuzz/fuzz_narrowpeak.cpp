// narrowPeak / BED peak files (explain/peaks.cpp), then overlap queries against the index they build.
#include "common/errors.hpp"
#include "explain/peaks.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = fuzz::write_input("peaks.narrowPeak", data, size);
    try {
        const auto peaks = epiann::peak_set::read(path);
        fuzz::require(peaks.size() > 0);
        for (const char* chromosome : {"chr1", "chr2", "chrX"})
            for (long long start : {0LL, 100LL, 10'000LL, 1'000'000LL}) (void)peaks.overlaps(chromosome, start, start + 500);
    } catch (const epiann::input_error&) {
    }
    return 0;
}
