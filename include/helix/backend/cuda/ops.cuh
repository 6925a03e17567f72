// ops<cuda_device>: the device-generic operations (core/ops.hpp) on a CUDA device, in the context's stream: gemm and
// gemm_batched through cuBLAS (gemm.cuh), for_each as a grid-stride kernel of the functor (launch.cuh), fill, copy
// and add as kernels. Every layer written on ops_of<Ctx> runs on CUDA through these.
#pragma once

#include <cstddef>

#include "helix/backend/cuda/gemm.cuh"
#include "helix/backend/cuda/launch.cuh"
#include "helix/core/ops.hpp"

namespace helix {

namespace cuda::detail {
template <class T>
struct fill_value {
    T* dst;
    T value;
    __device__ void operator()(std::size_t i) const { dst[i] = value; }
};
template <class T>
struct copy_values {
    const T* src;
    T* dst;
    __device__ void operator()(std::size_t i) const { dst[i] = src[i]; }
};
template <class T>
struct add_values {
    T* dst;
    const T* src;
    __device__ void operator()(std::size_t i) const { dst[i] += src[i]; }
};
inline cuda::transpose cuda_trans(trans t) { return t == trans::no ? cuda::transpose::no : cuda::transpose::yes; }
}  // namespace cuda::detail

template <>
struct ops<cuda_device> {
    template <class T>
    static void gemm(const cuda::context& ctx, trans ta, trans tb, std::size_t m, std::size_t n, std::size_t k,
                     T alpha, const T* a, std::size_t lda, const T* b, std::size_t ldb, T beta, T* c, std::size_t ldc) {
        cuda::gemm<T>(ctx, cuda::detail::cuda_trans(ta), cuda::detail::cuda_trans(tb), m, n, k, alpha, a, lda, b, ldb,
                      beta, c, ldc);
    }
    template <class T>
    static void gemm_batched(const cuda::context& ctx, trans ta, trans tb, std::size_t m, std::size_t n, std::size_t k,
                             T alpha, const T* a, std::size_t lda, std::size_t stride_a, const T* b, std::size_t ldb,
                             std::size_t stride_b, T beta, T* c, std::size_t ldc, std::size_t stride_c,
                             std::size_t count) {
        cuda::gemm_batched<T>(ctx, cuda::detail::cuda_trans(ta), cuda::detail::cuda_trans(tb), m, n, k, alpha, a, lda,
                              stride_a, b, ldb, stride_b, beta, c, ldc, stride_c, count);
    }
    template <class F>
    static void for_each(const cuda::context& ctx, std::size_t n, const F& f, std::size_t /*work_per_index*/ = 0) {
        cuda::parallel_for(ctx, n, f, "helix layer kernel");
    }
    template <class T>
    static void fill(const cuda::context& ctx, T* dst, T value, std::size_t n) {
        cuda::parallel_for(ctx, n, cuda::detail::fill_value<T>{dst, value}, "ops::fill");
    }
    template <class T>
    static void copy(const cuda::context& ctx, const T* src, T* dst, std::size_t n) {
        cuda::parallel_for(ctx, n, cuda::detail::copy_values<T>{src, dst}, "ops::copy");
    }
    template <class T>
    static void add(const cuda::context& ctx, T* dst, const T* src, std::size_t n) {
        cuda::parallel_for(ctx, n, cuda::detail::add_values<T>{dst, src}, "ops::add");
    }
};

}  // namespace helix
