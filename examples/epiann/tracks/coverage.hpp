// coverage_track: a value per base over parts of a genome (e.g. attention importance), built from overlapping
// windows, written as bedGraph and bigWig for genome browsers.
//   add(chrom, start, values) sets base start + k to max(current, values[k]): windows of several pairs that overlap
//   keep the strongest evidence at each base. Bases never covered are absent from the output (not zero).
// Output: runs of equal values merged into one interval; chromosomes in the order of `chromosome_sizes`;
// written atomically. bigWig through libBigWig; chromosome sizes are needed for its header.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace epiann {

class coverage_track {
public:
    void add(const std::string& chromosome, long long start, std::span<const float> values);

    struct interval {
        long long start, end;
        float value;
    };
    // Merged runs of one chromosome, sorted.
    std::vector<interval> intervals(const std::string& chromosome) const;
    std::vector<std::string> chromosomes() const;

    void write_bedgraph(const std::filesystem::path& path, const std::string& track_name) const;
    void write_bigwig(const std::filesystem::path& path,
                      const std::vector<std::pair<std::string, long long>>& chromosome_sizes) const;

private:
    std::map<std::string, std::map<long long, float>> values_;  // chromosome -> base -> value
};

}  // namespace epiann
