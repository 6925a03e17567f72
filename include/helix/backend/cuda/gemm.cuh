// gemm: C = alpha op(A) op(B) + beta C on row-major device matrices through cuBLAS, which is column-major.
// How: a row-major matrix is the column-major storage of its transpose, so C^T = op(B)^T op(A)^T is one
// column-major product with the operands swapped and the same transposition flags: no copies.
// gemm_batched: the same for `count` products whose operands are `stride_*` values apart (a stride of 0 reuses
// one operand, e.g. a weight matrix, for every product).
// Requires: leading dimensions at least the row length (cuBLAS rejects the overlapping rows the CPU's conv1d
// uses; the CUDA conv1d has its own kernel); sizes below 2^31.
#pragma once

#include <climits>
#include <cstddef>
#include <type_traits>

#include "helix/backend/cuda/context.cuh"

namespace helix::cuda {

enum class transpose : bool { no = false, yes = true };

namespace detail {
inline int blas_int(std::size_t v, const char* what) {
    if (v > std::size_t(INT_MAX)) throw argument_error(std::string("cuda::gemm: ") + what + " exceeds cuBLAS's int range");
    return int(v);
}
inline cublasOperation_t blas_op(transpose t) { return t == transpose::no ? CUBLAS_OP_N : CUBLAS_OP_T; }
}  // namespace detail

template <class T>
void gemm(const context& ctx, transpose ta, transpose tb, std::size_t m, std::size_t n, std::size_t k, T alpha,
          const T* a, std::size_t lda, const T* b, std::size_t ldb, T beta, T* c, std::size_t ldc) {
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "cuda::gemm: float or double");
    if (m == 0 || n == 0) return;
    using detail::blas_int;
    // k == 0 is valid for cuBLAS (C = beta C).
    if constexpr (std::is_same_v<T, float>)
        HELIX_CUDA_CHECK(cublasSgemm(ctx.blas(), detail::blas_op(tb), detail::blas_op(ta), blas_int(n, "n"),
                                     blas_int(m, "m"), blas_int(k, "k"), &alpha, b, blas_int(ldb, "ldb"), a,
                                     blas_int(lda, "lda"), &beta, c, blas_int(ldc, "ldc")));
    else
        HELIX_CUDA_CHECK(cublasDgemm(ctx.blas(), detail::blas_op(tb), detail::blas_op(ta), blas_int(n, "n"),
                                     blas_int(m, "m"), blas_int(k, "k"), &alpha, b, blas_int(ldb, "ldb"), a,
                                     blas_int(lda, "lda"), &beta, c, blas_int(ldc, "ldc")));
}

template <class T>
void gemm_batched(const context& ctx, transpose ta, transpose tb, std::size_t m, std::size_t n, std::size_t k, T alpha,
                  const T* a, std::size_t lda, std::size_t stride_a, const T* b, std::size_t ldb, std::size_t stride_b,
                  T beta, T* c, std::size_t ldc, std::size_t stride_c, std::size_t count) {
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "cuda::gemm_batched: float or double");
    if (m == 0 || n == 0 || count == 0) return;
    using detail::blas_int;
    const auto sa = static_cast<long long>(stride_a), sb = static_cast<long long>(stride_b),
               sc = static_cast<long long>(stride_c);
    if constexpr (std::is_same_v<T, float>)
        HELIX_CUDA_CHECK(cublasSgemmStridedBatched(ctx.blas(), detail::blas_op(tb), detail::blas_op(ta), blas_int(n, "n"),
                                                   blas_int(m, "m"), blas_int(k, "k"), &alpha, b, blas_int(ldb, "ldb"),
                                                   sb, a, blas_int(lda, "lda"), sa, &beta, c, blas_int(ldc, "ldc"), sc,
                                                   blas_int(count, "count")));
    else
        HELIX_CUDA_CHECK(cublasDgemmStridedBatched(ctx.blas(), detail::blas_op(tb), detail::blas_op(ta), blas_int(n, "n"),
                                                   blas_int(m, "m"), blas_int(k, "k"), &alpha, b, blas_int(ldb, "ldb"),
                                                   sb, a, blas_int(lda, "lda"), sa, &beta, c, blas_int(ldc, "ldc"), sc,
                                                   blas_int(count, "count")));
}

}  // namespace helix::cuda
