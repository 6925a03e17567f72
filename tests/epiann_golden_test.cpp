// helix's EPIANN against an independent implementation: tests/golden/epiann_small.safetensors holds the weights,
// inputs, outputs, loss, attention matrices and every weight gradient of the PyTorch model in
// ../shared/peers/epiann_torch.py at a small size in float64 (made by tests/golden/make_golden.py). We load the
// same weights, run the same pass, and require agreement to 1e-5 relative on every value.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "helix/io/safetensors.hpp"
#include "helix/testing/compare.hpp"
#include "models/epiann.hpp"
#include "support/golden.hpp"

using namespace helix;

namespace {

// Must match SIZES in tests/golden/make_golden.py.
constexpr epiann::model_sizes golden_sizes{.filters = 8, .width = 15, .pool = 30, .attention = 4, .top_k = 8,
                                           .hidden = 8, .coord_hidden1 = 128, .coord_hidden2 = 64};
constexpr std::size_t enhancer_length = 200, promoter_length = 150, batch = 3;
using golden_network = epiann::epiann_network<enhancer_length, promoter_length, golden_sizes, double>;

const testing::tolerance golden_tolerance{.rtol = 1e-5, .atol = 1e-9};

const helix_test::golden_fixture& golden() {
    static const helix_test::golden_fixture fixture(HELIX_GOLDEN_DIR "/epiann_small.safetensors");
    return fixture;
}

std::vector<double> values(const std::string& name) { return golden().values(name); }

void check_close(std::span<const double> actual, const std::string& name) {
    golden().check_close(actual, name, golden_tolerance);
}

struct golden_pass {
    golden_network net{epiann::epiann_spec<enhancer_length, promoter_length, golden_sizes>(0.2f)};
    cpu_context ctx{2};
    tensor<double, shape<enhancer_length, 4>> enhancer{batch};
    tensor<double, shape<promoter_length, 4>> promoter{batch};
    double loss = 0;

    golden_pass() {
        for (const auto& p : net.parameter_info()) {
            const auto& entry = golden().at("param." + p.name);
            REQUIRE(entry.dims == p.dims);
            const auto v = entry.as<double>();
            std::copy(v.begin(), v.end(), net.parameters().begin() + std::ptrdiff_t(p.offset));
        }
        const auto e = values("input.enhancer"), pr = values("input.promoter");
        REQUIRE(e.size() == enhancer.size());
        REQUIRE(pr.size() == promoter.size());
        std::copy(e.begin(), e.end(), enhancer.data());
        std::copy(pr.begin(), pr.end(), promoter.data());

        ctx.training = false;  // the fixture was made in eval mode: dropout off on both sides
        ctx.auxiliary_outputs = true;  // and its coordinate outputs are compared too
        const auto input = make_pair_view(enhancer.cview(), promoter.cview());
        const auto out = net.forward(ctx, input);
        const auto label = values("target.label"), ce = values("target.enhancer_coords"),
                   cp = values("target.promoter_coords");
        // EPIANN's loss: 10 x BCE + MSE(enhancer coordinates) + MSE(promoter coordinates).
        loss = bce_with_logits(out.first, tensor_view<const double, shape<1>>(label.data(), batch),
                               out.gradient.first, 10.0) +
               mse(out.second.first, tensor_view<const double, shape<2>>(ce.data(), batch), out.gradient.second.first) +
               mse(out.second.second, tensor_view<const double, shape<2>>(cp.data(), batch),
                   out.gradient.second.second);
        check_close({out.first.data(), batch}, "output.logit");
        check_close({out.second.first.data(), 2 * batch}, "output.enhancer_coords");
        check_close({out.second.second.data(), 2 * batch}, "output.promoter_coords");
        net.zero_grad();
        net.backward(ctx, input);
    }
};

}  // namespace

TEST_CASE("EPIANN forward pass, loss and attention agree with the PyTorch implementation") {
    golden_pass pass;
    check_close({&pass.loss, 1}, "loss");

    // Attention matrices, sample by sample, read in place from the network's cache.
    std::vector<double> enhancer_queries, promoter_queries;
    for (std::size_t b = 0; b < batch; ++b) {
        const auto a = epiann::enhancer_attention(pass.net, b);
        enhancer_queries.insert(enhancer_queries.end(), a.data(), a.data() + a.sample_size);
        const auto p = epiann::promoter_attention(pass.net, b);
        promoter_queries.insert(promoter_queries.end(), p.data(), p.data() + p.sample_size);
    }
    CHECK(golden().at("attention.enhancer_queries").dims == std::vector<std::size_t>{batch, 7, 5});
    check_close(enhancer_queries, "attention.enhancer_queries");
    check_close(promoter_queries, "attention.promoter_queries");
}

TEST_CASE("EPIANN gradients of every weight agree with PyTorch's autograd") {
    golden_pass pass;
    std::size_t checked = 0;
    for (const auto& p : pass.net.parameter_info()) {
        check_close(pass.net.gradients().subspan(p.offset, p.size), "grad." + p.name);
        checked += p.size;
    }
    CHECK(checked == golden_network::param_size);
    // The fixture holds exactly our parameters: no PyTorch weight is left without a helix counterpart.
    std::size_t fixture_grads = 0;
    for (const auto& e : golden().entries) fixture_grads += e.name.rfind("grad.", 0) == 0;
    CHECK(fixture_grads == pass.net.parameter_info().size());
}
