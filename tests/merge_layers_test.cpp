// The merge family: identity, residual, concat, add / subtract / multiply / abs_difference, dot, first_half /
// second_half, concat_of, reverse. Finite-difference gradient checks in double (input and parameters), exact
// forward values against plain loops in float (on two threads, the parallel path), parameter names, the gradient
// at abs_difference's kink, and the inspection interface (children, child_name, child_ref) of the composites.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "helix/core/rng.hpp"
#include "helix/layers/activations.hpp"
#include "helix/layers/dense.hpp"
#include "helix/layers/identity.hpp"
#include "helix/layers/merge/concat.hpp"
#include "helix/layers/merge/dot.hpp"
#include "helix/layers/merge/pairwise.hpp"
#include "helix/layers/merge/select.hpp"
#include "helix/layers/conv1d.hpp"
#include "helix/layers/pad.hpp"
#include "helix/layers/reverse.hpp"
#include "helix/nn/concat_of.hpp"
#include "helix/nn/inspect.hpp"
#include "helix/nn/named.hpp"
#include "helix/nn/network.hpp"
#include "helix/nn/residual.hpp"
#include "helix/nn/seq.hpp"
#include "helix/nn/twin.hpp"
#include "helix/testing/gradient_check.hpp"

using namespace helix;

namespace {
template <class Spec, io_type In>
void check(const char* name, const Spec& spec = Spec{}, testing::gradient_check_options opt = {}) {
    const typename Spec::template bind<In> layer(spec);
    const auto report = testing::check_gradients(layer, opt);
    INFO(name << " on " << In::str() << "\n" << report.message());
    CHECK(report.ok());
    CHECK(report.input.count > 0);
    if constexpr (Spec::template bind<In>::param_size > 0) CHECK(report.params.count > 0);
}

template <class Bound>
std::vector<std::string> names(const Bound& b) {
    param_list pl;
    b.describe(pl);
    std::vector<std::string> n;
    for (const auto& p : pl.items()) n.push_back(p.name);
    return n;
}

// Random values in [-1, 1) for a test input.
std::vector<float> random_values(std::size_t n, std::uint64_t seed) {
    counter_rng rng(seed, 3);
    std::vector<float> v(n);
    for (auto& x : v) x = float(2 * rng.next_uniform() - 1);
    return v;
}

// One forward of a parameterless bound layer on `x` (batch-major, a pair's halves one after the other).
template <class Bound>
std::vector<float> run(const Bound& layer, const std::vector<float>& x, std::size_t batch, int threads = 2) {
    using In = typename Bound::input;
    using Out = typename Bound::output;
    cpu_context ctx(threads);
    std::vector<float> out(batch * io_size<Out>), cache(std::max<std::size_t>(1, batch * Bound::cache_size));
    layer.template forward<float>(ctx, nullptr, view_at<In, const float>(x.data(), batch),
                                  view_at<Out, float>(out.data(), batch), cache.data());
    return out;
}
}  // namespace

TEST_CASE("pad: zero rows around the input, gradients, and 'same' convolutions keep the length") {
    check<pad<2, 1>, shape<4, 3>>("pad<2, 1>");
    check<pad<0, 3>, shape<5>>("pad of a vector, after only");
    check<seq<same_padding<5>, conv1d<3, 5, bias::on>>, shape<6, 2>>("same_padding<5> then conv1d");
    check<seq<same_padding<4>, conv1d<3, 4>>, shape<7, 2>>("same_padding<4> (even width) then conv1d");
    STATIC_REQUIRE(std::is_same_v<pad<2, 1>::bind<shape<4, 3>>::output, shape<7, 3>>);
    STATIC_REQUIRE(std::is_same_v<seq<same_padding<40>, conv1d<8, 40>>::bind<shape<100, 4>>::output, shape<100, 8>>);
    STATIC_REQUIRE(std::is_same_v<same_padding<40>, pad<19, 20>>);  // Keras / PyTorch: (W - 1) / 2 before

    // The values: the input's rows in place, zeros around; backward keeps the input rows' gradient.
    const pad<2, 1>::bind<shape<3, 2>> layer;
    std::vector<float> x{1, 2, 3, 4, 5, 6}, y(12, -1.0f), dy(12), dx(6, -1.0f);
    for (std::size_t i = 0; i < dy.size(); ++i) dy[i] = float(i);
    cpu_context ctx(1);
    layer.forward<float>(ctx, nullptr, view_at<shape<3, 2>, const float>(x.data(), 1),
                         view_at<shape<6, 2>, float>(y.data(), 1), nullptr);
    CHECK(y == std::vector<float>{0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 0, 0});
    layer.backward<float>(ctx, nullptr, nullptr, view_at<shape<3, 2>, const float>(x.data(), 1),
                          view_at<shape<6, 2>, const float>(y.data(), 1), view_at<shape<6, 2>, const float>(dy.data(), 1),
                          view_at<shape<3, 2>, float>(dx.data(), 1), nullptr);
    CHECK(dx == std::vector<float>{4, 5, 6, 7, 8, 9});
}

TEST_CASE("merge: gradients of the leaf layers") {
    check<identity, shape<3, 4>>("identity");
    check<identity, pair_of<shape<3, 2>, shape<5>>>("identity of a pair");
    check<concat<axis::length>, pair_of<shape<3, 4>, shape<5, 4>>>("concat along the length");
    check<concat<axis::channels>, pair_of<shape<3, 2>, shape<3, 5>>>("concat along the channels");
    check<concat<axis::channels>, pair_of<shape<4>, shape<3>>>("concat of two vectors (channels)");
    check<concat<axis::length>, pair_of<shape<4>, shape<3>>>("concat of two vectors (length)");
    check<add, pair_of<shape<3, 4>, shape<3, 4>>>("add");
    check<subtract, pair_of<shape<3, 4>, shape<3, 4>>>("subtract");
    check<multiply, pair_of<shape<7>, shape<7>>>("multiply");
    check<abs_difference, pair_of<shape<3, 4>, shape<3, 4>>>("abs_difference (no ties in random inputs)");
    check<dot, pair_of<shape<6>, shape<6>>>("dot of vectors");
    check<dot, pair_of<shape<4, 3>, shape<4, 3>>>("dot per position");
    check<first_half, pair_of<shape<3, 2>, shape<5>>>("first_half");
    check<second_half, pair_of<shape<3, 2>, shape<5>>>("second_half");
    check<reverse, shape<5, 3>>("reverse <L, C>");
    check<reverse, shape<6>>("reverse a vector");
}

TEST_CASE("merge: gradients of residual and concat_of, alone and inside a seq") {
    check<residual<dense<4>>, shape<4>>("residual over dense");
    check<residual<dense<3>>, shape<5, 3>>("residual over dense per position");
    check<residual<seq<dense<6>, helix::tanh, dense<4>>>, shape<4>>("residual over a seq");
    check<seq<dense<4>, residual<seq<dense<4>, helix::tanh>>, residual<dense<4>>, dense<2>>, shape<3>>(
        "residuals inside a seq");
    check<residual<twin<dense<3>>>, pair_of<shape<2, 3>, shape<4, 3>>>("residual over a pair (twin)");
    check<residual<identity>, shape<3, 2>>("residual over identity: 2x");

    // EPI-DLMH's matching heuristic [e, p, e - p, e * p], after a shared projection, followed by dense.
    check<seq<twin<dense<5>>, concat_of<axis::channels, first_half, second_half, subtract, multiply>, dense<3>>,
          pair_of<shape<4>, shape<4>>>("[e, p, e - p, e * p] in a seq followed by dense");
    // EPI-Mind's [e . p, |e - p|].
    check<concat_of<axis::channels, dot, abs_difference>, pair_of<shape<6>, shape<6>>>("[e . p, |e - p|]");
    // Layers with parameters beside ones without, on one tensor; input gradients of all of them add.
    check<concat_of<axis::channels, dense<3>, identity, seq<dense<2>, helix::tanh>>, shape<4, 2>>(
        "concat_of on the channels of one tensor");
    check<concat_of<axis::length, identity, reverse, dense<2>>, shape<3, 2>>("concat_of along the length");
    check<concat_of<axis::channels, dense<3>>, shape<5>>("concat_of of one layer");
    check<seq<concat_of<axis::length, concat<axis::length>, add>, dense<2>>, pair_of<shape<2, 3>, shape<2, 3>>>(
        "concat_of of merges of a pair, then dense per position");
}

TEST_CASE("merge: forward values against plain loops (float, two threads)") {
    constexpr std::size_t B = 3;
    SECTION("concat along the length and the channels") {
        const auto x = random_values(B * (3 * 4 + 5 * 4), 1);
        const auto y = run(concat<axis::length>::bind<pair_of<shape<3, 4>, shape<5, 4>>>{}, x, B);
        for (std::size_t b = 0; b < B; ++b)
            for (std::size_t l = 0; l < 8; ++l)
                for (std::size_t c = 0; c < 4; ++c) {
                    const float want = l < 3 ? x[b * 12 + l * 4 + c] : x[B * 12 + b * 20 + (l - 3) * 4 + c];
                    REQUIRE(y[(b * 8 + l) * 4 + c] == want);
                }
        const auto z = random_values(B * (3 * 2 + 3 * 5), 2);
        const auto w = run(concat<axis::channels>::bind<pair_of<shape<3, 2>, shape<3, 5>>>{}, z, B);
        for (std::size_t b = 0; b < B; ++b)
            for (std::size_t l = 0; l < 3; ++l)
                for (std::size_t c = 0; c < 7; ++c) {
                    const float want = c < 2 ? z[(b * 3 + l) * 2 + c] : z[B * 6 + (b * 3 + l) * 5 + (c - 2)];
                    REQUIRE(w[(b * 3 + l) * 7 + c] == want);
                }
    }
    SECTION("element-wise merges and dot") {
        constexpr std::size_t n = 4 * 3;
        const auto x = random_values(2 * B * n, 3);
        const float* a = x.data();
        const float* c = x.data() + B * n;
        using P = pair_of<shape<4, 3>, shape<4, 3>>;
        const auto s = run(add::bind<P>{}, x, B), d = run(subtract::bind<P>{}, x, B),
                   m = run(multiply::bind<P>{}, x, B), ad = run(abs_difference::bind<P>{}, x, B),
                   dt = run(dot::bind<P>{}, x, B);
        for (std::size_t i = 0; i < B * n; ++i) {
            REQUIRE(s[i] == a[i] + c[i]);
            REQUIRE(d[i] == a[i] - c[i]);
            REQUIRE(m[i] == a[i] * c[i]);
            REQUIRE(ad[i] == std::abs(a[i] - c[i]));
        }
        REQUIRE(dt.size() == B * 4);
        for (std::size_t r = 0; r < B * 4; ++r) {
            float want = 0;
            for (std::size_t k = 0; k < 3; ++k) want += a[r * 3 + k] * c[r * 3 + k];
            REQUIRE(dt[r] == Approx(want).epsilon(1e-6));
        }
    }
    SECTION("reverse, first_half, second_half") {
        const auto x = random_values(B * 5 * 3, 4);
        const auto y = run(reverse::bind<shape<5, 3>>{}, x, B);
        for (std::size_t b = 0; b < B; ++b)
            for (std::size_t l = 0; l < 5; ++l)
                for (std::size_t c = 0; c < 3; ++c) REQUIRE(y[(b * 5 + l) * 3 + c] == x[(b * 5 + 4 - l) * 3 + c]);
        const auto p = random_values(B * (6 + 5), 5);
        using P = pair_of<shape<3, 2>, shape<5>>;
        const auto f = run(first_half::bind<P>{}, p, B), s = run(second_half::bind<P>{}, p, B);
        REQUIRE(f == std::vector<float>(p.begin(), p.begin() + B * 6));
        REQUIRE(s == std::vector<float>(p.begin() + B * 6, p.end()));
    }
    SECTION("[e, p, e - p, e * p] and [e . p, |e - p|]") {
        const auto x = random_values(2 * B * 4, 6);
        const float* e = x.data();
        const float* q = x.data() + B * 4;
        const auto h = run(concat_of<axis::channels, first_half, second_half, subtract, multiply>::bind<
                               pair_of<shape<4>, shape<4>>>{},
                           x, B);
        REQUIRE(h.size() == B * 16);
        for (std::size_t b = 0; b < B; ++b)
            for (std::size_t c = 0; c < 4; ++c) {
                const float ev = e[b * 4 + c], pv = q[b * 4 + c];
                REQUIRE(h[b * 16 + c] == ev);
                REQUIRE(h[b * 16 + 4 + c] == pv);
                REQUIRE(h[b * 16 + 8 + c] == ev - pv);
                REQUIRE(h[b * 16 + 12 + c] == ev * pv);
            }
        const auto mind = concat_of{along<axis::channels>, dot{}, abs_difference{}};
        const auto k = run(decltype(mind)::bind<pair_of<shape<4>, shape<4>>>(mind), x, B);
        REQUIRE(k.size() == B * 5);
        for (std::size_t b = 0; b < B; ++b) {
            float want = 0;
            for (std::size_t c = 0; c < 4; ++c) want += e[b * 4 + c] * q[b * 4 + c];
            REQUIRE(k[b * 5] == Approx(want).epsilon(1e-6));
            for (std::size_t c = 0; c < 4; ++c) REQUIRE(k[b * 5 + 1 + c] == std::abs(e[b * 4 + c] - q[b * 4 + c]));
        }
    }
}

TEST_CASE("merge: gradients where a half is not used or the inputs are equal") {
    using P = pair_of<shape<4>, shape<4>>;
    constexpr std::size_t B = 2;
    std::vector<double> x(2 * B * 4), dout(B * 4, 1.0), out(B * 4), din(2 * B * 4, 99.0);
    for (std::size_t i = 0; i < B * 4; ++i) x[i] = x[B * 4 + i] = double(i) - 3.5;  // first == second
    x[1] = 5;  // one element differs: first > second
    cpu_context ctx(1);
    const auto in = view_at<P, const double>(x.data(), B);
    const auto dv = view_at<shape<4>, const double>(dout.data(), B);
    const auto ov = view_at<shape<4>, double>(out.data(), B);
    SECTION("abs_difference at equality: sign 0, no gradient") {
        abs_difference::bind<P> l;
        l.forward<double>(ctx, nullptr, in, ov, nullptr);
        l.backward<double>(ctx, nullptr, nullptr, in, ov, dv, view_at<P, double>(din.data(), B), nullptr);
        for (std::size_t i = 0; i < B * 4; ++i) {
            CHECK(out[i] == (i == 1 ? std::abs(5 - x[B * 4 + 1]) : 0.0));
            CHECK(din[i] == (i == 1 ? 1.0 : 0.0));
            CHECK(din[B * 4 + i] == (i == 1 ? -1.0 : 0.0));
        }
    }
    SECTION("first_half: the second half's gradient is zero") {
        first_half::bind<P> l;
        l.forward<double>(ctx, nullptr, in, ov, nullptr);
        l.backward<double>(ctx, nullptr, nullptr, in, ov, dv, view_at<P, double>(din.data(), B), nullptr);
        for (std::size_t i = 0; i < B * 4; ++i) {
            CHECK(din[i] == 1.0);
            CHECK(din[B * 4 + i] == 0.0);
        }
    }
    SECTION("second_half: the first half's gradient is zero") {
        second_half::bind<P> l;
        l.forward<double>(ctx, nullptr, in, ov, nullptr);
        l.backward<double>(ctx, nullptr, nullptr, in, ov, dv, view_at<P, double>(din.data(), B), nullptr);
        for (std::size_t i = 0; i < B * 4; ++i) {
            CHECK(din[i] == 0.0);
            CHECK(din[B * 4 + i] == 1.0);
        }
    }
}

TEST_CASE("merge: parameter names of residual and concat_of") {
    using R = residual<named<"attn", dense<4>>>::bind<shape<3, 4>>;
    CHECK(names(R{}) == std::vector<std::string>{"attn.weight", "attn.bias"});
    CHECK(names(residual<dense<4>>::bind<shape<4>>{}) == std::vector<std::string>{"weight", "bias"});
    const auto model = seq{dense<4>{}, residual{with_name<"block">(seq{dense<4>{}, helix::tanh{}})}, residual{dense<4>{}},
                           concat_of{along<axis::channels>, dense<2>{}, with_name<"skip">(identity{}),
                                     with_name<"proj">(dense<3, bias::off>{})}};
    const network<shape<3>, std::remove_const_t<decltype(model)>> net(model);
    std::vector<std::string> got;
    for (const auto& p : net.parameter_info()) got.push_back(p.name);
    CHECK(got == std::vector<std::string>{"0.weight", "0.bias", "1.block.0.weight", "1.block.0.bias", "2.weight",
                                          "2.bias", "3.0.weight", "3.0.bias", "3.proj.weight"});
    CHECK(net.parameters().size() == 3 * 4 + 4 + 4 * 4 + 4 + 4 * 4 + 4 + 4 * 2 + 2 + 4 * 3);
}

TEST_CASE("merge: inspection of residual and concat_of (children, child_name, child_ref)") {
    constexpr std::size_t B = 2;
    cpu_context ctx(1);
    SECTION("residual: one child, the wrapped layer, whose output is f(x)") {
        using R = residual<seq<dense<3>, helix::tanh>>::bind<shape<3>>;
        using RN = residual<named<"attn", dense<3>>>::bind<shape<3>>;
        STATIC_REQUIRE(R::children == 1);
        STATIC_REQUIRE(R::child_name<0>() == "fn");
        STATIC_REQUIRE(RN::child_name<0>() == "attn");
        const R layer;
        std::vector<double> p(R::param_size), x(B * 3), out(B * 3), cache(B * R::cache_size);
        for (std::size_t i = 0; i < p.size(); ++i) p[i] = 0.1 * double(i) - 0.5;
        for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.3 * double(i) - 0.7;
        const auto in = view_at<shape<3>, const double>(x.data(), B);
        layer.forward<double>(ctx, p.data(), in, view_at<shape<3>, double>(out.data(), B), cache.data());
        const auto self = make_layer_ref<R, double, cpu>(layer, static_cast<const double*>(p.data()), in,
                                         view_at<shape<3>, const double>(out.data(), B),
                                         static_cast<const double*>(cache.data()), B);
        const auto child = R::child_ref<0>(self);
        STATIC_REQUIRE(std::is_same_v<std::remove_cvref_t<decltype(*child.layer)>, R::fn_bound>);
        CHECK(child.layer == &layer.fn);
        CHECK(child.params == p.data());
        CHECK(child.input.data() == x.data());
        CHECK(child.batch == B);
        for (std::size_t i = 0; i < B * 3; ++i) CHECK(child.output[i] == Approx(out[i] - x[i]).epsilon(1e-12));
        // The grandchild: the seq's caches start where residual's says its child's cache is.
        CHECK(child.cache == cache.data() + B * 3);
    }
    SECTION("concat_of: every layer a child, its output and parameters where they belong") {
        using C = concat_of<axis::channels, dense<2>, named<"skip", identity>, dense<3, bias::off>>::bind<shape<4>>;
        STATIC_REQUIRE(C::children == 3);
        STATIC_REQUIRE(C::child_name<0>() == "0");
        STATIC_REQUIRE(C::child_name<1>() == "skip");
        STATIC_REQUIRE(C::child_name<2>() == "2");
        const C layer;
        std::vector<double> p(C::param_size), x(B * 4), out(B * 9), cache(B * C::cache_size);
        for (std::size_t i = 0; i < p.size(); ++i) p[i] = 0.05 * double(i) - 0.4;
        for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.2 * double(i) - 0.6;
        const auto in = view_at<shape<4>, const double>(x.data(), B);
        layer.forward<double>(ctx, p.data(), in, view_at<shape<9>, double>(out.data(), B), cache.data());
        const auto self = make_layer_ref<C, double, cpu>(layer, static_cast<const double*>(p.data()), in,
                                         view_at<shape<9>, const double>(out.data(), B),
                                         static_cast<const double*>(cache.data()), B);
        const auto c0 = C::child_ref<0>(self);
        const auto c1 = C::child_ref<1>(self);
        const auto c2 = C::child_ref<2>(self);
        CHECK(c0.layer == &layer.get<0>());
        CHECK(c2.layer == &layer.get<2>());
        CHECK(c0.params == p.data());
        CHECK(c2.params == p.data() + 4 * 2 + 2);
        STATIC_REQUIRE(std::is_same_v<decltype(c2.output), tensor_view<const double, shape<3>>>);
        for (std::size_t b = 0; b < B; ++b) {
            for (std::size_t j = 0; j < 2; ++j) CHECK(c0.output(b, j) == out[b * 9 + j]);
            for (std::size_t j = 0; j < 4; ++j) CHECK(c1.output(b, j) == out[b * 9 + 2 + j]);
            for (std::size_t j = 0; j < 3; ++j) CHECK(c2.output(b, j) == out[b * 9 + 6 + j]);
        }
    }
}

TEST_CASE("merge: paths through residual and concat_of (nn/inspect.hpp)") {
    const auto model = seq{residual{with_name<"block">(seq{dense<4>{}, helix::tanh{}})}, residual{dense<4>{}},
                           concat_of{along<axis::channels>, dense<2>{}, with_name<"skip">(identity{})}};
    network<shape<4>, std::remove_const_t<decltype(model)>, double> net(model);
    net.init(3);
    tensor<double, shape<4>> x(2);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.25 * double(i) - 1;
    cpu_context ctx(1);
    const auto out = net.forward(ctx, x.cview());
    // The residual's child is found under its name, or "fn"; its output is f(x) = residual's output - x.
    const auto block = find<"0.block">(net);
    const auto first = find<"0">(net);
    for (std::size_t i = 0; i < 8; ++i) CHECK(block.output[i] == Approx(first.output[i] - x[i]).epsilon(1e-12));
    const auto inner = find<"0.block.1">(net);  // the tanh inside the block
    for (std::size_t i = 0; i < 8; ++i) CHECK(inner.output[i] == block.output[i]);
    const auto fn = find<"1.fn">(net);
    const auto second = find<"1">(net);
    for (std::size_t i = 0; i < 8; ++i) CHECK(fn.output[i] == Approx(second.output[i] - first.output[i]).epsilon(1e-12));
    const auto skip = find<"2.skip">(net);
    const auto proj = find<"2.0">(net);
    for (std::size_t b = 0; b < 2; ++b) {
        for (std::size_t j = 0; j < 2; ++j) CHECK(proj.output(b, j) == out(b, j));
        for (std::size_t j = 0; j < 4; ++j) CHECK(skip.output(b, j) == out(b, 2 + j));
    }
    std::vector<std::string> paths;
    for (const auto& p : layer_paths(net)) paths.push_back(p.path + " " + p.output);
    CHECK(paths == std::vector<std::string>{" <6>", "0 <4>", "0.block <4>", "0.block.0 <4>", "0.block.1 <4>",
                                            "1 <4>", "1.fn <4>", "2 <6>", "2.0 <2>", "2.skip <4>"});
}

TEST_CASE("merge: composites first in a network, backward without an input gradient") {
    // With din empty the layers still add their parameter gradients, the same as when din is asked for.
    using model = seq<residual<seq<dense<3>, helix::tanh>>,
                      concat_of<axis::channels, dense<2>, identity, residual<dense<3>>>, dense<1>>;
    network<shape<3>, model, double> net;
    net.init(5);
    tensor<double, shape<3>> x(4);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.37 * double(i % 5) - 0.8;
    cpu_context ctx(2);
    const auto run_backward = [&](bool with_din) {
        auto out = net.forward(ctx, x.cview());
        for (std::size_t i = 0; i < out.gradient.size(); ++i) out.gradient[i] = 1.0 + 0.1 * double(i);
        net.zero_grad();
        tensor<double, shape<3>> din(4);
        if (with_din) net.backward(ctx, x.cview(), din.view());
        else net.backward(ctx, x.cview());
        return std::vector<double>(net.gradients().begin(), net.gradients().end());
    };
    const auto with = run_backward(true), without = run_backward(false);
    REQUIRE(with.size() == net.parameters().size());
    CHECK(with == without);
    CHECK(std::any_of(with.begin(), with.end(), [](double g) { return g != 0; }));
}
