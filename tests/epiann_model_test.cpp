// The EPIANN composition (examples/epiann/model.hpp): its shapes and size at the paper's dimensions, and a
// finite-difference check of the whole model, in training mode with dropout, at a small size; inference without
// the coordinate heads.
#include <cmath>
#include <vector>

#include <catch2/catch.hpp>

#include "helix/testing/gradient_check.hpp"
#include "models/epiann.hpp"

using namespace helix;

TEST_CASE("epiann_model<3000, 2000> has the paper's shapes and 5.6 M parameters") {
    using net = epiann::epiann_network<3000, 2000>;
    static_assert(std::is_same_v<net::output, pair_of<shape<1>, pair_of<shape<2>, shape<2>>>>);
    using bound = net::bound_type;
    using trunk = bound::child<0>;
    static_assert(std::is_same_v<trunk::output, pair_of<shape<100, 256>, shape<67, 256>>>);  // 2986 -> 100, 1986 -> 67
    using attention = bound::child<1>;
    static_assert(std::is_same_v<attention::output, pair_of<shape<67, 256>, shape<100, 256>>>);  // (r_E, r_P)
    const auto spec = epiann::epiann_spec<3000, 2000>();
    const net model(spec);
    std::size_t coordinate_params = 0;
    for (const auto& p : model.parameter_info())
        if (p.name.rfind("head.coordinates.", 0) == 0) coordinate_params += p.size;
    CHECK(net::param_size == 5604102);
    CHECK(double(coordinate_params) / double(net::param_size) > 0.975);  // DESIGN: 98 % in the coordinate heads
    CHECK(model.model().get<0>().first.get<1>().rate == 0.2f);  // dropout after the fused conv, relu and pool
}

TEST_CASE("the whole EPIANN model passes a finite-difference gradient check (small size, dropout active)") {
    constexpr epiann::model_sizes small{.filters = 4, .width = 5, .pool = 10, .attention = 3, .top_k = 5, .hidden = 4,
                                        .coord_hidden1 = 6, .coord_hidden2 = 5};
    using bound = epiann::epiann_network<60, 45, small, double>::bound_type;
    const bound model(epiann::epiann_spec<60, 45, small>(0.2f));
    testing::gradient_check_options opt;
    opt.training = true;
    opt.max_checks = 300;
    // Continuous inputs, not one-hot: one-hot windows repeat k-mers, so the max-pool sees exact ties, where
    // the model is not differentiable and finite differences mean nothing. The golden test covers one-hot.
    const auto report = testing::check_gradients(model, opt);
    INFO(report.message());
    CHECK(report.ok());
    CHECK(report.params.count >= 250);
}

TEST_CASE("inference skips the coordinate heads and gives the same interaction logits to the last bit") {
    constexpr epiann::model_sizes reduced{.filters = 32};
    using net_type = epiann::epiann_network<1000, 800, reduced>;
    constexpr std::size_t batch = 6;
    net_type net(epiann::epiann_spec<1000, 800, reduced>(0.2f));
    net.init(3, init::truncated_normal{0.1, 0.1});
    tensor<float, shape<1000, 4>> enhancer(batch);
    tensor<float, shape<800, 4>> promoter(batch);
    counter_rng rng(11);
    for (std::size_t b = 0; b < batch; ++b) {
        for (std::size_t l = 0; l < 1000; ++l) enhancer(b, l, rng.next_below(4)) = 1.0f;
        for (std::size_t l = 0; l < 800; ++l) promoter(b, l, rng.next_below(4)) = 1.0f;
    }
    const auto in = make_pair_view(enhancer.cview(), promoter.cview());
    cpu_context ctx(2, 5);

    ctx.auxiliary_outputs = true;
    auto out = net.forward(ctx, in);
    std::vector<float> with_heads(out.first.data(), out.first.data() + batch);
    for (std::size_t i = 0; i < 2 * batch; ++i) {
        CHECK(std::isfinite(out.second.first.data()[i]));
        CHECK(std::isfinite(out.second.second.data()[i]));
    }

    ctx.auxiliary_outputs = false;
    out = net.forward(ctx, in);
    double worst = 0;
    std::size_t worst_at = 0;
    for (std::size_t i = 0; i < batch; ++i) {
        const double d = std::abs(double(out.first.data()[i]) - double(with_heads[i]));
        if (d > worst) worst = d, worst_at = i;
    }
    INFO("worst logit difference " << worst << " at sample " << worst_at);
    CHECK(worst == 0);
    for (std::size_t i = 0; i < 2 * batch; ++i) {  // skipped: NaN, never a stale value
        CHECK(std::isnan(out.second.first.data()[i]));
        CHECK(std::isnan(out.second.second.data()[i]));
    }
    // Nothing to differentiate: the skipped head's cache was never written.
    CHECK_THROWS_AS(net.backward(ctx, in), state_error);
}
