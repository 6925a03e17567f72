// Leak canaries (examples/epiann/audit/canaries.hpp) on hand-made splits whose answers are known.
#include <catch2/catch.hpp>

#include "audit/canaries.hpp"

using epiann::canary_pair;
using set = canary_pair::set;

namespace {

canary_pair pair_at(long long enhancer, long long promoter, int label, set in, std::string chromosome = "chr1") {
    canary_pair p;
    p.enhancer_chromosome = p.promoter_chromosome = chromosome;
    p.enhancer_start = enhancer;
    p.enhancer_end = enhancer + 3000;
    p.promoter_start = promoter;
    p.promoter_end = promoter + 2000;
    p.enhancer_id = chromosome + ":" + std::to_string(enhancer);
    p.promoter_id = chromosome + ":" + std::to_string(promoter);
    p.label = label;
    p.in = in;
    return p;
}

const epiann::canary_scores& find(const std::vector<epiann::canary_scores>& all, const std::string& name) {
    for (const auto& c : all)
        if (c.name == name) return c;
    FAIL("no canary " << name);
    return all.front();
}

}  // namespace

TEST_CASE("the overlap canary finds test pairs whose both windows overlap one training positive") {
    std::vector<canary_pair> pairs{
        pair_at(100000, 200000, 1, set::train),
        pair_at(500000, 600000, 1, set::train),
        pair_at(101000, 201500, 1, set::test),   // overlaps training positive 0 on both sides
        pair_at(101000, 601000, 0, set::test),   // enhancer overlaps positive 0, promoter positive 1: not one pair
        pair_at(900000, 950000, 0, set::test),   // overlaps nothing
        pair_at(103001, 200000, 0, set::test),   // enhancer window starts where positive 0's ends + 1: no overlap
        pair_at(500000, 600000, 0, set::validation),
    };
    const auto canaries = epiann::leak_canaries(pairs);
    const auto& overlap = find(canaries, "overlap");
    CHECK(overlap.scores == std::vector<double>{1, 0, 0, 0});
    CHECK(overlap.report.auroc == 1.0);
    CHECK(overlap.report.count == 4);
    CHECK(overlap.report.positives == 1);
}

TEST_CASE("the propensity canary scores elements by their training positive rate, unseen elements at the base rate") {
    std::vector<canary_pair> pairs;
    // Promoter 200000 is positive in 3 of 3 training pairs; promoter 700000 in 0 of 3.
    for (long long e : {10000, 20000, 30000}) pairs.push_back(pair_at(e, 200000, 1, set::train));
    for (long long e : {40000, 50000, 60000}) pairs.push_back(pair_at(e, 700000, 0, set::train));
    pairs.push_back(pair_at(80000, 200000, 1, set::test));
    pairs.push_back(pair_at(90000, 700000, 0, set::test));
    pairs.push_back(pair_at(95000, 999000, 0, set::test));  // both elements unseen
    const auto canaries = epiann::leak_canaries(pairs);
    const auto& c = find(canaries, "propensity");
    REQUIRE(c.scores.size() == 3);
    CHECK(c.scores[0] == Approx((0.5 + (3 + 0.5) / 4) / 2));
    CHECK(c.scores[1] == Approx((0.5 + (0 + 0.5) / 4) / 2));
    CHECK(c.scores[2] == Approx(0.5));
    CHECK(c.report.auroc == 1.0);

    // Held-out chromosome: nothing in the test set was seen, so every score is the base rate and AUROC is 0.5.
    for (auto& p : pairs)
        if (p.in == set::test) p = pair_at(p.enhancer_start, p.promoter_start, p.label, set::test, "chr2");
    CHECK(find(epiann::leak_canaries(pairs), "propensity").report.auroc == 0.5);
}

TEST_CASE("the distance canary orients itself on the training pairs") {
    std::vector<canary_pair> pairs;
    // In training, positives are far and negatives near: the canary must learn that far scores higher.
    for (int i = 0; i < 5; ++i) {
        pairs.push_back(pair_at(0, 1000000 + i * 1000, 1, set::train));
        pairs.push_back(pair_at(0, 20000 + i * 1000, 0, set::train));
    }
    pairs.push_back(pair_at(0, 900000, 1, set::test));
    pairs.push_back(pair_at(0, 30000, 0, set::test));
    const auto canaries = epiann::leak_canaries(pairs);
    const auto& c = find(canaries, "distance");
    CHECK(c.report.auroc == 1.0);
}

TEST_CASE("a split without test pairs is an error") {
    std::vector<canary_pair> pairs{pair_at(0, 50000, 1, set::train)};
    CHECK_THROWS_WITH(epiann::leak_canaries(pairs), Catch::Contains("no test pairs"));
}
