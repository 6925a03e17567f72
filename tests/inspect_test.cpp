// Reading a model after forward (find<"path">, layer_paths, visit_layers), input gradients (saliency), the mode
// switch, buffers (state beside the parameters that optimisers and gradient checks leave alone) and the
// initialisation a layer prescribes.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "helix/helix.hpp"
#include "helix/testing/compare.hpp"
#include "helix/testing/gradient_check.hpp"

using namespace helix;

namespace {

// A layer with a buffer: y = x + s, where s (a buffer, initial 0.5) counts training forwards (s += 1 each), and a
// weight that starts at 2 whatever the initialiser (param_init::constant).
struct counting_shift {
    template <io_type In>
    struct bind {
        using input = detail::shape_or<In>;
        using output = input;
        static constexpr std::size_t param_size = 2;  // scale (weight), then the buffer
        static constexpr std::size_t cache_size = 0;
        bind() = default;
        explicit bind(const counting_shift&) {}
        void describe(param_list& pl) const {
            pl.add("scale", {1}, param_kind::weight, 1, 1, 0);
            pl.initialise_last(param_init::constant, 2.0);
            pl.add_buffer("shift", {1}, 0.5, 1);
        }
        template <class T>
        void forward(const cpu_context& ctx, const T* params, view_t<const T, input> in, view_t<T, output> out, T*) const {
            for (std::size_t i = 0; i < in.size(); ++i) out[i] = params[0] * in[i] + params[1];
            if (ctx.training) const_cast<T*>(params)[1] += T(1);
        }
        template <class T>
        void backward(const cpu_context&, const T* params, T* grads, view_t<const T, input> in, view_t<const T, output>,
                      view_t<const T, output> dout, view_t<T, input> din, T*) const {
            for (std::size_t i = 0; i < in.size(); ++i) grads[0] += dout[i] * in[i];
            if (!din.empty())
                for (std::size_t i = 0; i < in.size(); ++i) din[i] = params[0] * dout[i];
        }
    };
};

struct normal_table {
    template <io_type In>
    struct bind : counting_shift::bind<In> {
        void describe(param_list& pl) const {
            pl.add("scale", {1}, param_kind::weight, 1, 1, 0);
            pl.initialise_last(param_init::normal, 3.0);
            pl.add_buffer("shift", {1}, 0.0, 1);
        }
        bind() = default;
        explicit bind(const normal_table&) {}
    };
};

using pair_in = pair_of<shape<12, 4>, shape<9, 4>>;
auto pair_model() {
    return seq{with_name<"trunk">(twin{seq{with_name<"conv">(conv1d<3, 3, bias::on>{}), helix::tanh{}}}),
               with_name<"attention">(branches{with_name<"promoter_queries">(additive_cross_attention<2, queries::second>{}),
                                               with_name<"enhancer_queries">(additive_cross_attention<2>{})}),
               with_name<"head">(branches{with_name<"logit">(seq{bilinear<>{}, flatten{}, dense<1>{}}),
                                          with_name<"aux">(auxiliary{halves{seq{flatten{}, dense<2>{}}, seq{flatten{}, dense<2>{}}}})})};
}

template <class T>
void fill_normal(T* p, std::size_t n, std::uint64_t seed) {
    counter_rng rng(seed);
    for (std::size_t i = 0; i < n; ++i) p[i] = T(rng.next_normal());
}

}  // namespace

TEST_CASE("find<path> gives a layer's input, output and cache after forward") {
    auto net = make_network<pair_in, double>(pair_model());
    net.init(3);
    tensor<double, shape<12, 4>> e(2);
    tensor<double, shape<9, 4>> p(2);
    fill_normal(e.data(), e.size(), 1);
    fill_normal(p.data(), p.size(), 2);
    cpu_context ctx(1);
    set_mode(ctx, mode::inference);
    net.forward(ctx, make_pair_view(e.cview(), p.cview()));

    // The conv of the promoter application recomputed by hand from its parameters.
    const auto conv = find<"trunk.second.conv">(net);
    STATIC_REQUIRE(std::is_same_v<typename decltype(conv)::bound_type::output, shape<7, 3>>);
    CHECK(conv.input.data() == p.data());
    const double* w = conv.params;  // weight [3, 4, 3], then bias [3]
    double worst = 0;
    for (std::size_t b = 0; b < 2; ++b)
        for (std::size_t l = 0; l < 7; ++l)
            for (std::size_t f = 0; f < 3; ++f) {
                double y = w[36 + f];
                for (std::size_t k = 0; k < 3; ++k)
                    for (std::size_t c = 0; c < 4; ++c) y += p(b, l + k, c) * w[(k * 4 + c) * 3 + f];
                worst = std::max(worst, std::abs(y - conv.output(b, l, f)));
            }
    INFO("worst |conv output - recomputed| " << worst);
    CHECK(worst < 1e-12);

    // The tanh after it reads the conv's output and gives the trunk's second output.
    const auto act = find<"trunk.second.1">(net);
    CHECK(act.input.data() == conv.output.data());
    CHECK(find<"trunk">(net).output.second.data() == act.output.data());
    CHECK(std::tanh(conv.output[5]) == Approx(act.output[5]).epsilon(1e-15));

    // Attention weights through the path: rows sum to 1, and they are the cache the layer keeps.
    const auto att = find<"attention.enhancer_queries">(net);
    const auto a = decltype(att)::bound_type::attention(att.cache, 1);  // 10 x 7
    for (std::size_t i = 0; i < 10; ++i) {
        double row = 0;
        for (std::size_t j = 0; j < 7; ++j) row += a(0, i, j);
        CHECK(row == Approx(1.0).epsilon(1e-12));
    }
    // The model's output is the root's, and the logit path ends in it.
    CHECK(find<"">(net).output.first.data() == find<"head.logit">(net).output.data());
}

TEST_CASE("layer_paths lists every part with its output shape") {
    const auto net = make_network<pair_in>(pair_model());
    std::vector<std::string> lines;
    for (const auto& p : layer_paths(net)) lines.push_back(p.path + " " + p.output);
    const std::vector<std::string> expected_some = {"trunk.first.conv <10, 3>", "trunk.second.conv <7, 3>",
                                                    "attention.enhancer_queries <10, 3>", "head.logit.2 <1>",
                                                    "head.aux.1.1 <2>"};
    for (const auto& e : expected_some) {
        INFO(e);
        CHECK(std::find(lines.begin(), lines.end(), e) != lines.end());
    }
    CHECK(lines.front() == " pair(<1>, pair(<2>, <2>))");
}

TEST_CASE("input_gradient is the saliency of the chosen output, checked by finite differences") {
    auto net = make_network<pair_in, double>(pair_model());
    net.init(5);
    tensor<double, shape<12, 4>> e(3), de(3);
    tensor<double, shape<9, 4>> p(3), dp(3);
    fill_normal(e.data(), e.size(), 7);
    fill_normal(p.data(), p.size(), 8);
    cpu_context ctx(1);
    set_mode(ctx, mode::inference);  // auxiliary heads are computed for the backward pass, their weights 0
    for (auto& g : net.gradients()) g = 0.25;
    const std::vector<double> weights{1, 0, 0, 0, 0};  // the logit; the auxiliary head's four outputs get 0
    input_gradient(net, ctx, make_pair_view(e.cview(), p.cview()), make_pair_view(de.view(), dp.view()),
                   std::span<const double>(weights));
    for (double g : net.gradients()) CHECK(g == 0.25);  // left as they were
    CHECK(mode_of(ctx) == mode::inference);

    const auto logit_sum = [&] {
        const auto out = net.forward(ctx, make_pair_view(e.cview(), p.cview()));
        return out.first[0] + out.first[1] + out.first[2];
    };
    std::vector<double> analytic, numeric;
    const double h = 1e-6;
    for (auto* t : {e.data(), p.data()}) {
        const std::size_t n = t == e.data() ? e.size() : p.size();
        const double* d = t == e.data() ? de.data() : dp.data();
        for (std::size_t i = 0; i < n; i += 5) {
            const double saved = t[i];
            t[i] = saved + h;
            const double up = logit_sum();
            t[i] = saved - h;
            const double down = logit_sum();
            t[i] = saved;
            analytic.push_back(d[i]);
            numeric.push_back((up - down) / (2 * h));
        }
    }
    const auto c = testing::compare(std::span<const double>(analytic), std::span<const double>(numeric), {1e-6, 1e-9},
                                    "input_gradient vs finite differences");
    INFO(c.message());
    CHECK(c.ok);
    CHECK(c.count > 20);
    CHECK_THROWS_AS(input_gradient(net, ctx, make_pair_view(e.cview(), p.cview()), make_pair_view(de.view(), dp.view()),
                                   std::span<const double>(weights).first(2)),
                    shape_error);
}

TEST_CASE("set_mode is the one switch between training, evaluation and inference") {
    cpu_context ctx(1);
    set_mode(ctx, mode::training);
    CHECK((ctx.training && ctx.auxiliary_outputs));
    CHECK(mode_of(ctx) == mode::training);
    set_mode(ctx, mode::evaluation);
    CHECK((!ctx.training && ctx.auxiliary_outputs));
    CHECK(mode_of(ctx) == mode::evaluation);
    set_mode(ctx, mode::inference);
    CHECK((!ctx.training && !ctx.auxiliary_outputs));
    CHECK(mode_of(ctx) == mode::inference);
}

TEST_CASE("buffers: init sets them, training forwards update them, optimisers and gradient checks leave them alone") {
    auto net = make_network<shape<3>>(seq{dense<3>{}, counting_shift{}, dense<1>{}});
    net.init(1);
    REQUIRE(net.has_buffers());
    const auto& info = net.parameter_info();
    const auto shift = std::find_if(info.begin(), info.end(), [](const param_info& p) { return p.name == "1.shift"; });
    const auto scale = std::find_if(info.begin(), info.end(), [](const param_info& p) { return p.name == "1.scale"; });
    REQUIRE(shift != info.end());
    REQUIRE(scale != info.end());
    CHECK(shift->kind == param_kind::buffer);
    CHECK(net.parameters()[shift->offset] == 0.5f);
    CHECK(net.parameters()[scale->offset] == 2.0f);  // the layer's prescribed start, not Glorot's

    tensor<float, shape<3>> x(4);
    tensor<float, shape<1>> y(4);
    fill_normal(x.data(), x.size(), 2);
    cpu_context ctx(1);
    set_mode(ctx, mode::training);
    adam<float> opt(0.1f, 0.9f, 0.999f, 1e-8f, /*weight_decay=*/0.5f);
    sgd<float> plain(0.1f, 0.9f, /*weight_decay=*/0.5f);
    for (int step = 0; step < 3; ++step) {
        net.zero_grad();
        const auto out = net.forward(ctx, x.view());
        bce_with_logits(out, y.cview(), out.gradient);
        net.backward(ctx, x.view());
        CHECK(net.gradients()[shift->offset] == 0.0f);
        if (step % 2) opt.step(net, ctx);
        else plain.step(net);
    }
    CHECK(net.parameters()[shift->offset] == 3.5f);  // three training forwards, no optimiser step
    CHECK(net.parameters()[scale->offset] != 2.0f);  // the weight itself trains
    set_mode(ctx, mode::evaluation);
    net.forward(ctx, x.view());
    CHECK(net.parameters()[shift->offset] == 3.5f);

    // The gradient check does not perturb the buffer (its analytic gradient is 0, the output does depend on it).
    const typename seq<dense<3>, counting_shift>::template bind<shape<3>> layer;
    const auto report = testing::check_gradients(layer);
    INFO(report.message());
    CHECK(report.ok());
}

TEST_CASE("param_init::normal draws a layer's prescribed normal start") {
    double sum = 0, sum2 = 0;
    for (std::uint64_t seed = 0; seed < 400; ++seed) {
        auto net = make_network<shape<2>, double>(seq{normal_table{}});
        net.init(seed);
        const double v = net.parameters()[0];
        sum += v;
        sum2 += v * v;
    }
    const double mean = sum / 400, sd = std::sqrt(sum2 / 400 - mean * mean);
    INFO("mean " << mean << " sd " << sd);
    CHECK(std::abs(mean) < 0.5);
    CHECK(sd == Approx(3.0).epsilon(0.15));
}
