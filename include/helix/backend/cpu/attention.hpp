// Additive-attention kernels for one sample: scores with softmax, and the backward pass through tanh.
//
// Represents: s_ij = sum_d v_d tanh(qp_id + kp_jd), a_i = softmax_j(s_i), and its gradient. The key projections
// are stored transposed with a padded row stride (kt [Dim, key_stride], key_stride = Lk rounded up to 16, zeros
// in the padding), so the inner loops run along j over whole 16-float vectors: one broadcast add, tanh and
// multiply-add per element. In float these are written with vector types (kernels/fast_math.hpp) and compiled for
// AVX-512, AVX2 or SSE at run time (run_kernel, isa.hpp); double uses plain loops and std::tanh / std::exp.
// In float, tanh(q + k) is evaluated from exponentials computed once per sample: with E_q = exp(2q) and
// E_k = exp(2k), tanh(q + k) = 1 - 2 / (E_q E_k + 1): one multiply, add, divide and multiply-add per element
// instead of a full tanh (Lq x Lk x Dim elements, but only (Lq + Lk) x Dim exponentials). It is exact algebra; its
// rounding error stays within 2.5e-7 absolute as long as |q|, |k| <= 20 (E_q E_k neither overflows nor
// underflows). A sample with a larger projection takes the direct path (fast_tanh per element) instead.
// The forward scores need no tanh at all: softmax ignores the constant sum_d v_d of s_ij = sum_d v_d (1 - 2 / x_d),
// x_d = E_q E_k + 1, so it takes -2 sum_d v_d / x_d, two d at a time with one division (v / x + w / y =
// (v y + w x) / (x y); the division was the bottleneck). x y must not overflow: that path needs |q|, |k| <= 10.
// The Lq x Lk x Dim tanh values are recomputed in backward rather than stored: storing them would take
// 4 x Lq x Lk x Dim bytes per sample and direction (EPIANN: 0.86 MB, 55 MB at batch 64), more than recomputing.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <limits>
#include <type_traits>

#include "helix/backend/cpu/isa.hpp"
#include "helix/kernels/fast_math.hpp"

namespace helix::backend::cpu {

inline constexpr std::size_t attention_key_stride(std::size_t key_length) { return (key_length + 15) / 16 * 16; }

namespace detail {
using kernels::f32x16;
HELIX_ALWAYS_INLINE void load16(f32x16& v, const float* p) { std::memcpy(&v, p, sizeof v); }
HELIX_ALWAYS_INLINE void store16(float* p, const f32x16& v) { std::memcpy(p, &v, sizeof v); }
HELIX_ALWAYS_INLINE float sum16(const f32x16& v) {
    using f32x8 = float __attribute__((vector_size(32)));
    using f32x4 = float __attribute__((vector_size(16)));
    const f32x8 h = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7) +
                    __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
    const f32x4 q = __builtin_shufflevector(h, h, 0, 1, 2, 3) + __builtin_shufflevector(h, h, 4, 5, 6, 7);
    return (q[0] + q[2]) + (q[1] + q[3]);
}
// Whether every |value| of qp [Lq * Dim] and kt [Dim * stride] is at most `bound` (see the header comment).
template <std::size_t Q, std::size_t K>
HELIX_ALWAYS_INLINE bool exponentials_in_range(const float* qp, const float* kt, float bound) {
    float top = 0;
    for (std::size_t i = 0; i < Q; ++i) top = std::max(top, std::fabs(qp[i]));
    for (std::size_t i = 0; i < K; ++i) top = std::max(top, std::fabs(kt[i]));
    return top <= bound;
}
inline constexpr float tanh_product_bound = 20.0f;  // E_q E_k within float range
inline constexpr float paired_division_bound = 10.0f;  // (E_q E_k + 1)^2 within float range

// e [n] = exp(2 x) for n a multiple of 16. (Templates, like fast_math.hpp, so that nvcc never folds them.)
template <int = 0>
HELIX_ALWAYS_INLINE void exp2x(const float* x, float* e, std::size_t n) {
    for (std::size_t c = 0; c < n; c += 16) {
        kernels::f32x16 v;
        load16(v, x + c);
        v *= 2.0f;
        kernels::fast_exp(v);
        store16(e + c, v);
    }
}

// tanh(q + k) from E_q E_k = u.
template <int = 0>
HELIX_ALWAYS_INLINE void tanh_from_product(kernels::f32x16& u) { u = 1.0f - 2.0f / (u + 1.0f); }

// The query exponentials of one row: eq [Dim] = exp(2 qp [Dim]).
template <std::size_t Dim>
HELIX_ALWAYS_INLINE void query_exponentials(const float* qp, float* eq) {
    constexpr std::size_t padded = (Dim + 15) / 16 * 16;
    alignas(64) float q[padded] = {};
    for (std::size_t d = 0; d < Dim; ++d) q[d] = qp[d];
    exp2x(q, eq, padded);
}
}  // namespace detail

// a [Lq, Lk] = row-wise softmax of the scores. kt: [Dim, key_stride].
template <class T, std::size_t Lq, std::size_t Lk, std::size_t Dim>
struct attention_forward_kernel {
    static constexpr std::size_t stride = attention_key_stride(Lk), vectors = stride / 16;

    HELIX_ALWAYS_INLINE static void softmax_row(T* row) {
        T top = -std::numeric_limits<T>::infinity();
        for (std::size_t j = 0; j < Lk; ++j) top = row[j] > top ? row[j] : top;
        T sum = 0;
        if constexpr (std::is_same_v<T, float>) {
            alignas(64) float shifted[stride] = {};
            for (std::size_t j = 0; j < Lk; ++j) shifted[j] = row[j] - top;
            for (std::size_t c = 0; c < vectors; ++c) {
                kernels::f32x16 e;
                detail::load16(e, shifted + 16 * c);
                kernels::fast_exp(e);
                detail::store16(shifted + 16 * c, e);
            }
            for (std::size_t j = 0; j < Lk; ++j) sum += (row[j] = shifted[j]);
        } else {
            for (std::size_t j = 0; j < Lk; ++j) sum += (row[j] = std::exp(row[j] - top));
        }
        const T scale = T(1) / sum;
        for (std::size_t j = 0; j < Lk; ++j) row[j] *= scale;
    }

    HELIX_ALWAYS_INLINE static void run(const T* qp, const T* kt, const T* v, T* a) {
        [[maybe_unused]] bool by_exponentials = false;
        [[maybe_unused]] alignas(64) T ek[std::is_same_v<T, float> ? Dim * stride : 1];
        if constexpr (std::is_same_v<T, float>) {
            by_exponentials = detail::exponentials_in_range<Lq * Dim, Dim * stride>(qp, kt,
                                                                                 detail::paired_division_bound);
            if (by_exponentials) detail::exp2x(kt, ek, Dim * stride);
        }
        for (std::size_t i = 0; i < Lq; ++i) {
            T* row = a + i * Lk;
            if constexpr (std::is_same_v<T, float>) {
                kernels::f32x16 score[vectors];
                for (std::size_t c = 0; c < vectors; ++c) score[c] = HELIX_F32X16(0.0f);
                if (by_exponentials) {
                    alignas(64) float eq[(Dim + 15) / 16 * 16];
                    detail::query_exponentials<Dim>(qp + i * Dim, eq);
                    kernels::f32x16 sum[vectors];  // sum_d v_d / x_d
                    for (std::size_t c = 0; c < vectors; ++c) sum[c] = HELIX_F32X16(0.0f);
                    for (std::size_t d = 0; d + 1 < Dim; d += 2) {
                        const kernels::f32x16 q0 = HELIX_F32X16(eq[d]), q1 = HELIX_F32X16(eq[d + 1]);
                        const kernels::f32x16 v0 = HELIX_F32X16(v[d]), v1 = HELIX_F32X16(v[d + 1]);
                        for (std::size_t c = 0; c < vectors; ++c) {
                            kernels::f32x16 x0, x1;
                            detail::load16(x0, ek + d * stride + 16 * c);
                            detail::load16(x1, ek + (d + 1) * stride + 16 * c);
                            x0 = x0 * q0 + 1.0f;
                            x1 = x1 * q1 + 1.0f;
                            sum[c] += (v0 * x1 + v1 * x0) / (x0 * x1);
                        }
                    }
                    if constexpr (Dim % 2 == 1) {
                        const kernels::f32x16 q = HELIX_F32X16(eq[Dim - 1]), vd = HELIX_F32X16(v[Dim - 1]);
                        for (std::size_t c = 0; c < vectors; ++c) {
                            kernels::f32x16 x;
                            detail::load16(x, ek + (Dim - 1) * stride + 16 * c);
                            sum[c] += vd / (x * q + 1.0f);
                        }
                    }
                    for (std::size_t c = 0; c < vectors; ++c) score[c] = -2.0f * sum[c];
                } else {
                    for (std::size_t d = 0; d < Dim; ++d) {
                        const kernels::f32x16 q = HELIX_F32X16(qp[i * Dim + d]), vd = HELIX_F32X16(v[d]);
                        for (std::size_t c = 0; c < vectors; ++c) {
                            kernels::f32x16 t;
                            detail::load16(t, kt + d * stride + 16 * c);
                            t += q;
                            kernels::fast_tanh(t);
                            score[c] += vd * t;
                        }
                    }
                }
                alignas(64) float scores[stride];
                for (std::size_t c = 0; c < vectors; ++c) detail::store16(scores + 16 * c, score[c]);
                for (std::size_t j = 0; j < Lk; ++j) row[j] = scores[j];
            } else {
                for (std::size_t j = 0; j < Lk; ++j) row[j] = T(0);
                for (std::size_t d = 0; d < Dim; ++d)
                    for (std::size_t j = 0; j < Lk; ++j) row[j] += v[d] * std::tanh(qp[i * Dim + d] + kt[d * stride + j]);
            }
            softmax_row(row);
        }
    }
};

// Given ds = dL/ds [Lq, Lk]: dqp [Lq, Dim] and dkt [Dim, key_stride] (overwritten), dv [Dim] (added to).
template <class T, std::size_t Lq, std::size_t Lk, std::size_t Dim>
struct attention_backward_kernel {
    static constexpr std::size_t stride = attention_key_stride(Lk), vectors = stride / 16;

    HELIX_ALWAYS_INLINE static void run(const T* qp, const T* kt, const T* v, const T* ds, T* dqp, T* dkt, T* dv) {
        for (std::size_t i = 0; i < Dim * stride; ++i) dkt[i] = T(0);
        if constexpr (std::is_same_v<T, float>) {
            const bool by_exponentials =
                detail::exponentials_in_range<Lq * Dim, Dim * stride>(qp, kt, detail::tanh_product_bound);
            alignas(64) float ek[Dim * stride];
            if (by_exponentials) detail::exp2x(kt, ek, Dim * stride);
            kernels::f32x16 dv_sum[Dim];
            for (std::size_t d = 0; d < Dim; ++d) dv_sum[d] = HELIX_F32X16(0.0f);
            for (std::size_t i = 0; i < Lq; ++i) {
                alignas(64) float g_row[stride] = {};  // zero beyond Lk: the padding passes no gradient
                for (std::size_t j = 0; j < Lk; ++j) g_row[j] = ds[i * Lk + j];
                kernels::f32x16 g[vectors];
                for (std::size_t c = 0; c < vectors; ++c) detail::load16(g[c], g_row + 16 * c);
                alignas(64) float eq[(Dim + 15) / 16 * 16];
                if (by_exponentials) detail::query_exponentials<Dim>(qp + i * Dim, eq);
                for (std::size_t d = 0; d < Dim; ++d) {
                    const kernels::f32x16 q = HELIX_F32X16(by_exponentials ? eq[d] : qp[i * Dim + d]);
                    const kernels::f32x16 vd = HELIX_F32X16(v[d]);
                    kernels::f32x16 dq = HELIX_F32X16(0.0f);
                    for (std::size_t c = 0; c < vectors; ++c) {
                        kernels::f32x16 t, dk;
                        if (by_exponentials) {
                            detail::load16(t, ek + d * stride + 16 * c);
                            t *= q;
                            detail::tanh_from_product(t);
                        } else {
                            detail::load16(t, kt + d * stride + 16 * c);
                            t += q;
                            kernels::fast_tanh(t);
                        }
                        dv_sum[d] += g[c] * t;
                        const kernels::f32x16 du = g[c] * vd * (1.0f - t * t);
                        dq += du;
                        detail::load16(dk, dkt + d * stride + 16 * c);
                        detail::store16(dkt + d * stride + 16 * c, dk + du);
                    }
                    dqp[i * Dim + d] = detail::sum16(dq);
                }
            }
            for (std::size_t d = 0; d < Dim; ++d) dv[d] += detail::sum16(dv_sum[d]);
        } else {
            for (std::size_t i = 0; i < Lq; ++i)
                for (std::size_t d = 0; d < Dim; ++d) {
                    T dq = 0;
                    for (std::size_t j = 0; j < Lk; ++j) {
                        const T t = std::tanh(qp[i * Dim + d] + kt[d * stride + j]);
                        const T g = ds[i * Lk + j];
                        dv[d] += g * t;
                        const T du = g * v[d] * (T(1) - t * t);
                        dq += du;
                        dkt[d * stride + j] += du;
                    }
                    dqp[i * Dim + d] = dq;
                }
        }
    }
};

}  // namespace helix::backend::cpu
