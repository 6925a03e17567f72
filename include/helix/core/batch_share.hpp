// batch_share: which samples of a global batch this process computes (data-parallel training), and where their
// random draws start. Every process reserves the draws of the whole global batch, so the generator advances alike
// on all of them, and reads those of its own samples: a batch split over processes, or computed on another backend,
// draws what it draws whole. Shared by the CPU and CUDA dropout.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "helix/core/error.hpp"

namespace helix {

// Samples [first, first + batch) of a global batch of `global` samples (global 0: the batch is all of it).
struct batch_share {
    std::size_t first = 0, global = 0;
};

struct share_draws {
    std::uint64_t reserved = 0;  // draws to reserve from the generator: the whole global batch's
    std::uint64_t offset = 0;    // where this share's first sample starts among them
};

// Throws argument_error naming `layer` when the share does not fit its global batch.
inline share_draws draws_of_share(const batch_share& share, std::size_t batch, std::size_t per_sample, const char* layer) {
    const std::size_t global = share.global > 0 ? share.global : batch;
    if (share.first + batch > global)
        throw argument_error(std::string(layer) + ": samples " + std::to_string(share.first) + " to " +
                             std::to_string(share.first + batch) + " are outside the global batch of " + std::to_string(global));
    return {std::uint64_t(global) * per_sample, std::uint64_t(share.first) * per_sample};
}

}  // namespace helix
