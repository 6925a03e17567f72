// Device tags. Represents: where a tensor's memory lives. A tensor on one device cannot be passed where
// another is expected: that is a type error, not a run-time one.
#pragma once

namespace helix {

struct cpu {
    static constexpr const char* name = "cpu";
};
struct cuda {
    static constexpr const char* name = "cuda";
};

template <class D>
concept device = requires { D::name; };

}  // namespace helix
