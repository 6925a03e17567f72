#include "explain/peaks.hpp"

#include <algorithm>

#include "common/line_reader.hpp"

namespace epiann {

peak_set peak_set::read(const std::string& path) {
    peak_set peaks;
    line_reader in(path);
    while (auto line = in.next()) {
        if (line->empty() || line->front() == '#' || line->starts_with("track") || line->starts_with("browser")) continue;
        const auto fields = split_fields(*line, '\t');
        if (fields.size() < 3) throw in.error("expected at least 3 tab-separated columns (chrom, start, end), found " +
                                              std::to_string(fields.size()));
        const auto start = parse_integer(fields[1]), end = parse_integer(fields[2]);
        if (!start || !end)
            throw in.error("expected non-negative integer start and end, found \"" + std::string(fields[1]) + "\" and \"" +
                           std::string(fields[2]) + "\"");
        if (*end <= *start) throw in.error("end " + std::to_string(*end) + " is not after start " + std::to_string(*start));
        peaks.add(std::string(fields[0]), *start, *end);
    }
    if (peaks.size() == 0) throw input_error_at(path, 0, "no peaks: the file is empty");
    peaks.finish();
    return peaks;
}

void peak_set::add(const std::string& chromosome, long long start, long long end) {
    by_chromosome_[chromosome].push_back({start, end});
    ++count_;
}

void peak_set::finish() {
    for (auto& [name, peaks] : by_chromosome_) {
        std::sort(peaks.begin(), peaks.end(), [](const peak& a, const peak& b) { return a.start < b.start; });
        auto& max_end = running_max_end_[name];
        max_end.resize(peaks.size());
        long long m = 0;
        for (std::size_t i = 0; i < peaks.size(); ++i) max_end[i] = m = std::max(m, peaks[i].end);
    }
}

bool peak_set::overlaps(const std::string& chromosome, long long start, long long end) const {
    const auto it = by_chromosome_.find(chromosome);
    if (it == by_chromosome_.end()) return false;
    const auto& peaks = it->second;
    // Peaks starting before `end`: the last of them is index k - 1; any overlaps iff the largest end among
    // peaks [0, k) exceeds `start`.
    const auto k = std::size_t(std::lower_bound(peaks.begin(), peaks.end(), end,
                                                [](const peak& p, long long e) { return p.start < e; }) -
                               peaks.begin());
    return k > 0 && running_max_end_.at(chromosome)[k - 1] > start;
}

std::vector<std::pair<long long, long long>> peak_set::within(const std::string& chromosome, long long start,
                                                             long long end) const {
    std::vector<std::pair<long long, long long>> out;
    const auto it = by_chromosome_.find(chromosome);
    if (it == by_chromosome_.end()) return out;
    const auto& peaks = it->second;
    const auto& max_end = running_max_end_.at(chromosome);
    // Walk back from the last peak starting before `end` while some earlier peak may still reach `start`.
    auto k = std::size_t(std::lower_bound(peaks.begin(), peaks.end(), end,
                                          [](const peak& p, long long e) { return p.start < e; }) - peaks.begin());
    while (k > 0 && max_end[k - 1] > start) {
        --k;
        if (peaks[k].end > start) out.emplace_back(peaks[k].start, peaks[k].end);
    }
    std::reverse(out.begin(), out.end());
    return out;
}

}  // namespace epiann
