// Each EPIANN layer forward and backward at the paper's sizes (batch 64), with GFLOP/s counters. Every benchmark
// first checks its layer against a reference (plain loops, the unfused layers, or the double-precision path) on
// the same data and reports SkipWithError when they differ.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include <helix/helix.hpp>
#include <helix/kernels/reference.hpp>
#include <helix/testing/compare.hpp>

using namespace helix;

namespace {
constexpr std::size_t batch = 64;
constexpr int threads = 2;

template <class T>
std::vector<T> normal_values(std::size_t n, std::uint64_t seed, double sd = 1.0) {
    counter_rng r(seed);
    std::vector<T> v(n);
    for (auto& x : v) x = T(sd * r.next_normal());
    return v;
}
template <class S>
tensor<float, S> one_hot(std::size_t n, std::uint64_t seed) {
    tensor<float, S> x(n);
    counter_rng r(seed);
    for (std::size_t b = 0; b < n; ++b)
        for (std::size_t l = 0; l < S::first; ++l) x(b, l, r.next_below(4)) = 1.0f;
    return x;
}
template <class T, class S>
tensor<T, S> normal_tensor(std::size_t n, std::uint64_t seed, double sd = 1.0) {
    tensor<T, S> t(n);
    const auto v = normal_values<T>(t.size(), seed, sd);
    std::copy(v.begin(), v.end(), t.data());
    return t;
}
bool agree(benchmark::State& state, const testing::comparison& c) {
    if (c.ok) return true;
    state.SkipWithError(c.message().c_str());
    return false;
}
void set_rate(benchmark::State& state, double flops_per_iteration, const char* name = "GFLOP/s") {
    state.counters[name] = benchmark::Counter(flops_per_iteration * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
    state.counters["us/example"] =
        benchmark::Counter(double(batch) * 1e-6, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

// ---- fused convolution + ReLU + SAME max-pool (enhancer 3000 bp or promoter 2000 bp) ----
template <std::size_t L>
using fused_trunk = conv1d_relu_max_pool1d<256, 15, 30, 30, padding::same>::bind<shape<L, 4>>;
template <std::size_t L>
using separate_trunk = seq<conv1d<256, 15>, relu, max_pool1d<30, 30, padding::same>>::bind<shape<L, 4>>;

// The fused layer against conv1d, relu, max_pool1d on 2 one-hot samples: output and weight gradient.
template <std::size_t L>
bool check_trunk(benchmark::State& state) {
    using F = fused_trunk<L>;
    using R = separate_trunk<L>;
    const auto x = one_hot<shape<L, 4>>(2, 5);
    const auto w = normal_values<float>(F::param_size, 6, 0.1);
    const auto dy = normal_tensor<float, typename F::output>(2, 7);
    tensor<float, typename F::output> y(2), y_ref(2);
    std::vector<float> cache(2 * F::cache_size), cache_ref(2 * R::cache_size), g(F::param_size), g_ref(F::param_size);
    cpu_context ctx(threads);
    F{}.template forward<float>(ctx, w.data(), x.cview(), y.view(), cache.data());
    R{}.template forward<float>(ctx, w.data(), x.cview(), y_ref.view(), cache_ref.data());
    F{}.template backward<float>(ctx, w.data(), g.data(), x.cview(), y.cview(), dy.cview(), {}, cache.data());
    R{}.template backward<float>(ctx, w.data(), g_ref.data(), x.cview(), y_ref.cview(), dy.cview(), {}, cache_ref.data());
    return agree(state, testing::compare(y.data(), y_ref.data(), y.size(), {1e-5, 1e-5}, "fused conv output")) &&
           agree(state, testing::compare(g.data(), g_ref.data(), g.size(), {1e-4, 1e-5}, "fused conv weight gradient"));
}

// Dense-equivalent work: 2 x conv positions x filters x width x channels (what conv1d multiplies).
template <std::size_t L>
constexpr double conv_dense_flops = 2.0 * double(batch) * double(L - 14) * 256 * 15 * 4;

template <std::size_t L>
void BM_conv_relu_pool_forward(benchmark::State& state) {
    if (!check_trunk<L>(state)) return;
    using F = fused_trunk<L>;
    const auto x = one_hot<shape<L, 4>>(batch, 1);
    const auto w = normal_values<float>(F::param_size, 2, 0.1);
    tensor<float, typename F::output> y(batch);
    std::vector<float> cache(batch * F::cache_size);
    cpu_context ctx(threads);
    for (auto _ : state) {
        F{}.template forward<float>(ctx, w.data(), x.cview(), y.view(), cache.data());
        benchmark::DoNotOptimize(y.data());
    }
    set_rate(state, conv_dense_flops<L>, "dense-equivalent GFLOP/s");
    // The work left on one-hot input: one addition of a filter column per tap and output.
    state.counters["Gadd/s"] = benchmark::Counter(double(batch) * double(L - 14) * 256 * 15 * 1e-9,
                                                  benchmark::Counter::kIsIterationInvariantRate);
}

template <std::size_t L>
void BM_conv_relu_pool_backward(benchmark::State& state) {
    if (!check_trunk<L>(state)) return;
    using F = fused_trunk<L>;
    const auto x = one_hot<shape<L, 4>>(batch, 1);
    const auto w = normal_values<float>(F::param_size, 2, 0.1);
    const auto dy = normal_tensor<float, typename F::output>(batch, 3);
    tensor<float, typename F::output> y(batch);
    std::vector<float> cache(batch * F::cache_size), g(F::param_size);
    cpu_context ctx(threads);
    F{}.template forward<float>(ctx, w.data(), x.cview(), y.view(), cache.data());
    for (auto _ : state) {
        F{}.template backward<float>(ctx, w.data(), g.data(), x.cview(), y.cview(), dy.cview(), {}, cache.data());
        benchmark::DoNotOptimize(g.data());
    }
    set_rate(state, conv_dense_flops<L>, "dense-equivalent GFLOP/s");
}

// The unfused path EPIANN used before (conv1d as one GEMM per sample, relu, max_pool1d), for comparison.
template <std::size_t L>
void BM_conv_relu_pool_separate_forward(benchmark::State& state) {
    using R = separate_trunk<L>;
    const auto x = one_hot<shape<L, 4>>(batch, 1);
    const auto w = normal_values<float>(R::param_size, 2, 0.1);
    tensor<float, typename R::output> y(batch);
    std::vector<float> cache(batch * R::cache_size);
    cpu_context ctx(threads);
    for (auto _ : state) {
        R{}.template forward<float>(ctx, w.data(), x.cview(), y.view(), cache.data());
        benchmark::DoNotOptimize(y.data());
    }
    set_rate(state, conv_dense_flops<L>);
}

// ---- additive cross-attention (enhancer bins ask promoter bins: 100 x 67, C 256, Dim 32) ----
using attention_in = pair_of<shape<100, 256>, shape<67, 256>>;
using attention_layer = additive_cross_attention<32>::bind<attention_in>;
// Projections 2 (Lq + Lk) C Dim, scores 3 Lq Lk Dim (add, tanh, multiply-add; tanh counted as one), context 2 Lq Lk C.
constexpr double attention_forward_flops = double(batch) * (2.0 * 167 * 256 * 32 + 3.0 * 100 * 67 * 32 + 2.0 * 100 * 67 * 256);

struct attention_data {
    tensor<float, shape<100, 256>> q = normal_tensor<float, shape<100, 256>>(batch, 11);
    tensor<float, shape<67, 256>> k = normal_tensor<float, shape<67, 256>>(batch, 12);
    std::vector<float> w = normal_values<float>(attention_layer::param_size, 13, 0.1);
    tensor<float, shape<100, 256>> out{batch}, dout = normal_tensor<float, shape<100, 256>>(batch, 14);
    tensor<float, shape<100, 256>> dq{batch};
    tensor<float, shape<67, 256>> dk{batch};
    std::vector<float> cache = std::vector<float>(batch * attention_layer::cache_size), grads =
        std::vector<float>(attention_layer::param_size);
    auto in() const { return make_pair_view(q.cview(), k.cview()); }
    auto din() { return make_pair_view(dq.view(), dk.view()); }
};

// The float layer (fast_tanh, vectorised) against the double layer (std::tanh, plain loops) on 2 samples.
bool check_attention(benchmark::State& state) {
    attention_data f;
    tensor<double, shape<100, 256>> q(2), dr(2), dq(2);
    tensor<double, shape<67, 256>> k(2), dk(2);
    for (std::size_t i = 0; i < q.size(); ++i) q[i] = f.q[i], dr[i] = f.dout[i];
    for (std::size_t i = 0; i < k.size(); ++i) k[i] = f.k[i];
    const std::vector<double> w(f.w.begin(), f.w.end());
    tensor<double, shape<100, 256>> out(2);
    std::vector<double> cache(2 * attention_layer::cache_size), grads(attention_layer::param_size);
    tensor<float, shape<100, 256>> qf(2), outf(2), drf(2), dqf(2);
    tensor<float, shape<67, 256>> kf(2), dkf(2);
    std::copy_n(f.q.data(), qf.size(), qf.data());
    std::copy_n(f.k.data(), kf.size(), kf.data());
    std::copy_n(f.dout.data(), drf.size(), drf.data());
    std::vector<float> cachef(2 * attention_layer::cache_size), gradsf(attention_layer::param_size);
    cpu_context ctx(threads);
    const attention_layer layer;
    layer.forward<double>(ctx, w.data(), make_pair_view(q.cview(), k.cview()), out.view(), cache.data());
    layer.backward<double>(ctx, w.data(), grads.data(), make_pair_view(q.cview(), k.cview()), out.cview(), dr.cview(),
                           make_pair_view(dq.view(), dk.view()), cache.data());
    layer.forward<float>(ctx, f.w.data(), make_pair_view(qf.cview(), kf.cview()), outf.view(), cachef.data());
    layer.backward<float>(ctx, f.w.data(), gradsf.data(), make_pair_view(qf.cview(), kf.cview()), outf.cview(),
                          drf.cview(), make_pair_view(dqf.view(), dkf.view()), cachef.data());
    return agree(state, testing::compare(outf.data(), out.data(), out.size(), {1e-4, 1e-5}, "attention output (float vs double)")) &&
           agree(state, testing::compare(gradsf.data(), grads.data(), grads.size(), {1e-3, 1e-4}, "attention weight gradients")) &&
           agree(state, testing::compare(dqf.data(), dq.data(), dq.size(), {1e-3, 1e-4}, "attention query gradient"));
}

void BM_attention_forward(benchmark::State& state) {
    if (!check_attention(state)) return;
    attention_data d;
    cpu_context ctx(threads);
    const attention_layer layer;
    for (auto _ : state) {
        layer.forward<float>(ctx, d.w.data(), d.in(), d.out.view(), d.cache.data());
        benchmark::DoNotOptimize(d.out.data());
    }
    set_rate(state, attention_forward_flops);
}

void BM_attention_backward(benchmark::State& state) {
    if (!check_attention(state)) return;
    attention_data d;
    cpu_context ctx(threads);
    const attention_layer layer;
    layer.forward<float>(ctx, d.w.data(), d.in(), d.out.view(), d.cache.data());
    for (auto _ : state) {
        layer.backward<float>(ctx, d.w.data(), d.grads.data(), d.in(), d.out.cview(), d.dout.cview(), d.din(), d.cache.data());
        benchmark::DoNotOptimize(d.grads.data());
    }
    set_rate(state, 2 * attention_forward_flops);
}

// ---- bilinear interaction map M = r_E W r_P^T + b (67 x 256, 256 x 256, 100 x 256) ----
using bilinear_layer = bilinear<>::bind<pair_of<shape<67, 256>, shape<100, 256>>>;
constexpr double bilinear_flops = double(batch) * (2.0 * 67 * 256 * 256 + 2.0 * 67 * 100 * 256);

bool check_bilinear(benchmark::State& state, const tensor<float, shape<67, 256>>& a, const tensor<float, shape<100, 256>>& b,
                    const std::vector<float>& w, const tensor<float, shape<67, 100>>& m) {
    std::vector<double> ref(67 * 100);
    for (std::size_t i = 0; i < 67; ++i)
        for (std::size_t j = 0; j < 100; ++j) {
            double s = w[256 * 256];
            for (std::size_t c = 0; c < 256; ++c)
                for (std::size_t e = 0; e < 256; ++e) s += double(a(0, i, c)) * w[c * 256 + e] * b(0, j, e);
            ref[i * 100 + j] = s;
        }
    return agree(state, testing::compare(m.data(), ref.data(), ref.size(), {1e-4, 1e-4}, "bilinear vs plain loops"));
}

void BM_bilinear_forward(benchmark::State& state) {
    const auto a = normal_tensor<float, shape<67, 256>>(batch, 21);
    const auto b = normal_tensor<float, shape<100, 256>>(batch, 22);
    const auto w = normal_values<float>(bilinear_layer::param_size, 23, 0.1);
    tensor<float, shape<67, 100>> m(batch);
    std::vector<float> cache(batch * bilinear_layer::cache_size);
    cpu_context ctx(threads);
    bilinear_layer{}.forward<float>(ctx, w.data(), make_pair_view(a.cview(), b.cview()), m.view(), cache.data());
    if (!check_bilinear(state, a, b, w, m)) return;
    for (auto _ : state) {
        bilinear_layer{}.forward<float>(ctx, w.data(), make_pair_view(a.cview(), b.cview()), m.view(), cache.data());
        benchmark::DoNotOptimize(m.data());
    }
    set_rate(state, bilinear_flops);
}

void BM_bilinear_backward(benchmark::State& state) {
    const auto a = normal_tensor<float, shape<67, 256>>(batch, 21);
    const auto b = normal_tensor<float, shape<100, 256>>(batch, 22);
    const auto w = normal_values<float>(bilinear_layer::param_size, 23, 0.1);
    const auto dm = normal_tensor<float, shape<67, 100>>(batch, 24);
    tensor<float, shape<67, 100>> m(batch);
    tensor<float, shape<67, 256>> da(batch);
    tensor<float, shape<100, 256>> db(batch);
    std::vector<float> cache(batch * bilinear_layer::cache_size), g(bilinear_layer::param_size);
    cpu_context ctx(threads);
    bilinear_layer{}.forward<float>(ctx, w.data(), make_pair_view(a.cview(), b.cview()), m.view(), cache.data());
    if (!check_bilinear(state, a, b, w, m)) return;
    for (auto _ : state) {
        bilinear_layer{}.backward<float>(ctx, w.data(), g.data(), make_pair_view(a.cview(), b.cview()), m.cview(), dm.cview(),
                                         make_pair_view(da.view(), db.view()), cache.data());
        benchmark::DoNotOptimize(g.data());
    }
    set_rate(state, 2 * bilinear_flops);
}

// ---- coordinate head's first layer on flattened r_P: dense 25,600 -> 128 over the batch ----
using head_layer = dense<128>::bind<shape<25600>>;
constexpr double head_flops = 2.0 * batch * 25600 * 128;

void BM_coordinate_dense_forward(benchmark::State& state) {
    const auto x = normal_tensor<float, shape<25600>>(batch, 31);
    const auto w = normal_values<float>(head_layer::param_size, 32, 0.01);
    tensor<float, shape<128>> y(batch);
    std::vector<float> ref(batch * 128);
    cpu_context ctx(threads);
    head_layer{}.forward<float>(ctx, w.data(), x.cview(), y.view(), nullptr);
    kernels::reference::dense(x.data(), batch, 25600, w.data(), w.data() + 25600 * 128, 128, ref.data());
    if (!agree(state, testing::compare(y.data(), ref.data(), ref.size(), {1e-4, 1e-4}, "dense vs reference"))) return;
    for (auto _ : state) {
        head_layer{}.forward<float>(ctx, w.data(), x.cview(), y.view(), nullptr);
        benchmark::DoNotOptimize(y.data());
    }
    set_rate(state, head_flops);
}

void BM_coordinate_dense_backward(benchmark::State& state) {
    const auto x = normal_tensor<float, shape<25600>>(batch, 31);
    const auto w = normal_values<float>(head_layer::param_size, 32, 0.01);
    const auto dy = normal_tensor<float, shape<128>>(batch, 33);
    tensor<float, shape<128>> y(batch);
    tensor<float, shape<25600>> dx(batch);
    std::vector<float> g(head_layer::param_size);
    cpu_context ctx(threads);
    // Check the weight gradient (x^T dy) on a few columns against plain sums.
    head_layer{}.backward<float>(ctx, w.data(), g.data(), x.cview(), y.cview(), dy.cview(), dx.view(), nullptr);
    std::vector<double> expect(128), got(128);
    for (std::size_t j = 0; j < 128; ++j) {
        double s = 0;
        for (std::size_t b = 0; b < batch; ++b) s += double(x(b, 7)) * dy(b, j);
        expect[j] = s;
        got[j] = g[7 * 128 + j];
    }
    if (!agree(state, testing::compare(got.data(), expect.data(), 128, {1e-4, 1e-4}, "dense weight gradient row 7"))) return;
    for (auto _ : state) {
        head_layer{}.backward<float>(ctx, w.data(), g.data(), x.cview(), y.cview(), dy.cview(), dx.view(), nullptr);
        benchmark::DoNotOptimize(g.data());
    }
    set_rate(state, 2 * head_flops);
}
}  // namespace

BENCHMARK(BM_conv_relu_pool_forward<3000>)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_conv_relu_pool_forward<2000>)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_conv_relu_pool_backward<3000>)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_conv_relu_pool_backward<2000>)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_conv_relu_pool_separate_forward<3000>)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_attention_forward)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_attention_backward)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_bilinear_forward)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_bilinear_backward)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_coordinate_dense_forward)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_coordinate_dense_backward)->UseRealTime()->Unit(benchmark::kMillisecond);
