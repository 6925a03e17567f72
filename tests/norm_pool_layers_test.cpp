// The normalisation, pooling and activation layers (layer_norm, batch_norm, global_max_pool, global_avg_pool,
// avg_pool1d<W, S>, gelu, softmax): finite-difference gradient checks in double (inputs and parameters, batch_norm in
// both modes), plain reference loops against the layers in float on several threads, and behaviours: batch_norm's
// running statistics (updated by a training forward, read in evaluation, untouched by the optimisers, set by init()),
// layer_norm's init, the first of ties in global_max_pool, softmax on large inputs, gelu's values.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "helix/helix.hpp"
#include "helix/layers/norm/batch_norm.hpp"
#include "helix/layers/norm/layer_norm.hpp"
#include "helix/layers/pooling/avg_pool1d.hpp"
#include "helix/layers/pooling/global_pool.hpp"
#include "helix/layers/softmax.hpp"
#include "helix/testing/gradient_check.hpp"

using namespace helix;

namespace {

template <class Spec, io_type In>
void check(const char* name, const Spec& spec = Spec{}, testing::gradient_check_options opt = {}) {
    const typename Spec::template bind<In> layer(spec);
    const auto report = testing::check_gradients(layer, opt);
    INFO(name << " on " << In::str() << (opt.training ? " (training)" : "") << "\n" << report.message());
    CHECK(report.ok());
    CHECK(report.input.count > 0);
    if constexpr (Spec::template bind<In>::param_size > 0) CHECK(report.params.count > 0);
}
testing::gradient_check_options training(std::size_t batch = 2) {
    testing::gradient_check_options o;
    o.training = true;
    o.batch = batch;
    return o;
}
testing::gradient_check_options batch_of(std::size_t batch) {
    testing::gradient_check_options o;
    o.batch = batch;
    return o;
}

// One forward and backward of a bound layer in T: the output, d input and d params for dout = g.
template <class T>
struct pass_result {
    std::vector<T> out, dx, dp, params_after;
};
template <class T, class Bound>
pass_result<T> run_layer(const Bound& layer, cpu_context& ctx, std::size_t batch, const std::vector<double>& x,
                         const std::vector<double>& p, const std::vector<double>& g) {
    using In = typename Bound::input;
    using Out = typename Bound::output;
    std::vector<T> xt(x.begin(), x.end()), pt(p.begin(), p.end()), gt(g.begin(), g.end());
    pass_result<T> r;
    r.out.assign(batch * Out::size, T(0));
    r.dx.assign(batch * In::size, T(777));
    r.dp.assign(Bound::param_size, T(0));
    std::vector<T> cache(std::max<std::size_t>(1, batch * Bound::cache_size));
    layer.template forward<T>(ctx, pt.data(), view_at<In, const T>(xt.data(), batch),
                              view_at<Out, T>(r.out.data(), batch), cache.data());
    layer.template backward<T>(ctx, pt.data(), r.dp.data(), view_at<In, const T>(xt.data(), batch),
                               view_at<Out, const T>(r.out.data(), batch), view_at<Out, const T>(gt.data(), batch),
                               view_at<In, T>(r.dx.data(), batch), cache.data());
    r.params_after = pt;
    return r;
}

std::vector<double> normals(std::size_t n, std::uint64_t seed, double sd = 1.0, double mean = 0.0) {
    counter_rng rng(seed, 3);
    std::vector<double> v(n);
    for (auto& x : v) x = mean + sd * rng.next_normal();
    return v;
}

template <class A>
void check_close(const std::vector<A>& actual, const std::vector<double>& expected, const char* what,
                 testing::tolerance tol = {2e-5, 2e-6}) {
    const auto c = testing::compare(std::span<const A>(actual), std::span<const double>(expected), tol, what);
    INFO(c.message());
    CHECK(c.ok);
}

// ---- plain reference loops (double) ----

// layer_norm over rows of c values.
void ref_layer_norm(const std::vector<double>& x, const std::vector<double>& p, std::size_t c, double eps,
                    const std::vector<double>& g, std::vector<double>& y, std::vector<double>& dx,
                    std::vector<double>& dp) {
    const std::size_t rows = x.size() / c;
    y.assign(x.size(), 0), dx.assign(x.size(), 0), dp.assign(2 * c, 0);
    for (std::size_t r = 0; r < rows; ++r) {
        double mean = 0, var = 0;
        for (std::size_t j = 0; j < c; ++j) mean += x[r * c + j] / double(c);
        for (std::size_t j = 0; j < c; ++j) var += (x[r * c + j] - mean) * (x[r * c + j] - mean) / double(c);
        const double sd = std::sqrt(var + eps);
        std::vector<double> xhat(c), dxhat(c);
        for (std::size_t j = 0; j < c; ++j) {
            xhat[j] = (x[r * c + j] - mean) / sd;
            y[r * c + j] = xhat[j] * p[j] + p[c + j];
            dp[j] += g[r * c + j] * xhat[j];
            dp[c + j] += g[r * c + j];
            dxhat[j] = g[r * c + j] * p[j];
        }
        // dx_i = (1/sd) (dxhat_i - mean(dxhat) - xhat_i mean(dxhat xhat))
        double m1 = 0, m2 = 0;
        for (std::size_t j = 0; j < c; ++j) m1 += dxhat[j] / double(c), m2 += dxhat[j] * xhat[j] / double(c);
        for (std::size_t j = 0; j < c; ++j) dx[r * c + j] = (dxhat[j] - m1 - xhat[j] * m2) / sd;
    }
}

// batch_norm over n rows of c channels; p = weight, bias, running_mean, running_var (updated when training).
void ref_batch_norm(const std::vector<double>& x, std::vector<double>& p, std::size_t c, double eps, double momentum,
                    bool training, const std::vector<double>& g, std::vector<double>& y, std::vector<double>& dx,
                    std::vector<double>& dp) {
    const std::size_t n = x.size() / c;
    y.assign(x.size(), 0), dx.assign(x.size(), 0), dp.assign(4 * c, 0);
    for (std::size_t ch = 0; ch < c; ++ch) {
        double mean = 0, var = 0;
        if (training) {
            for (std::size_t r = 0; r < n; ++r) mean += x[r * c + ch];
            mean /= double(n);
            for (std::size_t r = 0; r < n; ++r) var += (x[r * c + ch] - mean) * (x[r * c + ch] - mean);
            var /= double(n);
            p[2 * c + ch] = 0.9 * p[2 * c + ch] + 0.1 * mean;
            p[3 * c + ch] = 0.9 * p[3 * c + ch] + 0.1 * var * double(n) / double(n - 1);
            (void)momentum;
        } else {
            mean = p[2 * c + ch], var = p[3 * c + ch];
        }
        const double sd = std::sqrt(var + eps);
        double sum_g = 0, sum_gx = 0;
        for (std::size_t r = 0; r < n; ++r) {
            const double xhat = (x[r * c + ch] - mean) / sd;
            y[r * c + ch] = p[ch] * xhat + p[c + ch];
            dp[ch] += g[r * c + ch] * xhat;
            dp[c + ch] += g[r * c + ch];
            sum_g += g[r * c + ch], sum_gx += g[r * c + ch] * xhat;
        }
        for (std::size_t r = 0; r < n; ++r) {
            const double xhat = (x[r * c + ch] - mean) / sd;
            dx[r * c + ch] = training ? p[ch] / sd * (g[r * c + ch] - sum_g / double(n) - xhat * sum_gx / double(n))
                                      : p[ch] / sd * g[r * c + ch];
        }
    }
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------------------
// Gradient checks

TEST_CASE("layer_norm gradients, on vectors, per position and on rank 3") {
    check<layer_norm, shape<6>>("layer_norm on a vector");
    check<layer_norm, shape<5, 4>>("layer_norm on <5, 4>", layer_norm{}, batch_of(3));
    check<layer_norm, shape<2, 3, 4>>("layer_norm on <2, 3, 4>");
    check<layer_norm, shape<4, 3>>("layer_norm with eps 0.1", layer_norm{0.1});
    check<layer_norm, shape<3, 2>>("layer_norm on two channels", layer_norm{}, batch_of(1));
}

TEST_CASE("batch_norm gradients, evaluation and training (through the batch statistics)") {
    check<batch_norm, shape<4>>("batch_norm on <C>, evaluation", batch_norm{}, batch_of(3));
    check<batch_norm, shape<4>>("batch_norm on <C>, training", batch_norm{}, training(3));
    check<batch_norm, shape<4>>("batch_norm on <C>, training, batch 2", batch_norm{}, training(2));
    check<batch_norm, shape<5, 3>>("batch_norm on <L, C>, evaluation", batch_norm{}, batch_of(2));
    check<batch_norm, shape<5, 3>>("batch_norm on <L, C>, training", batch_norm{}, training(2));
    check<batch_norm, shape<5, 3>>("batch_norm on <L, C>, training, batch 1", batch_norm{}, training(1));
    check<batch_norm, shape<4, 2>>("batch_norm, eps 0.01 momentum 0.3, training", batch_norm{0.01, 0.3}, training(3));
}

TEST_CASE("global pools gradients") {
    check<global_max_pool, shape<6, 3>>("global_max_pool", global_max_pool{}, batch_of(3));
    check<global_max_pool, shape<1, 4>>("global_max_pool of one position");
    check<global_avg_pool, shape<6, 3>>("global_avg_pool", global_avg_pool{}, batch_of(3));
    check<global_avg_pool, shape<1, 2>>("global_avg_pool of one position");
}

TEST_CASE("avg_pool1d gradients: tiling, overlapping, gaps, whole length, leftover positions") {
    check<avg_pool1d<3>, shape<9, 2>>("avg_pool1d<3> tiling");
    check<avg_pool1d<3, 2>, shape<10, 2>>("avg_pool1d<3, 2> overlapping, one leftover position");
    check<avg_pool1d<2, 3>, shape<8, 2>>("avg_pool1d<2, 3> with gaps between windows");
    check<avg_pool1d<4>, shape<4, 3>>("avg_pool1d as wide as its input");
    check<avg_pool1d<1>, shape<5, 2>>("avg_pool1d<1>: the identity");
    check<avg_pool1d<4, 1>, shape<7, 1>>("avg_pool1d<4, 1>, stride 1");
}

TEST_CASE("gelu, sigmoid, tanh and softmax gradients") {
    check<gelu, shape<3, 4>>("gelu", gelu{}, batch_of(3));
    check<gelu, shape<7>>("gelu on wide inputs", gelu{}, [] {
        auto o = batch_of(2);
        o.fill_input = [](std::vector<double>& x, counter_rng& rng) {
            for (auto& v : x) v = 4 * rng.next_normal();
        };
        return o;
    }());
    check<sigmoid, shape<3, 4>>("sigmoid");
    check<helix::tanh, shape<3, 4>>("tanh");
    check<softmax, shape<5>>("softmax on a vector", softmax{}, batch_of(3));
    check<softmax, shape<3, 4>>("softmax per position");
    check<softmax, shape<2, 3, 2>>("softmax on rank 3");
    check<softmax, shape<2, 1>>("softmax of one value per row");
}

TEST_CASE("gradients of compositions: a normalised MLP and a conv trunk with batch_norm") {
    check<seq<dense<6>, layer_norm, gelu, dense<3>, softmax>, shape<5>>("dense, layer_norm, gelu, dense, softmax",
                                                                        {}, batch_of(3));
    check<seq<conv1d<4, 3>, batch_norm, relu, avg_pool1d<2>, global_max_pool, dense<2>>, shape<9, 3>>(
        "conv1d, batch_norm, relu, avg_pool1d, global_max_pool, dense (training)", {}, training(3));
    check<seq<conv1d<4, 3>, batch_norm, helix::tanh, global_avg_pool>, shape<9, 3>>(
        "conv1d, batch_norm, tanh, global_avg_pool (evaluation)", {}, batch_of(2));
}

// ---------------------------------------------------------------------------------------------------------------------
// Plain reference loops against the layers, in float on four threads (and in double)

TEST_CASE("layer_norm agrees with a plain loop, in float and double") {
    using L = layer_norm::bind<shape<7, 5>>;
    const std::size_t batch = 3;
    const L layer{layer_norm{1e-3}};
    const auto x = normals(batch * 35, 1, 2.0, 0.5), p = normals(10, 2), g = normals(batch * 35, 3);
    std::vector<double> y, dx, dp;
    ref_layer_norm(x, p, 5, 1e-3, g, y, dx, dp);
    cpu_context ctx(4);
    const auto f = run_layer<float>(layer, ctx, batch, x, p, g);
    check_close(f.out, y, "layer_norm output (float)");
    check_close(f.dx, dx, "layer_norm input gradient (float)");
    check_close(f.dp, dp, "layer_norm parameter gradient (float)", {1e-4, 1e-5});
    const auto d = run_layer<double>(layer, ctx, batch, x, p, g);
    check_close(d.out, y, "layer_norm output (double)", {1e-12, 1e-13});
    check_close(d.dx, dx, "layer_norm input gradient (double)", {1e-12, 1e-13});
    check_close(d.dp, dp, "layer_norm parameter gradient (double)", {1e-12, 1e-13});
}

TEST_CASE("batch_norm agrees with a plain loop in both modes, running statistics included") {
    using L = batch_norm::bind<shape<6, 4>>;
    const std::size_t batch = 3, n = batch * 24;
    const L layer{};
    const auto x = normals(n, 4, 1.5, -0.7), g = normals(n, 5);
    auto p = normals(16, 6);
    for (std::size_t c = 0; c < 4; ++c) p[12 + c] = 0.5 + std::abs(p[12 + c]);  // a running variance
    for (const bool train : {false, true}) {
        INFO((train ? "training" : "evaluation"));
        std::vector<double> y, dx, dp, p_ref = p;
        ref_batch_norm(x, p_ref, 4, 1e-5, 0.1, train, g, y, dx, dp);
        cpu_context ctx(4);
        ctx.training = train;
        const auto f = run_layer<float>(layer, ctx, batch, x, p, g);
        check_close(f.out, y, "batch_norm output (float)");
        check_close(f.dx, dx, "batch_norm input gradient (float)", {1e-4, 1e-5});
        check_close(f.dp, dp, "batch_norm parameter gradient (float; buffers get none)", {1e-4, 1e-5});
        check_close(f.params_after, p_ref, "batch_norm parameters and buffers after forward (float)");
        const auto d = run_layer<double>(layer, ctx, batch, x, p, g);
        check_close(d.out, y, "batch_norm output (double)", {1e-12, 1e-13});
        check_close(d.dx, dx, "batch_norm input gradient (double)", {1e-11, 1e-13});
        check_close(d.dp, dp, "batch_norm parameter gradient (double)", {1e-12, 1e-13});
        check_close(d.params_after, p_ref, "batch_norm buffers after forward (double)", {1e-14, 1e-15});
    }
}

TEST_CASE("global pools, avg_pool1d and softmax agree with plain loops") {
    const std::size_t batch = 3, L = 11, C = 4;
    const auto x = normals(batch * L * C, 7), gp = normals(batch * C, 8);
    cpu_context ctx(4);
    {
        std::vector<double> ymax(batch * C), yavg(batch * C), dmax(x.size(), 0), davg(x.size());
        for (std::size_t b = 0; b < batch; ++b)
            for (std::size_t c = 0; c < C; ++c) {
                std::size_t best = 0;
                double s = 0;
                for (std::size_t l = 0; l < L; ++l) {
                    if (x[(b * L + l) * C + c] > x[(b * L + best) * C + c]) best = l;
                    s += x[(b * L + l) * C + c];
                }
                ymax[b * C + c] = x[(b * L + best) * C + c];
                yavg[b * C + c] = s / double(L);
                dmax[(b * L + best) * C + c] = gp[b * C + c];
                for (std::size_t l = 0; l < L; ++l) davg[(b * L + l) * C + c] = gp[b * C + c] / double(L);
            }
        const auto fm = run_layer<float>(global_max_pool::bind<shape<L, C>>{}, ctx, batch, x, {}, gp);
        check_close(fm.out, ymax, "global_max_pool output");
        check_close(fm.dx, dmax, "global_max_pool input gradient");
        const auto fa = run_layer<float>(global_avg_pool::bind<shape<L, C>>{}, ctx, batch, x, {}, gp);
        check_close(fa.out, yavg, "global_avg_pool output");
        check_close(fa.dx, davg, "global_avg_pool input gradient");
    }
    {
        constexpr std::size_t W = 4, S = 3, out = (L - W) / S + 1;  // 3 windows, positions 9 and 10 left over
        const auto g = normals(batch * out * C, 9);
        std::vector<double> y(batch * out * C, 0), dx(x.size(), 0);
        for (std::size_t b = 0; b < batch; ++b)
            for (std::size_t o = 0; o < out; ++o)
                for (std::size_t k = 0; k < W; ++k)
                    for (std::size_t c = 0; c < C; ++c) {
                        y[(b * out + o) * C + c] += x[(b * L + o * S + k) * C + c] / double(W);
                        dx[(b * L + o * S + k) * C + c] += g[(b * out + o) * C + c] / double(W);
                    }
        const auto f = run_layer<float>(avg_pool1d<W, S>::bind<shape<L, C>>{}, ctx, batch, x, {}, g);
        check_close(f.out, y, "avg_pool1d<4, 3> output");
        check_close(f.dx, dx, "avg_pool1d<4, 3> input gradient");
    }
    {
        const auto g = normals(x.size(), 10);
        std::vector<double> y(x.size()), dx(x.size());
        for (std::size_t r = 0; r < batch * L; ++r) {
            double top = -1e300, sum = 0, dot = 0;
            for (std::size_t c = 0; c < C; ++c) top = std::max(top, x[r * C + c]);
            for (std::size_t c = 0; c < C; ++c) sum += std::exp(x[r * C + c] - top);
            for (std::size_t c = 0; c < C; ++c) y[r * C + c] = std::exp(x[r * C + c] - top) / sum;
            for (std::size_t c = 0; c < C; ++c) dot += y[r * C + c] * g[r * C + c];
            for (std::size_t c = 0; c < C; ++c) dx[r * C + c] = y[r * C + c] * (g[r * C + c] - dot);
        }
        const auto f = run_layer<float>(softmax::bind<shape<L, C>>{}, ctx, batch, x, {}, g);
        check_close(f.out, y, "softmax output");
        check_close(f.dx, dx, "softmax input gradient");
    }
}

// ---------------------------------------------------------------------------------------------------------------------
// Behaviours

TEST_CASE("batch_norm: buffers named as PyTorch's, set by init(), updated only by a training forward, kept by the "
          "optimisers") {
    using net_t = network<shape<5, 3>, seq<conv1d<3, 2>, batch_norm, relu, global_avg_pool, dense<1>>>;
    net_t net;
    const auto& info = net.parameter_info();
    REQUIRE(info.size() == 7);
    CHECK(info[1].name == "1.weight");
    CHECK(info[2].name == "1.bias");
    CHECK(info[3].name == "1.running_mean");
    CHECK(info[4].name == "1.running_var");
    CHECK(info[3].kind == param_kind::buffer);
    CHECK(info[4].kind == param_kind::buffer);
    CHECK(info[1].kind == param_kind::weight);
    CHECK(net.has_buffers());

    const auto values = [&](std::size_t k) {
        return std::vector<float>(net.parameters().begin() + std::ptrdiff_t(info[k].offset),
                                  net.parameters().begin() + std::ptrdiff_t(info[k].offset + info[k].size));
    };
    for (const bool truncated : {false, true}) {
        if (truncated) net.init(3, init::truncated_normal{});  // its biases would be 0.1: batch_norm's stay 0
        else net.init(3);
        CHECK(values(1) == std::vector<float>(3, 1.0f));
        CHECK(values(2) == std::vector<float>(3, 0.0f));
        CHECK(values(3) == std::vector<float>(3, 0.0f));
        CHECK(values(4) == std::vector<float>(3, 1.0f));
    }

    tensor<float, shape<5, 3>> x(4);
    const auto xv = normals(x.size(), 11);
    std::copy(xv.begin(), xv.end(), x.data());
    cpu_context ctx(2);

    // Evaluation: nothing moves.
    ctx.training = false;
    auto out = net.forward(ctx, x.cview());
    CHECK(values(3) == std::vector<float>(3, 0.0f));
    CHECK(values(4) == std::vector<float>(3, 1.0f));
    const std::vector<float> eval_out(out.data(), out.data() + 4);

    // Training: the buffers move towards the batch statistics of the conv output.
    ctx.training = true;
    out = net.forward(ctx, x.cview());
    const auto rm = values(3), rv = values(4);
    CHECK(rm != std::vector<float>(3, 0.0f));
    CHECK(rv != std::vector<float>(3, 1.0f));
    for (auto& g : std::span<float>(out.gradient.data(), 4)) g = 1.0f;
    net.zero_grad();
    net.backward(ctx, x.cview());
    // No gradient reaches a buffer.
    for (std::size_t k : {3u, 4u})
        for (std::size_t i = 0; i < info[k].size; ++i) CHECK(net.gradients()[info[k].offset + i] == 0.0f);

    const auto before = std::vector<float>(net.parameters().begin(), net.parameters().end());
    adam<float> opt(0.1f, 0.9f, 0.999f, 1e-8f, /*weight_decay=*/0.1f);
    opt.step(net);
    CHECK(values(3) == rm);
    CHECK(values(4) == rv);
    CHECK(values(1) != std::vector<float>(before.begin() + std::ptrdiff_t(info[1].offset),
                                          before.begin() + std::ptrdiff_t(info[1].offset + 3)));
    sgd<float> plain(0.5f, 0.9f, 0.1f);
    plain.step(net);
    CHECK(values(3) == rm);
    CHECK(values(4) == rv);

    // Evaluation now reads the moved running statistics: a different function than before.
    ctx.training = false;
    out = net.forward(ctx, x.cview());
    CHECK(std::vector<float>(out.data(), out.data() + 4) != eval_out);
}

TEST_CASE("batch_norm: the running statistics converge to the data's over repeated training passes") {
    using L = batch_norm::bind<shape<2>>;
    const L layer{batch_norm{1e-5, 0.5}};
    const std::size_t batch = 4;
    // Channel 0: values 1, 2, 3, 4 (mean 2.5, unbiased variance 5/3); channel 1: constant 7.
    // Parameters: weight [2], bias [2], running_mean [2], running_var [2].
    std::vector<double> x = {1, 7, 2, 7, 3, 7, 4, 7}, p = {1, 1, 0, 0, 0, 0, 1, 1}, y(8), cache(1);
    cpu_context ctx(1);
    ctx.training = true;
    for (int i = 0; i < 40; ++i)
        layer.forward<double>(ctx, p.data(), view_at<shape<2>, const double>(x.data(), batch),
                              view_at<shape<2>, double>(y.data(), batch), cache.data());
    CHECK(p[4] == Approx(2.5).epsilon(1e-11));
    CHECK(p[5] == Approx(7.0).epsilon(1e-11));
    CHECK(p[6] == Approx(5.0 / 3.0).epsilon(1e-11));
    CHECK(std::abs(p[7]) < 1e-11);
    CHECK(p[0] == 1.0);  // the trained parameters are not touched by forward
    CHECK(p[2] == 0.0);
    // Training output of the constant channel: 0 (its deviation is 0), whatever the running statistics.
    CHECK(y[1] == 0.0);
    CHECK(y[0] == Approx(-1.5 / std::sqrt(1.25 + 1e-5)));
}

TEST_CASE("batch_norm: training on one value per channel is refused, as PyTorch does; evaluation accepts it") {
    std::vector<double> x(3, 1.0), p = {1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1}, y(3), cache(1);
    cpu_context ctx(1);
    ctx.training = true;
    const batch_norm::bind<shape<3>> vec{};
    CHECK_THROWS_AS(vec.forward<double>(ctx, p.data(), view_at<shape<3>, const double>(x.data(), 1),
                                        view_at<shape<3>, double>(y.data(), 1), cache.data()),
                    argument_error);
    const batch_norm::bind<shape<1, 3>> one_position{};
    CHECK_THROWS_WITH(one_position.forward<double>(ctx, p.data(), view_at<shape<1, 3>, const double>(x.data(), 1),
                                                   view_at<shape<1, 3>, double>(y.data(), 1), cache.data()),
                      Catch::Contains("batch_norm: training needs more than one value per channel"));
    ctx.training = false;
    CHECK_NOTHROW(vec.forward<double>(ctx, p.data(), view_at<shape<3>, const double>(x.data(), 1),
                                      view_at<shape<3>, double>(y.data(), 1), cache.data()));
    CHECK(y[0] == Approx(1.0 / std::sqrt(1.0 + 1e-5)));
    CHECK_THROWS_AS(batch_norm(-1.0), argument_error);
    CHECK_THROWS_AS(batch_norm(1e-5, 1.5), argument_error);
    CHECK_THROWS_AS(layer_norm(-0.5), argument_error);
}

TEST_CASE("layer_norm: weight starts at 1 and bias at 0 whatever the initialiser; rows come out standardised") {
    network<shape<4, 6>, seq<dense<6>, layer_norm>> net;
    for (const bool fan_in : {false, true}) {
        if (fan_in) net.init(5, init::fan_in_uniform{});
        else net.init(5, init::truncated_normal{});
        const auto& w = net.parameter_info()[2];
        const auto& b = net.parameter_info()[3];
        CHECK(w.name == "1.weight");
        CHECK(b.name == "1.bias");
        for (std::size_t i = 0; i < 6; ++i) {
            CHECK(net.parameters()[w.offset + i] == 1.0f);
            CHECK(net.parameters()[b.offset + i] == 0.0f);
        }
    }
    tensor<float, shape<4, 6>> x(2);
    const auto xv = normals(x.size(), 12, 3.0, 2.0);
    std::copy(xv.begin(), xv.end(), x.data());
    cpu_context ctx(1);
    const auto out = net.forward(ctx, x.cview());
    for (std::size_t r = 0; r < 8; ++r) {
        double mean = 0, sq = 0;
        for (std::size_t j = 0; j < 6; ++j) mean += out.data()[r * 6 + j] / 6.0;
        for (std::size_t j = 0; j < 6; ++j) sq += (out.data()[r * 6 + j] - mean) * (out.data()[r * 6 + j] - mean) / 6.0;
        CHECK(std::abs(mean) < 1e-5);
        CHECK(sq == Approx(1.0).epsilon(1e-3));
    }
}

TEST_CASE("global_max_pool: ties go to the first position; a NaN propagates") {
    const global_max_pool::bind<shape<4, 2>> layer{};
    // Channel 0: 1, 3, 3, 2 (the first 3 wins); channel 1: 5, 5, 5, 5 (position 0 wins).
    const std::vector<double> x = {1, 5, 3, 5, 3, 5, 2, 5}, g = {10, 20};
    cpu_context ctx(1);
    const auto r = run_layer<double>(layer, ctx, 1, x, {}, g);
    CHECK(r.out == std::vector<double>{3, 5});
    CHECK(r.dx == std::vector<double>{0, 20, 10, 0, 0, 0, 0, 0});
    const std::vector<double> with_nan = {1, 0, std::nan(""), 0, 4, 0, 2, 0};
    const auto n = run_layer<double>(layer, ctx, 1, with_nan, {}, g);
    CHECK(std::isnan(n.out[0]));
    CHECK(n.dx[2] == 10);
}

TEST_CASE("softmax: rows sum to 1 and large inputs do not overflow") {
    const softmax::bind<shape<2, 3>> layer{};
    const std::vector<double> x = {1000, 1001, 1002, -5, 0, 5}, g(6, 1.0);
    cpu_context ctx(1);
    const auto r = run_layer<float>(layer, ctx, 1, x, {}, g);
    for (std::size_t row = 0; row < 2; ++row) {
        float s = 0;
        for (std::size_t j = 0; j < 3; ++j) {
            CHECK(std::isfinite(r.out[row * 3 + j]));
            s += r.out[row * 3 + j];
        }
        CHECK(s == Approx(1.0f).epsilon(1e-6));
    }
    CHECK(r.out[2] == Approx(0.66524096f).epsilon(1e-6));
    for (const float d : r.dx) CHECK(std::abs(d) < 1e-6f);  // a constant upstream gradient: nothing to pass back
}

TEST_CASE("gelu: the exact erf form's values and derivative") {
    CHECK(kernels::gelu_op::forward(1.0) == Approx(0.8413447460685429).epsilon(1e-15));
    CHECK(kernels::gelu_op::forward(-1.0) == Approx(-0.15865525393145707).epsilon(1e-15));
    CHECK(kernels::gelu_op::forward(0.0) == 0.0);
    CHECK(kernels::gelu_op::backward(1.0, 1.0) == Approx(1.0833154705876864).epsilon(1e-15));
    CHECK(kernels::gelu_op::backward(0.0, 2.0) == 1.0);
    STATIC_REQUIRE(kernels::backward_from_input<kernels::gelu_op>);
    STATIC_REQUIRE(!kernels::backward_from_input<kernels::relu_op>);
    STATIC_REQUIRE(!kernels::backward_from_input<kernels::tanh_op>);
}
