// The normalisation, pooling and activation layers against PyTorch: tests/golden/norm_pool.safetensors (made by
// tests/golden/make_norm_pool_golden.py in float64) holds, per case, the parameters and buffers, the input, the output
// weights g, and PyTorch's output, input gradient and parameter gradients of sum(out * g), plus batch_norm's running
// statistics after a training pass. helix runs the same pass in double; every array must agree to 1e-10 relative (1e-13 absolute).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "helix/io/safetensors.hpp"
#include "helix/layers/activations.hpp"
#include "helix/layers/norm/batch_norm.hpp"
#include "helix/layers/norm/layer_norm.hpp"
#include "helix/layers/pooling/avg_pool1d.hpp"
#include "helix/layers/pooling/global_pool.hpp"
#include "helix/layers/softmax.hpp"
#include "helix/testing/compare.hpp"
#include "support/golden.hpp"

using namespace helix;

namespace {

const testing::tolerance golden_tolerance{.rtol = 1e-10, .atol = 1e-13};

const helix_test::golden_fixture& golden() {
    static const helix_test::golden_fixture fixture(HELIX_GOLDEN_DIR "/norm_pool.safetensors");
    return fixture;
}

std::vector<double> values(const std::string& name) { return golden().values(name); }

void check_close(const std::vector<double>& actual, const std::string& name) {
    golden().check_close(actual, name, golden_tolerance);
}

// Runs `case_name` through the bound layer (batch from the input's size) and compares everything the fixture has.
template <class Bound>
void golden_case(const std::string& case_name, const Bound& layer, bool training = false) {
    using In = typename Bound::input;
    using Out = typename Bound::output;
    const std::string at = case_name + ".";
    const auto x = values(at + "input"), g = values(at + "g");
    REQUIRE(x.size() % In::size == 0);
    const std::size_t batch = x.size() / In::size;
    REQUIRE(golden().at(at + "input").dims[0] == batch);
    REQUIRE(g.size() == batch * Out::size);

    param_list described;
    layer.describe(described);
    std::vector<double> params(Bound::param_size, 0.0);
    for (const auto& p : described.items()) {
        const auto& entry = golden().at(at + "param." + p.name);
        REQUIRE(entry.dims == p.dims);
        const auto v = entry.as<double>();
        std::copy(v.begin(), v.end(), params.begin() + std::ptrdiff_t(p.offset));
    }

    cpu_context ctx(2);
    ctx.training = training;
    std::vector<double> out(batch * Out::size), dx(x.size(), 1e300), dp(Bound::param_size, 0.0),
        cache(std::max<std::size_t>(1, batch * Bound::cache_size));
    layer.template forward<double>(ctx, params.data(), view_at<In, const double>(x.data(), batch),
                                   view_at<Out, double>(out.data(), batch), cache.data());
    layer.template backward<double>(ctx, params.data(), dp.data(), view_at<In, const double>(x.data(), batch),
                                    view_at<Out, const double>(out.data(), batch),
                                    view_at<Out, const double>(g.data(), batch), view_at<In, double>(dx.data(), batch),
                                    cache.data());
    check_close(out, at + "output");
    check_close(dx, at + "grad.input");
    for (const auto& p : described.items()) {
        const std::vector<double> slice(params.begin() + std::ptrdiff_t(p.offset),
                                        params.begin() + std::ptrdiff_t(p.offset + p.size));
        if (p.kind == param_kind::buffer) {
            // After the pass: moved by a training forward, unchanged in evaluation.
            if (training) check_close(slice, at + "buffer_after." + p.name);
            else check_close(slice, at + "param." + p.name);
            continue;
        }
        check_close(std::vector<double>(dp.begin() + std::ptrdiff_t(p.offset),
                                        dp.begin() + std::ptrdiff_t(p.offset + p.size)),
                    at + "grad." + p.name);
    }
}

}  // namespace

TEST_CASE("golden: layer_norm matches nn.LayerNorm") {
    golden_case("layer_norm_vec", layer_norm::bind<shape<6>>{});
    golden_case("layer_norm_seq", layer_norm::bind<shape<5, 4>>{});
}

TEST_CASE("golden: batch_norm matches nn.BatchNorm1d, outputs, gradients and running statistics") {
    golden_case("batch_norm_vec_train", batch_norm::bind<shape<4>>{}, true);
    golden_case("batch_norm_vec_eval", batch_norm::bind<shape<4>>{}, false);
    golden_case("batch_norm_seq_train", batch_norm::bind<shape<6, 3>>{}, true);
    golden_case("batch_norm_seq_eval", batch_norm::bind<shape<6, 3>>{}, false);
}

TEST_CASE("golden: global pools match AdaptiveMaxPool1d(1) and AdaptiveAvgPool1d(1)") {
    golden_case("global_max_pool", global_max_pool::bind<shape<7, 3>>{});
    golden_case("global_avg_pool", global_avg_pool::bind<shape<7, 3>>{});
}

TEST_CASE("golden: avg_pool1d matches nn.AvgPool1d") {
    golden_case("avg_pool_3_2", avg_pool1d<3, 2>::bind<shape<10, 3>>{});
    golden_case("avg_pool_4", avg_pool1d<4>::bind<shape<8, 2>>{});
}

TEST_CASE("golden: gelu, sigmoid, tanh and softmax match F.gelu, torch.sigmoid, torch.tanh and F.softmax") {
    golden_case("gelu", gelu::bind<shape<5, 4>>{});
    golden_case("sigmoid", sigmoid::bind<shape<5, 4>>{});
    golden_case("tanh", helix::tanh::bind<shape<5, 4>>{});
    golden_case("softmax", softmax::bind<shape<5, 4>>{});
}
