// Losses (values, stability, finite-difference gradients) and optimisers (against closed forms).
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "helix/helix.hpp"

using namespace helix;

namespace {
// Central-difference check of a loss's gradient with respect to its first argument, in double.
template <class Loss>
void check_loss_gradient(Loss loss, const char* name) {
    tensor<double, shape<5>> x(3), y(3), g(3);
    counter_rng r(4);
    for (std::size_t i = 0; i < x.size(); ++i) {
        x[i] = 3 * r.next_normal();
        y[i] = r.next_uniform();
    }
    loss(x.cview(), y.cview(), g.view());
    double worst = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double saved = x[i], h = 1e-6;
        x[i] = saved + h;
        const double fp = loss(x.cview(), y.cview(), tensor_view<double, shape<5>>{});
        x[i] = saved - h;
        const double fm = loss(x.cview(), y.cview(), tensor_view<double, shape<5>>{});
        x[i] = saved;
        worst = std::max(worst, std::abs((fp - fm) / (2 * h) - g[i]));
    }
    INFO(name << ": worst |analytic - finite difference| = " << worst);
    CHECK(worst < 1e-8);
}
}  // namespace

TEST_CASE("bce_with_logits: value, numerical stability at extreme logits, weighted gradient") {
    tensor<double, shape<2>> x(1), y(1), g(1);
    x[0] = 0.3;
    x[1] = -1.2;
    y[0] = 1;
    y[1] = 0;
    const double expected = 0.5 * (-std::log(1 / (1 + std::exp(-0.3))) - std::log(1 - 1 / (1 + std::exp(1.2))));
    CHECK(bce_with_logits(x.cview(), y.cview(), g.view()) == Approx(expected).epsilon(1e-12));
    CHECK(bce_with_logits(x.cview(), y.cview(), g.view(), 10.0) == Approx(10 * expected).epsilon(1e-12));
    CHECK(g[0] == Approx(10 * (1 / (1 + std::exp(-0.3)) - 1) / 2).epsilon(1e-12));

    tensor<float, shape<2>> xf(1), yf(1), gf(1);
    xf[0] = 100.0f;   // confidently wrong: loss 100, not inf
    xf[1] = -100.0f;  // confidently right: loss ~0, not nan
    yf[0] = 0;
    yf[1] = 0;
    const float l = bce_with_logits(xf.cview(), yf.cview(), gf.view());
    CHECK(std::isfinite(l));
    CHECK(l == Approx(50.0f));
    CHECK(gf[0] == Approx(0.5f));
    CHECK(gf[1] == Approx(0.0f).margin(1e-30));
    check_loss_gradient([](auto x, auto y, auto g) { return bce_with_logits(x, y, g); }, "bce_with_logits");
}

TEST_CASE("mse: value and gradient") {
    tensor<double, shape<2>> p(2), t(2), g(2);
    for (std::size_t i = 0; i < 4; ++i) {
        p[i] = double(i);
        t[i] = 1.0;
    }
    CHECK(mse(p.cview(), t.cview(), g.view()) == Approx((1 + 0 + 1 + 4) / 4.0));
    CHECK(g[3] == Approx(2 * 2 / 4.0));
    check_loss_gradient([](auto x, auto y, auto g) { return mse(x, y, g); }, "mse");
    tensor<double, shape<2>> wrong(3);
    CHECK_THROWS_AS(mse(p.cview(), wrong.cview()), shape_error);
}

TEST_CASE("sgd follows PyTorch's rule with momentum and weight decay") {
    std::vector<double> p{1.0, -2.0}, g{0.5, 0.25};
    sgd<double> opt{0.1, 0.9, 0.01};
    opt.step(p, g);
    // v1 = g + wd p
    const double v0 = 0.5 + 0.01 * 1.0, v1 = 0.25 + 0.01 * -2.0;
    CHECK(p[0] == Approx(1.0 - 0.1 * v0));
    CHECK(p[1] == Approx(-2.0 - 0.1 * v1));
    const double p0 = p[0];
    opt.step(p, g);
    const double v0b = 0.9 * v0 + (0.5 + 0.01 * p0);
    CHECK(p[0] == Approx(p0 - 0.1 * v0b));
    std::vector<double> short_grads{1.0};
    CHECK_THROWS_AS(opt.step(p, short_grads), shape_error);
}

TEST_CASE("adam: with a constant gradient every step moves lr * sign(g) (bias correction exact)") {
    std::vector<double> p{0.0, 1.0, -1.0}, g{0.3, -2.0, 1e-3};
    adam<double> opt;
    for (int t = 0; t < 25; ++t) opt.step(p, g);
    CHECK(opt.steps() == 25);
    for (std::size_t i = 0; i < 3; ++i) {
        const double start = i == 0 ? 0.0 : (i == 1 ? 1.0 : -1.0);
        const double per_step = 1e-3 * g[i] / (std::abs(g[i]) + 1e-8);
        CHECK(p[i] == Approx(start - 25 * per_step).epsilon(1e-9));
    }
}

TEST_CASE("adam: two different gradients, against the update written out by hand") {
    std::vector<double> p{0.5}, g1{0.2}, g2{-0.6};
    adam<double> opt{0.01};
    opt.step(p, g1);
    opt.step(p, g2);
    const double m1 = 0.1 * 0.2, v1 = 0.001 * 0.04;
    const double p1 = 0.5 - 0.01 * (m1 / 0.1) / (std::sqrt(v1 / 0.001) + 1e-8);
    const double m2 = 0.9 * m1 + 0.1 * -0.6, v2 = 0.999 * v1 + 0.001 * 0.36;
    const double bc1 = 1 - 0.81, bc2 = 1 - 0.999 * 0.999;
    const double p2 = p1 - 0.01 * (m2 / bc1) / (std::sqrt(v2 / bc2) + 1e-8);
    CHECK(p[0] == Approx(p2).epsilon(1e-12));
    // restore() resumes exactly where the saved state left off
    std::vector<double> m(opt.first_moment().begin(), opt.first_moment().end());
    std::vector<double> v(opt.second_moment().begin(), opt.second_moment().end());
    adam<double> resumed{0.01};
    resumed.restore(m, v, opt.steps());
    std::vector<double> q = p;
    opt.step(p, g1);
    resumed.step(q, g1);
    CHECK(p[0] == q[0]);
}
