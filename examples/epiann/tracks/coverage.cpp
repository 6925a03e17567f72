#include "tracks/coverage.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include <bigWig.h>

#include <helix/io/atomic_file.hpp>

#include "common/errors.hpp"

namespace epiann {

void coverage_track::add(const std::string& chromosome, long long start, std::span<const float> values) {
    auto& bases = values_[chromosome];
    for (std::size_t k = 0; k < values.size(); ++k) {
        auto [it, inserted] = bases.try_emplace(start + static_cast<long long>(k), values[k]);
        if (!inserted) it->second = std::max(it->second, values[k]);
    }
}

std::vector<std::string> coverage_track::chromosomes() const {
    std::vector<std::string> names;
    for (const auto& [name, bases] : values_) names.push_back(name);
    return names;
}

std::vector<coverage_track::interval> coverage_track::intervals(const std::string& chromosome) const {
    std::vector<interval> out;
    const auto it = values_.find(chromosome);
    if (it == values_.end()) return out;
    for (const auto& [base, value] : it->second) {
        if (!out.empty() && out.back().end == base && out.back().value == value)
            ++out.back().end;
        else
            out.push_back({base, base + 1, value});
    }
    return out;
}

void coverage_track::write_bedgraph(const std::filesystem::path& path, const std::string& track_name) const {
    std::string text = "track type=bedGraph name=\"" + track_name + "\" visibility=full autoScale=on\n";
    char buf[96];
    for (const auto& chromosome : chromosomes())
        for (const auto& i : intervals(chromosome)) {
            std::snprintf(buf, sizeof buf, "\t%lld\t%lld\t%.6g\n", i.start, i.end, double(i.value));
            text += chromosome + buf;
        }
    helix::write_file_atomically(path, text);
}

void coverage_track::write_bigwig(const std::filesystem::path& path,
                                  const std::vector<std::pair<std::string, long long>>& chromosome_sizes) const {
    for (const auto& name : chromosomes()) {
        const bool known = std::any_of(chromosome_sizes.begin(), chromosome_sizes.end(),
                                       [&](const auto& c) { return c.first == name; });
        if (!known) throw input_error("bigWig " + path.string() + ": no size for chromosome " + name);
    }
    // libBigWig writes to a path of its own: it writes the atomic file's temporary, which commit() renames.
    helix::atomic_file file(path, helix::atomic_file::mode::written_elsewhere);
    const std::filesystem::path& temp = file.temp_path();
    if (bwInit(1 << 17) != 0) throw std::runtime_error("libBigWig: bwInit failed");
    bigWigFile_t* fp = bwOpen(temp.c_str(), nullptr, "w");
    if (fp == nullptr) throw helix::io_error(path.string() + ": cannot create " + temp.string());
    auto fail = [&](const char* what) {
        bwClose(fp);
        throw std::runtime_error("libBigWig: " + std::string(what) + " failed for " + path.string());
    };
    if (bwCreateHdr(fp, 10) != 0) fail("bwCreateHdr");
    std::vector<const char*> names;
    std::vector<std::uint32_t> lengths;
    for (const auto& [name, size] : chromosome_sizes) {
        names.push_back(name.c_str());
        lengths.push_back(static_cast<std::uint32_t>(size));
    }
    fp->cl = bwCreateChromList(names.data(), lengths.data(), static_cast<std::int64_t>(names.size()));
    if (fp->cl == nullptr) fail("bwCreateChromList");
    if (bwWriteHdr(fp) != 0) fail("bwWriteHdr");
    for (const auto& [name, size] : chromosome_sizes) {
        const auto runs = intervals(name);
        if (runs.empty()) continue;
        std::vector<std::uint32_t> starts, ends;
        std::vector<float> values;
        for (const auto& r : runs) {
            starts.push_back(static_cast<std::uint32_t>(r.start));
            ends.push_back(static_cast<std::uint32_t>(r.end));
            values.push_back(r.value);
        }
        std::vector<const char*> chrom(1, name.c_str());
        if (bwAddIntervals(fp, chrom.data(), starts.data(), ends.data(), values.data(), 1) != 0) fail("bwAddIntervals");
        if (runs.size() > 1 &&
            bwAppendIntervals(fp, starts.data() + 1, ends.data() + 1, values.data() + 1,
                              static_cast<std::uint32_t>(runs.size() - 1)) != 0)
            fail("bwAppendIntervals");
    }
    bwClose(fp);
    file.commit();
}

}  // namespace epiann
