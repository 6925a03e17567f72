// Finite-difference gradient checks, in double, of every layer with respect to its input and its parameters,
// and of compositions (seq, twin, nested). One table-driven test per layer family.
#include <catch2/catch.hpp>

#include "helix/helix.hpp"
#include "helix/testing/gradient_check.hpp"

using namespace helix;

namespace {
template <class Spec, io_type In>
void check(const char* name, const Spec& spec = Spec{}, testing::gradient_check_options opt = {}) {
    const typename Spec::template bind<In> layer(spec);
    const auto report = testing::check_gradients(layer, opt);
    INFO(name << " on " << In::str() << "\n" << report.message());
    CHECK(report.ok());
    // The check must have looked at something: inputs always, parameters when the layer has any.
    CHECK(report.input.count > 0);
    if constexpr (Spec::template bind<In>::param_size > 0) CHECK(report.params.count > 0);
}
testing::gradient_check_options training() {
    testing::gradient_check_options o;
    o.training = true;
    return o;
}
}  // namespace

TEST_CASE("conv1d gradients") {
    check<conv1d<5, 3>, shape<9, 4>>("conv1d, no bias");
    check<conv1d<5, 3, bias::on>, shape<9, 3>>("conv1d with bias");
    check<conv1d<2, 1>, shape<4, 4>>("conv1d width 1");
    check<conv1d<3, 6>, shape<6, 2>>("conv1d as wide as its input");
}

TEST_CASE("max_pool1d gradients, VALID and TensorFlow SAME, overlapping and strided") {
    check<max_pool1d<3>, shape<10, 3>>("max_pool1d VALID width 3");
    check<max_pool1d<3, 2>, shape<11, 2>>("max_pool1d VALID width 3 stride 2 (overlapping)");
    check<max_pool1d<4, 4, padding::same>, shape<10, 3>>("max_pool1d SAME, uneven");
    check<max_pool1d<5, 2, padding::same>, shape<9, 2>>("max_pool1d SAME width 5 stride 2");
}

TEST_CASE("dense gradients, on vectors and per position") {
    check<dense<4>, shape<6>>("dense on a vector");
    check<dense<3, bias::off>, shape<6>>("dense without bias");
    check<dense<4>, shape<5, 3>>("dense on the last axis of <5, 3>");
}

TEST_CASE("activation, flatten and dropout gradients") {
    check<relu, shape<4, 5>>("relu");
    check<sigmoid, shape<12>>("sigmoid");
    check<helix::tanh, shape<3, 4>>("tanh");
    check<flatten, shape<3, 4>>("flatten");
    check<dropout, shape<4, 6>>("dropout (inference)", dropout{0.3f});
    check<dropout, shape<4, 6>>("dropout (training)", dropout{0.3f}, training());
}

TEST_CASE("composition gradients: seq, twin, nested, with training-mode dropout") {
    using conv_net = seq<conv1d<4, 3, bias::on>, relu, max_pool1d<2, 2, padding::same>, flatten, dense<5>,
                         helix::tanh, dense<1>, sigmoid>;
    check<conv_net, shape<11, 4>>("small conv net");
    check<seq<dense<6>, dropout, relu, dense<2>>, shape<5>>("mlp with dropout (training)",
                                                            seq{dense<6>{}, dropout{0.25f}, relu{}, dense<2>{}},
                                                            training());
    check<twin<seq<conv1d<3, 3>, relu, max_pool1d<3, 3, padding::same>>>, pair_of<shape<10, 4>, shape<7, 4>>>(
        "twin trunk shared by halves of different lengths");
    check<seq<twin<seq<conv1d<3, 2>, dropout>>, twin<flatten>>, pair_of<shape<6, 2>, shape<5, 2>>>(
        "seq of twins", seq{twin{seq{conv1d<3, 2>{}, dropout{0.2f}}}, twin<flatten>{}}, training());
}

TEST_CASE("conv1d_relu_max_pool1d gradients (continuous inputs: no ties in the pool)") {
    check<conv1d_relu_max_pool1d<5, 3, 3, 3, padding::same>, shape<12, 4>>("fused conv, SAME pool");
    check<conv1d_relu_max_pool1d<4, 3, 4, 2, padding::valid, bias::on>, shape<13, 3>>(
        "fused conv with bias, overlapping VALID pool");
    check<conv1d_relu_max_pool1d<3, 2, 4, 4, padding::same>, shape<9, 2>>("fused conv, SAME pool, uneven");
}
