// run_case<In, Model>(run): deterministic parameters, input and output gradient for a case, handed to `run`, the
// backend's forward + backward (see cases.hpp). Host-only code, shared by both sides of the CUDA test.
#pragma once

#include <cmath>
#include <cstdint>

#include "cases.hpp"

namespace helix_cuda_test {

template <class In, class T>
std::vector<T> make_input(input_kind kind, std::uint64_t seed) {
    std::vector<T> x(largest_batch * io_size<In>);
    counter_rng rng(seed);
    if (kind == input_kind::normal) {
        for (auto& v : x) v = T(rng.next_normal());
    } else {
        // One-hot rows of 4 channels; one row in 50 all zero (an N base).
        for (std::size_t r = 0; r < x.size() / 4; ++r) {
            const std::uint64_t pick = rng.next_below(50);
            if (pick < 49) x[r * 4 + pick % 4] = T(1);
        }
    }
    return x;
}

// The first value of a tensor or (nested) pair view: a network's output and its gradient are contiguous from there.
template <class V>
auto* first_data(const V& v) {
    if constexpr (requires { v.first; }) return first_data(v.first);
    else return v.data();
}

// Parameters, and input and output gradient for the largest batch (a smaller batch reads their first samples).
template <class T>
struct case_data {
    std::vector<T> params, input, output_gradient;
};

template <class In, class Model, class T>
case_data<T> make_case_data(input_kind kind) {
    using bound = typename Model::template bind<In>;
    case_data<T> d;
    d.params.resize(bound::param_size);
    counter_rng prng(11);
    for (auto& v : d.params) v = T(0.1 * prng.next_normal());
    // Buffers (batch_norm's running statistics) at their initial value plus a little: a running variance stays > 0.
    param_list described;
    bound{}.describe(described);
    for (const auto& p : described.items())
        if (p.kind == param_kind::buffer)
            for (std::size_t i = 0; i < p.size; ++i) d.params[p.offset + i] = T(p.initial + std::abs(double(d.params[p.offset + i])));
    d.input = make_input<In, T>(kind, 12);
    d.output_gradient.resize(largest_batch * io_size<typename bound::output>);
    counter_rng grng(13);
    for (auto& v : d.output_gradient) v = T(grng.next_normal());
    return d;
}

// The context settings of a mode (either backend's context).
template <class Ctx>
void set_mode(Ctx& ctx, mode m) {
    ctx.training = m == mode::training;
    ctx.auxiliary_outputs = m != mode::inference;
}

// Values as float for the comparison (double cases are compared in float: the tolerances are float's).
template <class T>
std::vector<float> as_float(const T* p, std::size_t n) {
    return std::vector<float>(p, p + n);
}

}  // namespace helix_cuda_test
