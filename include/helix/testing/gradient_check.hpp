// check_gradients: finite-difference check of a layer's (or a whole model's) backward pass, in double.
//
// With random parameters, inputs and output weights g, the scalar f = sum(out * g) has d f / d out = g, so
// backward(dout = g) must give df/dinput and df/dparams. Each is compared, element by element, with the
// central difference (f(x + h) - f(x - h)) / 2h. Dropout and other random layers draw the same numbers in
// every evaluation: the context's generator is rewound before each forward.
// Requires: the layer works with T = double. Guarantees: the report names the worst element.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "helix/core/context.hpp"
#include "helix/core/rng.hpp"
#include "helix/core/tensor.hpp"
#include "helix/nn/parameters.hpp"
#include "helix/testing/compare.hpp"

namespace helix::testing {

struct gradient_check_options {
    std::size_t batch = 2;
    std::uint64_t seed = 1;
    double step = 1e-6;
    tolerance tol{1e-5, 1e-7};
    bool training = false;
    // At most this many input and parameter elements are perturbed (evenly spread); 0 checks all.
    std::size_t max_checks = 0;
    // Fills the input (batch-major, a pair's halves one after the other); default U(-1, 1).
    std::function<void(std::vector<double>&, counter_rng&)> fill_input;
    // Fills the parameters; default N(0, 0.5^2).
    std::function<void(std::vector<double>&, counter_rng&)> fill_params;
};

struct gradient_report {
    comparison input;
    comparison params;
    bool ok() const { return input.ok && params.ok; }
    std::string message() const { return input.message() + "\n" + params.message(); }
};

template <class Bound>
gradient_report check_gradients(const Bound& layer, gradient_check_options opt = {}) {
    using In = typename Bound::input;
    using Out = typename Bound::output;
    const std::size_t batch = opt.batch;
    counter_rng rng(opt.seed, 0xC0FFEE);

    std::vector<double> x(batch * io_size<In>), p(Bound::param_size), g(batch * io_size<Out>);
    if (opt.fill_input) opt.fill_input(x, rng);
    else
        for (auto& v : x) v = 2 * rng.next_uniform() - 1;
    // Buffers (batch_norm's running statistics) are state, not parameters: no gradient reaches them, so they are
    // not perturbed; by default they start at their initial value plus |N(0, 0.5^2)| (a running variance stays > 0).
    param_list described;
    layer.describe(described);
    std::vector<bool> buffer(p.size(), false);
    for (const auto& item : described.items())
        if (item.kind == param_kind::buffer) std::fill_n(buffer.begin() + item.offset, item.size, true);
    if (opt.fill_params) opt.fill_params(p, rng);
    else
        for (std::size_t i = 0; i < p.size(); ++i) {
            p[i] = 0.5 * rng.next_normal();
            if (buffer[i]) p[i] = std::abs(p[i]);
        }
    for (const auto& item : described.items())
        if (item.kind == param_kind::buffer && !opt.fill_params)
            for (std::size_t i = 0; i < item.size; ++i) p[item.offset + i] += item.initial;
    for (auto& v : g) v = rng.next_normal();

    std::vector<double> out(g.size()), cache(std::max<std::size_t>(1, batch * Bound::cache_size));
    cpu_context ctx(1, opt.seed);
    ctx.training = opt.training;
    const auto objective = [&]() {
        ctx.rng.seek(0);
        layer.template forward<double>(ctx, p.data(), view_at<In, const double>(x.data(), batch),
                                       view_at<Out, double>(out.data(), batch), cache.data());
        double f = 0;
        for (std::size_t i = 0; i < out.size(); ++i) f += out[i] * g[i];
        return f;
    };

    objective();
    std::vector<double> dx(x.size(), 12345.0), dp(p.size(), 0.0);  // dx must be overwritten, dp accumulated into
    layer.template backward<double>(ctx, p.data(), dp.data(), view_at<In, const double>(x.data(), batch),
                                    view_at<Out, const double>(out.data(), batch),
                                    view_at<Out, const double>(g.data(), batch), view_at<In, double>(dx.data(), batch),
                                    cache.data());

    const auto numeric = [&](std::vector<double>& v, const std::vector<double>& analytic, const std::string& what) {
        std::vector<double> a, n;
        const std::size_t stride =
            opt.max_checks == 0 || v.size() <= opt.max_checks ? 1 : (v.size() + opt.max_checks - 1) / opt.max_checks;
        const bool params = &v == &p;
        std::vector<std::size_t> index;
        for (std::size_t i = 0; i < v.size(); i += stride) {
            if (params && buffer[i]) continue;
            index.push_back(i);
            const double saved = v[i];
            v[i] = saved + opt.step;
            const double fp = objective();
            v[i] = saved - opt.step;
            const double fm = objective();
            v[i] = saved;
            a.push_back(analytic[i]);
            n.push_back((fp - fm) / (2 * opt.step));
        }
        auto c = compare(std::span<const double>(a), std::span<const double>(n), opt.tol, what);
        if (c.worst_index < index.size()) c.worst_index = index[c.worst_index];  // its index in the full tensor
        return c;
    };
    gradient_report r;
    r.input = numeric(x, dx, "gradient w.r.t. input (analytic vs finite difference)");
    r.params = numeric(p, dp, "gradient w.r.t. parameters (analytic vs finite difference)");
    if (Bound::param_size == 0) r.params.ok = true, r.params.what = "no parameters", r.params.count = 1;
    return r;
}

}  // namespace helix::testing
