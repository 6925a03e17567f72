// CUDA kernels of the fused convolution + ReLU + max-pool (layers/conv1d_relu_max_pool1d.hpp), batch at once.
// Forward: one thread per (sample, pooled position, filter) runs kernels::conv_relu_pool_at, the HELIX_HD function
// the host tests check against the CPU's blocked kernels; threads of neighbouring filters read the same input
// rows and neighbouring weights, so loads coalesce. One-hot input skips the zero channels (one multiply-add per
// tap instead of four), the point of the CPU's gather; the GPU handles any input the same way.
// Backward gathers instead of scattering (no atomics, so results are the same on every run):
//   weight gradient  one thread per weight (w, c, f): sum over samples and pooled outputs whose argmax is l
//   input gradient   one thread per input value (p, c): the pooled outputs whose conv position l covers p
// Cache: the argmax conv position of every pooled value (std::int32_t), the CPU's layout: a sample's positions
// start arg_stride int32 slots after the previous sample's (the cache holds T, so the stride depends on T).
#pragma once

#include <cstddef>
#include <cstdint>

#include "helix/backend/cuda/launch.cuh"
#include "helix/kernels/conv_pool.hpp"

namespace helix::cuda {

template <class T>
void conv_pool_forward(const context& ctx, kernels::conv_pool_sizes s, std::size_t out_length, std::size_t batch,
                       const T* x, const T* weight, const T* bias, T* y, std::int32_t* arg, std::size_t arg_stride) {
    const std::size_t per_sample = out_length * s.filters, in_size = s.length * s.channels;
    parallel_for(ctx, batch * per_sample, HELIX_DEVICE_LAMBDA(std::size_t i) {
        const std::size_t b = i / per_sample, o = i % per_sample / s.filters, f = i % s.filters;
        const kernels::pooled_value<T> r = kernels::conv_relu_pool_at(s, x + b * in_size, weight, bias, o, f);
        y[i] = r.value;
        arg[b * arg_stride + i % per_sample] = r.where;
    }, "conv_pool_forward");
}

// Adds d(loss)/d(weight) [width, channels, filters] and, when dbias is not null, d(loss)/d(bias). The sum over the
// batch is split: one thread per (weight, group of samples_per_part samples) writes a partial sum, then one thread
// per weight adds the parts in order (deterministic; a batch of 64 gives 16 x 15,360 threads for EPIANN, not 15,360
// threads looping over 6,400 pooled values each).
template <class T>
void conv_pool_weight_gradient(context& ctx, kernels::conv_pool_sizes s, std::size_t out_length,
                               std::size_t batch, const T* x, const T* y, const T* dy, const std::int32_t* arg,
                               std::size_t arg_stride, T* dweight, T* dbias) {
    const std::size_t per_sample = out_length * s.filters, in_size = s.length * s.channels;
    const std::size_t weights = s.width * s.channels * s.filters;
    constexpr std::size_t samples_per_part = 4;
    const std::size_t parts = (batch + samples_per_part - 1) / samples_per_part;
    T* part = ctx.partials<T>(parts * weights);
    parallel_for(ctx, parts * weights, HELIX_DEVICE_LAMBDA(std::size_t n) {
        const std::size_t q = n / weights, i = n % weights;
        const std::size_t w = i / (s.channels * s.filters), c = i / s.filters % s.channels, f = i % s.filters;
        const std::size_t b_end = (q + 1) * samples_per_part < batch ? (q + 1) * samples_per_part : batch;
        T sum = 0;
        for (std::size_t b = q * samples_per_part; b < b_end; ++b)
            for (std::size_t o = 0; o < out_length; ++o) {
                const std::size_t k = b * per_sample + o * s.filters + f;
                if (!(y[k] > T(0))) continue;  // relu passed nothing
                const std::size_t l = std::size_t(arg[b * arg_stride + o * s.filters + f]);
                sum += dy[k] * x[b * in_size + (l + w) * s.channels + c];
            }
        part[n] = sum;
    }, "conv_pool_weight_gradient");
    parallel_for(ctx, weights, HELIX_DEVICE_LAMBDA(std::size_t i) {
        T sum = 0;
        for (std::size_t q = 0; q < parts; ++q) sum += part[q * weights + i];
        dweight[i] += sum;
    }, "conv_pool_weight_gradient_sum");
    if (!dbias) return;
    parallel_for(ctx, s.filters, HELIX_DEVICE_LAMBDA(std::size_t f) {
        T sum = 0;
        for (std::size_t k = f; k < batch * per_sample; k += s.filters)
            if (y[k] > T(0)) sum += dy[k];
        dbias[f] += sum;
    }, "conv_pool_bias_gradient");
}

// Overwrites dx [batch, length, channels].
template <class T>
void conv_pool_input_gradient(const context& ctx, kernels::conv_pool_sizes s, std::size_t out_length,
                              std::size_t batch, const T* weight, const T* y, const T* dy, const std::int32_t* arg,
                              std::size_t arg_stride, T* dx) {
    const std::size_t per_sample = out_length * s.filters, in_size = s.length * s.channels;
    parallel_for(ctx, batch * in_size, HELIX_DEVICE_LAMBDA(std::size_t i) {
        const std::size_t b = i / in_size, p = i % in_size / s.channels, c = i % s.channels;
        T sum = 0;
        const std::size_t first = p + 1 >= s.width ? p + 1 - s.width : 0;
        const std::size_t last = p < s.conv_length() ? p : s.conv_length() - 1;
        for (std::size_t l = first; l <= last; ++l) {
            const kernels::index_range outs =
                kernels::pool_outputs_containing(l, s.pool_width, s.pool_stride, s.pad_before, out_length);
            const T* wrow = weight + ((p - l) * s.channels + c) * s.filters;
            for (std::size_t o = outs.lo; o < outs.hi; ++o)
                for (std::size_t f = 0; f < s.filters; ++f) {
                    const std::size_t k = b * per_sample + o * s.filters + f;
                    if (std::size_t(arg[b * arg_stride + o * s.filters + f]) == l && y[k] > T(0)) sum += dy[k] * wrow[f];
                }
        }
        dx[i] = sum;
    }, "conv_pool_input_gradient");
}

}  // namespace helix::cuda
