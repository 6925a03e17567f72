// explain/attribution: how each method's raw attributions become one score per base, the 40 bp bins of the regions,
// and the --methods parser.
#include <catch2/catch.hpp>

#include <vector>

#include "common/errors.hpp"
#include "explain/attribution.hpp"

using namespace epiann;

TEST_CASE("per-base scores: the observed letter's gradient, the largest |gradient|, IG's sum, ISM's mean loss") {
    // Two bases: C, then an N (all-zero row).
    const std::vector<float> x = {0, 1, 0, 0, 0, 0, 0, 0};
    const std::vector<float> a = {0.5f, -2, 1, 0.25f, -1, 3, 0, 1};
    CHECK(per_base_scores(attribution_method::input_x_gradient, x, a) == std::vector<float>{-2, 0});
    CHECK(per_base_scores(attribution_method::saliency, x, a) == std::vector<float>{2, 3});
    CHECK(per_base_scores(attribution_method::integrated_gradients, x, a) == std::vector<float>{-0.25f, 3});
    // ISM effects: 0 at the letter held; the score is minus the mean of the substitutions' effects (three for C,
    // four for the N).
    const std::vector<float> effects = {-0.3f, 0, -0.6f, 0.3f, 0.4f, 0.4f, 0, 0};
    const auto ism = per_base_scores(attribution_method::ism, x, effects);
    CHECK(ism[0] == Approx(0.2f));
    CHECK(ism[1] == Approx(-0.2f));
    CHECK_THROWS(per_base_scores(attribution_method::ism, x, std::vector<float>(4)));
}

TEST_CASE("method bins: 40 bp covering every base once, centred; bin sums") {
    const auto g = method_bins(1000);
    REQUIRE(g.bins() == 25);
    CHECK(g.span(0) == std::pair<std::size_t, std::size_t>{0, 40});
    CHECK(g.span(24) == std::pair<std::size_t, std::size_t>{960, 1000});
    const auto odd = method_bins(810);  // 21 bins of 40 = 840: 15 bases of padding before
    CHECK(odd.bins() == 21);
    CHECK(odd.span(0) == std::pair<std::size_t, std::size_t>{0, 25});
    CHECK(odd.span(20) == std::pair<std::size_t, std::size_t>{785, 810});
    std::vector<float> bases(810, 1.f);
    const auto sums = bin_sums(odd, bases);
    CHECK(sums[0] == 25);
    CHECK(sums[1] == 40);
    float total = 0;
    for (float s : sums) total += s;
    CHECK(total == 810);
    CHECK_THROWS(bin_sums(odd, std::vector<float>(809)));
}

TEST_CASE("--methods: names in order, each once; an unknown one is named") {
    CHECK(parse_methods("ism,attention,ism") == std::vector<attribution_method>{attribution_method::ism, attribution_method::attention});
    CHECK(parse_methods("saliency,input_x_gradient,integrated_gradients").size() == 3);
    try {
        parse_methods("attention,deeplift");
        FAIL("deeplift accepted");
    } catch (const input_error& e) {
        CHECK(std::string(e.what()).find("unknown method \"deeplift\"") != std::string::npos);
    }
    CHECK_THROWS_AS(parse_methods(""), input_error);
}
