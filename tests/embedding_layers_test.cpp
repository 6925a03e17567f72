// The embedding family: kmer_tokens, embedding, sinusoidal_positions, learned_positions. Finite-difference gradient
// checks in double (ids are indices: embedding and kmer_tokens are checked with respect to their parameters, and
// their zero input gradient directly), plain reference loops against the layers in float, and behaviour: NaN rows
// for invalid ids, ids of N and of rows that are not one-hot, initialisation, determinism, a composite that trains.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "helix/core/rng.hpp"
#include "helix/layers/dense.hpp"
#include "helix/layers/embedding/embedding.hpp"
#include "helix/layers/embedding/kmer_tokens.hpp"
#include "helix/layers/embedding/positions.hpp"
#include "helix/layers/flatten.hpp"
#include "helix/loss/mse.hpp"
#include "helix/nn/network.hpp"
#include "helix/nn/seq.hpp"
#include "helix/optim/sgd.hpp"
#include "helix/testing/gradient_check.hpp"

using namespace helix;

namespace {

// One-hot rows, one in `n_every` an N (all zero).
void fill_dna(std::vector<double>& x, counter_rng& rng, std::uint64_t n_every = 7) {
    std::fill(x.begin(), x.end(), 0.0);
    for (std::size_t r = 0; r < x.size() / 4; ++r) {
        const std::uint64_t pick = rng.next_below(4 * n_every);
        if (pick < 4 * (n_every - 1)) x[r * 4 + pick % 4] = 1.0;
    }
}

template <class Bound>
void check_full(const char* name, testing::gradient_check_options opt = {}) {
    const auto report = testing::check_gradients(Bound{}, opt);
    INFO(name << " on " << Bound::input::str() << "\n" << report.message());
    CHECK(report.ok());
    CHECK(report.input.count > 0);
    if constexpr (Bound::param_size > 0) CHECK(report.params.count > 0);
}

// Layers whose input is ids or one-hot DNA: the output is piecewise constant in the input, so finite differences
// with respect to it are meaningless (a perturbed id is not an id); the parameters are checked, and the input
// gradient must be exactly zero.
template <class Bound>
void check_params_only(const char* name, testing::gradient_check_options opt) {
    const auto report = testing::check_gradients(Bound{}, opt);
    INFO(name << " on " << Bound::input::str() << "\n" << report.params.message());
    CHECK(report.params.ok);
    CHECK(report.params.count > 0);

    using In = typename Bound::input;
    using Out = typename Bound::output;
    const std::size_t batch = 2;
    counter_rng rng(3);
    std::vector<double> x(batch * In::size), p(Bound::param_size), out(batch * Out::size), g(out.size()),
        dx(x.size(), 7.0), dp(p.size(), 0.0), cache(std::max<std::size_t>(1, batch * Bound::cache_size));
    opt.fill_input(x, rng);
    for (auto& v : p) v = rng.next_normal();
    for (auto& v : g) v = rng.next_normal();
    cpu_context ctx(1);
    const Bound layer{};
    layer.template forward<double>(ctx, p.data(), view_at<In, const double>(x.data(), batch),
                                   view_at<Out, double>(out.data(), batch), cache.data());
    layer.template backward<double>(ctx, p.data(), dp.data(), view_at<In, const double>(x.data(), batch),
                                    view_at<Out, const double>(out.data(), batch),
                                    view_at<Out, const double>(g.data(), batch), view_at<In, double>(dx.data(), batch),
                                    cache.data());
    CHECK(std::all_of(dx.begin(), dx.end(), [](double v) { return v == 0.0; }));
}

testing::gradient_check_options ids_below(std::uint64_t vocab) {
    testing::gradient_check_options o;
    o.fill_input = [vocab](std::vector<double>& x, counter_rng& rng) {
        for (auto& v : x) v = double(rng.next_below(vocab));
        x[0] = x[1] = x.back();  // repeated ids
    };
    return o;
}

// Plain loops: what the layers compute, written out.
template <class T>
std::vector<T> reference_kmer_ids(const std::vector<T>& x, std::size_t batch, std::size_t length, std::size_t k) {
    const std::size_t positions = length - k + 1, invalid = std::size_t{1} << (2 * k);
    std::vector<T> ids;
    for (std::size_t b = 0; b < batch; ++b)
        for (std::size_t p = 0; p < positions; ++p) {
            std::size_t id = 0;
            bool ok = true;
            for (std::size_t j = 0; j < k; ++j) {
                const T* row = &x[(b * length + p + j) * 4];
                int base = -1, ones = 0, zeros = 0;
                for (int c = 0; c < 4; ++c) {
                    if (row[c] == T(1)) ++ones, base = c;
                    if (row[c] == T(0)) ++zeros;
                }
                if (ones != 1 || zeros != 3) ok = false;
                else id = 4 * id + std::size_t(base);
            }
            ids.push_back(T(ok ? id : invalid));
        }
    return ids;
}

}  // namespace

TEST_CASE("embedding gradients (weight; input gradient zero)") {
    check_params_only<embedding<7, 3>::bind<shape<5>>>("embedding on <5>", ids_below(7));
    check_params_only<embedding<7, 3>::bind<shape<5, 1>>>("embedding on <5, 1>", ids_below(7));
    check_params_only<embedding<2, 4>::bind<shape<9>>>("embedding, two tokens", ids_below(2));
}

TEST_CASE("position encodings' gradients") {
    check_full<sinusoidal_positions::bind<shape<6, 4>>>("sinusoidal_positions");
    check_full<sinusoidal_positions::bind<shape<5, 3>>>("sinusoidal_positions, odd width");
    check_full<learned_positions::bind<shape<6, 4>>>("learned_positions");
    check_full<learned_positions::bind<shape<1, 7>>>("learned_positions, one position");
    check_full<seq<learned_positions, sinusoidal_positions, dense<2>>::bind<shape<4, 3>>>(
        "learned + sinusoidal + dense");
}

TEST_CASE("kmer_tokens: the input gradient is zero, overwriting din") {
    testing::gradient_check_options o;
    o.fill_input = [](std::vector<double>& x, counter_rng& rng) { fill_dna(x, rng); };
    // No parameters: check_params_only's parameter report is trivially true; the din check is the point.
    check_params_only<seq<kmer_tokens<3>, embedding<65, 2>>::bind<shape<9, 4>>>("kmer_tokens -> embedding", o);
    const kmer_tokens<2>::bind<shape<6, 4>> layer;
    std::vector<double> x(6 * 4, 0.0), out(5), g(5, 1.0), dx(x.size(), 3.0);
    cpu_context ctx(1);
    layer.forward<double>(ctx, nullptr, view_at<shape<6, 4>, const double>(x.data(), 1),
                          view_at<shape<5>, double>(out.data(), 1), nullptr);
    layer.backward<double>(ctx, nullptr, nullptr, view_at<shape<6, 4>, const double>(x.data(), 1),
                           view_at<shape<5>, const double>(out.data(), 1), view_at<shape<5>, const double>(g.data(), 1),
                           view_at<shape<6, 4>, double>(dx.data(), 1), nullptr);
    CHECK(std::all_of(dx.begin(), dx.end(), [](double v) { return v == 0.0; }));
    CHECK(std::all_of(out.begin(), out.end(), [](double v) { return v == 16.0; }));  // all N: 4^2
}

TEST_CASE("composite gradients: kmer_tokens<3> -> embedding<65, 8> -> sinusoidal_positions -> flatten -> dense") {
    testing::gradient_check_options o;
    o.training = true;
    o.batch = 3;
    o.fill_input = [](std::vector<double>& x, counter_rng& rng) { fill_dna(x, rng, 6); };
    using sinusoidal_net = seq<kmer_tokens<3>, embedding<65, 8>, sinusoidal_positions, flatten, dense<1>>;
    check_params_only<sinusoidal_net::bind<shape<12, 4>>>("kmer -> embedding -> sinusoidal -> flatten -> dense", o);
    check_params_only<seq<kmer_tokens<2>, embedding<17, 4>, learned_positions, flatten, dense<2>>::bind<shape<8, 4>>>(
        "kmer -> embedding -> learned positions -> flatten -> dense", o);
}

TEST_CASE("composite training: kmer_tokens -> embedding -> sinusoidal_positions -> dense fits 16 windows (SGD)") {
    using model = seq<kmer_tokens<3>, embedding<65, 8>, sinusoidal_positions, flatten, dense<1>>;
    network<shape<20, 4>, model, float> net;
    net.init(5);
    constexpr std::size_t batch = 16;
    tensor<float, shape<20, 4>> x(batch);
    tensor<float, shape<1>> y(batch);
    counter_rng rng(8);
    std::vector<double> xd(x.size());
    fill_dna(xd, rng, 10);
    std::copy(xd.begin(), xd.end(), x.data());
    for (std::size_t b = 0; b < batch; ++b) y.data()[b] = float(rng.next_normal());
    cpu_context ctx(2);
    sgd<float> opt(0.003f);
    float first = 0, last = 0;
    for (int step = 0; step < 300; ++step) {
        const auto out = net.forward(ctx, x.cview());
        const float loss = mse(tensor_view<const float, shape<1>>(out), y.cview(), out.gradient);
        if (step == 0) first = loss;
        last = loss;
        net.zero_grad();
        net.backward(ctx, x.cview());
        opt.step(net);
    }
    INFO("loss " << first << " -> " << last);
    CHECK(std::isfinite(last));
    CHECK(last < 0.05f * first);
}

TEST_CASE("embedding in float: forward and both gradient schemes against plain loops, the same bits") {
    constexpr std::size_t vocab = 4097, dim = 16, length = 150, batch = 5;
    using layer_t = embedding<vocab, dim>::bind<shape<length>>;
    counter_rng rng(21);
    std::vector<float> w(vocab * dim), ids(batch * length), g(batch * length * dim);
    for (auto& v : w) v = float(rng.next_normal());
    for (auto& v : ids) v = float(rng.next_below(40));  // a small range: many repeats
    ids[3] = float(vocab - 1);
    for (auto& v : g) v = float(rng.next_normal());

    std::vector<float> out(g.size()), ref_out(g.size());
    std::vector<float> grads(w.size(), 0.5f), ref_grads(w.size(), 0.5f), row_grads(w.size(), 0.5f);
    for (std::size_t r = 0; r < batch * length; ++r)
        for (std::size_t d = 0; d < dim; ++d) {
            const auto id = std::size_t(ids[r]);
            ref_out[r * dim + d] = w[id * dim + d];
            ref_grads[id * dim + d] += g[r * dim + d];  // positions in order, as both schemes add
        }
    cpu_context ctx(4);
    const layer_t layer;
    std::vector<float> din(ids.size(), 9.0f);
    layer.forward<float>(ctx, w.data(), view_at<shape<length>, const float>(ids.data(), batch),
                         view_at<shape<length, dim>, float>(out.data(), batch), nullptr);
    layer.backward<float>(ctx, w.data(), grads.data(), view_at<shape<length>, const float>(ids.data(), batch),
                          view_at<shape<length, dim>, const float>(out.data(), batch),
                          view_at<shape<length, dim>, const float>(g.data(), batch),
                          view_at<shape<length>, float>(din.data(), batch), nullptr);
    // The other devices' scheme (one index per weight row), run on the host.
    ops<cpu>::for_each(ctx, vocab, kernels::embedding_grad_by_row<float>{ids.data(), g.data(), row_grads.data(),
                                                                         batch * length, vocab, dim});
    CHECK(std::memcmp(out.data(), ref_out.data(), out.size() * sizeof(float)) == 0);
    CHECK(std::memcmp(grads.data(), ref_grads.data(), grads.size() * sizeof(float)) == 0);
    CHECK(std::memcmp(row_grads.data(), ref_grads.data(), grads.size() * sizeof(float)) == 0);
    CHECK(std::all_of(din.begin(), din.end(), [](float v) { return v == 0.0f; }));
    // Rows no id used keep their gradient (0.5 + nothing).
    CHECK(std::all_of(grads.begin() + 40 * dim, grads.begin() + (vocab - 1) * dim, [](float v) { return v == 0.5f; }));
}

TEST_CASE("embedding: an invalid id gives a NaN row and no gradient, never another row") {
    using layer_t = embedding<4, 2>::bind<shape<8>>;
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    std::vector<float> ids = {0, -1, 4, 2.5f, nan, inf, 3, -0.0f};
    const bool valid[] = {true, false, false, false, false, false, true, true};
    std::vector<float> w = {1, 2, 3, 4, 5, 6, 7, 8}, out(16), g(16, 1.0f), grads(8, 0.0f), din(8, 5.0f);
    cpu_context ctx(1);
    const layer_t layer;
    layer.forward<float>(ctx, w.data(), view_at<shape<8>, const float>(ids.data(), 1),
                         view_at<shape<8, 2>, float>(out.data(), 1), nullptr);
    for (std::size_t r = 0; r < 8; ++r) {
        INFO("id " << ids[r]);
        if (valid[r]) {
            const auto id = std::size_t(ids[r]);
            CHECK(out[2 * r] == w[2 * id]);
            CHECK(out[2 * r + 1] == w[2 * id + 1]);
        } else {
            CHECK(std::isnan(out[2 * r]));
            CHECK(std::isnan(out[2 * r + 1]));
        }
    }
    layer.backward<float>(ctx, w.data(), grads.data(), view_at<shape<8>, const float>(ids.data(), 1),
                          view_at<shape<8, 2>, const float>(out.data(), 1),
                          view_at<shape<8, 2>, const float>(g.data(), 1), view_at<shape<8>, float>(din.data(), 1),
                          nullptr);
    // Rows 0 (ids 0 and -0.0) and 3 got gradients; rows 1 and 2 none, whatever the invalid ids were.
    CHECK(grads == std::vector<float>{2, 2, 0, 0, 0, 0, 1, 1});
    std::size_t id = 0;
    CHECK(kernels::token_id(16777216.0f, 16777217, id));  // kmer_tokens<12>'s N id, exact in float
    CHECK(id == 16777216);
    CHECK(!kernels::token_id(16777217.0, 16777217, id));
}

TEST_CASE("kmer_tokens: ids in the product order, N and rows that are not one-hot give 4^K") {
    STATIC_REQUIRE(kmer_tokens<6>::vocabulary == 4097);
    STATIC_REQUIRE(kmer_tokens<1>::vocabulary == 5);
    STATIC_REQUIRE(kmer_tokens<12>::bind<shape<12, 4>>::vocabulary == 16777217);
    STATIC_REQUIRE(std::is_same_v<kmer_tokens<3>::bind<shape<10, 4>>::output, shape<8>>);
    // A C G T N A C: rows 0..6
    auto one_hot = [](const std::string& s) {
        std::vector<float> x(s.size() * 4, 0.0f);
        for (std::size_t i = 0; i < s.size(); ++i) {
            const auto c = std::string("ACGT").find(s[i]);
            if (c != std::string::npos) x[i * 4 + c] = 1.0f;
        }
        return x;
    };
    cpu_context ctx(2);
    {
        const auto x = one_hot("ACGTNAC");
        std::vector<float> out(6);
        kmer_tokens<2>::bind<shape<7, 4>>{}.forward<float>(ctx, nullptr, view_at<shape<7, 4>, const float>(x.data(), 1),
                                                          view_at<shape<6>, float>(out.data(), 1), nullptr);
        // AC = 0*4+1, CG = 1*4+2, GT = 2*4+3, TN, NA -> 16, AC = 1
        CHECK(out == std::vector<float>{1, 6, 11, 16, 16, 1});
    }
    {
        auto x = one_hot("TTTTTTTTTTTTGATTACA");
        std::vector<float> out(8);
        kmer_tokens<12>::bind<shape<19, 4>>{}.forward<float>(
            ctx, nullptr, view_at<shape<19, 4>, const float>(x.data(), 1), view_at<shape<8>, float>(out.data(), 1),
            nullptr);
        CHECK(out[0] == 16777215.0f);  // TTTTTTTTTTTT = 4^12 - 1, exact in float
        x[4 * 4 + 3] = 0.5f;            // row 4 no longer one-hot: k-mers 0..4 are invalid
        kmer_tokens<12>::bind<shape<19, 4>>{}.forward<float>(
            ctx, nullptr, view_at<shape<19, 4>, const float>(x.data(), 1), view_at<shape<8>, float>(out.data(), 1),
            nullptr);
        for (int p = 0; p < 5; ++p) CHECK(out[p] == 16777216.0f);
        CHECK(out[5] != 16777216.0f);
    }
    {
        // Rows that are not one-hot: two ones, a 2, a -1 with a 1, a NaN, a 1 beside a 0.5.
        const float nan = std::numeric_limits<float>::quiet_NaN();
        std::vector<float> x = {1, 0, 1, 0, 0, 2, 0, 0, 1, -1, 0, 0, 0, 0, nan, 0, 0, 0.5f, 1, 0, 0, 0, 0, 1};
        std::vector<float> out(6);
        kmer_tokens<1>::bind<shape<6, 4>>{}.forward<float>(ctx, nullptr, view_at<shape<6, 4>, const float>(x.data(), 1),
                                                          view_at<shape<6>, float>(out.data(), 1), nullptr);
        CHECK(out == std::vector<float>{4, 4, 4, 4, 4, 3});
    }
    {
        // Against the plain loop at EPIVAN's K on a long window with N's.
        constexpr std::size_t length = 400, batch = 3;
        counter_rng rng(4);
        std::vector<double> xd(batch * length * 4);
        fill_dna(xd, rng, 40);
        const std::vector<float> x(xd.begin(), xd.end());
        std::vector<float> out(batch * (length - 5));
        kmer_tokens<6>::bind<shape<length, 4>>{}.forward<float>(
            ctx, nullptr, view_at<shape<length, 4>, const float>(x.data(), batch),
            view_at<shape<length - 5>, float>(out.data(), batch), nullptr);
        CHECK(out == reference_kmer_ids(x, batch, length, 6));
        CHECK(std::count(out.begin(), out.end(), 4096.0f) > 0);
        CHECK(std::count(out.begin(), out.end(), 4096.0f) < std::ptrdiff_t(out.size()));
    }
}

TEST_CASE("embedding and learned_positions start at N(0, 1) whatever the initialiser; sinusoid at position 0") {
    network<shape<205, 4>, seq<kmer_tokens<6>, embedding<4097, 8>, learned_positions>, float> net;
    net.init(11);  // glorot_uniform by default: it would give |w| <= sqrt(6 / 4105) ~ 0.04
    REQUIRE(net.parameter_info().size() == 2);
    for (const auto& p : net.parameter_info()) {
        double sum = 0, sq = 0;
        const auto v = net.parameters().subspan(p.offset, p.size);
        for (float x : v) sum += x, sq += double(x) * x;
        const double mean = sum / double(v.size()), sd = std::sqrt(sq / double(v.size()) - mean * mean);
        INFO(p.name << ": mean " << mean << ", sd " << sd);
        CHECK(std::abs(mean) < 0.1);  // 1600 values at least: 4 standard errors
        CHECK(std::abs(sd - 1.0) < 0.08);
    }
    CHECK(net.parameter_info()[0].name == "1.weight");
    CHECK(net.parameter_info()[0].dims == std::vector<std::size_t>{4097, 8});
    CHECK(net.parameter_info()[1].dims == std::vector<std::size_t>{200, 8});

    // pe[0] = (0, 1, 0, 1, ...); pe[pos, 0] = sin(pos), pe[pos, 1] = cos(pos).
    std::vector<float> x(3 * 4, 0.0f), out(x.size());
    cpu_context ctx(1);
    sinusoidal_positions::bind<shape<3, 4>>{}.forward<float>(
        ctx, nullptr, view_at<shape<3, 4>, const float>(x.data(), 1), view_at<shape<3, 4>, float>(out.data(), 1),
        nullptr);
    CHECK(out[0] == 0.0f);
    CHECK(out[1] == 1.0f);
    CHECK(out[8] == Approx(std::sin(2.0)).epsilon(1e-6));
    CHECK(out[9] == Approx(std::cos(2.0)).epsilon(1e-6));
    CHECK(out[10] == Approx(std::sin(2.0 / 100.0)).epsilon(1e-6));  // 10000^(2/4) = 100
}

TEST_CASE("embedding backward is deterministic across thread counts and adds into the gradients") {
    using layer_t = embedding<33, 5>::bind<shape<64>>;
    counter_rng rng(2);
    std::vector<double> w(33 * 5), ids(6 * 64), g(6 * 64 * 5), out(g.size());
    for (auto& v : w) v = rng.next_normal();
    for (auto& v : ids) v = double(rng.next_below(33));
    for (auto& v : g) v = rng.next_normal();
    auto grads_with = [&](int threads, int times) {
        std::vector<double> grads(w.size(), 0.0);
        cpu_context ctx(threads);
        const layer_t layer;
        for (int t = 0; t < times; ++t) {
            layer.forward<double>(ctx, w.data(), view_at<shape<64>, const double>(ids.data(), 6),
                                  view_at<shape<64, 5>, double>(out.data(), 6), nullptr);
            layer.backward<double>(ctx, w.data(), grads.data(), view_at<shape<64>, const double>(ids.data(), 6),
                                   view_at<shape<64, 5>, const double>(out.data(), 6),
                                   view_at<shape<64, 5>, const double>(g.data(), 6), view_at<shape<64>, double>({}, 6),
                                   nullptr);
        }
        return grads;
    };
    const auto one = grads_with(1, 1), four = grads_with(4, 1), twice = grads_with(3, 2);
    CHECK(std::memcmp(one.data(), four.data(), one.size() * sizeof(double)) == 0);
    for (std::size_t i = 0; i < one.size(); ++i) CHECK(twice[i] == Approx(2 * one[i]).margin(1e-12));
}
