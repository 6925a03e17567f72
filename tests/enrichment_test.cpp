// Motif and TF-pair enrichment (examples/epiann/explain/enrichment.hpp) on synthetic elements with a planted answer.
#include <catch2/catch.hpp>

#include <helix/core/rng.hpp>

#include "explain/enrichment.hpp"

namespace {

// 300 windows of 1000 bp with 5 regions of 44 bp; motif 0 always sits inside a region, motifs 1-9 anywhere.
std::vector<epiann::element_scan> planted(std::uint64_t seed) {
    helix::counter_rng rng(seed);
    std::vector<epiann::element_scan> out(300);
    for (auto& e : out) {
        e.window = 1000;
        for (int r = 0; r < 5; ++r) {
            const std::size_t s = rng.next_below(956);
            e.regions.emplace_back(s, s + 44);
        }
        e.sites.emplace_back(0, e.regions[rng.next_below(5)].first + 20);
        for (int k = 0; k < 12; ++k) e.sites.emplace_back(1 + rng.next_below(9), rng.next_below(1000));
    }
    return out;
}

}  // namespace

TEST_CASE("a motif planted inside attention regions ranks first, the others sit at their expectation") {
    const auto elements = planted(3);
    const auto rows = epiann::motif_enrichment(elements, 10, 100, 7);
    REQUIRE(rows.size() == 10);
    CHECK(rows[0].motif == 0);
    CHECK(rows[0].observed_fraction == 1.0);
    CHECK(rows[0].p_value == Approx(1.0 / 101));
    CHECK(rows[0].expected_fraction == Approx(0.2).margin(0.03));  // 5 x 44 bp of 1000, minus overlaps
    for (std::size_t i = 1; i < rows.size(); ++i) {
        INFO("motif " << rows[i].motif);
        CHECK(rows[i].fold == Approx(1.0).margin(0.35));
        CHECK(rows[i].p_value > 0.001);
    }
    // Deterministic for a seed.
    CHECK(epiann::motif_enrichment(elements, 10, 100, 7)[3].z == rows[3].z);
}

TEST_CASE("a cooperating motif pair is the top TF pair; single motifs alone are not") {
    helix::counter_rng rng(11);
    // Elements: motif index in the enhancer's/promoter's top region. Positives carry (2, 5); negatives random.
    std::vector<epiann::element_scan> enhancers, promoters;
    std::vector<int> labels;
    for (int i = 0; i < 600; ++i) {
        const bool positive = i % 4 == 0;
        epiann::element_scan e, p;
        e.window = p.window = 500;
        e.regions = {{100, 144}};
        p.regions = {{200, 244}};
        const auto em = positive ? 2u : std::uint32_t(rng.next_below(8));
        const auto pm = positive ? 5u : std::uint32_t(rng.next_below(8));
        e.sites = {{em, 120}, {std::uint32_t(rng.next_below(8)), 400}};  // the second outside the region
        p.sites = {{pm, 210}};
        enhancers.push_back(e);
        promoters.push_back(p);
        labels.push_back(positive);
    }
    std::vector<epiann::pair_scan> pairs;
    for (std::size_t i = 0; i < enhancers.size(); ++i) pairs.push_back({&enhancers[i], &promoters[i], labels[i]});
    const auto rows = epiann::tf_pair_enrichment(pairs, 8, 3);
    REQUIRE(!rows.empty());
    CHECK(rows[0].enhancer_motif == 2);
    CHECK(rows[0].promoter_motif == 5);
    CHECK(rows[0].q_value < 1e-10);
    CHECK(rows[0].positive_with == 150);
    for (const auto& r : rows) CHECK(r.q_value >= r.p_value);
}
