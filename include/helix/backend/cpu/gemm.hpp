// gemm: C = alpha * op(A) * op(B) + beta * C on row-major host matrices, through Eigen or, with HELIX_USE_BLAS,
// OpenBLAS.
//
// Requires: op(A) is m x k, op(B) is k x n, C is m x n; lda/ldb/ldc are row strides in elements. A row
// stride smaller than the row length is allowed for A and B (overlapping rows): that is how conv1d reads
// every window of its input as one matrix without copying (such products always go through Eigen: BLAS
// rejects them).
// Threading: every product runs single-threaded in Eigen or BLAS. Called inside an OpenMP parallel region
// (batch-parallel layers) it stays on the calling thread; called outside one, a large product is split into
// ctx.threads() independent blocks of rows or columns of C, one per thread. Eigen's and OpenBLAS's own
// threading synchronise their threads by spinning, which collapses on a machine shared with other work (we
// measured Eigen's 2-thread product of the coordinate heads 3x slower than one thread there); independent
// blocks never wait for each other, and nothing is ever oversubscribed.
// Guarantees: the result does not depend on where the product is split (each element of C is computed by one
// single-threaded product over the full k).
#pragma once

#include <algorithm>
#include <cstddef>
#include <type_traits>

#include <Eigen/Core>

#include "helix/core/context.hpp"

#if defined(HELIX_USE_BLAS)
#include <cblas.h>
#endif

namespace helix::backend::cpu {

enum class transpose : bool { no = false, yes = true };

namespace detail {

// Products below this many multiply-adds are not worth splitting across threads.
inline constexpr std::size_t gemm_split_threshold = std::size_t{1} << 20;

template <class T>
void gemm_eigen(transpose ta, transpose tb, std::size_t m, std::size_t n, std::size_t k, T alpha, const T* a,
                std::size_t lda, const T* b, std::size_t ldb, T beta, T* c, std::size_t ldc) {
    using matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    using stride = Eigen::OuterStride<>;
    using const_map = Eigen::Map<const matrix, Eigen::Unaligned, stride>;
    using map = Eigen::Map<matrix, Eigen::Unaligned, stride>;
    const auto ei = [](std::size_t v) { return static_cast<Eigen::Index>(v); };

    map cm(c, ei(m), ei(n), stride(ei(ldc)));
    const_map am(a, ta == transpose::no ? ei(m) : ei(k), ta == transpose::no ? ei(k) : ei(m), stride(ei(lda)));
    const_map bm(b, tb == transpose::no ? ei(k) : ei(n), tb == transpose::no ? ei(n) : ei(k), stride(ei(ldb)));
    auto run = [&](const auto& op_a, const auto& op_b) {
        if (beta == T(0)) cm.noalias() = alpha * (op_a * op_b);
        else {
            if (beta != T(1)) cm *= beta;
            cm.noalias() += alpha * (op_a * op_b);
        }
    };
    if (ta == transpose::no && tb == transpose::no) run(am, bm);
    else if (ta == transpose::no) run(am, bm.transpose());
    else if (tb == transpose::no) run(am.transpose(), bm);
    else run(am.transpose(), bm.transpose());
}

#if defined(HELIX_USE_BLAS)
// BLAS needs every row stride at least its row length (no overlapping rows).
inline bool blas_strides_ok(transpose ta, transpose tb, std::size_t m, std::size_t n, std::size_t k, std::size_t lda,
                            std::size_t ldb, std::size_t ldc) {
    return lda >= std::max<std::size_t>(1, ta == transpose::no ? k : m) &&
           ldb >= std::max<std::size_t>(1, tb == transpose::no ? n : k) && ldc >= std::max<std::size_t>(1, n);
}

inline void blas_single_threaded() {
    static const bool once = [] {
        openblas_set_num_threads(1);  // helix does the threading (see the header comment)
        return true;
    }();
    (void)once;
}
#endif

// One single-threaded product, in BLAS when it is enabled and accepts the strides.
template <class T>
void gemm_serial(transpose ta, transpose tb, std::size_t m, std::size_t n, std::size_t k, T alpha, const T* a,
                 std::size_t lda, const T* b, std::size_t ldb, T beta, T* c, std::size_t ldc) {
#if defined(HELIX_USE_BLAS)
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
        if (blas_strides_ok(ta, tb, m, n, k, lda, ldb, ldc)) {
            blas_single_threaded();
            const auto op = [](transpose t) { return t == transpose::no ? CblasNoTrans : CblasTrans; };
            const auto i = [](std::size_t v) { return static_cast<blasint>(v); };
            if constexpr (std::is_same_v<T, float>)
                cblas_sgemm(CblasRowMajor, op(ta), op(tb), i(m), i(n), i(k), alpha, a, i(lda), b, i(ldb), beta, c, i(ldc));
            else
                cblas_dgemm(CblasRowMajor, op(ta), op(tb), i(m), i(n), i(k), alpha, a, i(lda), b, i(ldb), beta, c, i(ldc));
            return;
        }
    }
#endif
    gemm_eigen(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

}  // namespace detail

template <class T>
void gemm(const cpu_context& ctx, transpose ta, transpose tb, std::size_t m, std::size_t n, std::size_t k, T alpha,
          const T* a, std::size_t lda, const T* b, std::size_t ldb, T beta, T* c, std::size_t ldc) {
    if (m == 0 || n == 0) return;
    if (k == 0) {
        for (std::size_t i = 0; i < m; ++i)
            for (std::size_t j = 0; j < n; ++j) c[i * ldc + j] = beta == T(0) ? T(0) : beta * c[i * ldc + j];
        return;
    }
    bool in_parallel = false;
#if defined(_OPENMP)
    in_parallel = omp_in_parallel();
    if (!in_parallel && Eigen::nbThreads() != 1) Eigen::setNbThreads(1);
#endif
    const std::size_t parts = std::size_t(ctx.threads());
    if (in_parallel || parts < 2 || m * n * k < detail::gemm_split_threshold) {
        detail::gemm_serial(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return;
    }
    // Split the larger of m and n: each thread then reads its share of the larger operand. Blocks are whole
    // multiples of 16 rows or columns so that every block keeps the vector alignment of C.
    const bool split_rows = m >= n;
    const std::size_t extent = split_rows ? m : n;
    const std::size_t chunk = std::max<std::size_t>(16, (extent / parts + 15) / 16 * 16);
    const std::size_t count = (extent + chunk - 1) / chunk;
#if defined(_OPENMP)
#pragma omp parallel for schedule(static) num_threads(int(std::min(count, parts)))
#endif
    for (std::size_t p = 0; p < count; ++p) {
        const std::size_t lo = p * chunk, len = std::min(extent, lo + chunk) - lo;
        if (split_rows)
            detail::gemm_serial(ta, tb, len, n, k, alpha, ta == transpose::no ? a + lo * lda : a + lo, lda, b, ldb,
                                beta, c + lo * ldc, ldc);
        else
            detail::gemm_serial(ta, tb, m, len, k, alpha, a, lda, tb == transpose::no ? b + lo : b + lo * ldb, ldb,
                                beta, c + lo, ldc);
    }
}

}  // namespace helix::backend::cpu
