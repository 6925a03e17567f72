// repeat<N>(block) and per_repeat{layer} (nn/repeat.hpp): finite-difference gradient checks in double (a shared block,
// per_repeat layer_norm and batch_norm inside residual and seq, an encoder with shared attention); repeat<1> is the
// block alone; repeat<N> without per_repeat parts is the block applied N times by hand (its gradient the sum of the
// applications'); parameter names, initialisation and buffers of the per-repeat copies; inspection paths; and a golden
// test against a float64 PyTorch encoder with one shared nn.MultiheadAttention and feed-forward block and per-layer
// nn.LayerNorm (tests/golden/make_repeat_golden.py -> tests/golden/repeat.safetensors).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "helix/helix.hpp"
#include "helix/layers/attention/multi_head_attention.hpp"
#include "helix/layers/norm/batch_norm.hpp"
#include "helix/layers/norm/layer_norm.hpp"
#include "helix/nn/inspect.hpp"
#include "helix/nn/repeat.hpp"
#include "helix/nn/residual.hpp"
#include "helix/testing/compare.hpp"
#include "helix/testing/gradient_check.hpp"
#include "support/golden.hpp"

using namespace helix;

namespace {

template <io_type In, class Spec>
void check(const char* name, const Spec& spec, testing::gradient_check_options opt = {}) {
    const typename Spec::template bind<In> layer(spec);
    const auto report = testing::check_gradients(layer, opt);
    INFO(name << " on " << In::str() << (opt.training ? " (training)" : "") << "\n" << report.message());
    CHECK(report.ok());
    CHECK(report.input.count > 0);
    CHECK(report.params.count > 0);
}
testing::gradient_check_options training(std::size_t batch = 3) {
    testing::gradient_check_options o;
    o.training = true;
    o.batch = batch;
    return o;
}

std::vector<double> normals(std::size_t n, std::uint64_t seed, double sd = 1.0) {
    counter_rng rng(seed, 5);
    std::vector<double> v(n);
    for (auto& x : v) x = sd * rng.next_normal();
    return v;
}

// One forward and backward of a bound layer in double: the output, d input and d params for dout = g.
struct pass_result {
    std::vector<double> out, dx, dp, params_after;
};
template <class Bound>
pass_result run_layer(const Bound& layer, std::size_t batch, const std::vector<double>& x, std::vector<double> p,
                      const std::vector<double>& g, bool train = false) {
    using In = typename Bound::input;
    using Out = typename Bound::output;
    cpu_context ctx(2);
    ctx.training = train;
    pass_result r;
    r.out.assign(batch * io_size<Out>, 0.0);
    r.dx.assign(batch * io_size<In>, 777.0);
    r.dp.assign(Bound::param_size, 0.0);
    std::vector<double> cache(std::max<std::size_t>(1, batch * Bound::cache_size));
    layer.template forward<double>(ctx, p.data(), view_at<In, const double>(x.data(), batch),
                                   view_at<Out, double>(r.out.data(), batch), cache.data());
    layer.template backward<double>(ctx, p.data(), r.dp.data(), view_at<In, const double>(x.data(), batch),
                                    view_at<Out, const double>(r.out.data(), batch),
                                    view_at<Out, const double>(g.data(), batch),
                                    view_at<In, double>(r.dx.data(), batch), cache.data());
    r.params_after = p;
    return r;
}

void check_close(const std::vector<double>& actual, const std::vector<double>& expected, const char* what,
                 testing::tolerance tol = {1e-12, 1e-13}) {
    const auto c = testing::compare(std::span<const double>(actual), std::span<const double>(expected), tol, what);
    INFO(c.message());
    CHECK(c.ok);
}

std::vector<std::string> names_of(const std::vector<param_info>& items) {
    std::vector<std::string> n;
    for (const auto& p : items) n.push_back(p.name);
    return n;
}

// EPI-Mind's encoder stack at a small size: shared attention and feed-forward, two norms per layer.
template <std::size_t Layers, std::size_t Heads, std::size_t Hidden, std::size_t Channels>
auto encoder(double eps) {
    return repeat<Layers>(seq{residual{multi_head_attention<Heads>{}}, per_repeat{layer_norm{eps}},
                              residual{seq{dense<Hidden>{}, relu{}, dense<Channels>{}}}, per_repeat{layer_norm{eps}}});
}

}  // namespace

TEST_CASE("repeat gradients: a shared block, per_repeat norms inside residual and seq, a shared-attention encoder") {
    check<shape<3, 4>>("repeat<3> of a shared dense + relu", repeat<3>(seq{dense<4, bias::on>{}, relu{}}));
    check<shape<5, 4>>("repeat<3> with per_repeat layer_norm after a residual",
                       repeat<3>(seq{residual{seq{dense<6>{}, helix::tanh{}, dense<4>{}}}, per_repeat{layer_norm{}}}));
    const auto with_batch_norm =
        repeat<3>(seq{residual{seq{dense<4>{}, per_repeat{batch_norm{}}, relu{}}}, per_repeat{layer_norm{1e-3}}});
    check<shape<5, 4>>("repeat<3>, per_repeat batch_norm inside a residual (training)", with_batch_norm, training());
    check<shape<5, 4>>("repeat<3>, per_repeat batch_norm inside a residual (evaluation)", with_batch_norm);
    check<shape<4>>("repeat<3> with a per_repeat batch_norm in a named part (training)",
                    repeat<3>(seq{with_name<"norm">(per_repeat{batch_norm{}}), dense<4>{}, helix::tanh{}}),
                    training(4));
    check<shape<5, 4>>("repeat<2> encoder: shared multi_head_attention and feed-forward, per_repeat layer_norm",
                       encoder<2, 2, 6, 4>(1e-5));
    check<shape<4>>("repeat<1>", repeat<1>(seq{dense<4>{}, per_repeat{layer_norm{}}}));
    check<pair_of<shape<3, 4>, shape<2, 4>>>("repeat<2> of a twin with a per_repeat layer_norm, on a pair",
                                             repeat<2>(twin{seq{dense<4>{}, helix::tanh{}, per_repeat{layer_norm{}}}}));
    check<shape<4>>("repeat<2> with a repeat<3> inside, each with its per_repeat layer_norm",
                    repeat<2>(seq{per_repeat{layer_norm{}}, repeat<3>(seq{dense<4>{}, helix::tanh{},
                                                                          per_repeat{layer_norm{}}})}));
}

TEST_CASE("repeat<1> is the block alone") {
    using In = shape<5, 4>;
    const typename decltype(repeat<1>(seq{dense<4>{}, relu{}, per_repeat{layer_norm{}}}))::template bind<In> once(
        repeat<1>(seq{dense<4>{}, relu{}, per_repeat{layer_norm{}}}));
    const seq<dense<4>, relu, layer_norm>::bind<In> alone{seq{dense<4>{}, relu{}, layer_norm{}}};
    STATIC_REQUIRE(decltype(once)::param_size == decltype(alone)::param_size);
    const std::size_t batch = 3;
    const auto x = normals(batch * In::size, 1), p = normals(decltype(once)::param_size, 2, 0.5),
               g = normals(batch * In::size, 3);
    const auto a = run_layer(once, batch, x, p, g), b = run_layer(alone, batch, x, p, g);
    CHECK(a.out == b.out);
    CHECK(a.dx == b.dx);
    CHECK(a.dp == b.dp);
}

TEST_CASE("repeat<N> without per_repeat parts is the block applied N times by hand; its gradient is the sum") {
    using In = shape<4, 3>;
    using block_t = seq<dense<3, bias::on>, helix::tanh, batch_norm, layer_norm>;
    const block_t block{};
    const typename block_t::template bind<In> b(block);
    const typename repeated<3, block_t>::template bind<In> r(repeat<3>(block));
    STATIC_REQUIRE(decltype(r)::param_size == decltype(b)::param_size);
    const std::size_t batch = 4, n = batch * In::size;
    auto p = normals(b.param_size, 7, 0.5);
    for (std::size_t i = 0; i < 3; ++i) p[12 + 9 + i] = 1.0 + std::abs(p[12 + 9 + i]);  // running_var > 0
    const auto x = normals(n, 8), g = normals(n, 9);

    for (const bool train : {false, true}) {
        INFO((train ? "training" : "evaluation"));
        const auto rep = run_layer(r, batch, x, p, g, train);

        // By hand: three forwards, each with its own cache, then three backwards in reverse.
        cpu_context ctx(2);
        ctx.training = train;
        auto params = p;
        std::vector<std::vector<double>> xs(4, std::vector<double>(n));
        std::vector<std::vector<double>> caches(3, std::vector<double>(batch * b.cache_size + 1));
        xs[0] = x;
        for (std::size_t k = 0; k < 3; ++k)
            b.forward<double>(ctx, params.data(), view_at<In, const double>(xs[k].data(), batch),
                              view_at<In, double>(xs[k + 1].data(), batch), caches[k].data());
        check_close(rep.out, xs[3], "output of repeat<3> vs the block three times", {0, 0});
        check_close(rep.params_after, params, "buffers after the forwards (batch_norm's running statistics)", {0, 0});
        std::vector<double> dp(b.param_size, 0.0), sum(b.param_size, 0.0), d = g, dx(n);
        for (std::size_t k = 3; k-- > 0;) {
            std::vector<double> dp_k(b.param_size, 0.0);
            b.backward<double>(ctx, params.data(), dp.data(), view_at<In, const double>(xs[k].data(), batch),
                               view_at<In, const double>(xs[k + 1].data(), batch),
                               view_at<In, const double>(d.data(), batch), view_at<In, double>(dx.data(), batch),
                               caches[k].data());
            b.backward<double>(ctx, params.data(), dp_k.data(), view_at<In, const double>(xs[k].data(), batch),
                               view_at<In, const double>(xs[k + 1].data(), batch),
                               view_at<In, const double>(d.data(), batch), view_at<In, double>(dx.data(), batch),
                               caches[k].data());
            for (std::size_t i = 0; i < sum.size(); ++i) sum[i] += dp_k[i];
            d = dx;
        }
        check_close(rep.dx, d, "input gradient vs by hand", {0, 0});
        check_close(rep.dp, dp, "parameter gradient vs by hand, accumulated in the same order", {0, 0});
        check_close(rep.dp, sum, "parameter gradient vs the sum of the three applications' gradients");
        const auto nonzero = std::count_if(rep.dp.begin(), rep.dp.end(), [](double v) { return v != 0.0; });
        CHECK(nonzero >= 12 + 3 + 6);  // dense, then the norms' weights and biases (not the buffers)
    }
}

TEST_CASE("repeat: parameter names, one shared set, per-repeat copies initialised as the layer alone") {
    using In = shape<5, 8>;
    auto net = make_network<In, double>(encoder<3, 2, 16, 8>(1e-8));
    const auto names = names_of(net.parameter_info());
    const std::vector<std::string> expected = {
        "block.0.in_proj_weight", "block.0.in_proj_bias", "block.0.out_proj.weight", "block.0.out_proj.bias",
        "block.1.r0.weight",      "block.1.r0.bias",      "block.1.r1.weight",       "block.1.r1.bias",
        "block.1.r2.weight",      "block.1.r2.bias",      "block.2.0.weight",        "block.2.0.bias",
        "block.2.2.weight",       "block.2.2.bias",       "block.3.r0.weight",       "block.3.r0.bias",
        "block.3.r1.weight",      "block.3.r1.bias",      "block.3.r2.weight",       "block.3.r2.bias"};
    CHECK(names == expected);
    // One attention and one feed-forward block (what unshared layers would hold 3 times), 6 norms of their own.
    constexpr std::size_t mha = 3 * 8 * 8 + 3 * 8 + 8 * 8 + 8, ffn = 8 * 16 + 16 + 16 * 8 + 8, norms = 6 * 2 * 8;
    STATIC_REQUIRE(decltype(net)::param_size == mha + ffn + norms);
    std::size_t offset = 0;
    for (const auto& p : net.parameter_info()) {  // arena order, no gaps
        CHECK(p.offset == offset);
        offset += p.size;
    }
    CHECK(offset == net.param_size);

    net.init(11);
    const auto& items = net.parameter_info();
    for (const auto& p : items) {
        if (p.name.find(".r") == std::string::npos) continue;
        const bool scale = p.name.ends_with("weight");
        INFO(p.name);
        CHECK(std::all_of(net.parameters().begin() + std::ptrdiff_t(p.offset),
                          net.parameters().begin() + std::ptrdiff_t(p.offset + p.size),
                          [&](double v) { return v == (scale ? 1.0 : 0.0); }));
    }

    // A with_name<> block names the shared set; named per_repeat parts keep their names.
    const auto layer = with_name<"layer">(seq{dense<4>{}, with_name<"norm">(per_repeat{layer_norm{}})});
    const auto net2 = make_network<shape<4>>(repeat<2>(layer));
    CHECK(names_of(net2.parameter_info()) ==
          std::vector<std::string>{"layer.0.weight", "layer.0.bias", "layer.norm.r0.weight", "layer.norm.r0.bias",
                                   "layer.norm.r1.weight", "layer.norm.r1.bias"});
    // A repeat inside a repeat: each per_repeat belongs to the innermost repeat around it.
    const auto net3 = make_network<shape<4>>(
        repeat<2>(seq{per_repeat{layer_norm{}}, repeat<3>(seq{dense<4, bias::off>{}, per_repeat{layer_norm{}}})}));
    CHECK(names_of(net3.parameter_info()) ==
          std::vector<std::string>{"block.0.r0.weight", "block.0.r0.bias", "block.0.r1.weight", "block.0.r1.bias",
                                   "block.1.block.0.weight", "block.1.block.1.r0.weight", "block.1.block.1.r0.bias",
                                   "block.1.block.1.r1.weight", "block.1.block.1.r1.bias", "block.1.block.1.r2.weight",
                                   "block.1.block.1.r2.bias"});
}

TEST_CASE("repeat: per_repeat batch_norm keeps one set of running statistics per application") {
    using In = shape<6, 3>;
    auto net =
        make_network<In, double>(repeat<2>(seq{per_repeat{batch_norm{}}, dense<3, bias::on>{}, helix::tanh{}}));
    CHECK(names_of(net.parameter_info()) ==
          std::vector<std::string>{"block.0.r0.weight", "block.0.r0.bias", "block.0.r0.running_mean",
                                   "block.0.r0.running_var", "block.0.r1.weight", "block.0.r1.bias",
                                   "block.0.r1.running_mean", "block.0.r1.running_var", "block.1.weight",
                                   "block.1.bias"});
    REQUIRE(net.buffer_info().size() == 4);
    net.init(5);
    for (const auto& b : net.buffer_info()) {
        INFO(b.name);
        const double expected = b.name.ends_with("running_var") ? 1.0 : 0.0;
        CHECK(std::all_of(net.parameters().begin() + std::ptrdiff_t(b.offset),
                          net.parameters().begin() + std::ptrdiff_t(b.offset + b.size),
                          [&](double v) { return v == expected; }));
    }

    const std::size_t batch = 4;
    tensor<double, In> x(batch);
    const auto xv = normals(x.size(), 21);
    std::copy(xv.begin(), xv.end(), x.data());
    cpu_context ctx(2);
    set_mode(ctx, mode::training);
    net.forward(ctx, x.cview());

    // Each copy's statistics are those a batch_norm alone computes from its own application's input.
    const auto bn_update = [&](const double* input, std::size_t copy) {
        const batch_norm::bind<In> alone{batch_norm{}};
        std::vector<double> p(net.parameters().begin() + std::ptrdiff_t(copy * 12),
                              net.parameters().begin() + std::ptrdiff_t(copy * 12 + 12));
        std::fill(p.begin() + 6, p.begin() + 9, 0.0);  // the initial buffers
        std::fill(p.begin() + 9, p.end(), 1.0);
        std::vector<double> out(batch * In::size);
        cpu_context c(1);
        c.training = true;
        alone.forward<double>(c, p.data(), view_at<In, const double>(input, batch),
                              view_at<In, double>(out.data(), batch), nullptr);
        return std::vector<double>(p.begin() + 6, p.end());
    };
    const auto app0 = find<"0.0.r0">(net), app1 = find<"1.0.r1">(net);
    CHECK(app0.input.data() == x.data());
    CHECK(app1.input.data() == find<"0">(net).output.data());
    for (std::size_t copy = 0; copy < 2; ++copy) {
        const auto expected = bn_update(copy == 0 ? app0.input.data() : app1.input.data(), copy);
        const std::vector<double> actual(net.parameters().begin() + std::ptrdiff_t(copy * 12 + 6),
                                         net.parameters().begin() + std::ptrdiff_t(copy * 12 + 12));
        INFO("copy " << copy);
        check_close(actual, expected, "running statistics of the copy vs batch_norm alone", {1e-14, 1e-15});
        CHECK(actual != std::vector<double>({0, 0, 0, 1, 1, 1}));
    }
    CHECK(app0.params == net.parameters().data());
    CHECK(app1.params == net.parameters().data() + 12);
}

TEST_CASE("repeat: find<path> and layer_paths reach every application and its parts") {
    using In = shape<5, 8>;
    auto net = make_network<In, double>(seq{with_name<"encoder">(encoder<3, 2, 16, 8>(1e-8))});
    net.init(3);
    tensor<double, In> x(2);
    const auto xv = normals(x.size(), 4);
    std::copy(xv.begin(), xv.end(), x.data());
    cpu_context ctx(1);
    net.forward(ctx, x.cview());

    std::vector<std::string> lines;
    for (const auto& p : layer_paths(net)) lines.push_back(p.path + " " + p.output);
    for (const std::string e : {"encoder <5, 8>", "encoder.0 <5, 8>", "encoder.2.0.fn <5, 8>", "encoder.2.1.r2 <5, 8>",
                                "encoder.1.3.r1 <5, 8>", "encoder.0.2.fn.1 <5, 16>"}) {
        INFO(e);
        CHECK(std::find(lines.begin(), lines.end(), e) != lines.end());
    }
    CHECK(std::find(lines.begin(), lines.end(), "encoder.1.1.r0 <5, 8>") == lines.end());

    // Applications chain: each one's input is the previous one's output; the last one's output is the model's.
    CHECK(find<"encoder.0">(net).input.data() == x.data());
    CHECK(find<"encoder.1">(net).input.data() == find<"encoder.0">(net).output.data());
    CHECK(find<"encoder.2">(net).input.data() == find<"encoder.1">(net).output.data());
    CHECK(find<"encoder.2">(net).output.data() == find<"">(net).output.data());
    // The shared attention has the same parameters in every application, each norm those of its copy.
    CHECK(find<"encoder.0.0.fn">(net).params == find<"encoder.2.0.fn">(net).params);
    const auto norm = find<"encoder.1.3.r1">(net);
    const auto it = std::find_if(net.parameter_info().begin(), net.parameter_info().end(),
                                 [](const param_info& p) { return p.name == "encoder.block.3.r1.weight"; });
    REQUIRE(it != net.parameter_info().end());
    CHECK(norm.params == net.parameters().data() + it->offset);
    // Each application keeps its own attention weights (rows sum to 1), and they differ between applications.
    const auto a0 = find<"encoder.0.0.fn">(net), a2 = find<"encoder.2.0.fn">(net);
    using mha_t = typename decltype(a0)::bound_type;
    const auto w0 = mha_t::attention(a0.cache, 2, 1, 0), w2 = mha_t::attention(a2.cache, 2, 1, 0);
    double row = 0, diff = 0;
    for (std::size_t j = 0; j < 5; ++j) row += w2(0, 2, j);
    for (std::size_t i = 0; i < 5; ++i)
        for (std::size_t j = 0; j < 5; ++j) diff += std::abs(w0(0, i, j) - w2(0, i, j));
    CHECK(row == Approx(1.0).epsilon(1e-12));
    CHECK(diff > 1e-6);
}

namespace {
// Must match BATCH, LENGTH, CHANNELS, HEADS, HIDDEN, LAYERS, EPS in tests/golden/make_repeat_golden.py.
constexpr std::size_t golden_batch = 3, golden_length = 5, golden_channels = 8, golden_heads = 2, golden_hidden = 16,
                      golden_layers = 3;
const helix_test::golden_fixture& golden() {
    static const helix_test::golden_fixture fixture(HELIX_GOLDEN_DIR "/repeat.safetensors");
    return fixture;
}
}  // namespace

TEST_CASE("repeat matches a PyTorch encoder with one shared MultiheadAttention and feed-forward, per-layer LayerNorm") {
    using In = shape<golden_length, golden_channels>;
    const testing::tolerance tol{.rtol = 1e-9, .atol = 1e-12};
    auto net = make_network<In, double>(encoder<golden_layers, golden_heads, golden_hidden, golden_channels>(1e-8));
    REQUIRE(net.parameter_info().size() == 4 + 4 + 4 * golden_layers);
    for (const auto& p : net.parameter_info()) {
        const safetensors_entry& entry = golden().at("encoder.param." + p.name);
        INFO(p.name);
        REQUIRE(entry.dims == p.dims);
        const auto v = entry.as<double>();
        std::copy(v.begin(), v.end(), net.parameters().begin() + std::ptrdiff_t(p.offset));
    }
    tensor<double, In> x(golden_batch), dx(golden_batch);
    const auto xv = golden().values("encoder.input");
    REQUIRE(xv.size() == x.size());
    std::copy(xv.begin(), xv.end(), x.data());
    dx.fill(12345.0);

    cpu_context ctx(2);
    const auto out = net.forward(ctx, x.cview());
    golden().check_close({out.data(), out.size()}, "encoder.output", tol);
    const auto g = golden().values("encoder.g");
    REQUIRE(g.size() == out.gradient.size());
    std::copy(g.begin(), g.end(), out.gradient.data());
    net.zero_grad();
    net.backward(ctx, x.cview(), dx.view());
    golden().check_close({dx.data(), dx.size()}, "encoder.input_grad", tol);
    for (const auto& p : net.parameter_info())
        golden().check_close(net.gradients().subspan(p.offset, p.size), "encoder.grad." + p.name, tol);
}
