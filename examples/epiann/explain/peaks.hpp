// peak_set: open-chromatin peaks (ENCODE narrowPeak: chrom start end name score strand signal p q summit; only the
// first three columns are required, so plain BED works too), indexed for overlap queries.
// Bad lines (too few columns, non-numeric or negative coordinates, end <= start) are input_errors with file:line;
// `track`, `browser` and `#` lines are skipped. Gzip-compressed files are read directly.
#pragma once

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace epiann {

class peak_set {
public:
    static peak_set read(const std::string& path);
    void add(const std::string& chromosome, long long start, long long end);  // then call finish()
    void finish();

    // Whether [start, end) on `chromosome` overlaps any peak by at least one base.
    bool overlaps(const std::string& chromosome, long long start, long long end) const;
    // The peaks overlapping [start, end), by start.
    std::vector<std::pair<long long, long long>> within(const std::string& chromosome, long long start, long long end) const;
    std::size_t size() const noexcept { return count_; }
    // How many peaks lie on this chromosome and start before `length` (its end).
    std::size_t on(const std::string& chromosome, long long length) const {
        const auto it = by_chromosome_.find(chromosome);
        if (it == by_chromosome_.end()) return 0;
        std::size_t n = 0;
        for (const auto& p : it->second) n += p.start < length;
        return n;
    }

private:
    struct peak {
        long long start, end;
    };
    std::unordered_map<std::string, std::vector<peak>> by_chromosome_;
    std::unordered_map<std::string, std::vector<long long>> running_max_end_;  // prefix maxima of ends
    std::size_t count_ = 0;
};

}  // namespace epiann
