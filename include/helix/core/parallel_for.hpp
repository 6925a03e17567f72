// parallel_for(ctx, n, f): calls f(i) for every i in [0, n), split across the context's threads.
// Inside a parallel region (a layer that splits its batch over threads) it runs on the calling thread.
// Requires: f(i) for distinct i touch distinct outputs. Guarantees: static scheduling, so the work a thread
// does is the same from run to run; with one thread (or no OpenMP) it is a plain loop.
#pragma once

#include <cstddef>
#include <cstdint>

#include "helix/core/context.hpp"

namespace helix {

template <class F>
void parallel_for(const cpu_context& ctx, std::size_t n, F&& f) {
#if defined(_OPENMP)
    if (ctx.threads() > 1 && n > 1 && !omp_in_parallel()) {  // inside a parallel region: this thread's share
        const std::int64_t count = static_cast<std::int64_t>(n);
#pragma omp parallel for schedule(static) num_threads(ctx.threads())
        for (std::int64_t i = 0; i < count; ++i) f(static_cast<std::size_t>(i));
        return;
    }
#endif
    for (std::size_t i = 0; i < n; ++i) f(i);
}

}  // namespace helix
