// Split files (data/splits.cpp: read_split), which `train --split-file` reads back. The pair file they must match
// is fixed here: 3 pairs with checksum 42, so inputs that claim that pass the first check and reach the rows.
#include "common/errors.hpp"
#include "data/splits.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const epiann::pair_file pairs = [] {
        epiann::pair_file p;
        p.path = "pairs.csv";
        p.checksum = 42;
        p.pairs.resize(3);
        return p;
    }();
    const std::string path = fuzz::write_input("split.tsv", data, size);
    try {
        const auto s = epiann::read_split(path, pairs);
        fuzz::require(s.sets.size() == pairs.pairs.size());
    } catch (const epiann::input_error&) {
    }
    return 0;
}
