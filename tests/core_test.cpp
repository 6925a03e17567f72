// Core: shapes, tensors and views, aligned storage, the counter-based RNG, parallel_for and the CPU GEMM.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "helix/backend/cpu/gemm.hpp"
#include "helix/core/parallel_for.hpp"
#include "helix/core/rng.hpp"
#include "helix/core/tensor.hpp"
#include "helix/testing/compare.hpp"

using namespace helix;

TEST_CASE("shape constants are compile-time and describe a row-major channel-last layout") {
    using s = shape<3000, 4>;
    static_assert(s::rank == 2 && s::size == 12000 && s::first == 3000 && s::last == 4 && s::rows == 3000);
    static_assert(shape<7>::rows == 1);
    static_assert(std::is_same_v<with_last<shape<5, 6, 7>, 2>, shape<5, 6, 2>>);
    static_assert(io_size<pair_of<shape<3, 2>, shape<4>>> == 10);
    static_assert(io_type<pair_of<shape<1>, shape<2>>> && !io_type<int>);
    CHECK(s::str() == "<3000, 4>");
    CHECK(pair_of<shape<2>, shape<3, 1>>::str() == "pair(<2>, <3, 1>)");
}

TEST_CASE("tensor storage is 64-byte aligned, zeroed, and indexed batch first") {
    tensor<float, shape<3, 5>> t(4);
    CHECK(reinterpret_cast<std::uintptr_t>(t.data()) % 64 == 0);
    CHECK(t.size() == 60);
    for (std::size_t i = 0; i < t.size(); ++i) REQUIRE(t[i] == 0.0f);
    t(2, 1, 3) = 7.0f;
    CHECK(t[2 * 15 + 1 * 5 + 3] == 7.0f);
    tensor_view<const float, shape<3, 5>> v = t.view();  // mutable -> const converts
    CHECK(v(2, 1, 3) == 7.0f);
    CHECK(v.sample(2) == t.data() + 30);
    t.resize(1);
    CHECK(t.batch() == 1);
    CHECK(t[0] == 0.0f);
}

TEST_CASE("aligned_buffer copies deeply and moves without copying") {
    aligned_buffer<double> a(10);
    a[3] = 1.5;
    aligned_buffer<double> b = a;
    b[3] = 2.5;
    CHECK(a[3] == 1.5);
    const double* p = b.data();
    aligned_buffer<double> c = std::move(b);
    CHECK(c.data() == p);
    CHECK(c.size() == 10);
    CHECK(b.size() == 0);
    c.resize(4);  // shrinking keeps the allocation and zeroes
    CHECK(c.data() == p);
    CHECK(c[3] == 0.0);
}

TEST_CASE("pair views lay their halves out one after the other") {
    std::vector<float> mem(2 * (6 + 4));
    auto pv = view_at<pair_of<shape<3, 2>, shape<4>>>(mem.data(), 2);
    CHECK(pv.first.data() == mem.data());
    CHECK(pv.second.data() == mem.data() + 12);
    CHECK(pv.batch() == 2);
    auto empty = view_at<pair_of<shape<3, 2>, shape<4>>, float>(nullptr, 2);
    CHECK(empty.first.empty());
    CHECK(empty.second.empty());
}

TEST_CASE("a batch mismatch is a run-time shape_error naming both sizes") {
    tensor<float, shape<2>> a(3), b(4);
    try {
        make_pair_view(a.view(), b.view());
        FAIL("no exception");
    } catch (const shape_error& e) {
        CHECK_THAT(e.what(), Catch::Matchers::Contains("expected 3, got 4"));
    }
}

TEST_CASE("Philox4x32-10 reproduces the Random123 known-answer vectors") {
    using c = philox4x32::counter;
    using k = philox4x32::key;
    CHECK(philox4x32::generate(c{0, 0, 0, 0}, k{0, 0}) == c{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u});
    CHECK(philox4x32::generate(c{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}, k{0xffffffffu, 0xffffffffu}) ==
          c{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu});
    CHECK(philox4x32::generate(c{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}, k{0xa4093822u, 0x299f31d0u}) ==
          c{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u});
}

TEST_CASE("counter_rng: reserved blocks are addressable by index, uniforms are in (0, 1] with the right mean") {
    counter_rng r(42);
    const auto first = r.reserve(100000);
    CHECK(first == 0);
    CHECK(r.position() == 100000);
    double sum = 0, lo = 1, hi = 0;
    for (std::uint64_t i = 0; i < 100000; ++i) {
        const float u = r.uniform(first + i);
        sum += u;
        lo = std::min<double>(lo, u);
        hi = std::max<double>(hi, u);
    }
    CHECK(lo > 0.0);
    CHECK(hi <= 1.0);
    CHECK(sum / 100000 == Approx(0.5).margin(0.005));
    counter_rng s(42);
    CHECK(s.next_bits() == r.bits(0));  // sequential draws read the same stream
    counter_rng other_stream(42, 1);
    CHECK(other_stream.bits(0) != r.bits(0));
    counter_rng n(7);
    double m = 0, v = 0;
    for (int i = 0; i < 20000; ++i) {
        const double x = n.next_normal();
        m += x;
        v += x * x;
    }
    CHECK(m / 20000 == Approx(0.0).margin(0.03));
    CHECK(v / 20000 == Approx(1.0).margin(0.05));
    for (int i = 0; i < 1000; ++i) REQUIRE(n.next_below(7) < 7);
}

TEST_CASE("parallel_for visits every index exactly once, whatever the thread count") {
    for (int threads : {1, 2, 3}) {
        cpu_context ctx(threads);
        std::vector<int> hits(1001, 0);
        parallel_for(ctx, hits.size(), [&](std::size_t i) { hits[i] += 1; });
        for (int h : hits) REQUIRE(h == 1);
    }
    CHECK_THROWS_AS(cpu_context(0), argument_error);
}

namespace {
// Reference: C = alpha op(A) op(B) + beta C with plain loops.
void gemm_reference(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, double alpha, const double* a,
                    std::size_t lda, const double* b, std::size_t ldb, double beta, double* c, std::size_t ldc) {
    for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < n; ++j) {
            double s = 0;
            for (std::size_t p = 0; p < k; ++p) s += (ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
            c[i * ldc + j] = alpha * s + beta * c[i * ldc + j];
        }
}
}  // namespace

TEST_CASE("gemm agrees with the reference for every transpose, stride and beta, including overlapping rows") {
    using backend::cpu::transpose;
    counter_rng r(3);
    std::vector<double> a(400), b(400);
    for (auto& x : a) x = r.next_normal();
    for (auto& x : b) x = r.next_normal();
    const std::size_t m = 7, n = 5, k = 6;
    for (bool ta : {false, true})
        for (bool tb : {false, true})
            for (double beta : {0.0, 1.0, 0.5}) {
                const std::size_t lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 1, ldc = n + 2;
                std::vector<double> c(m * ldc, 0.25), ref = c;
                backend::cpu::gemm<double>(cpu_context(2), transpose(ta), transpose(tb), m, n, k, 1.5, a.data(), lda,
                                           b.data(), ldb, beta, c.data(), ldc);
                gemm_reference(ta, tb, m, n, k, 1.5, a.data(), lda, b.data(), ldb, beta, ref.data(), ldc);
                const auto cmp = testing::compare(c.data(), ref.data(), c.size(), {1e-12, 1e-12}, "gemm");
                INFO("ta=" << ta << " tb=" << tb << " beta=" << beta << ": " << cmp.message());
                CHECK(cmp.ok);
            }
    // Row stride 2 with 6 columns: rows overlap, as conv1d's windows do.
    std::vector<double> c(m * n), ref(m * n);
    backend::cpu::gemm<double>(cpu_context(1), transpose::no, transpose::no, m, n, k, 1.0, a.data(), 2, b.data(), n, 0.0,
                               c.data(), n);
    gemm_reference(false, false, m, n, k, 1.0, a.data(), 2, b.data(), n, 0.0, ref.data(), n);
    const auto cmp = testing::compare(c.data(), ref.data(), c.size(), {1e-12, 1e-12}, "gemm, overlapping rows");
    INFO(cmp.message());
    CHECK(cmp.ok);
}

TEST_CASE("compare reports the worst element and fails on NaN") {
    std::vector<double> a{1.0, 2.0, 3.0}, e{1.0, 2.1, 3.0};
    auto c = testing::compare(a.data(), e.data(), 3, {1e-3, 0}, "x");
    CHECK_FALSE(c.ok);
    CHECK(c.worst_index == 1);
    CHECK_THAT(c.message(), Catch::Matchers::Contains("worst element 1"));
    a[1] = std::nan("");
    e[1] = 2.0;
    CHECK_FALSE(testing::compare(a.data(), e.data(), 3, {1, 1}, "x").ok);
}
