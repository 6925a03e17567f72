// Gradient attributions of any network: each says how much every input value contributes to the weighted output
// f(x) = sum_k weights[k] * out_k(x) of its sample (weights as input_gradient: 1 on a logit, 0 elsewhere).
//   saliency              d f / d x                                  (Simonyan et al. 2014)
//   input_x_gradient      x * d f / d x                              (Shrikumar et al. 2016)
//   integrated_gradients  (x - x') * mean over the path of d f / d x (Sundararajan et al. 2017), from a reference x'
// Integrated gradients takes `steps` points of the straight path from x' to x (midpoint rule: alpha = (k + 1/2) /
// steps), batched across examples and points (options.batch rows per forward), and returns per example the
// completeness check: sum of the attributions against f(x) - f(x'), which it equals in the limit of many steps.
// With one-hot DNA, the reference is the zero input or a dinucleotide shuffle (attribution/references.hpp); for a
// pair model give x' = x on the half that should not move (attribute the enhancer with the promoter fixed).
// Requires: a context in mode::evaluation or mode::inference (argument_error otherwise); the views of one io_type,
// the reference with the batch of the input. Parameter gradients are left as they were (input_gradient's rule).
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
#include <vector>

#include "helix/attribution/samples.hpp"
#include "helix/nn/input_gradient.hpp"

namespace helix::attribution {

template <class Net, class T = typename Net::value_type>
void saliency(Net& net, cpu_context& ctx, view_t<const T, typename Net::input> in, view_t<T, typename Net::input> out,
              std::span<const T> weights) {
    detail::check_not_training(ctx, "saliency");
    input_gradient(net, ctx, in, out, weights);
}

template <class Net, class T = typename Net::value_type>
void input_x_gradient(Net& net, cpu_context& ctx, view_t<const T, typename Net::input> in,
                      view_t<T, typename Net::input> out, std::span<const T> weights) {
    detail::check_not_training(ctx, "input_x_gradient");
    input_gradient(net, ctx, in, out, weights);
    detail::for_each_half(
        [](std::size_t, const auto& x, const auto& a) {
            for (std::size_t i = 0; i < x.size(); ++i) a[i] *= x[i];
        },
        in, out);
}

struct integrated_gradients_options {
    std::size_t steps = 32;  // points on the path from the reference
    std::size_t batch = 64;  // rows (example x point) per forward and backward
};

// Integrated gradients' completeness for one example: both sides of sum(attributions) = f(x) - f(x').
struct completeness {
    double attribution_sum = 0, output_difference = 0;
    double gap() const { return attribution_sum - output_difference; }
};

template <class Net, class T = typename Net::value_type>
std::vector<completeness> integrated_gradients(Net& net, cpu_context& ctx, view_t<const T, typename Net::input> in,
                                               view_t<const T, typename Net::input> reference,
                                               view_t<T, typename Net::input> out, std::span<const T> weights,
                                               integrated_gradients_options options = {}) {
    using In = typename Net::input;
    detail::check_not_training(ctx, "integrated_gradients");
    detail::check_weights<Net>(weights, "integrated_gradients");
    check_batch(in.batch(), reference.batch(), "integrated_gradients (reference)");
    check_batch(in.batch(), out.batch(), "integrated_gradients (attributions)");
    if (options.steps == 0 || options.batch == 0)
        throw argument_error("integrated_gradients: steps and batch must be at least 1");
    const std::size_t examples = in.batch(), steps = options.steps, rows_total = examples * steps;
    const std::size_t chunk = std::min(options.batch, rows_total);
    detail::scratch<T, In> points(chunk), gradients(chunk);
    detail::for_each_half([](std::size_t, const auto& a) { std::fill_n(a.data(), a.size(), T(0)); }, out);
    for (std::size_t first = 0; first < rows_total; first += chunk) {
        const std::size_t rows = std::min(chunk, rows_total - first);
        const auto xv = points.view(rows);
        const auto gv = gradients.view(rows);
        detail::for_each_half(
            [&](std::size_t, const auto& xs, const auto& refs, const auto& dst) {
                constexpr std::size_t n = std::remove_cvref_t<decltype(xs)>::sample_size;
                for (std::size_t r = 0; r < rows; ++r) {
                    const std::size_t b = (first + r) / steps, k = (first + r) % steps;
                    const T alpha = T((double(k) + 0.5) / double(steps));
                    const T* a = xs.sample(b);
                    const T* z = refs.sample(b);
                    T* d = dst.sample(r);
                    for (std::size_t i = 0; i < n; ++i) d[i] = z[i] + alpha * (a[i] - z[i]);
                }
            },
            in, reference, xv);
        input_gradient(net, ctx, view_t<const T, In>(xv), gv, weights);
        detail::for_each_half(
            [&](std::size_t, const auto& grads, const auto& acc) {
                constexpr std::size_t n = std::remove_cvref_t<decltype(grads)>::sample_size;
                for (std::size_t r = 0; r < rows; ++r) {
                    const T* s = grads.sample(r);
                    T* a = acc.sample((first + r) / steps);
                    for (std::size_t i = 0; i < n; ++i) a[i] += s[i];
                }
            },
            gv, out);
    }
    std::vector<completeness> checks(examples);
    detail::for_each_half(
        [&](std::size_t, const auto& xs, const auto& refs, const auto& acc) {
            constexpr std::size_t n = std::remove_cvref_t<decltype(xs)>::sample_size;
            for (std::size_t b = 0; b < examples; ++b) {
                T* a = acc.sample(b);
                for (std::size_t i = 0; i < n; ++i) {
                    a[i] = (xs.sample(b)[i] - refs.sample(b)[i]) * a[i] / T(steps);
                    checks[b].attribution_sum += double(a[i]);
                }
            }
        },
        in, reference, out);
    const auto fx = detail::weighted_outputs(net, ctx, in, weights, chunk);
    const auto fr = detail::weighted_outputs(net, ctx, reference, weights, chunk);
    for (std::size_t b = 0; b < examples; ++b) checks[b].output_difference = fx[b] - fr[b];
    return checks;
}

}  // namespace helix::attribution
