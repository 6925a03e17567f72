#include "data/splits.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <numeric>

#include <helix/core/rng.hpp>

#include "common/errors.hpp"
#include "common/line_reader.hpp"
#include "common/output_file.hpp"

namespace epiann {
namespace {

// Fisher-Yates with helix's counter-based generator: the same permutation on every platform.
void shuffle(std::vector<std::size_t>& v, std::uint64_t seed, std::uint64_t stream) {
    helix::counter_rng rng(seed, stream);
    for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.next_below(i)]);
}

// Moves round(fraction x n) of `from`'s pairs of each label to `to`.
void carve(const pair_file& pairs, std::vector<pair_set>& sets, pair_set from, pair_set to, double fraction,
           std::uint64_t seed, std::uint64_t stream) {
    for (int label : {0, 1}) {
        std::vector<std::size_t> members;
        for (std::size_t i = 0; i < pairs.pairs.size(); ++i)
            if (sets[i] == from && pairs.pairs[i].label == label) members.push_back(i);
        shuffle(members, seed, stream * 2 + std::uint64_t(label));
        const auto n = std::size_t(double(members.size()) * fraction + 0.5);
        for (std::size_t k = 0; k < n; ++k) sets[members[k]] = to;
    }
}

int fold_of(const std::string& chromosome) {
    const std::string name = chromosome.starts_with("chr") ? chromosome.substr(3) : chromosome;
    for (int k = 0; k < 5; ++k)
        if (std::find(chromosome_folds[std::size_t(k)].begin(), chromosome_folds[std::size_t(k)].end(), name) !=
            chromosome_folds[std::size_t(k)].end())
            return k;
    return -1;
}

}  // namespace

const char* set_name(pair_set s) {
    switch (s) {
        case pair_set::train: return "train";
        case pair_set::validation: return "validation";
        case pair_set::test: return "test";
    }
    return "?";
}

std::vector<std::size_t> split::indices(pair_set s) const {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < sets.size(); ++i)
        if (sets[i] == s) out.push_back(i);
    return out;
}

split paper_split(const pair_file& pairs, std::uint64_t seed) {
    if (!pairs.labelled()) throw input_error_at(pairs.path, 0, "a split needs labelled pairs (TargetFinder CSV), not BEDPE");
    split s{"paper", 0, seed, pairs.checksum, std::vector<pair_set>(pairs.pairs.size(), pair_set::train)};
    carve(pairs, s.sets, pair_set::train, pair_set::test, 0.1, seed, 1);
    carve(pairs, s.sets, pair_set::train, pair_set::validation, 0.1, seed, 2);
    return s;
}

split chromosome_split(const pair_file& pairs, int fold) {
    if (!pairs.labelled()) throw input_error_at(pairs.path, 0, "a split needs labelled pairs (TargetFinder CSV), not BEDPE");
    if (fold < 0 || fold > 4) throw input_error("--fold must be 0-4, got " + std::to_string(fold));
    const int validation = (fold + 1) % 5;
    split s{"chromosome", fold, 0, pairs.checksum, {}};
    for (const auto& p : pairs.pairs) {
        const int a = fold_of(p.enhancer.chromosome), b = fold_of(p.promoter.chromosome);
        s.sets.push_back(a == fold || b == fold             ? pair_set::test
                         : a == validation || b == validation ? pair_set::validation
                                                              : pair_set::train);
    }
    return s;
}

split make_split(const pair_file& pairs, const std::string& kind, int fold, std::uint64_t seed) {
    if (kind == "paper") return paper_split(pairs, seed);
    if (kind == "chromosome") return chromosome_split(pairs, fold);
    throw input_error("unknown split \"" + kind + "\": expected paper or chromosome");
}

void write_split(const std::string& path, const split& s, const pair_file& pairs) {
    output_file text(path);
    text << "# epiann split\tkind=" + s.kind + "\tfold=" + std::to_string(s.fold) + "\tseed=" + std::to_string(s.seed) +
                "\tpairs=" + pairs.path + "\tchecksum=" + std::to_string(s.pairs_checksum) +
                "\tcount=" + std::to_string(s.sets.size()) + "\npair\tline\tset\n";
    for (std::size_t i = 0; i < s.sets.size(); ++i)
        text << std::to_string(i) + '\t' + std::to_string(pairs.pairs[i].line) + '\t' + set_name(s.sets[i]) + '\n';
    text.commit();
}

split read_split(const std::string& path, const pair_file& pairs) {
    line_reader in(path);
    auto header = in.next();
    if (!header || !header->starts_with("# epiann split")) throw in.error("not an epiann split file (expected \"# epiann split\" first)");
    split s;
    std::size_t count = 0;
    for (auto field : split_fields(*header, '\t')) {
        const auto eq = field.find('=');
        if (eq == std::string_view::npos) continue;
        const auto key = field.substr(0, eq), value = field.substr(eq + 1);
        if (key == "kind") s.kind = std::string(value);
        if (key == "fold") s.fold = int(parse_integer(value).value_or(0));
        if (key == "seed") s.seed = std::uint64_t(parse_integer(value).value_or(0));
        if (key == "checksum") {
            // 64-bit FNV-1a: beyond parse_integer's range
            const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), s.pairs_checksum);
            if (ec != std::errc{} || end != value.data() + value.size() || value.empty())
                throw in.error("expected an unsigned 64-bit checksum, found \"" + std::string(value) + "\"");
        }
        if (key == "count") count = std::size_t(parse_integer(value).value_or(0));
    }
    if (s.pairs_checksum != pairs.checksum || count != pairs.pairs.size())
        throw input_error_at(path, 1, "this split was made for another pair file (" + std::to_string(count) +
                                          " pairs, checksum " + std::to_string(s.pairs_checksum) + "), not " + pairs.path +
                                          " (" + std::to_string(pairs.pairs.size()) + " pairs, checksum " +
                                          std::to_string(pairs.checksum) + ")");
    in.next();  // column names
    while (auto line = in.next()) {
        const auto f = split_fields(*line, '\t');
        if (f.size() != 3) throw in.error("expected 3 columns: pair, line, set");
        const auto index = parse_integer(f[0]);
        if (!index || std::size_t(*index) != s.sets.size()) throw in.error("expected pair " + std::to_string(s.sets.size()));
        if (f[2] == "train") s.sets.push_back(pair_set::train);
        else if (f[2] == "validation") s.sets.push_back(pair_set::validation);
        else if (f[2] == "test") s.sets.push_back(pair_set::test);
        else throw in.error("expected set train, validation or test, found \"" + std::string(f[2]) + "\"");
    }
    if (s.sets.size() != pairs.pairs.size()) throw in.error("the split lists " + std::to_string(s.sets.size()) + " pairs, expected " + std::to_string(pairs.pairs.size()));
    return s;
}

}  // namespace epiann
