// Device tags. Represents: where a tensor's memory lives. A tensor on one device cannot be passed where
// another is expected: that is a type error, not a run-time one.
// device_of<Ctx> is the device a context computes on (cpu_context: cpu; cuda::context: cuda_device).
#pragma once

#include <type_traits>

namespace helix {

struct cpu {
    static constexpr const char* name = "cpu";
};
// The tag of CUDA device memory. (The namespace helix::cuda holds the backend itself, backend/cuda/.)
struct cuda_device {
    static constexpr const char* name = "cuda";
};

template <class D>
concept device = requires { D::name; };

template <class Ctx>
using device_of = typename std::remove_cvref_t<Ctx>::device_type;

}  // namespace helix
