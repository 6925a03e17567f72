// Error types of helix. Represents: failures a caller can act on, each naming what was expected and what
// was found. Guarantees: every error thrown by helix derives from helix::error (a std::runtime_error).
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace helix {

struct error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A run-time shape disagreement, usually a batch mismatch (per-sample shapes are checked at compile time).
struct shape_error : error {
    using error::error;
};

// A file that cannot be read or written, or whose content is not what was expected.
struct io_error : error {
    using error::error;
};

// A value outside the range a function accepts (a dropout rate of 1.5, a zero thread count).
struct argument_error : error {
    using error::error;
};

// A call that the state left by earlier calls does not allow (backward of a head that forward skipped).
struct state_error : error {
    using error::error;
};

// A failed CUDA runtime or cuBLAS call, or no usable device; the message names the call and the CUDA error.
// Declared here (not in backend/cuda) so that host-only code can catch it without CUDA headers.
struct cuda_error : error {
    using error::error;
};

inline void check_batch(std::size_t expected, std::size_t got, const char* what) {
    if (expected != got)
        throw shape_error(std::string(what) + ": batch size mismatch: expected " + std::to_string(expected) +
                          ", got " + std::to_string(got));
}

}  // namespace helix
