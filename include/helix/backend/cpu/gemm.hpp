// gemm: C = alpha * op(A) * op(B) + beta * C on row-major host matrices, through Eigen.
//
// Requires: op(A) is m x k, op(B) is k x n, C is m x n; lda/ldb/ldc are row strides in elements. A row
// stride smaller than the row length is allowed for A and B (overlapping rows): that is how conv1d reads
// every window of its input as one matrix without copying.
// Guarantees: multi-threaded when called outside an OpenMP parallel region (Eigen's own threading, with
// the context's thread count), single-threaded inside one, so batch-parallel callers never oversubscribe.
#pragma once

#include <cstddef>

#include <Eigen/Core>

#include "helix/core/context.hpp"

namespace helix::backend::cpu {

enum class transpose : bool { no = false, yes = true };

template <class T>
void gemm(const cpu_context& ctx, transpose ta, transpose tb, std::size_t m, std::size_t n, std::size_t k, T alpha,
          const T* a, std::size_t lda, const T* b, std::size_t ldb, T beta, T* c, std::size_t ldc) {
    using matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    using stride = Eigen::OuterStride<>;
    using const_map = Eigen::Map<const matrix, Eigen::Unaligned, stride>;
    using map = Eigen::Map<matrix, Eigen::Unaligned, stride>;
    const auto ei = [](std::size_t v) { return static_cast<Eigen::Index>(v); };

    map cm(c, ei(m), ei(n), stride(ei(ldc)));
    if (m == 0 || n == 0) return;
    if (k == 0) {
        if (beta == T(0)) cm.setZero();
        else cm *= beta;
        return;
    }
#if defined(_OPENMP)
    if (!omp_in_parallel() && Eigen::nbThreads() != ctx.threads()) Eigen::setNbThreads(ctx.threads());
#else
    (void)ctx;
#endif
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

}  // namespace helix::backend::cpu
