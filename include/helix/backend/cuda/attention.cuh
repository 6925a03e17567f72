// CUDA kernels of additive attention (layers/additive_cross_attention.hpp), batch at once; the projections and
// products around them are cuBLAS calls (backend/cuda/layers.cuh).
// Layout per sample inside the layer's cache: query projections qp [Lq, Dim], key projections kp [Lk, Dim]
// (row-major, where the CPU keeps them transposed and padded; the CPU's area is large enough), attention a
// [Lq, Lk] at the same offset as on the CPU, so attention() reads either backend's cache.
// Scores: one thread per (sample, i, j) runs kernels::additive_score; softmax: one thread per row runs
// kernels::softmax_row (rows are short: 67 or 100 keys in EPIANN). Backward recomputes tanh, as the CPU does, with
// one thread per output value or partial sum (no atomics).
#pragma once

#include <cmath>
#include <cstddef>

#include "helix/backend/cuda/launch.cuh"
#include "helix/kernels/softmax.hpp"

namespace helix::cuda {

struct attention_sizes {
    std::size_t query_length, key_length, dim;
    std::size_t cache_size, key_offset, attention_offset;  // per-sample cache stride and the offsets of kp and a
};

// a = softmax_j(v^T tanh(qp_i + kp_j)) for every sample.
template <class T>
void attention_scores(const context& ctx, attention_sizes s, std::size_t batch, const T* v, T* cache) {
    const std::size_t per_sample = s.query_length * s.key_length;
    parallel_for(ctx, batch * per_sample, HELIX_DEVICE_LAMBDA(std::size_t n) {
        const std::size_t b = n / per_sample, i = n % per_sample / s.key_length, j = n % s.key_length;
        T* c = cache + b * s.cache_size;
        c[s.attention_offset + i * s.key_length + j] =
            kernels::additive_score(c + i * s.dim, c + s.key_offset + j * s.dim, 1, v, s.dim);
    }, "attention_scores");
    parallel_for(ctx, batch * s.query_length, HELIX_DEVICE_LAMBDA(std::size_t n) {
        const std::size_t b = n / s.query_length, i = n % s.query_length;
        kernels::softmax_row(cache + b * s.cache_size + s.attention_offset + i * s.key_length, s.key_length);
    }, "attention_softmax");
}

// Given ds = dL/da [batch, Lq, Lk]: turns it into dL/ds in place (softmax backward), then writes
// dqp [batch * Lq, Dim], dkp [batch * Lk, Dim] and adds dL/dv into dv [Dim]. dL/dv comes out of the query-gradient
// pass, which computes the same tanh: one partial sum per (sample, query, d) in dv_part [batch * Lq, Dim], summed
// over the queries of each sample (in place, into the sample's first row), then over the samples, always in order.
template <class T>
void attention_backward(const context& ctx, attention_sizes s, std::size_t batch, const T* v, const T* cache, T* ds,
                        T* dqp, T* dkp, T* dv_part, T* dv) {
    const std::size_t lq = s.query_length, lk = s.key_length, dim = s.dim;
    parallel_for(ctx, batch * lq, HELIX_DEVICE_LAMBDA(std::size_t n) {
        const std::size_t b = n / lq, i = n % lq;
        kernels::softmax_backward_row(cache + b * s.cache_size + s.attention_offset + i * lk, ds + n * lk, lk);
    }, "attention_softmax_backward");
    parallel_for(ctx, batch * lq * dim, HELIX_DEVICE_LAMBDA(std::size_t n) {
        const std::size_t b = n / (lq * dim), i = n / dim % lq, d = n % dim;
        const T* c = cache + b * s.cache_size;
        const T q = c[i * dim + d];
        T sum = 0, score_weight = 0;
        for (std::size_t j = 0; j < lk; ++j) {
            const T t = std::tanh(q + c[s.key_offset + j * dim + d]);
            const T g = ds[(b * lq + i) * lk + j];
            sum += g * (T(1) - t * t);
            score_weight += g * t;
        }
        dqp[n] = sum * v[d];
        dv_part[n] = score_weight;
    }, "attention_query_gradient");
    parallel_for(ctx, batch * lk * dim, HELIX_DEVICE_LAMBDA(std::size_t n) {
        const std::size_t b = n / (lk * dim), j = n / dim % lk, d = n % dim;
        const T* c = cache + b * s.cache_size;
        const T k = c[s.key_offset + j * dim + d];
        T sum = 0;
        for (std::size_t i = 0; i < lq; ++i) {
            const T t = std::tanh(c[i * dim + d] + k);
            sum += ds[(b * lq + i) * lk + j] * (T(1) - t * t);
        }
        dkp[n] = sum * v[d];
    }, "attention_key_gradient");
    parallel_for(ctx, batch * dim, HELIX_DEVICE_LAMBDA(std::size_t n) {
        const std::size_t b = n / dim, d = n % dim;
        T sum = 0;
        for (std::size_t i = 0; i < lq; ++i) sum += dv_part[(b * lq + i) * dim + d];
        dv_part[b * lq * dim + d] = sum;  // only this thread reads or writes the sample's column d
    }, "attention_score_weight_gradient");
    parallel_for(ctx, dim, HELIX_DEVICE_LAMBDA(std::size_t d) {
        T sum = 0;
        for (std::size_t b = 0; b < batch; ++b) sum += dv_part[b * lq * dim + d];
        dv[d] += sum;
    }, "attention_score_weight_sum");
}

}  // namespace helix::cuda
