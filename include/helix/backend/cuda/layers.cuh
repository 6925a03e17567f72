// The CUDA implementation of every helix layer: device_layer<Spec, cuda_device> for each layer spec
// (layers/layer.hpp explains the dispatch), plus device_ops<cuda_device> for the composites.
// Each specialisation mirrors the layer's CPU code: the same parameter and cache layouts (argmax and top-k
// indices, dropout masks, attention matrices read the same on either backend), element-wise work through the same
// HELIX_HD functors (kernels/), products through cuBLAS (gemm.cuh), and the special kernels in conv_relu_pool.cuh,
// attention.cuh and top_k.cuh. Backward follows the layer contract: din overwritten (skipped when empty), grads
// added to.
#pragma once

#include <cstddef>
#include <cstdint>

#include "helix/backend/cuda/attention.cuh"
#include "helix/backend/cuda/conv1d.cuh"
#include "helix/backend/cuda/conv_relu_pool.cuh"
#include "helix/backend/cuda/elementwise.cuh"
#include "helix/backend/cuda/gemm.cuh"
#include "helix/backend/cuda/launch.cuh"
#include "helix/backend/cuda/ops.cuh"
#include "helix/backend/cuda/top_k.cuh"
#include "helix/layers/activations.hpp"
#include "helix/layers/additive_cross_attention.hpp"
#include "helix/layers/bilinear.hpp"
#include "helix/layers/conv1d.hpp"
#include "helix/layers/conv1d_relu_max_pool1d.hpp"
#include "helix/layers/dense.hpp"
#include "helix/layers/dropout.hpp"
#include "helix/layers/flatten.hpp"
#include "helix/layers/max_pool1d.hpp"
#include "helix/layers/top_k_pool.hpp"
#include "helix/nn/halves.hpp"

namespace helix {

namespace cuda::detail {
// Layers keep std::int32_t indices in slots of their T cache; a sample's indices start this many int32 apart.
template <class T>
constexpr std::size_t int_stride(std::size_t cache_size) {
    return cache_size * sizeof(T) / sizeof(std::int32_t);
}
template <class T>
std::int32_t* int_slots(T* cache) {
    return reinterpret_cast<std::int32_t*>(cache);
}
template <class T>
const std::int32_t* int_slots(const T* cache) {
    return reinterpret_cast<const std::int32_t*>(cache);
}
}  // namespace cuda::detail

template <>
struct device_ops<cuda_device> {
    template <class T>
    static void add(cuda::context& ctx, T* dst, const T* src, std::size_t n) {
        cuda::add(ctx, dst, src, n, "add (branches gradient)");
    }
    // Every byte of n values set to `byte` (auxiliary<> marks a skipped output NaN with 0xFF).
    template <class T>
    static void fill_bytes(cuda::context& ctx, T* dst, unsigned char byte, std::size_t n) {
        HELIX_CUDA_CHECK(cudaMemsetAsync(dst, byte, n * sizeof(T), ctx.stream()));
    }
};

template <class Op>
struct device_layer<elementwise<Op>, cuda_device> {
    template <class T, class L, class In, class Out>
    static void forward(const L&, cuda::context& ctx, const T*, In in, Out out, T*) {
        check_batch(in.batch(), out.batch(), Op::name);
        const T* x = in.data();
        T* y = out.data();
        cuda::map_forward<Op>(ctx, x, y, in.size(), Op::name);
    }
    template <class T, class L, class In, class Out, class DOut, class DIn>
    static void backward(const L&, cuda::context& ctx, const T*, T*, In in, Out out, DOut dout, DIn din, T*) {
        if (din.empty()) return;
        const T* y = kernels::backward_from_input<Op> ? in.data() : out.data();  // gelu differentiates from x
        const T* dy = dout.data();
        T* dx = din.data();
        cuda::map_backward<Op>(ctx, y, dy, dx, din.size(), Op::name);
    }
};

template <std::size_t N, bias Bias>
struct device_layer<dense<N, Bias>, cuda_device> {
    template <class T, class L, class In, class Out>
    static void forward(const L&, cuda::context& ctx, const T* params, In in, Out out, T*) {
        check_batch(in.batch(), out.batch(), "dense");
        const std::size_t m = in.batch() * L::rows;
        T* y = out.data();
        if constexpr (Bias == bias::on) {
            const T* b = params + L::weight_size;
            cuda::fill_rows(ctx, y, b, m, N, "dense bias");
        }
        cuda::gemm<T>(ctx, cuda::transpose::no, cuda::transpose::no, m, N, L::in_features, T(1), in.data(),
                      L::in_features, params, N, Bias == bias::on ? T(1) : T(0), y, N);
    }
    template <class T, class L, class In, class Out, class DOut, class DIn>
    static void backward(const L&, cuda::context& ctx, const T* params, T* grads, In in, Out, DOut dout, DIn din, T*) {
        using cuda::transpose;
        const std::size_t m = in.batch() * L::rows;
        cuda::gemm<T>(ctx, transpose::yes, transpose::no, L::in_features, N, m, T(1), in.data(), L::in_features,
                      dout.data(), N, T(1), grads, N);
        if constexpr (Bias == bias::on) {
            cuda::add_column_sums(ctx, dout.data(), m, N, grads + L::weight_size, "dense bias gradient");
        }
        if (din.empty()) return;
        cuda::gemm<T>(ctx, transpose::no, transpose::yes, m, L::in_features, N, T(1), dout.data(), N, params, N, T(0),
                      din.data(), L::in_features);
    }
};

template <>
struct device_layer<dropout, cuda_device> {
    template <class T, class L, class In, class Out>
    static void forward(const L& layer, cuda::context& ctx, const T*, In in, Out out, T* cache) {
        check_batch(in.batch(), out.batch(), "dropout");
        static_assert(L::cache_size == L::input::size, "dropout: the mask is one value per input");
        const bool active = ctx.training && layer.rate > 0.0f;
        // The same draws as the CPU: one per value, indexed by the value's position in the global batch.
        std::uint64_t first = 0;
        if (active) {
            const share_draws draws = draws_of_share(ctx.share, in.batch(), L::input::size, "dropout");
            first = ctx.rng.reserve(draws.reserved) + draws.offset;
        }
        const T keep_scale = T(1) / (T(1) - T(layer.rate));
        cuda::dropout_forward(ctx, in.data(), out.data(), cache, in.size(), ctx.rng, first, layer.rate, keep_scale, active);
    }
    template <class T, class L, class In, class Out, class DOut, class DIn>
    static void backward(const L&, cuda::context& ctx, const T*, T*, In, Out, DOut dout, DIn din, T* cache) {
        if (din.empty()) return;
        cuda::multiply(ctx, dout.data(), static_cast<const T*>(cache), din.data(), din.size(), "dropout backward");
    }
};

template <>
struct device_layer<flatten, cuda_device> {
    template <class T, class L, class In, class Out>
    static void forward(const L&, cuda::context& ctx, const T*, In in, Out out, T*) {
        check_batch(in.batch(), out.batch(), "flatten");
        cuda::copy_on_device(ctx.stream(), in.data(), out.data(), in.size());
    }
    template <class T, class L, class In, class Out, class DOut, class DIn>
    static void backward(const L&, cuda::context& ctx, const T*, T*, In, Out, DOut dout, DIn din, T*) {
        if (!din.empty()) cuda::copy_on_device(ctx.stream(), dout.data(), din.data(), dout.size());
    }
};

template <>
struct device_layer<swap_halves, cuda_device> {
    template <class T, class L, class In, class Out>
    static void forward(const L&, cuda::context& ctx, const T*, In in, Out out, T*) {
        cuda::copy_on_device(ctx.stream(), in.first.data(), out.second.data(), in.first.size());
        cuda::copy_on_device(ctx.stream(), in.second.data(), out.first.data(), in.second.size());
    }
    template <class T, class L, class In, class Out, class DOut, class DIn>
    static void backward(const L&, cuda::context& ctx, const T*, T*, In, Out, DOut dout, DIn din, T*) {
        if (din.empty()) return;
        cuda::copy_on_device(ctx.stream(), dout.second.data(), din.first.data(), dout.second.size());
        cuda::copy_on_device(ctx.stream(), dout.first.data(), din.second.data(), dout.first.size());
    }
};

template <std::size_t Filters, std::size_t Width, bias Bias>
struct device_layer<conv1d<Filters, Width, Bias>, cuda_device> {
    template <class L>
    static constexpr cuda::conv1d_sizes sizes() {
        return {L::length, L::channels, Filters, Width};
    }
    template <class T, class L, class In, class Out>
    static void forward(const L&, cuda::context& ctx, const T* params, In in, Out out, T*) {
        check_batch(in.batch(), out.batch(), "conv1d");
        cuda::conv1d_forward<T>(ctx, sizes<L>(), in.batch(), in.data(), params,
                                Bias == bias::on ? params + L::weight_size : nullptr, out.data());
    }
    template <class T, class L, class In, class Out, class DOut, class DIn>
    static void backward(const L&, cuda::context& ctx, const T* params, T* grads, In in, Out, DOut dout, DIn din, T*) {
        cuda::conv1d_backward<T>(ctx, sizes<L>(), in.batch(), in.data(), params, dout.data(), grads,
                                 Bias == bias::on ? grads + L::weight_size : nullptr, din.empty() ? nullptr : din.data());
    }
};

template <std::size_t PoolWidth, std::size_t Stride, padding Padding>
struct device_layer<max_pool1d<PoolWidth, Stride, Padding>, cuda_device> {
    template <class L>
    static constexpr cuda::pool_sizes sizes() {
        return {L::length, L::channels, PoolWidth, Stride, L::pad_before, L::out_length};
    }
    template <class T, class L, class In, class Out>
    static void forward(const L&, cuda::context& ctx, const T*, In in, Out out, T* cache) {
        check_batch(in.batch(), out.batch(), "max_pool1d");
        cuda::max_pool1d_forward<T>(ctx, sizes<L>(), in.batch(), in.data(), out.data(), cuda::detail::int_slots(cache),
                                    cuda::detail::int_stride<T>(L::cache_size));
    }
    template <class T, class L, class In, class Out, class DOut, class DIn>
    static void backward(const L&, cuda::context& ctx, const T*, T*, In, Out, DOut dout, DIn din, T* cache) {
        if (din.empty()) return;
        cuda::max_pool1d_backward<T>(ctx, sizes<L>(), din.batch(), dout.data(),
                                     cuda::detail::int_slots(static_cast<const T*>(cache)),
                                     cuda::detail::int_stride<T>(L::cache_size), din.data());
    }
};

template <std::size_t Filters, std::size_t Width, std::size_t PoolWidth, std::size_t PoolStride, padding Padding, bias Bias>
struct device_layer<conv1d_relu_max_pool1d<Filters, Width, PoolWidth, PoolStride, Padding, Bias>, cuda_device> {
    template <class L>
    static constexpr kernels::conv_pool_sizes sizes() {
        return {L::length, L::channels, Filters, Width, PoolWidth, PoolStride, L::pad_before, L::geometry::group};
    }
    template <class T, class L, class In, class Out>
    static void forward(const L&, cuda::context& ctx, const T* params, In in, Out out, T* cache) {
        check_batch(in.batch(), out.batch(), "conv1d_relu_max_pool1d");
        cuda::conv_pool_forward<T>(ctx, sizes<L>(), L::out_length, in.batch(), in.data(), params,
                                   Bias == bias::on ? params + L::weight_size : nullptr, out.data(),
                                   cuda::detail::int_slots(cache), cuda::detail::int_stride<T>(L::cache_size));
    }
    template <class T, class L, class In, class Out, class DOut, class DIn>
    static void backward(const L&, cuda::context& ctx, const T* params, T* grads, In in, Out out, DOut dout, DIn din,
                         T* cache) {
        const std::int32_t* arg = cuda::detail::int_slots(static_cast<const T*>(cache));
        constexpr std::size_t stride = cuda::detail::int_stride<T>(L::cache_size);
        cuda::conv_pool_weight_gradient<T>(ctx, sizes<L>(), L::out_length, in.batch(), in.data(), out.data(),
                                           dout.data(), arg, stride, grads,
                                           Bias == bias::on ? grads + L::weight_size : nullptr);
        if (!din.empty())
            cuda::conv_pool_input_gradient<T>(ctx, sizes<L>(), L::out_length, in.batch(), params, out.data(),
                                              dout.data(), arg, stride, din.data());
    }
};

template <std::size_t K>
struct device_layer<top_k_pool<K>, cuda_device> {
    template <class T, class L, class In, class Out>
    static void forward(const L&, cuda::context& ctx, const T*, In in, Out out, T* cache) {
        check_batch(in.batch(), out.batch(), "top_k_pool");
        cuda::top_k_forward<T>(ctx, L::input::size, K, in.batch(), in.data(), out.data(), cuda::detail::int_slots(cache),
                               cuda::detail::int_stride<T>(L::cache_size));
    }
    template <class T, class L, class In, class Out, class DOut, class DIn>
    static void backward(const L&, cuda::context& ctx, const T*, T*, In, Out, DOut dout, DIn din, T* cache) {
        if (din.empty()) return;
        cuda::top_k_backward<T>(ctx, L::input::size, K, din.batch(), dout.data(), din.data(),
                                cuda::detail::int_slots(static_cast<const T*>(cache)),
                                cuda::detail::int_stride<T>(L::cache_size));
    }
};

template <bias Bias>
struct device_layer<bilinear<Bias>, cuda_device> {
    template <class T, class L, class In, class Out>
    static void forward(const L&, cuda::context& ctx, const T* params, In in, Out out, T* cache) {
        check_batch(in.batch(), out.batch(), "bilinear");
        using cuda::transpose;
        constexpr std::size_t la = L::rows_a, lb = L::rows_b, C = L::channels;
        const std::size_t batch = in.batch();
        // AW for the whole batch in one product (the cache holds the samples' AW back to back).
        cuda::gemm<T>(ctx, transpose::no, transpose::no, batch * la, C, C, T(1), in.first.data(), C, params, C, T(0),
                      cache, C);
        T* m = out.data();
        if constexpr (Bias == bias::on) {
            cuda::fill_rows(ctx, m, params + L::weight_size, out.size(), 1, "bilinear bias");
        }
        cuda::gemm_batched<T>(ctx, transpose::no, transpose::yes, la, lb, C, T(1), cache, C, la * C, in.second.data(), C,
                              lb * C, Bias == bias::on ? T(1) : T(0), m, lb, la * lb, batch);
    }
    template <class T, class L, class In, class Out, class DOut, class DIn>
    static void backward(const L&, cuda::context& ctx, const T* params, T* grads, In in, Out, DOut dout, DIn din,
                         T* cache) {
        using cuda::transpose;
        constexpr std::size_t la = L::rows_a, lb = L::rows_b, C = L::channels;
        const std::size_t batch = in.batch();
        T* daw = ctx.scratch<T>(batch * la * C);
        // d(AW) = dM B per sample; dW += A^T d(AW) over the batch; dA = d(AW) W^T; dB = dM^T (AW).
        cuda::gemm_batched<T>(ctx, transpose::no, transpose::no, la, C, lb, T(1), dout.data(), lb, la * lb,
                              in.second.data(), C, lb * C, T(0), daw, C, la * C, batch);
        cuda::gemm<T>(ctx, transpose::yes, transpose::no, C, C, batch * la, T(1), in.first.data(), C, daw, C, T(1), grads,
                      C);
        if constexpr (Bias == bias::on) cuda::sum_into(ctx, dout.data(), dout.size(), grads + L::weight_size, "bilinear bias gradient");
        if (din.empty()) return;
        cuda::gemm<T>(ctx, transpose::no, transpose::yes, batch * la, C, C, T(1), daw, C, params, C, T(0),
                      din.first.data(), C);
        cuda::gemm_batched<T>(ctx, transpose::yes, transpose::no, lb, C, la, T(1), dout.data(), lb, la * lb, cache, C,
                              la * C, T(0), din.second.data(), C, lb * C, batch);
    }
};

template <std::size_t Dim, queries Queries>
struct device_layer<additive_cross_attention<Dim, Queries>, cuda_device> {
    template <class P>
    static auto query_half(P& p) {
        if constexpr (Queries == queries::first) return p.first;
        else return p.second;
    }
    template <class P>
    static auto key_half(P& p) {
        if constexpr (Queries == queries::first) return p.second;
        else return p.first;
    }
    template <class L>
    static constexpr cuda::attention_sizes sizes() {
        static_assert(L::key_length * Dim <= Dim * L::key_stride, "attention: row-major key projections must fit");
        return {L::query_length, L::key_length, Dim, L::cache_size, L::query_length * Dim, L::attention_offset};
    }

    template <class T, class L, class In, class Out>
    static void forward(const L&, cuda::context& ctx, const T* params, In in, Out out, T* cache) {
        check_batch(in.batch(), out.batch(), "additive_cross_attention");
        using cuda::transpose;
        constexpr std::size_t lq = L::query_length, lk = L::key_length, C = L::channels;
        constexpr cuda::attention_sizes s = sizes<L>();
        const std::size_t batch = in.batch();
        const T* wq = params;
        const T* wk = params + L::proj_size;
        const T* v = params + 2 * L::proj_size;
        const T* q = query_half(in).data();
        const T* k = key_half(in).data();
        // qp = q W_q and kp = k W_k per sample, written into the (strided) caches; the weights are shared (stride 0).
        cuda::gemm_batched<T>(ctx, transpose::no, transpose::no, lq, Dim, C, T(1), q, C, lq * C, wq, Dim, 0, T(0), cache,
                              Dim, s.cache_size, batch);
        cuda::gemm_batched<T>(ctx, transpose::no, transpose::no, lk, Dim, C, T(1), k, C, lk * C, wk, Dim, 0, T(0),
                              cache + s.key_offset, Dim, s.cache_size, batch);
        cuda::attention_scores<T>(ctx, s, batch, v, cache);
        // r = a k
        cuda::gemm_batched<T>(ctx, transpose::no, transpose::no, lq, C, lk, T(1), cache + s.attention_offset, lk,
                              s.cache_size, k, C, lk * C, T(0), out.data(), C, lq * C, batch);
    }

    template <class T, class L, class In, class Out, class DOut, class DIn>
    static void backward(const L&, cuda::context& ctx, const T* params, T* grads, In in, Out, DOut dout, DIn din,
                         T* cache) {
        using cuda::transpose;
        constexpr std::size_t lq = L::query_length, lk = L::key_length, C = L::channels;
        constexpr cuda::attention_sizes s = sizes<L>();
        const std::size_t batch = in.batch();
        const T* wq = params;
        const T* wk = params + L::proj_size;
        const T* v = params + 2 * L::proj_size;
        const T* q = query_half(in).data();
        const T* k = key_half(in).data();
        const T* dr = dout.data();
        T* ds = ctx.scratch<T>(batch * (lq * lk + lq * Dim + lk * Dim + lq * Dim));
        T* dqp = ds + batch * lq * lk;
        T* dkp = dqp + batch * lq * Dim;
        T* dv_part = dkp + batch * lk * Dim;
        // da = dr k^T, then the softmax and tanh backward (attention.cuh).
        cuda::gemm_batched<T>(ctx, transpose::no, transpose::yes, lq, lk, C, T(1), dr, C, lq * C, k, C, lk * C, T(0), ds,
                              lk, lq * lk, batch);
        cuda::attention_backward<T>(ctx, s, batch, v, cache, ds, dqp, dkp, dv_part, grads + 2 * L::proj_size);
        // dW_q += Q^T dQP and dW_k += K^T dKP over the whole batch (inputs and these gradients are contiguous).
        cuda::gemm<T>(ctx, transpose::yes, transpose::no, C, Dim, batch * lq, T(1), q, C, dqp, Dim, T(1), grads, Dim);
        cuda::gemm<T>(ctx, transpose::yes, transpose::no, C, Dim, batch * lk, T(1), k, C, dkp, Dim, T(1),
                      grads + L::proj_size, Dim);
        if (din.empty()) return;
        T* dq = query_half(din).data();
        T* dk = key_half(din).data();
        // dq = dQP W_q^T; dk = a^T dr (through the values) + dKP W_k^T (through the keys)
        cuda::gemm<T>(ctx, transpose::no, transpose::yes, batch * lq, C, Dim, T(1), dqp, Dim, wq, Dim, T(0), dq, C);
        cuda::gemm_batched<T>(ctx, transpose::yes, transpose::no, lk, C, lq, T(1), cache + s.attention_offset, lk,
                              s.cache_size, dr, C, lq * C, T(0), dk, C, lk * C, batch);
        cuda::gemm<T>(ctx, transpose::no, transpose::yes, batch * lk, C, Dim, T(1), dkp, Dim, wk, Dim, T(1), dk, C);
    }
};

}  // namespace helix
