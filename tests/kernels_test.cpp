// The HELIX_HD functors shared by the CPU and CUDA backends (include/helix/kernels/), run on the host against
// plain references, in every build: the index logic of the CUDA kernels is tested here on machines without a GPU.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

#include <catch2/catch.hpp>

#include <helix/helix.hpp>
#include <helix/kernels/conv_pool.hpp>
#include <helix/kernels/loss.hpp>
#include <helix/kernels/optim.hpp>
#include <helix/kernels/pool.hpp>
#include <helix/kernels/reference.hpp>
#include <helix/kernels/softmax.hpp>
#include <helix/kernels/top_k.hpp>

using namespace helix;

namespace {
std::vector<float> normals(std::size_t n, std::uint64_t seed) {
    counter_rng rng(seed);
    std::vector<float> v(n);
    for (auto& x : v) x = float(rng.next_normal());
    return v;
}
}  // namespace

TEST_CASE("activation functors match their formulas and derivatives") {
    for (double x : {-30.0, -3.0, -0.5, 0.0, 0.25, 2.0, 40.0}) {
        CHECK(kernels::relu_op::forward(x) == std::max(x, 0.0));
        CHECK(kernels::sigmoid_op::forward(x) == Approx(1 / (1 + std::exp(-x))).margin(1e-15));
        CHECK(kernels::tanh_op::forward(x) == std::tanh(x));
        const double y = kernels::sigmoid_op::forward(x), h = 1e-6;
        const double numeric = (kernels::sigmoid_op::forward(x + h) - kernels::sigmoid_op::forward(x - h)) / (2 * h);
        CHECK(kernels::sigmoid_op::backward(y, 1.0) == Approx(numeric).margin(1e-8));
        const double t = kernels::tanh_op::forward(x);
        CHECK(kernels::tanh_op::backward(t, 2.0) == Approx(2 * (std::tanh(x + h) - std::tanh(x - h)) / (2 * h)).margin(1e-8));
        CHECK(kernels::relu_op::backward(kernels::relu_op::forward(x), 3.0) == (x > 0 ? 3.0 : 0.0));
    }
}

TEST_CASE("pool_window matches max_pool1d's geometry, and pool_outputs_containing is its inverse") {
    // EPIANN's SAME pooling (2986 -> 100, 7 before) and overlapping valid windows.
    struct geometry {
        std::size_t length, width, stride, pad, out;
    };
    for (const geometry g : {geometry{2986, 30, 30, 7, 100}, geometry{1986, 30, 30, 12, 67}, geometry{101, 4, 2, 0, 49},
                             geometry{10, 3, 1, 1, 10}}) {
        for (std::size_t o = 0; o < g.out; ++o) {
            const auto w = kernels::pool_window(o, g.width, g.stride, g.pad, g.length);
            const long start = long(o * g.stride) - long(g.pad);
            CHECK(w.lo == std::size_t(std::max(0L, start)));
            CHECK(w.hi == std::size_t(std::min(long(g.length), start + long(g.width))));
            CHECK(w.lo < w.hi);
        }
        for (std::size_t l = 0; l < g.length; ++l) {
            const auto outs = kernels::pool_outputs_containing(l, g.width, g.stride, g.pad, g.out);
            for (std::size_t o = 0; o < g.out; ++o) {
                const auto w = kernels::pool_window(o, g.width, g.stride, g.pad, g.length);
                const bool covers = w.lo <= l && l < w.hi;
                CHECK(covers == (outs.lo <= o && o < outs.hi));
            }
        }
    }
}

TEST_CASE("softmax_row and softmax_backward_row match direct formulas") {
    auto row = normals(67, 1);
    row[3] = 80.0f;  // exp would overflow without the shift
    std::vector<double> want(row.size());
    double top = *std::max_element(row.begin(), row.end()), sum = 0;
    for (std::size_t j = 0; j < row.size(); ++j) sum += (want[j] = std::exp(double(row[j]) - top));
    for (auto& w : want) w /= sum;
    std::vector<double> a(row.begin(), row.end());
    kernels::softmax_row(a.data(), a.size());
    for (std::size_t j = 0; j < a.size(); ++j) CHECK(a[j] == Approx(want[j]).margin(1e-15));
    // Backward against finite differences of L = sum_j c_j softmax(s)_j.
    const auto c = normals(a.size(), 2);
    std::vector<double> g(c.begin(), c.end());
    std::vector<double> s(row.begin(), row.end());
    kernels::softmax_backward_row(a.data(), g.data(), g.size());
    for (std::size_t k : {0u, 3u, 40u}) {
        auto loss = [&](double delta) {
            std::vector<double> t = s;
            t[k] += delta;
            kernels::softmax_row(t.data(), t.size());
            double l = 0;
            for (std::size_t j = 0; j < t.size(); ++j) l += c[j] * t[j];
            return l;
        };
        CHECK(g[k] == Approx((loss(1e-6) - loss(-1e-6)) / 2e-6).margin(1e-7));
    }
}

TEST_CASE("additive_score reads row-major and transposed key layouts alike") {
    const std::size_t dim = 32, keys = 5, stride = 16;
    const auto q = normals(dim, 3), v = normals(dim, 4), k = normals(keys * dim, 5);
    std::vector<float> kt(dim * stride, 0.0f);
    for (std::size_t j = 0; j < keys; ++j)
        for (std::size_t d = 0; d < dim; ++d) kt[d * stride + j] = k[j * dim + d];
    for (std::size_t j = 0; j < keys; ++j) {
        double want = 0;
        for (std::size_t d = 0; d < dim; ++d) want += double(v[d]) * std::tanh(double(q[d]) + double(k[j * dim + d]));
        CHECK(kernels::additive_score(q.data(), k.data() + j * dim, 1, v.data(), dim) == Approx(want).margin(1e-5));
        CHECK(kernels::additive_score(q.data(), kt.data() + j, stride, v.data(), dim) ==
              kernels::additive_score(q.data(), k.data() + j * dim, 1, v.data(), dim));
    }
}

TEST_CASE("select_top_k equals a stable descending sort, ties to the lowest index") {
    for (std::uint64_t seed = 0; seed < 5; ++seed) {
        auto x = normals(6700, 10 + seed);
        for (std::size_t i = 0; i < x.size(); i += 7) x[i] = std::round(x[i] * 2) / 2;  // many ties
        std::vector<std::int32_t> order(x.size());
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](std::int32_t a, std::int32_t b) { return x[a] > x[b]; });
        for (std::size_t k : {1u, 32u, 100u}) {
            std::vector<std::int32_t> got(k);
            kernels::select_top_k(x.data(), x.size(), k, got.data());
            CHECK(std::equal(got.begin(), got.end(), order.begin()));
        }
    }
    const std::vector<float> nan_row = {1.0f, NAN, 3.0f, 3.0f};
    std::vector<std::int32_t> got(4);
    kernels::select_top_k(nan_row.data(), nan_row.size(), 4, got.data());
    CHECK(got == std::vector<std::int32_t>{2, 3, 0, 1});
}

// The CUDA top-k's block-wide selection, run on the host as the kernel runs it: 256 lanes, a tree of pairs.
std::vector<std::int32_t> block_top_k(const std::vector<float>& row, std::size_t k) {
    constexpr std::size_t lanes = 256;
    std::vector<unsigned> taken((row.size() + 31) / 32, 0u);
    std::vector<std::int32_t> chosen;
    for (std::size_t r = 0; r < k; ++r) {
        std::vector<float> value(lanes);
        std::vector<std::int32_t> index(lanes);
        for (std::size_t lane = 0; lane < lanes; ++lane)
            kernels::top_k_lane_best(row.data(), row.size(), lane, lanes, taken.data(), value[lane], index[lane]);
        for (std::size_t half = lanes / 2; half > 0; half /= 2)
            for (std::size_t lane = 0; lane < half; ++lane)
                kernels::top_k_keep_better(value[lane], index[lane], value[lane + half], index[lane + half]);
        chosen.push_back(index[0]);
        taken[std::size_t(index[0]) / 32] |= 1u << (std::size_t(index[0]) % 32);
    }
    return chosen;
}

TEST_CASE("the CUDA top-k's block-wide selection gives select_top_k's indices, ties and NaN included") {
    counter_rng rng(41);
    for (const std::size_t n : {std::size_t(32), std::size_t(300), std::size_t(6700)})
        for (int trial = 0; trial < 4; ++trial) {
            std::vector<float> row(n);
            for (auto& v : row) v = float(int(rng.next_below(trial < 2 ? 7 : 1000))) - 3;  // many ties when trial < 2
            if (trial % 2 == 1)
                for (std::size_t i = 0; i < n; i += 9) row[i] = NAN;
            for (const std::size_t k : {std::size_t(1), std::size_t(32)}) {
                std::vector<std::int32_t> want(k);
                kernels::select_top_k(row.data(), n, k, want.data());
                INFO("n " << n << ", trial " << trial << ", k " << k);
                CHECK(block_top_k(row, k) == want);
            }
        }
}

TEST_CASE("conv_relu_pool_at equals the reference conv1d, relu and max_pool1d, and the CPU fused layer") {
    constexpr std::size_t L = 300, C = 4, F = 16, W = 15, P = 30;
    using layer = conv1d_relu_max_pool1d<F, W, P, P, padding::same, bias::on>::bind<shape<L, C>>;
    const kernels::conv_pool_sizes s{L, C, F, W, P, P, layer::pad_before, layer::geometry::group};
    static_assert(layer::geometry::group == 3, "EPIANN's sizes use the triple table");
    auto weight = normals(layer::param_size, 6);
    // One-hot DNA with an N, then general input.
    std::vector<float> onehot(L * C, 0.0f);
    counter_rng rng(7);
    for (std::size_t p = 0; p < L; ++p)
        if (p != 17) onehot[p * C + rng.next_below(C)] = 1.0f;
    for (const bool one_hot : {true, false}) {
        const auto x = one_hot ? onehot : normals(L * C, 8);
        std::vector<float> conv((L - W + 1) * F), relu_out(conv.size()), pooled(layer::out_length * F);
        kernels::reference::conv1d(x.data(), L, C, weight.data(), weight.data() + layer::weight_size, F, W, conv.data());
        for (std::size_t i = 0; i < conv.size(); ++i) relu_out[i] = std::max(conv[i], 0.0f);
        kernels::reference::max_pool1d(relu_out.data(), L - W + 1, F, P, P, layer::pad_before, layer::out_length, pooled.data());
        tensor<float, shape<L, C>> in(1);
        std::copy(x.begin(), x.end(), in.data());
        tensor<float, layer::output> out(1);
        std::vector<float> cache(layer::cache_size);
        cpu_context ctx(1);
        ctx.training = true;  // the pool positions are compared: eval mode skips them on one-hot input
        layer{}.forward<float>(ctx, weight.data(), in.cview(), out.view(), cache.data());
        const auto* arg = reinterpret_cast<const std::int32_t*>(cache.data());
        for (std::size_t o = 0; o < layer::out_length; ++o)
            for (std::size_t f = 0; f < F; ++f) {
                const auto r = kernels::conv_relu_pool_at(s, x.data(), weight.data(), weight.data() + layer::weight_size, o, f);
                CHECK(r.value == Approx(pooled[o * F + f]).margin(1e-5));
                CHECK(r.value == Approx(out[o * F + f]).margin(1e-5));
                // One-hot: the same additions in the same order as the CPU's table, so the same bits and the same
                // argmax (a near-tie in a 30-wide window cannot go another way on the GPU).
                if (one_hot) CHECK(r.value == out[o * F + f]);
                if (r.value > 0) {
                    CHECK(r.where == arg[o * F + f]);
                    CHECK(conv[std::size_t(r.where) * F + f] == Approx(r.value).margin(1e-5));
                }
            }
    }
}

TEST_CASE("loss terms match the textbook formulas") {
    for (double x : {-50.0, -2.0, 0.0, 0.7, 30.0})
        for (double y : {0.0, 0.3, 1.0}) {
            const double p = 1 / (1 + std::exp(-x));
            if (std::abs(x) < 20) CHECK(kernels::bce_with_logits_term(x, y) == Approx(-(y * std::log(p) + (1 - y) * std::log(1 - p))));
            CHECK(std::isfinite(kernels::bce_with_logits_term(x, y)));
            CHECK(kernels::bce_with_logits_slope(x, y) == Approx(p - y).margin(1e-12));
        }
}

TEST_CASE("optimiser updates match their closed forms") {
    // Adam's first step moves every parameter by lr * sign(g) (up to eps), whatever the gradient's size.
    const kernels::adam_update<double> adam{0.9, 0.999, 1e-8, 0.0, 1e-3 / (1 - 0.9), 1 / std::sqrt(1 - 0.999)};
    for (double g : {-4.0, 0.001, 7.0}) {
        double p = 1, m = 0, v = 0;
        adam(p, m, v, g);
        CHECK(p == Approx(1 - 1e-3 * (g > 0 ? 1 : -1)).epsilon(1e-6));
        CHECK(m == Approx(0.1 * g));
        CHECK(v == Approx(0.001 * g * g));
    }
    double p = 2, velocity = 0;
    kernels::sgd_update<double>{0.1, 0.9, 0.5, true}(p, &velocity, 1.0);  // g = 1 + 0.5 * 2 = 2
    CHECK(velocity == 2.0);
    CHECK(p == Approx(1.8));
    kernels::sgd_update<double>{0.1, 0.9, 0.0, false}(p, &velocity, 1.0);  // v = 0.9 * 2 + 1
    CHECK(velocity == Approx(2.8));
    CHECK(p == Approx(1.8 - 0.28));
    double q = 1;
    kernels::sgd_update<double>{0.5, 0.0, 0.0, false}(q, nullptr, 2.0);
    CHECK(q == 0.0);
}
