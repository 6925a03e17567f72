// Pair files (data/pairs.cpp): TargetFinder CSV and BEDPE, detected from the first line. Parsed pairs then go
// through what every command does next: windows (data/windows.cpp) and both splits (data/splits.cpp).
#include "common/errors.hpp"
#include "data/pairs.hpp"
#include "data/splits.hpp"
#include "data/windows.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = fuzz::write_input("pairs.csv", data, size);
    try {
        const epiann::pair_file pairs = epiann::read_pairs(path);
        fuzz::require(!pairs.pairs.empty());
        for (const auto& p : pairs.pairs) {
            fuzz::require(p.enhancer.start < p.enhancer.end && p.promoter.start < p.promoter.end);
            fuzz::require(p.label >= -1 && p.label <= 1);
        }
        // chr1..chr22, chrX: 1 Mb each; anything else is unknown.
        const epiann::chromosome_lengths lengths = [](const std::string& name) -> std::optional<long long> {
            if (name.size() < 4 || name.size() > 5 || !name.starts_with("chr")) return std::nullopt;
            return 1'000'000;
        };
        const epiann::window_options wo;
        for (const auto& p : pairs.pairs) {
            for (long long offset : {-450LL, 0LL, 500LL}) {
                try {
                    const auto w = epiann::make_pair_windows(p, wo, offset, lengths, path);
                    fuzz::require(w.enhancer.span.length() == wo.enhancer_length);
                    fuzz::require(w.promoter.span.start >= 0 && w.promoter.span.end <= 1'000'000);
                    fuzz::require(w.enhancer.element_start <= w.enhancer.element_end);
                } catch (const epiann::input_error&) {
                }
            }
        }
        if (pairs.labelled()) {
            for (const char* kind : {"paper", "chromosome"}) {
                const auto s = epiann::make_split(pairs, kind, 1, 7);
                fuzz::require(s.sets.size() == pairs.pairs.size());
            }
        }
    } catch (const epiann::input_error&) {
    }
    return 0;
}
