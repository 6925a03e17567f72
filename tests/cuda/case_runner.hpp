// run_case<In, Model>(run): deterministic parameters, input and output gradient for a case, handed to `run`, the
// backend's forward + backward (see cases.hpp). Host-only code, shared by both sides of the CUDA test.
#pragma once

#include <cmath>
#include <cstdint>

#include "cases.hpp"

namespace helix_cuda_test {

template <class In>
std::vector<float> make_input(input_kind kind, std::uint64_t seed) {
    std::vector<float> x(batch * io_size<In>);
    counter_rng rng(seed);
    if (kind == input_kind::normal) {
        for (auto& v : x) v = float(rng.next_normal());
    } else {
        // One-hot rows of 4 channels; one row in 50 all zero (an N base).
        for (std::size_t r = 0; r < x.size() / 4; ++r) {
            const std::uint64_t pick = rng.next_below(50);
            if (pick < 49) x[r * 4 + pick % 4] = 1.0f;
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

struct case_data {
    std::vector<float> params, input, output_gradient;
};

template <class In, class Model>
case_data make_case_data(input_kind kind) {
    using bound = typename Model::template bind<In>;
    case_data d;
    d.params.resize(bound::param_size);
    counter_rng prng(11);
    for (auto& v : d.params) v = float(0.1 * prng.next_normal());
    d.input = make_input<In>(kind, 12);
    d.output_gradient.resize(batch * io_size<typename bound::output>);
    counter_rng grng(13);
    for (auto& v : d.output_gradient) v = float(grng.next_normal());
    return d;
}

}  // namespace helix_cuda_test
