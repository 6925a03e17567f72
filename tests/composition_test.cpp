// Composition: seq and twin bookkeeping, the network's arenas, parameter names and initialisers.
#include <catch2/catch.hpp>

#include <cmath>
#include <set>

#include "helix/helix.hpp"
#include "helix/testing/compare.hpp"

using namespace helix;

namespace {
using mlp = seq<dense<8>, relu, dense<3>>;
using trunk = seq<conv1d<6, 5, bias::on>, relu, max_pool1d<3, 3, padding::same>>;

template <class S>
tensor<float, S> random_input(std::size_t batch, std::uint64_t seed) {
    tensor<float, S> t(batch);
    counter_rng r(seed);
    for (std::size_t i = 0; i < t.size(); ++i) t[i] = float(r.next_normal());
    return t;
}
}  // namespace

TEST_CASE("seq computes its sizes at compile time") {
    using b = seq<conv1d<6, 5, bias::on>, relu, max_pool1d<3, 3, padding::same>, flatten, dense<2>>::bind<shape<20, 4>>;
    static_assert(std::is_same_v<b::output, shape<2>>);
    static_assert(std::is_same_v<b::child<2>::output, shape<6, 6>>);  // 16 -> ceil(16 / 3) = 6
    static_assert(b::param_size == (5 * 4 * 6 + 6) + (36 * 2 + 2));
    // cache: intermediates <16,6> <16,6> <6,6> <36>, the pool's argmax <6,6>, two gradient buffers of 96
    static_assert(b::cache_size == (96 + 96 + 36 + 36) + 36 + 2 * 96);
}

TEST_CASE("network: parameter names follow the layer path and tile the arena") {
    network<shape<20, 4>, seq<trunk, flatten, dense<2>>> net;
    const auto& info = net.parameter_info();
    std::vector<std::string> names;
    for (const auto& p : info) names.push_back(p.name);
    CHECK(names == std::vector<std::string>{"0.0.weight", "0.0.bias", "2.weight", "2.bias"});
    CHECK(info[0].dims == std::vector<std::size_t>{5, 4, 6});
    CHECK(info[2].dims == std::vector<std::size_t>{36, 2});
    std::size_t next = 0;
    for (const auto& p : info) {
        CHECK(p.offset == next);
        next += p.size;
    }
    CHECK(next == net.parameters().size());
}

TEST_CASE("network forward equals calling the layers one by one") {
    network<shape<6>, mlp> net;
    net.init(3);
    auto x = random_input<shape<6>>(5, 1);
    cpu_context ctx(2);
    const auto out = net.forward(ctx, x.view());

    const float* p = net.parameters().data();
    tensor<float, shape<8>> h(5), a(5);
    tensor<float, shape<3>> y(5);
    dense<8>::bind<shape<6>>{}.forward<float>(ctx, p, x.view(), h.view(), nullptr);
    relu::bind<shape<8>>{}.forward<float>(ctx, nullptr, h.view(), a.view(), nullptr);
    dense<3>::bind<shape<8>>{}.forward<float>(ctx, p + 56, a.view(), y.view(), nullptr);
    const auto c = testing::compare(out.data(), y.data(), y.size(), {1e-6, 1e-6}, "network vs layers");
    INFO(c.message());
    CHECK(c.ok);
}

TEST_CASE("backward adds into the gradients; zero_grad clears them") {
    network<shape<6>, mlp> net;
    net.init(3);
    auto x = random_input<shape<6>>(4, 2);
    cpu_context ctx(1);
    net.forward(ctx, x.view());
    auto g = net.output_gradient();
    for (std::size_t i = 0; i < g.size(); ++i) g[i] = 0.1f * float(i);
    net.zero_grad();
    net.backward(ctx, x.view());
    const std::vector<float> once(net.gradients().begin(), net.gradients().end());
    net.backward(ctx, x.view());
    for (std::size_t i = 0; i < once.size(); ++i) REQUIRE(net.gradients()[i] == Approx(2 * once[i]));
    CHECK(std::any_of(once.begin(), once.end(), [](float v) { return v != 0.0f; }));
    net.zero_grad();
    for (float v : net.gradients()) REQUIRE(v == 0.0f);

    tensor<float, shape<6>> wrong_batch(3);
    CHECK_THROWS_AS(net.backward(ctx, wrong_batch.view()), shape_error);
}

TEST_CASE("twin shares one parameter set: its gradient is the sum of both applications") {
    using pair_in = pair_of<shape<20, 4>, shape<14, 4>>;
    network<pair_in, twin<trunk>> tw;
    network<shape<20, 4>, trunk> a;
    network<shape<14, 4>, trunk> b;
    static_assert(decltype(tw)::param_size == decltype(a)::param_size);
    tw.init(5);
    std::copy(tw.parameters().begin(), tw.parameters().end(), a.parameters().begin());
    std::copy(tw.parameters().begin(), tw.parameters().end(), b.parameters().begin());
    auto xa = random_input<shape<20, 4>>(3, 1);
    auto xb = random_input<shape<14, 4>>(3, 2);
    cpu_context ctx(2);

    const auto out = tw.forward(ctx, make_pair_view(xa.cview(), xb.cview()));
    const auto oa = a.forward(ctx, xa.view());
    const auto ob = b.forward(ctx, xb.view());
    CHECK(testing::compare(out.first.data(), oa.data(), oa.size(), {0, 0}).ok);
    CHECK(testing::compare(out.second.data(), ob.data(), ob.size(), {0, 0}).ok);

    auto fill = [](auto v, float s) {
        for (std::size_t i = 0; i < v.size(); ++i) v[i] = s * float(i % 7) - 1.0f;
    };
    fill(tw.output_gradient().first, 0.5f);
    fill(tw.output_gradient().second, 0.25f);
    fill(a.output_gradient(), 0.5f);
    fill(b.output_gradient(), 0.25f);
    tw.zero_grad();
    a.zero_grad();
    b.zero_grad();
    tw.backward(ctx, make_pair_view(xa.cview(), xb.cview()));
    a.backward(ctx, xa.view());
    b.backward(ctx, xb.view());
    std::vector<float> sum(a.gradients().size());
    for (std::size_t i = 0; i < sum.size(); ++i) sum[i] = a.gradients()[i] + b.gradients()[i];
    const auto c = testing::compare(tw.gradients().data(), sum.data(), sum.size(), {1e-5, 1e-6}, "twin gradient");
    INFO(c.message());
    CHECK(c.ok);
}

TEST_CASE("the workspace grows with the batch and is reused when it shrinks") {
    network<shape<20, 4>, seq<trunk, flatten, dense<1>>> net;
    cpu_context ctx(1);
    auto big = random_input<shape<20, 4>>(8, 1);
    auto small = random_input<shape<20, 4>>(2, 1);
    net.forward(ctx, big.view());
    const auto size = net.workspace_size();
    CHECK(size == 8 * decltype(net)::workspace_per_sample);
    net.forward(ctx, small.view());
    CHECK(net.workspace_size() == size);
    CHECK(net.batch() == 2);
}

TEST_CASE("initialisers are deterministic per seed and follow their distributions") {
    network<shape<100>, seq<dense<100>, dense<50>>> a, b, c;
    a.init(1);
    b.init(1);
    c.init(2);
    CHECK(std::equal(a.parameters().begin(), a.parameters().end(), b.parameters().begin()));
    CHECK_FALSE(std::equal(a.parameters().begin(), a.parameters().end(), c.parameters().begin()));
    const auto& w0 = a.parameter_info()[0];
    const double limit = std::sqrt(6.0 / 200.0);
    double sum_sq = 0;
    for (std::size_t i = 0; i < w0.size; ++i) {
        const float v = a.parameters()[w0.offset + i];
        REQUIRE(std::abs(v) <= limit);
        sum_sq += v * v;
    }
    CHECK(sum_sq / double(w0.size) == Approx(limit * limit / 3).epsilon(0.05));  // variance of U(-a, a)
    for (std::size_t i = 0; i < 100; ++i) REQUIRE(a.parameters()[a.parameter_info()[1].offset + i] == 0.0f);

    a.init(9, init::truncated_normal{0.1, 0.1});
    double s2 = 0;
    for (std::size_t i = 0; i < w0.size; ++i) {
        const float v = a.parameters()[w0.offset + i];
        REQUIRE(std::abs(v) <= 0.2f + 1e-6f);
        s2 += v * v;
    }
    // A normal truncated at 2 sd keeps 77.4 % of its variance.
    CHECK(std::sqrt(s2 / double(w0.size)) == Approx(0.1 * std::sqrt(0.774)).epsilon(0.03));
    CHECK(a.parameters()[a.parameter_info()[1].offset] == 0.1f);
}

TEST_CASE("run-time settings travel from the spec value to the bound layer") {
    auto net = make_network<shape<10>>(seq{dense<10>{}, dropout{0.3f}, dense<1>{}});
    CHECK(net.model().get<1>().rate == 0.3f);
}

TEST_CASE("named layers give their parameters readable names") {
    auto net = make_network<shape<20, 4>>(
        seq{with_name<"trunk">(seq{conv1d<6, 5>{}, relu{}}), flatten{}, with_name<"head">(dense<1>{})});
    std::vector<std::string> names;
    for (const auto& p : net.parameter_info()) names.push_back(p.name);
    CHECK(names == std::vector<std::string>{"trunk.0.weight", "head.weight", "head.bias"});
    static_assert(std::is_same_v<decltype(net)::output, shape<1>>);
}

TEST_CASE("training is deterministic: same seed and thread count, same bits") {
    auto run = [] {
        auto net = make_network<shape<20, 4>>(
            seq{conv1d<6, 5, bias::on>{}, relu{}, max_pool1d<4, 4, padding::same>{}, flatten{}, dropout{0.3f}, dense<1>{}});
        net.init(11);
        auto x = random_input<shape<20, 4>>(16, 3);
        tensor<float, shape<1>> y(16);
        for (std::size_t i = 0; i < 16; ++i) y[i] = float(i % 2);
        cpu_context ctx(2, 5);
        ctx.training = true;
        adam<float> opt;
        for (int step = 0; step < 5; ++step) {
            net.zero_grad();
            const auto out = net.forward(ctx, x.view());
            bce_with_logits(out, y.cview(), out.gradient);
            net.backward(ctx, x.view());
            opt.step(net);
        }
        return std::vector<float>(net.parameters().begin(), net.parameters().end());
    };
    const auto a = run(), b = run();
    CHECK(a == b);
}
