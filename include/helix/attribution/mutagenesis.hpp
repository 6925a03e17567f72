// in_silico_mutagenesis: the effect of every single-letter substitution of one-hot sequence input on the weighted
// output f(x) = sum_k weights[k] * out_k(x): effects(b, l, c) = f(x with row l set to letter c) - f(x), and 0 where
// row l already is letter c. Works on any network whose input halves are <L, C> sequences; a pair model's halves
// are mutated one at a time (options.halves chooses which: empty, all of them), the other half left as it is.
// A half that is not mutated gets zeros. The variants are forwarded options.batch at a time. Cost: L * (C - 1)
// forwards per sample and half, so L = 3000 takes 9,000 forwards per enhancer.
// Requires: mode::evaluation or mode::inference (argument_error otherwise); effects of the input's batch and type.
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
#include <vector>

#include "helix/attribution/samples.hpp"

namespace helix::attribution {

struct mutagenesis_options {
    std::size_t batch = 64;
    std::vector<bool> halves;  // which halves of the input to mutate (a pair's first, second); empty: all
};

namespace detail {
// One substitution: sample b, half h, row l set to letter c.
struct substitution {
    std::size_t b, half, row, letter;
};
}  // namespace detail

template <class Net, class T = typename Net::value_type>
void in_silico_mutagenesis(Net& net, cpu_context& ctx, view_t<const T, typename Net::input> in,
                           view_t<T, typename Net::input> effects, std::span<const T> weights,
                           const mutagenesis_options& options = {}) {
    using In = typename Net::input;
    constexpr std::size_t halves = detail::half_count<In>();
    detail::check_not_training(ctx, "in_silico_mutagenesis");
    detail::check_weights<Net>(weights, "in_silico_mutagenesis");
    check_batch(in.batch(), effects.batch(), "in_silico_mutagenesis (effects)");
    if (options.batch == 0) throw argument_error("in_silico_mutagenesis: batch must be at least 1");
    if (!options.halves.empty() && options.halves.size() != halves)
        throw argument_error("in_silico_mutagenesis: options.halves names " + std::to_string(options.halves.size()) +
                             " halves for an input of " + std::to_string(halves));
    const auto mutated = [&](std::size_t h) { return options.halves.empty() || options.halves[h]; };
    std::vector<detail::substitution> variants;
    detail::for_each_half(
        [&](std::size_t h, const auto& x, const auto& e) {
            using V = std::remove_cvref_t<decltype(x)>;
            using S = typename V::shape_type;
            static_assert(S::rank == 2, "in_silico_mutagenesis: every input half must be a sequence <L, C> (one-hot rows)");
            constexpr std::size_t L = S::dims[0], C = S::dims[1];
            std::fill_n(e.data(), e.size(), T(0));
            if (!mutated(h)) return;
            for (std::size_t b = 0; b < x.batch(); ++b)
                for (std::size_t l = 0; l < L; ++l)
                    for (std::size_t c = 0; c < C; ++c) {
                        bool same = true;  // the row already is letter c
                        for (std::size_t k = 0; k < C; ++k) same = same && x.sample(b)[l * C + k] == T(k == c ? 1 : 0);
                        if (!same) variants.push_back({b, h, l, c});
                    }
        },
        in, effects);
    const auto fx = detail::weighted_outputs(net, ctx, in, weights, options.batch);
    detail::scratch<T, In> batch(std::min(options.batch, std::max<std::size_t>(variants.size(), 1)));
    for (std::size_t first = 0; first < variants.size(); first += options.batch) {
        const std::size_t rows = std::min(options.batch, variants.size() - first);
        const auto xv = batch.view(rows);
        detail::for_each_half(
            [&](std::size_t h, const auto& x, const auto& dst) {
                constexpr std::size_t C = std::remove_cvref_t<decltype(x)>::shape_type::dims[1];
                constexpr std::size_t n = std::remove_cvref_t<decltype(x)>::sample_size;
                for (std::size_t r = 0; r < rows; ++r) {
                    const auto& v = variants[first + r];
                    std::copy_n(x.sample(v.b), n, dst.sample(r));
                    if (v.half != h) continue;
                    T* row = dst.sample(r) + v.row * C;
                    for (std::size_t k = 0; k < C; ++k) row[k] = T(k == v.letter ? 1 : 0);
                }
            },
            in, xv);
        const auto out = net.forward(ctx, view_t<const T, In>(xv));
        detail::for_each_half(
            [&](std::size_t h, const auto& e) {
                constexpr std::size_t C = std::remove_cvref_t<decltype(e)>::shape_type::dims[1];
                for (std::size_t r = 0; r < rows; ++r) {
                    const auto& v = variants[first + r];
                    if (v.half == h) e.sample(v.b)[v.row * C + v.letter] = T(detail::weighted_output(out, weights, r) - fx[v.b]);
                }
            },
            effects);
    }
}

}  // namespace helix::attribution
