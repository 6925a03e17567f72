#include "data/pairs.hpp"

#include <algorithm>
#include <cstdio>
#include <unordered_map>

#include "common/errors.hpp"
#include "common/line_reader.hpp"

namespace epiann {
namespace {

bool skipped(std::string_view line) {
    return line.empty() || line.front() == '#' || line.starts_with("track") || line.starts_with("browser");
}

// Keeps the first line of each pair (its enhancer and its promoter): a repeated pair would otherwise fall on both
// sides of a random split. The same pair with two labels is refused, naming both lines.
void drop_duplicates(pair_file& file) {
    struct key_hash {
        std::size_t operator()(const std::pair<interval, interval>& k) const {
            const std::hash<std::string> h;
            std::size_t v = h(k.first.chromosome) * 31 + h(k.second.chromosome);
            for (long long x : {k.first.start, k.first.end, k.second.start, k.second.end}) v = v * 1000003 ^ std::size_t(x);
            return v;
        }
    };
    std::unordered_map<std::pair<interval, interval>, std::size_t, key_hash> first_of;
    std::vector<pair_record> kept;
    kept.reserve(file.pairs.size());
    for (auto& p : file.pairs) {
        const auto [it, fresh] = first_of.try_emplace({p.enhancer, p.promoter}, kept.size());
        if (fresh) {
            kept.push_back(std::move(p));
            continue;
        }
        const pair_record& earlier = kept[it->second];
        if (earlier.label != p.label)
            throw input_error_at(file.path, p.line, "the pair " + shown(p.enhancer_name) + ", " + shown(p.promoter_name) +
                                                        " has label " + std::to_string(p.label) + " here and label " +
                                                        std::to_string(earlier.label) + " on line " + std::to_string(earlier.line) +
                                                        ": which is it?");
        if (file.duplicates++ == 0) file.first_duplicate_line = p.line;
    }
    file.pairs = std::move(kept);
}

}  // namespace

std::string pair_file::duplicates_note() const {
    if (duplicates == 0) return {};
    return path + ": " + std::to_string(duplicates) + " repeated pair line" + (duplicates > 1 ? "s" : "") + " (the first on line " +
           std::to_string(first_duplicate_line) + ") left out: a pair is its enhancer and its promoter, and each is used once";
}

std::size_t pair_file::positives() const {
    return std::size_t(std::count_if(pairs.begin(), pairs.end(), [](const pair_record& p) { return p.label == 1; }));
}

interval parse_region(std::string_view text, const std::string& path, std::size_t line) {
    const std::string original(text);
    if (const auto bar = text.find('|'); bar != std::string_view::npos) text.remove_prefix(bar + 1);
    const auto colon = text.rfind(':'), dash = text.rfind('-');
    if (colon == std::string_view::npos || dash == std::string_view::npos || dash < colon || colon == 0)
        throw input_error_at(path, line, "expected a region like CELL|chr1:1000-1200, found " + shown(original));
    const auto start = parse_integer(text.substr(colon + 1, dash - colon - 1));
    const auto end = parse_integer(text.substr(dash + 1));
    if (!start || !end)
        throw input_error_at(path, line, "expected non-negative integer coordinates in " + shown(original));
    if (*end < *start)
        throw input_error_at(path, line, "end before start in " + shown(original) + " (coordinates are 0-based half-open)");
    if (*end == *start)
        throw input_error_at(path, line, "empty region " + shown(original) + ": end equals start (coordinates are 0-based half-open)");
    return {std::string(text.substr(0, colon)), *start, *end};
}

pair_file read_pairs(const std::string& path) {
    pair_file file;
    file.path = path;
    line_reader in(path);
    std::optional<std::string_view> first;
    while ((first = in.next()) && skipped(*first)) {
    }
    if (!first) throw input_error_at(path, 0, "empty pair file: expected a TargetFinder CSV header or BEDPE lines");
    const bool csv = first->starts_with("enhancer_name,promoter_name,label");
    file.kind = csv ? pair_file::format::targetfinder : pair_file::format::bedpe;
    if (!csv && split_fields(*first, '\t').size() < 6)
        throw in.error("expected a TargetFinder CSV header (enhancer_name,promoter_name,label,...) or a BEDPE line "
                       "with 6 tab-separated columns");
    auto parse_bedpe = [&](std::string_view line) {
        const auto f = split_fields(line, '\t');
        if (f.size() < 6)
            throw in.error("expected at least 6 tab-separated BEDPE columns (chrom1 start1 end1 chrom2 start2 end2), found " +
                           std::to_string(f.size()));
        pair_record p;
        for (int side = 0; side < 2; ++side) {
            const auto s = parse_integer(f[std::size_t(3 * side + 1)]), e = parse_integer(f[std::size_t(3 * side + 2)]);
            if (!s || !e)
                throw in.error("expected non-negative integer coordinates in columns " + std::to_string(3 * side + 2) + "-" +
                               std::to_string(3 * side + 3));
            if (*e < *s) throw in.error("end before start in the " + std::string(side ? "second" : "first") + " interval");
            if (*e == *s) throw in.error("empty " + std::string(side ? "second" : "first") + " interval: end equals start (0-based half-open)");
            interval& element = side == 0 ? p.enhancer : p.promoter;
            element.chromosome = std::string(f[std::size_t(3 * side)]);
            element.start = *s;
            element.end = *e;
        }
        p.enhancer_name = p.enhancer.text();
        p.promoter_name = p.promoter.text();
        p.line = in.line_number();
        file.pairs.push_back(std::move(p));
    };
    if (!csv) parse_bedpe(*first);
    while (auto line = in.next()) {
        if (skipped(*line)) continue;
        if (!csv) {
            parse_bedpe(*line);
            continue;
        }
        const auto f = split_fields(*line, ',');
        if (f.size() < 3) throw in.error("expected at least 3 comma-separated columns (enhancer_name,promoter_name,label), found " + std::to_string(f.size()));
        pair_record p;
        p.enhancer = parse_region(f[0], path, in.line_number());
        p.promoter = parse_region(f[1], path, in.line_number());
        p.enhancer_name = std::string(f[0]);
        p.promoter_name = std::string(f[1]);
        if (const auto bar = f[0].find('|'); bar != std::string_view::npos) p.cell = std::string(f[0].substr(0, bar));
        if (f[2] != "0" && f[2] != "1") throw in.error("expected label 0 or 1, found " + shown(f[2]));
        p.label = f[2] == "1";
        p.line = in.line_number();
        file.pairs.push_back(std::move(p));
    }
    if (file.pairs.empty()) throw input_error_at(path, 0, "no pairs: the file has a header but no pair lines");
    file.checksum = in.checksum();
    if (csv) drop_duplicates(file);
    return file;
}

}  // namespace epiann
