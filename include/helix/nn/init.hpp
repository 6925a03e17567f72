// Initialisers: how a network fills its parameter arena. Each parameter tensor draws from its own stream
// (seed, tensor index), so adding a layer at the end never changes the others' initial values.
//   glorot_uniform    weights U(-a, a), a = sqrt(6 / (fan_in + fan_out)); biases 0 (Keras' default)
//   truncated_normal  weights N(0, sd^2) redrawn beyond 2 sd; biases a constant (EPIANN: sd 0.1, bias 0.1)
//   fan_in_uniform    weights and biases U(-a, a), a = 1 / sqrt(fan_in) (PyTorch's default for Linear and Conv)
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "helix/core/rng.hpp"
#include "helix/nn/parameters.hpp"

namespace helix::init {

struct glorot_uniform {
    template <class T>
    void operator()(const param_info& p, T* values, counter_rng& rng) const {
        if (p.kind == param_kind::bias) {
            for (std::size_t i = 0; i < p.size; ++i) values[i] = T(0);
            return;
        }
        const double a = std::sqrt(6.0 / double(p.fan_in + p.fan_out));
        for (std::size_t i = 0; i < p.size; ++i) values[i] = T((2.0 * rng.next_uniform() - 1.0) * a);
    }
};

struct truncated_normal {
    double sd = 0.1;
    double bias = 0.1;
    template <class T>
    void operator()(const param_info& p, T* values, counter_rng& rng) const {
        for (std::size_t i = 0; i < p.size; ++i) {
            if (p.kind == param_kind::bias) {
                values[i] = T(bias);
                continue;
            }
            double x;
            do x = rng.next_normal();
            while (std::abs(x) > 2.0);
            values[i] = T(x * sd);
        }
    }
};

struct fan_in_uniform {
    template <class T>
    void operator()(const param_info& p, T* values, counter_rng& rng) const {
        const double a = 1.0 / std::sqrt(double(std::max<std::size_t>(p.fan_in, 1)));
        for (std::size_t i = 0; i < p.size; ++i) values[i] = T((2.0 * rng.next_uniform() - 1.0) * a);
    }
};

}  // namespace helix::init
