// Attribution methods (helix/attribution): the dinucleotide shuffle keeps what it promises; saliency and input x
// gradient are the input gradient; integrated gradients is exact on a linear model, converges to completeness on a
// pair model with attention, does not depend on how it is batched, and gives nothing to a half held at its reference;
// in-silico mutagenesis equals substituting and forwarding by hand. Worst elements are reported.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <map>
#include <vector>

#include "helix/attribution/conv_pool_mutagenesis.hpp"
#include "helix/attribution/cross_effects.hpp"
#include "helix/attribution/gradients.hpp"
#include "helix/attribution/mutagenesis.hpp"
#include "helix/attribution/references.hpp"
#include "helix/helix.hpp"
#include "helix/testing/compare.hpp"

using namespace helix;
using namespace helix::attribution;

namespace {

using pair_in = pair_of<shape<12, 4>, shape<9, 4>>;
// Two sequences through a shared convolution, cross-attention and a bilinear head, plus an auxiliary head (its
// outputs get weight 0, and are NaN in inference: a method must not let them reach f).
auto pair_model() {
    return seq{twin{seq{conv1d<3, 3, bias::on>{}, helix::tanh{}}},
               branches{additive_cross_attention<2, queries::second>{}, additive_cross_attention<2>{}},
               branches{seq{bilinear<>{}, flatten{}, dense<1>{}}, auxiliary{halves{seq{flatten{}, dense<2>{}}, seq{flatten{}, dense<2>{}}}}}};
}
const std::vector<double> logit_only{1, 0, 0, 0, 0};

template <class T>
void fill_one_hot(T* p, std::size_t rows, std::uint64_t seed) {
    counter_rng rng(seed);
    for (std::size_t l = 0; l < rows; ++l) {
        for (std::size_t c = 0; c < 4; ++c) p[l * 4 + c] = 0;
        p[l * 4 + rng.next_below(4)] = 1;
    }
}

std::map<std::pair<int, int>, int> dinucleotides(const std::vector<std::uint8_t>& s) {
    std::map<std::pair<int, int>, int> counts;
    for (std::size_t i = 0; i + 1 < s.size(); ++i) ++counts[{s[i], s[i + 1]}];
    return counts;
}

double logit_of(auto& net, cpu_context& ctx, const tensor<double, shape<12, 4>>& e, const tensor<double, shape<9, 4>>& p,
                std::size_t b) {
    const auto out = net.forward(ctx, make_pair_view(e.cview(), p.cview()));
    return out.first[b];
}

}  // namespace

TEST_CASE("dinucleotide_shuffle keeps every dinucleotide count and both ends, and depends only on seed and stream") {
    constexpr std::size_t L = 500;
    tensor<float, shape<L, 4>> x(3), a(3), b(3);
    fill_one_hot(x.data(), 3 * L, 11);
    for (std::size_t l = 40; l < 60; ++l)  // a run of N
        for (std::size_t c = 0; c < 4; ++c) x(1, l, c) = 0;
    dinucleotide_shuffle(x.cview(), a.view(), 7);
    dinucleotide_shuffle(x.cview(), b.view(), 7);
    for (std::size_t s = 0; s < 3; ++s) {
        const auto in = letters_of(std::span<const float>(x.view().sample(s), L * 4), 4);
        const auto out = letters_of(std::span<const float>(a.view().sample(s), L * 4), 4);
        CHECK(dinucleotides(in) == dinucleotides(out));
        CHECK(in.front() == out.front());
        CHECK(in.back() == out.back());
        std::size_t moved = 0;
        for (std::size_t l = 0; l < L; ++l) moved += in[l] != out[l];
        CHECK(moved > L / 2);  // a shuffle, not the sequence back
    }
    CHECK(std::equal(a.data(), a.data() + a.size(), b.data()));
    dinucleotide_shuffle(x.cview(), b.view(), 8);
    CHECK(!std::equal(a.data(), a.data() + a.size(), b.data()));
    // Sample 1 alone, as stream 1: the same shuffle as inside the batch.
    tensor<float, shape<L, 4>> one(1), one_out(1);
    std::copy_n(x.view().sample(1), L * 4, one.data());
    dinucleotide_shuffle(one.cview(), one_out.view(), 7, 1);
    CHECK(std::equal(one_out.data(), one_out.data() + L * 4, a.view().sample(1)));
    // Many short sequences: every draw is a valid Eulerian walk (counts kept), whatever the rejection loop drew.
    for (std::uint64_t seed = 0; seed < 300; ++seed) {
        std::vector<float> s(12 * 4), t(12 * 4);
        fill_one_hot(s.data(), 12, 1000 + seed);
        dinucleotide_shuffle(std::span<const float>(s), std::span<float>(t), 4, seed);
        REQUIRE(dinucleotides(letters_of(std::span<const float>(s), 4)) == dinucleotides(letters_of(std::span<const float>(t), 4)));
    }
    std::vector<float> bad(10), out(10);
    CHECK_THROWS_AS(dinucleotide_shuffle(std::span<const float>(bad), std::span<float>(out), 4, 1), shape_error);
}

TEST_CASE("saliency is the input gradient and input x gradient multiplies it by the input") {
    auto net = make_network<pair_in, double>(pair_model());
    net.init(5);
    tensor<double, shape<12, 4>> e(3), de(3), ie(3), ge(3);
    tensor<double, shape<9, 4>> p(3), dp(3), ip(3), gp(3);
    fill_one_hot(e.data(), 36, 1);
    fill_one_hot(p.data(), 27, 2);
    cpu_context ctx(1);
    set_mode(ctx, mode::inference);
    const auto x = make_pair_view(e.cview(), p.cview());
    const std::span<const double> w(logit_only);
    input_gradient(net, ctx, x, make_pair_view(ge.view(), gp.view()), w);
    saliency(net, ctx, x, make_pair_view(de.view(), dp.view()), w);
    input_x_gradient(net, ctx, x, make_pair_view(ie.view(), ip.view()), w);
    CHECK(std::equal(de.data(), de.data() + de.size(), ge.data()));
    CHECK(std::equal(dp.data(), dp.data() + dp.size(), gp.data()));
    for (std::size_t i = 0; i < e.size(); ++i) REQUIRE(ie[i] == e[i] * ge[i]);
    for (std::size_t i = 0; i < p.size(); ++i) REQUIRE(ip[i] == p[i] * gp[i]);
    set_mode(ctx, mode::training);
    CHECK_THROWS_AS(saliency(net, ctx, x, make_pair_view(de.view(), dp.view()), w), argument_error);
}

TEST_CASE("integrated gradients of a linear model is (x - x') times its weights, exactly") {
    auto net = make_network<shape<6, 4>, double>(seq{flatten{}, dense<1>{}});
    net.init(2);
    tensor<double, shape<6, 4>> x(2), ref(2), ig(2);
    fill_one_hot(x.data(), 12, 3);
    cpu_context ctx(1);
    set_mode(ctx, mode::inference);
    const std::vector<double> w{1};
    const auto checks = integrated_gradients(net, ctx, x.cview(), ref.cview(), ig.view(), std::span<const double>(w), {.steps = 3});
    const auto weights = net.parameters();  // dense: weights [24], then bias
    for (std::size_t b = 0; b < 2; ++b)
        for (std::size_t i = 0; i < 24; ++i) REQUIRE(ig.view().sample(b)[i] == Approx(x.view().sample(b)[i] * weights[i]).margin(1e-14));
    for (const auto& c : checks) CHECK(std::abs(c.gap()) < 1e-12);
}

TEST_CASE("integrated gradients on a pair model: completeness within 1e-4 at 256 steps, batching-independent, "
          "nothing for a half held at its reference") {
    auto net = make_network<pair_in, double>(pair_model());
    net.init(9);
    tensor<double, shape<12, 4>> e(4), e0(4), ae(4), be(4);
    tensor<double, shape<9, 4>> p(4), p0(4), ap(4), bp(4);
    fill_one_hot(e.data(), 48, 4);
    fill_one_hot(p.data(), 36, 5);
    dinucleotide_shuffle(e.cview(), e0.view(), 3);
    dinucleotide_shuffle(p.cview(), p0.view(), 4);
    cpu_context ctx(2);
    set_mode(ctx, mode::inference);
    const std::span<const double> w(logit_only);
    const auto x = make_pair_view(e.cview(), p.cview());
    const auto ref = make_pair_view(e0.cview(), p0.cview());
    double coarse = 0, fine = 0, scale = 0;
    for (const auto& c : integrated_gradients(net, ctx, x, ref, make_pair_view(ae.view(), ap.view()), w, {.steps = 4}))
        coarse = std::max(coarse, std::abs(c.gap()));
    const auto checks = integrated_gradients(net, ctx, x, ref, make_pair_view(ae.view(), ap.view()), w, {.steps = 256, .batch = 64});
    for (const auto& c : checks) fine = std::max(fine, std::abs(c.gap())), scale = std::max(scale, std::abs(c.output_difference));
    INFO("largest completeness gap at 4 steps " << coarse << ", at 256 steps " << fine << "; largest |f(x) - f(x')| " << scale);
    CHECK(scale > 1e-3);  // the check has something to check
    CHECK(fine < 1e-4 * std::max(1.0, scale));
    CHECK(fine < coarse);
    // The same attributions batched 7 rows at a time (chunks that split examples' paths).
    integrated_gradients(net, ctx, x, ref, make_pair_view(be.view(), bp.view()), w, {.steps = 256, .batch = 7});
    const auto c = testing::compare(std::span<const double>(be.data(), be.size()), std::span<const double>(ae.data(), ae.size()),
                                    {1e-9, 1e-12}, "integrated gradients, batch 7 vs 64");
    INFO(c.message());
    CHECK(c.ok);
    // The promoter held at x (its reference is itself): its attributions are exactly zero, the enhancer's complete.
    const auto checks_e = integrated_gradients(net, ctx, x, make_pair_view(e0.cview(), p.cview()),
                                               make_pair_view(ae.view(), ap.view()), w, {.steps = 256});
    CHECK(std::all_of(ap.data(), ap.data() + ap.size(), [](double v) { return v == 0; }));
    for (const auto& k : checks_e) CHECK(std::abs(k.gap()) < 1e-4 * std::max(1.0, std::abs(k.output_difference)));
    CHECK_THROWS_AS(integrated_gradients(net, ctx, x, ref, make_pair_view(ae.view(), ap.view()), w.first(2)), shape_error);
}

TEST_CASE("in-silico mutagenesis equals substituting each letter and forwarding, for either half or both") {
    auto net = make_network<pair_in, double>(pair_model());
    net.init(6);
    tensor<double, shape<12, 4>> e(2), ee(2);
    tensor<double, shape<9, 4>> p(2), ep(2);
    fill_one_hot(e.data(), 24, 7);
    fill_one_hot(p.data(), 18, 8);
    for (std::size_t c = 0; c < 4; ++c) e(1, 5, c) = 0;  // an N: all four letters are substitutions
    cpu_context ctx(1);
    set_mode(ctx, mode::evaluation);
    const std::span<const double> w(logit_only);
    in_silico_mutagenesis(net, ctx, make_pair_view(e.cview(), p.cview()), make_pair_view(ee.view(), ep.view()), w, {.batch = 5, .halves = {}});
    std::vector<double> got, expected;
    for (std::size_t b = 0; b < 2; ++b) {
        const double base = logit_of(net, ctx, e, p, b);
        for (std::size_t l = 0; l < 12; ++l)
            for (std::size_t c = 0; c < 4; ++c) {
                auto m = e;
                for (std::size_t k = 0; k < 4; ++k) m(b, l, k) = k == c ? 1 : 0;
                got.push_back(ee(b, l, c));
                expected.push_back(e(b, l, c) == 1 ? 0.0 : logit_of(net, ctx, m, p, b) - base);
            }
        for (std::size_t l = 0; l < 9; ++l)
            for (std::size_t c = 0; c < 4; ++c) {
                auto m = p;
                for (std::size_t k = 0; k < 4; ++k) m(b, l, k) = k == c ? 1 : 0;
                got.push_back(ep(b, l, c));
                expected.push_back(p(b, l, c) == 1 ? 0.0 : logit_of(net, ctx, e, m, b) - base);
            }
    }
    const auto c = testing::compare(std::span<const double>(got), std::span<const double>(expected), {1e-12, 1e-14},
                                    "ISM vs substitute-and-forward");
    INFO(c.message());
    CHECK(c.ok);
    CHECK(std::count_if(expected.begin(), expected.end(), [](double v) { return std::abs(v) > 1e-6; }) > 100);
    for (std::size_t c = 0; c < 4; ++c) CHECK(ee(1, 5, c) != 0);  // the N row: four effects
    // The enhancer alone: the promoter's effects are zero, the enhancer's the same.
    tensor<double, shape<12, 4>> ee2(2);
    tensor<double, shape<9, 4>> ep2(2);
    in_silico_mutagenesis(net, ctx, make_pair_view(e.cview(), p.cview()), make_pair_view(ee2.view(), ep2.view()), w,
                          {.batch = 64, .halves = {true, false}});
    const auto same = testing::compare(std::span<const double>(ee2.data(), ee2.size()), std::span<const double>(ee.data(), ee.size()),
                                       {1e-12, 1e-14}, "ISM of the enhancer alone vs of both halves");
    INFO(same.message());
    CHECK(same.ok);
    CHECK(std::all_of(ep2.data(), ep2.data() + ep2.size(), [](double v) { return v == 0; }));
    CHECK_THROWS_AS(in_silico_mutagenesis(net, ctx, make_pair_view(e.cview(), p.cview()), make_pair_view(ee2.view(), ep2.view()),
                                          w, {.batch = 64, .halves = {true}}),
                    argument_error);
}

TEST_CASE("conv_pool_mutagenesis equals in_silico_mutagenesis on an EPIANN-shaped model, and skips what cannot change") {
    // EPIANN's structure at test size: one fused conv + ReLU + SAME max-pool shared by both halves, dropout, then
    // cross-attention and a head with an auxiliary part.
    using in = pair_of<shape<40, 4>, shape<31, 4>>;
    const auto model = seq{twin{seq{conv1d_relu_max_pool1d<5, 4, 3, 3, padding::same, bias::on>{}, dropout{0.2f}}},
                           branches{additive_cross_attention<3, queries::second>{}, additive_cross_attention<3>{}},
                           branches{seq{bilinear<>{}, top_k_pool<4>{}, dense<1>{}},
                                    auxiliary{halves{seq{flatten{}, dense<2>{}}, seq{flatten{}, dense<2>{}}}}}};
    auto net = make_network<in, double>(model);
    STATIC_REQUIRE(has_conv_pool_trunk<decltype(net)>);
    STATIC_REQUIRE(!has_conv_pool_trunk<network<pair_in, decltype(pair_model()), double>>);
    net.init(4);
    tensor<double, shape<40, 4>> e(2), naive_e(2), fast_e(2);
    tensor<double, shape<31, 4>> p(2), naive_p(2), fast_p(2);
    fill_one_hot(e.data(), 80, 21);
    fill_one_hot(p.data(), 62, 22);
    for (std::size_t c = 0; c < 4; ++c) e(0, 7, c) = 0, p(1, 30, c) = 0;  // N rows, one at a window's end
    cpu_context ctx(1);
    set_mode(ctx, mode::inference);
    std::vector<double> w{1, 0, 0, 0, 0};
    const auto x = make_pair_view(e.cview(), p.cview());
    in_silico_mutagenesis(net, ctx, x, make_pair_view(naive_e.view(), naive_p.view()), std::span<const double>(w));
    conv_pool_mutagenesis(net, ctx, x, make_pair_view(fast_e.view(), fast_p.view()), std::span<const double>(w), {.batch = 9, .halves = {}});
    for (const auto& [fast, naive, n, what] : {std::tuple{fast_e.data(), naive_e.data(), fast_e.size(), "enhancer"},
                                               std::tuple{fast_p.data(), naive_p.data(), fast_p.size(), "promoter"}}) {
        const auto c = testing::compare(std::span<const double>(fast, n), std::span<const double>(naive, n), {1e-10, 1e-12},
                                        std::string("conv_pool_mutagenesis vs in_silico_mutagenesis, ") + what);
        INFO(c.message());
        CHECK(c.ok);
        CHECK(std::count_if(naive, naive + n, [](double v) { return v != 0; }) > 50);
    }
    // One half only.
    conv_pool_mutagenesis(net, ctx, x, make_pair_view(fast_e.view(), fast_p.view()), std::span<const double>(w), {.batch = 64, .halves = {false, true}});
    CHECK(std::all_of(fast_e.data(), fast_e.data() + fast_e.size(), [](double v) { return v == 0; }));
    set_mode(ctx, mode::training);
    CHECK_THROWS_AS(conv_pool_mutagenesis(net, ctx, x, make_pair_view(fast_e.view(), fast_p.view()), std::span<const double>(w)),
                    argument_error);
}

TEST_CASE("cross_effects: zero for a model that reads the halves apart, the occluded input x gradient otherwise") {
    cpu_context ctx(1);
    set_mode(ctx, mode::inference);
    tensor<double, shape<12, 4>> e(1);
    tensor<double, shape<9, 4>> p(1);
    fill_one_hot(e.data(), 12, 31);
    fill_one_hot(p.data(), 9, 32);
    const auto x = make_pair_view(e.cview(), p.cview());
    // f = g(enhancer) + h(promoter): occluding the enhancer cannot change the promoter's attribution.
    auto apart = make_network<pair_in, double>(seq{twin{seq{conv1d<3, 3, bias::on>{}, helix::tanh{}}},
                                                   halves{seq{flatten{}, dense<1>{}}, seq{flatten{}, dense<1>{}}}, add{}});
    apart.init(2);
    const std::vector<double> one{1};
    const auto none = cross_effects(apart, ctx, x, std::span<const double>(one), true, {.region = 4, .batch = 2});
    REQUIRE((none.rows == 3 && none.cols == 3));
    for (double v : none.values) CHECK(std::abs(v) < 1e-12);
    // Through cross-attention every cell is the input x gradient of the promoter region with the enhancer region
    // occluded, minus without: recomputed here from input_gradient.
    auto net = make_network<pair_in, double>(pair_model());
    net.init(7);
    const std::span<const double> w(logit_only);
    const auto m = cross_effects(net, ctx, x, w, true, {.region = 4, .batch = 3});
    const auto reverse = cross_effects(net, ctx, x, w, false, {.region = 5, .batch = 64});
    CHECK((reverse.rows == 2 && reverse.cols == 3));
    auto promoter_ixg = [&](const tensor<double, shape<12, 4>>& ee) {
        tensor<double, shape<12, 4>> ge(1);
        tensor<double, shape<9, 4>> gp(1);
        input_gradient(net, ctx, make_pair_view(ee.cview(), p.cview()), make_pair_view(ge.view(), gp.view()), w);
        std::vector<double> bins(3, 0.0);
        for (std::size_t l = 0; l < 9; ++l)
            for (std::size_t c = 0; c < 4; ++c) bins[l / 4] += p(0, l, c) * gp(0, l, c);
        return bins;
    };
    const auto base = promoter_ixg(e);
    std::vector<double> got, expected;
    for (std::size_t i = 0; i < 3; ++i) {
        auto occluded = e;
        for (std::size_t l = 4 * i; l < std::min<std::size_t>(12, 4 * i + 4); ++l)
            for (std::size_t c = 0; c < 4; ++c) occluded(0, l, c) = 0;
        const auto bins = promoter_ixg(occluded);
        for (std::size_t j = 0; j < 3; ++j) got.push_back(m(i, j)), expected.push_back(bins[j] - base[j]);
    }
    const auto c = testing::compare(std::span<const double>(got), std::span<const double>(expected), {1e-10, 1e-13},
                                    "cross_effects vs occlude-and-differentiate");
    INFO(c.message());
    CHECK(c.ok);
    CHECK(std::any_of(got.begin(), got.end(), [](double v) { return std::abs(v) > 1e-6; }));
}

TEST_CASE("row_dependence: 0 for column stripes, 1 when only the rows' pattern varies") {
    const std::vector<double> stripes{1, 5, 2, 1, 5, 2, 1, 5, 2};
    CHECK(row_dependence(stripes, 3, 3) == Approx(0).margin(1e-15));
    const std::vector<double> diagonal{1, 0, 0, 1};
    CHECK(row_dependence(diagonal, 2, 2) == Approx(1));
    const std::vector<double> mixed{1, 0, 0, 0};
    CHECK(row_dependence(mixed, 2, 2) > 0.3);
    CHECK(row_dependence(mixed, 2, 2) < 0.7);
    CHECK_THROWS_AS(row_dependence(mixed, 3, 2), shape_error);
}
