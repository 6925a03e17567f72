// cpu_context: what a CPU computation needs besides its data.
// Represents: the thread count for OpenMP, the counter-based generator that dropout draws from, the
// training flag (dropout is active only while training), whether auxiliary<> heads run outside training, and
// which share of a global batch this process computes (data-parallel training). Requires: threads >= 1.
// Guarantees: the same seed, thread count and inputs give the same bits.
#pragma once

#include <cstddef>
#include <cstdint>

#include "helix/core/batch_share.hpp"
#include "helix/core/device.hpp"
#include "helix/core/error.hpp"
#include "helix/core/rng.hpp"

#if defined(_OPENMP)
#include <omp.h>
#endif

namespace helix {

struct cpu_context {
    using device_type = cpu;

    explicit cpu_context(int threads = default_threads(), std::uint64_t seed = 0) : rng(seed), threads_(threads) {
        if (threads < 1) throw argument_error("cpu_context: thread count must be at least 1, got " + std::to_string(threads));
    }

    int threads() const noexcept { return threads_; }
    void set_threads(int n) {
        if (n < 1) throw argument_error("cpu_context: thread count must be at least 1, got " + std::to_string(n));
        threads_ = n;
    }

    static int default_threads() {
#if defined(_OPENMP)
        return omp_get_max_threads();
#else
        return 1;
#endif
    }

    counter_rng rng;
    bool training = false;
    // Compute auxiliary<> heads (nn/auxiliary.hpp) in eval mode too, for a caller that reads their outputs
    // (a validation loss); while training they always run.
    bool auxiliary_outputs = false;

    // Samples [first, first + batch) of a global batch (core/batch_share.hpp): random draws are keyed by global
    // position, so a batch split over processes draws what it draws whole.
    batch_share share;

private:
    int threads_;
};

}  // namespace helix
