// The zoo's five published models against independent implementations: tests/golden/zoo.safetensors holds, per
// model, the parameters, logits and every parameter gradient of the PyTorch modules of tests/golden/zoo_models.py
// (written from examples/epiann/models/ARCHITECTURES.md in the authors' Keras forms) at tiny sizes in float64,
// made by tests/golden/make_zoo_golden.py. Each case builds the real composition the application trains
// (epiann::speid_spec<...>() and so on, models/*.hpp), loads the same parameters by name, runs one forward and one
// backward pass of loss = sum_b w_b logit_b, and requires agreement on the logits and on every parameter gradient
// (and, for SPEID, whose first layer reads the one-hot input itself, the input gradient).
//
// Mode: mode::evaluation, as PyTorch's model.eval() in the script. Dropout must be off for a deterministic
// comparison, and evaluation is the mode that turns it off while still allowing backward: batch_norm then
// normalises with its running statistics (random in the fixture) in forward and backward alike (its training-mode
// batch statistics are checked in norm_pool_golden_test). mode::inference would do the same here (these models have
// no auxiliary heads).
#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "helix/testing/compare.hpp"
#include "models/epi_dlmh.hpp"
#include "models/epi_mind.hpp"
#include "models/epi_trans.hpp"
#include "models/epivan.hpp"
#include "models/speid.hpp"
#include "support/golden.hpp"

using namespace helix;

namespace {

// Must match LE, LP, BATCH and SIZES in tests/golden/make_zoo_golden.py.
constexpr std::size_t enhancer_length = 120, promoter_length = 100, batch = 3;

// float64 on both sides; the longest chains (a BiLSTM over 20 steps, four shared encoder layers) stay near 1e-13.
const testing::tolerance golden_tolerance{.rtol = 1e-9, .atol = 1e-12};

const helix_test::golden_fixture& golden() {
    static const helix_test::golden_fixture fixture(HELIX_GOLDEN_DIR "/zoo.safetensors");
    return fixture;
}

template <class Spec>
struct golden_pass {
    using net_type = network<epiann::epiann_input<enhancer_length, promoter_length>, Spec, double>;

    std::string model;
    std::unique_ptr<net_type> net;
    cpu_context ctx{2};
    tensor<double, shape<enhancer_length, 4>> enhancer{batch}, denhancer{batch};
    tensor<double, shape<promoter_length, 4>> promoter{batch}, dpromoter{batch};

    golden_pass(std::string name, const Spec& spec) : model(std::move(name)), net(std::make_unique<net_type>(spec)) {
        load_parameters();
        const auto e = golden().values("input.enhancer"), p = golden().values("input.promoter");
        REQUIRE(e.size() == enhancer.size());
        REQUIRE(p.size() == promoter.size());
        std::copy(e.begin(), e.end(), enhancer.data());
        std::copy(p.begin(), p.end(), promoter.data());

        set_mode(ctx, mode::evaluation);  // dropout off, batch_norm on running statistics (see the top)
        const auto input = make_pair_view(enhancer.cview(), promoter.cview());
        const auto out = net->forward(ctx, input);
        golden().check_close({out.data(), batch}, model + ".output.logit", golden_tolerance);
        const auto w = golden().values("loss.weights");  // loss = sum_b w_b logit_b
        REQUIRE(w.size() == batch);
        std::copy(w.begin(), w.end(), out.gradient.data());
        net->zero_grad();
        net->backward(ctx, input, make_pair_view(denhancer.view(), dpromoter.view()));
    }

    // Every parameter by its helix name; an embedding table's fixture entry holds only the rows listed under
    // <model>.rows.<name> (the others have no effect on this batch), so those rows are scattered into a zero table.
    void load_parameters() {
        auto params = net->parameters();
        std::fill(params.begin(), params.end(), 0.0);
        for (const auto& p : net->parameter_info()) {
            const safetensors_entry& entry = golden().at(model + ".param." + p.name);
            const std::vector<double> v = entry.as<double>();
            if (const safetensors_entry* rows = golden().find(model + ".rows." + p.name)) {
                const std::vector<double> r = rows->as<double>();
                REQUIRE(p.dims.size() == 2);
                REQUIRE(entry.dims == std::vector<std::size_t>{r.size(), p.dims[1]});
                for (std::size_t i = 0; i < r.size(); ++i)
                    std::copy_n(v.begin() + std::ptrdiff_t(i * p.dims[1]), p.dims[1],
                                params.begin() + std::ptrdiff_t(p.offset + std::size_t(r[i]) * p.dims[1]));
            } else {
                REQUIRE(entry.dims == p.dims);
                std::copy(v.begin(), v.end(), params.begin() + std::ptrdiff_t(p.offset));
            }
        }
    }

    // Every parameter's gradient (batch_norm's buffers: zero on both sides); an embedding's listed rows against the
    // fixture, its other rows exactly zero. Then: the fixture holds no gradient helix lacks.
    void check_gradients() const {
        const auto grads = net->gradients();
        std::size_t checked = 0;
        for (const auto& p : net->parameter_info()) {
            const auto g = grads.subspan(p.offset, p.size);
            const std::string name = model + ".grad." + p.name;
            if (const safetensors_entry* rows = golden().find(model + ".rows." + p.name)) {
                const std::vector<double> r = rows->as<double>();
                const std::size_t dim = p.dims[1];
                std::vector<double> used, unused;
                std::vector<bool> listed(p.dims[0], false);
                for (double row : r) listed[std::size_t(row)] = true;
                for (std::size_t i = 0; i < p.dims[0]; ++i)
                    (listed[i] ? used : unused).insert((listed[i] ? used : unused).end(), g.begin() + std::ptrdiff_t(i * dim),
                                                        g.begin() + std::ptrdiff_t((i + 1) * dim));
                golden().check_close(used, name, golden_tolerance);
                INFO(name << ": rows the batch does not use");
                CHECK(std::all_of(unused.begin(), unused.end(), [](double x) { return x == 0.0; }));
            } else {
                golden().check_close(g, name, golden_tolerance);
            }
            checked += p.size;
        }
        CHECK(checked == net_type::param_size);
        std::size_t fixture_grads = 0;
        for (const auto& e : golden().entries)
            fixture_grads += e.name.rfind(model + ".grad.", 0) == 0 && e.name.find(".grad.input.") == std::string::npos;
        CHECK(fixture_grads == net->parameter_info().size());
    }
};

template <class Spec>
void check_model(const std::string& model, const Spec& spec) {
    golden_pass<Spec> pass(model, spec);
    pass.check_gradients();
}

}  // namespace

// Sizes: the template arguments of SIZES in make_zoo_golden.py, windows 120 / 100 bp.
TEST_CASE("SPEID: logits, every parameter gradient and the input gradient agree with PyTorch") {
    golden_pass pass("speid", epiann::speid_spec<6, 8, 10, 3, 8>());
    pass.check_gradients();
    golden().check_close({pass.denhancer.data(), pass.denhancer.size()}, "speid.grad.input.enhancer", golden_tolerance);
    golden().check_close({pass.dpromoter.data(), pass.dpromoter.size()}, "speid.grad.input.promoter", golden_tolerance);
}

TEST_CASE("EPIVAN: logits and every parameter gradient agree with PyTorch") {
    check_model("epivan", epiann::epivan_spec<4, 6, 8, 10, 3, 5>());
}

TEST_CASE("EPI-DLMH: logits and every parameter gradient agree with PyTorch") {
    check_model("epi_dlmh", epiann::epi_dlmh_spec<4, 6, 8, 12, 6, 10, 3, 5, 8>());
}

TEST_CASE("EPI-Mind: logits and every parameter gradient agree with PyTorch") {
    check_model("epi_mind", epiann::epi_mind_spec<4, 6, 8, 10, 2, 8, 4>());
}

TEST_CASE("EPI-Trans: logits and every parameter gradient agree with PyTorch") {
    check_model("epi_trans", epiann::epi_trans_spec<4, 6, 9, 10, 7, 8, 2, 8>());
}
