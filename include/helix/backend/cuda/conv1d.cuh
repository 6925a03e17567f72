// CUDA kernels of conv1d (valid, stride 1) and max_pool1d. cuBLAS cannot read the overlapping windows the CPU's
// single conv1d product uses, so conv1d is direct: one thread per output, per weight, per input value (gathers,
// no atomics). max_pool1d's windows and its gather backward come from kernels/pool.hpp, tested on the host.
#pragma once

#include <cstddef>
#include <cstdint>

#include "helix/backend/cuda/launch.cuh"
#include "helix/kernels/pool.hpp"

namespace helix::cuda {

struct conv1d_sizes {
    std::size_t length, channels, filters, width;
    constexpr std::size_t out_length() const { return length - width + 1; }
    constexpr std::size_t weight_size() const { return width * channels * filters; }
};

template <class T>
void conv1d_forward(const context& ctx, conv1d_sizes s, std::size_t batch, const T* x, const T* weight, const T* bias,
                    T* y) {
    const std::size_t out_len = s.out_length();
    parallel_for(ctx, batch * out_len * s.filters, HELIX_DEVICE_LAMBDA(std::size_t i) {
        const std::size_t b = i / (out_len * s.filters), l = i / s.filters % out_len, f = i % s.filters;
        T sum = bias ? bias[f] : T(0);
        const T* window = x + (b * s.length + l) * s.channels;  // width x channels contiguous values
        for (std::size_t k = 0; k < s.width * s.channels; ++k) sum += window[k] * weight[k * s.filters + f];
        y[i] = sum;
    }, "conv1d");
}

template <class T>
void conv1d_backward(const context& ctx, conv1d_sizes s, std::size_t batch, const T* x, const T* weight, const T* dy,
                     T* dweight, T* dbias, T* dx) {
    const std::size_t out_len = s.out_length();
    parallel_for(ctx, s.weight_size(), HELIX_DEVICE_LAMBDA(std::size_t i) {
        const std::size_t k = i / s.filters, f = i % s.filters;  // k = w * channels + c
        T sum = 0;
        for (std::size_t b = 0; b < batch; ++b)
            for (std::size_t l = 0; l < out_len; ++l)
                sum += x[(b * s.length + l) * s.channels + k] * dy[(b * out_len + l) * s.filters + f];
        dweight[i] += sum;
    }, "conv1d weight gradient");
    if (dbias) {
        parallel_for(ctx, s.filters, HELIX_DEVICE_LAMBDA(std::size_t f) {
            T sum = 0;
            for (std::size_t r = 0; r < batch * out_len; ++r) sum += dy[r * s.filters + f];
            dbias[f] += sum;
        }, "conv1d bias gradient");
    }
    if (!dx) return;
    parallel_for(ctx, batch * s.length * s.channels, HELIX_DEVICE_LAMBDA(std::size_t i) {
        const std::size_t b = i / (s.length * s.channels), p = i / s.channels % s.length, c = i % s.channels;
        T sum = 0;
        for (std::size_t w = 0; w < s.width; ++w) {
            if (p < w || p - w >= out_len) continue;
            const T* g = dy + (b * out_len + p - w) * s.filters;
            const T* wr = weight + (w * s.channels + c) * s.filters;
            for (std::size_t f = 0; f < s.filters; ++f) sum += g[f] * wr[f];
        }
        dx[i] = sum;
    }, "conv1d input gradient");
}

struct pool_sizes {
    std::size_t length, channels, width, stride, pad_before, out_length;
};

// arg: the winning input position of every output (ties: the first), arg_stride int32 slots per sample.
template <class T>
void max_pool1d_forward(const context& ctx, pool_sizes s, std::size_t batch, const T* x, T* y, std::int32_t* arg,
                        std::size_t arg_stride) {
    parallel_for(ctx, batch * s.out_length * s.channels, HELIX_DEVICE_LAMBDA(std::size_t i) {
        const std::size_t b = i / (s.out_length * s.channels), o = i / s.channels % s.out_length, c = i % s.channels;
        const kernels::index_range win = kernels::pool_window(o, s.width, s.stride, s.pad_before, s.length);
        const T* xs = x + b * s.length * s.channels + c;
        T best = xs[win.lo * s.channels];
        std::size_t where = win.lo;
        for (std::size_t l = win.lo + 1; l < win.hi; ++l)
            if (xs[l * s.channels] > best) {
                best = xs[l * s.channels];
                where = l;
            }
        y[i] = best;
        arg[b * arg_stride + o * s.channels + c] = std::int32_t(where);
    }, "max_pool1d");
}

template <class T>
void max_pool1d_backward(const context& ctx, pool_sizes s, std::size_t batch, const T* dy, const std::int32_t* arg,
                         std::size_t arg_stride, T* dx) {
    parallel_for(ctx, batch * s.length * s.channels, HELIX_DEVICE_LAMBDA(std::size_t i) {
        const std::size_t b = i / (s.length * s.channels), l = i / s.channels % s.length, c = i % s.channels;
        const kernels::index_range outs = kernels::pool_outputs_containing(l, s.width, s.stride, s.pad_before, s.out_length);
        T sum = 0;
        for (std::size_t o = outs.lo; o < outs.hi; ++o)
            if (std::size_t(arg[b * arg_stride + o * s.channels + c]) == l) sum += dy[(b * s.out_length + o) * s.channels + c];
        dx[i] = sum;
    }, "max_pool1d backward");
}

}  // namespace helix::cuda
