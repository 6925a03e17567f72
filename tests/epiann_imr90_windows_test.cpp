// Our windows reproduce the original EPIANN IMR90 windows (tests/data/epiann_imr90/, written by the authors' R
// script): every test window and every augmented training window equals ours for the same pair, up to the one-base
// shift DESIGN section 6 explains (the original's centred windows sit one base left for elements shorter than the
// window; its augmented windows sit one base left for every element), and the
// original test and training sets together hold every TargetFinder IMR90 pair exactly once.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>

#include "common/line_reader.hpp"
#include "data/pairs.hpp"
#include "data/windows.hpp"

namespace {

const std::string original = HELIX_TEST_DATA_DIR "/epiann_imr90/";

// label|enhancer chrom|start|promoter chrom|start, 0-based starts.
using window_key = std::string;

window_key key(int label, const std::string& ec, long long es, const std::string& pc, long long ps) {
    return std::to_string(label) + "|" + ec + "|" + std::to_string(es) + "|" + pc + "|" + std::to_string(ps);
}

struct bed_window {
    std::string chromosome;
    long long start0, end0;
};

std::vector<bed_window> read_bed(const std::string& path, long long expected_length) {
    std::vector<bed_window> out;
    epiann::line_reader in(path);
    while (auto line = in.next()) {
        const auto f = epiann::split_fields(*line, '\t');
        REQUIRE(f.size() == 4);
        const auto start1 = (long long)std::stod(std::string(f[2])), end1 = (long long)std::stod(std::string(f[3]));  // "6e+07"
        REQUIRE(end1 - start1 + 1 == expected_length);
        out.push_back({std::string(f[1]), start1 - 1, end1});  // 1-based inclusive -> 0-based half-open
    }
    return out;
}

std::vector<int> read_labels(const std::string& path) {
    std::vector<int> out;
    epiann::line_reader in(path);
    while (auto line = in.next()) out.push_back(*line == "1");
    return out;
}

struct original_set {
    std::vector<int> labels;
    std::vector<bed_window> enhancers, promoters;
};

original_set read_original(const std::string& prefix, const std::string& suffix) {
    original_set s{read_labels(original + prefix + "_label" + suffix + ".txt.gz"),
                   read_bed(original + prefix + "_enhancer" + suffix + ".bed.gz", 3000),
                   read_bed(original + prefix + "_promoter" + suffix + ".bed.gz", 2000)};
    REQUIRE(s.labels.size() == s.enhancers.size());
    REQUIRE(s.labels.size() == s.promoters.size());
    return s;
}

}  // namespace

TEST_CASE("our windows reproduce every original EPIANN IMR90 window, up to the documented one-base shift") {
    const auto pairs = epiann::read_pairs(EPIANN_DATA_DIR "/targetfinder/IMR90.pairs.csv.gz");
    REQUIRE(pairs.pairs.size() == 26254);
    const auto lengths = epiann::read_chromosome_sizes(EPIANN_DATA_DIR "/hg19/hg19.chrom.sizes");
    const epiann::window_options options;

    // Ours, with the original's shift applied: centred windows, and every augmentation offset.
    std::multiset<window_key> centred;
    std::set<window_key> augmented;
    for (const auto& p : pairs.pairs) {
        const long long shift_e = p.enhancer.length() < 3000 ? 1 : 0, shift_p = p.promoter.length() < 2000 ? 1 : 0;
        // The original's shifted windows sit one base left of ours for every element, long ones included (its
        // augmentation re-centres on the element's 1-based midpoint); its centred windows only for short elements.
        for (long long offset : options.augmentation_offsets) {
            const auto w = epiann::make_pair_windows(p, options, offset, lengths, pairs.path);
            const auto k = key(p.label, w.enhancer.span.chromosome, w.enhancer.span.start - 1, w.promoter.span.chromosome,
                               w.promoter.span.start - 1);
            if (p.label == 1) augmented.insert(k);
        }
        const auto w = epiann::make_pair_windows(p, options, 0, lengths, pairs.path);
        centred.insert(key(p.label, w.enhancer.span.chromosome, w.enhancer.span.start - shift_e, w.promoter.span.chromosome,
                           w.promoter.span.start - shift_p));
    }

    std::size_t compared = 0;
    std::multiset<window_key> original_centred;
    for (const auto& [prefix, suffix] : {std::pair{"test.IMR90", "_test"}, std::pair{"train_centred.IMR90", ""}}) {
        const auto s = read_original(prefix, suffix);
        for (std::size_t i = 0; i < s.labels.size(); ++i) {
            const auto k = key(s.labels[i], s.enhancers[i].chromosome, s.enhancers[i].start0, s.promoters[i].chromosome,
                               s.promoters[i].start0);
            INFO(prefix << " line " << i + 1 << ": " << k);
            CHECK(centred.count(k) > 0);
            original_centred.insert(k);
            ++compared;
        }
    }
    // Test + centred training windows are exactly our centred windows of all 26,254 pairs (as multisets).
    CHECK(original_centred == centred);

    const auto aug = read_original("train_augmented.IMR90", "");
    std::size_t positives = 0;
    for (std::size_t i = 0; i < aug.labels.size(); ++i) {
        const auto k = key(aug.labels[i], aug.enhancers[i].chromosome, aug.enhancers[i].start0, aug.promoters[i].chromosome,
                           aug.promoters[i].start0);
        INFO("train_augmented line " << i + 1 << ": " << k);
        if (aug.labels[i] == 1) {
            CHECK(augmented.count(k) == 1);
            ++positives;
        } else {
            CHECK(centred.count(k) > 0);
        }
        ++compared;
    }
    CHECK(positives == 22580);  // 1,129 training positives x 20 offsets
    WARN("compared " << compared << " original windows with ours");
    CHECK(compared == 2625 + 23629 + 45080);
}
