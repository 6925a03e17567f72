// The simulated benchmark (examples/epiann/simulate/): determinism, the label rule recomputed from truth.tsv and
// grammar.tsv, motif frequencies per class, planted sites present in the genome at their coordinates, and the files
// read back through the same code paths as real data (genome::open, read_pairs).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "common/errors.hpp"
#include "data/pairs.hpp"
#include "genome/genome.hpp"
#include "explain/peaks.hpp"
#include "motifs/pfm.hpp"
#include "simulate/simulation.hpp"
#include "support/files.hpp"
#include "support/simulation.hpp"

namespace fs = std::filesystem;

namespace {

epiann::simulation_options small(const std::string& name, std::uint64_t seed) {
    auto o = helix_test::small_simulation("epiann_simulate_test/" + name, 800, 200, 300, 10);
    o.seed = seed;
    o.label_noise = 0.02;
    return o;
}

std::vector<std::vector<std::string>> tsv(const fs::path& p) {
    std::vector<std::vector<std::string>> rows;
    std::ifstream in(p);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
        std::vector<std::string> f;
        std::stringstream ss(line);
        for (std::string x; std::getline(ss, x, '\t');) f.push_back(x);
        rows.push_back(f);
    }
    return rows;
}

}  // namespace

TEST_CASE("the same seed gives byte-identical files, another seed different ones") {
    const auto a = small("a", 5), b = small("b", 5), c = small("c", 6);
    epiann::simulate(a);
    epiann::simulate(b);
    epiann::simulate(c);
    for (const auto* file : {"genome.fa", "genome.fa.fai", "pairs.csv", "grammar.tsv", "truth.tsv", "README"}) {
        INFO(file);
        CHECK(helix_test::read_bytes(fs::path(a.out) / file) == helix_test::read_bytes(fs::path(b.out) / file));
    }
    CHECK(helix_test::read_bytes(fs::path(a.out) / "pairs.csv") != helix_test::read_bytes(fs::path(c.out) / "pairs.csv"));
    CHECK(helix_test::read_bytes(fs::path(a.out) / "genome.fa") != helix_test::read_bytes(fs::path(c.out) / "genome.fa"));
}

TEST_CASE("labels follow the grammar exactly, up to the stated label noise; the classes differ in motifs") {
    const auto o = small("rule", 9);
    const auto summary = epiann::simulate(o);
    const fs::path dir = o.out;
    // Motifs per element from truth.tsv; the grammar from grammar.tsv.
    std::map<std::string, std::set<std::string>> carried;
    std::map<std::string, std::string> element_side;
    for (const auto& r : tsv(dir / "truth.tsv")) {
        carried[r[0]].insert(r[2]);
        element_side[r[0]] = r[1];
    }
    std::vector<std::pair<std::string, std::string>> cooperating;
    for (const auto& r : tsv(dir / "grammar.tsv"))  // the header line is skipped by tsv()
        if (r[0] == "cooperates") cooperating.emplace_back(r[1], r[2]);
    REQUIRE(cooperating.size() == 5);

    const auto pairs = epiann::read_pairs((dir / "pairs.csv").string());  // the real-data reader
    REQUIRE(pairs.pairs.size() == summary.pairs);
    std::size_t disagreements = 0, positives = 0;
    std::map<std::string, std::array<double, 2>> enhancer_motif_count;  // motif -> (in negatives, in positives)
    std::array<double, 2> class_size{0, 0};
    std::ifstream csv(dir / "pairs.csv");
    std::string line;
    std::getline(csv, line);
    for (const auto& p : pairs.pairs) {
        std::getline(csv, line);
        const int rule_label = line.back() - '0';
        const auto& e = carried.at(p.enhancer_name);
        const auto& q = carried.at(p.promoter_name);
        CHECK(element_side.at(p.enhancer_name) == "enhancer");
        const bool rule = std::any_of(cooperating.begin(), cooperating.end(),
                                      [&](const auto& c) { return e.count(c.first) && q.count(c.second); });
        CHECK(int(rule) == rule_label);
        disagreements += p.label != rule_label;
        positives += p.label;
        const long long distance = std::abs((p.enhancer.start + p.enhancer.end) / 2 - (p.promoter.start + p.promoter.end) / 2);
        CHECK((p.enhancer.chromosome == p.promoter.chromosome && distance >= 10000 && distance <= 2000000));
        class_size[std::size_t(rule_label)] += 1;
        for (const auto& m : e) enhancer_motif_count[m][std::size_t(rule_label)] += 1;
    }
    CHECK(disagreements == 2 * summary.flipped);
    CHECK(summary.flipped == 6);  // 2 % of 300
    CHECK(positives == 300);
    // Cooperating enhancer motifs are more frequent among positives; decoys are not (they are rarer there: an
    // element carrying a decoy has one slot fewer for a cooperating motif).
    for (const auto& [motif, count] : enhancer_motif_count) {
        const double in_positive = count[1] / class_size[1], in_negative = count[0] / class_size[0];
        const auto& m = motif;  // clang 14 cannot capture a structured binding
        const bool is_cooperating = std::any_of(cooperating.begin(), cooperating.end(), [&](const auto& c) { return c.first == m; });
        INFO(motif << ": " << in_positive << " of positives, " << in_negative << " of negatives");
        if (is_cooperating)
            CHECK(in_positive > in_negative);
        else
            CHECK(in_positive < in_negative);
    }
}

TEST_CASE("every planted site is in the genome at its coordinates, read through the genome index") {
    const auto o = small("sites", 3);
    epiann::simulate(o);
    const fs::path dir = o.out;
    const auto g = epiann::genome::open((dir / "genome.fa").string());
    CHECK(g->chromosomes().size() == 23);
    const auto motifs = epiann::read_jaspar(o.motifs_path);
    std::size_t checked = 0;
    for (const auto& r : tsv(dir / "truth.tsv")) {
        const auto m = epiann::find_motif(motifs, r[2]);
        REQUIRE(m);
        const long long start = std::stoll(r[6]), end = std::stoll(r[7]);
        const std::string expected = r[4] == "+" ? motifs[*m].consensus() : epiann::reverse_complement(motifs[*m].consensus());
        REQUIRE(g->sequence(r[5], start, end) == expected);
        // Inside its element.
        const auto element = epiann::parse_region(r[0], "truth.tsv", 0);
        CHECK((start >= element.start && end <= element.end));
        ++checked;
    }
    CHECK(checked > 4000);

    // The occupancy track: about 80 % of planted sites are bound, i.e. have a peak summit on them (within the
    // +-10 bp jitter the simulator applies); every site with a summit also lies under a peak.
    const auto peaks = epiann::peak_set::read((dir / "occupancy.narrowPeak").string());
    std::map<std::string, std::set<long long>> summits;
    std::ifstream np(dir / "occupancy.narrowPeak");
    for (std::string line; std::getline(np, line);) {
        std::stringstream ss(line);
        std::string chrom, name, score, strand, signal, p, q;
        long long start, end, summit;
        ss >> chrom >> start >> end >> name >> score >> strand >> signal >> p >> q >> summit;
        summits[chrom].insert(start + summit);
    }
    std::size_t bound = 0, sites = 0;
    for (const auto& r : tsv(dir / "truth.tsv")) {
        ++sites;
        const long long centre = (std::stoll(r[6]) + std::stoll(r[7])) / 2;
        const auto& s = summits[r[5]];
        const auto it = s.lower_bound(centre - 12);
        const bool has_summit = it != s.end() && *it <= centre + 12;
        bound += has_summit;
        if (has_summit) CHECK(peaks.overlaps(r[5], std::stoll(r[6]), std::stoll(r[7])));
    }
    const double fraction = double(bound) / double(sites);
    INFO(bound << " of " << sites << " sites bound");
    CHECK(fraction > 0.77);
    CHECK(fraction < 0.86);  // 0.8, plus the odd site next to a bound neighbour
}

TEST_CASE("bad simulator input is an input error") {
    auto o = small("bad", 1);
    o.grammar_path = HELIX_TEST_DATA_DIR "/simulate/unknown_motif.tsv";
    CHECK_THROWS_WITH(epiann::simulate(o), Catch::Contains("unknown_motif.tsv:1: unknown motif \"NOT_A_TF\""));
    o = small("bad", 1);
    o.motifs_path = HELIX_TEST_DATA_DIR "/simulate/bad_row.pfm";
    CHECK_THROWS_WITH(epiann::simulate(o), Catch::Contains("bad_row.pfm:2: expected 4 counts"));
    o = small("bad", 1);
    o.positives = 1000000;
    CHECK_THROWS_WITH(epiann::simulate(o), Catch::Contains("allows only"));
    o = small("bad", 1);
    o.grammar_path = HELIX_TEST_DATA_DIR "/simulate/small_grammar.tsv";
    o.max_motifs = 3;  // the small grammar plants only 2 motifs per side
    CHECK_THROWS_WITH(epiann::simulate(o), Catch::Contains("--max-motifs 3 exceeds"));
}
