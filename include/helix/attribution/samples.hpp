// What the attribution methods share: walking the halves of an input (a view or a pair of views, nested pairs too)
// side by side, scratch batches of a model's input type, and the weighted output f(x) = sum_k weights[k] * out[k]
// that every method attributes (the same weights input_gradient takes).
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "helix/core/aligned_buffer.hpp"
#include "helix/core/context.hpp"
#include "helix/core/error.hpp"
#include "helix/core/tensor.hpp"

namespace helix::attribution {

namespace detail {

// f(half, v, vs...) for every tensor_view half of v and the matching halves of vs (views of the same io_type), in
// order: a pair's first half, then its second. `half` counts from 0.
template <class F, class V, class... Vs>
void for_each_half(F&& f, std::size_t& half, const V& v, const Vs&... vs) {
    if constexpr (requires { v.first; }) {
        for_each_half(f, half, v.first, vs.first...);
        for_each_half(f, half, v.second, vs.second...);
    } else {
        f(half++, v, vs...);
    }
}
template <class F, class V, class... Vs>
void for_each_half(F&& f, const V& v, const Vs&... vs) {
    std::size_t half = 0;
    for_each_half(f, half, v, vs...);
}

template <class IO>
constexpr std::size_t half_count() {
    if constexpr (is_pair_v<IO>) return half_count<typename IO::first_type>() + half_count<typename IO::second_type>();
    else return 1;
}

// Storage for up to `capacity` samples of an io_type, zero-initialised; view(rows) lays out the first rows samples
// (a pair's halves one after the other, as view_at does).
template <class T, class IO>
struct scratch {
    aligned_buffer<T> values;
    std::size_t capacity = 0;
    explicit scratch(std::size_t n) : values(n * io_size<IO>), capacity(n) {}
    view_t<T, IO> view(std::size_t rows) { return view_at<IO>(values.data(), rows); }
    view_t<const T, IO> cview(std::size_t rows) const { return view_at<IO>(static_cast<const T*>(values.data()), rows); }
};

// sum_k weights[k] * out_k of sample b (a pair output: the first half's outputs, then the second's).
template <class V, class T>
double weighted_output(const V& out, std::span<const T> weights, std::size_t b) {
    double sum = 0;
    std::size_t w = 0;
    for_each_half(
        [&](std::size_t, const auto& half) {
            constexpr std::size_t n = std::remove_cvref_t<decltype(half)>::sample_size;
            for (std::size_t i = 0; i < n; ++i)  // a weight of 0 skips its output: an auxiliary head's NaN in inference
                if (weights[w + i] != T(0)) sum += double(weights[w + i]) * double(half.sample(b)[i]);
            w += n;
        },
        out);
    return sum;
}

template <class Net, class T>
void check_weights(std::span<const T> weights, const char* method) {
    constexpr std::size_t outputs = io_size<typename Net::output>;
    if (weights.size() != outputs)
        throw shape_error(std::string(method) + ": " + std::to_string(weights.size()) + " output weights for a model with " +
                          std::to_string(outputs) + " outputs per sample");
}

// The methods differentiate or perturb a fixed function: dropout drawing in mode::training would make it random.
inline void check_not_training(const cpu_context& ctx, const char* method) {
    if (ctx.training)
        throw argument_error(std::string(method) +
                             ": the context is in mode::training (dropout would draw); use mode::evaluation or mode::inference");
}

// f(x) of every sample of `in`, forwarded in batches of at most `batch`.
template <class Net, class T>
std::vector<double> weighted_outputs(Net& net, cpu_context& ctx, view_t<const T, typename Net::input> in,
                                     std::span<const T> weights, std::size_t batch) {
    using In = typename Net::input;
    const std::size_t n = in.batch();
    std::vector<double> f(n);
    scratch<T, In> x(std::min(batch, n));
    for (std::size_t start = 0; start < n; start += batch) {
        const std::size_t rows = std::min(batch, n - start);
        for_each_half(
            [&](std::size_t, const auto& src, const auto& dst) {
                constexpr std::size_t size = std::remove_cvref_t<decltype(src)>::sample_size;
                std::copy_n(src.sample(start), rows * size, dst.sample(0));
            },
            in, x.view(rows));
        const auto out = net.forward(ctx, x.cview(rows));
        for (std::size_t r = 0; r < rows; ++r) f[start + r] = weighted_output(out, weights, r);
    }
    return f;
}

}  // namespace detail

}  // namespace helix::attribution
