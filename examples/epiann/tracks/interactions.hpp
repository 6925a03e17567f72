// Writers for scored region pairs (enhancer-promoter predictions, attention bin pairs), for genome browsers:
//   BEDPE             chrom1 start1 end1 chrom2 start2 end2 name score  (0-based half-open; score = value)
//   UCSC interact     the 18 columns of the interact format (BED5+13) behind a `track type=interact` line; score is
//                     value x 1000 rounded (0-1000); source = first region (the enhancer), target = second;
//                     pairs on different chromosomes take the source's coordinates as chromStart/chromEnd
// Both are written atomically (temporary name, renamed when complete).
#pragma once

#include <filesystem>
#include <span>
#include <string>

namespace epiann {

struct region {
    std::string chromosome;
    long long start = 0, end = 0;  // 0-based half-open
    std::string name = ".";
};

struct scored_interaction {
    region source, target;  // enhancer, promoter
    std::string name = ".";
    double value = 0;  // in [0, 1], e.g. a probability
};

void write_bedpe(const std::filesystem::path& path, std::span<const scored_interaction> items);
void write_interact(const std::filesystem::path& path, std::span<const scored_interaction> items,
                    const std::string& track_name, const std::string& description);

}  // namespace epiann
