// conv_pool_mutagenesis: in_silico_mutagenesis (attribution/mutagenesis.hpp), faster for a model that starts with one
// conv1d_relu_max_pool1d shared by both one-hot halves, as EPIANN does: seq{twin{seq{conv1d_relu_max_pool1d, dropout...}},
// rest...} (or twin{conv1d_relu_max_pool1d}). A substitution at base p changes the convolution at the Width positions
// that read p only, so a variant's pooled output is the reference's with the bins those positions fall in recomputed
// (pool width x Filters values, from the reference's convolution plus the substitution's weight difference), and only
// `rest` runs per variant. A variant that changes no pooled value has effect 0 without a forward. The reference's
// logit goes through the same path, so effects are differences of values computed alike.
// Same results as in_silico_mutagenesis up to float rounding (tests/attribution_test.cpp); options as there.
// Requires: mode::evaluation or mode::inference (dropout is then the identity); the model's structure as above
// (a static_assert otherwise).
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
#include <type_traits>
#include <vector>

#include "helix/attribution/mutagenesis.hpp"
#include "helix/layers/conv1d_relu_max_pool1d.hpp"
#include "helix/layers/dropout.hpp"

namespace helix::attribution {

namespace detail {

template <class Spec>
struct conv_pool_spec : std::false_type {};
template <std::size_t F, std::size_t W, std::size_t P, std::size_t S, padding Pad, bias B>
struct conv_pool_spec<conv1d_relu_max_pool1d<F, W, P, S, Pad, B>> : std::true_type {
    static constexpr std::size_t filters = F, width = W, pool = P, stride = S;
    static constexpr bool has_bias = B == bias::on;
};

template <class B>
concept fused_conv_pool = requires { typename B::spec; } && conv_pool_spec<typename B::spec>::value;

template <class B>
concept dropout_layer = requires { typename B::spec; } && std::is_same_v<typename B::spec, dropout>;

// The bound layer a twin applies: the fused layer itself, or a seq that starts with it and only drops out after it.
template <class B>
struct trunk_conv {
    static constexpr bool ok = false;
};
template <fused_conv_pool B>
struct trunk_conv<B> {
    static constexpr bool ok = true;
    using conv = B;
};
template <class B>
    requires(requires { B::count; typename B::template child<0>; } && fused_conv_pool<typename B::template child<0>>)
struct trunk_conv<B> {
    static constexpr bool ok = [] {
        bool all = true;
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            ((all = all && dropout_layer<typename B::template child<I + 1>>), ...);
        }(std::make_index_sequence<B::count - 1>{});
        return all;
    }();
    using conv = typename B::template child<0>;
};

// One side's fused layer: the reference convolution (before ReLU) of a sample, and its pooled output recomputed for
// bins [first, last] after substituting letter `to` for `from` (C: none, an N row) at base p.
template <class Conv, class T>
struct side_conv {
    using traits = conv_pool_spec<typename Conv::spec>;
    static constexpr std::size_t F = traits::filters, W = traits::width, P = traits::pool, S = traits::stride;
    static constexpr std::size_t C = Conv::channels, L = Conv::length, positions = Conv::conv_length;
    static constexpr std::size_t bins = Conv::out_length, pad = Conv::pad_before;
    const T* weight;  // [W, C, F]
    const T* bias;    // [F] or null
    std::vector<T> conv = std::vector<T>(positions * F);

    void reference(const T* x) {
        for (std::size_t l = 0; l < positions; ++l) {
            T* out = &conv[l * F];
            for (std::size_t f = 0; f < F; ++f) out[f] = bias ? bias[f] : T(0);
            for (std::size_t k = 0; k < W; ++k)
                for (std::size_t c = 0; c < C; ++c) {
                    const T v = x[(l + k) * C + c];
                    if (v == T(0)) continue;
                    const T* w = weight + (k * C + c) * F;
                    for (std::size_t f = 0; f < F; ++f) out[f] += v * w[f];
                }
        }
    }
    // Pool window of bin j: convolution positions [begin, end).
    static std::pair<std::size_t, std::size_t> window(std::size_t j) {
        const std::ptrdiff_t start = std::ptrdiff_t(j * S) - std::ptrdiff_t(pad);
        return {std::size_t(std::max<std::ptrdiff_t>(0, start)),
                std::size_t(std::min<std::ptrdiff_t>(std::ptrdiff_t(positions), start + std::ptrdiff_t(P)))};
    }
    // The bins whose windows hold a convolution position that reads base p: [first, last], or first > last.
    static std::pair<std::size_t, std::size_t> bins_reading(std::size_t p) {
        const std::size_t lo = p + 1 >= W ? p + 1 - W : 0, hi = std::min(p, positions - 1);  // positions reading p
        std::size_t first = bins, last = 0;
        for (std::size_t j = 0; j < bins; ++j) {
            const auto [b, e] = window(j);
            if (b <= hi && e > lo) first = std::min(first, j), last = j;
        }
        return {first, last};
    }
    // Pooled value of bin j, filter f, with the substitution at p (old letter `from`, C for none; new letter `to`).
    void pooled(std::size_t j, std::size_t p, std::size_t from, std::size_t to, T* out) const {
        const auto [b, e] = window(j);
        for (std::size_t f = 0; f < F; ++f) out[f] = T(0);  // ReLU: the maximum is at least 0
        for (std::size_t l = b; l < e; ++l) {
            const T* ref = &conv[l * F];
            if (l <= p && p < l + W) {
                const std::size_t k = p - l;
                const T* add = weight + (k * C + to) * F;
                const T* sub = from < C ? weight + (k * C + from) * F : nullptr;
                for (std::size_t f = 0; f < F; ++f) out[f] = std::max(out[f], ref[f] + add[f] - (sub ? sub[f] : T(0)));
            } else {
                for (std::size_t f = 0; f < F; ++f) out[f] = std::max(out[f], ref[f]);
            }
        }
    }
    void pooled_reference(T* out) const {
        for (std::size_t j = 0; j < bins; ++j) {
            const auto [b, e] = window(j);
            for (std::size_t f = 0; f < F; ++f) out[j * F + f] = T(0);
            for (std::size_t l = b; l < e; ++l)
                for (std::size_t f = 0; f < F; ++f) out[j * F + f] = std::max(out[j * F + f], conv[l * F + f]);
        }
    }
};

// The model after its first child: children 1.. of the top-level seq, forwarded on rows of the first child's output.
template <class Model, class T>
struct model_tail {
    static constexpr std::size_t count = Model::count;
    const Model& model;
    const T* params;  // the whole model's
    std::vector<std::vector<T>> outputs = std::vector<std::vector<T>>(count), caches = std::vector<std::vector<T>>(count);

    template <std::size_t J>
    static constexpr std::size_t offset() {
        return [] {
            std::size_t o = 0;
            [&]<std::size_t... I>(std::index_sequence<I...>) { ((o += Model::template child<I>::param_size), ...); }(std::make_index_sequence<J>{});
            return o;
        }();
    }
    using trunk_output = typename Model::template child<0>::output;
    using output = typename Model::output;

    // Forwards `rows` rows of trunk output; returns the view of the model's output (valid until the next call).
    view_t<const T, output> forward(cpu_context& ctx, const T* trunk, std::size_t rows) {
        const T* in = trunk;
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (
                [&] {
                    constexpr std::size_t J = I + 1;
                    using Child = typename Model::template child<J>;
                    outputs[J].resize(rows * io_size<typename Child::output>);
                    caches[J].resize(rows * Child::cache_size);
                    helix::detail::forward_layer<T>(model.template get<J>(), ctx, params + offset<J>(),
                                                    view_at<typename Child::input, const T>(in, rows),
                                                    view_at<typename Child::output, T>(outputs[J].data(), rows), caches[J].data());
                    in = outputs[J].data();
                }(),
                ...);
        }(std::make_index_sequence<count - 1>{});
        return view_at<output, const T>(in, rows);
    }
};

template <class Model>
constexpr bool conv_pool_trunk() {
    if constexpr (requires { Model::count; typename Model::template child<0>::first_bound; typename Model::template child<0>::second_bound; }) {
        using Twin = typename Model::template child<0>;
        return Model::count >= 2 && trunk_conv<typename Twin::first_bound>::ok && trunk_conv<typename Twin::second_bound>::ok;
    } else {
        return false;
    }
}

}  // namespace detail

// Whether conv_pool_mutagenesis takes the network (its model starts with a twin of the fused convolution).
template <class Net>
inline constexpr bool has_conv_pool_trunk = detail::conv_pool_trunk<typename Net::bound_type>();

template <class Net, class T = typename Net::value_type>
void conv_pool_mutagenesis(Net& net, cpu_context& ctx, view_t<const T, typename Net::input> in,
                           view_t<T, typename Net::input> effects, std::span<const T> weights,
                           const mutagenesis_options& options = {}) {
    using Model = typename Net::bound_type;
    static_assert(requires { Model::count; }, "conv_pool_mutagenesis: the model must be a seq whose first part is a twin");
    using Twin = typename Model::template child<0>;
    static_assert(requires { typename Twin::first_bound; typename Twin::second_bound; },
                  "conv_pool_mutagenesis: the model's first part must be a twin over the two one-hot halves");
    using EB = detail::trunk_conv<typename Twin::first_bound>;
    using PB = detail::trunk_conv<typename Twin::second_bound>;
    static_assert(EB::ok && PB::ok,
                  "conv_pool_mutagenesis: the twin must apply conv1d_relu_max_pool1d (optionally followed by dropout only)");
    static_assert(Model::count >= 2, "conv_pool_mutagenesis: the model must have parts after its convolution");
    using E = detail::side_conv<typename EB::conv, T>;
    using P = detail::side_conv<typename PB::conv, T>;
    constexpr std::size_t F = E::F, CE = E::C, CP = P::C;
    constexpr std::size_t enhancer_out = E::bins * F, row = E::bins * F + P::bins * F;
    detail::check_not_training(ctx, "conv_pool_mutagenesis");
    detail::check_weights<Net>(weights, "conv_pool_mutagenesis");
    check_batch(in.batch(), effects.batch(), "conv_pool_mutagenesis (effects)");
    if (options.batch == 0) throw argument_error("conv_pool_mutagenesis: batch must be at least 1");
    if (!options.halves.empty() && options.halves.size() != 2)
        throw argument_error("conv_pool_mutagenesis: options.halves names " + std::to_string(options.halves.size()) +
                             " halves for a pair input");
    const bool mutate_e = options.halves.empty() || options.halves[0], mutate_p = options.halves.empty() || options.halves[1];
    const T* params = net.parameters().data();  // the twin is the first part: its convolution's weight at offset 0
    E e{params, E::traits::has_bias ? params + E::W * CE * F : nullptr};
    P p{params, P::traits::has_bias ? params + P::W * CP * F : nullptr};
    detail::model_tail<Model, T> tail{net.model(), params};
    constexpr std::size_t promoter_out = row - enhancer_out;
    // A batch of variants in the layout view_at gives a pair: every row's enhancer half, then every row's promoter half.
    std::vector<T> reference(row), rows(options.batch * row), bin(F);
    T* const promoter_rows = rows.data() + options.batch * enhancer_out;
    struct target {
        std::size_t half, base, letter;
    };
    std::vector<target> targets;
    std::fill_n(effects.first.data(), effects.first.size(), T(0));
    std::fill_n(effects.second.data(), effects.second.size(), T(0));
    for (std::size_t b = 0; b < in.batch(); ++b) {
        const T* xe = in.first.sample(b);
        const T* xp = in.second.sample(b);
        e.reference(xe);
        p.reference(xp);
        e.pooled_reference(reference.data());
        p.pooled_reference(reference.data() + enhancer_out);
        const double f0 = detail::weighted_output(tail.forward(ctx, reference.data(), 1), weights, 0);
        std::size_t filled = 0;
        const auto flush = [&] {
            if (filled == 0) return;
            // A last, partial batch: its promoter halves move up to follow its enhancer halves.
            if (filled < options.batch)
                std::copy(promoter_rows, promoter_rows + filled * promoter_out, rows.data() + filled * enhancer_out);
            const auto out = tail.forward(ctx, rows.data(), filled);
            for (std::size_t r = 0; r < filled; ++r) {
                const auto& t = targets[r];
                T* dst = t.half == 0 ? effects.first.sample(b) + t.base * CE + t.letter : effects.second.sample(b) + t.base * CP + t.letter;
                *dst = T(detail::weighted_output(out, weights, r) - f0);
            }
            filled = 0;
            targets.clear();
        };
        const auto substitute = [&](std::size_t half, const auto& side, const T* x, std::size_t channels, std::size_t length) {
            for (std::size_t base = 0; base < length; ++base) {
                std::size_t from = channels, ones = 0;
                bool one_hot = true;
                for (std::size_t c = 0; c < channels; ++c) {
                    const T v = x[base * channels + c];
                    if (v == T(1)) from = c, ++ones;
                    else if (v != T(0)) one_hot = false;
                }
                if (!one_hot || ones > 1)
                    throw argument_error("conv_pool_mutagenesis: input row " + std::to_string(base) + " of sample " + std::to_string(b) +
                                         " is not one-hot or all zero; use in_silico_mutagenesis");
                const auto [first, last] = side.bins_reading(base);
                for (std::size_t to = 0; to < channels; ++to) {
                    if (to == from) continue;
                    T* re = rows.data() + filled * enhancer_out;
                    T* rp = promoter_rows + filled * promoter_out;
                    std::copy_n(reference.data(), enhancer_out, re);
                    std::copy_n(reference.data() + enhancer_out, promoter_out, rp);
                    bool changed = false;
                    for (std::size_t j = first; j <= last && first <= last; ++j) {
                        side.pooled(j, base, from, to, bin.data());
                        T* target_bin = (half == 0 ? re : rp) + j * F;
                        changed = changed || !std::equal(bin.begin(), bin.end(), target_bin);
                        std::copy(bin.begin(), bin.end(), target_bin);
                    }
                    if (!changed) continue;  // the effect stays 0
                    targets.push_back({half, base, to});
                    if (++filled == options.batch) flush();
                }
            }
        };
        if (mutate_e) substitute(0, e, xe, CE, E::L);
        if (mutate_p) substitute(1, p, xp, CP, P::L);
        flush();
    }
}

}  // namespace helix::attribution
