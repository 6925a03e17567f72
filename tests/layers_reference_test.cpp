// Fast layer paths against the plain-loop references in kernels/reference.hpp, at sizes where the fast path
// matters (EPIANN's conv and SAME pooling), plus the behaviour of dropout and its block generator.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "helix/backend/cpu/attention.hpp"
#include "helix/backend/cpu/philox.hpp"
#include "helix/helix.hpp"
#include "helix/kernels/fast_math.hpp"
#include "helix/kernels/reference.hpp"
#include "helix/testing/compare.hpp"

using namespace helix;

namespace {
template <class T, class S>
void fill_normal(tensor<T, S>& t, std::uint64_t seed) {
    counter_rng r(seed);
    for (std::size_t i = 0; i < t.size(); ++i) t[i] = T(r.next_normal());
}
template <class T>
std::vector<T> normal_vector(std::size_t n, std::uint64_t seed) {
    counter_rng r(seed);
    std::vector<T> v(n);
    for (auto& x : v) x = T(r.next_normal());
    return v;
}
}  // namespace

TEST_CASE("conv1d's overlapping-row GEMM equals the reference loops on one-hot DNA") {
    using layer = conv1d<32, 15, bias::on>::bind<shape<300, 4>>;
    tensor<float, shape<300, 4>> x(3);
    counter_rng r(5);
    for (std::size_t b = 0; b < 3; ++b)
        for (std::size_t l = 0; l < 300; ++l) x(b, l, r.next_below(4)) = 1.0f;  // one-hot A, C, G, T
    const auto w = normal_vector<float>(layer::param_size, 9);
    tensor<float, layer::output> y(3), ref(3);
    cpu_context ctx(2);
    layer{}.forward<float>(ctx, w.data(), x.view(), y.view(), nullptr);
    for (std::size_t b = 0; b < 3; ++b)
        kernels::reference::conv1d(x.view().sample(b), 300, 4, w.data(), w.data() + layer::weight_size, 32, 15,
                                   ref.view().sample(b));
    const auto c = testing::compare(y.data(), ref.data(), y.size(), {1e-5, 1e-5}, "conv1d vs reference");
    INFO(c.message());
    CHECK(c.ok);
}

TEST_CASE("max_pool1d SAME reproduces TensorFlow's padding at EPIANN's sizes") {
    using enhancer = max_pool1d<30, 30, padding::same>::bind<shape<2986, 8>>;
    using promoter = max_pool1d<30, 30, padding::same>::bind<shape<1986, 8>>;
    static_assert(enhancer::out_length == 100 && enhancer::pad_before == 7 && enhancer::pad_total == 14);
    static_assert(promoter::out_length == 67 && promoter::pad_before == 12 && promoter::pad_total == 24);
    static_assert(max_pool1d<4>::bind<shape<10, 1>>::out_length == 2);  // VALID drops the remainder
    tensor<float, shape<2986, 8>> x(2);
    fill_normal(x, 3);
    tensor<float, enhancer::output> y(2), ref(2);
    tensor<float, shape<enhancer::cache_size>> cache(2);
    enhancer{}.forward<float>(cpu_context(2), nullptr, x.view(), y.view(), cache.data());
    for (std::size_t b = 0; b < 2; ++b)
        kernels::reference::max_pool1d(x.view().sample(b), 2986, 8, 30, 30, 7, 100, ref.view().sample(b));
    const auto c = testing::compare(y.data(), ref.data(), y.size(), {0, 0}, "max_pool1d SAME vs reference");
    INFO(c.message());
    CHECK(c.ok);
}

TEST_CASE("max_pool1d breaks ties towards the first position and routes the gradient there only") {
    using layer = max_pool1d<3>::bind<shape<6, 1>>;
    tensor<float, shape<6, 1>> x(1), dx(1);
    for (std::size_t i = 0; i < 6; ++i) x[i] = (i == 1 || i == 2) ? 5.0f : 0.0f;
    tensor<float, shape<2, 1>> y(1), dy(1);
    dy[0] = 1.0f;
    dy[1] = 10.0f;
    tensor<float, shape<2>> cache(1);
    const layer pool;
    pool.forward<float>(cpu_context(1), nullptr, x.view(), y.view(), cache.data());
    pool.backward<float>(cpu_context(1), nullptr, nullptr, x.view(), y.cview(), dy.cview(), dx.view(), cache.data());
    CHECK(y[0] == 5.0f);
    CHECK(dx[1] == 1.0f);  // the first of the tied maxima
    CHECK(dx[2] == 0.0f);
    CHECK(dx[3] == 10.0f);  // all zeros: the first position of the window wins
}

TEST_CASE("dense equals the reference on every position") {
    using layer = dense<7>::bind<shape<9, 5>>;
    tensor<double, shape<9, 5>> x(4);
    fill_normal(x, 1);
    const auto w = normal_vector<double>(layer::param_size, 2);
    tensor<double, shape<9, 7>> y(4), ref(4);
    layer{}.forward<double>(cpu_context(2), w.data(), x.view(), y.view(), nullptr);
    kernels::reference::dense(x.data(), 4 * 9, 5, w.data(), w.data() + 35, 7, ref.data());
    const auto c = testing::compare(y.data(), ref.data(), y.size(), {1e-12, 1e-12}, "dense vs reference");
    INFO(c.message());
    CHECK(c.ok);
}

TEST_CASE("dropout: identity at inference; in training drops about `rate`, scales by 1/(1-rate), same bits on 1 or 2 threads") {
    using layer = dropout::bind<shape<1000>>;
    tensor<float, shape<1000>> x(8), y1(8), y2(8), y0(8);
    x.fill(1.0f);
    tensor<float, shape<1000>> cache(8);
    const layer d(dropout{0.2f});

    cpu_context inference(2, 11);
    d.forward<float>(inference, nullptr, x.view(), y0.view(), cache.data());
    for (std::size_t i = 0; i < y0.size(); ++i) REQUIRE(y0[i] == 1.0f);

    cpu_context one(1, 11), two(2, 11);
    one.training = two.training = true;
    d.forward<float>(one, nullptr, x.view(), y1.view(), cache.data());
    d.forward<float>(two, nullptr, x.view(), y2.view(), cache.data());
    std::size_t dropped = 0;
    for (std::size_t i = 0; i < y1.size(); ++i) {
        REQUIRE(y1[i] == y2[i]);
        REQUIRE((y1[i] == 0.0f || std::abs(y1[i] - 1.25f) < 1e-6f));
        dropped += y1[i] == 0.0f;
    }
    CHECK(double(dropped) / 8000 == Approx(0.2).margin(0.015));
    // The next forward pass draws new numbers.
    d.forward<float>(two, nullptr, x.view(), y2.view(), cache.data());
    std::size_t same = 0;
    for (std::size_t i = 0; i < y1.size(); ++i) same += y1[i] == y2[i];
    CHECK(same < y1.size());
    CHECK_THROWS_AS(dropout{1.0f}, argument_error);
    CHECK_THROWS_AS(dropout{-0.1f}, argument_error);
}

namespace {
// conv1d_relu_max_pool1d against seq{conv1d, relu, max_pool1d}: pooled output, weight (and bias) gradient and input
// gradient, on one input tensor. `one_hot` fills one-hot rows with about one N (all-zero) row in twenty.
template <class Fused, class Reference, class T>
void check_fused_against_separate(bool one_hot, std::uint64_t seed, double rtol, const char* what) {
    using In = typename Fused::input;
    using Out = typename Fused::output;
    static_assert(std::is_same_v<Out, typename Reference::output> && Fused::param_size == Reference::param_size);
    constexpr std::size_t batch = 3;
    tensor<T, In> x(batch), dx_fused(batch), dx_ref(batch);
    counter_rng r(seed);
    for (std::size_t b = 0; b < batch; ++b)
        for (std::size_t l = 0; l < In::first; ++l) {
            if (!one_hot) {
                for (std::size_t c = 0; c < In::last; ++c) x(b, l, c) = T(r.next_normal());
            } else if (r.next_below(20) != 0) {
                x(b, l, r.next_below(In::last)) = T(1);
            }
        }
    const auto w = normal_vector<T>(Fused::param_size, seed + 1);
    for (const bool training : {false, true}) {
        tensor<T, Out> y_fused(batch), y_ref(batch), dy(batch);
        fill_normal(dy, seed + 2);
        std::vector<T> cache_fused(batch * Fused::cache_size), cache_ref(batch * Reference::cache_size);
        std::vector<T> g_fused(Fused::param_size, T(0)), g_ref(Fused::param_size, T(0));
        std::vector<T> g_no_din(Fused::param_size, T(0));
        cpu_context ctx(2);
        ctx.training = training;  // eval mode: one-hot samples skip the pool positions, backward recomputes them
        const Fused fused;
        const Reference ref;
        fused.template forward<T>(ctx, w.data(), x.cview(), y_fused.view(), cache_fused.data());
        ref.template forward<T>(ctx, w.data(), x.cview(), y_ref.view(), cache_ref.data());
        const bool positions_skipped = *reinterpret_cast<const std::int32_t*>(cache_fused.data()) == -1;
        CHECK(positions_skipped == (one_hot && !training));
        fused.template backward<T>(ctx, w.data(), g_fused.data(), x.cview(), y_fused.cview(), dy.cview(), dx_fused.view(),
                                   cache_fused.data());
        ref.template backward<T>(ctx, w.data(), g_ref.data(), x.cview(), y_ref.cview(), dy.cview(), dx_ref.view(),
                                 cache_ref.data());
        fused.template backward<T>(ctx, w.data(), g_no_din.data(), x.cview(), y_fused.cview(), dy.cview(), {},
                                   cache_fused.data());
        std::size_t positive = 0;
        for (std::size_t i = 0; i < y_ref.size(); ++i) positive += y_ref[i] > T(0);
        REQUIRE(positive > y_ref.size() / 4);  // the gradient paths are exercised
        const testing::tolerance tol{rtol, rtol};
        const std::string mode = std::string(what) + (training ? ", training" : ", eval");
        for (const auto& c : {testing::compare(y_fused.data(), y_ref.data(), y_ref.size(), tol, mode + ": output"),
                              testing::compare(g_fused.data(), g_ref.data(), g_ref.size(), tol, mode + ": weight gradient"),
                              testing::compare(dx_fused.data(), dx_ref.data(), dx_ref.size(), tol, mode + ": input gradient"),
                              testing::compare(g_no_din.data(), g_ref.data(), g_ref.size(), tol,
                                               mode + ": weight gradient without input gradient")}) {
            INFO(c.message());
            CHECK(c.ok);
        }
    }
}
}  // namespace

TEST_CASE("fill_uniforms (16 Philox counters at once) gives the scalar generator's bits at any start and length") {
    const counter_rng rng(0x1234'5678'9abcULL, 7);
    std::vector<float> got;
    // Unaligned starts and lengths, whole groups, fewer than 16 groups, and counters that cross 2^32.
    for (const std::uint64_t first : {std::uint64_t{0}, std::uint64_t{3}, std::uint64_t{4096}, (std::uint64_t{1} << 34) - 9})
        for (const std::size_t n : {std::size_t{1}, std::size_t{5}, std::size_t{64}, std::size_t{67}, std::size_t{25600}}) {
            got.assign(n, -1.0f);
            backend::cpu::fill_uniforms(rng, first, n, got.data());
            std::size_t mismatches = 0;
            for (std::size_t k = 0; k < n; ++k) mismatches += got[k] != rng.uniform(first + k);
            INFO("first " << first << ", n " << n << ", isa " << backend::cpu::isa_name(backend::cpu::detected_isa()));
            CHECK(mismatches == 0);
        }
}

TEST_CASE("conv1d_relu_max_pool1d equals conv1d, relu, max_pool1d: one-hot and continuous input, SAME and VALID") {
    // 80 filters: one block of 64 and a tail of 16 in the kernel.
    using same_fused = conv1d_relu_max_pool1d<80, 15, 30, 30, padding::same>::bind<shape<400, 4>>;
    using same_ref = seq<conv1d<80, 15>, relu, max_pool1d<30, 30, padding::same>>::bind<shape<400, 4>>;
    static_assert(same_fused::out_length == 13 && same_fused::pad_before == 2);  // 386 -> ceil(386 / 30)
    check_fused_against_separate<same_fused, same_ref, float>(true, 21, 1e-5, "SAME, one-hot with N rows, float");
    check_fused_against_separate<same_fused, same_ref, float>(false, 22, 1e-4, "SAME, continuous, float");
    check_fused_against_separate<same_fused, same_ref, double>(true, 23, 1e-12, "SAME, one-hot with N rows, double");

    using valid_fused = conv1d_relu_max_pool1d<24, 7, 5, 3, padding::valid, bias::on>::bind<shape<60, 5>>;
    using valid_ref = seq<conv1d<24, 7, bias::on>, relu, max_pool1d<5, 3>>::bind<shape<60, 5>>;
    check_fused_against_separate<valid_fused, valid_ref, double>(false, 24, 1e-12, "VALID, overlapping, bias, continuous");
    check_fused_against_separate<valid_fused, valid_ref, double>(true, 25, 1e-12, "VALID, overlapping, bias, one-hot");

    // The one-hot table's tap groups: triples where the table stays under 1 MB (above and EPIANN below), pairs for 20
    // channels (a triple table would hold 21^3 x 5 x 16 values), single taps for 60 channels.
    static_assert(same_fused::geometry::group == 3 && valid_fused::geometry::group == 3);
    using pair_fused = conv1d_relu_max_pool1d<16, 15, 4, 4, padding::same>::bind<shape<90, 20>>;
    using pair_ref = seq<conv1d<16, 15>, relu, max_pool1d<4, 4, padding::same>>::bind<shape<90, 20>>;
    static_assert(pair_fused::geometry::group == 2 && pair_fused::geometry::groups == 8);
    check_fused_against_separate<pair_fused, pair_ref, float>(true, 27, 1e-5, "tap pairs, 20 channels, one-hot, float");
    using single_fused = conv1d_relu_max_pool1d<64, 15, 4, 4, padding::same>::bind<shape<50, 60>>;
    using single_ref = seq<conv1d<64, 15>, relu, max_pool1d<4, 4, padding::same>>::bind<shape<50, 60>>;
    static_assert(single_fused::geometry::group == 1);
    check_fused_against_separate<single_fused, single_ref, float>(true, 28, 1e-5, "single taps, 60 channels, one-hot");

    // EPIANN's promoter trunk at full size (one-hot, float): 5 tap triples.
    using epiann_fused = conv1d_relu_max_pool1d<256, 15, 30, 30, padding::same>::bind<shape<2000, 4>>;
    using epiann_ref = seq<conv1d<256, 15>, relu, max_pool1d<30, 30, padding::same>>::bind<shape<2000, 4>>;
    static_assert(epiann_fused::out_length == 67 && epiann_fused::pad_before == 12);
    static_assert(epiann_fused::geometry::group == 3 && epiann_fused::geometry::groups == 5);
    check_fused_against_separate<epiann_fused, epiann_ref, float>(true, 26, 1e-5, "EPIANN promoter, one-hot, float");
}

TEST_CASE("fast_exp and fast_tanh (the float attention's) stay within 2e-7 of the exact functions") {
    std::vector<double> tanh_got, tanh_want, exp_got, exp_want;
    for (float x = -20.0f; x < 20.0f; x += 3.7e-4f) {
        tanh_got.push_back(kernels::fast_tanh(x));
        tanh_want.push_back(std::tanh(double(x)));
    }
    for (float x = -87.0f; x < 88.0f; x += 1.3e-3f) {
        exp_got.push_back(kernels::fast_exp(x));
        exp_want.push_back(std::exp(double(x)));
    }
    const auto t = testing::compare(tanh_got.data(), tanh_want.data(), tanh_got.size(), {0, 2e-7}, "fast_tanh vs tanh");
    const auto e = testing::compare(exp_got.data(), exp_want.data(), exp_got.size(), {2.5e-7, 0}, "fast_exp vs exp");
    INFO(t.message() << "\n" << e.message());
    CHECK(t.ok);
    CHECK(e.ok);
}

namespace {
template <std::size_t Dim>
void check_float_attention_against_double() {
    using layer = typename additive_cross_attention<Dim>::template bind<pair_of<shape<37, 24>, shape<21, 24>>>;
    tensor<double, shape<37, 24>> q(3), dr(3), dq(3);
    tensor<double, shape<21, 24>> k(3), dk(3);
    fill_normal(q, 41);
    fill_normal(k, 42);
    fill_normal(dr, 43);
    // Sample 0's projections stay under 10 (forward: paired divisions; backward: tanh from products of
    // exponentials), sample 1's are of a few units, sample 2's are larger than 20, which takes the direct fast_tanh
    // path in both.
    for (std::size_t i = 0; i < 37 * 24; ++i) q[i] *= 0.1;
    for (std::size_t i = 0; i < 21 * 24; ++i) k[i] *= 0.1;
    for (std::size_t i = 2 * 37 * 24; i < 3 * 37 * 24; ++i) q[i] *= 12.0;
    const auto w = normal_vector<double>(layer::param_size, 44);
    tensor<float, shape<37, 24>> qf(3), drf(3), dqf(3);
    tensor<float, shape<21, 24>> kf(3), dkf(3);
    for (std::size_t i = 0; i < q.size(); ++i) qf[i] = float(q[i]), drf[i] = float(dr[i]);
    for (std::size_t i = 0; i < k.size(); ++i) kf[i] = float(k[i]);
    const std::vector<float> wf(w.begin(), w.end());
    tensor<double, shape<37, 24>> out(3);
    tensor<float, shape<37, 24>> outf(3);
    std::vector<double> cache(3 * layer::cache_size), g(layer::param_size);
    std::vector<float> cachef(3 * layer::cache_size), gf(layer::param_size);
    const cpu_context ctx(2);
    const layer att;
    att.template forward<double>(ctx, w.data(), make_pair_view(q.cview(), k.cview()), out.view(), cache.data());
    att.template backward<double>(ctx, w.data(), g.data(), make_pair_view(q.cview(), k.cview()), out.cview(), dr.cview(),
                         make_pair_view(dq.view(), dk.view()), cache.data());
    att.template forward<float>(ctx, wf.data(), make_pair_view(qf.cview(), kf.cview()), outf.view(), cachef.data());
    att.template backward<float>(ctx, wf.data(), gf.data(), make_pair_view(qf.cview(), kf.cview()), outf.cview(), drf.cview(),
                        make_pair_view(dqf.view(), dkf.view()), cachef.data());
    INFO("Dim " << Dim);
    for (const auto& c : {testing::compare(outf.data(), out.data(), out.size(), {1e-4, 1e-5}, "output"),
                          testing::compare(gf.data(), g.data(), g.size(), {1e-3, 1e-4}, "weight gradients"),
                          testing::compare(dqf.data(), dq.data(), dq.size(), {1e-3, 1e-4}, "query gradient"),
                          testing::compare(dkf.data(), dk.data(), dk.size(), {1e-3, 1e-4}, "key gradient")}) {
        INFO(c.message());
        CHECK(c.ok);
    }
}
}  // namespace

TEST_CASE("additive_cross_attention in float (vectorised, fast_tanh) agrees with the double path (std::tanh)") {
    check_float_attention_against_double<32>();
    check_float_attention_against_double<7>();  // an odd Dim: the forward scores pair the d, one is left over
}

TEST_CASE("tanh(q + k) from products of exponentials stays within 2.5e-7 of tanh for |q|, |k| <= 20") {
    std::vector<double> got, want;
    for (float q = -20.0f; q <= 20.0f; q += 0.0913f) {
        alignas(64) float ks[16], eks[16], eq[16];
        for (float k0 = -20.0f; k0 <= 20.0f; k0 += 16 * 0.0371f) {
            for (int l = 0; l < 16; ++l) ks[l] = std::min(20.0f, k0 + 0.0371f * float(l)), eq[l] = q;
            backend::cpu::detail::exp2x(ks, eks, 16);
            backend::cpu::detail::exp2x(eq, eq, 16);
            kernels::f32x16 u, e;
            std::memcpy(&u, eks, sizeof u);
            std::memcpy(&e, eq, sizeof e);
            u *= e;
            backend::cpu::detail::tanh_from_product(u);
            for (int l = 0; l < 16; ++l) got.push_back(u[l]), want.push_back(std::tanh(double(q) + double(ks[l])));
        }
    }
    const auto c = testing::compare(got.data(), want.data(), got.size(), {0, 2.5e-7}, "tanh from exponentials");
    INFO(c.message());
    CHECK(c.ok);
}

TEST_CASE("HELIX_ISA caps the instruction set the kernels are dispatched to") {
    const auto level = backend::cpu::detected_isa();
    const char* cap = std::getenv("HELIX_ISA");
    INFO("running on " << backend::cpu::isa_name(level) << (cap ? std::string(", HELIX_ISA=") + cap : std::string()));
    if (cap && std::string(cap) == "baseline") CHECK(level == backend::cpu::isa::baseline);
    if (cap && std::string(cap) == "avx2") CHECK(level != backend::cpu::isa::avx512);
    SUCCEED();
}
