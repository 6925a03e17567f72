// A small simulated set for tests: the committed hg19 tiles and JASPAR motifs, written to a scratch directory
// (emptied first) under the system's temporary directory. Tests that include it define EPIANN_DATA_DIR.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "simulate/simulation.hpp"

namespace helix_test {

inline epiann::simulation_options small_simulation(const std::string& name, std::size_t enhancers, std::size_t promoters,
                                                   std::size_t positives, std::size_t negatives_per_positive) {
    epiann::simulation_options o;
    o.out = (std::filesystem::temp_directory_path() / name).string();
    std::filesystem::remove_all(o.out);
    o.enhancers = enhancers;
    o.promoters = promoters;
    o.positives = positives;
    o.negatives_per_positive = negatives_per_positive;
    o.tiles_path = EPIANN_DATA_DIR "/hg19/targetfinder_tiles.fa.gz";
    o.motifs_path = EPIANN_DATA_DIR "/motifs/JASPAR2022_vertebrates.pfm";
    o.overwrite = true;  // tests simulate the same set twice into one directory
    return o;
}

}  // namespace helix_test
