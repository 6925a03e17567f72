// The layers EPIANN is made of beyond the core: additive cross-attention (both directions), bilinear,
// top-k pooling, and the composition pieces branches, halves and swap_halves. Finite-difference checks
// in double, plus the properties the gradients cannot show.
#include <catch2/catch.hpp>

#include <cmath>

#include "helix/helix.hpp"
#include "helix/layers/additive_cross_attention.hpp"
#include "helix/layers/bilinear.hpp"
#include "helix/layers/top_k_pool.hpp"
#include "helix/nn/branches.hpp"
#include "helix/nn/halves.hpp"
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
using qk = pair_of<shape<5, 4>, shape<7, 4>>;
}  // namespace

TEST_CASE("additive_cross_attention gradients, both directions") {
    check<additive_cross_attention<3>, qk>("attention, first half asks");
    check<additive_cross_attention<3, queries::second>, qk>("attention, second half asks");
    check<additive_cross_attention<1>, pair_of<shape<1, 2>, shape<3, 2>>>("attention, one query");
}

TEST_CASE("bilinear and top_k_pool gradients") {
    check<bilinear<>, qk>("bilinear");
    check<bilinear<bias::off>, qk>("bilinear without bias");
    check<top_k_pool<4>, shape<5, 3>>("top_k_pool");
    check<top_k_pool<15>, shape<15>>("top_k_pool taking everything");
}

TEST_CASE("branches, halves and swap_halves gradients") {
    check<branches<dense<3>, seq<dense<2>, relu>>, shape<4>>("branches (input gradient is the sum)");
    check<halves<dense<3>, dense<2>>, pair_of<shape<4>, shape<5>>>("halves");
    check<seq<swap_halves, additive_cross_attention<2>>, qk>("swap_halves then attention");
    check<seq<branches<additive_cross_attention<2, queries::second>, additive_cross_attention<2>>, bilinear<>>, qk>(
        "both attention directions into a bilinear map");
}

TEST_CASE("attention: rows sum to one, the context is the weighted sum of keys, swapping halves = queries::second") {
    using fwd = additive_cross_attention<3>::bind<qk>;
    using rev = additive_cross_attention<3, queries::second>::bind<qk>;
    static_assert(std::is_same_v<fwd::output, shape<5, 4>> && std::is_same_v<rev::output, shape<7, 4>>);
    tensor<double, shape<5, 4>> q(2);
    tensor<double, shape<7, 4>> k(2);
    counter_rng r(1);
    for (std::size_t i = 0; i < q.size(); ++i) q[i] = r.next_normal();
    for (std::size_t i = 0; i < k.size(); ++i) k[i] = r.next_normal();
    std::vector<double> params(fwd::param_size);
    for (auto& p : params) p = r.next_normal();
    tensor<double, shape<5, 4>> ctx_out(2);
    std::vector<double> cache(2 * fwd::cache_size);
    const cpu_context ctx(2);
    fwd{}.forward<double>(ctx, params.data(), make_pair_view(q.cview(), k.cview()), ctx_out.view(), cache.data());
    for (std::size_t b = 0; b < 2; ++b) {
        const auto a = fwd::attention(cache.data(), b);
        for (std::size_t i = 0; i < 5; ++i) {
            double row = 0;
            for (std::size_t j = 0; j < 7; ++j) {
                REQUIRE(a(0, i, j) > 0.0);
                row += a(0, i, j);
            }
            REQUIRE(row == Approx(1.0).epsilon(1e-12));
            for (std::size_t c = 0; c < 4; ++c) {
                double expect = 0;
                for (std::size_t j = 0; j < 7; ++j) expect += a(0, i, j) * k(b, j, c);
                REQUIRE(ctx_out(b, i, c) == Approx(expect).epsilon(1e-12));
            }
        }
    }
    // queries::second on (q, k) computes what queries::first computes on (k, q)
    using swapped = additive_cross_attention<3>::bind<pair_of<shape<7, 4>, shape<5, 4>>>;
    tensor<double, shape<7, 4>> o1(2), o2(2);
    std::vector<double> c1(2 * rev::cache_size), c2(2 * swapped::cache_size);
    rev{}.forward<double>(ctx, params.data(), make_pair_view(q.cview(), k.cview()), o1.view(), c1.data());
    swapped{}.forward<double>(ctx, params.data(), make_pair_view(k.cview(), q.cview()), o2.view(), c2.data());
    for (std::size_t i = 0; i < o1.size(); ++i) REQUIRE(o1[i] == o2[i]);
}

TEST_CASE("top_k_pool sorts descending and breaks ties towards the lowest index") {
    using layer = top_k_pool<4>::bind<shape<2, 3>>;
    tensor<float, shape<2, 3>> x(1), dx(1);
    const float values[6] = {1.0f, 5.0f, 3.0f, 5.0f, -2.0f, 3.0f};
    std::copy(values, values + 6, x.data());
    tensor<float, shape<4>> y(1), dy(1);
    tensor<float, shape<4>> cache(1);
    const layer top;
    top.forward<float>(cpu_context(1), nullptr, x.view(), y.view(), cache.data());
    CHECK(std::vector<float>(y.data(), y.data() + 4) == std::vector<float>{5.0f, 5.0f, 3.0f, 3.0f});
    const auto* chosen = reinterpret_cast<const std::int32_t*>(cache.data());
    CHECK(std::vector<std::int32_t>(chosen, chosen + 4) == std::vector<std::int32_t>{1, 3, 2, 5});
    for (std::size_t k = 0; k < 4; ++k) dy[k] = float(k + 1);
    top.backward<float>(cpu_context(1), nullptr, nullptr, x.view(), y.cview(), dy.cview(), dx.view(), cache.data());
    CHECK(std::vector<float>(dx.data(), dx.data() + 6) == std::vector<float>{0, 1, 3, 2, 0, 4});
}

TEST_CASE("bilinear equals A W B^T + b written out") {
    using layer = bilinear<>::bind<pair_of<shape<2, 3>, shape<4, 3>>>;
    static_assert(std::is_same_v<layer::output, shape<2, 4>>);
    tensor<double, shape<2, 3>> a(1);
    tensor<double, shape<4, 3>> b(1);
    counter_rng r(2);
    for (std::size_t i = 0; i < a.size(); ++i) a[i] = r.next_normal();
    for (std::size_t i = 0; i < b.size(); ++i) b[i] = r.next_normal();
    std::vector<double> w(layer::param_size);
    for (auto& v : w) v = r.next_normal();
    tensor<double, shape<2, 4>> m(1);
    std::vector<double> cache(layer::cache_size);
    layer{}.forward<double>(cpu_context(1), w.data(), make_pair_view(a.cview(), b.cview()), m.view(), cache.data());
    for (std::size_t i = 0; i < 2; ++i)
        for (std::size_t j = 0; j < 4; ++j) {
            double s = w[9];
            for (std::size_t c = 0; c < 3; ++c)
                for (std::size_t d = 0; d < 3; ++d) s += a(0, i, c) * w[c * 3 + d] * b(0, j, d);
            REQUIRE(m(0, i, j) == Approx(s).epsilon(1e-12));
        }
}
