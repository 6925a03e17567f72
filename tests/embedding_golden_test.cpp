// The embedding family against PyTorch in float64 and plain Python references: tests/golden/embedding.safetensors
// (made by tests/golden/make_embedding_golden.py) holds nn.Embedding's forward and backward with repeated ids, k-mer
// ids of one-hot windows with N rows and rows that are not one-hot, the tutorial's PositionalEncoding, learned
// positions, and a composite kmer_tokens<3> -> embedding -> sinusoidal_positions -> flatten -> dense<1>.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "helix/io/safetensors.hpp"
#include "helix/layers/dense.hpp"
#include "helix/layers/embedding/embedding.hpp"
#include "helix/layers/embedding/kmer_tokens.hpp"
#include "helix/layers/embedding/positions.hpp"
#include "helix/layers/flatten.hpp"
#include "helix/nn/network.hpp"
#include "helix/nn/seq.hpp"
#include "helix/testing/compare.hpp"
#include "support/golden.hpp"

using namespace helix;

namespace {

const testing::tolerance golden_tolerance{.rtol = 1e-10, .atol = 1e-12};
const testing::tolerance exact{.rtol = 0, .atol = 0};

const helix_test::golden_fixture& golden() {
    static const helix_test::golden_fixture fixture(HELIX_GOLDEN_DIR "/embedding.safetensors");
    return fixture;
}

std::vector<double> values(const std::string& name) { return golden().values(name); }

void check_close(const std::vector<double>& actual, const std::string& name,
                 testing::tolerance tol = golden_tolerance) {
    golden().check_close(actual, name, tol);
}

// One forward and one backward (dout = g) of a bound layer in double: output, input gradient, parameter gradient.
struct pass {
    std::vector<double> output, input_gradient, param_gradient;
};
template <class Bound>
pass run(const Bound& layer, std::vector<double> params, const std::vector<double>& input, std::size_t batch,
         const std::vector<double>& g = {}) {
    using In = typename Bound::input;
    using Out = typename Bound::output;
    REQUIRE(input.size() == batch * In::size);
    REQUIRE(params.size() == Bound::param_size);
    pass r;
    r.output.assign(batch * Out::size, 0.0);
    r.input_gradient.assign(input.size(), 12345.0);  // must be overwritten
    r.param_gradient.assign(Bound::param_size, 0.0);
    cpu_context ctx(2);
    layer.template forward<double>(ctx, params.data(), view_at<In, const double>(input.data(), batch),
                                   view_at<Out, double>(r.output.data(), batch), nullptr);
    if (g.empty()) return r;
    REQUIRE(g.size() == r.output.size());
    layer.template backward<double>(ctx, params.data(), r.param_gradient.data(),
                                    view_at<In, const double>(input.data(), batch),
                                    view_at<Out, const double>(r.output.data(), batch),
                                    view_at<Out, const double>(g.data(), batch),
                                    view_at<In, double>(r.input_gradient.data(), batch), nullptr);
    return r;
}

bool all_zero(const std::vector<double>& v) {
    return std::all_of(v.begin(), v.end(), [](double x) { return x == 0.0; });
}

}  // namespace

TEST_CASE("embedding matches nn.Embedding: forward, and a weight gradient summed over repeated ids") {
    const auto w = values("emb.weight"), ids = values("emb.ids"), g = values("emb.g");
    SECTION("ids <7>") {
        const auto r = run(embedding<11, 5>::bind<shape<7>>{}, w, ids, 3, g);
        check_close(r.output, "emb.output");
        check_close(r.param_gradient, "emb.grad.weight");
        CHECK(all_zero(r.input_gradient));
    }
    SECTION("ids <7, 1>") {
        const auto r = run(embedding<11, 5>::bind<shape<7, 1>>{}, w, ids, 3, g);
        check_close(r.output, "emb.output");
        check_close(r.param_gradient, "emb.grad.weight");
        CHECK(all_zero(r.input_gradient));
    }
}

TEST_CASE("kmer_tokens matches a string-spelling reference (N and not-one-hot rows -> 4^K) for K = 1, 3, 6") {
    const auto x = values("kmer.input");
    check_close(run(kmer_tokens<1>::bind<shape<20, 4>>{}, {}, x, 2).output, "kmer.ids1", exact);
    check_close(run(kmer_tokens<3>::bind<shape<20, 4>>{}, {}, x, 2).output, "kmer.ids3", exact);
    check_close(run(kmer_tokens<6>::bind<shape<20, 4>>{}, {}, x, 2).output, "kmer.ids6", exact);
}

TEST_CASE("sinusoidal_positions matches the PyTorch tutorial's PositionalEncoding") {
    const auto r = run(sinusoidal_positions::bind<shape<9, 6>>{}, {}, values("sin.input"), 2, values("sin.g"));
    check_close(r.output, "sin.output");
    check_close(r.input_gradient, "sin.grad.input");
    // The table itself at 500 positions (zero input), and an odd width from the same formula.
    check_close(run(sinusoidal_positions::bind<shape<500, 8>>{}, {}, std::vector<double>(500 * 8, 0.0), 1).output,
                "sin.table500x8");
    check_close(run(sinusoidal_positions::bind<shape<4, 5>>{}, {}, values("sin.odd.input"), 2).output,
                "sin.odd.output");
}

TEST_CASE("learned_positions matches x + nn.Embedding(L, C)(arange(L)), gradients included") {
    const auto r = run(learned_positions::bind<shape<6, 4>>{}, values("learned.weight"), values("learned.input"), 2,
                       values("learned.g"));
    check_close(r.output, "learned.output");
    check_close(r.input_gradient, "learned.grad.input");
    check_close(r.param_gradient, "learned.grad.weight");
}

TEST_CASE("kmer_tokens<3> -> embedding<65, 8> -> sinusoidal_positions -> flatten -> dense<1> matches torch") {
    using model = seq<kmer_tokens<3>, embedding<65, 8>, sinusoidal_positions, flatten, dense<1>>;
    network<shape<12, 4>, model, double> net;
    REQUIRE(net.parameter_info().size() == 3);
    for (const auto& p : net.parameter_info()) {
        const auto& entry = golden().at("comp.param." + p.name);
        REQUIRE(entry.dims == p.dims);
        const auto v = entry.as<double>();
        std::copy(v.begin(), v.end(), net.parameters().begin() + std::ptrdiff_t(p.offset));
    }
    tensor<double, shape<12, 4>> x(3);
    const auto xv = values("comp.input");
    REQUIRE(xv.size() == x.size());
    std::copy(xv.begin(), xv.end(), x.data());
    check_close(run(kmer_tokens<3>::bind<shape<12, 4>>{}, {}, xv, 3).output, "comp.ids", exact);

    cpu_context ctx(2);
    const auto out = net.forward(ctx, x.cview());
    check_close(std::vector<double>(out.data(), out.data() + 3), "comp.output");
    const auto g = values("comp.g");
    std::copy(g.begin(), g.end(), out.gradient.data());
    net.zero_grad();
    tensor<double, shape<12, 4>> dx(3);
    std::fill(dx.data(), dx.data() + dx.size(), 1.0);
    net.backward(ctx, x.cview(), dx.view());
    for (const auto& p : net.parameter_info()) {
        const auto grads = net.gradients().subspan(p.offset, p.size);
        check_close(std::vector<double>(grads.begin(), grads.end()), "comp.grad." + p.name);
    }
    CHECK(std::all_of(dx.data(), dx.data() + dx.size(), [](double v) { return v == 0.0; }));
}
