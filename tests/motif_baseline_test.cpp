// The marginal-motif baseline (examples/epiann/audit/motif_baseline.hpp) sees single-motif signal and is blind
// to pairing, by construction: checked on synthetic elements whose labels follow one rule or the other.
#include <catch2/catch.hpp>

#include <helix/core/rng.hpp>

#include "audit/motif_baseline.hpp"
#include "evaluate/metrics.hpp"

namespace {

struct synthetic {
    std::vector<std::vector<std::uint32_t>> enhancers, promoters;
    std::vector<epiann::baseline_pair> pairs;
    std::vector<int> test_labels;
};

// 400 enhancers and 400 promoters, each carrying one of motifs 0-3 (balanced); 6000 random pairs.
// pairing rule: positive when (enhancer motif, promoter motif) is (0, 1) or (1, 0), (2, 3) or (3, 2)
// marginal rule: positive when the enhancer carries motif 0 or the promoter motif 2
synthetic make(bool pairing_rule) {
    synthetic s;
    helix::counter_rng rng(pairing_rule ? 1 : 2);
    for (int i = 0; i < 400; ++i) {
        s.enhancers.push_back({std::uint32_t(i % 4)});
        s.promoters.push_back({std::uint32_t((i / 4) % 4)});
    }
    for (int k = 0; k < 6000; ++k) {
        epiann::baseline_pair p;
        p.enhancer = rng.next_below(400);
        p.promoter = rng.next_below(400);
        const auto a = s.enhancers[p.enhancer][0], b = s.promoters[p.promoter][0];
        p.label = pairing_rule ? ((a ^ 1) == b) : (a == 0 || b == 2);
        p.train = k < 4500;
        p.test = !p.train;
        if (p.test) s.test_labels.push_back(p.label);
        s.pairs.push_back(p);
    }
    return s;
}

}  // namespace

TEST_CASE("the marginal-motif baseline learns single-motif signal") {
    const auto s = make(false);
    const auto scores = epiann::marginal_motif_baseline(s.pairs, s.enhancers, s.promoters, 4);
    REQUIRE(scores.size() == s.test_labels.size());
    const double auc = epiann::auroc(scores, s.test_labels);
    INFO("AUROC " << auc);
    CHECK(auc > 0.95);
}

TEST_CASE("the marginal-motif baseline cannot see a pure pairing rule") {
    const auto s = make(true);
    const auto scores = epiann::marginal_motif_baseline(s.pairs, s.enhancers, s.promoters, 4);
    const double auc = epiann::auroc(scores, s.test_labels);
    INFO("AUROC " << auc);
    CHECK(auc < 0.6);
}
