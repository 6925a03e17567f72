// ops<cpu>: the device-generic operations (core/ops.hpp) on the host. gemm is backend::cpu::gemm (split over the
// context's threads when called outside a parallel region); gemm_batched runs its products in parallel, each on
// one thread; for_each is parallel_for (static schedule: the same split, the same bits, run after run).
#pragma once

#include <algorithm>
#include <cstddef>

#include "helix/backend/cpu/gemm.hpp"
#include "helix/core/ops.hpp"
#include "helix/core/parallel_for.hpp"

namespace helix {

template <>
struct ops<cpu> {
    template <class T>
    static void gemm(const cpu_context& ctx, trans ta, trans tb, std::size_t m, std::size_t n, std::size_t k, T alpha,
                     const T* a, std::size_t lda, const T* b, std::size_t ldb, T beta, T* c, std::size_t ldc) {
        backend::cpu::gemm<T>(ctx, cpu_trans(ta), cpu_trans(tb), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    // count products C_i = alpha op(A_i) op(B_i) + beta C_i, operand i at stride_* * i (a stride of 0 reuses one).
    template <class T>
    static void gemm_batched(const cpu_context& ctx, trans ta, trans tb, std::size_t m, std::size_t n, std::size_t k,
                             T alpha, const T* a, std::size_t lda, std::size_t stride_a, const T* b, std::size_t ldb,
                             std::size_t stride_b, T beta, T* c, std::size_t ldc, std::size_t stride_c,
                             std::size_t count) {
        if (count == 1) {
            gemm<T>(ctx, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            return;
        }
        parallel_for(ctx, count, [&](std::size_t i) {
            backend::cpu::gemm<T>(ctx, cpu_trans(ta), cpu_trans(tb), m, n, k, alpha, a + i * stride_a, lda,
                                  b + i * stride_b, ldb, beta, c + i * stride_c, ldc);
        });
    }

    // f(i) for every i in [0, n). work_per_index (about the operations one f(i) does; 0: unknown) lets small loops
    // run on the calling thread: a parallel region costs a fork and a barrier, and on a machine shared with other
    // work a barrier can wait a whole time slice for a descheduled thread (recurrent layers run two small loops per
    // time step: with 2 threads on a loaded machine they were 400x slower than on one).
    template <class F>
    static void for_each(const cpu_context& ctx, std::size_t n, const F& f, std::size_t work_per_index = 0) {
        if (work_per_index > 0 && n * work_per_index < serial_work) {
            for (std::size_t i = 0; i < n; ++i) f(i);
            return;
        }
        parallel_for(ctx, n, [&](std::size_t i) { f(i); });
    }
    // Below this much work (n x work_per_index) for_each does not start threads.
    static constexpr std::size_t serial_work = std::size_t{1} << 16;

    template <class T>
    static void fill(const cpu_context&, T* dst, T value, std::size_t n) {
        std::fill(dst, dst + n, value);
    }
    template <class T>
    static void copy(const cpu_context&, const T* src, T* dst, std::size_t n) {
        std::copy(src, src + n, dst);
    }
    // dst[i] += src[i]
    template <class T>
    static void add(const cpu_context&, T* dst, const T* src, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) dst[i] += src[i];
    }

private:
    static backend::cpu::transpose cpu_trans(trans t) {
        return t == trans::no ? backend::cpu::transpose::no : backend::cpu::transpose::yes;
    }
};

}  // namespace helix
