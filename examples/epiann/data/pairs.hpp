// Enhancer-promoter pair files.
//   TargetFinder CSV: a header `enhancer_name,promoter_name,label,...` (extra columns ignored), names
//     `CELL|chr:start-end`, label 0 or 1. Gzip allowed.
//   BEDPE: tab-separated `chrom1 start1 end1 chrom2 start2 end2 [name ...]`, the first interval the enhancer, no
//     labels (label -1); `#`, `track` and `browser` lines skipped.
// Coordinates are 0-based half-open in both. The format is recognised from the first line. A TargetFinder file is
// read as a set of pairs: a pair (its enhancer and promoter intervals) repeated on later lines is kept once and
// counted, and the same pair with two labels is an input_error naming both lines. BEDPE lines are kept one for one. Every malformed line is
// an input_error naming the file, the line and what was expected; an empty file or one without pairs as well.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace epiann {

struct interval {
    std::string chromosome;
    long long start = 0, end = 0;  // 0-based half-open

    long long length() const { return end - start; }
    std::string text() const { return chromosome + ":" + std::to_string(start) + "-" + std::to_string(end); }
    friend bool operator==(const interval&, const interval&) = default;
};

struct pair_record {
    interval enhancer, promoter;
    std::string enhancer_name, promoter_name;  // as in the file (BEDPE: chrom:start-end)
    std::string cell;                          // TargetFinder's cell line; empty for BEDPE
    int label = -1;                            // 0, 1, or -1 when the file has none
    std::size_t line = 0;                      // line in the source file
};

struct pair_file {
    std::string path;
    enum class format { targetfinder, bedpe } kind = format::targetfinder;
    std::vector<pair_record> pairs;
    std::uint64_t checksum = 0;  // of the file's bytes (FNV-1a 64): splits and checkpoints record it
    std::size_t duplicates = 0, first_duplicate_line = 0;  // repeated pair lines left out (TargetFinder files)

    std::size_t positives() const;
    bool labelled() const { return kind == format::targetfinder; }
    // What was left out, for stderr ("" when nothing was).
    std::string duplicates_note() const;
};

pair_file read_pairs(const std::string& path);

// "chr1:100-200" (optionally "CELL|chr1:100-200"): the interval, or input_error naming where it came from.
interval parse_region(std::string_view text, const std::string& path, std::size_t line);

}  // namespace epiann
