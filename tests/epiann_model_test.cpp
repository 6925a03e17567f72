// The EPIANN composition (examples/epiann/model.hpp): its shapes and size at the paper's dimensions, and a
// finite-difference check of the whole model, in training mode with dropout, at a small size.
#include <catch2/catch.hpp>

#include "helix/testing/gradient_check.hpp"
#include "model.hpp"

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
