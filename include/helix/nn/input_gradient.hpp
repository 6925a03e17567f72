// input_gradient(net, ctx, in, din, weights): the gradient of a weighted sum of the model's outputs with respect to
// its input, per sample: din = d(sum_k weights[k] * out[k]) / d(in), the same weights for every sample. With the
// weight 1 on a logit and 0 elsewhere it is the saliency map (the input gradient of that logit); input x gradient
// and integrated gradients are built on it.
// Runs one forward and one backward in the context's mode, except that auxiliary<> heads are computed (their weights
// should be 0: a head skipped in inference could not be differentiated). The network's parameter gradients are left
// as they were. Use mode::evaluation or mode::inference: in mode::training dropout draws and batch_norm's running
// statistics move, as in any training forward. Requires: weights has io_size<output> values (a pair output: the first half's, then the second's).
#pragma once

#include <algorithm>
#include <span>
#include <string>
#include <vector>

#include "helix/core/context.hpp"
#include "helix/core/error.hpp"
#include "helix/core/tensor.hpp"

namespace helix {

namespace detail {
// Every sample of v (a view or a pair of views) gets the same values: a pair's first half takes the first of them.
template <class V, class T>
std::size_t fill_samples(const V& v, std::span<const T> values) {
    if constexpr (requires { v.first; }) {
        const std::size_t used = fill_samples(v.first, values);
        return used + fill_samples(v.second, values.subspan(used));
    } else {
        constexpr std::size_t n = V::sample_size;
        for (std::size_t b = 0; b < v.batch(); ++b) std::copy_n(values.begin(), n, v.sample(b));
        return n;
    }
}
}  // namespace detail

template <class Net, class T = typename Net::value_type>
void input_gradient(Net& net, cpu_context& ctx, view_t<const T, typename Net::input> in,
                    view_t<T, typename Net::input> din, std::span<const T> weights) {
    constexpr std::size_t outputs = io_size<typename Net::output>;
    if (weights.size() != outputs)
        throw shape_error("input_gradient: " + std::to_string(weights.size()) + " output weights for a model with " +
                          std::to_string(outputs) + " outputs per sample");
    if (din.empty()) throw argument_error("input_gradient: no place for the input gradient (din is empty)");
    const bool auxiliary_outputs = ctx.auxiliary_outputs;
    ctx.auxiliary_outputs = true;
    const std::vector<T> saved(net.gradients().begin(), net.gradients().end());
    try {
        auto out = net.forward(ctx, in);
        detail::fill_samples(out.gradient, weights);
        net.backward(ctx, in, din);
    } catch (...) {
        ctx.auxiliary_outputs = auxiliary_outputs;
        std::copy(saved.begin(), saved.end(), net.gradients().begin());
        throw;
    }
    ctx.auxiliary_outputs = auxiliary_outputs;
    std::copy(saved.begin(), saved.end(), net.gradients().begin());
}

}  // namespace helix
