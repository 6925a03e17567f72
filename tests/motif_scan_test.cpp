// Motif scanning (examples/epiann/motifs/scan.hpp): exact thresholds against enumeration of every k-mer, sites
// against a plain double loop, planted sites on both strands, N handling, and the false-positive rate on random DNA;
// the overlap resolution (most_significant_sites) against its definition; JASPAR files that are not what they claim (motifs/pfm.hpp) name the file and line.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>

#include <helix/core/rng.hpp>

#include "common/errors.hpp"
#include "motifs/pfm.hpp"
#include "motifs/scan.hpp"
#include "support/files.hpp"

namespace {

epiann::position_matrix matrix(const std::string& id, const std::vector<std::array<double, 4>>& counts) {
    epiann::position_matrix m{id, id, {}};
    for (auto row : counts) {
        const double total = row[0] + row[1] + row[2] + row[3] + 0.8;  // pseudocount 0.2 per base
        for (auto& v : row) v = (v + 0.2) / total;
        m.probabilities.push_back(row);
    }
    return m;
}

// Sharp GATA-like motif, a weaker CACGTG E-box, and a long one.
const std::vector<epiann::position_matrix> motifs{
    matrix("GATAA", {{0, 0, 20, 0}, {20, 0, 0, 0}, {0, 0, 0, 20}, {18, 0, 2, 0}, {16, 2, 1, 1}}),
    matrix("EBOX", {{2, 14, 2, 2}, {16, 1, 2, 1}, {1, 17, 1, 1}, {1, 1, 17, 1}, {2, 1, 1, 16}, {1, 2, 15, 2}}),
    matrix("LONG", {{5, 5, 5, 5}, {10, 0, 10, 0}, {0, 20, 0, 0}, {0, 0, 20, 0}, {20, 0, 0, 0}, {0, 0, 0, 20},
                    {0, 20, 0, 0}, {0, 0, 20, 0}, {10, 10, 0, 0}, {0, 0, 20, 0}, {20, 0, 0, 0}, {0, 0, 0, 20}}),
};

std::string random_dna(std::size_t n, std::uint64_t seed, double gc = 0.5) {
    helix::counter_rng rng(seed);
    std::string s(n, 'A');
    for (auto& c : s) {
        const double u = rng.next_uniform(), v = rng.next_uniform();
        c = u < gc ? (v < 0.5 ? 'C' : 'G') : (v < 0.5 ? 'A' : 'T');
    }
    return s;
}

// The rounded integer score of `kmer` as the scanner defines it (forward strand).
int integer_score(const epiann::position_matrix& m, const std::string& kmer, double gc) {
    const double q[4] = {(1 - gc) / 2, gc / 2, gc / 2, (1 - gc) / 2};
    int s = 0;
    for (std::size_t j = 0; j < kmer.size(); ++j) {
        const int b = int(std::string("ACGT").find(kmer[j]));
        s += int(std::lround(std::log2(m.probabilities[j][std::size_t(b)] / q[b]) * 100));
    }
    return s;
}

}  // namespace

TEST_CASE("thresholds are the exact p-value cut-offs of the score distribution") {
    const epiann::motif_scanner scanner(motifs, 1e-3);
    for (std::size_t m = 0; m < 2; ++m) {
        for (double gc : {0.4, 0.5, 0.62}) {
            const std::size_t length = motifs[m].probabilities.size();
            const double q[4] = {(1 - gc) / 2, gc / 2, gc / 2, (1 - gc) / 2};
            // Enumerate every k-mer with its background probability.
            std::vector<std::pair<int, double>> all;
            for (std::size_t code = 0; code < (std::size_t{1} << (2 * length)); ++code) {
                std::string kmer;
                double p = 1;
                for (std::size_t j = 0; j < length; ++j) {
                    const std::size_t b = (code >> (2 * j)) & 3;
                    kmer += "ACGT"[b];
                    p *= q[b];
                }
                all.emplace_back(integer_score(motifs[m], kmer, gc), p);
            }
            const int threshold = int(std::lround(scanner.threshold(m, gc) * 100));
            double at_threshold = 0, below = 0;
            for (const auto& [s, p] : all) {
                if (s >= threshold) at_threshold += p;
                if (s >= threshold - 1) below += p;
            }
            INFO("motif " << motifs[m].id << ", GC " << gc << ", threshold " << threshold);
            CHECK(at_threshold <= 1e-3 * (1 + 1e-9));       // the cut-off keeps the p-value
            CHECK(below > 1e-3);                              // and is the lowest one that does
            CHECK(scanner.p_value_of(m, gc, threshold / 100.0) == Approx(at_threshold).epsilon(1e-9));
        }
    }
}

TEST_CASE("scan finds exactly the sites a plain double loop finds, on both strands") {
    const epiann::motif_scanner scanner(motifs, 1e-3);
    std::string dna = random_dna(3000, 11, 0.45);
    dna.replace(100, 12, "AACGATCGAGAT");   // LONG's consensus (a 5-mer cannot reach p = 1e-3: 4^-5 > 1e-3)
    dna.replace(2000, 12, "ATCTCGATCGTT");  // its reverse complement
    dna.replace(500, 30, std::string(30, 'N'));
    const auto sites = scanner.scan(dna);
    const double gc = epiann::gc_fraction(dna);
    std::vector<epiann::motif_site> expected;
    for (std::size_t i = 0; i < dna.size(); ++i)
        for (std::size_t m = 0; m < motifs.size(); ++m)
            for (char strand : {'+', '-'}) {
                const std::size_t length = motifs[m].probabilities.size();
                if (i + length > dna.size()) continue;
                std::string kmer = dna.substr(i, length);
                if (kmer.find('N') != std::string::npos) continue;
                if (strand == '-') {
                    std::reverse(kmer.begin(), kmer.end());
                    for (auto& c : kmer) c = "TGCA"[std::string("ACGT").find(c)];
                }
                const int s = integer_score(motifs[m], kmer, std::round(gc * 100) / 100);
                if (s >= std::lround(scanner.threshold(m, gc) * 100)) expected.push_back({m, i, strand, s / 100.0});
            }
    REQUIRE(sites.size() == expected.size());
    for (std::size_t k = 0; k < sites.size(); ++k) {
        CHECK(sites[k].position == expected[k].position);
        CHECK(sites[k].motif == expected[k].motif);
        CHECK(sites[k].strand == expected[k].strand);
        CHECK(sites[k].score == Approx(expected[k].score));
    }
    auto found = [&](std::size_t pos, char strand) {
        return std::any_of(sites.begin(), sites.end(),
                           [&](const auto& s) { return s.motif == 2 && s.position == pos && s.strand == strand; });
    };
    CHECK(found(100, '+'));
    CHECK(found(2000, '-'));
    for (const auto& s : sites) CHECK((s.position + motifs[s.motif].probabilities.size() <= 500 || s.position >= 530));
}

TEST_CASE("on random DNA the site rate matches the p-value") {
    const double p = 1e-3;
    const epiann::motif_scanner scanner(motifs, p);
    const std::string dna = random_dna(400000, 5, 0.5);
    const auto sites = scanner.scan(dna);
    for (std::size_t m = 0; m < motifs.size(); ++m) {
        const double tests = 2.0 * double(dna.size() - motifs[m].probabilities.size() + 1);
        const double bound = scanner.p_value_of(m, 0.5, scanner.threshold(m, 0.5));  // <= p; discrete scores
        const auto hits = double(std::count_if(sites.begin(), sites.end(), [&](const auto& s) { return s.motif == m; }));
        INFO("motif " << motifs[m].id << ": " << hits << " sites, " << tests * bound << " expected");
        CHECK(bound <= p);
        CHECK(std::abs(hits - tests * bound) < 5 * std::sqrt(tests * bound) + 1);
    }
}

TEST_CASE("scan with a stated background equals scan with the sequence's own when they agree") {
    const epiann::motif_scanner scanner(motifs, 1e-3);
    const std::string dna = random_dna(5000, 11, 0.62);
    const double gc = epiann::gc_fraction(dna);
    const auto own = scanner.scan(dna), stated = scanner.scan(dna, gc);
    REQUIRE(own.size() == stated.size());
    for (std::size_t k = 0; k < own.size(); ++k) {
        CHECK(own[k].position == stated[k].position);
        CHECK(own[k].motif == stated[k].motif);
        CHECK(own[k].score == stated[k].score);
    }
    // A GC-poor background makes GC-rich matches rarer and so more significant: more E-box (CACGTG) sites.
    const auto count = [](const std::vector<epiann::motif_site>& v, std::size_t m) {
        return std::count_if(v.begin(), v.end(), [&](const auto& s) { return s.motif == m; });
    };
    CHECK(count(scanner.scan(dna, 0.3), 1) > count(stated, 1));
    CHECK_THROWS_AS(scanner.scan(dna, 1.5), std::invalid_argument);
}

TEST_CASE("most_significant_sites keeps, of overlapping sites, the most significant, and every site it can") {
    const epiann::motif_scanner scanner(motifs, 2e-2);  // a loose threshold, so that sites overlap often
    const std::string dna = random_dna(20000, 12, 0.5);
    const auto all = scanner.scan(dna, 0.5);
    const auto kept = epiann::most_significant_sites(scanner, all, 0.5);
    const auto end_of = [&](const epiann::motif_site& s) { return s.position + motifs[s.motif].probabilities.size(); };
    const auto overlap = [&](const epiann::motif_site& a, const epiann::motif_site& b) {
        return a.position < end_of(b) && b.position < end_of(a);
    };
    const auto p = [&](const epiann::motif_site& s) { return scanner.p_value_of(s.motif, 0.5, s.score); };
    REQUIRE(all.size() > 2000);
    REQUIRE(kept.size() < all.size());
    for (std::size_t k = 1; k < kept.size(); ++k) {
        CHECK(kept[k - 1].position <= kept[k].position);
        CHECK_FALSE(overlap(kept[k - 1], kept[k]));
    }
    // Every dropped site overlaps a kept one at least as significant; the most significant site overall is kept.
    std::size_t dropped = 0;
    for (const auto& s : all) {
        const bool is_kept = std::any_of(kept.begin(), kept.end(), [&](const auto& t) {
            return t.position == s.position && t.motif == s.motif && t.strand == s.strand;
        });
        if (is_kept) continue;
        ++dropped;
        CHECK(std::any_of(kept.begin(), kept.end(), [&](const auto& t) { return overlap(s, t) && p(t) <= p(s); }));
    }
    CHECK(dropped == all.size() - kept.size());
    const auto best = *std::min_element(all.begin(), all.end(), [&](const auto& a, const auto& b) { return p(a) < p(b); });
    CHECK(std::any_of(kept.begin(), kept.end(), [&](const auto& t) { return t.position == best.position && t.motif == best.motif; }));
}

TEST_CASE("bad JASPAR files name the file, the line and what was expected") {
    const helix_test::temp_dir dir("epiann_bad_jaspar");
    const std::pair<const char*, const char*> bad[] = {
        {"1 2 3 4\n", "bad.pfm:1: expected a '>' motif header before the counts"},
        {">M1_M1.X\n1 2 3\n", "bad.pfm:2: expected 4 counts (A C G T), found 3"},
        {">M1_M1.X\n1 2 3 4 5\n", "bad.pfm:2: expected 4 non-negative counts"},
        {">M1_M1.X\n1 -2 3 4\n", "bad.pfm:2: expected 4 non-negative counts"},
        {">M1_M1.X\n1 nan 3 4\n", "bad.pfm:2: expected 4 non-negative counts"},
        {">M1_M1.X\n1 1e999 3 4\n", "bad.pfm:2: expected 4 non-negative counts"},
        {">M1_M1.X\n>M2_M2.Y\n1 2 3 4\n", "bad.pfm:2: motif M1 has no rows"},
        {">\n1 2 3 4\n", "bad.pfm:1: expected a motif id after '>'"},
        {"# only a comment\n", "bad.pfm: no motifs: the file is empty"},
    };
    const auto path = (dir / "bad.pfm").string();
    for (const auto& [text, what] : bad) {
        INFO(text);
        helix_test::write_bytes(path, text);
        CHECK_THROWS_AS(epiann::read_jaspar(path), epiann::input_error);
        CHECK_THROWS_WITH(epiann::read_jaspar(path), Catch::Contains(what));
    }
    helix_test::write_bytes(path, "# ok\n>MA1_MA1.GATA\n0 0 20 0\n20\t0  0 0\n");
    const auto motifs = epiann::read_jaspar(path);
    REQUIRE(motifs.size() == 1);
    CHECK(motifs[0].name == "GATA");
    CHECK(motifs[0].consensus() == "GA");
}
